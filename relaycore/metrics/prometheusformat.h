// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "metrics/metrictypes.h"

#include <QByteArray>

namespace Relay::Metrics {

class Registry;

// Prometheus text exposition format 0.0.4 (Content-Type: text/plain; version=0.0.4; charset=utf-8).
// Families in declaration order, series in label order; histograms as cumulative `_bucket{le=...}` lines in
// seconds (each value counted as its bucket's midpoint, see HistogramSnapshot), `le="+Inf"` equal to `_count`,
// and `_sum` in seconds, printed exactly from the integer microsecond sum.
QByteArray renderPrometheus(const MetricsSnapshot &snapshot);
QByteArray renderPrometheus(const Registry &registry);

// Helpers of the format, public for tests and for other exporters.
QByteArray escapePrometheusLabelValue(const QByteArray &value); // \ " and newline
QByteArray escapePrometheusHelp(const QByteArray &help);        // \ and newline
QByteArray formatMicrosAsSeconds(quint64 usec);                 // 1500 -> "0.0015", 2000000 -> "2"

} // namespace Relay::Metrics
