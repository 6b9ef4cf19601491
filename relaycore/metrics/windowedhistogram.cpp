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
    // Fast path, straight into the target with one pass per slot: the owner reuses a slot only SlotCount seconds
    // after its second, so a slot of the window changes under a reader only if the reader stalls for about a
    // minute. Should that happen (the seqlock check below), the target is put back and every slot is read into a
    // copy first, so that a torn slot can be left out on its own.
    const HistogramSnapshot before = target;
    if (mergeSlots(target, windowSeconds, nowSecond, nullptr))
        return;
    target = before;
    HistogramSnapshot part;
    mergeSlots(target, windowSeconds, nowSecond, &part);
}

bool WindowedHistogram::mergeSlots(HistogramSnapshot &target, int windowSeconds, qint64 nowSecond,
                                   HistogramSnapshot *scratch) const
{
    for (qint64 second = nowSecond - windowSeconds; second < nowSecond; ++second) {
        const Slot &slot = (*m_slots)[size_t(slotIndex(second))];
        if (slot.second.load(std::memory_order_acquire) != second)
            continue; // never written in that second, or already reused for a later one
        HistogramSnapshot &into = scratch ? *scratch : target;
        if (scratch)
            *scratch = HistogramSnapshot();
        slot.histogram.mergeInto(into);
        // Seqlock reader side: if the owner rotated the slot while we read it, what we read is a mix.
        std::atomic_thread_fence(std::memory_order_acquire);
        const bool torn = slot.second.load(std::memory_order_relaxed) != second;
        if (!scratch && torn)
            return false;
        if (scratch && !torn)
            target.merge(*scratch);
    }
    return true;
}

} // namespace Relay::Metrics
