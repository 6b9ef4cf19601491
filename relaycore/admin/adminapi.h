// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "admin/adminauth.h"
#include "admin/admincontext.h"
#include "admin/adminrouter.h"
#include "admin/auditlog.h"
#include "admin/mailbox.h"
#include "http/exchange.h"

#include <QObject>

#include <memory>
#include <vector>

namespace Relay::Http {
class Router;
}

namespace Relay::Admin {

class ReplyChannel;

struct AdminApiOptions
{
    bool allowRemote = false;          // false: only loopback clients (admin.access loopback)
    qint64 maxBodyBytes = 1024 * 1024; // admin requests are small; a bigger body is refused with 413
    QString passwordFile;              // where bootstrap writes the generated password
    AdminAuthOptions auth;
};

// The admin API: routes served under /admin/ on the relay's listener (or a separate one), handled on the control
// thread. A worker turns each request into a plain AdminRequest and posts it here; the answer goes back through a
// ReplyChannel, so handlers never touch a connection and all admin state is single-threaded.
//
// Every route but login and openapi.json needs a session token; non-GET routes are recorded in the audit log.
class AdminApi : public QObject
{
    Q_OBJECT
public:
    AdminApi(AdminContext context, AdminApiOptions options, QObject *parent = nullptr);
    ~AdminApi() override;

    AdminRouter &router() { return m_router; }
    AdminContext &context() { return m_context; }
    AdminAuth &auth() { return *m_auth; }
    AuditLog &audit() { return *m_audit; }

    // Adds the "/admin/" prefix route to an HTTP router (before its server starts).
    void installOn(Http::Router &router);
    // Creates the first admin user when there is none (emits initialPasswordCreated once, after writing the
    // password file), then ready().
    void start();

    // Handles one request (control thread); the HTTP bridge calls it, tests may too.
    void handle(AdminRequest request, std::shared_ptr<ReplyChannel> channel);
    // Signs the in-process console in without a password (recorded in the audit log as session.console);
    // the callback gets the bearer token or an error message. Control thread only.
    void
    openConsoleSession(std::function<void(const QByteArray &token, const QString &user, const QString &error)> done);
    // Ends every open event stream (live metrics, log tails): a graceful stop would otherwise wait for them.
    void closeStreams();

Q_SIGNALS:
    void initialPasswordCreated(const QString &user, const QString &password, const QString &passwordFile);
    void ready();

private:
    Http::StageResult bridge(Http::Exchange &exchange); // worker thread
    void run(const AdminRouter::Route *route, AdminRequest request, std::shared_ptr<ReplyChannel> channel);
    void registerOwnRoutes();
    bool writePasswordFile(const QString &password, QString *error) const;

    AdminContext m_context;
    AdminApiOptions m_options;
    AdminRouter m_router;
    std::shared_ptr<Mailbox> m_mailbox;
    AdminAuth *m_auth;
    AuditLog *m_audit;
    std::vector<std::weak_ptr<ReplyChannel>> m_streams;
};

} // namespace Relay::Admin
