// SPDX-License-Identifier: GPL-3.0-or-later
// OAuth token refresh against the mock's token endpoint and a real redis-server: OAuthClient (success, refused
// grant, server errors, bad JSON, timeout, proxy) and TokenRefresher (ahead of expiry, two instances racing on one
// account, failures, on-demand refresh).
#include "domain/accountstore.h"
#include "domain/serversecret.h"
#include "mockupstream.h"
#include "redis/client.h"
#include "redisserver.h"
#include "relay/accountdirectory.h"
#include "relay/accountsync.h"
#include "relay/tokenrefresher.h"
#include "testproxy.h"
#include "upstream/oauthclient.h"
#include "upstream/proxyurl.h"
#include "waitforcallback.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Relay;
using namespace Relay::Proxy;
using Upstream::OAuthClient;
using Upstream::OAuthRefreshRequest;
using Upstream::OAuthRefreshResult;
using Failure = OAuthRefreshResult::Failure;

namespace {

constexpr int WaitMs = 15000;
const QByteArray ClientId = "test-client-id";

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

Domain::SecretBox box()
{
    return Domain::SecretBox(
        Domain::ServerSecret::fromBytes(QByteArray(Domain::ServerSecret::Size, 'o')).encryptionKey());
}

// The directory entry the relay would build from the record (proxy included).
AccountEntry entryFrom(const Domain::Account &a)
{
    return AccountSync::entryFrom(a);
}

OAuthRefreshResult refreshWith(OAuthClient &client, const OAuthRefreshRequest &request)
{
    return waitForCallback<OAuthRefreshResult>(
               [&](QObject *context, auto callback) { client.refresh(request, context, callback); }, WaitMs)
        .value_or(OAuthRefreshResult{Failure::Transient, {}, 0, QStringLiteral("test gave up waiting")});
}

// One relay instance's view: its own Redis connection, directory and refresher.
struct Instance
{
    std::unique_ptr<Redis::Client> client;
    AccountDirectory directory;
    std::unique_ptr<TokenRefresher> refresher;
};

} // namespace

class TstOAuth : public QObject
{
    Q_OBJECT

private:
    RedisServer m_redis;
    std::unique_ptr<MockUpstream> m_mock;
    std::unique_ptr<Redis::Client> m_client;
    Domain::DomainKeys m_keys;

    Domain::AccountStore store(Redis::Client *client = nullptr) const
    {
        return Domain::AccountStore(client ? client : m_client.get(), m_keys, box());
    }

    OAuthRefreshRequest request(const QByteArray &refreshToken, const QString &path = QStringLiteral("/v1/oauth/token"))
    {
        OAuthRefreshRequest r;
        r.tokenUrl = m_mock->url(path);
        r.clientId = ClientId;
        r.refreshToken = refreshToken;
        return r;
    }

    Domain::Account createOAuthAccount(const QByteArray &refreshToken, qint64 expiresInMs, const QString &proxyUrl = {},
                                       const QByteArray &proxyPassword = {})
    {
        Domain::NewAccount n;
        n.name = QStringLiteral("oauth-%1").arg(QString::fromLatin1(refreshToken));
        n.type = Domain::AccountType::OAuth;
        n.baseUrl = m_mock->baseUrl().toString();
        n.secret = "at-initial-" + refreshToken;
        n.refreshToken = refreshToken;
        n.tokenExpiresAt = nowMs() + expiresInMs;
        n.proxyUrl = proxyUrl;
        n.proxyPassword = proxyPassword;
        const Domain::AccountStore accounts = store();
        const auto r = waitForCallback<Domain::Result<Domain::Account>>(
            [&](QObject *c, auto cb) { accounts.create(n, c, cb); }, WaitMs);
        if (!r || !r->ok())
            qWarning("create failed: %s", r ? qPrintable(r->error.message) : "timeout");
        return r ? r->value : Domain::Account{};
    }

    std::optional<Domain::Account> stored(const QByteArray &id)
    {
        const Domain::AccountStore accounts = store();
        const auto r = waitForCallback<Domain::Result<Domain::Account>>(
            [&](QObject *c, auto cb) { accounts.get(id, c, cb); }, WaitMs);
        return r && r->ok() ? std::optional<Domain::Account>(r->value) : std::nullopt;
    }

    std::unique_ptr<Instance> instance(const QList<Domain::Account> &accounts, OAuthRefreshOptions options = {})
    {
        auto i = std::make_unique<Instance>();
        i->client = std::make_unique<Redis::Client>(*Redis::ConnectionOptions::fromUrl(m_redis.url()));
        QList<AccountEntry> entries;
        for (const Domain::Account &a : accounts)
            entries.append(entryFrom(a));
        i->directory.replaceAll(entries);
        if (options.tokenUrl.isEmpty())
            options.tokenUrl = m_mock->tokenUrl();
        options.clientId = ClientId;
        i->refresher =
            std::make_unique<TokenRefresher>(i->client.get(), store(i->client.get()), m_keys, i->directory, options);
        return i;
    }

    int tokenRequests() const { return m_mock->stats().value(u"oauth_token_requests").toInt(); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_redis.start(), qPrintable(m_redis.errorString()));
        m_client = std::make_unique<Redis::Client>(*Redis::ConnectionOptions::fromUrl(m_redis.url()));
        QVERIFY(QTest::qWaitFor([&] { return m_client->isConnected(); }, WaitMs));
        m_mock = std::make_unique<MockUpstream>();
        QVERIFY2(m_mock->start(), qPrintable(m_mock->errorString()));
    }

    void init()
    {
        QCOMPARE(m_redis.command({"FLUSHALL"}).toByteArray(), QByteArray("OK"));
        QVERIFY(m_mock->reset());
    }

    // --- OAuthClient -------------------------------------------------------------------------------------------

    void clientRefreshesAndTheUsedTokenIsSpent()
    {
        QVERIFY(!m_mock->configureOAuth({{QStringLiteral("refresh_tokens"), QJsonArray{QStringLiteral("rt-1")}}})
                     .isEmpty());
        OAuthClient client;
        const qint64 before = nowMs();
        const OAuthRefreshResult ok = refreshWith(client, request("rt-1"));
        QVERIFY2(ok.ok(), qPrintable(ok.error));
        QCOMPARE(ok.httpStatus, 200);
        QCOMPARE(ok.tokens.accessToken, QByteArray("mock-at-1"));
        QCOMPARE(ok.tokens.refreshToken, QByteArray("mock-rt-1"));
        QVERIFY(ok.tokens.expiresAt >= before + 3600 * 1000);
        QVERIFY(ok.tokens.expiresAt <= nowMs() + 3600 * 1000);

        const QJsonObject sent = m_mock->requests().last().toObject();
        QCOMPARE(sent.value(u"method").toString(), QStringLiteral("POST"));
        const QJsonObject body = QJsonDocument::fromJson(sent.value(u"body").toString().toUtf8()).object();
        QCOMPARE(body.value(u"grant_type").toString(), QStringLiteral("refresh_token"));
        QCOMPARE(body.value(u"refresh_token").toString(), QStringLiteral("rt-1"));
        QCOMPARE(body.value(u"client_id").toString(), QString::fromLatin1(ClientId));
        const QJsonObject headers = sent.value(u"headers").toObject();
        QVERIFY(headers.value(u"user-agent").toString().startsWith(u"claude-cli/"));
        QCOMPARE(headers.value(u"content-type").toString(), QStringLiteral("application/json"));

        // Refresh tokens are single-use: the second use is a refused grant.
        const OAuthRefreshResult again = refreshWith(client, request("rt-1"));
        QCOMPARE(again.failure, Failure::Rejected);
        QCOMPARE(again.httpStatus, 400);
        QVERIFY2(again.error.contains(u"invalid_grant"), qPrintable(again.error));
        QVERIFY(!again.error.contains(u"rt-1"));
        // The rotated one works.
        QCOMPARE(refreshWith(client, request("mock-rt-1")).tokens.accessToken, QByteArray("mock-at-2"));
        QCOMPARE(m_mock->stats().value(u"oauth_tokens_issued").toInt(), 2);
    }

    void clientReportsServerErrorsBadJsonAndTimeouts()
    {
        QVERIFY(!m_mock->configureOAuth({{QStringLiteral("refresh_tokens"), QJsonArray{QStringLiteral("rt-x")}}})
                     .isEmpty());
        OAuthClient client;
        const OAuthRefreshResult serverError =
            refreshWith(client, request("rt-x", QStringLiteral("/_fault/500/v1/oauth/token")));
        QCOMPARE(serverError.failure, Failure::Transient);
        QCOMPARE(serverError.httpStatus, 500);
        QVERIFY2(serverError.error.contains(u"HTTP 500"), qPrintable(serverError.error));

        const OAuthRefreshResult badJson =
            refreshWith(client, request("rt-x", QStringLiteral("/_fault/bad_json/v1/oauth/token")));
        QCOMPARE(badJson.failure, Failure::Transient);
        QVERIFY2(badJson.error.contains(u"not a JSON object"), qPrintable(badJson.error));

        OAuthRefreshRequest hang = request("rt-x", QStringLiteral("/_fault/hang/v1/oauth/token"));
        hang.timeoutMs = 300;
        const OAuthRefreshResult timedOut = refreshWith(client, hang);
        QCOMPARE(timedOut.failure, Failure::Transient);
        QCOMPARE(timedOut.httpStatus, 0);
        QVERIFY2(timedOut.error.contains(u"300 ms"), qPrintable(timedOut.error));

        OAuthRefreshRequest closed = request("rt-x");
        closed.tokenUrl = QUrl(QStringLiteral("http://127.0.0.1:1/v1/oauth/token"));
        const OAuthRefreshResult unreachable = refreshWith(client, closed);
        QCOMPARE(unreachable.failure, Failure::Transient);
        QVERIFY2(unreachable.error.contains(u"unreachable"), qPrintable(unreachable.error));

        QCOMPARE(refreshWith(client, request("rt-x")).tokens.accessToken, QByteArray("mock-at-1")); // still valid
        QCOMPARE(refreshWith(client, request({})).failure, Failure::Rejected);                      // nothing to send
    }

    void clientRefreshesThroughTheAccountProxy()
    {
        QVERIFY(!m_mock->configureOAuth({{QStringLiteral("refresh_tokens"), QJsonArray{QStringLiteral("rt-p")}}})
                     .isEmpty());
        HttpProxy proxy;
        QVERIFY(proxy.listen());
        proxy.setCredentials("u", "pw");
        QUrl proxyUrl = proxy.url();
        proxyUrl.setUserName(QStringLiteral("u"));
        proxyUrl.setPassword(QStringLiteral("pw"));
        OAuthClient client;
        OAuthRefreshRequest r = request("rt-p");
        r.proxy = Upstream::proxyFromUrl(proxyUrl);
        const OAuthRefreshResult ok = refreshWith(client, r);
        QVERIFY2(ok.ok(), qPrintable(ok.error));
        QCOMPARE(proxy.requests(), 1);
    }

    // --- TokenRefresher ----------------------------------------------------------------------------------------

    void refreshesAnAccountThatExpiresSoon()
    {
        m_mock->configureOAuth({{QStringLiteral("strict"), true},
                                {QStringLiteral("refresh_tokens"), QJsonArray{QStringLiteral("rt-soon")}}});
        const Domain::Account soon = createOAuthAccount("rt-soon", 60'000);
        const Domain::Account later = createOAuthAccount("rt-later", 2 * 3600 * 1000);
        QVERIFY(!soon.id.isEmpty() && !later.id.isEmpty());
        auto i = instance({soon, later}, {.refreshAheadMs = 5 * 60 * 1000, .checkIntervalMs = 100});
        QSignalSpy refreshed(i->refresher.get(), &TokenRefresher::refreshed);
        QSignalSpy failedSpy(i->refresher.get(), &TokenRefresher::refreshFailed);
        i->refresher->start();
        QVERIFY(refreshed.wait(WaitMs));
        QCOMPARE(refreshed.first().first().toByteArray(), soon.id);

        const auto record = stored(soon.id);
        QVERIFY(record);
        QCOMPARE(record->secret, QByteArray("mock-at-1"));
        QCOMPARE(record->refreshToken, QByteArray("mock-rt-1"));
        QVERIFY(record->tokenExpiresAt > nowMs() + 3500 * 1000);
        const AccountEntry entry = *i->directory.find(soon.id);
        QCOMPARE(entry.secret, QByteArray("mock-at-1"));
        QCOMPARE(entry.refreshToken, QByteArray("mock-rt-1"));
        QCOMPARE(entry.tokenExpiresAtMs, record->tokenExpiresAt);
        QTRY_COMPARE_WITH_TIMEOUT(
            m_redis.command({"EXISTS", m_keys.keySpace().account(soon.id, "refresh_lock")}).toInteger(), 0, WaitMs);

        // More checks go by: nothing else is due (the other account expires in 2 h).
        QTest::qWait(400);
        QCOMPARE(refreshed.size(), 1);
        QCOMPARE(failedSpy.size(), 0);
        QCOMPARE(tokenRequests(), 1);
        QCOMPARE(stored(later.id)->secret, QByteArray("at-initial-rt-later"));

        // The new token is one the (strict) upstream accepts.
        const MockUpstream::Reply answer =
            m_mock->post(QStringLiteral("/v1/messages"), "{}", {{"authorization", "Bearer " + entry.secret}});
        QCOMPARE(answer.status, 200);
    }

    void twoInstancesRacingRefreshOnce()
    {
        // A slow token endpoint keeps the winner's call open while the other instance checks again and again.
        m_mock->configureOAuth({{QStringLiteral("delay_ms"), 800},
                                {QStringLiteral("refresh_tokens"), QJsonArray{QStringLiteral("rt-race")}}});
        const Domain::Account account = createOAuthAccount("rt-race", 30'000);
        const OAuthRefreshOptions options{.refreshAheadMs = 5 * 60 * 1000, .checkIntervalMs = 50};
        auto a = instance({account}, options);
        auto b = instance({account}, options);
        QSignalSpy refreshedA(a->refresher.get(), &TokenRefresher::refreshed);
        QSignalSpy refreshedB(b->refresher.get(), &TokenRefresher::refreshed);
        QSignalSpy failedA(a->refresher.get(), &TokenRefresher::refreshFailed);
        QSignalSpy failedB(b->refresher.get(), &TokenRefresher::refreshFailed);
        a->refresher->start();
        b->refresher->start();
        QTRY_COMPARE_WITH_TIMEOUT(refreshedA.size() + refreshedB.size(), 1, WaitMs);

        // The loser takes the lock after the winner released it, re-reads the record and finds the new token
        // (the change feed would bring it too): both end with it, and the endpoint saw exactly one refresh.
        QTRY_COMPARE_WITH_TIMEOUT(a->directory.find(account.id)->secret, QByteArray("mock-at-1"), WaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(b->directory.find(account.id)->secret, QByteArray("mock-at-1"), WaitMs);
        QCOMPARE(b->directory.find(account.id)->refreshToken, QByteArray("mock-rt-1"));
        QTest::qWait(300);
        QCOMPARE(refreshedA.size() + refreshedB.size(), 1);
        QCOMPARE(failedA.size() + failedB.size(), 0);
        QCOMPARE(tokenRequests(), 1);
        QCOMPARE(m_mock->stats().value(u"oauth_tokens_issued").toInt(), 1);
        QCOMPARE(stored(account.id)->secret, QByteArray("mock-at-1"));
    }

    void refusedRefreshMarksTheAccountUnauthorizedAndIsNotRetried()
    {
        // "rt-unknown" was never issued: the mock refuses it with invalid_grant.
        const Domain::Account account = createOAuthAccount("rt-unknown", 60'000);
        auto i = instance({account}, {.refreshAheadMs = 5 * 60 * 1000, .checkIntervalMs = 50, .retryBaseMs = 50});
        QSignalSpy failedSpy(i->refresher.get(), &TokenRefresher::refreshFailed);
        i->refresher->start();
        QVERIFY(failedSpy.wait(WaitMs));
        QCOMPARE(failedSpy.first().at(0).toByteArray(), account.id);
        const QString reason = failedSpy.first().at(1).toString();
        QVERIFY2(reason.contains(u"invalid_grant"), qPrintable(reason));
        QVERIFY(!reason.contains(u"rt-unknown"));

        const AccountEntry entry = *i->directory.find(account.id);
        QCOMPARE(entry.health, AccountHealth::Unauthorized);
        QCOMPARE(entry.reason, reason);
        const QByteArray stateKey = m_keys.keySpace().account(account.id, "state");
        QTRY_COMPARE_WITH_TIMEOUT(m_redis.command({"HGET", stateKey, "status"}).toByteArray(),
                                  QByteArray("unauthorized"), WaitMs);
        QTRY_COMPARE_WITH_TIMEOUT(
            m_redis.command({"EXISTS", m_keys.keySpace().account(account.id, "refresh_lock")}).toInteger(), 0, WaitMs);

        // Backoff is short here, but the refused refresh token is never sent again.
        QTest::qWait(500);
        QCOMPARE(tokenRequests(), 1);
        QCOMPARE(failedSpy.size(), 1);
    }

    void transientFailureRetriesAndKeepsAWorkingTokenActive()
    {
        m_mock->configureOAuth({{QStringLiteral("refresh_tokens"), QJsonArray{QStringLiteral("rt-flaky")}}});
        const Domain::Account account = createOAuthAccount("rt-flaky", 60'000);
        auto i = instance({account}, {.tokenUrl = m_mock->url(QStringLiteral("/_fault/500/v1/oauth/token")),
                                      .refreshAheadMs = 5 * 60 * 1000,
                                      .checkIntervalMs = 50,
                                      .retryBaseMs = 100});
        QSignalSpy failedSpy(i->refresher.get(), &TokenRefresher::refreshFailed);
        i->refresher->start();
        QTRY_VERIFY_WITH_TIMEOUT(failedSpy.size() >= 2, WaitMs); // retried
        QVERIFY(failedSpy.first().at(1).toString().contains(u"HTTP 500"));
        // The access token still has a minute: the account keeps serving.
        QCOMPARE(i->directory.find(account.id)->health, AccountHealth::Active);
        QCOMPARE(i->directory.find(account.id)->secret, QByteArray("at-initial-rt-flaky"));
        QVERIFY(tokenRequests() >= 2);
    }

    void expiredTokenWithFailedRefreshIsUnauthorized()
    {
        m_mock->configureOAuth({{QStringLiteral("refresh_tokens"), QJsonArray{QStringLiteral("rt-old")}}});
        const Domain::Account account = createOAuthAccount("rt-old", -1000);
        auto i = instance(
            {account}, {.tokenUrl = m_mock->url(QStringLiteral("/_fault/529/v1/oauth/token")), .checkIntervalMs = 50});
        QSignalSpy failedSpy(i->refresher.get(), &TokenRefresher::refreshFailed);
        i->refresher->start();
        QVERIFY(failedSpy.wait(WaitMs));
        QCOMPARE(i->directory.find(account.id)->health, AccountHealth::Unauthorized);
    }

    void requestRefreshRenewsARejectedTokenAndReactivatesTheAccount()
    {
        m_mock->configureOAuth({{QStringLiteral("refresh_tokens"), QJsonArray{QStringLiteral("rt-401")}}});
        const Domain::Account account = createOAuthAccount("rt-401", 2 * 3600 * 1000);
        auto i = instance({account}, {.refreshAheadMs = 5 * 60 * 1000, .checkIntervalMs = 60'000});
        // The relay saw a 401 for this token and marked the account.
        i->directory.setHealth(account.id, AccountHealth::Unauthorized, 0, QStringLiteral("credential rejected (401)"));
        QSignalSpy refreshed(i->refresher.get(), &TokenRefresher::refreshed);
        i->refresher->requestRefresh(account.id);
        i->refresher->requestRefresh(account.id); // a burst of 401s asks once
        QVERIFY(refreshed.wait(WaitMs));
        const AccountEntry entry = *i->directory.find(account.id);
        QCOMPARE(entry.secret, QByteArray("mock-at-1"));
        QCOMPARE(entry.health, AccountHealth::Active);
        QCOMPARE(stored(account.id)->secret, QByteArray("mock-at-1"));
        QTRY_COMPARE_WITH_TIMEOUT(m_redis.command({"HGET", m_keys.accountState(account.id), "status"}).toByteArray(),
                                  QByteArray("active"), WaitMs);
        QTest::qWait(200);
        QCOMPARE(refreshed.size(), 1);
        QCOMPARE(tokenRequests(), 1);

        // Asked again too soon after: ignored (minForcedIntervalMs).
        i->refresher->requestRefresh(account.id);
        QTest::qWait(300);
        QCOMPARE(tokenRequests(), 1);
    }

    void refresherUsesTheAccountProxy()
    {
        m_mock->configureOAuth({{QStringLiteral("refresh_tokens"), QJsonArray{QStringLiteral("rt-proxy")}}});
        Socks5Proxy proxy;
        QVERIFY(proxy.listen());
        proxy.setCredentials("relay", "s3cret:@");
        const Domain::Account account = createOAuthAccount(
            "rt-proxy", 60'000, QStringLiteral("socks5://relay@127.0.0.1:%1").arg(proxy.port()), "s3cret:@");
        QVERIFY(!account.id.isEmpty());
        auto i = instance({account}, {.checkIntervalMs = 100});
        QSignalSpy refreshed(i->refresher.get(), &TokenRefresher::refreshed);
        QSignalSpy failedSpy(i->refresher.get(), &TokenRefresher::refreshFailed);
        i->refresher->start();
        QTRY_VERIFY_WITH_TIMEOUT(refreshed.size() + failedSpy.size() > 0, WaitMs);
        QVERIFY2(failedSpy.isEmpty(), failedSpy.isEmpty() ? "" : qPrintable(failedSpy.first().at(1).toString()));
        QCOMPARE(proxy.tunnels(), 1);
        QCOMPARE(proxy.authFailures(), 0);
    }
};

QTEST_GUILESS_MAIN(TstOAuth)
#include "tst_oauth.moc"
