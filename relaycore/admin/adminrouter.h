// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "admin/adminrequest.h"
#include "admin/adminresult.h"
#include "admin/adminstream.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <functional>

namespace Relay::Admin {

// Who may call a route.
enum class Access {
    Session, // a valid admin session token (the default)
    Public,  // everyone (login, openapi.json)
};

// What /admin/openapi.json says about a route. Schemas are OpenAPI 3 schema objects (plain JSON).
struct RouteDoc
{
    QString operationId = {}; // "keys.create": also the action name in the audit log for non-GET routes
    QString summary = {};
    QString tag = {}; // "api_keys", "accounts", ... groups the operations
    struct Param
    {
        QString name = {};
        QString description = {};
        QString type = QStringLiteral("string"); // OpenAPI type of a query parameter
        bool required = false;
    };
    QList<Param> query = {};
    QJsonObject requestBody = {}; // schema of the JSON body; empty = none
    QJsonObject response = {};    // schema of the success body; empty = generic object
    int successStatus = 200;
    bool audited = true; // non-GET routes are audited unless this is false (login and logout audit themselves)
};

using Handler = std::function<void(const AdminRequest &, AdminCallback)>;
// Streams (SSE): the 200 and the event-stream headers are already sent when the handler runs; it owns the stream
// from then on (a problem with the request is reported as an `error` event, then close()).
using StreamHandler = std::function<void(const AdminRequest &, AdminStreamPtr)>;

// The admin API's routes: method + pattern with {name} segments ("/admin/keys/{id}/usage"). Lives on the control
// thread; routes are added once before the relay starts.
class AdminRouter
{
public:
    void add(QByteArray method, QString pattern, RouteDoc doc, Handler handler, Access access = Access::Session);
    void addStream(QString pattern, RouteDoc doc, StreamHandler handler, Access access = Access::Session);

    struct Route
    {
        QByteArray method;
        QString pattern;
        QStringList segments; // pattern split on '/', "{id}" kept as is
        RouteDoc doc;
        Handler handler;
        StreamHandler streamHandler;
        Access access = Access::Session;
        bool isStream() const { return bool(streamHandler); }
    };

    enum class Match { Found, NotFound, MethodNotAllowed };
    Match match(const QByteArray &method, const QByteArray &path, const Route **route,
                QHash<QString, QString> *params) const;
    QByteArray allowedMethods(const QByteArray &path) const;
    const QList<Route> &routes() const { return m_routes; }

    // The OpenAPI 3.0 document of every route.
    QJsonObject openApi(const QString &version) const;

private:
    QList<Route> m_routes;
};

} // namespace Relay::Admin
