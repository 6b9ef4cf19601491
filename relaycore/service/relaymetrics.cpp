// SPDX-License-Identifier: GPL-3.0-or-later
#include "service/relaymetrics.h"

namespace Relay::Service {

QByteArrayList RelayMetrics::statusClasses()
{
    return {"1xx", "2xx", "3xx", "4xx", "5xx", "client_gone"};
}

int RelayMetrics::statusClass(int status, bool clientGone)
{
    if (clientGone)
        return 5;
    return std::clamp(status / 100, 1, 5) - 1;
}

RelayMetrics::RelayMetrics(Metrics::Registry &registry, const QByteArrayList &routeNames)
{
    QByteArrayList routes = routeNames;
    m_unmatchedRoute = int(routes.size());
    m_adminRoute = int(routes.indexOf("admin"));
    routes.append("unmatched");
    const Metrics::LabelDimension route{"route", routes};

    requests =
        registry.addCounter("relaydeck_http_requests_total", "HTTP requests answered, by route and status class.",
                            {route, {"status", statusClasses()}});
    duration = registry.addHistogram("relaydeck_http_request_duration_seconds",
                                     "Time from the first request byte to the last response byte.", {route});
    inFlight = registry.addGauge("relaydeck_http_in_flight_requests",
                                 "Relay requests received and not yet answered (admin API calls are not counted).");
    connections = registry.addGauge("relaydeck_http_connections", "Open client connections.");
    connectionsTotal = registry.addCounter("relaydeck_http_connections_total", "Client connections accepted.");
    redisRoundTrip =
        registry.addHistogram("relaydeck_redis_round_trip_seconds", "Redis command round trips (send to reply).",
                              {{"client", {"worker", "control"}}});
    redisUp = registry.addGauge("relaydeck_redis_up", "1 when the last Redis health check succeeded.");
    healthChecks = registry.addCounter("relaydeck_redis_health_checks_total", "Redis PING health checks.",
                                       {{"outcome", {"ok", "failed"}}});
}

} // namespace Relay::Service
