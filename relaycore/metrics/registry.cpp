// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/registry.h"

#include <QDebug>
#include <QMutexLocker>

#include <algorithm>

namespace Relay::Metrics {

namespace {

bool isNameChar(char c, bool first, bool allowColon)
{
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allowColon && c == ':');
    return letter || (!first && c >= '0' && c <= '9');
}

bool isValidName(const QByteArray &name, bool allowColon)
{
    if (name.isEmpty())
        return false;
    for (qsizetype i = 0; i < name.size(); ++i) {
        if (!isNameChar(name.at(i), i == 0, allowColon))
            return false;
    }
    return true;
}

const char *typeName(MetricType type)
{
    switch (type) {
    case MetricType::Counter:
        return "counter";
    case MetricType::Gauge:
        return "gauge";
    case MetricType::Histogram:
        return "histogram";
    }
    return "untyped";
}

} // namespace

Registry::Registry(std::shared_ptr<const Clock> clock)
    : m_clock(clock ? std::move(clock) : std::make_shared<CoarseClock>())
{}

Registry::~Registry() = default;

CounterHandle Registry::addCounter(const QByteArray &name, const QByteArray &help, const QList<LabelDimension> &labels)
{
    CounterHandle handle;
    static_cast<FamilyHandle &>(handle) = declare(MetricType::Counter, name, help, labels, {});
    return handle;
}

GaugeHandle Registry::addGauge(const QByteArray &name, const QByteArray &help, const QList<LabelDimension> &labels)
{
    GaugeHandle handle;
    static_cast<FamilyHandle &>(handle) = declare(MetricType::Gauge, name, help, labels, {});
    return handle;
}

HistogramHandle Registry::addHistogram(const QByteArray &name, const QByteArray &help,
                                       const QList<LabelDimension> &labels, const HistogramOptions &options)
{
    HistogramHandle handle;
    static_cast<FamilyHandle &>(handle) = declare(MetricType::Histogram, name, help, labels, options);
    return handle;
}

FamilyHandle Registry::declare(MetricType type, const QByteArray &name, const QByteArray &help,
                               const QList<LabelDimension> &labels, const HistogramOptions &options)
{
    const auto reject = [&](const char *why) {
        qWarning().nospace() << "metrics: cannot declare " << typeName(type) << ' ' << name << ": " << why;
        return FamilyHandle{};
    };

    QMutexLocker lock(&m_mutex);
    if (!m_shards.empty())
        return reject("families are frozen once a shard exists");
    if (!isValidName(name, true))
        return reject("invalid metric name");
    if (std::any_of(m_families.cbegin(), m_families.cend(), [&](const Family &f) { return f.name == name; }))
        return reject("name already declared");
    if (labels.size() > FamilyHandle::MaxDimensions)
        return reject("too many labels");

    FamilyHandle handle;
    handle.dimensionCount = int(labels.size());
    qint64 seriesCount = 1;
    for (qsizetype i = 0; i < labels.size(); ++i) {
        const LabelDimension &label = labels.at(i);
        if (!isValidName(label.name, false) || label.name.startsWith("__") ||
            (type == MetricType::Histogram && label.name == "le"))
            return reject("invalid label name");
        for (qsizetype j = 0; j < i; ++j) {
            if (labels.at(j).name == label.name)
                return reject("duplicate label name");
        }
        if (label.values.isEmpty())
            return reject("a label needs at least one value");
        seriesCount *= label.values.size();
        if (seriesCount > MaxSeriesPerFamily)
            return reject("too many series");
        handle.dimensionSizes[size_t(i)] = int(label.values.size());
    }

    QList<quint64> bounds = options.bucketBoundsUsec;
    if (type == MetricType::Histogram) {
        if (bounds.isEmpty())
            bounds = defaultBucketBoundsUsec();
        if (!std::is_sorted(bounds.cbegin(), bounds.cend()) ||
            std::adjacent_find(bounds.cbegin(), bounds.cend()) != bounds.cend())
            return reject("bucket bounds must be strictly ascending");
    }

    handle.family = int(m_families.size());
    handle.seriesCount = int(seriesCount);
    switch (type) {
    case MetricType::Counter:
        handle.offset = m_counterCells;
        m_counterCells += handle.seriesCount;
        break;
    case MetricType::Gauge:
        handle.offset = m_gaugeCells;
        m_gaugeCells += handle.seriesCount;
        break;
    case MetricType::Histogram:
        handle.offset = int(m_histogramWindows.size());
        m_histogramWindows.insert(m_histogramWindows.end(), size_t(seriesCount), options.keepWindows);
        break;
    }
    m_families.push_back(
        Family{name, help, type, labels, type == MetricType::Histogram ? bounds : QList<quint64>{}, handle});
    return handle;
}

Shard *Registry::createShard()
{
    QMutexLocker lock(&m_mutex);
    m_shards.push_back(std::unique_ptr<Shard>(
        new Shard(size_t(m_counterCells), size_t(m_gaugeCells), m_histogramWindows, m_clock.get())));
    return m_shards.back().get();
}

bool Registry::ownsHandle(const FamilyHandle &handle, MetricType type) const
{
    if (handle.family < 0 || size_t(handle.family) >= m_families.size())
        return false;
    const Family &family = m_families[size_t(handle.family)];
    return family.type == type && family.handle.offset == handle.offset &&
           family.handle.seriesCount == handle.seriesCount;
}

QByteArrayList Registry::labelValuesOf(const Family &family, int series)
{
    QByteArrayList values(family.labels.size());
    for (qsizetype i = family.labels.size() - 1; i >= 0; --i) {
        const QByteArrayList &choices = family.labels.at(i).values;
        values[i] = choices.at(series % choices.size());
        series /= int(choices.size());
    }
    return values;
}

MetricsSnapshot Registry::collect() const
{
    QMutexLocker lock(&m_mutex);
    MetricsSnapshot result;
    result.families.reserve(qsizetype(m_families.size()));
    for (const Family &family : m_families) {
        FamilySnapshot out;
        out.name = family.name;
        out.help = family.help;
        out.type = family.type;
        out.bucketBoundsUsec = family.bucketBoundsUsec;
        for (const LabelDimension &label : family.labels)
            out.labelNames.append(label.name);
        out.series.reserve(family.handle.seriesCount);
        for (int series = 0; series < family.handle.seriesCount; ++series) {
            SeriesSnapshot value;
            value.labelValues = labelValuesOf(family, series);
            const int cell = family.handle.offset + series;
            for (const auto &shard : m_shards) {
                switch (family.type) {
                case MetricType::Counter:
                    value.counter += shard->counter(cell);
                    break;
                case MetricType::Gauge:
                    value.gauge += shard->gauge(cell);
                    break;
                case MetricType::Histogram:
                    shard->histogram(cell).mergeCumulativeInto(value.histogram);
                    break;
                }
            }
            out.series.append(std::move(value));
        }
        result.families.append(std::move(out));
    }
    return result;
}

quint64 Registry::counterValue(const CounterHandle &counter, int series) const
{
    QMutexLocker lock(&m_mutex);
    if (!ownsHandle(counter, MetricType::Counter) || series < AllSeries || series >= counter.seriesCount)
        return 0;
    const int first = series == AllSeries ? 0 : series;
    const int last = series == AllSeries ? counter.seriesCount - 1 : series;
    quint64 total = 0;
    for (const auto &shard : m_shards) {
        for (int s = first; s <= last; ++s)
            total += shard->counter(counter.offset + s);
    }
    return total;
}

qint64 Registry::gaugeValue(const GaugeHandle &gauge, int series) const
{
    QMutexLocker lock(&m_mutex);
    if (!ownsHandle(gauge, MetricType::Gauge) || series < AllSeries || series >= gauge.seriesCount)
        return 0;
    const int first = series == AllSeries ? 0 : series;
    const int last = series == AllSeries ? gauge.seriesCount - 1 : series;
    qint64 total = 0;
    for (const auto &shard : m_shards) {
        for (int s = first; s <= last; ++s)
            total += shard->gauge(gauge.offset + s);
    }
    return total;
}

HistogramSnapshot Registry::histogram(const HistogramHandle &histogram, int series, int windowSeconds) const
{
    HistogramSnapshot result;
    QMutexLocker lock(&m_mutex);
    if (!ownsHandle(histogram, MetricType::Histogram) || series < AllSeries || series >= histogram.seriesCount)
        return result;
    const int first = series == AllSeries ? 0 : series;
    const int last = series == AllSeries ? histogram.seriesCount - 1 : series;
    const qint64 nowSecond = m_clock->nowSeconds();
    for (const auto &shard : m_shards) {
        for (int s = first; s <= last; ++s) {
            const WindowedHistogram &cell = shard->histogram(histogram.offset + s);
            if (windowSeconds == AllTime)
                cell.mergeCumulativeInto(result);
            else
                cell.mergeWindowInto(result, windowSeconds, nowSecond);
        }
    }
    return result;
}

PercentileSummary Registry::percentiles(const HistogramHandle &histogram, int series, int windowSeconds) const
{
    const HistogramSnapshot merged = this->histogram(histogram, series, windowSeconds);
    PercentileSummary summary;
    summary.windowSeconds = windowSeconds;
    summary.count = merged.count();
    summary.p50 = merged.percentile(0.50);
    summary.p95 = merged.percentile(0.95);
    summary.p99 = merged.percentile(0.99);
    return summary;
}

QList<PercentileSummary> Registry::standardPercentiles(const HistogramHandle &histogram, int series) const
{
    QList<PercentileSummary> result;
    for (const int window : StandardWindows)
        result.append(percentiles(histogram, series, window));
    return result;
}

} // namespace Relay::Metrics
