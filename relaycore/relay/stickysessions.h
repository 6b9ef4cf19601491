// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "redis/keyspace.h"

#include <QByteArray>
#include <QHash>

#include <functional>

class QObject;

namespace Relay::Redis {
class Client;
}

namespace Relay::Proxy {

// Which account serves each conversation. Redis holds the mapping for every worker and instance (`rd:sticky:<hash>`,
// a TTL renewed on use); one worker also keeps what it last read or wrote for a short while, so the next turns of
// a conversation on this worker go upstream without a Redis round trip first. A locally known mapping is used for
// at most `localMs` (and never past the TTL); after that the next request reads (and renews) it in Redis again, so
// a mapping another worker or instance changed is followed within that time.
class StickySessions
{
public:
    struct Options
    {
        qint64 ttlSeconds = 3600;
        qint64 localMs = 30'000;
        int maxLocal = 50'000; // entries kept by one worker
    };

    StickySessions(Redis::Client *redis, const Redis::KeySpace &keys, Options options);

    // The account this worker knows for the session, if it learnt it within localMs; empty otherwise.
    QByteArray known(const QByteArray &sessionHash, qint64 nowMs) const;
    // Reads the mapping from Redis and renews its TTL (GETEX), remembering what it finds. `done` gets the account
    // id, or an empty one when there is none or Redis cannot answer; it is not called once `context` is gone.
    void lookUp(const QByteArray &sessionHash, qint64 nowMs, QObject *context,
                std::function<void(const QByteArray &accountId)> done);
    // The session now belongs to `accountId`: written to Redis (without waiting) and remembered.
    void assign(const QByteArray &sessionHash, const QByteArray &accountId, qint64 nowMs);

    int localCount() const { return int(m_local.size()); }

private:
    struct Entry
    {
        QByteArray accountId;
        qint64 untilMs = 0;
    };
    void remember(const QByteArray &sessionHash, const QByteArray &accountId, qint64 nowMs);
    QByteArray redisKey(const QByteArray &sessionHash) const;

    Redis::Client *m_redis;
    Redis::KeySpace m_keys;
    Options m_options;
    QByteArray m_ttl; // the TTL as a command argument
    QHash<QByteArray, Entry> m_local;
};

} // namespace Relay::Proxy
