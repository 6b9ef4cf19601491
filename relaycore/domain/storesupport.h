// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "domain/domainerror.h"
#include "redis/client.h"
#include "redis/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <utility>

// Internals shared by KeyStore and AccountStore.
namespace Relay::Domain::StoreSupport {

// The HSET pairs and HDEL fields of a field-level change (RecordScripts::updateFields); an optional field that
// becomes empty is deleted, not stored empty.
struct FieldWrites
{
    QList<QByteArray> set;
    QList<QByteArray> removed;

    void put(const QByteArray &field, const QByteArray &value) { set << field << value; }
    void putOrRemove(const QByteArray &field, const QByteArray &value)
    {
        if (value.isEmpty())
            removed << field;
        else
            put(field, value);
    }
};

inline qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// A Redis transport error or error reply as a domain error; None if the result is a success.
inline Error redisError(const Redis::Result &result, const QString &what)
{
    if (result.isSuccess())
        return {};
    return {Error::Kind::Redis, QStringLiteral("%1: %2").arg(what, result.errorMessage())};
}

inline Error redisError(const Redis::BatchResult &result, const QString &what)
{
    if (result.isSuccess())
        return {};
    return {Error::Kind::Redis, QStringLiteral("%1: %2").arg(what, result.errorMessage())};
}

// For a MULTI ... EXEC pipeline: as redisError, and also an error when EXEC did not run the transaction.
inline Error transactionError(const Redis::BatchResult &result, const QString &what)
{
    if (Error error = redisError(result, what))
        return error;
    if (!result.replies.constLast().isArray())
        return {Error::Kind::Redis, QStringLiteral("the transaction was aborted")};
    return {};
}

inline Error noClient()
{
    return {Error::Kind::Redis, QStringLiteral("no Redis client")};
}

// Runs callback(value) from the event loop (never inside the call that was given it), on context's thread and
// only while context lives; for failures detected before any Redis round trip.
template <typename Fn>
void later(QObject *context, Fn callback)
{
    if (context)
        QTimer::singleShot(0, context, std::move(callback));
    else
        QTimer::singleShot(0, std::move(callback));
}

// Every record whose id is in the set `indexKey`, as HGETALL field/value lists (empty for a record deleted
// meanwhile): SMEMBERS, then one pipelined HGETALL per id. `what` names the records in error messages.
inline void readIndexedRecords(QPointer<Redis::Client> client, const QByteArray &indexKey,
                               std::function<QByteArray(const QByteArray &id)> recordKey, QObject *context,
                               const QString &what,
                               std::function<void(const Result<QList<QList<QByteArray>>> &)> callback)
{
    using Records = Result<QList<QList<QByteArray>>>;
    if (!client)
        return later(context, [callback] { callback(Records::failure(noClient())); });
    client->command({"SMEMBERS", indexKey}, context,
                    [client, recordKey, context, what, callback](const Redis::Result &result) {
                        if (Error error = redisError(result, QStringLiteral("cannot list %1").arg(what)))
                            return callback(Records::failure(error));
                        const QList<QByteArray> ids = result.reply.toByteArrayList();
                        if (ids.isEmpty() || !client)
                            return callback(Records::success({}));
                        QList<QList<QByteArray>> reads;
                        for (const QByteArray &id : ids)
                            reads.append({"HGETALL", recordKey(id)});
                        client->pipeline(reads, context, [what, callback](const Redis::BatchResult &batch) {
                            if (Error error = redisError(batch, QStringLiteral("cannot read %1").arg(what)))
                                return callback(Records::failure(error));
                            QList<QList<QByteArray>> records;
                            records.reserve(batch.replies.size());
                            for (const Redis::Reply &reply : batch.replies)
                                records.append(reply.toByteArrayList());
                            callback(Records::success(std::move(records)));
                        });
                    });
}

} // namespace Relay::Domain::StoreSupport
