// SPDX-License-Identifier: GPL-3.0-or-later
#include "relay/workerrelay.h"

#include "domain/keyrules.h"
#include "relay/accountstatewrite.h"

#include "metrics/shard.h"
#include "redis/client.h"
#include "relay/messagesjob.h"
#include "relay/relaycontext.h"
#include "upstream/upstreamclient.h"
#include "usage/timebuckets.h"
#include "usage/usagerecorder.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimeZone>

namespace Relay::Proxy {

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// The key from x-api-key, else from Authorization: Bearer (Claude Code and SDKs use either).
QByteArray presentedKey(const Http::Request &r)
{
    QByteArray key = r.header("x-api-key").trimmed();
    if (key.isEmpty()) {
        const QByteArray auth = r.header("authorization").trimmed();
        if (auth.size() > 7 && auth.first(7).compare("bearer ", Qt::CaseInsensitive) == 0)
            key = auth.mid(7).trimmed();
    }
    return key;
}

Upstream::ClientOptions upstreamOptions(const RelayOptions &options)
{
    Upstream::ClientOptions o;
    o.cleartextMode = options.cleartextMode;
    return o;
}

} // namespace

WorkerRelay::WorkerRelay(RelayContext &context, int index, Redis::Client *redis, Redis::Client *usageRedis,
                         Metrics::Shard *shard, QObject *parent)
    : QObject(parent)
    , m_context(context)
    , m_index(index)
    , m_redis(redis)
    , m_shard(shard)
    , m_leases(redis)
    , m_limits(redis, context.keys().keySpace())
    , m_sticky(redis, context.keys().keySpace(), {.ttlSeconds = context.options().stickyTtlSeconds})
    , m_keyStore(redis, context.keys(), context.secret(), context.options().keyPrefix)
{
    m_upstream = new Upstream::UpstreamClient(upstreamOptions(context.options()), this);
    Usage::UsageRecorderOptions recorderOptions;
    recorderOptions.timeZone = context.options().timeZone; // the same days as the limits and quotas
    recorderOptions.flushIntervalMs = context.options().usageFlushMs;
    m_recorder =
        new Usage::UsageRecorder(usageRedis, context.keys().keySpace(), context.pricing(), recorderOptions, this);
}

WorkerRelay::~WorkerRelay() = default;

std::shared_ptr<const Usage::UsageRecorderStats> WorkerRelay::recorderStatistics() const
{
    return m_recorder->statistics();
}

Http::StageResult WorkerRelay::authenticate(Http::Exchange &exchange)
{
    const ProxyMetrics &metrics = m_context.metrics();
    const QByteArray key = presentedKey(exchange.request());
    if (key.isEmpty()) {
        m_shard->add(metrics.auth, ProxyMetrics::AuthMissing);
        exchange.respondError(401, "Missing API key: send your RelayDeck key in the x-api-key header or as "
                                   "Authorization: Bearer <key>.");
        return Http::StageResult::Answered;
    }
    if (!Domain::validateKeyFormat(key, m_context.options().keyPrefix)) {
        m_shard->add(metrics.auth, ProxyMetrics::AuthInvalid);
        exchange.respondError(401, "Invalid API key format: RelayDeck keys are " + m_context.options().keyPrefix +
                                       " followed by 64 hexadecimal characters.");
        return Http::StageResult::Answered;
    }
    const QByteArray hash = m_keyStore.hashKey(key);
    const KeyCache::Lookup cached = m_context.keyCache().find(hash, nowMs());
    if (cached.hit) {
        finishAuth(exchange, cached.key);
        return exchange.isFinished() ? Http::StageResult::Answered : Http::StageResult::Continue;
    }
    m_shard->add(metrics.auth, ProxyMetrics::AuthCacheMiss);
    QPointer<Http::Exchange> guard(&exchange);
    m_keyStore.findByHash(hash, this, [this, guard, hash](const Domain::Result<Domain::ApiKey> &r) {
        if (r.ok())
            m_context.keyCache().insert(hash, r.value, nowMs());
        else if (r.error.kind == Domain::Error::Kind::NotFound)
            m_context.keyCache().insertMissing(hash, nowMs());
        if (!guard)
            return;
        if (!r.ok() && r.error.kind != Domain::Error::Kind::NotFound) {
            m_shard->add(m_context.metrics().auth, ProxyMetrics::AuthError);
            guard->respondError(503,
                                "RelayDeck cannot check API keys right now (its Redis is unavailable); "
                                "retry shortly.",
                                "api_error");
            return;
        }
        finishAuth(*guard, r.ok() ? m_context.keyCache().find(hash, nowMs()).key : nullptr);
        if (auto *auth = guard->context<AuthContext>())
            auth->redisRoundTrips = 1;
        if (!guard->isFinished())
            guard->resume();
    });
    return Http::StageResult::Paused;
}

void WorkerRelay::finishAuth(Http::Exchange &exchange, const std::shared_ptr<const Domain::ApiKey> &key)
{
    const ProxyMetrics &metrics = m_context.metrics();
    if (!key) {
        m_shard->add(metrics.auth, ProxyMetrics::AuthInvalid);
        exchange.respondError(401, "Invalid API key: this key is not known to RelayDeck (it may have been deleted or "
                                   "regenerated).");
        return;
    }
    if (!key->enabled) {
        m_shard->add(metrics.auth, ProxyMetrics::AuthDisabled);
        exchange.respondError(401, "This API key is disabled; ask the RelayDeck operator to enable it.");
        return;
    }
    if (key->isExpired(nowMs())) {
        m_shard->add(metrics.auth, ProxyMetrics::AuthDisabled);
        exchange.respondError(
            401, "This API key expired on " +
                     QDateTime::fromMSecsSinceEpoch(key->expiresAt, QTimeZone::utc()).toString(Qt::ISODate).toUtf8() +
                     "; ask the RelayDeck operator for a new one.");
        return;
    }
    m_shard->add(metrics.auth, ProxyMetrics::AuthOk);
    exchange.setContext(new AuthContext(key));
}

Http::StageResult WorkerRelay::messages(Http::Exchange &exchange, bool countTokens)
{
    auto *job = new MessagesJob(*this, exchange, countTokens);
    job->start();
    return Http::StageResult::Answered;
}

Http::StageResult WorkerRelay::models(Http::Exchange &exchange)
{
    // The Claude models RelayDeck knows prices for, newest first, in Anthropic's list shape.
    struct Model
    {
        const char *id;
        const char *name;
        const char *created;
    };
    static const Model known[] = {
        {"claude-opus-4-5-20251101", "Claude Opus 4.5", "2025-11-24T00:00:00Z"},
        {"claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-15T00:00:00Z"},
        {"claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z"},
        {"claude-opus-4-1-20250805", "Claude Opus 4.1", "2025-08-05T00:00:00Z"},
        {"claude-opus-4-20250514", "Claude Opus 4", "2025-05-22T00:00:00Z"},
        {"claude-sonnet-4-20250514", "Claude Sonnet 4", "2025-05-22T00:00:00Z"},
        {"claude-3-5-haiku-20241022", "Claude Haiku 3.5", "2024-10-22T00:00:00Z"},
    };
    // Only the models this key may use: the same rule, applied the same way, as on /v1/messages.
    auto *auth = exchange.context<AuthContext>();
    const Domain::ApiKey *key = auth ? &auth->key() : nullptr;
    QJsonArray data;
    for (const Model &m : known) {
        if (key && !Domain::KeyRules::isModelAllowed(*key, m.id))
            continue;
        data.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("model")},
                                {QStringLiteral("id"), QString::fromLatin1(m.id)},
                                {QStringLiteral("display_name"), QString::fromLatin1(m.name)},
                                {QStringLiteral("created_at"), QString::fromLatin1(m.created)}});
    }
    const QJsonValue none = QJsonValue::Null;
    const QJsonObject body{{QStringLiteral("data"), data},
                           {QStringLiteral("has_more"), false},
                           {QStringLiteral("first_id"), data.isEmpty() ? none : data.first().toObject().value(u"id")},
                           {QStringLiteral("last_id"), data.isEmpty() ? none : data.last().toObject().value(u"id")}};
    exchange.respondJson(200, QJsonDocument(body).toJson(QJsonDocument::Compact));
    return Http::StageResult::Answered;
}

Http::StageResult WorkerRelay::keyInfo(Http::Exchange &exchange)
{
    auto *auth = exchange.context<AuthContext>();
    const Domain::ApiKey key = auth->key();
    const Usage::TimeBuckets buckets = Usage::bucketsFor(nowMs(), m_context.options().timeZone);
    QPointer<Http::Exchange> guard(&exchange);
    Redis::CommandOptions o;
    o.whenDown = Redis::WhenDown::FailFast;
    QJsonObject limits = key.effectiveLimits(m_context.options().timeZone).toJson();
    limits.insert(QStringLiteral("concurrency"), key.concurrencyLimit);
    if (key.concurrencyWaitMs > 0)
        limits.insert(QStringLiteral("concurrency_wait_ms"), key.concurrencyWaitMs);
    limits.insert(
        QStringLiteral("expires_at"),
        key.expiresAt
            ? QJsonValue(QDateTime::fromMSecsSinceEpoch(key.expiresAt, QTimeZone::utc()).toString(Qt::ISODate))
            : QJsonValue());
    m_redis->command(
        {"HGETALL", m_context.keys().keySpace().apiKey(key.id, "usage:d:" + buckets.day)}, this,
        [guard, key, buckets, limits](const Redis::Result &r) {
            if (!guard)
                return;
            QJsonObject today{{QStringLiteral("date"), QString::fromLatin1(buckets.day)}};
            const QList<QByteArray> fields = r.isSuccess() ? r.reply.toByteArrayList() : QList<QByteArray>();
            for (qsizetype i = 0; i + 1 < fields.size(); i += 2) {
                if (!fields[i].startsWith("m:"))
                    today.insert(QString::fromUtf8(fields[i]), fields[i + 1].toLongLong());
            }
            if (today.contains(u"cost_nanos"))
                today.insert(QStringLiteral("cost_usd"), today.value(u"cost_nanos").toDouble() / 1e9);
            QJsonObject body{{QStringLiteral("id"), QString::fromLatin1(key.id)},
                             {QStringLiteral("name"), key.name},
                             {QStringLiteral("hint"), QString::fromLatin1(key.hint)},
                             {QStringLiteral("enabled"), key.enabled},
                             {QStringLiteral("limits"), limits},
                             {QStringLiteral("usage_today"), today}};
            if (!r.isSuccess())
                body.insert(QStringLiteral("usage_error"), r.errorMessage());
            guard->respondJson(200, QJsonDocument(body).toJson(QJsonDocument::Compact));
        },
        o);
    return Http::StageResult::Answered;
}

void WorkerRelay::reportAccountHealth(const QByteArray &accountId, AccountHealth health, qint64 untilMs,
                                      const QString &reason)
{
    if (!m_context.accounts().setHealth(accountId, health, untilMs, reason))
        return;
    const qint64 now = nowMs();
    writeAccountHealth(m_redis, m_context.keys(), accountId, healthStateFields(health, untilMs, reason, now), now);
}

void WorkerRelay::reportFamilyCooldown(const QByteArray &accountId, const QByteArray &family, qint64 untilMs,
                                       const QString &reason)
{
    if (!m_context.accounts().setFamilyCooldown(accountId, family, untilMs, reason))
        return;
    persistAccountState(accountId, familyCooldownFields(family, {untilMs, reason, nowMs()}));
}

// Field-level HSET of rd:{acct:<id>}:state and the publish that makes every instance reload it.
void WorkerRelay::persistAccountState(const QByteArray &accountId, const QList<QByteArray> &fields)
{
    QList<QByteArray> hset{"HSET", m_context.keys().keySpace().account(accountId, "state")};
    hset << fields;
    Redis::CommandOptions o;
    o.whenDown = Redis::WhenDown::Queue;
    m_redis->pipeline(
        {hset, {"PUBLISH", m_context.keys().changesChannel(), Domain::DomainKeys::accountChangedMessage(accountId)}},
        nullptr, [](const Redis::BatchResult &) {}, o);
}

bool WorkerRelay::requestTokenRefresh(const QByteArray &accountId)
{
    const auto &refresh = m_context.tokenRefresh();
    if (!refresh)
        return false;
    refresh(accountId);
    return true;
}

} // namespace Relay::Proxy

namespace Relay::Proxy {

void WorkerRelay::activateKey(const QByteArray &id)
{
    // Idempotent and atomic in Redis: concurrent first requests on several workers or instances agree on one
    // expiry. The published change drops the cached record everywhere.
    m_keyStore.activate(id, QDateTime::currentMSecsSinceEpoch(), nullptr,
                        [](const Domain::Result<Domain::Activation> &) {});
}

} // namespace Relay::Proxy
