// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "admin/adminresult.h"
#include "redis/keyspace.h"

#include <QObject>
#include <QString>

namespace Relay::Redis {
class Client;
}

namespace Relay::Admin {

// One admin action: who did what to which record, when, from where, and how it ended. No request bodies.
struct AuditEntry
{
    qint64 time = 0; // ms since the epoch
    QString user;
    QString action; // the route's operationId, e.g. "keys.create"
    QString method;
    QString path;
    QString target; // the {id} of the route, if any
    QString peer;
    int status = 0;

    QJsonObject toJson() const;
};

// The audit trail of admin actions: a capped Redis list (newest first) shared by every relay on that Redis, plus
// one log line per action. Lives on the control thread.
class AuditLog : public QObject
{
    Q_OBJECT
public:
    static constexpr int DefaultCapacity = 10'000;

    AuditLog(Redis::Client *redis, Redis::KeySpace keySpace, int capacity = DefaultCapacity, QObject *parent = nullptr);

    // Fire and forget: a failed write is logged, the admin action itself has happened already.
    void record(const AuditEntry &entry);
    // {"items":[…newest first…],"total":N,"offset":O,"limit":L}
    void list(int offset, int limit, AdminCallback callback);

private:
    Redis::Client *m_redis;
    QByteArray m_key;
    int m_capacity;
};

} // namespace Relay::Admin
