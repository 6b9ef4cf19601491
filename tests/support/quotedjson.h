// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>

// JSON written with single quotes in test sources, e.g. j("{'model':'claude-sonnet-4-5'}"): moc in Qt 6.4 cannot
// read raw string literals that contain quotes, and escaped double quotes make request bodies unreadable.
inline QByteArray j(const char *singleQuoted)
{
    QByteArray s(singleQuoted);
    s.replace('\'', '"');
    return s;
}
