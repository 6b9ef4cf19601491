// SPDX-License-Identifier: GPL-3.0-or-later
// The admin API's core over real HTTP: first-start admin user, sessions, lockout, password change, audit, error
// shapes, access rules and the separate admin listener, against a whole relay (real Redis, mock upstream).
#include "adminclient.h"
#include "relayharness.h"

#include <QFile>
#include <QJsonArray>
#include <QNetworkInterface>
#include <QtTest>

#include <future>

using namespace Relay;

class TestAdminApi : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<RelayHarness> startRelay(const std::function<void(Config::Settings &)> &adjust = {})
    {
        auto h = std::make_unique<RelayHarness>();
        if (!h->start())
            return nullptr;
        if (adjust)
            adjust(h->settings());
        if (!h->startRelay())
            return nullptr;
        return h;
    }

private Q_SLOTS:
    void firstStartCreatesAdminWithPrivatePasswordFile()
    {
        auto h = startRelay();
        QVERIFY(h);
        const QString file = QDir(h->dataDir()).filePath(QStringLiteral("admin-password"));
        QVERIFY(QFile::exists(file));
        QCOMPARE(QFile::permissions(file) & ~(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadUser |
                                              QFileDevice::WriteUser),
                 QFileDevice::Permissions());
        const QString password = AdminClient::initialPassword(h->dataDir());
        QCOMPARE(password.size(), 24);

        AdminClient admin(h->port());
        QVERIFY(admin.login(QStringLiteral("admin"), password));
        QVERIFY(admin.token().startsWith("rds_"));
        const auto session = admin.get("/admin/session");
        QCOMPARE(session.status, 200);
        QCOMPARE(session.object().value(QStringLiteral("user")).toString(), QStringLiteral("admin"));
        QVERIFY(session.object().value(QStringLiteral("expires_at")).toInteger() > QDateTime::currentMSecsSinceEpoch());
        const auto status = admin.get("/admin/status");
        QCOMPARE(status.status, 200);
        QCOMPARE(status.object().value(QStringLiteral("redis")).toObject().value(QStringLiteral("up")).toBool(), true);
        QCOMPARE(status.header("cache-control"), QByteArray("no-store"));

        // A restart against the same Redis keeps the user and does not write a new password.
        QFile::remove(file);
        h->relay().stopAndWait();
        QVERIFY(h->startRelay());
        QVERIFY(!QFile::exists(file));
        AdminClient again(h->port());
        QVERIFY(again.login(QStringLiteral("admin"), password));
    }

    void everyRouteButLoginAndOpenApiNeedsASession()
    {
        auto h = startRelay();
        QVERIFY(h);
        AdminClient anonymous(h->port());
        const auto spec = anonymous.get("/admin/openapi.json");
        QCOMPARE(spec.status, 200);
        const QJsonObject paths = spec.object().value(QStringLiteral("paths")).toObject();
        QVERIFY(paths.contains(QStringLiteral("/admin/login")));
        QVERIFY(paths.contains(QStringLiteral("/admin/audit")));
        int checked = 0;
        for (auto it = paths.begin(); it != paths.end(); ++it) {
            QByteArray path = it.key().toUtf8();
            path.replace("{id}", "x").replace("{account_id}", "y");
            const QJsonObject methods = it.value().toObject();
            for (auto m = methods.begin(); m != methods.end(); ++m) {
                const QJsonObject operation = m.value().toObject();
                const bool open = operation.contains(QStringLiteral("security"));
                QVERIFY2(!operation.value(QStringLiteral("operationId")).toString().isEmpty(), path.constData());
                QVERIFY2(!operation.value(QStringLiteral("summary")).toString().isEmpty(), path.constData());
                if (open)
                    continue;
                const auto r = anonymous.request(m.key().toUpper().toUtf8(), path, "{}");
                QVERIFY2(r.status == 401,
                         (m.key().toUtf8() + ' ' + path + " answered " + QByteArray::number(r.status)).constData());
                QCOMPARE(r.errorCode(), QStringLiteral("unauthorized"));
                ++checked;
            }
        }
        QVERIFY(checked >= 4);
        // A made-up token is no better than none.
        anonymous.setToken("rds_not-a-real-token");
        QCOMPARE(anonymous.get("/admin/session").status, 401);
    }

    void wrongPasswordsLockTheAddressOut()
    {
        auto h = startRelay();
        QVERIFY(h);
        AdminClient admin(h->port());
        for (int i = 0; i < 5; ++i) {
            QVERIFY(!admin.login(QStringLiteral("admin"), QStringLiteral("wrong password %1").arg(i)));
            QCOMPARE(admin.lastResponse().status, 401);
            QCOMPARE(admin.lastResponse().errorCode(), QStringLiteral("invalid_credentials"));
        }
        // An unknown user gets the same answer (no user enumeration) — but the address is now locked.
        QVERIFY(!admin.login(QStringLiteral("admin"), AdminClient::initialPassword(h->dataDir())));
        QCOMPARE(admin.lastResponse().status, 429);
        QCOMPARE(admin.lastResponse().errorCode(), QStringLiteral("too_many_attempts"));
        QVERIFY(admin.lastResponse().header("retry-after").toInt() > 0);
        h->relay().stopAndWait();
    }

    void unknownUserAndWrongPasswordLookTheSame()
    {
        auto h = startRelay();
        QVERIFY(h);
        AdminClient admin(h->port());
        QVERIFY(!admin.login(QStringLiteral("nobody"), QStringLiteral("whatever password")));
        const auto unknown = admin.lastResponse();
        QVERIFY(!admin.login(QStringLiteral("admin"), QStringLiteral("whatever password")));
        const auto wrong = admin.lastResponse();
        QCOMPARE(unknown.status, wrong.status);
        QCOMPARE(unknown.body, wrong.body);
        // Validation of the login body itself.
        const auto bad = admin.post("/admin/login", QJsonObject{{QStringLiteral("user"), 5}});
        QCOMPARE(bad.status, 422);
        QVERIFY(bad.fieldErrors().contains(QStringLiteral("password")));
    }

    void logoutEndsTheSession()
    {
        auto h = startRelay();
        QVERIFY(h);
        AdminClient admin(h->port());
        QVERIFY(admin.loginInitial(h->dataDir()));
        QCOMPARE(admin.get("/admin/session").status, 200);
        QCOMPARE(admin.post("/admin/logout").status, 204);
        QCOMPARE(admin.get("/admin/session").status, 401);
    }

    void idleSessionsEnd()
    {
        auto h = startRelay([](Config::Settings &s) { s.adminSessionIdle = std::chrono::milliseconds(400); });
        QVERIFY(h);
        AdminClient admin(h->port());
        QVERIFY(admin.loginInitial(h->dataDir()));
        // Each request renews the idle timer...
        for (int i = 0; i < 3; ++i) {
            QTest::qWait(200);
            QCOMPARE(admin.get("/admin/session").status, 200);
        }
        // ...silence ends the session.
        QTest::qWait(700);
        QCOMPARE(admin.get("/admin/session").status, 401);
    }

    void passwordChangeChecksAndEndsOtherSessions()
    {
        auto h = startRelay();
        QVERIFY(h);
        const QString initial = AdminClient::initialPassword(h->dataDir());
        AdminClient first(h->port());
        AdminClient second(h->port());
        QVERIFY(first.loginInitial(h->dataDir()));
        QVERIFY(second.loginInitial(h->dataDir()));

        auto r = first.post("/admin/password",
                            QJsonObject{{QStringLiteral("current_password"), QStringLiteral("nope")},
                                        {QStringLiteral("new_password"), QStringLiteral("a long enough new one")}});
        QCOMPARE(r.status, 422);
        QCOMPARE(r.errorCode(), QStringLiteral("validation_failed"));
        r = first.post("/admin/password", QJsonObject{{QStringLiteral("current_password"), initial},
                                                      {QStringLiteral("new_password"), QStringLiteral("short")}});
        QCOMPARE(r.status, 422);
        QVERIFY(r.fieldErrors().contains(QStringLiteral("new_password")));
        r = first.post("/admin/password",
                       QJsonObject{{QStringLiteral("current_password"), initial},
                                   {QStringLiteral("new_password"), QStringLiteral("correct horse battery staple")}});
        QCOMPARE(r.status, 204);
        QCOMPARE(first.get("/admin/session").status, 200);
        QCOMPARE(second.get("/admin/session").status, 401);
        AdminClient third(h->port());
        QVERIFY(!third.login(QStringLiteral("admin"), initial));
        QVERIFY(third.login(QStringLiteral("admin"), QStringLiteral("correct horse battery staple")));

        // Audited: who changed the password, and the failed sign-in; never a password.
        const auto audit = first.get("/admin/audit?limit=20");
        QCOMPARE(audit.status, 200);
        QStringList actions;
        for (const auto &item : audit.items())
            actions << item.toObject().value(QStringLiteral("action")).toString();
        QVERIFY2(actions.contains(QStringLiteral("session.change_password")), qPrintable(actions.join(u',')));
        QVERIFY(actions.contains(QStringLiteral("session.login")));
        QVERIFY(!audit.body.contains("correct horse"));
        QVERIFY(!audit.body.contains(initial.toUtf8()));
        const QJsonObject newest = audit.items().first().toObject();
        QVERIFY(newest.contains(QStringLiteral("time")));
        QVERIFY(newest.contains(QStringLiteral("peer")));
    }

    void errorsHaveAStableShape()
    {
        auto h = startRelay();
        QVERIFY(h);
        AdminClient admin(h->port());
        QVERIFY(admin.loginInitial(h->dataDir()));
        auto r = admin.get("/admin/no-such-thing");
        QCOMPARE(r.status, 404);
        QCOMPARE(r.object().value(QStringLiteral("type")).toString(), QStringLiteral("error"));
        QCOMPARE(r.errorCode(), QStringLiteral("not_found"));
        r = admin.request("DELETE", "/admin/session");
        QCOMPARE(r.status, 405);
        QCOMPARE(r.errorCode(), QStringLiteral("method_not_allowed"));
        QCOMPARE(r.header("allow"), QByteArray("GET"));
        r = admin.request("POST", "/admin/password", "{not json");
        QCOMPARE(r.status, 400);
        QCOMPARE(r.errorCode(), QStringLiteral("invalid_json"));
        r = admin.request("POST", "/admin/password", "[1,2]");
        QCOMPARE(r.status, 400);
        r = admin.request("POST", "/admin/password", "x=1", "content-type: application/x-www-form-urlencoded\r\n");
        QCOMPARE(r.status, 415);
        r = admin.request("POST", "/admin/password", QByteArray(2 * 1024 * 1024, 'x'));
        QCOMPARE(r.status, 413);
        r = admin.get("/admin/audit?limit=100000");
        QCOMPARE(r.status, 422);
        QVERIFY(r.fieldErrors().contains(QStringLiteral("limit")));
    }

    void remoteClientsAreRefusedByDefault()
    {
        QHostAddress external;
        for (const QHostAddress &a : QNetworkInterface::allAddresses())
            if (a.protocol() == QAbstractSocket::IPv4Protocol && !a.isLoopback())
                external = a;
        if (external.isNull())
            QSKIP("this machine has no non-loopback IPv4 address");
        for (const QString &access : {QStringLiteral("loopback"), QStringLiteral("any")}) {
            auto h = startRelay([access](Config::Settings &s) {
                s.listenHost = QStringLiteral("0.0.0.0");
                s.adminAccess = access;
            });
            QVERIFY(h);
            // The admin API runs on this (the control) thread: read on another one while this one turns.
            auto pending = std::async(std::launch::async, [external, port = h->port()] {
                QTcpSocket socket;
                socket.connectToHost(external, port);
                if (!socket.waitForConnected(3000))
                    return QByteArray("not connected");
                socket.write("GET /admin/openapi.json HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
                QByteArray answer;
                while (socket.waitForReadyRead(3000))
                    answer += socket.readAll();
                return answer;
            });
            QTRY_VERIFY_WITH_TIMEOUT(pending.wait_for(std::chrono::milliseconds(0)) == std::future_status::ready,
                                     10000);
            const QByteArray answer = pending.get();
            QVERIFY2(answer.startsWith(access == u"loopback" ? "HTTP/1.1 403" : "HTTP/1.1 200"), answer.left(200));
            if (access == u"loopback")
                QVERIFY(answer.contains("remote_admin_disabled"));
        }
    }

    void adminCanHaveItsOwnListenerOrBeOff()
    {
        auto h = startRelay([](Config::Settings &s) {
            s.adminHost = QStringLiteral("127.0.0.1");
            s.adminPort = 0;
        });
        QVERIFY(h);
        QVERIFY(h->relay().adminPort() != 0);
        QVERIFY(h->relay().adminPort() != h->port());
        AdminClient onRelayPort(h->port());
        QCOMPARE(onRelayPort.get("/admin/openapi.json").status, 404);
        AdminClient admin(h->relay().adminPort());
        QVERIFY(admin.loginInitial(h->dataDir()));
        QCOMPARE(admin.get("/admin/status").status, 200);
        // The relay itself still answers on its own port.
        QCOMPARE(h->send("GET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n").status, 200);

        auto off = startRelay([](Config::Settings &s) { s.adminAccess = QStringLiteral("off"); });
        QVERIFY(off);
        QVERIFY(!off->relay().admin());
        AdminClient none(off->port());
        QCOMPARE(none.get("/admin/openapi.json").status, 404);
        QVERIFY(!QFile::exists(QDir(off->dataDir()).filePath(QStringLiteral("admin-password"))));
    }
};

QTEST_GUILESS_MAIN(TestAdminApi)
#include "tst_adminapi.moc"
