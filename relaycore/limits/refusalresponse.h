// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "limits/refusalinfo.h"

#include <QByteArray>
#include <QList>

#include <utility>

namespace Relay::Limits {

// The 429 answer for a refused request, in Anthropic's error shape:
//   {"type":"error","error":{"type":"rate_limit_error","message":"Daily cost limit reached: $5.00 of $5.00 used;
//    resets at 2025-03-05T00:00:00+08:00 (Asia/Shanghai), in 3600 seconds."},
//    "limit":{"name":"daily_cost","current":…,"limit":…,"unit":"nanodollars","reset_at":"…","reset_in_seconds":…,
//    "time_zone":"Asia/Shanghai"}}
// Headers: content-type, retry-after (seconds until the reset), x-relaydeck-limit (the limit's name) and
// x-relaydeck-limit-reset (ISO time); a limit that never resets (total cost) has no retry-after and says
// x-should-retry: false, which the Anthropic SDKs honour.
struct RefusalResponse
{
    int status = 429;
    QByteArray body;
    QList<std::pair<QByteArray, QByteArray>> headers;

    static RefusalResponse from(const RefusalInfo &refusal);
    // The human-readable message alone.
    static QByteArray message(const RefusalInfo &refusal);
    // Nanodollars as dollars with at least two and at most nine decimals: 1500000000 -> "$1.50".
    static QByteArray formatDollars(qint64 nanos);
    // The reset time in the refusal's zone, ISO 8601 with offset ("Z" for UTC); empty if it never resets.
    static QByteArray resetIso(const RefusalInfo &refusal);
};

} // namespace Relay::Limits
