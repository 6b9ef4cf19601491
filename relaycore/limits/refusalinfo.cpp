// SPDX-License-Identifier: GPL-3.0-or-later
#include "limits/refusalinfo.h"

namespace Relay::Limits {

QByteArray limitName(LimitKind kind)
{
    switch (kind) {
    case LimitKind::WindowRequests:
        return QByteArrayLiteral("window_requests");
    case LimitKind::WindowTokens:
        return QByteArrayLiteral("window_tokens");
    case LimitKind::WindowCost:
        return QByteArrayLiteral("window_cost");
    case LimitKind::DailyCost:
        return QByteArrayLiteral("daily_cost");
    case LimitKind::TotalCost:
        return QByteArrayLiteral("total_cost");
    case LimitKind::WeeklyFamilyCost:
        return QByteArrayLiteral("weekly_cost");
    }
    return {};
}

bool isCostLimit(LimitKind kind)
{
    return kind != LimitKind::WindowRequests && kind != LimitKind::WindowTokens;
}

qint64 RefusalInfo::secondsUntilReset() const
{
    if (!resets())
        return 0;
    const qint64 ms = resetMs - nowMs;
    return ms <= 1000 ? 1 : (ms + 999) / 1000;
}

} // namespace Relay::Limits
