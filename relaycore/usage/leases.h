// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>

namespace Relay::Redis {
class Client;
} // namespace Relay::Redis

namespace Relay::Usage {

// What a lease operation answered.
struct LeaseResult
{
    QString error;        // transport failure or script error; empty on success
    bool granted = false; // acquire: a slot was taken; refresh: the lease still existed and was extended
    qint64 count = 0;     // leases held by the owner after the operation
    bool ok() const { return error.isEmpty(); }
};

// What acquireBoth answered.
struct DualLeaseResult
{
    enum class Refused { None, Key, Account };

    QString error;
    bool granted = false;
    Refused refusedBy = Refused::None;
    qint64 keyCount = 0;
    qint64 accountCount = 0;
    bool ok() const { return error.isEmpty(); }
};

// Per-owner concurrency leases in a ZSET (member = request id, score = expiry in ms since the epoch), each operation
// one EVALSHA:
//  - acquire: drop expired leases, then take a slot only if fewer than `limit` are held (check, then add: the count
//    never overshoots the limit), and extend the key's TTL to cover the lease plus a grace period. Acquiring a
//    member that is already held extends it (a retried acquire does not take a second slot).
//  - refresh: extends a held lease; granted = false if it had expired or been released.
//  - release: ZREM (Redis deletes the ZSET with its last member).
// An expired lease stops counting at the next operation on the ZSET and the key itself expires after the last
// lease plus the grace period, so a crashed relay never leaks a slot.
//
// acquireBoth takes the key's and then the account's lease with two calls, and gives the key's lease back if the
// account refuses. The two ZSETs carry different hash tags ({key:..}, {acct:..}), so a single script over both
// would be refused by Redis Cluster (CROSSSLOT); two calls keep cluster support. The cost: one more round trip
// when both owners have limits, and for that moment the key's slot is held by a request that may still be refused
// by its account (another request of the key may then be refused too; the limits are never exceeded).
class Leases
{
public:
    static constexpr qint64 DefaultGraceMs = 30000;
    using Callback = std::function<void(const LeaseResult &)>;
    using DualCallback = std::function<void(const DualLeaseResult &)>;

    // The client must outlive the calls; callbacks run on the context's thread (see Redis::Client).
    explicit Leases(Redis::Client *client, qint64 graceMs = DefaultGraceMs);

    void acquire(const QByteArray &zsetKey, const QByteArray &member, qint64 limit, qint64 leaseMs, qint64 nowMs,
                 QObject *context, Callback callback);
    void refresh(const QByteArray &zsetKey, const QByteArray &member, qint64 leaseMs, qint64 nowMs, QObject *context,
                 Callback callback);
    void release(const QByteArray &zsetKey, const QByteArray &member, QObject *context, Callback callback);
    void acquireBoth(const QByteArray &keyZset, qint64 keyLimit, const QByteArray &accountZset, qint64 accountLimit,
                     const QByteArray &member, qint64 leaseMs, qint64 nowMs, QObject *context, DualCallback callback);

    // The release as a plain command, for a pipeline that goes out anyway (UsageRecord::leaseReleases).
    static QList<QByteArray> releaseCommand(const QByteArray &zsetKey, const QByteArray &member);

private:
    QPointer<Redis::Client> m_client;
    qint64 m_graceMs;
};

} // namespace Relay::Usage
