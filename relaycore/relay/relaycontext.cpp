// SPDX-License-Identifier: GPL-3.0-or-later
#include "relay/relaycontext.h"

#include "http/router.h"
#include "relay/workerrelay.h"

namespace Relay::Proxy {

RelayContext::RelayContext(RelayOptions options, Domain::DomainKeys keys, Domain::ServerSecret secret,
                           Usage::PricingAccessor pricing, Metrics::Registry &registry)
    : m_options(std::move(options))
    , m_keys(std::move(keys))
    , m_secret(std::move(secret))
    , m_pricing(std::move(pricing))
    , m_metrics(registry)
{}

void RelayContext::registerRoutes(Http::Router &router)
{
    const auto auth = [this](Http::Exchange &e) { return worker(e.workerIndex())->authenticate(e); };
    // Clients configured for the Node relay use /api and /claude; everything else uses the bare /v1 paths.
    for (const QByteArray &prefix : {QByteArray(), QByteArray("/api"), QByteArray("/claude")}) {
        router.add("POST", prefix + "/v1/messages", "messages",
                   {auth, [this](Http::Exchange &e) { return worker(e.workerIndex())->messages(e, false); }});
        router.add("POST", prefix + "/v1/messages/count_tokens", "count_tokens",
                   {auth, [this](Http::Exchange &e) { return worker(e.workerIndex())->messages(e, true); }});
        router.add("GET", prefix + "/v1/models", "models",
                   {auth, [this](Http::Exchange &e) { return worker(e.workerIndex())->models(e); }});
        router.add("GET", prefix + "/v1/key-info", "key_info",
                   {auth, [this](Http::Exchange &e) { return worker(e.workerIndex())->keyInfo(e); }});
    }
}

void RelayContext::setWorkerCount(int count)
{
    QMutexLocker lock(&m_workersMutex);
    m_workers.assign(size_t(count), {});
    m_requestLog.setWriterCount(count);
}

void RelayContext::setWorker(int index, WorkerRelay *worker)
{
    QMutexLocker lock(&m_workersMutex);
    m_workers[size_t(index)] = worker;
}

WorkerRelay *RelayContext::worker(int index) const
{
    // Only ever called on the worker's own thread for its own slot, which it set before accepting connections.
    return m_workers[size_t(index)].data();
}

void RelayContext::forEachWorker(const std::function<void(WorkerRelay *)> &f) const
{
    QMutexLocker lock(&m_workersMutex);
    for (const auto &w : m_workers) {
        if (WorkerRelay *worker = w.data())
            QMetaObject::invokeMethod(worker, [worker, f] { f(worker); });
    }
}

} // namespace Relay::Proxy
