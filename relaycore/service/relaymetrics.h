// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "metrics/registry.h"

namespace Relay::Service {

// The metric families of the relay process, declared once before the workers start. Later modules add theirs
// here so /metrics and the admin API's live view read one registry.
class RelayMetrics
{
public:
    // Status classes as label values: index by statusClass().
    static QByteArrayList statusClasses();
    static int statusClass(int status, bool clientGone);

    // routeNames: the router's names in index order; one more label value, "unmatched", covers 404/405 and
    // connection-level errors.
    RelayMetrics(Metrics::Registry &registry, const QByteArrayList &routeNames);

    int unmatchedRoute() const { return m_unmatchedRoute; }
    // The admin API's route ("admin"), or -1: its calls (the console's polls and live streams) are not relay traffic.
    int adminRoute() const { return m_adminRoute; }

    Metrics::CounterHandle requests;   // route, status class
    Metrics::HistogramHandle duration; // route
    Metrics::GaugeHandle inFlight;     // relay requests being answered (not admin API calls)
    Metrics::GaugeHandle connections;  // open client connections
    Metrics::CounterHandle connectionsTotal;
    Metrics::HistogramHandle redisRoundTrip; // role: worker, control
    Metrics::GaugeHandle redisUp;
    Metrics::CounterHandle healthChecks; // outcome: ok, failed

private:
    int m_unmatchedRoute = 0;
    int m_adminRoute = -1;
};

} // namespace Relay::Service
