// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "admin/adminresult.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QString>
#include <QUrlQuery>

namespace Relay::Admin {

// One admin API request as the control thread sees it: a plain copy of what arrived on a worker, plus what the
// router and the session check found. Handlers read it; they never see the HTTP connection.
struct AdminRequest
{
    QByteArray method;
    QByteArray path; // without the query string, e.g. /admin/keys/4f2a
    QUrlQuery query;
    QByteArray body;
    QByteArray contentType;
    QByteArray authorization; // the Authorization header as sent (only the auth code reads it)
    QHostAddress peer;
    QHash<QString, QString> params; // from the route pattern: /admin/keys/{id} → params["id"]
    QString user;                   // the signed-in admin user (empty only on routes open to everyone)
    QByteArray sessionId;           // internal id of the session (never the token)

    QString param(const QString &name) const { return params.value(name); }
    QByteArray paramBytes(const QString &name) const { return params.value(name).toUtf8(); }
    QString queryValue(const QString &name, const QString &fallback = {}) const;
    // A query parameter as an integer within [min, max]; fallback when absent; an error when not a number or out
    // of range (with the parameter name as the field).
    qint64 queryInt(const QString &name, qint64 fallback, qint64 min, qint64 max, AdminError *error) const;
    // The body as a JSON object: an error for an empty body (unless allowEmpty), invalid JSON or a non-object.
    QJsonObject jsonBody(AdminError *error, bool allowEmpty = false) const;
};

} // namespace Relay::Admin
