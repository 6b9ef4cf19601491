// SPDX-License-Identifier: GPL-3.0-or-later
#include "relay/proxymetrics.h"

namespace Relay::Proxy {

ProxyMetrics::ProxyMetrics(Metrics::Registry &r)
{
    upstreamResponses = r.addCounter("relaydeck_upstream_responses_total", "Upstream answers by outcome.",
                                     {{"outcome",
                                       {"ok", "rate_limited", "overloaded", "server_error", "unauthorized", "forbidden",
                                        "client_error", "unreachable"}}});
    upstreamFirstByte = r.addHistogram("relaydeck_upstream_first_byte_seconds",
                                       "From sending the upstream request to its response headers.");
    upstreamDuration = r.addHistogram("relaydeck_upstream_duration_seconds", "Whole upstream calls.");
    relayOverhead = r.addHistogram("relaydeck_relay_overhead_seconds",
                                   "Time a relayed request spent in RelayDeck itself (total minus upstream).");
    failovers = r.addCounter("relaydeck_failovers_total", "Requests moved to another account before the first byte.");
    tokens = r.addCounter("relaydeck_tokens_total", "Tokens relayed, by class.",
                          {{"class", {"input", "output", "cache_creation_5m", "cache_creation_1h", "cache_read"}}});
    costNanos = r.addCounter("relaydeck_cost_nanodollars_total", "Cost of relayed usage in 1e-9 USD.");
    costUnknown = r.addCounter("relaydeck_cost_unknown_total", "Responses whose model has no price.");
    activeStreams = r.addGauge("relaydeck_active_streams", "Streaming responses in progress.");
    truncatedStreams = r.addCounter("relaydeck_truncated_streams_total",
                                    "Streams that ended without message_stop (upstream cut or client left).");
    clientAborts = r.addCounter("relaydeck_client_aborts_total", "Requests whose client left before the end.");
    auth = r.addCounter("relaydeck_auth_total", "API key checks by result.",
                        {{"result", {"ok", "missing", "invalid", "disabled", "cache_miss", "error"}}});
    concurrencyRejections =
        r.addCounter("relaydeck_concurrency_rejections_total", "Requests refused by a key's concurrency limit.");
    limitRefusals = r.addCounter(
        "relaydeck_limit_refusals_total", "Requests refused by a key's rate or cost limit.",
        {{"limit", {"window_requests", "window_tokens", "window_cost", "daily_cost", "total_cost", "weekly_cost"}}});
    queueWaits = r.addCounter("relaydeck_concurrency_queue_total",
                              "Requests that waited for a key's concurrency slot, by how the wait ended.",
                              {{"result", {"admitted", "timed_out", "queue_full"}}});
    queuedRequests = r.addGauge("relaydeck_concurrency_queued", "Requests waiting for a key's concurrency slot.");
    redisRoundTripsBeforeUpstream = r.addCounter("relaydeck_redis_round_trips_before_upstream_total",
                                                 "Redis round trips spent before the upstream request, summed.");
}

} // namespace Relay::Proxy
