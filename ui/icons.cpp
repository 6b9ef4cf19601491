// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/icons.h"

#include <QHash>

namespace Console {

QIcon icon(const QString &name)
{
    static QHash<QString, QIcon> cache;
    auto it = cache.find(name);
    if (it == cache.end())
        it = cache.insert(name, QIcon(QStringLiteral(":/icons/%1.svg").arg(name)));
    return *it;
}

} // namespace Console
