// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "domain/domainkeys.h"
#include "domain/serversecret.h"
#include "relay/accountdirectory.h"
#include "relay/keycache.h"
#include "relay/proxymetrics.h"
#include "relay/relayoptions.h"
#include "relay/requestlog.h"
#include "usage/pricingservice.h"

#include <QMutex>
#include <QPointer>

#include <vector>

namespace Relay::Http {
class Router;
}

namespace Relay::Proxy {

class WorkerRelay;

// What every worker's relay shares: options, key names, the server secret, the account directory, prices and
// metric handles. Built on the control thread before the workers start; read-only afterwards except for the
// account directory (which locks itself) and the worker list.
class RelayContext
{
public:
    RelayContext(RelayOptions options, Domain::DomainKeys keys, Domain::ServerSecret secret,
                 Usage::PricingAccessor pricing, Metrics::Registry &registry);

    const RelayOptions &options() const { return m_options; }
    const Domain::DomainKeys &keys() const { return m_keys; }
    const Domain::ServerSecret &secret() const { return m_secret; }
    AccountDirectory &accounts() { return m_accounts; }
    KeyCache &keyCache() { return m_keyCache; }
    const Usage::PricingAccessor &pricing() const { return m_pricing; }
    const ProxyMetrics &metrics() const { return m_metrics; }
    // The last requests' timings and per-account in-flight counts (one ring per worker, sized by setWorkerCount()).
    RequestLog &requestLog() { return m_requestLog; }
    const RequestLog &requestLog() const { return m_requestLog; }
    // Asks for an OAuth account's token refresh from any thread (set once by the service before the workers start;
    // empty when nothing refreshes tokens).
    using TokenRefreshRequest = std::function<void(const QByteArray &accountId)>;
    void setTokenRefresh(TokenRefreshRequest request) { m_tokenRefresh = std::move(request); }
    const TokenRefreshRequest &tokenRefresh() const { return m_tokenRefresh; }

    // Every data-plane route, under /v1, /api/v1 and /claude/v1.
    void registerRoutes(Http::Router &router);

    void setWorkerCount(int count);
    void setWorker(int index, WorkerRelay *worker);
    WorkerRelay *worker(int index) const;
    // Runs `f` on every worker's thread (queued).
    void forEachWorker(const std::function<void(WorkerRelay *)> &f) const;

private:
    RelayOptions m_options;
    Domain::DomainKeys m_keys;
    Domain::ServerSecret m_secret;
    AccountDirectory m_accounts;
    KeyCache m_keyCache;
    Usage::PricingAccessor m_pricing;
    ProxyMetrics m_metrics;
    RequestLog m_requestLog;
    TokenRefreshRequest m_tokenRefresh;
    mutable QMutex m_workersMutex;
    std::vector<QPointer<WorkerRelay>> m_workers;
};

} // namespace Relay::Proxy
