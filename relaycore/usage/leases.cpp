// SPDX-License-Identifier: GPL-3.0-or-later
#include "usage/leases.h"

#include "redis/client.h"

namespace Relay::Usage {

namespace {

// KEYS[1] = zset; ARGV = member, limit, leaseMs, nowMs, graceMs. Returns {granted (0/1), count}.
const Redis::Script &acquireScript()
{
    static const Redis::Script script(QByteArrayLiteral(R"lua(
local key, member = KEYS[1], ARGV[1]
local limit, lease, now, grace = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
local count = redis.call('ZCARD', key)
local held = redis.call('ZSCORE', key, member)
if not held and count >= limit then
  return {0, count}
end
redis.call('ZADD', key, now + lease, member)
if redis.call('PTTL', key) < lease + grace then
  redis.call('PEXPIRE', key, lease + grace)
end
if held then
  return {1, count}
end
return {1, count + 1}
)lua"));
    return script;
}

// KEYS[1] = zset; ARGV = member, leaseMs, nowMs, graceMs. Returns {extended (0/1), count}.
const Redis::Script &refreshScript()
{
    static const Redis::Script script(QByteArrayLiteral(R"lua(
local key, member = KEYS[1], ARGV[1]
local lease, now, grace = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
if not redis.call('ZSCORE', key, member) then
  return {0, redis.call('ZCARD', key)}
end
redis.call('ZADD', key, 'XX', now + lease, member)
if redis.call('PTTL', key) < lease + grace then
  redis.call('PEXPIRE', key, lease + grace)
end
return {1, redis.call('ZCARD', key)}
)lua"));
    return script;
}

// KEYS[1] = zset; ARGV = member. Returns {removed (0/1), count}.
const Redis::Script &releaseScript()
{
    static const Redis::Script script(QByteArrayLiteral(R"lua(
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
return {removed, redis.call('ZCARD', KEYS[1])}
)lua"));
    return script;
}

Redis::Client::Callback toLeaseCallback(Leases::Callback callback)
{
    return [callback = std::move(callback)](const Redis::Result &result) {
        if (!callback)
            return;
        LeaseResult out;
        const QList<Redis::Reply> &values = result.reply.elements();
        if (!result.isSuccess())
            out.error = result.errorMessage();
        else if (values.size() != 2)
            out.error =
                QStringLiteral("unexpected lease script reply %1").arg(QString::fromUtf8(result.reply.toDebugString()));
        if (out.ok()) {
            out.granted = values.at(0).integer() == 1;
            out.count = values.at(1).integer();
        }
        callback(out);
    };
}

} // namespace

Leases::Leases(Redis::Client *client, qint64 graceMs)
    : m_client(client)
    , m_graceMs(graceMs)
{}

void Leases::acquire(const QByteArray &zsetKey, const QByteArray &member, qint64 limit, qint64 leaseMs, qint64 nowMs,
                     QObject *context, Callback callback)
{
    m_client->evalScript(acquireScript(), {zsetKey},
                         {member, QByteArray::number(limit), QByteArray::number(leaseMs), QByteArray::number(nowMs),
                          QByteArray::number(m_graceMs)},
                         context, toLeaseCallback(std::move(callback)));
}

void Leases::refresh(const QByteArray &zsetKey, const QByteArray &member, qint64 leaseMs, qint64 nowMs,
                     QObject *context, Callback callback)
{
    m_client->evalScript(
        refreshScript(), {zsetKey},
        {member, QByteArray::number(leaseMs), QByteArray::number(nowMs), QByteArray::number(m_graceMs)}, context,
        toLeaseCallback(std::move(callback)));
}

void Leases::release(const QByteArray &zsetKey, const QByteArray &member, QObject *context, Callback callback)
{
    m_client->evalScript(releaseScript(), {zsetKey}, {member}, context, toLeaseCallback(std::move(callback)));
}

void Leases::acquireBoth(const QByteArray &keyZset, qint64 keyLimit, const QByteArray &accountZset, qint64 accountLimit,
                         const QByteArray &member, qint64 leaseMs, qint64 nowMs, QObject *context,
                         DualCallback callback)
{
    QPointer<Redis::Client> client = m_client;
    const qint64 grace = m_graceMs;
    acquire(keyZset, member, keyLimit, leaseMs, nowMs, context,
            [=, callback = std::move(callback)](const LeaseResult &key) mutable {
                DualLeaseResult out;
                out.keyCount = key.count;
                if (!key.ok() || !key.granted) {
                    out.error = key.error;
                    out.refusedBy = key.ok() ? DualLeaseResult::Refused::Key : DualLeaseResult::Refused::None;
                    callback(out);
                    return;
                }
                if (!client) {
                    out.error = QStringLiteral("Redis client is gone");
                    callback(out);
                    return;
                }
                Leases leases(client, grace);
                leases.acquire(accountZset, member, accountLimit, leaseMs, nowMs, context,
                               [=, callback = std::move(callback)](const LeaseResult &account) mutable {
                                   out.accountCount = account.count;
                                   if (account.ok() && account.granted) {
                                       out.granted = true;
                                       callback(out);
                                       return;
                                   }
                                   out.error = account.error;
                                   out.refusedBy = account.ok() ? DualLeaseResult::Refused::Account
                                                                : DualLeaseResult::Refused::None;
                                   // Give the key's slot back; the answer does not change the outcome.
                                   if (client)
                                       Leases(client, grace).release(keyZset, member, nullptr, {});
                                   callback(out);
                               });
            });
}

QList<QByteArray> Leases::releaseCommand(const QByteArray &zsetKey, const QByteArray &member)
{
    return {QByteArrayLiteral("ZREM"), zsetKey, member};
}

} // namespace Relay::Usage
