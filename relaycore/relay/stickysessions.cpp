// SPDX-License-Identifier: GPL-3.0-or-later
#include "relay/stickysessions.h"

#include "redis/client.h"

namespace Relay::Proxy {

StickySessions::StickySessions(Redis::Client *redis, const Redis::KeySpace &keys, Options options)
    : m_redis(redis)
    , m_keys(keys)
    , m_options(options)
    , m_ttl(QByteArray::number(options.ttlSeconds))
{
    // Never trusted locally for longer than Redis keeps it.
    m_options.localMs = std::min(m_options.localMs, m_options.ttlSeconds * 1000 / 2);
}

QByteArray StickySessions::known(const QByteArray &sessionHash, qint64 nowMs) const
{
    const auto it = m_local.constFind(sessionHash);
    return it != m_local.cend() && it->untilMs > nowMs ? it->accountId : QByteArray();
}

void StickySessions::lookUp(const QByteArray &sessionHash, qint64 nowMs, QObject *context,
                            std::function<void(const QByteArray &)> done)
{
    Redis::CommandOptions o;
    o.whenDown = Redis::WhenDown::FailFast;
    o.timeoutMs = 500;
    // Read and renew in one command: a session that keeps its account never writes its mapping again.
    m_redis->command(
        {"GETEX", redisKey(sessionHash), "EX", m_ttl}, context,
        [this, sessionHash, nowMs, done = std::move(done)](const Redis::Result &r) {
            // Without Redis the request still goes out, just without stickiness.
            const QByteArray id = r.isSuccess() && r.reply.isString() ? r.reply.toByteArray() : QByteArray();
            if (!id.isEmpty())
                remember(sessionHash, id, nowMs);
            done(id);
        },
        o);
}

void StickySessions::assign(const QByteArray &sessionHash, const QByteArray &accountId, qint64 nowMs)
{
    Redis::CommandOptions o;
    o.whenDown = Redis::WhenDown::FailFast;
    m_redis->command(
        {"SET", redisKey(sessionHash), accountId, "EX", m_ttl}, nullptr, [](const Redis::Result &) {}, o);
    remember(sessionHash, accountId, nowMs);
}

void StickySessions::remember(const QByteArray &sessionHash, const QByteArray &accountId, qint64 nowMs)
{
    if (m_local.size() >= m_options.maxLocal && !m_local.contains(sessionHash)) {
        // Bounded: forget what is out of date, and everything if that is not enough (Redis still has it all).
        m_local.removeIf([nowMs](const auto &entry) { return entry.value().untilMs <= nowMs; });
        if (m_local.size() >= m_options.maxLocal)
            m_local.clear();
    }
    m_local.insert(sessionHash, {accountId, nowMs + m_options.localMs});
}

QByteArray StickySessions::redisKey(const QByteArray &sessionHash) const
{
    return m_keys.global("sticky:" + sessionHash);
}

} // namespace Relay::Proxy
