// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QIcon>
#include <QString>

namespace Console {

// An icon from resources/icons/<name>.svg (scalable, so sharp at any device pixel ratio).
QIcon icon(const QString &name);

} // namespace Console
