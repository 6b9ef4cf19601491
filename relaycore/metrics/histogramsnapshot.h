// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "metrics/bucketlayout.h"

#include <QList>
#include <QtGlobal>

#include <limits>
#include <vector>

namespace Relay::Metrics {

// A plain (non-atomic) latency histogram in microseconds: what readers get when they merge shards and windows.
// Same bucket layout as LatencyHistogram, so merging is exact: merge(a, b) equals the histogram of the union.
//
// Estimates (percentile(), countAtOrBelow()) treat every value as its bucket's midpoint, so they are within
// BucketLayout::MaxRelativeError (1/32) of the true value; values 0..31 us are exact.
class HistogramSnapshot
{
public:
    HistogramSnapshot();

    // Adds n occurrences of a value (values above BucketLayout::MaxValue are clamped).
    void record(quint64 usec, quint64 n = 1);
    void merge(const HistogramSnapshot &other);

    bool isEmpty() const { return m_count == 0; }
    quint64 count() const { return m_count; }
    // Sum of the recorded (clamped) values in microseconds.
    quint64 sum() const { return m_sum; }
    quint64 min() const { return m_count == 0 ? 0 : m_min; }
    quint64 max() const { return m_max; }
    double mean() const { return m_count == 0 ? 0.0 : double(m_sum) / double(m_count); }

    // Nearest-rank percentile, q in [0, 1]: the midpoint of the bucket holding the ceil(q * count)-th smallest
    // value, clamped to [min, max]. 0 when empty.
    double percentile(double q) const;

    // How many values are <= usec, each value counted as its bucket's midpoint (Prometheus `le` semantics).
    quint64 countAtOrBelow(quint64 usec) const;
    // countAtOrBelow() for ascending bounds, in one pass; the Prometheus `_bucket` series.
    QList<quint64> cumulativeCounts(const QList<quint64> &ascendingBoundsUsec) const;

    const std::vector<quint64> &buckets() const { return m_buckets; }

    bool operator==(const HistogramSnapshot &other) const = default;

    // The rank that percentile() looks for; shared with tests so "exact percentile" means the same thing.
    static quint64 rankFor(double q, quint64 count);

private:
    friend class LatencyHistogram;

    std::vector<quint64> m_buckets;
    quint64 m_count = 0;
    quint64 m_sum = 0;
    quint64 m_min = std::numeric_limits<quint64>::max();
    quint64 m_max = 0;
};

} // namespace Relay::Metrics
