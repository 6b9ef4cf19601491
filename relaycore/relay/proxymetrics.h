// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "metrics/registry.h"

namespace Relay::Proxy {

// Metric families of the relay data plane.
struct ProxyMetrics
{
    enum UpstreamOutcome {
        Ok,
        RateLimited,
        Overloaded,
        ServerError,
        Unauthorized,
        Forbidden,
        ClientError,
        Unreachable,
        OutcomeCount
    };
    enum TokenClass { Input, Output, CacheCreation5m, CacheCreation1h, CacheRead, TokenClassCount };
    enum QueueResult { QueueAdmitted, QueueTimedOut, QueueFull, QueueResultCount };
    enum AuthResult { AuthOk, AuthMissing, AuthInvalid, AuthDisabled, AuthCacheMiss, AuthError, AuthResultCount };

    explicit ProxyMetrics(Metrics::Registry &registry);

    Metrics::CounterHandle upstreamResponses; // outcome
    Metrics::HistogramHandle upstreamFirstByte;
    Metrics::HistogramHandle upstreamDuration;
    Metrics::HistogramHandle relayOverhead; // total minus upstream time
    Metrics::CounterHandle failovers;
    Metrics::CounterHandle tokens; // class
    Metrics::CounterHandle costNanos;
    Metrics::CounterHandle costUnknown;
    Metrics::GaugeHandle activeStreams;
    Metrics::CounterHandle truncatedStreams;
    Metrics::CounterHandle clientAborts;
    Metrics::CounterHandle auth; // result
    Metrics::CounterHandle concurrencyRejections;
    Metrics::CounterHandle limitRefusals; // limit
    Metrics::CounterHandle queueWaits;    // result
    Metrics::GaugeHandle queuedRequests;
    Metrics::CounterHandle redisRoundTripsBeforeUpstream; // summed; divide by requests
};

} // namespace Relay::Proxy
