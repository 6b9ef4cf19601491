// SPDX-License-Identifier: GPL-3.0-or-later
#include "usage/timebuckets.h"

#include <cstdio>

namespace Relay::Usage {

namespace {

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

} // namespace

TimeBuckets bucketsFor(qint64 epochMs)
{
    constexpr qint64 MsPerDay = 86400000;
    qint64 days = epochMs / MsPerDay;
    qint64 msOfDay = epochMs % MsPerDay;
    if (msOfDay < 0) {
        msOfDay += MsPerDay;
        --days;
    }
    qint64 year = 0;
    int month = 0;
    int day = 0;
    civilFromDays(days, &year, &month, &day);
    char text[32];
    const int length = std::snprintf(text, sizeof text, "%04lld-%02d-%02dT%02d", static_cast<long long>(year), month,
                                     day, int(msOfDay / 3600000));
    TimeBuckets buckets;
    buckets.hour = QByteArray(text, length);
    buckets.day = buckets.hour.first(length - 3);
    return buckets;
}

} // namespace Relay::Usage
