// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/clock.h"

#include <chrono>

#include <time.h>

namespace Relay::Metrics {

Clock::~Clock() = default;

qint64 SteadyClock::nowMicros() const
{
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

qint64 CoarseClock::nowMicros() const
{
#ifdef CLOCK_MONOTONIC_COARSE
    timespec now{};
    if (clock_gettime(CLOCK_MONOTONIC_COARSE, &now) == 0)
        return qint64(now.tv_sec) * 1'000'000 + now.tv_nsec / 1'000;
#endif
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace Relay::Metrics
