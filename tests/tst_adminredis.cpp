// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/admincontext.h"
#include "admin/adminrouter.h"
#include "admin/redisinspector.h"
#include "admin/redisroutes.h"
#include "redis/client.h"
#include "redis/connectionoptions.h"

#include "quotedjson.h"
#include "redisserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using Relay::Admin::AdminContext;
using Relay::Admin::AdminRequest;
using Relay::Admin::AdminResult;
using Relay::Admin::AdminRouter;
using Relay::Admin::RedisInspector;

class TstAdminRedis : public QObject
{
    Q_OBJECT

private:
    RedisServer m_server;
    std::unique_ptr<Relay::Redis::Client> m_client;
    std::unique_ptr<QObject> m_owner;
    AdminRouter m_router;

    // Calls the route's handler as the admin API would and waits for its answer.
    AdminResult call(const QByteArray &method, const QByteArray &target, const QByteArray &body = {})
    {
        const qsizetype question = target.indexOf('?');
        AdminRequest request;
        request.method = method;
        request.path = question < 0 ? target : target.left(question);
        if (question >= 0)
            request.query = QUrlQuery(QString::fromUtf8(target.mid(question + 1)));
        request.body = body;
        request.contentType = "application/json";
        request.user = u"admin"_s;
        const AdminRouter::Route *route = nullptr;
        if (m_router.match(method, request.path, &route, &request.params) != AdminRouter::Match::Found) {
            AdminResult missing = AdminResult::failure(Relay::Admin::AdminError::notFound(u"no route"_s));
            return missing;
        }
        std::optional<AdminResult> result;
        route->handler(request, [&result](AdminResult answer) { result = std::move(answer); });
        if (!QTest::qWaitFor([&] { return result.has_value(); }, 10000))
            return AdminResult::failure(Relay::Admin::AdminError::internal(u"no answer within 10 s"_s));
        return *result;
    }

    QJsonObject okBody(const QByteArray &method, const QByteArray &target, const QByteArray &body = {})
    {
        const AdminResult result = call(method, target, body);
        if (!result.ok())
            qWarning("%s %s failed: %s", method.constData(), target.constData(), result.toJson().constData());
        return result.ok() ? result.body.toObject() : QJsonObject();
    }

    static QJsonObject find(const QJsonArray &items, const QString &field, const QString &value)
    {
        for (const QJsonValue &item : items) {
            if (item.toObject().value(field).toString() == value)
                return item.toObject();
        }
        return {};
    }

    void flush() { QVERIFY(!m_server.command({"FLUSHALL"}).isError()); }

private Q_SLOTS:
    void initTestCase()
    {
        if (RedisServer::executable().isEmpty())
            QSKIP("redis-server is not installed");
        QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
        m_client = std::make_unique<Relay::Redis::Client>(*Relay::Redis::ConnectionOptions::fromUrl(m_server.url()));
        QTRY_VERIFY_WITH_TIMEOUT(m_client->isConnected(), 5000);
        m_owner = std::make_unique<QObject>();
        AdminContext context;
        context.redis = m_client.get();
        Relay::Admin::registerRedisRoutes(m_router, context, m_owner.get());
    }

    void cleanupTestCase()
    {
        m_router = AdminRouter();
        m_owner.reset();
        m_client.reset();
    }

    void routesAreDocumented()
    {
        QVERIFY(m_router.routes().size() >= 9);
        for (const AdminRouter::Route &route : m_router.routes()) {
            QVERIFY2(route.doc.operationId.startsWith(u"redis."_s), qPrintable(route.pattern));
            QCOMPARE(route.doc.tag, u"redis"_s);
            QVERIFY(!route.doc.summary.isEmpty());
        }
        const QJsonObject paths = m_router.openApi(u"test"_s).value(u"paths"_s).toObject();
        QVERIFY(paths.value(u"/admin/redis/config/slowlog"_s).toObject().contains(u"put"_s));
        QVERIFY(paths.value(u"/admin/redis/slowlog/reset"_s).toObject().contains(u"post"_s));
    }

    void slowlogSettingsRoundTripThroughPut()
    {
        const QJsonObject before = okBody("GET", "/admin/redis/config/slowlog");
        QCOMPARE(before.value(u"slower_than_us"_s).toInteger(), 10000); // redis default
        const QJsonObject after = okBody("PUT", "/admin/redis/config/slowlog", j("{'slower_than_us':0,'max_len':500}"));
        QCOMPARE(after.value(u"slower_than_us"_s).toInteger(), 0);
        QCOMPARE(after.value(u"max_len"_s).toInteger(), 500);
        QCOMPARE(m_server.command({"CONFIG", "GET", "slowlog-max-len"}).toList().value(1), QByteArray("500"));
        // Only the given field changes.
        const QJsonObject partial = okBody("PUT", "/admin/redis/config/slowlog", j("{'max_len':128}"));
        QCOMPARE(partial.value(u"slower_than_us"_s).toInteger(), 0);
        QCOMPARE(partial.value(u"max_len"_s).toInteger(), 128);
    }

    void slowlogSettingsRejectBadValuesPerField()
    {
        const AdminResult bad =
            call("PUT", "/admin/redis/config/slowlog", j("{'slower_than_us':-2,'max_len':1.5,'other':1}"));
        QCOMPARE(bad.status, 422);
        QCOMPARE(bad.error.code, u"validation_failed"_s);
        QVERIFY(bad.error.fields.contains(u"slower_than_us"_s));
        QVERIFY(bad.error.fields.contains(u"max_len"_s));
        QVERIFY(bad.error.fields.contains(u"other"_s));
        QCOMPARE(call("PUT", "/admin/redis/config/slowlog", j("{'max_len':'10'}")).status, 422);
        QCOMPARE(call("PUT", "/admin/redis/config/slowlog", j("{}")).status, 422);
        QCOMPARE(call("PUT", "/admin/redis/config/slowlog", "not json").status, 400);
        QCOMPARE(call("PUT", "/admin/redis/config/slowlog", j("[1]")).status, 400);
        // Nothing was changed by the rejected requests.
        QCOMPARE(m_server.command({"CONFIG", "GET", "slowlog-max-len"}).toList().value(1), QByteArray("128"));
    }

    void slowlogShowsCommandsWithPasswordsMasked()
    {
        okBody("PUT", "/admin/redis/config/slowlog", j("{'slower_than_us':0}"));
        QVERIFY(okBody("POST", "/admin/redis/slowlog/reset").value(u"reset"_s).toBool());
        // The slowlog records the client's name at the time of the command.
        QVERIFY(!m_server.command({"CLIENT", "SETNAME", "inspector-test"}).isError());
        QVERIFY(!m_server.command({"SET", "slow:visible", "value-1"}).isError());
        QVERIFY(!m_server.command({"HSET", "slow:hash", "f", "v"}).isError());
        // Secrets in the forms a slowlog could record them (harmless here: no replica, masterauth is unused).
        QVERIFY(!m_server.command({"CONFIG", "SET", "masterauth", "hunter2-master"}).isError());
        // Whether these succeed depends on the server's ACL set-up; what matters is that no slowlog shows them.
        m_server.command({"AUTH", "hunter2-auth"});
        m_server.command({"HELLO", "2", "AUTH", "default", "hunter2-hello"});
        QVERIFY(!m_server.command({"CONFIG", "SET", "masterauth", ""}).isError());

        const QJsonObject log = okBody("GET", "/admin/redis/slowlog?count=100");
        const QJsonArray items = log.value(u"items"_s).toArray();
        QVERIFY(log.value(u"length"_s).toInteger() >= 3);
        QVERIFY(!items.isEmpty());
        const QByteArray json = QJsonDocument(log).toJson();
        QVERIFY2(!json.contains("hunter2"), json.constData());

        bool sawSet = false;
        for (const QJsonValue &value : items) {
            const QJsonObject item = value.toObject();
            const QJsonArray command = item.value(u"command"_s).toArray();
            if (command.size() == 3 && command.at(0).toString() == u"SET"_s &&
                command.at(1).toString() == u"slow:visible"_s) {
                sawSet = true;
                QCOMPARE(command.at(2).toString(), u"value-1"_s);
                QVERIFY(item.value(u"time"_s).toInteger() > 1600000000000LL); // ms since the epoch
                QVERIFY(item.value(u"duration_us"_s).toInteger() >= 0);
                QVERIFY(item.value(u"client_addr"_s).toString().startsWith(u"127.0.0.1:"_s));
                QCOMPARE(item.value(u"client_name"_s).toString(), u"inspector-test"_s);
            }
        }
        QVERIFY(sawSet);

        QCOMPARE(call("GET", "/admin/redis/slowlog?count=0").status, 422);
        QCOMPARE(call("GET", "/admin/redis/slowlog?count=1025").status, 422);
        QCOMPARE(call("GET", "/admin/redis/slowlog?count=x").status, 422);
        QCOMPARE(okBody("GET", "/admin/redis/slowlog?count=1").value(u"items"_s).toArray().size(), 1);
    }

    void slowlogResetEmptiesIt()
    {
        okBody("PUT", "/admin/redis/config/slowlog", j("{'slower_than_us':1000000}"));
        QVERIFY(okBody("POST", "/admin/redis/slowlog/reset").value(u"reset"_s).toBool());
        const QJsonObject log = okBody("GET", "/admin/redis/slowlog");
        QCOMPARE(log.value(u"length"_s).toInteger(), 0);
        QVERIFY(log.value(u"items"_s).toArray().isEmpty());
        okBody("PUT", "/admin/redis/config/slowlog", j("{'slower_than_us':10000}"));
    }

    void maskCommandHidesEverySecretForm()
    {
        using L = QList<QByteArray>;
        const QByteArray r("(redacted)");
        QCOMPARE(RedisInspector::maskCommand(L{"AUTH", "pw"}), (L{"AUTH", r}));
        QCOMPARE(RedisInspector::maskCommand(L{"auth", "user", "pw"}), (L{"auth", r, r}));
        QCOMPARE(RedisInspector::maskCommand(L{"HELLO", "3", "AUTH", "default", "pw", "SETNAME", "x"}),
                 (L{"HELLO", "3", "AUTH", "default", r, "SETNAME", "x"}));
        QCOMPARE(RedisInspector::maskCommand(L{"HELLO", "3", "AUTH", "default"}), (L{"HELLO", "3", "AUTH", r}));
        QCOMPARE(RedisInspector::maskCommand(L{"CONFIG", "SET", "requirepass", "pw", "maxmemory", "1mb"}),
                 (L{"CONFIG", "SET", "requirepass", r, "maxmemory", "1mb"}));
        QCOMPARE(RedisInspector::maskCommand(L{"config", "set", "MASTERAUTH", "pw"}),
                 (L{"config", "set", "MASTERAUTH", r}));
        QCOMPARE(RedisInspector::maskCommand(L{"MIGRATE", "h", "1", "a", "0", "5", "AUTH2", "u", "pw"}),
                 (L{"MIGRATE", "h", "1", "a", "0", "5", "AUTH2", "u", r}));
        QCOMPARE(RedisInspector::maskCommand(L{"ACL", "SETUSER", "bob", "on", ">pw", "~*"}),
                 (L{"ACL", "SETUSER", "bob", "on", r, "~*"}));
        QCOMPARE(RedisInspector::maskCommand(L{"GET", "auth"}), (L{"GET", "auth"}));
        QCOMPARE(RedisInspector::maskCommand(L{"CONFIG", "GET", "requirepass"}), (L{"CONFIG", "GET", "requirepass"}));
    }

    void commandstatsCountsCallsAndSorts()
    {
        QVERIFY(!m_server.command({"CONFIG", "RESETSTAT"}).isError());
        for (int i = 0; i < 25; ++i)
            QVERIFY(!m_server.command({"INCR", "stats:counter"}).isError());
        QVERIFY(!m_server.command({"CLIENT", "SETNAME", "stats"}).isError());
        // A slow one: a Lua busy loop of some milliseconds.
        QVERIFY(!m_server.command({"EVAL", "local x = 0 for i = 1, 3000000 do x = x + i end return 1", "0"}).isError());

        const QJsonArray items = okBody("GET", "/admin/redis/commandstats?sort=calls").value(u"items"_s).toArray();
        const QJsonObject incr = find(items, u"command"_s, u"incr"_s);
        QCOMPARE(incr.value(u"calls"_s).toInteger(), 25);
        QVERIFY(incr.value(u"usec"_s).toInteger() > 0);
        QVERIFY(incr.contains(u"usec_per_call"_s));
        QCOMPARE(incr.value(u"rejected_calls"_s).toInteger(), 0);
        QCOMPARE(incr.value(u"failed_calls"_s).toInteger(), 0);
        QCOMPARE(find(items, u"command"_s, u"client|setname"_s).value(u"calls"_s).toInteger(), 1);
        QCOMPARE(items.at(0).toObject().value(u"command"_s).toString(), u"incr"_s);
        for (qsizetype i = 1; i < items.size(); ++i)
            QVERIFY(items.at(i - 1).toObject().value(u"calls"_s).toInteger() >=
                    items.at(i).toObject().value(u"calls"_s).toInteger());

        const QJsonArray byUsec = okBody("GET", "/admin/redis/commandstats").value(u"items"_s).toArray();
        QCOMPARE(byUsec.at(0).toObject().value(u"command"_s).toString(), u"eval"_s);
        const QJsonArray perCall =
            okBody("GET", "/admin/redis/commandstats?sort=usec_per_call").value(u"items"_s).toArray();
        for (qsizetype i = 1; i < perCall.size(); ++i)
            QVERIFY(perCall.at(i - 1).toObject().value(u"usec_per_call"_s).toDouble() >=
                    perCall.at(i).toObject().value(u"usec_per_call"_s).toDouble());

        const AdminResult bad = call("GET", "/admin/redis/commandstats?sort=name");
        QCOMPARE(bad.status, 422);
        QVERIFY(bad.error.fields.contains(u"sort"_s));
    }

    void commandstatsParsesOlderServersWithoutRejectedFields()
    {
        const QJsonObject old = RedisInspector::parseInfoSection(
            "# Commandstats\r\ncmdstat_get:calls=7,usec=14,usec_per_call=2.00\r\n", true);
        const QJsonObject get = old.value(u"cmdstat_get"_s).toObject();
        QCOMPARE(get.value(u"calls"_s).toInteger(), 7);
        QCOMPARE(get.value(u"usec_per_call"_s).toDouble(), 2.0);
        QVERIFY(!get.contains(u"rejected_calls"_s));
    }

    void infoSectionsAreParsed()
    {
        flush();
        QVERIFY(!m_server.command({"SET", "info:a", "1"}).isError());
        QVERIFY(!m_server.command({"SET", "info:b", "1", "EX", "100"}).isError());
        const QJsonObject info = okBody("GET", "/admin/redis/info");
        for (const char *section : {"server", "clients", "memory", "persistence", "stats", "keyspace"})
            QVERIFY2(info.contains(QLatin1StringView(section)), section);
        const QJsonObject server = info.value(u"server"_s).toObject();
        QVERIFY(server.value(u"redis_version"_s).isString());
        QVERIFY(server.value(u"redis_version"_s).toString().count(u'.') == 2);
        QVERIFY(server.value(u"tcp_port"_s).isDouble());
        QCOMPARE(server.value(u"tcp_port"_s).toInteger(), m_server.port());
        QVERIFY(server.value(u"redis_git_sha1"_s).isString()); // "00000000" stays a string
        QVERIFY(info.value(u"clients"_s).toObject().value(u"connected_clients"_s).toInteger() >= 1);
        QVERIFY(info.value(u"memory"_s).toObject().value(u"used_memory"_s).toInteger() > 0);
        const QJsonObject db0 = info.value(u"keyspace"_s).toObject().value(u"db0"_s).toObject();
        // Redis's own field names: db0:keys=2,expires=1,avg_ttl=…
        QVERIFY(QJsonDocument(db0).toJson(QJsonDocument::Compact).contains(QByteArrayLiteral("keys\":2")));
        QCOMPARE(db0.value(u"expires"_s).toInteger(), 1);
        QVERIFY(db0.contains(u"avg_ttl"_s));

        const QJsonObject some = okBody("GET", "/admin/redis/info?section=Memory,%20cpu");
        QCOMPARE(some.keys(), (QStringList{u"cpu"_s, u"memory"_s}));
        QVERIFY(some.value(u"cpu"_s).toObject().value(u"used_cpu_sys"_s).isDouble());

        QCOMPARE(call("GET", "/admin/redis/info?section=all").status, 422);
        QCOMPARE(call("GET", "/admin/redis/info?section=server;flushall").status, 422);
    }

    void dbsizeAndLatencyAnswer()
    {
        flush();
        QVERIFY(!m_server.command({"MSET", "d:1", "a", "d:2", "b", "d:3", "c"}).isError());
        QCOMPARE(okBody("GET", "/admin/redis/dbsize").value(u"db_keys"_s).toInteger(), 3);

        QVERIFY(!m_server.command({"CONFIG", "SET", "latency-monitor-threshold", "1"}).isError());
        // A Lua busy loop of some milliseconds is a "command" latency spike.
        QVERIFY(!m_server.command({"EVAL", "local x = 0 for i = 1, 5000000 do x = x + i end return 1", "0"}).isError());
        const QJsonArray rows = okBody("GET", "/admin/redis/latency").value(u"items"_s).toArray();
        QVERIFY(!m_server.command({"CONFIG", "SET", "latency-monitor-threshold", "0"}).isError());
        const QJsonObject spike = find(rows, u"event"_s, u"command"_s);
        QVERIFY2(!spike.isEmpty(), QJsonDocument(rows).toJson().constData());
        QVERIFY(spike.value(u"time"_s).toInteger() > 1600000000000LL); // ms since the epoch
        QVERIFY(spike.value(u"latest_ms"_s).toInteger() >= 1);
        QVERIFY(spike.value(u"max_ms"_s).toInteger() >= spike.value(u"latest_ms"_s).toInteger());
    }

    void normalisedPrefixReplacesIdsDaysAndHashes()
    {
        QCOMPARE(RedisInspector::normalisedPrefix("rd:{key:4f2a9c1e-77aa-4e1b-9a0e-0c5b2d7f3a11}:usage:d:2024-05-01"),
                 QByteArray("rd:{key:*}:usage:d:*"));
        QCOMPARE(RedisInspector::normalisedPrefix("rd:{acct:k3x9q2}:usage:h:2024-05-01T13"),
                 QByteArray("rd:{acct:*}:usage:h:*"));
        QCOMPARE(RedisInspector::normalisedPrefix("rd:sticky:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15"),
                 QByteArray("rd:sticky:*"));
        QCOMPARE(RedisInspector::normalisedPrefix("rd:{key:17}:limits:wk:2024-W18"),
                 QByteArray("rd:{key:*}:limits:wk:*"));
        QCOMPARE(RedisInspector::normalisedPrefix("rd:key_ids"), QByteArray("rd:key_ids"));
        QCOMPARE(RedisInspector::normalisedPrefix("rd:sticky:fbdfcfbdfcfbdfcfbdfc"), QByteArray("rd:sticky:*"));
        QCOMPARE(RedisInspector::normalisedPrefix("rd:{key:1}:limits:total"), QByteArray("rd:{key:*}:limits:total"));
        QCOMPARE(RedisInspector::normalisedPrefix("rd:{key:abc123}:record"), QByteArray("rd:{key:*}:record"));
    }

    void memorySamplingGroupsByPrefixWithinTheSampleBudget()
    {
        flush();
        // Three shapes: 3000 usage hashes, 1500 sticky strings, 500 records: 5000 keys.
        QList<QList<QByteArray>> load;
        for (int i = 0; i < 3000; ++i)
            load.append({"HSET",
                         "rd:{key:" + QByteArray::number(100000 + i / 10) + "}:usage:d:2024-05-" +
                             QByteArray::number(10 + i % 10),
                         "requests", "1", "input_tokens", "1234"});
        for (int i = 0; i < 1500; ++i)
            load.append({"SET", "rd:sticky:" + QByteArray::number(i * 7919 + 1000000, 16).repeated(4), "acct"});
        for (int i = 0; i < 500; ++i)
            load.append({"HSET", "rd:{acct:" + QByteArray::number(5000 + i) + "}:record", "name", "account name",
                         "notes", QByteArray(200, 'x')});
        for (const RedisServer::Reply &reply : m_server.commands(load))
            QVERIFY(!reply.isError());
        QCOMPARE(m_server.command({"DBSIZE"}).toInteger(), 5000);

        QVERIFY(!m_server.command({"CONFIG", "RESETSTAT"}).isError());
        const QJsonObject memory = okBody("GET", "/admin/redis/memory?samples=1500");
        QCOMPARE(memory.value(u"db_keys"_s).toInteger(), 5000);
        QCOMPARE(memory.value(u"sampled_keys"_s).toInteger(), 1500);
        QVERIFY(!memory.value(u"complete"_s).toBool());
        const QJsonArray items = memory.value(u"items"_s).toArray();
        QCOMPARE(items.size(), 3);

        const struct
        {
            QString prefix;
            qint64 keys;
        } expected[] = {{u"rd:{key:*}:usage:d:*"_s, 3000}, {u"rd:sticky:*"_s, 1500}, {u"rd:{acct:*}:record"_s, 500}};
        qint64 previousBytes = std::numeric_limits<qint64>::max();
        for (const QJsonValue &value : items) {
            const qint64 bytes = value.toObject().value(u"estimated_bytes"_s).toInteger();
            QVERIFY(bytes <= previousBytes); // sorted by estimated bytes
            previousBytes = bytes;
        }
        for (const auto &shape : expected) {
            const QJsonObject group = find(items, u"prefix"_s, shape.prefix);
            QVERIFY2(!group.isEmpty(), qPrintable(shape.prefix));
            const qint64 estimated = group.value(u"estimated_keys"_s).toInteger();
            QVERIFY2(qAbs(estimated - shape.keys) <= shape.keys * 3 / 10,
                     qPrintable(u"%1: %2 estimated for %3"_s.arg(shape.prefix).arg(estimated).arg(shape.keys)));
            QVERIFY(group.value(u"sampled_bytes"_s).toInteger() > 0);
            QVERIFY(group.value(u"estimated_bytes"_s).toInteger() >= group.value(u"sampled_bytes"_s).toInteger());
        }

        // MEMORY USAGE ran once per sampled key, never more; SCAN walked only part of the keyspace.
        const QByteArray stats = m_server.command({"INFO", "commandstats"}).toByteArray();
        const QJsonObject parsed = RedisInspector::parseInfoSection(stats, true);
        QCOMPARE(parsed.value(u"cmdstat_memory|usage"_s).toObject().value(u"calls"_s).toInteger(), 1500);
        QVERIFY(parsed.value(u"cmdstat_scan"_s).toObject().value(u"calls"_s).toInteger() < 5000 / 10);

        // A small keyspace is walked to its end.
        const QJsonObject all = okBody("GET", "/admin/redis/memory?samples=10000");
        QVERIFY(all.value(u"complete"_s).toBool());
        QCOMPARE(all.value(u"sampled_keys"_s).toInteger(), 5000);
        QCOMPARE(
            find(all.value(u"items"_s).toArray(), u"prefix"_s, u"rd:sticky:*"_s).value(u"estimated_keys"_s).toInteger(),
            1500);
    }

    void memorySamplingValidatesAndHandlesAnEmptyDatabase()
    {
        QCOMPARE(call("GET", "/admin/redis/memory?samples=0").status, 422);
        const AdminResult big = call("GET", "/admin/redis/memory?samples=10001");
        QCOMPARE(big.status, 422);
        QVERIFY(big.error.fields.contains(u"samples"_s));
        flush();
        const QJsonObject empty = okBody("GET", "/admin/redis/memory");
        QCOMPARE(empty.value(u"db_keys"_s).toInteger(), 0);
        QCOMPARE(empty.value(u"sampled_keys"_s).toInteger(), 0);
        QVERIFY(empty.value(u"items"_s).toArray().isEmpty());
    }

    void unreachableRedisIsUnavailable()
    {
        m_server.pause();
        const AdminResult result = call("GET", "/admin/redis/dbsize");
        m_server.resume();
        QCOMPARE(result.status, 503);
        QCOMPARE(result.error.code, u"unavailable"_s);
        QTRY_VERIFY_WITH_TIMEOUT(m_client->isConnected(), 10000);
    }
};

QTEST_GUILESS_MAIN(TstAdminRedis)
#include "tst_adminredis.moc"
