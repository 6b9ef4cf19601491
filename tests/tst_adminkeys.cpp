// SPDX-License-Identifier: GPL-3.0-or-later
// The admin API's key routes, KeyJson and KeyCatalog against a real redis-server, called through an AdminRouter.
#include "admin/admincontext.h"
#include "admin/adminrouter.h"
#include "admin/keycatalog.h"
#include "admin/keyjson.h"
#include "admin/keyroutes.h"
#include "domain/changefeed.h"
#include "domain/keystore.h"
#include "domainwait.h"
#include "quotedjson.h"
#include "redis/client.h"
#include "redisserver.h"
#include "waitforcallback.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <optional>

using namespace Relay;
using namespace Relay::Admin;
using namespace Qt::StringLiterals;

namespace {

constexpr int WaitMs = 15000;

Domain::ServerSecret testSecret()
{
    return Domain::ServerSecret::fromBytes(QByteArray(Domain::ServerSecret::Size, 's'), u"test"_s);
}

QStringList names(const QJsonObject &page)
{
    QStringList out;
    for (const QJsonValue &item : page.value(u"items").toArray())
        out << item.toObject().value(u"name").toString();
    return out;
}

} // namespace

class TstAdminKeys : public QObject
{
    Q_OBJECT

private:
    RedisServer m_server;
    std::unique_ptr<Redis::Client> m_client;
    Domain::DomainKeys m_keys;
    std::unique_ptr<QObject> m_owner;
    std::unique_ptr<KeyCatalog> m_catalog;
    std::unique_ptr<AdminRouter> m_router;

    Domain::KeyStore store() const { return Domain::KeyStore(m_client.get(), m_keys, testSecret()); }

    // Starts one routed call; the result lands in *out when it answers.
    void start(const QByteArray &method, const QByteArray &pathAndQuery, const QByteArray &body,
               std::optional<AdminResult> *out)
    {
        AdminRequest request;
        request.method = method;
        const qsizetype question = pathAndQuery.indexOf('?');
        request.path = question < 0 ? pathAndQuery : pathAndQuery.left(question);
        if (question >= 0)
            request.query = QUrlQuery(QString::fromUtf8(pathAndQuery.mid(question + 1)));
        request.body = body;
        request.contentType = "application/json";
        request.user = u"admin"_s;
        const AdminRouter::Route *route = nullptr;
        if (m_router->match(method, request.path, &route, &request.params) != AdminRouter::Match::Found) {
            *out = AdminResult::failure(AdminError::notFound(u"no route"_s));
            return;
        }
        route->handler(request, [out](AdminResult result) { *out = std::move(result); });
    }

    AdminResult call(const QByteArray &method, const QByteArray &pathAndQuery, const QByteArray &body = {})
    {
        std::optional<AdminResult> result;
        start(method, pathAndQuery, body, &result);
        if (!QTest::qWaitFor([&] { return result.has_value(); }, WaitMs))
            return AdminResult::failure(AdminError::internal(u"test gave up waiting"_s));
        return *result;
    }

    QJsonObject object(const AdminResult &result) { return result.body.toObject(); }

    QJsonObject createKey(const QByteArray &body)
    {
        const AdminResult result = call("POST", "/admin/keys", body);
        if (result.status != 201)
            qWarning("create failed: %s", result.toJson().constData());
        return object(result);
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (RedisServer::executable().isEmpty())
            QFAIL("redis-server is not installed");
        QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
        m_client = std::make_unique<Redis::Client>(*Redis::ConnectionOptions::fromUrl(m_server.url()));
        QVERIFY(QTest::qWaitFor([&] { return m_client->isConnected(); }, WaitMs));
    }

    void init()
    {
        QCOMPARE(m_server.command({"FLUSHALL"}).toByteArray(), QByteArray("OK"));
        m_owner = std::make_unique<QObject>();
        m_catalog = std::make_unique<KeyCatalog>(m_client.get(), m_keys);
        m_router = std::make_unique<AdminRouter>();
        AdminContext context;
        context.redis = m_client.get();
        context.keys = m_keys;
        context.secret = testSecret();
        context.apiKeyPrefix = "rd_";
        registerKeyRoutes(*m_router, context, m_catalog.get(), m_owner.get());
    }

    void cleanup()
    {
        m_router.reset();
        m_catalog.reset();
        m_owner.reset();
    }

    void createAnswersTheClearKeyOnceAndItAuthenticates()
    {
        const QJsonObject created = createKey(j("{'name':'ci bot','tags':['ci','team-a'],'permissions':['messages'],"
                                                "'limits':{'daily_cost_usd':12.5,'window_minutes':60,"
                                                "'window_requests':100,'weekly_cost_usd':{'opus':50}}}"));
        const QByteArray clearKey = created.value(u"key").toString().toLatin1();
        QVERIFY(Domain::validateKeyFormat(clearKey));
        QVERIFY(!created.contains(u"hash"));
        QCOMPARE(created.value(u"hint").toString().toLatin1(), Domain::keyHint(clearKey));
        QCOMPARE(created.value(u"status").toString(), u"active"_s);
        const QJsonObject limits = created.value(u"limits").toObject();
        QCOMPARE(limits.value(u"daily_cost_nanos").toInteger(), 12'500'000'000LL);
        QCOMPARE(limits.value(u"daily_cost_usd").toDouble(), 12.5);
        QCOMPARE(limits.value(u"window_requests").toInteger(), qint64(100));
        QCOMPARE(limits.value(u"weekly_cost_nanos").toObject().value(u"opus").toInteger(), 50'000'000'000LL);
        QVERIFY(limits.value(u"time_zone").isNull());

        const auto found =
            DomainWait::wait<Domain::ApiKey>([&](QObject *c, auto cb) { store().findByKey(clearKey, c, cb); });
        QVERIFY2(found.ok(), qPrintable(found.error.message));
        QCOMPARE(QString::fromLatin1(found.value.id), created.value(u"id").toString());
        QCOMPARE(found.value.tags, QStringList({u"ci"_s, u"team-a"_s}));
        QCOMPARE(found.value.limits.dailyCostNanos, 12'500'000'000LL);

        // GET shows the record, never the hash nor the clear key.
        const AdminResult got = call("GET", "/admin/keys/" + found.value.id);
        QCOMPARE(got.status, 200);
        const QByteArray text = got.toJson();
        QVERIFY(!text.contains(found.value.hash));
        QVERIFY(!text.contains(clearKey));
        QVERIFY(!object(got).contains(u"hash"));
        QVERIFY(!object(got).contains(u"key"));
        QCOMPARE(object(got).value(u"name").toString(), u"ci bot"_s);
    }

    void badInputNamesEveryBadField()
    {
        const AdminResult result =
            call("POST", "/admin/keys",
                 j("{'name':'x','colour':'red','tags':[1,'ok',''],'limits':{'daily_cost_usd':-1,'speed':3},"
                   "'bound_account':'acct1','bound_group':'grp1','model_rule':'maybe','id':'abc'}"));
        QCOMPARE(result.status, 422);
        QCOMPARE(result.error.code, u"validation_failed"_s);
        const QJsonObject fields = result.error.fields;
        for (const QString &field : {u"colour"_s, u"tags[0]"_s, u"tags[2]"_s, u"limits.daily_cost_usd"_s,
                                     u"limits.speed"_s, u"bound_account"_s, u"bound_group"_s, u"model_rule"_s, u"id"_s})
            QVERIFY2(fields.contains(field),
                     qPrintable(field + u" missing in "_s + QString::fromUtf8(result.toJson())));
        QVERIFY(!fields.contains(u"name"));
        QVERIFY(!fields.contains(u"tags[1]"));
        QCOMPARE(fields.value(u"colour").toString(), u"unknown field"_s);
        QCOMPARE(m_server.command({"SCARD", m_keys.keyIndex()}).toInteger(), qint64(0));

        QCOMPARE(call("POST", "/admin/keys", j("{'description':'no name'}")).error.fields.value(u"name").toString(),
                 u"is required"_s);
        QVERIFY(call("POST", "/admin/keys", j("{'name':'x','tags':'ci'}")).error.fields.contains(u"tags"));
        QVERIFY(call("POST", "/admin/keys", j("{'name':'x','limits':{'daily_cost_usd':1,'daily_cost_nanos':5}}"))
                    .error.fields.contains(u"limits.daily_cost_nanos"));
        QVERIFY(call("POST", "/admin/keys", j("{'name':'x','limits':{'weekly_cost_usd':{'gpt':5}}}"))
                    .error.fields.contains(u"limits.weekly_cost_usd.gpt"));
        QVERIFY(call("POST", "/admin/keys", j("{'name':'x','limits':{'window_minutes':60}}"))
                    .error.fields.contains(u"limits"));
        QVERIFY(call("POST", "/admin/keys", j("{'name':'x','expires_at':1000}")).error.fields.contains(u"expires_at"));
        QVERIFY(call("POST", "/admin/keys", j("{'name':'x','concurrency_wait_ms':1000}"))
                    .error.fields.contains(u"concurrency_wait_ms"));
        QCOMPARE(call("POST", "/admin/keys", "{not json").status, 400);

        const QJsonObject created = createKey(j("{'name':'target'}"));
        const QByteArray path = "/admin/keys/" + created.value(u"id").toString().toLatin1();
        const AdminResult patch = call("PATCH", path, j("{'name':'','limits':{'total_cost_usd':'lots'},'hint':'x'}"));
        QCOMPARE(patch.status, 422);
        for (const QString &field : {u"name"_s, u"limits.total_cost_usd"_s, u"hint"_s})
            QVERIFY2(patch.error.fields.contains(field), patch.toJson().constData());
        QCOMPARE(call("PATCH", path, j("{}")).status, 400);
        QCOMPARE(call("GET", path).body.toObject().value(u"name").toString(), u"target"_s);

        const AdminResult badQuery = call("GET", "/admin/keys?status=sleeping&sort=colour");
        QCOMPARE(badQuery.status, 422);
        QVERIFY(badQuery.error.fields.contains(u"status"));
        QVERIFY(badQuery.error.fields.contains(u"sort"));
        QCOMPARE(call("GET", "/admin/keys?limit=501").status, 422);
    }

    void unknownKeysAreNotFound()
    {
        for (const auto &[method, path] : QList<std::pair<QByteArray, QByteArray>>{
                 {"GET", "/admin/keys/feedfeedfeedfeed"},
                 {"PATCH", "/admin/keys/feedfeedfeedfeed"},
                 {"POST", "/admin/keys/feedfeedfeedfeed/enable"},
                 {"POST", "/admin/keys/feedfeedfeedfeed/disable"},
                 {"POST", "/admin/keys/feedfeedfeedfeed/regenerate"},
                 {"DELETE", "/admin/keys/feedfeedfeedfeed"},
                 {"GET", "/admin/keys/bad%20id"},
             }) {
            const AdminResult result = call(method, path, method == "PATCH" ? j("{'name':'x'}") : QByteArray());
            QVERIFY2(result.status == 404,
                     qPrintable(QString::fromLatin1(method + ' ' + path) + u" → "_s + QString::number(result.status)));
            QCOMPARE(result.error.code, u"not_found"_s);
        }
        // A limits patch reads the key first: still a 404, and nothing is created.
        QCOMPARE(call("PATCH", "/admin/keys/feedfeedfeedfeed", j("{'limits':{'daily_cost_usd':1}}")).status, 404);
        QCOMPARE(m_server.command({"EXISTS", m_keys.keyRecord("feedfeedfeedfeed")}).toInteger(), qint64(0));
    }

    void listFiltersSortsAndPages()
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QHash<QString, QByteArray> ids;
        for (const QString &name : {u"Alpha"_s, u"bravo"_s, u"Charlie"_s, u"delta"_s, u"Echo alpha"_s}) {
            const QByteArray body = QJsonDocument(QJsonObject{{u"name"_s, name},
                                                              {u"tags"_s, name == u"delta" ? QJsonArray{u"team-b"_s}
                                                                                           : QJsonArray{u"team-a"_s}}})
                                        .toJson();
            ids.insert(name, createKey(body).value(u"id").toString().toLatin1());
            QTest::qWait(2); // distinct created_at
        }
        // Last use: Charlie newest, then Alpha; the others never used (newest created first).
        m_server.command({"ZADD", m_keys.keyLastUsedIndex(), QByteArray::number(now - 1000), ids[u"Charlie"_s],
                          QByteArray::number(now - 5000), ids[u"Alpha"_s]});
        QCOMPARE(call("POST", "/admin/keys/" + ids[u"bravo"_s] + "/disable").status, 200);
        Domain::ApiKeyChanges expire;
        expire.expiresAt = now - 60'000;
        QVERIFY(DomainWait::wait<Domain::ApiKey>([&](QObject *c, auto cb) {
                    store().update(ids[u"delta"_s], expire, c, cb);
                }).ok());
        m_catalog->reload(ids[u"delta"_s]); // what the change feed would do
        QTRY_VERIFY_WITH_TIMEOUT(
            m_catalog->find(ids[u"delta"_s]) && m_catalog->find(ids[u"delta"_s])->expiresAt == now - 60'000, WaitMs);

        const AdminResult all = call("GET", "/admin/keys");
        QCOMPARE(all.status, 200);
        QCOMPARE(names(object(all)), QStringList({u"Charlie"_s, u"Alpha"_s, u"Echo alpha"_s, u"delta"_s, u"bravo"_s}));
        QCOMPARE(object(all).value(u"total").toInteger(), qint64(5));
        QCOMPARE(object(all).value(u"limit").toInteger(), qint64(50));
        const QJsonObject charlie = object(all).value(u"items").toArray().at(0).toObject();
        QCOMPARE(charlie.value(u"last_used_at").toInteger(), now - 1000);
        QVERIFY(!charlie.contains(u"hash"));

        QCOMPARE(names(object(call("GET", "/admin/keys?sort=name"))),
                 QStringList({u"Alpha"_s, u"bravo"_s, u"Charlie"_s, u"delta"_s, u"Echo alpha"_s}));
        QCOMPARE(names(object(call("GET", "/admin/keys?sort=created"))),
                 QStringList({u"Echo alpha"_s, u"delta"_s, u"Charlie"_s, u"bravo"_s, u"Alpha"_s}));
        QCOMPARE(names(object(call("GET", "/admin/keys?q=ALPHA&sort=name"))),
                 QStringList({u"Alpha"_s, u"Echo alpha"_s}));
        QCOMPARE(names(object(call("GET", "/admin/keys?q=" + ids[u"bravo"_s].left(8)))), QStringList({u"bravo"_s}));
        QCOMPARE(names(object(call("GET", "/admin/keys?tag=team-b"))), QStringList({u"delta"_s}));
        QCOMPARE(names(object(call("GET", "/admin/keys?status=disabled"))), QStringList({u"bravo"_s}));
        QCOMPARE(names(object(call("GET", "/admin/keys?status=expired"))), QStringList({u"delta"_s}));
        QCOMPARE(names(object(call("GET", "/admin/keys?status=active&sort=name"))),
                 QStringList({u"Alpha"_s, u"Charlie"_s, u"Echo alpha"_s}));

        const QJsonObject page = object(call("GET", "/admin/keys?sort=name&offset=1&limit=2"));
        QCOMPARE(names(page), QStringList({u"bravo"_s, u"Charlie"_s}));
        QCOMPARE(page.value(u"total").toInteger(), qint64(5));
        QCOMPARE(page.value(u"offset").toInteger(), qint64(1));
        QCOMPARE(page.value(u"limit").toInteger(), qint64(2));
        QCOMPARE(names(object(call("GET", "/admin/keys?offset=10"))), QStringList());

        // A newer use moves a key to the top on the next listing (no change-feed message for uses).
        m_server.command({"ZADD", m_keys.keyLastUsedIndex(), QByteArray::number(now), ids[u"delta"_s]});
        QCOMPARE(names(object(call("GET", "/admin/keys?limit=2"))), QStringList({u"delta"_s, u"Charlie"_s}));
    }

    void concurrentPatchesOfDifferentFieldsBothSurvive()
    {
        const QJsonObject created =
            createKey(j("{'name':'before','limits':{'window_minutes':60,'window_requests':100}}"));
        const QByteArray path = "/admin/keys/" + created.value(u"id").toString().toLatin1();
        for (int round = 0; round < 5; ++round) {
            const QByteArray name = "name " + QByteArray::number(round);
            std::optional<AdminResult> renamed;
            std::optional<AdminResult> limited;
            // Both in flight at once: the limits patch reads the key, the rename writes meanwhile.
            start("PATCH", path, j("{'limits':{'daily_cost_usd':") + QByteArray::number(round + 1) + "}}", &limited);
            start("PATCH", path, "{\"name\":\"" + name + "\"}", &renamed);
            QTRY_VERIFY_WITH_TIMEOUT(renamed && limited, WaitMs);
            QCOMPARE(renamed->status, 200);
            QCOMPARE(limited->status, 200);
            const QJsonObject now = object(call("GET", path));
            QCOMPARE(now.value(u"name").toString(), QString::fromLatin1(name));
            const QJsonObject limits = now.value(u"limits").toObject();
            QCOMPARE(limits.value(u"daily_cost_nanos").toInteger(), (round + 1) * 1'000'000'000LL);
            QCOMPARE(limits.value(u"window_requests").toInteger(), qint64(100)); // merged, not replaced
            QCOMPARE(limits.value(u"window_minutes").toInteger(), qint64(60));
        }
        // null removes one limit, and a family's weekly limit is merged per family.
        QCOMPARE(call("PATCH", path, j("{'limits':{'weekly_cost_usd':{'opus':10,'haiku':1}}}")).status, 200);
        const AdminResult removed =
            call("PATCH", path, j("{'limits':{'daily_cost_usd':null,'weekly_cost_nanos':{'haiku':0}}}"));
        QCOMPARE(removed.status, 200);
        const QJsonObject limits = object(removed).value(u"limits").toObject();
        QCOMPARE(limits.value(u"daily_cost_nanos").toInteger(), qint64(0));
        QCOMPARE(limits.value(u"weekly_cost_nanos").toObject(), QJsonObject({{u"opus"_s, 10'000'000'000LL}}));
        // A merge that leaves a window without any limit in it is refused, naming limits.
        const AdminResult broken = call("PATCH", path, j("{'limits':{'window_requests':0}}"));
        QCOMPARE(broken.status, 422);
        QVERIFY(broken.error.fields.contains(u"limits"));
    }

    void enableDisableRegenerateAndDelete()
    {
        const QJsonObject created = createKey(j("{'name':'rotating'}"));
        const QByteArray id = created.value(u"id").toString().toLatin1();
        const QByteArray oldKey = created.value(u"key").toString().toLatin1();
        const QByteArray path = "/admin/keys/" + id;

        const AdminResult disabled = call("POST", path + "/disable");
        QCOMPARE(disabled.status, 200);
        QCOMPARE(object(disabled).value(u"status").toString(), u"disabled"_s);
        QCOMPARE(object(disabled).value(u"enabled").toBool(), false);
        QCOMPARE(object(call("POST", path + "/enable")).value(u"status").toString(), u"active"_s);

        const AdminResult regenerated = call("POST", path + "/regenerate");
        QCOMPARE(regenerated.status, 200);
        const QByteArray newKey = object(regenerated).value(u"key").toString().toLatin1();
        QVERIFY(Domain::validateKeyFormat(newKey));
        QVERIFY(newKey != oldKey);
        QCOMPARE(
            DomainWait::wait<Domain::ApiKey>([&](QObject *c, auto cb) { store().findByKey(oldKey, c, cb); }).error.kind,
            Domain::Error::Kind::NotFound);
        QVERIFY(DomainWait::wait<Domain::ApiKey>([&](QObject *c, auto cb) { store().findByKey(newKey, c, cb); }).ok());
        QVERIFY(!object(call("GET", path)).contains(u"key"));

        m_server.command({"ZADD", m_keys.keyLastUsedIndex(), "1000", id});
        const AdminResult deleted = call("DELETE", path);
        QCOMPARE(deleted.status, 204);
        QCOMPARE(call("GET", path).status, 404);
        QCOMPARE(object(call("GET", "/admin/keys")).value(u"total").toInteger(), qint64(0));
        QTRY_COMPARE_WITH_TIMEOUT(m_server.command({"ZSCORE", m_keys.keyLastUsedIndex(), id}).isNil(), true, WaitMs);
        QCOMPARE(call("DELETE", path).status, 404);
    }

    void catalogFollowsChangesMadeElsewhere()
    {
        // The CLI's path: another process's KeyStore on its own connection, heard through the change feed.
        Redis::Client other(*Redis::ConnectionOptions::fromUrl(m_server.url()));
        const Domain::KeyStore cli(&other, m_keys, testSecret());
        const auto first = DomainWait::wait<Domain::CreatedApiKey>(
            [&](QObject *c, auto cb) { cli.create({.name = u"existing"_s}, c, cb); });
        QVERIFY(first.ok());

        QSignalSpy loaded(m_catalog.get(), &KeyCatalog::loaded);
        m_catalog->load();
        QVERIFY(loaded.wait(WaitMs));
        QCOMPARE(m_catalog->size(), qsizetype(1));
        QVERIFY(m_catalog->lastLoadMs() >= 0);

        Domain::ChangeFeed feed(*Redis::ConnectionOptions::fromUrl(m_server.url()), m_keys);
        QSignalSpy listening(&feed, &Domain::ChangeFeed::listening);
        m_catalog->follow(&feed);
        QVERIFY(feed.isListening() || listening.wait(WaitMs));

        const auto created = DomainWait::wait<Domain::CreatedApiKey>(
            [&](QObject *c, auto cb) { cli.create({.name = u"made by the CLI"_s}, c, cb); });
        QVERIFY(created.ok());
        const QByteArray id = created.value.key.id;
        QTRY_VERIFY_WITH_TIMEOUT(m_catalog->find(id) != nullptr, WaitMs);

        Domain::ApiKeyChanges changes;
        changes.name = u"renamed by the CLI"_s;
        changes.tags = QStringList{u"cli"_s};
        QVERIFY(DomainWait::wait<Domain::ApiKey>([&](QObject *c, auto cb) { cli.update(id, changes, c, cb); }).ok());
        QTRY_COMPARE_WITH_TIMEOUT(m_catalog->find(id)->name, u"renamed by the CLI"_s, WaitMs);
        QCOMPARE(names(object(call("GET", "/admin/keys?tag=cli"))), QStringList({u"renamed by the CLI"_s}));

        QVERIFY(!DomainWait::waitDone([&](QObject *c, auto cb) { cli.remove(id, c, cb); }));
        QTRY_VERIFY_WITH_TIMEOUT(m_catalog->find(id) == nullptr, WaitMs);
        QCOMPARE(object(call("GET", "/admin/keys")).value(u"total").toInteger(), qint64(1));

        // A lost subscription reloads everything: a key written without any publish shows up.
        Domain::ApiKey silent = first.value.key;
        silent.id = "silentkey0000001";
        silent.hash = QByteArray(64, 'b');
        silent.name = u"written without a publish"_s;
        QList<QByteArray> hset{"HSET", m_keys.keyRecord(silent.id)};
        hset << silent.toRecordFields();
        m_server.command(hset);
        m_server.command({"SADD", m_keys.keyIndex(), silent.id});
        Q_EMIT feed.resyncNeeded();
        QTRY_VERIFY_WITH_TIMEOUT(m_catalog->find(silent.id) != nullptr, WaitMs);
        QCOMPARE(m_catalog->size(), qsizetype(2));
    }

    void listWaitsForTheFirstLoad()
    {
        for (int i = 0; i < 3; ++i)
            QVERIFY(DomainWait::wait<Domain::CreatedApiKey>([&](QObject *c, auto cb) {
                        store().create({.name = u"key %1"_s.arg(i)}, c, cb);
                    }).ok());
        QVERIFY(!m_catalog->isLoaded());
        const AdminResult listed = call("GET", "/admin/keys?sort=name");
        QCOMPARE(listed.status, 200);
        QCOMPARE(names(object(listed)), QStringList({u"key 0"_s, u"key 1"_s, u"key 2"_s}));
        QVERIFY(m_catalog->isLoaded());
    }

    void routesAreDocumented()
    {
        const QJsonObject paths = m_router->openApi(u"test"_s).value(u"paths").toObject();
        QVERIFY(paths.value(u"/admin/keys").toObject().contains(u"get"));
        QCOMPARE(paths.value(u"/admin/keys").toObject().value(u"post").toObject().value(u"operationId").toString(),
                 u"keys.create"_s);
        QVERIFY(paths.value(u"/admin/keys/{id}/regenerate").toObject().contains(u"post"));
        QVERIFY(paths.value(u"/admin/keys/{id}").toObject().contains(u"delete"));
    }
};

QTEST_GUILESS_MAIN(TstAdminKeys)
#include "tst_adminkeys.moc"
