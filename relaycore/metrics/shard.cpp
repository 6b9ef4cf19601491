// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/shard.h"

namespace Relay::Metrics {

Shard::Shard(size_t counters, size_t gauges, const std::vector<bool> &histogramWindows, const Clock *clock)
    : m_counterStorage(std::make_unique<std::atomic<quint64>[]>(counters + 2 * Padding))
    , m_gaugeStorage(std::make_unique<std::atomic<qint64>[]>(gauges + 2 * Padding))
    , m_counters(m_counterStorage.get() + Padding)
    , m_gauges(m_gaugeStorage.get() + Padding)
{
    m_histograms.reserve(histogramWindows.size());
    for (const bool keepWindows : histogramWindows)
        m_histograms.push_back(std::make_unique<WindowedHistogram>(clock, keepWindows));
}

Shard::~Shard() = default;

} // namespace Relay::Metrics
