// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/auditlog.h"

#include "log/logger.h"
#include "redis/client.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Relay::Admin {

QJsonObject AuditEntry::toJson() const
{
    QJsonObject o{{QStringLiteral("time"), time},     {QStringLiteral("user"), user},
                  {QStringLiteral("action"), action}, {QStringLiteral("method"), method},
                  {QStringLiteral("path"), path},     {QStringLiteral("peer"), peer},
                  {QStringLiteral("status"), status}};
    if (!target.isEmpty())
        o.insert(QStringLiteral("target"), target);
    return o;
}

AuditLog::AuditLog(Redis::Client *redis, Redis::KeySpace keySpace, int capacity, QObject *parent)
    : QObject(parent)
    , m_redis(redis)
    , m_key(keySpace.global("admin:audit"))
    , m_capacity(capacity)
{}

void AuditLog::record(const AuditEntry &entry)
{
    Log::logger().info("admin {} {} {}{} -> {}", entry.user, entry.action, entry.path,
                       entry.peer.isEmpty() ? QString() : QStringLiteral(" from ") + entry.peer, entry.status);
    const QByteArray json = QJsonDocument(entry.toJson()).toJson(QJsonDocument::Compact);
    m_redis->pipeline({{"LPUSH", m_key, json}, {"LTRIM", m_key, "0", QByteArray::number(m_capacity - 1)}}, this,
                      [](const Redis::BatchResult &result) {
                          if (!result.isSuccess())
                              Log::logger().warn("admin audit entry not stored: {}",
                                                 result.error ? result.error.message : QStringLiteral("error reply"));
                      });
}

void AuditLog::list(int offset, int limit, AdminCallback callback)
{
    m_redis->pipeline(
        {{"LLEN", m_key}, {"LRANGE", m_key, QByteArray::number(offset), QByteArray::number(offset + limit - 1)}}, this,
        [offset, limit, callback](const Redis::BatchResult &result) {
            if (!result.isSuccess())
                return callback(AdminResult::failure(AdminError::unavailable(QStringLiteral("Redis did not answer"))));
            QJsonArray items;
            for (const auto &reply : result.replies[1].elements())
                items.append(QJsonDocument::fromJson(reply.bytes()).object());
            callback(AdminResult::json(QJsonObject{{QStringLiteral("items"), items},
                                                   {QStringLiteral("total"), result.replies[0].toInteger()},
                                                   {QStringLiteral("offset"), offset},
                                                   {QStringLiteral("limit"), limit}}));
        });
}

} // namespace Relay::Admin
