// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/adminresult.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace Relay::Admin {

namespace {

// Anthropic's error types, so one client-side error parser reads the relay's and the admin API's errors alike.
QString errorTypeFor(int status)
{
    switch (status) {
    case 400:
    case 404:
    case 409:
    case 413:
    case 422:
        return status == 404 ? QStringLiteral("not_found_error") : QStringLiteral("invalid_request_error");
    case 401:
        return QStringLiteral("authentication_error");
    case 403:
        return QStringLiteral("permission_error");
    case 429:
        return QStringLiteral("rate_limit_error");
    default:
        return QStringLiteral("api_error");
    }
}

} // namespace

AdminError AdminError::fromDomain(const Domain::Error &error)
{
    using Kind = Domain::Error::Kind;
    switch (error.kind) {
    case Kind::None:
        return {};
    case Kind::NotFound:
        return notFound(error.message);
    case Kind::InvalidArgument:
        return {422, QStringLiteral("validation_failed"), error.message, {}};
    case Kind::Redis:
        return unavailable(error.message);
    case Kind::Crypto:
    case Kind::Corrupt:
    case Kind::SecretMismatch:
        return internal(error.message);
    }
    return internal(error.message);
}

QByteArray AdminResult::toJson() const
{
    if (error.isError()) {
        QJsonObject detail{{QStringLiteral("type"), errorTypeFor(error.status)},
                           {QStringLiteral("code"), error.code},
                           {QStringLiteral("message"), error.message}};
        if (!error.fields.isEmpty())
            detail.insert(QStringLiteral("fields"), error.fields);
        return QJsonDocument(
                   QJsonObject{{QStringLiteral("type"), QStringLiteral("error")}, {QStringLiteral("error"), detail}})
            .toJson(QJsonDocument::Compact);
    }
    if (body.isArray())
        return QJsonDocument(body.toArray()).toJson(QJsonDocument::Compact);
    if (body.isObject())
        return QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact);
    return {};
}

} // namespace Relay::Admin
