// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

#include <atomic>

namespace Relay::Metrics {

// Monotonic time source for the sliding windows, injectable so tests are deterministic.
// Implementations must be callable from any thread.
class Clock
{
public:
    virtual ~Clock();
    virtual qint64 nowMicros() const = 0;
    qint64 nowSeconds() const { return nowMicros() / 1'000'000; }
};

// std::chrono::steady_clock: full resolution, for timing.
class SteadyClock final : public Clock
{
public:
    qint64 nowMicros() const override;
};

// The monotonic clock at scheduler-tick resolution (CLOCK_MONOTONIC_COARSE on Linux, steady_clock elsewhere):
// same time base as SteadyClock, several times cheaper to read. The default of every Registry, because the
// sliding windows read the clock on every observe() and only need to know the second.
class CoarseClock final : public Clock
{
public:
    qint64 nowMicros() const override;
};

// A clock that moves only when told to (tests, replays).
class ManualClock final : public Clock
{
public:
    explicit ManualClock(qint64 micros = 0)
        : m_micros(micros)
    {}
    qint64 nowMicros() const override { return m_micros.load(std::memory_order_relaxed); }
    void setMicros(qint64 micros) { m_micros.store(micros, std::memory_order_relaxed); }
    void setSeconds(qint64 seconds) { setMicros(seconds * 1'000'000); }
    void advanceSeconds(qint64 seconds) { m_micros.fetch_add(seconds * 1'000'000, std::memory_order_relaxed); }

private:
    std::atomic<qint64> m_micros;
};

} // namespace Relay::Metrics
