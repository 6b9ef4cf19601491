// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "metrics/clock.h"
#include "metrics/metrictypes.h"
#include "metrics/shard.h"

#include <QMutex>

#include <array>
#include <memory>
#include <vector>

namespace Relay::Metrics {

// The set of metric families and the shards that record them.
//
// Start-up (one thread): declare every family (addCounter/addGauge/addHistogram), then create one Shard per
// worker thread. The first createShard() freezes the families; later declarations return invalid handles.
// Hot path: each worker writes only its own Shard. Readers (any thread) merge all shards with collect() and the
// value/percentile helpers; the registry mutex is taken only by createShard() and by readers, never by writers.
//
// Names follow Prometheus: metric [a-zA-Z_:][a-zA-Z0-9_:]*, label [a-zA-Z_][a-zA-Z0-9_]* (not "__..." and not
// "le" on histograms); at most FamilyHandle::MaxDimensions labels and MaxSeriesPerFamily series per family. A
// declaration that breaks a rule, or reuses a name, returns an invalid handle and logs a warning.
// Histograms take microseconds; Prometheus output is in seconds, so name them "..._seconds".
class Registry
{
public:
    static constexpr int AllSeries = -1;
    static constexpr int AllTime = 0;
    static constexpr int MaxSeriesPerFamily = 4096;
    static constexpr std::array<int, 3> StandardWindows{1, 10, 60};

    // Without a clock the registry uses a CoarseClock.
    explicit Registry(std::shared_ptr<const Clock> clock = {});
    ~Registry();
    Q_DISABLE_COPY_MOVE(Registry)

    CounterHandle addCounter(const QByteArray &name, const QByteArray &help, const QList<LabelDimension> &labels = {});
    GaugeHandle addGauge(const QByteArray &name, const QByteArray &help, const QList<LabelDimension> &labels = {});
    HistogramHandle addHistogram(const QByteArray &name, const QByteArray &help,
                                 const QList<LabelDimension> &labels = {}, const HistogramOptions &options = {});

    // The new shard lives as long as the registry. Call once per writer thread.
    Shard *createShard();

    const Clock &clock() const { return *m_clock; }

    // Any thread: every family with its series merged across shards (histograms all-time).
    MetricsSnapshot collect() const;

    // Any thread: one family's value, for one series or summed/merged over AllSeries.
    quint64 counterValue(const CounterHandle &counter, int series = AllSeries) const;
    qint64 gaugeValue(const GaugeHandle &gauge, int series = AllSeries) const;
    // windowSeconds AllTime for the all-time histogram, else the complete seconds of that window (1..60) before
    // the clock's current second (empty for families declared without windows).
    HistogramSnapshot histogram(const HistogramHandle &histogram, int series = AllSeries,
                                int windowSeconds = AllTime) const;
    PercentileSummary percentiles(const HistogramHandle &histogram, int series, int windowSeconds) const;
    // percentiles() for each of StandardWindows (1 s, 10 s, 60 s); what the live charts and /health read.
    QList<PercentileSummary> standardPercentiles(const HistogramHandle &histogram, int series = AllSeries) const;

private:
    struct Family
    {
        QByteArray name;
        QByteArray help;
        MetricType type;
        QList<LabelDimension> labels;
        QList<quint64> bucketBoundsUsec;
        FamilyHandle handle;
    };

    FamilyHandle declare(MetricType type, const QByteArray &name, const QByteArray &help,
                         const QList<LabelDimension> &labels, const HistogramOptions &options);
    bool ownsHandle(const FamilyHandle &handle, MetricType type) const;
    static QByteArrayList labelValuesOf(const Family &family, int series);

    std::shared_ptr<const Clock> m_clock;
    mutable QMutex m_mutex;
    std::vector<Family> m_families;
    std::vector<bool> m_histogramWindows; // per histogram cell
    int m_counterCells = 0;
    int m_gaugeCells = 0;
    std::vector<std::unique_ptr<Shard>> m_shards;
};

} // namespace Relay::Metrics
