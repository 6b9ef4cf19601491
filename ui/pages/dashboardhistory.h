// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPointF>

#include <array>
#include <deque>

namespace Console {

// The Dashboard's chart data: the last `window` of metrics in at most MaxBuckets time buckets, so every series has
// a bounded number of points however long the page stays open. Points come from the history route (one row per
// second or minute, read by field name) and from live snapshots; a point at or before the last one is ignored, so
// history and stream can overlap. Rates are averaged over a bucket (weighted by the time each point covers);
// latencies take the bucket's maximum, the honest summary of several percentiles, and a second without requests
// has no latency at all rather than a latency of zero.
class DashboardHistory
{
public:
    enum Metric {
        RequestsPerS,
        ErrorsPerS, // 4xx and 5xx answers
        ServerErrorsPerS,
        TotalP50,
        TotalP95,
        TotalP99,
        FirstByteP50,
        FirstByteP95,
        FirstByteP99,
        OverheadP50,
        OverheadP95,
        OverheadP99,
        MetricCount
    };
    static constexpr int FirstLatency = TotalP50;
    static constexpr int MaxBuckets = 300;
    using Values = std::array<double, MetricCount>; // rates per second, latencies in µs (< 0 = none)

    // Forgets every point; buckets are windowMs / MaxBuckets long (at least 1 s).
    void reset(qint64 windowMs);
    qint64 windowMs() const { return m_windowMs; }
    qint64 bucketMs() const { return m_bucketMs; }

    // One point covering intervalMs up to timeMs (ms since the epoch); false when it is not newer than the last.
    bool add(qint64 timeMs, qint64 intervalMs, const Values &values);
    // The rows of GET /admin/metrics/history; the number of points added.
    int addHistory(const QJsonObject &history);
    // One /admin/metrics/snapshot (or live event); false when not newer than the last point.
    bool addSnapshot(const QJsonObject &snapshot);

    // The chart points of one metric (x: ms since the epoch, y: per second or milliseconds), oldest first.
    QList<QPointF> points(Metric metric) const;
    qsizetype bucketCount() const { return qsizetype(m_buckets.size()); }
    qint64 lastTimeMs() const { return m_lastTimeMs; }
    // The largest y of points(metric) over the given metrics; 0 when there are none.
    double maximum(std::initializer_list<Metric> metrics) const;
    // Whether any bucket saw a request.
    bool hasTraffic() const;

private:
    struct Bucket
    {
        qint64 startMs = 0;
        qint64 lastMs = 0;
        double coveredMs = 0;
        Values values{}; // rate sums weighted by coveredMs; latency maxima
    };

    static bool isLatency(int metric) { return metric >= FirstLatency; }

    qint64 m_windowMs = 5 * 60'000;
    qint64 m_bucketMs = 1000;
    qint64 m_lastTimeMs = 0;
    std::deque<Bucket> m_buckets;
};

} // namespace Console
