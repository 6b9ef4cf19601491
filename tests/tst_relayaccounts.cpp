// SPDX-License-Identifier: GPL-3.0-or-later
// The account side of the domain model on the real request path: health transitions driven by the mock's faults
// (cooling -> half-open probe -> active), bindings to an account or a group, daily quotas, model mapping and an OAuth
// account whose token the relay refreshes against the mock's token endpoint. The state machine's and the
// scheduler's own cases are in tst_accountdirectory; here the point is that the relay drives them.
#include "domain/groupstore.h"
#include "domain/keystore.h"
#include "quotedjson.h"
#include "redis/client.h"
#include "redis/connectionoptions.h"
#include "relayharness.h"
#include "relaykeys.h"
#include "testproxy.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScopeGuard>
#include <QTest>
#include <QThread>

using namespace Relay;

namespace {

template <typename T, typename Start>
std::optional<Domain::Result<T>> waitFor(Start start)
{
    std::optional<Domain::Result<T>> result;
    start([&](const Domain::Result<T> &r) { result = r; });
    for (int i = 0; i < 500 && !result; ++i)
        QTest::qWait(10);
    return result;
}

const QByteArray Hello =
    j("{'model':'claude-sonnet-4-5','max_tokens':50,'messages':[{'role':'user','content':'hello'}]}");

} // namespace

class TstRelayAccounts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup() { m_h.reset(); }

    void coolingAccountIsProbedOnceThenActiveAgain();
    void keyBoundToAnAccountOrGroupUsesOnlyThat();
    void accountOverItsDailyQuotaIsSkipped();
    void modelMappingChangesOnlyTheModel();
    void oauthTokenIsRefreshedBeforeItExpires();
    void oauthTokenRejectedWith401IsRefreshedAndTheAccountComesBack();
    void accountProxiesCarryTheTraffic();

private:
    QByteArray account(Domain::NewAccount request)
    {
        if (request.baseUrl == Domain::Account::DefaultBaseUrl)
            request.baseUrl = m_h->mock().baseUrl().toString();
        const auto r = waitFor<Domain::Account>([&](auto cb) { m_h->accounts().create(request, nullptr, cb); });
        return r && r->ok() ? r->value.id : QByteArray();
    }
    QByteArray key(Domain::NewApiKey request)
    {
        request.name = QStringLiteral("k");
        const auto r = waitFor<Domain::CreatedApiKey>([&](auto cb) { m_h->keys().create(request, nullptr, cb); });
        return r && r->ok() ? r->value.clearKey : QByteArray();
    }
    // The credential the mock saw on its last /v1/messages request.
    QByteArray lastCredential()
    {
        const QJsonArray all = m_h->mock().requests();
        for (qsizetype i = all.size() - 1; i >= 0; --i) {
            const QJsonObject r = all.at(i).toObject();
            if (!r.value(u"path").toString().startsWith(u"/v1/messages"))
                continue;
            const QJsonObject h = r.value(u"headers").toObject();
            const QString key = h.value(u"x-api-key").toString();
            return (key.isEmpty() ? h.value(u"authorization").toString() : key).toUtf8();
        }
        return {};
    }
    QByteArray stateOf(const QByteArray &id, const QByteArray &field)
    {
        return m_h->redis().command({"HGET", "rd:{acct:" + id + "}:state", field}).toByteArray();
    }

    std::unique_ptr<RelayHarness> m_h;
};

void TstRelayAccounts::init()
{
    m_h = std::make_unique<RelayHarness>();
    QVERIFY2(m_h->start(), qPrintable(m_h->errorString()));
}

void TstRelayAccounts::coolingAccountIsProbedOnceThenActiveAgain()
{
    // A is preferred but its upstream answers 429 (retry-after 1 s) until the operator fixes its URL.
    const QByteArray a = account({.name = QStringLiteral("a"),
                                  .baseUrl = m_h->mock().baseUrl().toString() + QStringLiteral("/_fault/429"),
                                  .secret = "sk-a",
                                  .priority = 10});
    const QByteArray b = account({.name = QStringLiteral("b"), .secret = "sk-b", .priority = 20});
    QVERIFY(!a.isEmpty() && !b.isEmpty());
    const QByteArray k = key({});
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));

    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", k, Hello)).status, 200); // failed over to B
    QCOMPARE(lastCredential(), QByteArray("sk-b"));
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(a, "status"), QByteArray("cooling"), 3000);
    QVERIFY(!stateOf(a, "reason").isEmpty());
    QVERIFY(stateOf(a, "changed_at").toLongLong() > 0);
    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", k, Hello)).status, 200); // A rests
    QCOMPARE(lastCredential(), QByteArray("sk-b"));

    Domain::AccountPatch fix;
    fix.baseUrl = m_h->mock().baseUrl().toString();
    QVERIFY(waitFor<Domain::Account>([&](auto cb) { m_h->accounts().update(a, fix, nullptr, cb); })->ok());
    QTest::qWait(1300); // the cooldown ends: A is half-open

    // One slow probe goes to A; while it runs, everything else goes to B.
    RawHttpClient probe;
    QVERIFY(probe.connectTo(m_h->port()));
    probe.send(RelayHarness::post(
        "/v1/messages", k,
        j("{'model':'claude-sonnet-4-5','max_tokens':50,'messages':[{'role':'user','content':'probe'}],"
          "'mock':{'first_byte_ms':600}}")));
    QTest::qWait(150);
    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", k, Hello)).status, 200);
    QCOMPARE(lastCredential(), QByteArray("sk-b"));
    QCOMPARE(probe.read().status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(a, "status"), QByteArray("active"), 3000);
    QCOMPARE(stateOf(a, "reason"), QByteArray("probe request succeeded"));
    // (another conversation: "hello" is sticky to B by now)
    const QByteArray other = j("{'model':'claude-sonnet-4-5','max_tokens':50,'messages':[{'role':'user','content':"
                               "'something else'}]}");
    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", k, other)).status, 200);
    QCOMPARE(lastCredential(), QByteArray("sk-a")); // preferred again
}

void TstRelayAccounts::keyBoundToAnAccountOrGroupUsesOnlyThat()
{
    const QByteArray a = account({.name = QStringLiteral("a"), .secret = "sk-a", .priority = 10});
    const QByteArray b = account({.name = QStringLiteral("b"), .secret = "sk-b", .priority = 20});
    const QByteArray c = account({.name = QStringLiteral("c"),
                                  .baseUrl = m_h->mock().baseUrl().toString() + QStringLiteral("/_fault/403"),
                                  .secret = "sk-c",
                                  .priority = 30});
    QVERIFY(!a.isEmpty() && !b.isEmpty() && !c.isEmpty());
    Redis::Client client(*Redis::ConnectionOptions::fromUrl(m_h->redis().url()));
    Domain::GroupStore groups(&client, Domain::DomainKeys{});
    const auto group = waitFor<Domain::AccountGroup>(
        [&](auto cb) { groups.create(QStringLiteral("team b"), QString(), nullptr, cb); });
    QVERIFY(group && group->ok());
    const QByteArray g = group->value.id;
    std::optional<Domain::Error> added;
    groups.addMember(g, b, nullptr, [&](const Domain::Error &e) { added = e; });
    QTRY_VERIFY(added.has_value());
    QVERIFY2(!*added, qPrintable(added->message));

    const QByteArray pool = key({});
    const QByteArray toB = key({.name = {}, .boundAccountId = b});
    const QByteArray toGroup = key({.name = {}, .boundGroupId = g});
    const QByteArray toC = key({.name = {}, .boundAccountId = c});
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));

    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", pool, Hello)).status, 200);
    QCOMPARE(lastCredential(), QByteArray("sk-a"));
    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", toB, Hello)).status, 200);
    QCOMPARE(lastCredential(), QByteArray("sk-b"));
    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", toGroup, Hello)).status, 200);
    QCOMPARE(lastCredential(), QByteArray("sk-b"));
    // C is banned by its upstream (403 organization disabled): its bound key gets no other account, and says why.
    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", toC, Hello)).status, 403);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(c, "status"), QByteArray("blocked"), 3000);
    const auto refused = m_h->send(RelayHarness::post("/v1/messages", toC, Hello));
    QCOMPARE(refused.status, 503);
    QVERIFY2(refused.body.contains("bound"), refused.body.constData());
    // The pool never uses C either, and A/B still serve.
    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", pool, Hello)).status, 200);
}

void TstRelayAccounts::accountOverItsDailyQuotaIsSkipped()
{
    const QByteArray a =
        account({.name = QStringLiteral("a"), .secret = "sk-a", .priority = 10, .dailyCostQuotaNanos = 1});
    const QByteArray b = account({.name = QStringLiteral("b"), .secret = "sk-b", .priority = 20});
    QVERIFY(!a.isEmpty() && !b.isEmpty());
    const QByteArray k = key({});
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));

    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", k, Hello)).status, 200);
    QCOMPARE(lastCredential(), QByteArray("sk-a"));
    // The relay counts the cost locally at once; wait until it is also in Redis, where every instance reads it.
    const QByteArray day =
        "rd:{acct:" + a + "}:usage:d:" + QDateTime::currentDateTimeUtc().toString(u"yyyy-MM-dd").toLatin1();
    QTRY_VERIFY_WITH_TIMEOUT(m_h->redis().command({"HGET", day, "cost_nanos"}).toByteArray().toLongLong() > 0, 3000);
    // A has spent more than its quota today: the pool moves on, at once in this process.
    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", k, Hello)).status, 200);
    QCOMPARE(lastCredential(), QByteArray("sk-b"));
    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", k, Hello)).status, 200);
    QCOMPARE(lastCredential(), QByteArray("sk-b"));
}

void TstRelayAccounts::modelMappingChangesOnlyTheModel()
{
    QMap<QString, QString> mapping;
    mapping.insert(QStringLiteral("claude-sonnet-4-5"), QStringLiteral("claude-haiku-4-5-20251001"));
    QVERIFY(!account({.name = QStringLiteral("a"), .secret = "sk-a", .modelMapping = mapping}).isEmpty());
    const QByteArray k = key({});
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));

    const QByteArray body = j("{ 'model' : 'claude-sonnet-4-5', 'max_tokens':50,'messages':[{'role':'user',"
                              "'content':'model: claude-sonnet-4-5'}],'temperature':0.5}");
    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", k, body)).status, 200);
    QByteArray expected = body;
    expected.replace(j("'model' : 'claude-sonnet-4-5'"), j("'model' : 'claude-haiku-4-5-20251001'"));
    const QJsonArray all = m_h->mock().requests();
    QCOMPARE(all.last().toObject().value(u"body").toString().toUtf8(), expected);
    // Another model passes as it is.
    const QByteArray opus =
        j("{'model':'claude-opus-4-1','max_tokens':50,'messages':[{'role':'user','content':'hi'}]}");
    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", k, opus)).status, 200);
    QCOMPARE(m_h->mock().requests().last().toObject().value(u"body").toString().toUtf8(), opus);
}

void TstRelayAccounts::oauthTokenIsRefreshedBeforeItExpires()
{
    const QJsonObject state =
        m_h->mock().configureOAuth({{QStringLiteral("strict"), true},
                                    {QStringLiteral("client_id"), QString()},
                                    {QStringLiteral("refresh_tokens"), QJsonArray{QStringLiteral("rt-seed")}},
                                    {QStringLiteral("access_tokens"), QJsonObject{{QStringLiteral("at-old"), 2}}}});
    QVERIFY(!state.isEmpty());
    const QByteArray a = account({.name = QStringLiteral("oauth"),
                                  .type = Domain::AccountType::OAuth,
                                  .secret = "at-old",
                                  .refreshToken = "rt-seed",
                                  .tokenExpiresAt = QDateTime::currentMSecsSinceEpoch() + 2000});
    QVERIFY(!a.isEmpty());
    const QByteArray k = key({});
    m_h->settings().oauthTokenUrl = m_h->mock().tokenUrl().toString();
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));

    // The token expires within the refresh-ahead time: the relay refreshes it in the background at start.
    QTRY_COMPARE_WITH_TIMEOUT(m_h->mock().stats().value(u"oauth_tokens_issued").toInt(), 1, 5000);
    QTest::qWait(2500); // the old token has expired by now
    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", k, Hello)).status, 200);
    QCOMPARE(lastCredential(), QByteArray("Bearer mock-at-1"));
    // Stored for every instance, encrypted.
    const auto stored = waitFor<Domain::Account>([&](auto cb) { m_h->accounts().get(a, nullptr, cb); });
    QVERIFY(stored && stored->ok());
    QCOMPARE(stored->value.secret, QByteArray("mock-at-1"));
    QCOMPARE(stored->value.refreshToken, QByteArray("mock-rt-1"));
}

void TstRelayAccounts::oauthTokenRejectedWith401IsRefreshedAndTheAccountComesBack()
{
    m_h->mock().configureOAuth({{QStringLiteral("strict"), true},
                                {QStringLiteral("client_id"), QString()},
                                {QStringLiteral("refresh_tokens"), QJsonArray{QStringLiteral("rt-seed")}}});
    // The record says the token is good for a day, but the upstream no longer takes it.
    const QByteArray a = account({.name = QStringLiteral("oauth"),
                                  .type = Domain::AccountType::OAuth,
                                  .secret = "at-revoked",
                                  .refreshToken = "rt-seed",
                                  .tokenExpiresAt = QDateTime::currentMSecsSinceEpoch() + 86'400'000});
    QVERIFY(!a.isEmpty());
    const QByteArray k = key({});
    m_h->settings().oauthTokenUrl = m_h->mock().tokenUrl().toString();
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));

    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", k, Hello)).status, 401);
    QTRY_COMPARE_WITH_TIMEOUT(m_h->mock().stats().value(u"oauth_tokens_issued").toInt(), 1, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(a, "status"), QByteArray("active"), 3000);
    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", k, Hello)).status, 200);
    QCOMPARE(lastCredential(), QByteArray("Bearer mock-at-1"));
}

void TstRelayAccounts::accountProxiesCarryTheTraffic()
{
    // The proxies get a thread of their own: the test's thread blocks in its HTTP client while the relay works.
    QThread proxyThread;
    HttpProxy http;
    Socks5Proxy socks;
    http.moveToThread(&proxyThread);
    socks.moveToThread(&proxyThread);
    proxyThread.start();
    auto stopThread = qScopeGuard([&] {
        proxyThread.quit();
        proxyThread.wait();
    });
    bool listening = false;
    QMetaObject::invokeMethod(
        &http,
        [&] {
            listening = http.listen() && socks.listen();
            http.setCredentials("alice", "http-secret");
            socks.setCredentials("bob", "socks-secret");
        },
        Qt::BlockingQueuedConnection);
    QVERIFY(listening);
    const QString httpUrl = QStringLiteral("http://alice@127.0.0.1:%1").arg(http.port());
    const QString socksUrl = QStringLiteral("socks5://bob@127.0.0.1:%1").arg(socks.port());
    const QByteArray viaHttp = account(
        {.name = QStringLiteral("via http"), .secret = "sk-http", .proxyUrl = httpUrl, .proxyPassword = "http-secret"});
    const QByteArray viaSocks = account({.name = QStringLiteral("via socks"),
                                         .secret = "sk-socks",
                                         .proxyUrl = socksUrl,
                                         .proxyPassword = "socks-secret"});
    const QByteArray wrongPassword = account({.name = QStringLiteral("wrong proxy password"),
                                              .secret = "sk-wrong",
                                              .proxyUrl = httpUrl,
                                              .proxyPassword = "not-it"});
    QVERIFY(!viaHttp.isEmpty() && !viaSocks.isEmpty() && !wrongPassword.isEmpty());
    const QByteArray toHttp = key({.name = {}, .boundAccountId = viaHttp});
    const QByteArray toSocks = key({.name = {}, .boundAccountId = viaSocks});
    const QByteArray toWrong = key({.name = {}, .boundAccountId = wrongPassword});
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));

    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", toHttp, Hello)).status, 200);
    QCOMPARE(lastCredential(), QByteArray("sk-http"));
    QCOMPARE(http.requests(), 1); // absolute-form through the proxy, with its password
    QCOMPARE(socks.tunnels(), 0);

    const auto streamed = m_h->send(
        RelayHarness::post("/v1/messages", toSocks,
                           j("{'model':'claude-sonnet-4-5','max_tokens':50,'stream':true,'messages':[{'role':'user',"
                             "'content':'hi'}]}")));
    QCOMPARE(streamed.status, 200);
    QVERIFY(streamed.body.contains("event: message_stop"));
    QCOMPARE(lastCredential(), QByteArray("sk-socks"));
    QVERIFY(socks.tunnels() >= 1);
    QCOMPARE(http.requests(), 1);

    // A proxy that refuses the account's password never lets the request go direct: 502, the account cools.
    const int before = m_h->mock().stats().value(u"requests_total").toInt();
    const auto refused = m_h->send(RelayHarness::post("/v1/messages", toWrong, Hello));
    QCOMPARE(refused.status, 502);
    QVERIFY(http.authFailures() >= 1);
    QCOMPARE(m_h->mock().stats().value(u"requests_total").toInt(), before);
    QTRY_COMPARE_WITH_TIMEOUT(stateOf(wrongPassword, "status"), QByteArray("cooling"), 3000);
}

QTEST_GUILESS_MAIN(TstRelayAccounts)
#include "tst_relayaccounts.moc"
