// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "metrics/bucketlayout.h"
#include "metrics/histogramsnapshot.h"

#include <array>
#include <atomic>
#include <limits>

namespace Relay::Metrics {

// A latency histogram in microseconds with exactly one writer thread (its owner) and any number of readers.
//
// The owner updates every counter with a relaxed load followed by a relaxed store instead of fetch_add: with a
// single writer no increment can be lost, and a plain load+store is a couple of ordinary instructions where an
// atomic read-modify-write is a locked bus operation. Readers use relaxed loads; a snapshot taken while the owner
// writes may miss the values being recorded at that instant (counts are derived from the buckets, so a
// snapshot is always self-consistent between its buckets and its count; sum/min/max may lag by those values).
//
// Calling record() or clear() from two threads at once loses counts: give each thread its own histogram.
class alignas(64) LatencyHistogram
{
public:
    LatencyHistogram() = default;
    Q_DISABLE_COPY_MOVE(LatencyHistogram)

    // Owner thread only.
    void record(quint64 usec)
    {
        if (usec > BucketLayout::MaxValue)
            usec = BucketLayout::MaxValue;
        bump(m_buckets[size_t(BucketLayout::indexOf(usec))], 1);
        bump(m_sum, usec);
        if (usec < m_min.load(std::memory_order_relaxed))
            m_min.store(usec, std::memory_order_relaxed);
        if (usec > m_max.load(std::memory_order_relaxed))
            m_max.store(usec, std::memory_order_relaxed);
    }

    // Owner thread only.
    void clear();

    // Any thread.
    HistogramSnapshot snapshot() const;
    void mergeInto(HistogramSnapshot &target) const;

private:
    static void bump(std::atomic<quint64> &cell, quint64 n)
    {
        cell.store(cell.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }

    std::array<std::atomic<quint64>, BucketLayout::BucketCount> m_buckets{};
    std::atomic<quint64> m_sum{0};
    std::atomic<quint64> m_min{std::numeric_limits<quint64>::max()};
    std::atomic<quint64> m_max{0};
};

} // namespace Relay::Metrics
