// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QtGlobal>

namespace Relay::Usage {

// The day and hour a usage record is counted in: "YYYY-MM-DD" and "YYYY-MM-DDTHH".
struct TimeBuckets
{
    QByteArray day;
    QByteArray hour;
};

// The buckets of a moment (ms since the epoch). The one place that decides the time zone of usage statistics:
// UTC until a configurable time zone exists.
TimeBuckets bucketsFor(qint64 epochMs);

} // namespace Relay::Usage
