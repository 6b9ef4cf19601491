// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QTimeZone>

namespace Relay::Limits {

// The local day and ISO week of a moment in a time zone, and when each ends: the names the daily and weekly
// counters carry and the reset times a refusal reports, so both always agree.
struct LimitPeriods
{
    QByteArray day;        // "YYYY-MM-DD", the local date
    QByteArray week;       // "YYYY-Www", ISO 8601 week-year and week (weeks start Monday; 2024-12-30 is 2025-W01)
    qint64 dayStartMs = 0; // local midnight that began the day
    qint64 dayEndMs = 0;   // next local midnight (a local day is 23 or 25 hours long across a DST change)
    qint64 weekEndMs = 0;  // next Monday 00:00 local

    bool contains(qint64 epochMs) const { return epochMs >= dayStartMs && epochMs < dayEndMs; }

    // Where midnight does not exist (a DST gap at 00:00), the day starts at the first local time that does.
    static LimitPeriods at(qint64 epochMs, const QTimeZone &zone);
};

} // namespace Relay::Limits
