// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

// A TCP port on 127.0.0.1 that was free a moment ago (0 if none could be found).
quint16 freePort();
