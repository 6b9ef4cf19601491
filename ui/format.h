// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

// How the console writes numbers, money, sizes and times, in the user's locale, so every page says it the same way.
namespace Console::Format {

QString integer(qint64 value);                  // 12,345
QString compact(double value);                  // 1.2k, 3.4M, 5.6B
QString tokens(qint64 value);                   // compact, exact below 10,000
QString usd(double dollars);                    // $0.0123 below $1, $12.35 above
QString milliseconds(double ms);                // 0.42 ms, 12 ms, 1.3 s, 2 min 5 s
QString seconds(qint64 seconds);                // 45 s, 3 min, 2 h 10 min, 3 d 4 h
QString bytes(qint64 bytes);                    // 512 B, 1.5 KiB, 23.4 MiB
QString percent(double fraction);               // 12.5 %
QString dateTime(qint64 msSinceEpoch);          // local short date and time with seconds
QString time(qint64 msSinceEpoch);              // local hh:mm:ss
QString ago(qint64 msSinceEpoch, qint64 nowMs); // "12 s ago", "3 min ago"; "never" for 0

// A value from a JSON object by dotted path ("today.cost_usd").
QJsonValue value(const QJsonObject &object, const QString &path);

} // namespace Console::Format
