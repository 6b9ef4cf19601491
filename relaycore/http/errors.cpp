// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/errors.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace Relay::Http {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100:
        return QByteArrayLiteral("Continue");
    case 200:
        return QByteArrayLiteral("OK");
    case 201:
        return QByteArrayLiteral("Created");
    case 204:
        return QByteArrayLiteral("No Content");
    case 400:
        return QByteArrayLiteral("Bad Request");
    case 401:
        return QByteArrayLiteral("Unauthorized");
    case 403:
        return QByteArrayLiteral("Forbidden");
    case 404:
        return QByteArrayLiteral("Not Found");
    case 405:
        return QByteArrayLiteral("Method Not Allowed");
    case 408:
        return QByteArrayLiteral("Request Timeout");
    case 409:
        return QByteArrayLiteral("Conflict");
    case 413:
        return QByteArrayLiteral("Payload Too Large");
    case 414:
        return QByteArrayLiteral("URI Too Long");
    case 422:
        return QByteArrayLiteral("Unprocessable Entity");
    case 429:
        return QByteArrayLiteral("Too Many Requests");
    case 431:
        return QByteArrayLiteral("Request Header Fields Too Large");
    case 500:
        return QByteArrayLiteral("Internal Server Error");
    case 501:
        return QByteArrayLiteral("Not Implemented");
    case 502:
        return QByteArrayLiteral("Bad Gateway");
    case 503:
        return QByteArrayLiteral("Service Unavailable");
    case 504:
        return QByteArrayLiteral("Gateway Timeout");
    case 505:
        return QByteArrayLiteral("HTTP Version Not Supported");
    case 529:
        return QByteArrayLiteral("Overloaded");
    default:
        return QByteArrayLiteral("Unknown");
    }
}

QByteArray anthropicErrorType(int status)
{
    switch (status) {
    case 401:
        return QByteArrayLiteral("authentication_error");
    case 403:
        return QByteArrayLiteral("permission_error");
    case 404:
        return QByteArrayLiteral("not_found_error");
    case 413:
        return QByteArrayLiteral("request_too_large");
    case 429:
        return QByteArrayLiteral("rate_limit_error");
    case 504:
        return QByteArrayLiteral("timeout_error");
    case 529:
        return QByteArrayLiteral("overloaded_error");
    default:
        return status >= 500 ? QByteArrayLiteral("api_error") : QByteArrayLiteral("invalid_request_error");
    }
}

QByteArray anthropicErrorBody(QByteArrayView errorType, QByteArrayView message)
{
    QJsonObject error{{QStringLiteral("type"), QString::fromUtf8(errorType)},
                      {QStringLiteral("message"), QString::fromUtf8(message)}};
    QJsonObject root{{QStringLiteral("type"), QStringLiteral("error")}, {QStringLiteral("error"), error}};
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

} // namespace Relay::Http
