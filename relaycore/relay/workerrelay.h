// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "domain/keystore.h"
#include "http/exchange.h"
#include "limits/limitchecker.h"
#include "relay/stickysessions.h"
#include "usage/leases.h"

#include <QObject>

namespace Relay::Metrics {
class Shard;
}
namespace Relay::Redis {
class Client;
}
namespace Relay::Upstream {
class UpstreamClient;
}
namespace Relay::Usage {
class UsageRecorder;
struct UsageRecorderStats;
} // namespace Relay::Usage

namespace Relay::Proxy {

class RelayContext;
struct AccountEntry;
enum class AccountHealth;

// The authenticated key of a request, left on the exchange by the auth stage.
class AuthContext : public QObject
{
    Q_OBJECT
public:
    explicit AuthContext(std::shared_ptr<const Domain::ApiKey> key)
        : m_key(std::move(key))
    {}
    const Domain::ApiKey &key() const { return *m_key; }
    int redisRoundTrips = 0;

private:
    std::shared_ptr<const Domain::ApiKey> m_key;
};

// One worker's data plane: its Redis client, upstream client, usage recorder, key cache and lease scripts. Lives on
// the worker thread; every request of that worker goes through it.
class WorkerRelay : public QObject
{
    Q_OBJECT
public:
    // `usageRedis` carries only the usage batches, so the request path's few small commands never wait behind them
    // (and a slow batch cannot time out a request's lookup); it may be the same client as `redis`.
    WorkerRelay(RelayContext &context, int index, Redis::Client *redis, Redis::Client *usageRedis,
                Metrics::Shard *shard, QObject *parent = nullptr);
    ~WorkerRelay() override;

    RelayContext &context() { return m_context; }
    int index() const { return m_index; }
    Redis::Client *redis() const { return m_redis; }
    Metrics::Shard *shard() const { return m_shard; }
    Upstream::UpstreamClient *upstream() const { return m_upstream; }
    Usage::UsageRecorder *recorder() const { return m_recorder; }
    Usage::Leases &leases() { return m_leases; }
    Limits::LimitChecker &limits() { return m_limits; }
    StickySessions &stickySessions() { return m_sticky; }
    // Requests of this worker waiting for a key's concurrency slot (bounded by RelayOptions::maxQueuedPerWorker).
    int &queuedRequests() { return m_queued; }
    std::shared_ptr<const Usage::UsageRecorderStats> recorderStatistics() const;

    // Stages.
    Http::StageResult authenticate(Http::Exchange &exchange);
    Http::StageResult messages(Http::Exchange &exchange, bool countTokens);
    Http::StageResult models(Http::Exchange &exchange);
    Http::StageResult keyInfo(Http::Exchange &exchange);

    // First use of a key that expires N days after it: sets the expiry once (the change feed refreshes the caches).
    void activateKey(const QByteArray &id);

    // Records an account's new health here, in Redis (for other instances) and on the change feed.
    void reportAccountHealth(const QByteArray &accountId, AccountHealth health, qint64 untilMs, const QString &reason);
    // The same for a cooldown of one model family of the account.
    void reportFamilyCooldown(const QByteArray &accountId, const QByteArray &family, qint64 untilMs,
                              const QString &reason);
    // Asks the process's OAuth refresher to refresh an account's token now; false if there is none.
    bool requestTokenRefresh(const QByteArray &accountId);

private:
    void persistAccountState(const QByteArray &accountId, const QList<QByteArray> &fields);
    void finishAuth(Http::Exchange &exchange, const std::shared_ptr<const Domain::ApiKey> &key);

    RelayContext &m_context;
    int m_index;
    Redis::Client *m_redis;
    Metrics::Shard *m_shard;
    Upstream::UpstreamClient *m_upstream = nullptr;
    Usage::UsageRecorder *m_recorder = nullptr;
    Usage::Leases m_leases;
    Limits::LimitChecker m_limits;
    StickySessions m_sticky;
    int m_queued = 0;
    Domain::KeyStore m_keyStore;
};

} // namespace Relay::Proxy
