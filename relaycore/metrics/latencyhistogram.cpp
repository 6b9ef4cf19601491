// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/latencyhistogram.h"

#include <algorithm>

namespace Relay::Metrics {

void LatencyHistogram::clear()
{
    for (auto &bucket : m_buckets)
        bucket.store(0, std::memory_order_relaxed);
    m_sum.store(0, std::memory_order_relaxed);
    m_min.store(std::numeric_limits<quint64>::max(), std::memory_order_relaxed);
    m_max.store(0, std::memory_order_relaxed);
}

HistogramSnapshot LatencyHistogram::snapshot() const
{
    HistogramSnapshot result;
    mergeInto(result);
    return result;
}

void LatencyHistogram::mergeInto(HistogramSnapshot &target) const
{
    quint64 count = 0;
    int first = -1;
    int last = -1;
    for (int i = 0; i < BucketLayout::BucketCount; ++i) {
        const quint64 n = m_buckets[size_t(i)].load(std::memory_order_relaxed);
        if (n == 0)
            continue;
        target.m_buckets[size_t(i)] += n;
        count += n;
        if (first < 0)
            first = i;
        last = i;
    }
    if (count == 0)
        return;
    target.m_count += count;
    target.m_sum += m_sum.load(std::memory_order_relaxed);
    // A reader racing the owner can see a bucket before the min/max that go with it; keep them consistent with
    // the buckets actually read so percentile() can clamp to them.
    quint64 min = m_min.load(std::memory_order_relaxed);
    if (min > BucketLayout::upperBound(first))
        min = BucketLayout::lowerBound(first);
    quint64 max = m_max.load(std::memory_order_relaxed);
    if (max < BucketLayout::lowerBound(last))
        max = BucketLayout::upperBound(last);
    target.m_min = std::min(target.m_min, min);
    target.m_max = std::max(target.m_max, max);
}

} // namespace Relay::Metrics
