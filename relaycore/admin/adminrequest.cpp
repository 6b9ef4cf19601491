// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/adminrequest.h"

#include <QJsonDocument>
#include <QJsonParseError>

namespace Relay::Admin {

QString AdminRequest::queryValue(const QString &name, const QString &fallback) const
{
    return query.hasQueryItem(name) ? query.queryItemValue(name, QUrl::FullyDecoded) : fallback;
}

qint64 AdminRequest::queryInt(const QString &name, qint64 fallback, qint64 min, qint64 max, AdminError *error) const
{
    if (!query.hasQueryItem(name))
        return fallback;
    bool ok = false;
    const qint64 value = query.queryItemValue(name, QUrl::FullyDecoded).toLongLong(&ok);
    if (!ok || value < min || value > max) {
        if (error && !error->isError())
            *error = AdminError::validation(
                QJsonObject{{name, QStringLiteral("must be an integer from %1 to %2").arg(min).arg(max)}},
                QStringLiteral("invalid query parameter %1").arg(name));
        return fallback;
    }
    return value;
}

QJsonObject AdminRequest::jsonBody(AdminError *error, bool allowEmpty) const
{
    if (body.trimmed().isEmpty()) {
        if (!allowEmpty && error)
            *error = AdminError::badRequest(QStringLiteral("a JSON object body is required"));
        return {};
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        if (error)
            *error = AdminError::badRequest(QStringLiteral("the body is not valid JSON: %1 at offset %2")
                                                .arg(parseError.errorString())
                                                .arg(parseError.offset),
                                            QStringLiteral("invalid_json"));
        return {};
    }
    if (!document.isObject()) {
        if (error)
            *error = AdminError::badRequest(QStringLiteral("the body must be a JSON object"),
                                            QStringLiteral("invalid_json"));
        return {};
    }
    return document.object();
}

} // namespace Relay::Admin
