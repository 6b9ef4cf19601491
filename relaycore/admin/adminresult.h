// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "domain/domainerror.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QPair>
#include <QString>

#include <functional>

namespace Relay::Admin {

// Why an admin request failed. `code` is stable (scripts and the console switch on it); `message` is for people;
// `fields` maps a request field ("limits.daily_cost") to what is wrong with it. Never contains a secret.
struct AdminError
{
    int status = 0; // 0 = no error
    QString code;
    QString message;
    QJsonObject fields;

    bool isError() const { return status != 0; }
    explicit operator bool() const { return isError(); }

    static AdminError badRequest(QString message, QString code = QStringLiteral("invalid_request"))
    {
        return {400, std::move(code), std::move(message), {}};
    }
    // 422 with one entry per bad field.
    static AdminError validation(QJsonObject fields, QString message = QStringLiteral("the request has invalid fields"))
    {
        return {422, QStringLiteral("validation_failed"), std::move(message), std::move(fields)};
    }
    static AdminError notFound(QString message) { return {404, QStringLiteral("not_found"), std::move(message), {}}; }
    static AdminError conflict(QString message) { return {409, QStringLiteral("conflict"), std::move(message), {}}; }
    static AdminError unavailable(QString message)
    {
        return {503, QStringLiteral("unavailable"), std::move(message), {}};
    }
    static AdminError internal(QString message) { return {500, QStringLiteral("internal"), std::move(message), {}}; }
    // The usual mapping of a domain store error (NotFound → 404, InvalidArgument → 422/400, Redis → 503, ...).
    static AdminError fromDomain(const Domain::Error &error);
};

// What an admin handler answers: a JSON body (object or array) with a status, or an error.
struct AdminResult
{
    int status = 200;
    QJsonValue body;
    AdminError error;
    QList<QPair<QByteArray, QByteArray>> headers; // extra response headers

    bool ok() const { return !error.isError(); }

    static AdminResult json(QJsonValue body, int status = 200) { return {status, std::move(body), {}, {}}; }
    static AdminResult created(QJsonValue body) { return {201, std::move(body), {}, {}}; }
    static AdminResult noContent() { return {204, {}, {}, {}}; }
    static AdminResult failure(AdminError error)
    {
        const int status = error.status;
        return {status, {}, std::move(error), {}};
    }

    // The response body: the JSON value, or for an error
    // {"type":"error","error":{"type":…,"code":…,"message":…,"fields":{…}}}.
    QByteArray toJson() const;
};

using AdminCallback = std::function<void(AdminResult)>;

} // namespace Relay::Admin
