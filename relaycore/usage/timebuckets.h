// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QTimeZone>
#include <QtGlobal>

namespace Relay::Usage {

// The day and hour a usage record is counted in: "YYYY-MM-DD" and "YYYY-MM-DDTHH".
struct TimeBuckets
{
    QByteArray day;
    QByteArray hour;
};

// The buckets of a moment (ms since the epoch) in UTC.
TimeBuckets bucketsFor(qint64 epochMs);

// The buckets of a moment in the local time of `zone` (the relay's `time-zone` setting): the wall-clock date and hour
// there. Around a DST change a local hour may last 30 to 120 minutes (a repeated hour counts in one bucket) or be
// skipped. The answer is cached per thread until the moment leaves the cached local hour, so a steady stream of
// records costs one range check each.
TimeBuckets bucketsFor(qint64 epochMs, const QTimeZone &zone);

} // namespace Relay::Usage
