// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "metrics/histogramsnapshot.h"

#include <QByteArray>
#include <QByteArrayList>
#include <QJsonObject>
#include <QList>

#include <array>
#include <initializer_list>

namespace Relay::Metrics {

enum class MetricType { Counter, Gauge, Histogram };

// One label of a family and every value it can take, fixed at declaration.
struct LabelDimension
{
    QByteArray name;
    QByteArrayList values;
};

// A declared family as the hot path sees it: where its cells start in a shard and how many series it has.
// Copy it freely; an invalid (default) handle makes every shard operation a no-op.
struct FamilyHandle
{
    static constexpr int MaxDimensions = 4;

    int family = -1;
    int offset = 0;
    int seriesCount = 0;
    int dimensionCount = 0;
    std::array<int, MaxDimensions> dimensionSizes{};

    bool isValid() const { return family >= 0; }

    // The series of one combination of label values, given as indexes into each dimension's value list in
    // declaration order (mixed radix, the last dimension varies fastest). -1 if out of range.
    int series(std::initializer_list<int> valueIndexes) const
    {
        if (int(valueIndexes.size()) != dimensionCount)
            return -1;
        int index = 0;
        int dimension = 0;
        for (const int value : valueIndexes) {
            const int size = dimensionSizes[size_t(dimension++)];
            if (value < 0 || value >= size)
                return -1;
            index = index * size + value;
        }
        return index;
    }
};

struct CounterHandle : FamilyHandle
{
};
struct GaugeHandle : FamilyHandle
{
};
struct HistogramHandle : FamilyHandle
{
};

struct HistogramOptions
{
    // Keep per-second slots for 1..60 s window percentiles (about 250 KiB per series per shard); without them a
    // series costs 4 KiB per shard and only feeds Prometheus.
    bool keepWindows = true;
    // Prometheus `le` bounds in microseconds, ascending; +Inf is implicit. Empty means defaultBucketBoundsUsec().
    QList<quint64> bucketBoundsUsec;
};

// 0.0005 s .. 60 s.
QList<quint64> defaultBucketBoundsUsec();

// Merged values of one series across all shards.
struct SeriesSnapshot
{
    QByteArrayList labelValues;
    quint64 counter = 0;
    qint64 gauge = 0;
    HistogramSnapshot histogram; // all-time
};

struct FamilySnapshot
{
    QByteArray name;
    QByteArray help;
    MetricType type = MetricType::Counter;
    QByteArrayList labelNames;
    QList<quint64> bucketBoundsUsec;
    QList<SeriesSnapshot> series;
};

struct MetricsSnapshot
{
    QList<FamilySnapshot> families;

    const FamilySnapshot *find(const QByteArray &name) const;
};

// Percentiles of one histogram over a sliding window, in microseconds.
struct PercentileSummary
{
    int windowSeconds = 0;
    quint64 count = 0;
    double p50 = 0;
    double p95 = 0;
    double p99 = 0;

    // {"windowSeconds":10,"count":123,"p50Us":1200,"p95Us":5400,"p99Us":9100} (integers).
    QJsonObject toJson() const;
};

} // namespace Relay::Metrics
