// SPDX-License-Identifier: GPL-3.0-or-later
// Every admin resource over real HTTP against a whole relay (real Redis, the mock upstream): what an operator (or
// the console) does from sign-in to watching traffic, no secret in any answer, the live event stream, and no banned
// Redis command anywhere.
#include "adminclient.h"
#include "log/logger.h"
#include "quotedjson.h"
#include "relayharness.h"

#include <QJsonArray>
#include <QtTest>

using namespace Relay;

namespace {

const QString AccountSecret = QStringLiteral("sk-ant-api03-admin-http-upstream-secret");
const QString RefreshToken = QStringLiteral("refresh-token-never-shown-0123456789");

QByteArray messagesBody(bool stream)
{
    return stream ? j("{'model':'claude-sonnet-4-5','max_tokens':100,'stream':true,'messages':[{'role':'user',"
                      "'content':'hi'}]}")
                  : j("{'model':'claude-sonnet-4-5','max_tokens':100,'messages':[{'role':'user','content':'hi'}]}");
}

} // namespace

class TestAdminHttp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        // As relaydeckd does: the admin API's log view reads the in-memory ring.
        Log::LogOptions options;
        options.level = spdlog::level::info;
        QVERIFY(Log::init(options).ok());
    }

    void operatorWalkthrough()
    {
        RelayHarness h;
        QVERIFY2(h.start(), qPrintable(h.errorString()));
        QVERIFY2(h.startRelay(), qPrintable(h.errorString()));
        AdminClient admin(h.port());
        QVERIFY(admin.loginInitial(h.dataDir()));

        // An upstream account pointing at the mock, and a key — both through the admin API only.
        auto r = admin.post("/admin/accounts", QJsonObject{{QStringLiteral("type"), QStringLiteral("apikey")},
                                                           {QStringLiteral("name"), QStringLiteral("mock")},
                                                           {QStringLiteral("base_url"), h.mock().baseUrl().toString()},
                                                           {QStringLiteral("secret"), AccountSecret}});
        QCOMPARE(r.status, 201);
        const QString accountId = r.object().value(QStringLiteral("id")).toString();
        QVERIFY(!r.body.contains(AccountSecret.toUtf8()));
        r = admin.post("/admin/keys", QJsonObject{{QStringLiteral("name"), QStringLiteral("team a")},
                                                  {QStringLiteral("tags"), QJsonArray{QStringLiteral("team-a")}}});
        QCOMPARE(r.status, 201);
        const QByteArray clearKey = r.object().value(QStringLiteral("key")).toString().toUtf8();
        const QString keyId = r.object().value(QStringLiteral("id")).toString();
        QVERIFY(clearKey.startsWith("rd_"));

        // The relay picks both up (change feed) and serves the key.
        RawHttpClient::Response relayed;
        QTRY_VERIFY_WITH_TIMEOUT(
            (relayed = h.send(RelayHarness::post("/v1/messages", clearKey, messagesBody(false)))).status == 200, 5000);
        QCOMPARE(h.send(RelayHarness::post("/v1/messages", clearKey, messagesBody(true))).status, 200);

        // Usage, request log, key list by last use.
        QTRY_VERIFY_WITH_TIMEOUT(admin.get("/admin/usage/summary")
                                         .object()
                                         .value(QStringLiteral("today"))
                                         .toObject()
                                         .value(QStringLiteral("requests"))
                                         .toInteger() >= 2,
                                 5000);
        r = admin.get("/admin/requests?limit=10");
        QCOMPARE(r.status, 200);
        QVERIFY(r.items().size() >= 2);
        QCOMPARE(r.items().first().toObject().value(QStringLiteral("key_id")).toString(), keyId);
        r = admin.get("/admin/keys?sort=last_used&tag=team-a");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.items().size(), 1);
        QVERIFY(r.items().first().toObject().value(QStringLiteral("last_used_at")).toInteger() > 0);
        r = admin.get("/admin/keys/" + keyId.toUtf8() + "/usage");
        QCOMPARE(r.status, 200);

        // The account test goes to the mock and reports latency; the account list shows its health.
        r = admin.post("/admin/accounts/" + accountId.toUtf8() + "/test");
        QCOMPARE(r.status, 200);
        QVERIFY2(r.object().value(QStringLiteral("ok")).toBool(), r.body.constData());
        r = admin.get("/admin/accounts");
        QCOMPARE(r.items().size(), 1);
        QCOMPARE(r.items()
                     .first()
                     .toObject()
                     .value(QStringLiteral("health"))
                     .toObject()
                     .value(QStringLiteral("status"))
                     .toString(),
                 QStringLiteral("active"));

        // Redis inspection and logs.
        r = admin.get("/admin/redis/commandstats?sort=calls");
        QCOMPARE(r.status, 200);
        QVERIFY(r.items().size() > 3);
        QCOMPARE(admin.get("/admin/redis/info").status, 200);
        QCOMPARE(admin.get("/admin/redis/slowlog").status, 200);
        QCOMPARE(admin.get("/admin/redis/memory?samples=200").status, 200);
        r = admin.get("/admin/logs?limit=50");
        QCOMPARE(r.status, 200);

        // Key lifecycle: disable stops the relay answering within a second; regenerate swaps the clear key.
        QCOMPARE(admin.post("/admin/keys/" + keyId.toUtf8() + "/disable").status, 200);
        QTRY_COMPARE_WITH_TIMEOUT(h.send(RelayHarness::post("/v1/messages", clearKey, messagesBody(false))).status, 401,
                                  3000);
        QCOMPARE(admin.post("/admin/keys/" + keyId.toUtf8() + "/enable").status, 200);
        r = admin.post("/admin/keys/" + keyId.toUtf8() + "/regenerate");
        QCOMPARE(r.status, 200);
        const QByteArray newKey = r.object().value(QStringLiteral("key")).toString().toUtf8();
        QTRY_COMPARE_WITH_TIMEOUT(h.send(RelayHarness::post("/v1/messages", newKey, messagesBody(false))).status, 200,
                                  3000);
        QCOMPARE(h.send(RelayHarness::post("/v1/messages", clearKey, messagesBody(false))).status, 401);

        // Every change above is in the audit log, by the signed-in user.
        r = admin.get("/admin/audit?limit=100");
        QStringList actions;
        for (const auto &item : r.items()) {
            QCOMPARE(item.toObject().value(QStringLiteral("user")).toString(), QStringLiteral("admin"));
            actions << item.toObject().value(QStringLiteral("action")).toString();
        }
        for (const QString &expected :
             {QStringLiteral("keys.create"), QStringLiteral("keys.disable"), QStringLiteral("keys.regenerate"),
              QStringLiteral("accounts.create"), QStringLiteral("accounts.test")})
            QVERIFY2(actions.contains(expected), qPrintable(expected));
    }

    void noGetAnswerContainsASecret()
    {
        RelayHarness h;
        QVERIFY(h.start());
        QVERIFY(h.startRelay());
        AdminClient admin(h.port());
        QVERIFY(admin.loginInitial(h.dataDir()));
        auto r = admin.post("/admin/accounts", QJsonObject{{QStringLiteral("type"), QStringLiteral("oauth")},
                                                           {QStringLiteral("name"), QStringLiteral("oauth one")},
                                                           {QStringLiteral("base_url"), h.mock().baseUrl().toString()},
                                                           {QStringLiteral("secret"), AccountSecret},
                                                           {QStringLiteral("refresh_token"), RefreshToken}});
        QCOMPARE(r.status, 201);
        const QByteArray accountId = r.object().value(QStringLiteral("id")).toString().toUtf8();
        r = admin.post("/admin/groups", QJsonObject{{QStringLiteral("name"), QStringLiteral("g")}});
        QCOMPARE(r.status, 201);
        const QByteArray groupId = r.object().value(QStringLiteral("id")).toString().toUtf8();
        r = admin.post("/admin/keys", QJsonObject{{QStringLiteral("name"), QStringLiteral("k")}});
        QCOMPARE(r.status, 201);
        const QByteArray keyId = r.object().value(QStringLiteral("id")).toString().toUtf8();
        const QByteArray clearKey = r.object().value(QStringLiteral("key")).toString().toUtf8();
        const QByteArray keyHash = h.redis().command({"HGET", "rd:{key:" + keyId + "}:record", "hash"}).toByteArray();
        QVERIFY(!keyHash.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(h.send(RelayHarness::post("/v1/messages", clearKey, messagesBody(false))).status, 200,
                                  5000);

        // Walk every GET route the API describes, with real ids.
        const QJsonObject paths = admin.get("/admin/openapi.json").object().value(QStringLiteral("paths")).toObject();
        int walked = 0;
        for (auto it = paths.begin(); it != paths.end(); ++it) {
            const QJsonObject operation = it.value().toObject().value(QStringLiteral("get")).toObject();
            if (operation.isEmpty() || it.key().endsWith(u"/live") || it.key().endsWith(u"/stream"))
                continue;
            QByteArray path = it.key().toUtf8();
            if (path.startsWith("/admin/keys/"))
                path.replace("{id}", keyId);
            else if (path.startsWith("/admin/accounts/"))
                path.replace("{id}", accountId);
            else if (path.startsWith("/admin/groups/"))
                path.replace("{id}", groupId);
            else
                path.replace("{id}", "1");
            const auto answer = admin.get(path);
            QVERIFY2(answer.ok, path.constData());
            for (const QByteArray &secret : {AccountSecret.toUtf8(), RefreshToken.toUtf8(), clearKey, keyHash})
                QVERIFY2(!answer.body.contains(secret), (path + " shows a secret").constData());
            ++walked;
        }
        QVERIFY(walked > 20);
    }

    void liveMetricsStreamTicksAndEndsOnStop()
    {
        RelayHarness h;
        QVERIFY(h.start());
        QVERIFY(h.startRelay());
        AdminClient admin(h.port());
        QVERIFY(admin.loginInitial(h.dataDir()));
        AdminEventStream stream;
        QVERIFY(stream.open(h.port(), "/admin/metrics/live", admin.token()));
        const auto events = stream.read(2, 5000);
        QCOMPARE(events.size(), 2);
        QCOMPARE(events[0].event, QByteArray("snapshot"));
        QVERIFY(events[1].json().contains(QStringLiteral("time")));
        // The stream itself is an admin call, not a relay request in flight.
        QCOMPARE(events[1].json().value(QStringLiteral("in_flight")).toInt(), 0);
        // Without a session: 401, no stream.
        AdminEventStream anonymous;
        QVERIFY(!anonymous.open(h.port(), "/admin/metrics/live", {}));
        QCOMPARE(anonymous.status(), 401);
        // A graceful stop ends open streams at once instead of waiting out the grace period.
        QElapsedTimer timer;
        timer.start();
        h.relay().stopAndWait();
        QVERIFY(stream.waitForEnd(3000));
        QVERIFY2(timer.elapsed() < 900, QByteArray::number(timer.elapsed()).constData());
    }

    void bannedRedisCommandNeverRuns()
    {
        RelayHarness h;
        QVERIFY(h.start());
        QVERIFY(h.startRelay());
        AdminClient admin(h.port());
        QVERIFY(admin.loginInitial(h.dataDir()));
        for (int i = 0; i < 30; ++i)
            admin.post("/admin/keys", QJsonObject{{QStringLiteral("name"), QStringLiteral("k%1").arg(i)}});
        for (const char *path : {"/admin/keys", "/admin/accounts", "/admin/groups", "/admin/usage/summary",
                                 "/admin/usage/top?dimension=api_keys", "/admin/redis/memory", "/admin/audit"})
            QCOMPARE(admin.get(path).status, 200);
        const QByteArray stats = h.redis().command({"INFO", "commandstats"}).toByteArray();
        QVERIFY(stats.contains("cmdstat_"));
        QVERIFY2(!stats.contains("cmdstat_keys:"), stats.constData());
    }
};

QTEST_GUILESS_MAIN(TestAdminHttp)
#include "tst_adminhttp.moc"
