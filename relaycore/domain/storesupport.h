// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "domain/domainerror.h"
#include "redis/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>

// Internals shared by KeyStore and AccountStore.
namespace Relay::Domain::StoreSupport {

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
    if (result.error)
        return {Error::Kind::Redis, QStringLiteral("%1: %2").arg(what, result.error.message)};
    for (const Redis::Reply &reply : result.replies) {
        if (reply.isError())
            return {Error::Kind::Redis, QStringLiteral("%1: %2").arg(what, QString::fromUtf8(reply.bytes()))};
    }
    return {};
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

} // namespace Relay::Domain::StoreSupport
