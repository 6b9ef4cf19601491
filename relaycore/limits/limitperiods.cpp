// SPDX-License-Identifier: GPL-3.0-or-later
#include "limits/limitperiods.h"

#include <QDateTime>

#include <cstdio>

namespace Relay::Limits {

LimitPeriods LimitPeriods::at(qint64 epochMs, const QTimeZone &zone)
{
    const QDate date = QDateTime::fromMSecsSinceEpoch(epochMs, zone).date();
    LimitPeriods periods;
    periods.day = date.toString(Qt::ISODate).toLatin1();
    int weekYear = 0;
    const int week = date.weekNumber(&weekYear);
    char text[16];
    const int length = std::snprintf(text, sizeof text, "%04d-W%02d", weekYear, week);
    periods.week = QByteArray(text, length);
    // startOfDay() takes the first valid local time when midnight falls in a DST gap.
    periods.dayStartMs = date.startOfDay(zone).toMSecsSinceEpoch();
    periods.dayEndMs = date.addDays(1).startOfDay(zone).toMSecsSinceEpoch();
    periods.weekEndMs = date.addDays(8 - date.dayOfWeek()).startOfDay(zone).toMSecsSinceEpoch();
    return periods;
}

} // namespace Relay::Limits
