// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/dashboardhistory.h"

#include <QHash>
#include <QString>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Console {

namespace {

constexpr qint64 SecondMs = 1000;

// Latency fields of the history and of the snapshot, in Metric order from TotalP50.
struct LatencySource
{
    QString historyField;
    QString snapshotGroup;
    QString snapshotField;
};

const std::array<LatencySource, 9> &latencySources()
{
    static const std::array<LatencySource, 9> sources{{
        {u"p50_us"_s, u"total"_s, u"p50_us"_s},
        {u"p95_us"_s, u"total"_s, u"p95_us"_s},
        {u"p99_us"_s, u"total"_s, u"p99_us"_s},
        {u"first_byte_p50_us"_s, u"upstream_first_byte"_s, u"p50_us"_s},
        {u"first_byte_p95_us"_s, u"upstream_first_byte"_s, u"p95_us"_s},
        {u"first_byte_p99_us"_s, u"upstream_first_byte"_s, u"p99_us"_s},
        {u"overhead_p50_us"_s, u"relay_overhead"_s, u"p50_us"_s},
        {u"overhead_p95_us"_s, u"relay_overhead"_s, u"p95_us"_s},
        {u"overhead_p99_us"_s, u"relay_overhead"_s, u"p99_us"_s},
    }};
    return sources;
}

// A latency of 0 µs means "no request in that second".
double latencyOrNone(double us)
{
    return us > 0 ? us : -1;
}

} // namespace

void DashboardHistory::reset(qint64 windowMs)
{
    m_windowMs = std::max<qint64>(windowMs, SecondMs);
    m_bucketMs = std::max<qint64>(SecondMs, m_windowMs / MaxBuckets);
    m_lastTimeMs = 0;
    m_buckets.clear();
}

bool DashboardHistory::add(qint64 timeMs, qint64 intervalMs, const Values &values)
{
    if (timeMs <= m_lastTimeMs)
        return false;
    m_lastTimeMs = timeMs;
    const qint64 start = timeMs - timeMs % m_bucketMs;
    if (m_buckets.empty() || m_buckets.back().startMs != start) {
        Bucket bucket;
        bucket.startMs = start;
        for (int m = FirstLatency; m < MetricCount; ++m)
            bucket.values[size_t(m)] = -1;
        m_buckets.push_back(bucket);
    }
    Bucket &b = m_buckets.back();
    // A minute point covers 60 s; a second point 1 s. Without an interval (the first tick) count it as a second.
    const double covered = double(intervalMs > 0 ? intervalMs : SecondMs);
    b.lastMs = timeMs;
    b.coveredMs += covered;
    for (int m = 0; m < FirstLatency; ++m)
        b.values[size_t(m)] += std::max(0.0, values[size_t(m)]) * covered;
    for (int m = FirstLatency; m < MetricCount; ++m)
        b.values[size_t(m)] = std::max(b.values[size_t(m)], latencyOrNone(values[size_t(m)]));

    const qint64 oldest = timeMs - m_windowMs;
    while (!m_buckets.empty() && (m_buckets.front().lastMs <= oldest || m_buckets.size() > size_t(MaxBuckets)))
        m_buckets.pop_front();
    return true;
}

int DashboardHistory::addHistory(const QJsonObject &history)
{
    const QJsonArray fields = history.value(u"fields").toArray();
    QHash<QString, qsizetype> column;
    for (qsizetype i = 0; i < fields.size(); ++i)
        column.insert(fields.at(i).toString(), i);
    const auto read = [&column](const QJsonArray &row, const QString &name) {
        const qsizetype i = column.value(name, -1);
        return i >= 0 && i < row.size() ? row.at(i).toDouble() : 0.0;
    };
    int added = 0;
    const QJsonArray points = history.value(u"points").toArray();
    for (const QJsonValue &value : points) {
        const QJsonArray row = value.toArray();
        Values v{};
        v[RequestsPerS] = read(row, u"requests_per_s"_s);
        v[ServerErrorsPerS] = read(row, u"status_5xx_per_s"_s);
        v[ErrorsPerS] = read(row, u"status_4xx_per_s"_s) + v[ServerErrorsPerS];
        const bool measured = read(row, u"latency_count"_s) > 0;
        for (size_t i = 0; i < latencySources().size(); ++i)
            v[FirstLatency + i] = measured ? read(row, latencySources()[i].historyField) : -1;
        if (add(qint64(read(row, u"t"_s)), qint64(read(row, u"interval_ms"_s)), v))
            ++added;
    }
    return added;
}

bool DashboardHistory::addSnapshot(const QJsonObject &snapshot)
{
    Values v{};
    v[RequestsPerS] = snapshot.value(u"requests_per_s").toDouble();
    const QJsonObject errors = snapshot.value(u"errors_per_s").toObject();
    v[ServerErrorsPerS] = errors.value(u"status_5xx").toDouble();
    v[ErrorsPerS] = errors.value(u"status_4xx").toDouble() + v[ServerErrorsPerS];
    // The 1 s window: the same percentiles the history keeps for each second.
    const QJsonObject latency = snapshot.value(u"latency_us").toObject();
    for (size_t i = 0; i < latencySources().size(); ++i) {
        const LatencySource &source = latencySources()[i];
        double us = -1;
        for (const QJsonValue &window : latency.value(source.snapshotGroup).toArray()) {
            const QJsonObject w = window.toObject();
            if (w.value(u"window_s").toInt() == 1 && w.value(u"count").toInteger() > 0)
                us = w.value(source.snapshotField).toDouble();
        }
        v[FirstLatency + i] = us;
    }
    return add(snapshot.value(u"time").toInteger(), snapshot.value(u"interval_ms").toInteger(), v);
}

QList<QPointF> DashboardHistory::points(Metric metric) const
{
    QList<QPointF> out;
    out.reserve(qsizetype(m_buckets.size()));
    for (const Bucket &b : m_buckets) {
        const double x = double(b.lastMs);
        if (isLatency(metric)) {
            if (b.values[size_t(metric)] > 0)
                out.append(QPointF(x, b.values[size_t(metric)] / 1000.0));
        } else {
            out.append(QPointF(x, b.coveredMs > 0 ? b.values[size_t(metric)] / b.coveredMs : 0));
        }
    }
    return out;
}

double DashboardHistory::maximum(std::initializer_list<Metric> metrics) const
{
    double top = 0;
    for (const Metric metric : metrics)
        for (const QPointF &p : points(metric))
            top = std::max(top, p.y());
    return top;
}

bool DashboardHistory::hasTraffic() const
{
    return std::any_of(m_buckets.cbegin(), m_buckets.cend(),
                       [](const Bucket &b) { return b.values[RequestsPerS] > 0 || b.values[TotalP50] > 0; });
}

} // namespace Console
