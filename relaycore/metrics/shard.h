// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "metrics/metrictypes.h"
#include "metrics/windowedhistogram.h"

#include <atomic>
#include <memory>
#include <vector>

namespace Relay::Metrics {

class Registry;

// One worker thread's metrics. Only the owning thread writes to it (add/set/observe); the registry reads it from
// any thread. Writes are a relaxed load and a relaxed store of a cell no other thread writes: no lock, no
// contended read-modify-write. Two threads writing the same shard lose counts: one shard per thread.
//
// Created by Registry::createShard() and owned by the registry, so counters survive the worker that wrote them.
// Operations on an invalid handle or an out-of-range series do nothing.
class Shard
{
public:
    ~Shard();
    Q_DISABLE_COPY_MOVE(Shard)

    void add(const CounterHandle &counter, int series = 0, quint64 n = 1)
    {
        if (!inRange(counter, series))
            return;
        auto &cell = m_counters[size_t(counter.offset + series)];
        cell.store(cell.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }

    // Gauges are per shard and summed across shards when read: a gauge several workers move (in-flight
    // requests) is add(+1)/add(-1) on each worker's own shard; a gauge only one place owns uses set().
    void set(const GaugeHandle &gauge, int series, qint64 value)
    {
        if (inRange(gauge, series))
            m_gauges[size_t(gauge.offset + series)].store(value, std::memory_order_relaxed);
    }
    void add(const GaugeHandle &gauge, int series, qint64 delta)
    {
        if (!inRange(gauge, series))
            return;
        auto &cell = m_gauges[size_t(gauge.offset + series)];
        cell.store(cell.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
    }

    void observe(const HistogramHandle &histogram, int series, quint64 usec)
    {
        if (inRange(histogram, series))
            m_histograms[size_t(histogram.offset + series)]->record(usec);
    }

private:
    friend class Registry;

    // Cells are padded by a cache line on each side so no other allocation shares a line with them.
    static constexpr size_t Padding = 64 / sizeof(quint64);

    Shard(size_t counters, size_t gauges, const std::vector<bool> &histogramWindows, const Clock *clock);

    static bool inRange(const FamilyHandle &handle, int series)
    {
        return unsigned(series) < unsigned(handle.seriesCount);
    }

    quint64 counter(int cell) const { return m_counters[size_t(cell)].load(std::memory_order_relaxed); }
    qint64 gauge(int cell) const { return m_gauges[size_t(cell)].load(std::memory_order_relaxed); }
    const WindowedHistogram &histogram(int cell) const { return *m_histograms[size_t(cell)]; }

    std::unique_ptr<std::atomic<quint64>[]> m_counterStorage;
    std::unique_ptr<std::atomic<qint64>[]> m_gaugeStorage;
    std::atomic<quint64> *m_counters;
    std::atomic<qint64> *m_gauges;
    std::vector<std::unique_ptr<WindowedHistogram>> m_histograms;
};

} // namespace Relay::Metrics
