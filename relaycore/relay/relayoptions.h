// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "upstream/upstreamrequest.h"

#include <QByteArray>
#include <QTimeZone>

namespace Relay::Proxy {

// How the relay treats requests; filled from the settings by the service.
struct RelayOptions
{
    QByteArray keyPrefix = QByteArrayLiteral("rd_");
    int failoverRetries = 2;        // further accounts tried before the first byte reaches the client
    bool clampMaxTokens = false;    // false: a max_tokens above the model's limit is a 400
    qint64 stickyTtlSeconds = 3600; // sticky session mapping, renewed on use
    qint64 leaseMs = 300'000;       // concurrency lease, refreshed while a request runs
    qint64 leaseRefreshMs = 60'000;
    qint64 maxUpstreamErrorBody = 1 << 20; // error bodies kept to pass through; the rest is dropped
    qint64 maxNonStreamBody = 64 << 20;    // a JSON answer larger than this is cut off with a 502
    Upstream::Timeouts timeouts;
    Upstream::CleartextMode cleartextMode = Upstream::CleartextMode::Native; // how http:// upstreams are spoken to
    QTimeZone timeZone = QTimeZone::utc(); // day/week boundaries of limits and usage (the time-zone setting)
    int maxQueuedPerWorker = 1000;         // requests waiting for a key's concurrency slot, per worker
    // Usage is summed per key, account, model and hour this long before it is written; 0 = each request at once.
    int usageFlushMs = 100;
};

} // namespace Relay::Proxy
