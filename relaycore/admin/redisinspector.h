// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "admin/adminresult.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QPointer>
#include <QStringList>

#include <functional>
#include <optional>

namespace Relay::Redis {
class Client;
}

namespace Relay::Admin {

// Read-mostly views of a Redis server for the admin API: slowlog, commandstats, INFO, latency, key count, memory by
// key prefix, and the slowlog settings (the one thing it changes, and only when asked). Every method is
// asynchronous on the given client and answers once through its callback, on the context object's thread; nothing
// here loads the whole keyspace.
class RedisInspector
{
public:
    using Callback = std::function<void(const QJsonValue &value, const AdminError &error)>;

    enum class StatsSort { Calls, Usec, UsecPerCall };

    static constexpr int DefaultSlowlogCount = 128;
    static constexpr int MaxSlowlogCount = 1024;
    static constexpr int DefaultMemorySamples = 1000;
    static constexpr int MaxMemorySamples = 10000;
    static constexpr qint64 MaxSlowlogLength = 1000000;

    // The client and context must outlive the inspector's pending calls; a destroyed context drops them.
    RedisInspector(Redis::Client *client, QObject *context);

    // {"length":L,"items":[{id,time,duration_us,command,client_addr,client_name}]}, passwords masked.
    void slowlog(int count, Callback callback) const;
    // {"reset":true}
    void resetSlowlog(Callback callback) const;
    // {"items":[{command,calls,usec,usec_per_call,rejected_calls,failed_calls}]}, descending by `sort`.
    void commandStats(StatsSort sort, Callback callback) const;
    // {"<section>":{field: value}} for each section (lowercase names).
    void info(const QStringList &sections, Callback callback) const;
    // {"items":[{event,time,latest_ms,max_ms}]}
    void latency(Callback callback) const;
    // {"db_keys":N}
    void dbSize(Callback callback) const;
    // Memory by normalised key prefix, estimated from at most `samples` keys found by SCAN.
    void memoryByPrefix(int samples, Callback callback) const;
    // {"slower_than_us":…,"max_len":…}
    void slowlogConfig(Callback callback) const;
    // CONFIG SET of the given values (at least one), then the values as slowlogConfig() reads them.
    void setSlowlogConfig(std::optional<qint64> slowerThanUs, std::optional<qint64> maxLength, Callback callback) const;

    // A slowlog command line with the secrets of AUTH, HELLO … AUTH, MIGRATE … AUTH/AUTH2, ACL SETUSER passwords and
    // CONFIG SET requirepass/masterauth replaced by "(redacted)".
    static QList<QByteArray> maskCommand(QList<QByteArray> args);
    // The group a key belongs to: segments that look like ids, dates, hours or hashes become `*`
    // ("rd:{key:4f2a…}:usage:d:2024-05-01" → "rd:{key:*}:usage:d:*").
    static QByteArray normalisedPrefix(const QByteArray &key);
    // One INFO section's text as a JSON object: numbers as numbers, "a=1,b=2" values as objects when
    // `nestedValues` (keyspace, commandstats, …).
    static QJsonObject parseInfoSection(const QByteArray &text, bool nestedValues);
    // "calls=3,usec=10,usec_per_call=3.33" as an object (numbers where they are numbers).
    static QJsonObject parseInfoPairs(const QByteArray &value);

private:
    Redis::Client *m_client;
    QPointer<QObject> m_context;
};

} // namespace Relay::Admin
