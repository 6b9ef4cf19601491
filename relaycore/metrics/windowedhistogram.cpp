// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/windowedhistogram.h"

#include <algorithm>

namespace Relay::Metrics {

WindowedHistogram::WindowedHistogram(const Clock *clock, bool keepWindows)
    : m_clock(clock)
    , m_slots(keepWindows ? std::make_unique<std::array<Slot, SlotCount>>() : nullptr)
{}

WindowedHistogram::~WindowedHistogram() = default;

int WindowedHistogram::slotIndex(qint64 second)
{
    const qint64 index = second % SlotCount;
    return int(index < 0 ? index + SlotCount : index);
}

void WindowedHistogram::rotate(Slot &slot, qint64 nowSecond)
{
    // Seqlock writer side: invalidate, clear, publish. The release fence orders the invalidation before the
    // clearing stores; the release store orders the clearing before the new stamp.
    slot.second.store(NoSecond, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    slot.histogram.clear();
    slot.second.store(nowSecond, std::memory_order_release);
}

HistogramSnapshot WindowedHistogram::cumulativeSnapshot() const
{
    return m_total.snapshot();
}

void WindowedHistogram::mergeCumulativeInto(HistogramSnapshot &target) const
{
    m_total.mergeInto(target);
}

HistogramSnapshot WindowedHistogram::snapshot(int windowSeconds, qint64 nowSecond) const
{
    HistogramSnapshot result;
    mergeWindowInto(result, windowSeconds, nowSecond);
    return result;
}

void WindowedHistogram::mergeWindowInto(HistogramSnapshot &target, int windowSeconds, qint64 nowSecond) const
{
    if (!m_slots)
        return;
    windowSeconds = std::clamp(windowSeconds, 1, MaxWindowSeconds);
    for (qint64 second = nowSecond - windowSeconds; second < nowSecond; ++second) {
        const Slot &slot = (*m_slots)[size_t(slotIndex(second))];
        if (slot.second.load(std::memory_order_acquire) != second)
            continue; // never written in that second, or already reused for a later one
        HistogramSnapshot part;
        slot.histogram.mergeInto(part);
        // Seqlock reader side: if the owner rotated the slot while we read it, what we read is a mix.
        std::atomic_thread_fence(std::memory_order_acquire);
        if (slot.second.load(std::memory_order_relaxed) != second)
            continue;
        target.merge(part);
    }
}

} // namespace Relay::Metrics
