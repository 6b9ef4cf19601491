// SPDX-License-Identifier: GPL-3.0-or-later
#include "usage/timebuckets.h"

#include <QDateTime>

#include <algorithm>
#include <cstdio>

namespace Relay::Usage {

namespace {

constexpr qint64 MsPerHour = 3600000;
constexpr qint64 MsPerDay = 24 * MsPerHour;

// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's civil_from_days), without a QDateTime per record.
void civilFromDays(qint64 days, qint64 *year, int *month, int *day)
{
    days += 719468;
    const qint64 era = (days >= 0 ? days : days - 146096) / 146097;
    const qint64 dayOfEra = days - era * 146097;
    const qint64 yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
    const qint64 dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    const qint64 mp = (5 * dayOfYear + 2) / 153;
    *day = int(dayOfYear - (153 * mp + 2) / 5 + 1);
    *month = int(mp < 10 ? mp + 3 : mp - 9);
    *year = yearOfEra + era * 400 + (*month <= 2 ? 1 : 0);
}

qint64 floorDiv(qint64 value, qint64 divisor)
{
    const qint64 quotient = value / divisor;
    return value % divisor < 0 ? quotient - 1 : quotient;
}

// The buckets of a wall-clock time given as ms since 1970-01-01T00:00 on that clock.
TimeBuckets wallClockBuckets(qint64 wallMs)
{
    const qint64 days = floorDiv(wallMs, MsPerDay);
    const qint64 msOfDay = wallMs - days * MsPerDay;
    qint64 year = 0;
    int month = 0;
    int day = 0;
    civilFromDays(days, &year, &month, &day);
    char text[32];
    const int length = std::snprintf(text, sizeof text, "%04lld-%02d-%02dT%02d", static_cast<long long>(year), month,
                                     day, int(msOfDay / MsPerHour));
    TimeBuckets buckets;
    buckets.hour = QByteArray(text, length);
    buckets.day = buckets.hour.first(length - 3);
    return buckets;
}

// The last answer of bucketsFor(ms, zone) on this thread: valid for every moment in [startMs, endMs) of `zone`.
struct ZoneCache
{
    QTimeZone zone;
    qint64 startMs = 0;
    qint64 endMs = 0; // empty range: nothing cached
    TimeBuckets buckets;
};

} // namespace

TimeBuckets bucketsFor(qint64 epochMs)
{
    return wallClockBuckets(epochMs);
}

TimeBuckets bucketsFor(qint64 epochMs, const QTimeZone &zone)
{
    if (!zone.isValid())
        return wallClockBuckets(epochMs);
    thread_local ZoneCache cache;
    if (epochMs >= cache.startMs && epochMs < cache.endMs && cache.zone == zone)
        return cache.buckets;

    // Within one UTC offset the local hour starts where (utc + offset) is a whole hour; a DST change inside that
    // hour cuts the range short (so a 30/90-minute local hour and a repeated hour come out right, in pieces).
    const QDateTime moment = QDateTime::fromMSecsSinceEpoch(epochMs, QTimeZone::utc());
    const qint64 offsetMs = qint64(zone.offsetFromUtc(moment)) * 1000;
    const qint64 wallMs = epochMs + offsetMs;
    qint64 startMs = floorDiv(wallMs, MsPerHour) * MsPerHour - offsetMs;
    qint64 endMs = startMs + MsPerHour;
    if (zone.hasTransitions()) {
        const QTimeZone::OffsetData previous =
            zone.previousTransition(QDateTime::fromMSecsSinceEpoch(epochMs + 1, QTimeZone::utc()));
        if (previous.atUtc.isValid())
            startMs = std::max(startMs, previous.atUtc.toMSecsSinceEpoch());
        const QTimeZone::OffsetData next = zone.nextTransition(moment);
        if (next.atUtc.isValid())
            endMs = std::min(endMs, next.atUtc.toMSecsSinceEpoch());
    }
    if (endMs <= epochMs) { // zone data that disagree with themselves: cache this moment only
        startMs = epochMs;
        endMs = epochMs + 1;
    }
    cache.zone = zone;
    cache.startMs = startMs;
    cache.endMs = endMs;
    cache.buckets = wallClockBuckets(wallMs);
    return cache.buckets;
}

} // namespace Relay::Usage
