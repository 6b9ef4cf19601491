// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QTimeZone>

namespace Relay::Limits {

// The limits a key can have, in the order the checker tests them.
enum class LimitKind {
    WindowRequests,
    WindowTokens,
    WindowCost,
    DailyCost,
    TotalCost,
    WeeklyFamilyCost,
};

// A stable name for logs, headers and bodies: window_requests, window_tokens, window_cost, daily_cost, total_cost,
// weekly_cost.
QByteArray limitName(LimitKind kind);
// True for the cost limits (values in nanodollars); false for requests and tokens.
bool isCostLimit(LimitKind kind);

// Why a request was refused: which limit, its value before this request, the limit, and when it resets.
struct RefusalInfo
{
    LimitKind kind = LimitKind::WindowRequests;
    QByteArray family;  // the model family of a WeeklyFamilyCost refusal
    qint64 current = 0; // requests, tokens or nanodollars counted so far (including reservations in flight)
    qint64 limit = 0;
    qint64 resetMs = 0; // when the counter starts again (ms since the epoch); 0 = never (the total cost limit)
    qint64 nowMs = 0;   // when the check ran (for "resets in N seconds")
    qint64 windowMinutes = 0;
    QTimeZone timeZone = QTimeZone::utc();

    bool resets() const { return resetMs > 0; }
    // Whole seconds until the reset, rounded up, at least 1; 0 if the limit never resets.
    qint64 secondsUntilReset() const;
};

} // namespace Relay::Limits
