// SPDX-License-Identifier: GPL-3.0-or-later
// The admin API's account and group routes, called through an AdminRouter against a real redis-server and the mock
// upstream: secrets are write-only (never in an answer), validation names the bad fields, PATCH writes only what it
// is given, the health reset, group membership on both sides, and the account test request against the mock and
// its faults.
#include "admin/accountroutes.h"
#include "admin/adminrouter.h"
#include "admin/grouproutes.h"
#include "domain/accountstore.h"
#include "domain/serversecret.h"
#include "domainwait.h"
#include "freeport.h"
#include "mockupstream.h"
#include "quotedjson.h"
#include "redis/client.h"
#include "redis/connectionoptions.h"
#include "redisserver.h"
#include "testproxy.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace Relay;
using namespace Qt::StringLiterals;

namespace {

constexpr int WaitMs = 15000;

struct Answer
{
    int status = 0;
    QByteArray raw;
    QJsonObject json;
    QJsonObject fields() const { return json.value(u"error").toObject().value(u"fields").toObject(); }
    QString code() const { return json.value(u"error").toObject().value(u"code").toString(); }
};

const QByteArray ApiSecret = "sk-ant-api-SECRET-1111";
const QByteArray OAuthSecret = "oat-SECRET-2222";
const QByteArray RefreshSecret = "ort-SECRET-3333";
const QByteArray ProxySecret = "proxy-SECRET-4444";

} // namespace

class TstAdminAccounts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase();

    void createsApiKeyAndOAuthAccountsAndNeverAnswersASecret();
    void validationErrorsNameTheFields();
    void patchChangesOnlyTheGivenFields();
    void concurrentPatchesOfDifferentFieldsBothSurvive();
    void resetClearsABlockedState();
    void enableDisableSchedulableAndDelete();
    void groupsCrudAndMembershipOnBothSides();
    void testRouteAnswersOkWithLatencyAndLeavesHealthAndUsageAlone();
    void testRouteReportsUpstreamFaults();
    void testRouteGoesThroughTheAccountProxy();
    void everyRouteIsDocumented();

private:
    Answer call(const QByteArray &method, const QByteArray &target, const QByteArray &body = {});
    // Starts a call; the answer lands in *out.
    void start(const QByteArray &method, const QByteArray &target, const QByteArray &body, Answer *out, bool *done);
    QString createAccount(const QByteArray &body);
    QByteArray apiKeyBody(const QString &name, const QString &baseUrl) const;
    Domain::AccountStore store() const
    {
        return Domain::AccountStore(m_client.get(), m_keys, Domain::SecretBox(m_secret.encryptionKey()));
    }

    RedisServer m_server;
    MockUpstream m_mock;
    std::unique_ptr<Redis::Client> m_client;
    std::unique_ptr<QObject> m_owner;
    Domain::DomainKeys m_keys;
    Domain::ServerSecret m_secret = Domain::ServerSecret::fromBytes(QByteArray(Domain::ServerSecret::Size, 's'));
    Admin::AdminRouter m_router;
};

void TstAdminAccounts::initTestCase()
{
    if (RedisServer::executable().isEmpty())
        QFAIL("redis-server is not installed");
    QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
    QVERIFY2(m_mock.start(), qPrintable(m_mock.errorString()));
    m_client = std::make_unique<Redis::Client>(*Redis::ConnectionOptions::fromUrl(m_server.url()));
    QVERIFY(QTest::qWaitFor([&] { return m_client->isConnected(); }, WaitMs));
    m_owner = std::make_unique<QObject>();
    Admin::AdminContext context;
    context.redis = m_client.get();
    context.keys = m_keys;
    context.secret = m_secret;
    Admin::registerAccountRoutes(m_router, context, m_owner.get());
    Admin::registerGroupRoutes(m_router, context, m_owner.get());
}

void TstAdminAccounts::init()
{
    QCOMPARE(m_server.command({"FLUSHALL"}).toByteArray(), QByteArray("OK"));
    QVERIFY(m_mock.reset());
}

void TstAdminAccounts::cleanupTestCase()
{
    m_owner.reset(); // the tester's calls and client go before the Redis client
    m_client.reset();
}

void TstAdminAccounts::start(const QByteArray &method, const QByteArray &target, const QByteArray &body, Answer *out,
                             bool *done)
{
    Admin::AdminRequest request;
    request.method = method;
    const qsizetype q = target.indexOf('?');
    request.path = q < 0 ? target : target.left(q);
    if (q >= 0)
        request.query = QUrlQuery(QString::fromUtf8(target.mid(q + 1)));
    request.body = body;
    request.contentType = "application/json";
    request.user = QStringLiteral("admin");
    const Admin::AdminRouter::Route *route = nullptr;
    QCOMPARE(m_router.match(method, request.path, &route, &request.params), Admin::AdminRouter::Match::Found);
    route->handler(request, [out, done](const Admin::AdminResult &result) {
        out->status = result.status;
        out->raw = result.toJson();
        out->json = QJsonDocument::fromJson(out->raw).object();
        *done = true;
    });
}

Answer TstAdminAccounts::call(const QByteArray &method, const QByteArray &target, const QByteArray &body)
{
    Answer answer;
    bool done = false;
    start(method, target, body, &answer, &done);
    if (!QTest::qWaitFor([&] { return done; }, WaitMs))
        qWarning("no answer to %s %s", method.constData(), target.constData());
    return answer;
}

QByteArray TstAdminAccounts::apiKeyBody(const QString &name, const QString &baseUrl) const
{
    return QJsonDocument(QJsonObject{{u"type"_s, u"apikey"_s},
                                     {u"name"_s, name},
                                     {u"base_url"_s, baseUrl},
                                     {u"secret"_s, QString::fromLatin1(ApiSecret)}})
        .toJson(QJsonDocument::Compact);
}

QString TstAdminAccounts::createAccount(const QByteArray &body)
{
    const Answer a = call("POST", "/admin/accounts", body);
    if (a.status != 201)
        qWarning("create failed: %s", a.raw.constData());
    return a.json.value(u"id").toString();
}

void TstAdminAccounts::createsApiKeyAndOAuthAccountsAndNeverAnswersASecret()
{
    const QString base = m_mock.baseUrl().toString();
    const Answer api = call("POST", "/admin/accounts",
                            QJsonDocument(QJsonObject{{u"type"_s, u"apikey"_s},
                                                      {u"name"_s, u"  main key "_s},
                                                      {u"base_url"_s, base + u"/"_s},
                                                      {u"secret"_s, QString::fromLatin1(ApiSecret)},
                                                      {u"priority"_s, 10},
                                                      {u"max_concurrency"_s, 3},
                                                      {u"proxy_url"_s, u"http://relay@127.0.0.1:3128"_s},
                                                      {u"proxy_password"_s, QString::fromLatin1(ProxySecret)},
                                                      {u"model_mapping"_s, QJsonObject{{u"a"_s, u"b"_s}}},
                                                      {u"daily_cost_quota_usd"_s, 2.5},
                                                      {u"notes"_s, u"first"_s}})
                                .toJson(QJsonDocument::Compact));
    QCOMPARE(api.status, 201);
    const QJsonObject a = api.json;
    QCOMPARE(a.value(u"name").toString(), QStringLiteral("main key"));
    QCOMPARE(a.value(u"type").toString(), QStringLiteral("apikey"));
    QCOMPARE(a.value(u"base_url").toString(), base);
    QCOMPARE(a.value(u"priority").toInt(), 10);
    QCOMPARE(a.value(u"has_secret").toBool(), true);
    QCOMPARE(a.value(u"has_proxy_password").toBool(), true);
    QCOMPARE(a.value(u"has_refresh_token").toBool(), false);
    QCOMPARE(a.value(u"proxy_url").toString(), QStringLiteral("http://relay@127.0.0.1:3128"));
    QCOMPARE(a.value(u"daily_cost_quota_nanos").toInteger(), 2'500'000'000LL);
    QCOMPARE(a.value(u"model_mapping").toObject().value(u"a").toString(), QStringLiteral("b"));
    QCOMPARE(a.value(u"in_flight").toInt(-1), 0);
    QCOMPARE(a.value(u"health").toObject().value(u"status").toString(), QStringLiteral("active"));
    QVERIFY(!a.contains(u"secret") && !a.contains(u"proxy_password"));

    const qint64 expires = QDateTime::currentMSecsSinceEpoch() + 3'600'000;
    const Answer oauth = call("POST", "/admin/accounts",
                              QJsonDocument(QJsonObject{{u"type"_s, u"oauth"_s},
                                                        {u"name"_s, u"pro"_s},
                                                        {u"secret"_s, QString::fromLatin1(OAuthSecret)},
                                                        {u"refresh_token"_s, QString::fromLatin1(RefreshSecret)},
                                                        {u"token_expires_at"_s, expires}})
                                  .toJson(QJsonDocument::Compact));
    QCOMPARE(oauth.status, 201);
    QCOMPARE(oauth.json.value(u"type").toString(), QStringLiteral("oauth"));
    QCOMPARE(oauth.json.value(u"base_url").toString(), QStringLiteral("https://api.anthropic.com"));
    QCOMPARE(oauth.json.value(u"has_refresh_token").toBool(), true);
    QCOMPARE(oauth.json.value(u"token_expires_at").toInteger(), expires);
    QVERIFY(oauth.json.value(u"in_flight").isNull()); // no concurrency limit, no leases

    // The secrets were stored (encrypted) as given...
    const QByteArray apiId = a.value(u"id").toString().toUtf8();
    const QByteArray oauthId = oauth.json.value(u"id").toString().toUtf8();
    const Domain::AccountStore accounts = store();
    const auto storedApi = DomainWait::wait<Domain::Account>([&](QObject *c, auto cb) { accounts.get(apiId, c, cb); });
    QCOMPARE(storedApi.value.secret, ApiSecret);
    QCOMPARE(storedApi.value.proxyPassword, ProxySecret);
    const auto storedOAuth =
        DomainWait::wait<Domain::Account>([&](QObject *c, auto cb) { accounts.get(oauthId, c, cb); });
    QCOMPARE(storedOAuth.value.secret, OAuthSecret);
    QCOMPARE(storedOAuth.value.refreshToken, RefreshSecret);
    QVERIFY(!m_server.command({"HGET", m_keys.accountRecord(apiId), "secret"}).toByteArray().contains(ApiSecret));

    // ...and no answer ever carries one.
    const QList<Answer> answers{api, oauth, call("GET", "/admin/accounts/" + apiId),
                                call("GET", "/admin/accounts/" + oauthId), call("GET", "/admin/accounts")};
    for (const Answer &answer : answers) {
        QVERIFY(answer.status == 200 || answer.status == 201);
        for (const QByteArray &secret : {ApiSecret, OAuthSecret, RefreshSecret, ProxySecret})
            QVERIFY2(!answer.raw.contains(secret), answer.raw.constData());
        QVERIFY(!answer.raw.contains("\"secret\"") && !answer.raw.contains("\"refresh_token\"") &&
                !answer.raw.contains("\"proxy_password\""));
    }
    const QJsonObject listed = answers.last().json;
    QCOMPARE(listed.value(u"total").toInt(), 2);
    QCOMPARE(listed.value(u"limit").toInt(), 50);
    QCOMPARE(listed.value(u"items").toArray().first().toObject().value(u"id").toString(), QString::fromLatin1(apiId));
    const Answer paged = call("GET", "/admin/accounts?offset=1&limit=1");
    QCOMPARE(paged.json.value(u"items").toArray().size(), 1);
    QCOMPARE(paged.json.value(u"items").toArray().first().toObject().value(u"id").toString(),
             QString::fromLatin1(oauthId));
    QCOMPARE(call("GET", "/admin/accounts/nope").status, 404);
    QCOMPARE(call("GET", "/admin/accounts?limit=501").status, 422);

    // in_flight counts the account's unexpired concurrency leases (every relay instance's).
    const QByteArray leases = m_keys.keySpace().account(apiId, "leases");
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_server.command({"ZADD", leases, QByteArray::number(now + 60'000), "r1", QByteArray::number(now + 60'000), "r2",
                      QByteArray::number(now - 1000), "expired"});
    QCOMPARE(call("GET", "/admin/accounts/" + apiId).json.value(u"in_flight").toInt(), 2);
    QCOMPARE(
        call("GET", "/admin/accounts").json.value(u"items").toArray().first().toObject().value(u"in_flight").toInt(),
        2);
}

void TstAdminAccounts::validationErrorsNameTheFields()
{
    Answer bad = call("POST", "/admin/accounts",
                      j("{'type':'apikey','name':'','base_url':'ftp://x','secret':'two words','priority':5000,"
                        "'max_concurrency':-1,'proxy_url':'http://127.0.0.1','model_mapping':{'a':''},"
                        "'notes':7,'colour':'red','id':'x','schedulable':'yes'}"));
    QCOMPARE(bad.status, 422);
    QCOMPARE(bad.code(), QStringLiteral("validation_failed"));
    const QStringList expected{u"name"_s,       u"base_url"_s,      u"secret"_s, u"priority"_s, u"max_concurrency"_s,
                               u"proxy_url"_s,  u"model_mapping"_s, u"notes"_s,  u"colour"_s,   u"id"_s,
                               u"schedulable"_s};
    for (const QString &field : expected)
        QVERIFY2(bad.fields().contains(field), qPrintable(field + u": "_s + QString::fromUtf8(bad.raw)));
    QCOMPARE(bad.fields().size(), expected.size());

    bad = call("POST", "/admin/accounts", j("{'name':'a','secret':'s'}"));
    QCOMPARE(bad.status, 422);
    QVERIFY(bad.fields().contains(u"type"));
    bad = call("POST", "/admin/accounts", j("{'type':'apikey','name':'a','secret':'s'}"));
    QCOMPARE(bad.fields().keys(), QStringList{u"base_url"_s}); // an API key names its upstream
    bad = call("POST", "/admin/accounts",
               j("{'type':'apikey','name':'a','base_url':'https://x.test','secret':'s',"
                 "'refresh_token':'r'}"));
    QCOMPARE(bad.fields().keys(), QStringList{u"refresh_token"_s});
    bad = call("POST", "/admin/accounts", j("{'type':'oauth','name':'a'}"));
    QCOMPARE(bad.fields().keys(), QStringList{u"secret"_s});
    bad = call("POST", "/admin/accounts", j("{'type':'oauth','name':'a','secret':'s','proxy_password':'p'}"));
    QCOMPARE(bad.fields().keys(), QStringList{u"proxy_password"_s});
    bad = call("POST", "/admin/accounts", j("{'type':'mystery','name':'a','secret':'s'}"));
    QCOMPARE(bad.fields().keys(), QStringList{u"type"_s});
    bad = call("POST", "/admin/accounts", j("{'type':'oauth','name':'a','secret':'s','priority':1.5}"));
    QCOMPARE(bad.fields().keys(), QStringList{u"priority"_s});
    QCOMPARE(call("POST", "/admin/accounts", "{not json").status, 400);
    QCOMPARE(call("POST", "/admin/accounts", "").status, 400);
    QCOMPARE(m_server.command({"SCARD", m_keys.accountIndex()}).toInteger(), 0); // nothing was stored

    const QString id = createAccount(apiKeyBody(u"k"_s, u"https://x.test"_s));
    QVERIFY(!id.isEmpty());
    const QByteArray item = "/admin/accounts/" + id.toUtf8();
    bad = call("PATCH", item, j("{'type':'oauth','group_ids':['g'],'has_secret':false,'secret':''}"));
    QCOMPARE(bad.status, 422);
    QCOMPARE(bad.fields().size(), 4);
    QVERIFY(bad.fields().contains(u"type") && bad.fields().contains(u"group_ids") &&
            bad.fields().contains(u"has_secret") && bad.fields().contains(u"secret"));
    bad = call("PATCH", item, j("{'refresh_token':'rt'}")); // an API-key account has no refresh token
    QCOMPARE(bad.status, 422);
    QCOMPARE(bad.fields().keys(), QStringList{u"refresh_token"_s});
    QCOMPARE(call("PATCH", item, "{}").status, 400);
    QCOMPARE(call("PATCH", "/admin/accounts/nope", j("{'notes':'x'}")).status, 404);
}

void TstAdminAccounts::patchChangesOnlyTheGivenFields()
{
    const QString id = createAccount(apiKeyBody(u"k"_s, u"https://x.test"_s));
    const QByteArray item = "/admin/accounts/" + id.toUtf8();
    QVERIFY(call("PATCH", item, j("{'notes':'hello','priority':7}")).status == 200);
    const Answer before = call("GET", item);

    const Answer patched = call("PATCH", item, j("{'notes':'changed'}"));
    QCOMPARE(patched.status, 200);
    QJsonObject expected = before.json;
    expected.insert(u"notes"_s, u"changed"_s);
    expected.insert(u"updated_at"_s, patched.json.value(u"updated_at"));
    QCOMPARE(patched.json, expected);

    // The secret is write-only but replaceable; clearing the notes removes the field.
    QCOMPARE(call("PATCH", item, j("{'secret':'sk-new-one','notes':null}")).status, 200);
    const Domain::AccountStore accounts = store();
    const auto stored =
        DomainWait::wait<Domain::Account>([&](QObject *c, auto cb) { accounts.get(id.toUtf8(), c, cb); });
    QCOMPARE(stored.value.secret, QByteArray("sk-new-one"));
    QCOMPARE(stored.value.notes, QString());
    QCOMPARE(stored.value.priority, 7);
    QVERIFY(!m_server.command({"HEXISTS", m_keys.accountRecord(id.toUtf8()), "notes"}).toInteger());
}

void TstAdminAccounts::concurrentPatchesOfDifferentFieldsBothSurvive()
{
    const QString id = createAccount(apiKeyBody(u"k"_s, u"https://x.test"_s));
    const QByteArray item = "/admin/accounts/" + id.toUtf8();
    for (int round = 0; round < 5; ++round) {
        Answer first, second;
        bool firstDone = false, secondDone = false;
        const QByteArray name = "name-" + QByteArray::number(round);
        start("PATCH", item, "{\"name\":\"" + name + "\"}", &first, &firstDone);
        start("PATCH", item, "{\"priority\":" + QByteArray::number(100 + round) + "}", &second, &secondDone);
        QVERIFY(QTest::qWaitFor([&] { return firstDone && secondDone; }, WaitMs));
        QCOMPARE(first.status, 200);
        QCOMPARE(second.status, 200);
        const Answer now = call("GET", item);
        QCOMPARE(now.json.value(u"name").toString(), QString::fromLatin1(name));
        QCOMPARE(now.json.value(u"priority").toInt(), 100 + round);
    }
}

void TstAdminAccounts::resetClearsABlockedState()
{
    const QString id = createAccount(apiKeyBody(u"k"_s, u"https://x.test"_s));
    const QString other = createAccount(apiKeyBody(u"other"_s, u"https://y.test"_s));
    const qint64 until = QDateTime::currentMSecsSinceEpoch() + 600'000;
    m_server.command({"HSET", m_keys.accountState(id.toUtf8()), "status", "blocked", "reason", "organisation disabled",
                      "until", "0", "changed_at", "123", "cooling:opus",
                      QByteArray::number(until) + " 124 weekly opus limit"});
    const QByteArray item = "/admin/accounts/" + id.toUtf8();
    const QJsonObject health = call("GET", item).json.value(u"health").toObject();
    QCOMPARE(health.value(u"status").toString(), QStringLiteral("blocked"));
    QCOMPARE(health.value(u"reason").toString(), QStringLiteral("organisation disabled"));
    QCOMPARE(health.value(u"changed_at").toInteger(), 123);
    const QJsonObject opus = health.value(u"family_cooldowns").toObject().value(u"opus").toObject();
    QCOMPARE(opus.value(u"until").toInteger(), until);
    QCOMPARE(opus.value(u"reason").toString(), QStringLiteral("weekly opus limit"));

    Answer blocked = call("GET", "/admin/accounts?status=blocked");
    QCOMPARE(blocked.json.value(u"total").toInt(), 1);
    QCOMPARE(blocked.json.value(u"items").toArray().first().toObject().value(u"id").toString(), id);
    QCOMPARE(
        call("GET", "/admin/accounts?status=active").json.value(u"items").toArray().first().toObject().value(u"id"),
        QJsonValue(other));
    QCOMPARE(call("GET", "/admin/accounts?status=sleepy").status, 422);

    const Answer reset = call("POST", item + "/reset");
    QCOMPARE(reset.status, 200);
    const QJsonObject after = reset.json.value(u"health").toObject();
    QCOMPARE(after.value(u"status").toString(), QStringLiteral("active"));
    QCOMPARE(after.value(u"reason").toString(), QStringLiteral("reset by operator"));
    QVERIFY(after.value(u"family_cooldowns").toObject().isEmpty());
    QCOMPARE(call("GET", "/admin/accounts?status=blocked").json.value(u"total").toInt(), 0);
    QCOMPARE(call("GET", "/admin/accounts?status=active").json.value(u"total").toInt(), 2);
    QCOMPARE(call("POST", "/admin/accounts/nope/reset").status, 404);

    // A cooldown whose time has passed reads as half_open.
    m_server.command({"HSET", m_keys.accountState(id.toUtf8()), "status", "cooling", "until", "1000"});
    QCOMPARE(call("GET", item).json.value(u"health").toObject().value(u"status").toString(),
             QStringLiteral("half_open"));
}

void TstAdminAccounts::enableDisableSchedulableAndDelete()
{
    const QString id = createAccount(apiKeyBody(u"k"_s, u"https://x.test"_s));
    const QByteArray item = "/admin/accounts/" + id.toUtf8();
    Answer a = call("POST", item + "/disable");
    QCOMPARE(a.status, 200);
    QCOMPARE(a.json.value(u"enabled").toBool(), false);
    QCOMPARE(call("POST", item + "/enable").json.value(u"enabled").toBool(), true);
    a = call("POST", item + "/schedulable", j("{'schedulable':false}"));
    QCOMPARE(a.status, 200);
    QCOMPARE(a.json.value(u"schedulable").toBool(), false);
    QCOMPARE(call("POST", item + "/schedulable", j("{'schedulable':'no'}")).fields().keys(),
             QStringList{u"schedulable"_s});
    QCOMPARE(call("POST", item + "/schedulable", j("{'schedulable':true,'x':1}")).fields().keys(), QStringList{u"x"_s});
    QCOMPARE(call("POST", "/admin/accounts/nope/disable").status, 404);

    QCOMPARE(call("DELETE", item).status, 204);
    QCOMPARE(call("GET", item).status, 404);
    QCOMPARE(call("DELETE", item).status, 404);
    QCOMPARE(m_server.command({"SCARD", m_keys.accountIndex()}).toInteger(), 0);
}

void TstAdminAccounts::groupsCrudAndMembershipOnBothSides()
{
    const QString account = createAccount(apiKeyBody(u"k"_s, u"https://x.test"_s));
    Answer g = call("POST", "/admin/groups", j("{'name':' team ','description':'the team'}"));
    QCOMPARE(g.status, 201);
    const QString group = g.json.value(u"id").toString();
    QCOMPARE(g.json.value(u"name").toString(), QStringLiteral("team"));
    const QByteArray item = "/admin/groups/" + group.toUtf8();

    g = call("POST", item + "/members", "{\"account_id\":\"" + account.toUtf8() + "\"}");
    QCOMPARE(g.status, 200);
    QCOMPARE(g.json.value(u"member_ids").toArray(), QJsonArray{account});
    QCOMPARE(call("GET", "/admin/accounts/" + account.toUtf8()).json.value(u"group_ids").toArray(), QJsonArray{group});
    QCOMPARE(m_server.command({"SISMEMBER", m_keys.groupMembers(group.toUtf8()), account.toUtf8()}).toInteger(), 1);
    QCOMPARE(call("POST", item + "/members", j("{'account_id':'nope'}")).status, 404);
    QCOMPARE(call("POST", "/admin/groups/nope/members", "{\"account_id\":\"" + account.toUtf8() + "\"}").status, 404);
    QCOMPARE(call("POST", item + "/members", j("{'account':'x'}")).fields().size(), 2);

    // A description alone keeps the name.
    g = call("PATCH", item, j("{'description':'renamed'}"));
    QCOMPARE(g.status, 200);
    QCOMPARE(g.json.value(u"name").toString(), QStringLiteral("team"));
    QCOMPARE(g.json.value(u"description").toString(), QStringLiteral("renamed"));
    QCOMPARE(call("PATCH", item, j("{'name':'crew'}")).json.value(u"name").toString(), QStringLiteral("crew"));
    QCOMPARE(call("PATCH", item, j("{'name':'','colour':1}")).fields().size(), 2);
    QCOMPARE(call("POST", "/admin/groups", j("{'description':'x'}")).fields().keys(), QStringList{u"name"_s});
    const Answer listed = call("GET", "/admin/groups");
    QCOMPARE(listed.json.value(u"total").toInt(), 1);
    QCOMPARE(listed.json.value(u"items").toArray().first().toObject().value(u"member_count").toInt(), 1);

    QCOMPARE(call("DELETE", item + "/members/" + account.toUtf8()).status, 204);
    QCOMPARE(call("DELETE", item + "/members/" + account.toUtf8()).status, 404);
    QVERIFY(call("GET", item).json.value(u"member_ids").toArray().isEmpty());
    QVERIFY(call("GET", "/admin/accounts/" + account.toUtf8()).json.value(u"group_ids").toArray().isEmpty());

    // Deleting a group takes it out of its members' lists.
    QCOMPARE(call("POST", item + "/members", "{\"account_id\":\"" + account.toUtf8() + "\"}").status, 200);
    QCOMPARE(call("DELETE", item).status, 204);
    QCOMPARE(call("GET", item).status, 404);
    QVERIFY(call("GET", "/admin/accounts/" + account.toUtf8()).json.value(u"group_ids").toArray().isEmpty());
    QCOMPARE(call("GET", "/admin/groups").json.value(u"total").toInt(), 0);
}

void TstAdminAccounts::testRouteAnswersOkWithLatencyAndLeavesHealthAndUsageAlone()
{
    const QString base = m_mock.baseUrl().toString();
    const QString api = createAccount(apiKeyBody(u"api"_s, base));
    Answer t = call("POST", "/admin/accounts/" + api.toUtf8() + "/test");
    QCOMPARE(t.status, 200);
    QVERIFY2(t.json.value(u"ok").toBool(), t.raw.constData());
    QCOMPARE(t.json.value(u"status").toInt(), 200);
    QVERIFY(t.json.value(u"latency_ms").toInteger(-1) >= 0);
    QVERIFY(t.json.value(u"first_byte_ms").toInteger(-1) >= 0);
    QVERIFY(t.json.value(u"first_byte_ms").toInteger() <= t.json.value(u"latency_ms").toInteger());
    QVERIFY(t.json.value(u"error_type").isNull());
    QCOMPARE(t.json.value(u"model").toString(), QStringLiteral("claude-3-5-haiku-20241022"));
    QVERIFY(t.json.value(u"usage").toObject().value(u"output_tokens").toInt() > 0);

    QJsonArray seen = m_mock.requests();
    QCOMPARE(seen.size(), 1);
    QJsonObject request = seen.first().toObject();
    QCOMPARE(request.value(u"path").toString(), QStringLiteral("/v1/messages"));
    QCOMPARE(request.value(u"headers").toObject().value(u"x-api-key").toString(), QString::fromLatin1(ApiSecret));
    const QJsonObject sentBody = QJsonDocument::fromJson(request.value(u"body").toString().toUtf8()).object();
    QCOMPARE(sentBody.value(u"max_tokens").toInt(), 1);

    // OAuth: the bearer token and the OAuth beta header; a model from the body goes through the account's mapping.
    const QString oauth =
        createAccount(QJsonDocument(QJsonObject{{u"type"_s, u"oauth"_s},
                                                {u"name"_s, u"pro"_s},
                                                {u"base_url"_s, base},
                                                {u"secret"_s, QString::fromLatin1(OAuthSecret)},
                                                {u"model_mapping"_s, QJsonObject{{u"cheap"_s, u"claude-haiku-4-5"_s}}}})
                          .toJson(QJsonDocument::Compact));
    t = call("POST", "/admin/accounts/" + oauth.toUtf8() + "/test", j("{'model':'cheap'}"));
    QVERIFY2(t.json.value(u"ok").toBool(), t.raw.constData());
    QCOMPARE(t.json.value(u"model").toString(), QStringLiteral("claude-haiku-4-5"));
    seen = m_mock.requests();
    request = seen.last().toObject();
    const QJsonObject headers = request.value(u"headers").toObject();
    QCOMPARE(headers.value(u"authorization").toString(), u"Bearer "_s + QString::fromLatin1(OAuthSecret));
    QVERIFY(headers.value(u"anthropic-beta").toString().contains(u"oauth-2025-04-20"));
    QVERIFY(!headers.contains(u"x-api-key"));

    // No health verdict, no usage.
    for (const QString &id : {api, oauth}) {
        QCOMPARE(m_server.command({"EXISTS", m_keys.accountState(id.toUtf8())}).toInteger(), 0);
        QCOMPARE(m_server.command({"EXISTS", m_keys.keySpace().account(id.toUtf8(), "usage:total")}).toInteger(), 0);
        QVERIFY(!m_server.command({"HEXISTS", m_keys.accountRecord(id.toUtf8()), "last_used_at"}).toInteger());
    }

    QCOMPARE(call("POST", "/admin/accounts/nope/test").status, 404);
    QCOMPARE(call("POST", "/admin/accounts/" + api.toUtf8() + "/test", j("{'timeout_ms':5,'x':1}")).status, 422);
}

void TstAdminAccounts::testRouteReportsUpstreamFaults()
{
    const QString base = m_mock.baseUrl().toString();
    struct Case
    {
        QString baseUrl;
        int status;
        QString errorType;
    };
    const QList<Case> cases{
        {base + u"/_fault/401"_s, 401, u"unauthorized"_s},
        {base + u"/_fault/529"_s, 529, u"overloaded"_s},
        {base + u"/_fault/429"_s, 429, u"rate_limited"_s},
        {u"http://127.0.0.1:%1"_s.arg(freePort()), 0, u"unreachable"_s},
        {base + u"/_fault/hang"_s, 0, u"timeout"_s},
    };
    for (const Case &c : cases) {
        const QString id = createAccount(apiKeyBody(u"faulty"_s, c.baseUrl));
        const Answer t = call("POST", "/admin/accounts/" + id.toUtf8() + "/test", j("{'timeout_ms':1500}"));
        QCOMPARE(t.status, 200);
        QVERIFY2(!t.json.value(u"ok").toBool(), t.raw.constData());
        QCOMPARE(t.json.value(u"error_type").toString(), c.errorType);
        QCOMPARE(t.json.value(u"status").toInt(), c.status);
        QVERIFY(t.json.value(u"latency_ms").toInteger(-1) >= 0);
        QVERIFY(!t.json.value(u"error_message").toString().isEmpty());
        if (c.status == 401)
            QCOMPARE(t.json.value(u"upstream_error_type").toString(), QStringLiteral("authentication_error"));
        if (c.errorType == u"timeout")
            QVERIFY(t.json.value(u"latency_ms").toInteger() >= 1400);
        QVERIFY(!t.raw.contains(ApiSecret));
        // The test's verdict is not the relay's: the health stays untouched.
        QCOMPARE(m_server.command({"EXISTS", m_keys.accountState(id.toUtf8())}).toInteger(), 0);
    }
}

void TstAdminAccounts::testRouteGoesThroughTheAccountProxy()
{
    HttpProxy proxy;
    QVERIFY(proxy.listen());
    proxy.setCredentials("relay", ProxySecret);
    const QString body =
        QString::fromUtf8(QJsonDocument(QJsonObject{{u"type"_s, u"apikey"_s},
                                                    {u"name"_s, u"proxied"_s},
                                                    {u"base_url"_s, m_mock.baseUrl().toString()},
                                                    {u"secret"_s, QString::fromLatin1(ApiSecret)},
                                                    {u"proxy_url"_s, u"http://relay@127.0.0.1:%1"_s.arg(proxy.port())},
                                                    {u"proxy_password"_s, QString::fromLatin1(ProxySecret)}})
                              .toJson(QJsonDocument::Compact));
    const QString id = createAccount(body.toUtf8());
    const QByteArray test = "/admin/accounts/" + id.toUtf8() + "/test";
    Answer t = call("POST", test);
    QVERIFY2(t.json.value(u"ok").toBool(), t.raw.constData());
    QCOMPARE(proxy.requests() + proxy.tunnels(), 1);
    const int failures = proxy.authFailures(); // Qt may ask once without credentials first

    // With the wrong password the proxy refuses, and the test says so instead of going around it.
    QCOMPARE(call("PATCH", "/admin/accounts/" + id.toUtf8(), j("{'proxy_password':'wrong'}")).status, 200);
    const int before = int(m_mock.stats().value(u"requests_total").toInt());
    t = call("POST", test, j("{'timeout_ms':3000}"));
    QVERIFY2(!t.json.value(u"ok").toBool(), t.raw.constData());
    QVERIFY(!t.json.value(u"error_type").toString().isEmpty());
    QVERIFY(proxy.authFailures() > failures);
    QCOMPARE(m_mock.stats().value(u"requests_total").toInt(), before);
    QVERIFY(!t.raw.contains("wrong") && !t.raw.contains(ProxySecret));
}

void TstAdminAccounts::everyRouteIsDocumented()
{
    QStringList operations;
    for (const Admin::AdminRouter::Route &route : m_router.routes()) {
        QVERIFY(!route.doc.operationId.isEmpty() && !route.doc.summary.isEmpty());
        QVERIFY(route.doc.tag == u"accounts" || route.doc.tag == u"groups");
        operations << route.doc.operationId;
    }
    QCOMPARE(operations.size(), 17);
    QCOMPARE(QSet<QString>(operations.begin(), operations.end()).size(), operations.size());
    const QJsonObject paths = m_router.openApi(u"test"_s).value(u"paths").toObject();
    QVERIFY(paths.contains(u"/admin/accounts/{id}/test"));
    QVERIFY(paths.contains(u"/admin/groups/{id}/members/{account_id}"));
}

QTEST_GUILESS_MAIN(TstAdminAccounts)
#include "tst_adminaccounts.moc"
