// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/adminapi.h"

#include "admin/replychannel.h"
#include "http/router.h"
#include "log/logger.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

namespace Relay::Admin {

namespace {

QJsonObject stringSchema()
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}};
}

QJsonObject integerSchema()
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("integer")}};
}

QJsonObject objectSchema(const QJsonObject &properties, const QStringList &required = {})
{
    QJsonObject o{{QStringLiteral("type"), QStringLiteral("object")}, {QStringLiteral("properties"), properties}};
    if (!required.isEmpty())
        o.insert(QStringLiteral("required"), QJsonArray::fromStringList(required));
    return o;
}

QJsonObject sessionJson(const AdminSession &session)
{
    return QJsonObject{{QStringLiteral("user"), session.user},
                       {QStringLiteral("created_at"), session.createdAt},
                       {QStringLiteral("expires_at"), session.expiresAt},
                       {QStringLiteral("idle_timeout_ms"), session.idleTimeoutMs}};
}

// The field errors of a body that must hold exactly these fields, each a non-empty string.
QJsonObject stringFieldErrors(const QJsonObject &body, const QStringList &names)
{
    QJsonObject fields;
    for (const QString &name : names) {
        if (!body.value(name).isString() || body.value(name).toString().isEmpty())
            fields.insert(name, QStringLiteral("required, a string"));
    }
    for (auto it = body.begin(); it != body.end(); ++it) {
        if (!names.contains(it.key()))
            fields.insert(it.key(), QStringLiteral("unknown field"));
    }
    return fields;
}

QString firstParam(const AdminRequest &request)
{
    if (request.params.contains(QStringLiteral("id")))
        return request.params.value(QStringLiteral("id"));
    return request.params.isEmpty() ? QString() : request.params.cbegin().value();
}

} // namespace

AdminApi::AdminApi(AdminContext context, AdminApiOptions options, QObject *parent)
    : QObject(parent)
    , m_context(std::move(context))
    , m_options(std::move(options))
    , m_mailbox(std::make_shared<Mailbox>(this))
    , m_auth(new AdminAuth(m_context.redis, m_context.keys.keySpace(), m_options.auth, this))
    , m_audit(new AuditLog(m_context.redis, m_context.keys.keySpace(), AuditLog::DefaultCapacity, this))
{
    m_context.audit = m_audit;
    registerOwnRoutes();
}

AdminApi::~AdminApi()
{
    m_mailbox->detach();
}

void AdminApi::installOn(Http::Router &router)
{
    router.addPrefix("/admin/", "admin", {[this](Http::Exchange &exchange) { return bridge(exchange); }});
}

Http::StageResult AdminApi::bridge(Http::Exchange &exchange)
{
    const Http::Request &r = exchange.request();
    AdminRequest request;
    request.method = r.method;
    request.path = r.path;
    request.query = QUrlQuery(QString::fromUtf8(r.query));
    request.body = r.body;
    request.contentType = r.header("content-type");
    request.authorization = r.header("authorization");
    request.peer = r.peerAddress;
    auto *call = new AdminCall(&exchange, m_mailbox);
    // The control thread owns all admin state; the worker only carries bytes.
    m_mailbox->post([this, request = std::move(request), channel = call->channel()]() mutable {
        handle(std::move(request), std::move(channel));
    });
    return Http::StageResult::Paused;
}

void AdminApi::handle(AdminRequest request, std::shared_ptr<ReplyChannel> channel)
{
    if (!m_options.allowRemote && !request.peer.isLoopback())
        return channel->respond(AdminResult::failure(
            {403,
             QStringLiteral("remote_admin_disabled"),
             QStringLiteral("the admin API answers only clients on this machine (set admin.access to any to change "
                            "that)"),
             {}}));
    const AdminRouter::Route *route = nullptr;
    QHash<QString, QString> params;
    switch (m_router.match(request.method, request.path, &route, &params)) {
    case AdminRouter::Match::NotFound:
        return channel->respond(AdminResult::failure(
            AdminError::notFound(QStringLiteral("no admin endpoint %1").arg(QString::fromUtf8(request.path)))));
    case AdminRouter::Match::MethodNotAllowed: {
        AdminResult result =
            AdminResult::failure({405,
                                  QStringLiteral("method_not_allowed"),
                                  QStringLiteral("%1 is not allowed on %2")
                                      .arg(QString::fromUtf8(request.method), QString::fromUtf8(request.path)),
                                  {}});
        result.headers.append({QByteArrayLiteral("allow"), m_router.allowedMethods(request.path)});
        return channel->respond(result);
    }
    case AdminRouter::Match::Found:
        break;
    }
    request.params = std::move(params);
    if (request.body.size() > m_options.maxBodyBytes)
        return channel->respond(AdminResult::failure(
            {413,
             QStringLiteral("body_too_large"),
             QStringLiteral("admin request bodies are limited to %1 bytes").arg(m_options.maxBodyBytes),
             {}}));
    if (!request.body.isEmpty() && !request.contentType.isEmpty() &&
        !request.contentType.toLower().startsWith("application/json"))
        return channel->respond(AdminResult::failure(
            {415, QStringLiteral("unsupported_media_type"), QStringLiteral("send the body as application/json"), {}}));
    if (route->access == Access::Public)
        return run(route, std::move(request), std::move(channel));
    const QByteArray authorization = request.authorization;
    m_auth->verify(authorization, [this, route, request = std::move(request),
                                   channel](const AdminSession &session, const AdminError &error) mutable {
        if (error)
            return channel->respond(AdminResult::failure(error));
        request.user = session.user;
        request.sessionId = session.id;
        run(route, std::move(request), std::move(channel));
    });
}

void AdminApi::run(const AdminRouter::Route *route, AdminRequest request, std::shared_ptr<ReplyChannel> channel)
{
    if (route->isStream()) {
        std::erase_if(m_streams, [](const std::weak_ptr<ReplyChannel> &s) { return s.expired(); });
        m_streams.push_back(channel);
        channel->beginStream();
        route->streamHandler(request, std::make_shared<ChannelStream>(std::move(channel)));
        return;
    }
    const bool audited =
        route->doc.audited && route->access == Access::Session && request.method != "GET" && request.method != "HEAD";
    AuditEntry entry;
    if (audited) {
        entry.user = request.user;
        entry.action = route->doc.operationId;
        entry.method = QString::fromUtf8(request.method);
        entry.path = QString::fromUtf8(request.path);
        entry.target = firstParam(request);
        entry.peer = request.peer.toString();
    }
    route->handler(request, [this, audited, entry, channel](AdminResult result) mutable {
        if (audited) {
            entry.time = QDateTime::currentMSecsSinceEpoch();
            entry.status = result.ok() ? result.status : result.error.status;
            m_audit->record(entry);
        }
        channel->respond(result);
    });
}

void AdminApi::closeStreams()
{
    for (const auto &weak : std::exchange(m_streams, {}))
        if (const auto channel = weak.lock())
            channel->end();
}

void AdminApi::start()
{
    m_auth->bootstrap([this](const QString &password, const AdminError &error) {
        if (error) {
            Log::logger().error("admin API: could not check for an admin user: {}", error.message);
        } else if (!password.isEmpty()) {
            QString fileError;
            if (writePasswordFile(password, &fileError))
                Log::logger().warn("created the admin user 'admin'; its password is in {} (change it with POST "
                                   "/admin/password or the console)",
                                   m_options.passwordFile);
            else
                Log::logger().error("created the admin user 'admin' but could not write {}: {}; reset the password "
                                    "with 'relaydeckd admin set-password'",
                                    m_options.passwordFile, fileError);
            Q_EMIT initialPasswordCreated(QStringLiteral("admin"), password, m_options.passwordFile);
        }
        Q_EMIT ready();
    });
}

void AdminApi::openConsoleSession(
    std::function<void(const QByteArray &token, const QString &user, const QString &error)> done)
{
    m_auth->openTrustedSession(
        [this, done](const QByteArray &token, const AdminSession &session, const AdminError &error) {
            m_audit->record(AuditEntry{QDateTime::currentMSecsSinceEpoch(),
                                       error ? QStringLiteral("?") : session.user,
                                       QStringLiteral("session.console"),
                                       QStringLiteral("LOCAL"),
                                       QString(),
                                       {},
                                       QStringLiteral("in-process"),
                                       error ? error.status : 200});
            done(token, session.user, error ? error.message : QString());
        });
}

bool AdminApi::writePasswordFile(const QString &password, QString *error) const
{
    if (m_options.passwordFile.isEmpty()) {
        *error = QStringLiteral("no password file configured");
        return false;
    }
    QDir().mkpath(QFileInfo(m_options.passwordFile).absolutePath());
    QSaveFile file(m_options.passwordFile);
    // Owner-only from the first byte: the file is created with these permissions before anything is written.
    if (!file.open(QIODevice::WriteOnly) || !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        *error = file.errorString();
        return false;
    }
    file.write("user: admin\npassword: " + password.toUtf8() + "\n");
    if (!file.commit()) {
        *error = file.errorString();
        return false;
    }
    return true;
}

void AdminApi::registerOwnRoutes()
{
    const QString sessionTag = QStringLiteral("session");
    const QJsonObject sessionSchema = objectSchema(QJsonObject{{QStringLiteral("user"), stringSchema()},
                                                               {QStringLiteral("created_at"), integerSchema()},
                                                               {QStringLiteral("expires_at"), integerSchema()},
                                                               {QStringLiteral("idle_timeout_ms"), integerSchema()}});

    QJsonObject loginResponse = sessionSchema;
    {
        QJsonObject props = loginResponse.value(QStringLiteral("properties")).toObject();
        props.insert(QStringLiteral("token"), stringSchema());
        loginResponse.insert(QStringLiteral("properties"), props);
    }
    m_router.add(
        "POST", QStringLiteral("/admin/login"),
        RouteDoc{.operationId = QStringLiteral("session.login"),
                 .summary = QStringLiteral("Sign in; answers a bearer token for the other endpoints"),
                 .tag = sessionTag,
                 .requestBody = objectSchema(QJsonObject{{QStringLiteral("user"), stringSchema()},
                                                         {QStringLiteral("password"), stringSchema()}},
                                             {QStringLiteral("user"), QStringLiteral("password")}),
                 .response = loginResponse,
                 .audited = false},
        [this](const AdminRequest &request, AdminCallback callback) {
            AdminError error;
            const QJsonObject body = request.jsonBody(&error);
            if (error)
                return callback(AdminResult::failure(error));
            const QJsonObject fields = stringFieldErrors(body, {QStringLiteral("user"), QStringLiteral("password")});
            if (!fields.isEmpty())
                return callback(AdminResult::failure(AdminError::validation(fields)));
            const QJsonValue password = body.value(QStringLiteral("password"));
            const QString name = body.value(QStringLiteral("user")).toString();
            m_auth->login(name, password.toString(), request.peer,
                          [this, name, request, callback](const QByteArray &token, const AdminSession &session,
                                                          const AdminError &loginError) {
                              AuditEntry entry{QDateTime::currentMSecsSinceEpoch(),
                                               AdminAuth::isValidUserName(name) ? name : QStringLiteral("?"),
                                               QStringLiteral("session.login"),
                                               QStringLiteral("POST"),
                                               QString::fromUtf8(request.path),
                                               {},
                                               request.peer.toString(),
                                               loginError ? loginError.status : 200};
                              m_audit->record(entry);
                              if (loginError) {
                                  AdminResult result = AdminResult::failure(loginError);
                                  if (loginError.status == 429)
                                      result.headers.append(
                                          {QByteArrayLiteral("retry-after"),
                                           QByteArray::number(
                                               loginError.fields.value(QStringLiteral("retry_after_s")).toInteger())});
                                  return callback(result);
                              }
                              QJsonObject out = sessionJson(session);
                              out.insert(QStringLiteral("token"), QString::fromLatin1(token));
                              callback(AdminResult::json(out));
                          });
        },
        Access::Public);

    m_router.add("POST", QStringLiteral("/admin/logout"),
                 RouteDoc{.operationId = QStringLiteral("session.logout"),
                          .summary = QStringLiteral("End this session"),
                          .tag = sessionTag,
                          .successStatus = 204},
                 [this](const AdminRequest &request, AdminCallback callback) {
                     m_auth->logout(request.sessionId, [callback](const AdminError &error) {
                         callback(error ? AdminResult::failure(error) : AdminResult::noContent());
                     });
                 });

    m_router.add("GET", QStringLiteral("/admin/session"),
                 RouteDoc{.operationId = QStringLiteral("session.get"),
                          .summary = QStringLiteral("The signed-in user and the session's expiry"),
                          .tag = sessionTag,
                          .response = sessionSchema},
                 [this](const AdminRequest &request, AdminCallback callback) {
                     // verify() ran just before; ask again for the times (one round trip, no state kept here).
                     m_auth->verify(request.authorization, [callback](const AdminSession &s, const AdminError &e) {
                         callback(e ? AdminResult::failure(e) : AdminResult::json(sessionJson(s)));
                     });
                 });

    m_router.add(
        "POST", QStringLiteral("/admin/password"),
        RouteDoc{.operationId = QStringLiteral("session.change_password"),
                 .summary = QStringLiteral("Change the signed-in user's password; ends the user's other sessions"),
                 .tag = sessionTag,
                 .requestBody = objectSchema(QJsonObject{{QStringLiteral("current_password"), stringSchema()},
                                                         {QStringLiteral("new_password"), stringSchema()}},
                                             {QStringLiteral("current_password"), QStringLiteral("new_password")}),
                 .successStatus = 204},
        [this](const AdminRequest &request, AdminCallback callback) {
            AdminError error;
            const QJsonObject body = request.jsonBody(&error);
            if (error)
                return callback(AdminResult::failure(error));
            const QJsonObject fields =
                stringFieldErrors(body, {QStringLiteral("current_password"), QStringLiteral("new_password")});
            if (!fields.isEmpty())
                return callback(AdminResult::failure(AdminError::validation(fields)));
            AdminSession session;
            session.user = request.user;
            session.id = request.sessionId;
            m_auth->changePassword(
                session, body.value(QStringLiteral("current_password")).toString(),
                body.value(QStringLiteral("new_password")).toString(), [callback](const AdminError &changeError) {
                    callback(changeError ? AdminResult::failure(changeError) : AdminResult::noContent());
                });
        });

    m_router.add(
        "GET", QStringLiteral("/admin/audit"),
        RouteDoc{.operationId = QStringLiteral("audit.list"),
                 .summary = QStringLiteral("Admin actions, newest first"),
                 .tag = QStringLiteral("audit"),
                 .query = {{QStringLiteral("offset"), QStringLiteral("entries to skip"), QStringLiteral("integer")},
                           {QStringLiteral("limit"), QStringLiteral("entries to return (max 500)"),
                            QStringLiteral("integer")}}},
        [this](const AdminRequest &request, AdminCallback callback) {
            AdminError error;
            const qint64 offset = request.queryInt(QStringLiteral("offset"), 0, 0, AuditLog::DefaultCapacity, &error);
            const qint64 limit = request.queryInt(QStringLiteral("limit"), 50, 1, 500, &error);
            if (error)
                return callback(AdminResult::failure(error));
            m_audit->list(int(offset), int(limit), callback);
        });

    m_router.add(
        "GET", QStringLiteral("/admin/status"),
        RouteDoc{.operationId = QStringLiteral("status.get"),
                 .summary = QStringLiteral("Relay version, uptime, listener, Redis state"),
                 .tag = QStringLiteral("status")},
        [this](const AdminRequest &, AdminCallback callback) {
            QJsonObject out{
                {QStringLiteral("version"), m_context.version},
                {QStringLiteral("uptime_s"), m_context.uptime.isValid() ? m_context.uptime.elapsed() / 1000 : 0},
                {QStringLiteral("time_zone"), QString::fromUtf8(m_context.timeZone.id())},
                {QStringLiteral("workers"), m_context.settings.workers},
            };
            if (m_context.relayStatus) {
                const QJsonObject extra = m_context.relayStatus();
                for (auto it = extra.begin(); it != extra.end(); ++it)
                    out.insert(it.key(), it.value());
            }
            callback(AdminResult::json(out));
        });

    m_router.add(
        "GET", QStringLiteral("/admin/openapi.json"),
        RouteDoc{.operationId = QStringLiteral("openapi.get"),
                 .summary = QStringLiteral("This API's OpenAPI 3 description"),
                 .tag = QStringLiteral("status")},
        [this](const AdminRequest &, AdminCallback callback) {
            callback(AdminResult::json(m_router.openApi(m_context.version)));
        },
        Access::Public);
}

} // namespace Relay::Admin
