// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "metrics/clock.h"
#include "metrics/histogramsnapshot.h"
#include "metrics/latencyhistogram.h"

#include <array>
#include <atomic>
#include <limits>
#include <memory>

namespace Relay::Metrics {

// An all-time LatencyHistogram plus one histogram per second for the last MaxWindowSeconds seconds, for sliding
// window percentiles. Same threading rules as LatencyHistogram: one writer (the owner), readers on any thread.
//
// The per-second slots form a ring indexed by second % SlotCount; each slot is stamped with its second. When the
// owner records into a slot still stamped with an older second, it clears the slot first (rotation). Readers
// merge the slots whose stamp lies in the window and ignore stale ones, so an idle writer needs no timer.
// Clearing is guarded like a seqlock: the stamp is invalidated before the clear and republished after it, and a
// reader drops a slot whose stamp changed while it was read.
class WindowedHistogram
{
public:
    static constexpr int MaxWindowSeconds = 60;
    // One slot per second of the longest window, one for the second being written, and one of slack so a reader
    // whose clock is a fraction of a second behind the writer still finds the oldest second intact.
    static constexpr int SlotCount = MaxWindowSeconds + 2;

    // The clock must outlive the histogram. Without windows only the all-time histogram is kept (4 KiB instead
    // of about 250 KiB).
    explicit WindowedHistogram(const Clock *clock, bool keepWindows = true);
    ~WindowedHistogram();
    Q_DISABLE_COPY_MOVE(WindowedHistogram)

    bool keepsWindows() const { return m_slots != nullptr; }

    // Owner thread only.
    void record(quint64 usec)
    {
        m_total.record(usec);
        if (m_slots)
            recordInWindow(usec, m_clock->nowSeconds());
    }

    // Any thread. All values ever recorded.
    HistogramSnapshot cumulativeSnapshot() const;
    void mergeCumulativeInto(HistogramSnapshot &target) const;

    // Any thread. The values recorded in the windowSeconds complete seconds before nowSecond, i.e. the seconds
    // [nowSecond - windowSeconds, nowSecond - 1]; the second in progress is left out so a 1 s window does not
    // flicker while it fills. windowSeconds is clamped to [1, MaxWindowSeconds]. Empty without windows.
    HistogramSnapshot snapshot(int windowSeconds, qint64 nowSecond) const;
    void mergeWindowInto(HistogramSnapshot &target, int windowSeconds, qint64 nowSecond) const;

private:
    static constexpr qint64 NoSecond = std::numeric_limits<qint64>::min();

    struct Slot
    {
        std::atomic<qint64> second{NoSecond};
        LatencyHistogram histogram;
    };

    void recordInWindow(quint64 usec, qint64 nowSecond)
    {
        Slot &slot = (*m_slots)[size_t(slotIndex(nowSecond))];
        if (slot.second.load(std::memory_order_relaxed) != nowSecond)
            rotate(slot, nowSecond);
        slot.histogram.record(usec);
    }
    void rotate(Slot &slot, qint64 nowSecond);
    // Merges the window's slots into target; false, leaving target partly merged, on a torn slot. With a scratch
    // snapshot each slot is read into it first and a torn one is left out (always true).
    bool mergeSlots(HistogramSnapshot &target, int windowSeconds, qint64 nowSecond, HistogramSnapshot *scratch) const;
    static int slotIndex(qint64 second);

    const Clock *m_clock;
    LatencyHistogram m_total;
    std::unique_ptr<std::array<Slot, SlotCount>> m_slots;
};

} // namespace Relay::Metrics
