// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/histogramsnapshot.h"

#include <algorithm>
#include <cmath>

namespace Relay::Metrics {

HistogramSnapshot::HistogramSnapshot()
    : m_buckets(BucketLayout::BucketCount, 0)
{}

void HistogramSnapshot::record(quint64 usec, quint64 n)
{
    if (n == 0)
        return;
    usec = std::min(usec, BucketLayout::MaxValue);
    m_buckets[size_t(BucketLayout::indexOf(usec))] += n;
    m_count += n;
    m_sum += usec * n;
    m_min = std::min(m_min, usec);
    m_max = std::max(m_max, usec);
}

void HistogramSnapshot::merge(const HistogramSnapshot &other)
{
    if (other.m_count == 0)
        return;
    for (size_t i = 0; i < m_buckets.size(); ++i)
        m_buckets[i] += other.m_buckets[i];
    m_count += other.m_count;
    m_sum += other.m_sum;
    m_min = std::min(m_min, other.m_min);
    m_max = std::max(m_max, other.m_max);
}

quint64 HistogramSnapshot::rankFor(double q, quint64 count)
{
    if (count == 0)
        return 0;
    q = std::clamp(q, 0.0, 1.0);
    // The epsilon keeps e.g. 0.999 * 1000 = 999.0000000001 from rounding up to rank 1000.
    const double exact = q * double(count);
    const auto rank = quint64(std::ceil(exact - exact * 1e-12));
    return std::clamp<quint64>(rank, 1, count);
}

double HistogramSnapshot::percentile(double q) const
{
    const quint64 rank = rankFor(q, m_count);
    if (rank == 0)
        return 0.0;
    quint64 seen = 0;
    for (int i = 0; i < BucketLayout::BucketCount; ++i) {
        seen += m_buckets[size_t(i)];
        if (seen >= rank)
            return std::clamp(BucketLayout::midpoint(i), double(min()), double(std::max(min(), m_max)));
    }
    // Only reachable if buckets and count disagree (a torn read); the maximum is the honest answer.
    return double(m_max);
}

quint64 HistogramSnapshot::countAtOrBelow(quint64 usec) const
{
    return cumulativeCounts({usec}).constFirst();
}

QList<quint64> HistogramSnapshot::cumulativeCounts(const QList<quint64> &ascendingBoundsUsec) const
{
    QList<quint64> result;
    result.reserve(ascendingBoundsUsec.size());
    quint64 cumulative = 0;
    int bucket = 0;
    for (const quint64 bound : ascendingBoundsUsec) {
        // midpoint <= bound, in integers: lower + upper <= 2 * bound (no overflow: all values < 2^36).
        const quint64 twiceBound = std::min(bound, BucketLayout::MaxValue + 1) * 2;
        while (bucket < BucketLayout::BucketCount &&
               BucketLayout::lowerBound(bucket) + BucketLayout::upperBound(bucket) <= twiceBound) {
            cumulative += m_buckets[size_t(bucket)];
            ++bucket;
        }
        result.append(cumulative);
    }
    return result;
}

} // namespace Relay::Metrics
