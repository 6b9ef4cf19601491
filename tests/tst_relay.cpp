// SPDX-License-Identifier: GPL-3.0-or-later
// The data plane end to end: a real RelayService on real sockets, a real redis-server and the project's mock
// Anthropic upstream. Keys and accounts are created through the same stores the CLI uses.
#include "domain/keystore.h"
#include "quotedjson.h"
#include "relayharness.h"
#include "relaykeys.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

using namespace Relay;

namespace {

QByteArray post(const QByteArray &path, const QByteArray &key, const QByteArray &body,
                const QByteArray &extraHeaders = {})
{
    return RelayHarness::post(path, key, body, extraHeaders);
}

QMap<QByteArray, qint64> hashToMap(const RedisServer::Reply &reply)
{
    QMap<QByteArray, qint64> out;
    const QList<QByteArray> list = reply.toList();
    for (qsizetype i = 0; i + 1 < list.size(); i += 2)
        out.insert(list[i], list[i + 1].toLongLong());
    return out;
}

} // namespace

class TstRelay : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void nonStreamRoundTripIsByteIdentical();
    void streamRoundTripIsByteIdentical();
    void usageAndCostAreRecordedExactly();
    void clientKeyIsNeverForwarded();
    void oauthAccountSendsBearerTokenAndOAuthBeta();
    void rejectsMissingBadAndUnknownKeys();
    void acceptsBearerAndNodeRelayPaths();
    void disabledKeyStopsWorkingWithinASecond();
    void keyRulesAreEnforcedOnTheRequestPath();
    void keyExpiringAfterFirstUseIsActivatedOnce();
    void invalidBodyGets400();
    void maxTokensAboveModelLimitGets400();
    void maxTokensCanBeClampedInstead();
    void failsOverBeforeFirstByteAndCoolsTheAccount();
    void passesUpstreamErrorThroughWhenNoAccountIsLeft();
    void unauthorizedAccountNeedsAnOperator();
    void everyUpstreamFaultHasItsClientOutcomeAndAccountState_data();
    void everyUpstreamFaultHasItsClientOutcomeAndAccountState();
    void connectFailureGives502();
    void midStreamErrorIsForwarded();
    void cutStreamEndsWithAnErrorEvent();
    void concurrencyLimitGives429AndLeasesAreReleased();
    void clientAbortMidStreamReleasesLeaseAndRecordsPartialUsage();
    void slowClientOnLargeStreamKeepsMemoryBounded();
    void countTokensAndModelsAndKeyInfo();
    void stickySessionKeepsItsAccount();
    void usageSurvivesRedisRestart();
    void usageIsSummedAndAStopWritesIt();

private:
    QByteArray createAccount(const QString &name, const QString &baseUrl, int priority = 50,
                             const QByteArray &secret = "sk-ant-api03-upstream-secret")
    {
        return m_h->createAccount(name, baseUrl, priority, secret);
    }
    qint64 leaseCount(const QByteArray &keyId);
    QJsonObject lastMockRequest();

    std::unique_ptr<RelayHarness> m_h;
    QByteArray m_key;
    QByteArray m_keyId;
};

void TstRelay::init()
{
    m_h = std::make_unique<RelayHarness>();
    QVERIFY2(m_h->start(), qPrintable(m_h->errorString()));
    m_key = m_h->createKey(QStringLiteral("test key"), 0, &m_keyId);
    QVERIFY2(!m_key.isEmpty(), qPrintable(m_h->errorString()));
}

void TstRelay::cleanup()
{
    // Whatever the test did, no request may leave a concurrency lease behind.
    if (m_h && !QTest::currentTestFailed() && m_h->redis().isRunning() && !m_h->redis().isPaused()) {
        QByteArray cursor = "0";
        qint64 held = -1;
        for (int wait = 0; wait < 300 && held != 0; ++wait) {
            held = 0;
            do {
                const auto reply = m_h->redis().command({"SCAN", cursor, "MATCH", "rd:*:leases", "COUNT", "1000"});
                if (reply.elements.size() != 2)
                    break;
                cursor = reply.elements.at(0).toByteArray();
                for (const auto &key : reply.elements.at(1).toList())
                    held += m_h->redis().command({"ZCARD", key}).toInteger();
            } while (cursor != "0");
            if (held != 0)
                QTest::qWait(10);
        }
        QVERIFY2(held == 0, "a concurrency lease was left behind");
    }
    m_h.reset();
}

qint64 TstRelay::leaseCount(const QByteArray &keyId)
{
    return m_h->redis().command({"ZCARD", "rd:{key:" + keyId + "}:leases"}).toInteger();
}

QJsonObject TstRelay::lastMockRequest()
{
    const QJsonArray all = m_h->mock().requests();
    return all.isEmpty() ? QJsonObject() : all.last().toObject();
}

void TstRelay::nonStreamRoundTripIsByteIdentical()
{
    createAccount(QStringLiteral("a"), m_h->mock().baseUrl().toString());
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    const QByteArray body =
        j("{'model':'claude-sonnet-4-5','max_tokens':100,'messages':[{'role':'user','content':'hi'}]}");
    const auto viaRelay = m_h->send(post("/v1/messages", m_key, body));
    QCOMPARE(viaRelay.status, 200);
    const auto direct = m_h->mock().post(QStringLiteral("/v1/messages"), body);
    QCOMPARE(direct.status, 200);
    // The mock numbers its messages; everything else must be identical to the byte.
    QByteArray a = viaRelay.body, b = direct.body;
    a.replace(a.indexOf("msg_mock_"), 25, "X");
    b.replace(b.indexOf("msg_mock_"), 25, "X");
    QCOMPARE(a, b);
    QCOMPARE(viaRelay.header("content-type"), QByteArray("application/json"));
    QVERIFY(viaRelay.header("request-id").startsWith("req_mock_"));
}

void TstRelay::streamRoundTripIsByteIdentical()
{
    createAccount(QStringLiteral("a"), m_h->mock().baseUrl().toString());
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    const QByteArray body =
        j("{'model':'claude-sonnet-4-5','max_tokens':100,'stream':true,'messages':[{'role':'user','content':'hi'}],"
          "'mock':{'deltas':50,'delta_delay_ms':2}}");
    const auto viaRelay = m_h->send(post("/v1/messages", m_key, body));
    QCOMPARE(viaRelay.status, 200);
    QCOMPARE(viaRelay.header("transfer-encoding"), QByteArray("chunked"));
    QVERIFY(viaRelay.header("content-type").startsWith("text/event-stream"));
    const auto direct = m_h->mock().post(QStringLiteral("/v1/messages"), body);
    QByteArray a = viaRelay.body, b = direct.body;
    a.replace(a.indexOf("msg_mock_"), 25, "X");
    b.replace(b.indexOf("msg_mock_"), 25, "X");
    QCOMPARE(a, b);
    QVERIFY(a.contains("event: message_stop"));
}

void TstRelay::usageAndCostAreRecordedExactly()
{
    const QByteArray account = createAccount(QStringLiteral("a"), m_h->mock().baseUrl().toString());
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    const QByteArray stream =
        j("{'model':'claude-sonnet-4-5-20250929','max_tokens':100,'stream':true,'messages':[{'role':'user','content':'"
          "x'}],"
          "'mock':{'deltas':7,'input_tokens':1000,'cache_creation_5m':200,'cache_creation_1h':300,'cache_read':400}}");
    const QByteArray plain =
        j("{'model':'claude-sonnet-4-5-20250929','max_tokens':100,'messages':[{'role':'user','content':'x'}],"
          "'mock':{'deltas':3,'input_tokens':10}}");
    QCOMPARE(m_h->send(post("/v1/messages", m_key, stream)).status, 200);
    QCOMPARE(m_h->send(post("/v1/messages", m_key, plain)).status, 200);
    const QByteArray total = "rd:{key:" + m_keyId + "}:usage:total";
    QTRY_COMPARE_WITH_TIMEOUT(hashToMap(m_h->redis().command({"HGETALL", total})).value("requests"), 2, 5000);
    const auto usage = hashToMap(m_h->redis().command({"HGETALL", total}));
    QCOMPARE(usage.value("input_tokens"), 1010);
    QCOMPARE(usage.value("output_tokens"), 10);
    QCOMPARE(usage.value("cache_creation_5m_tokens"), 200);
    QCOMPARE(usage.value("cache_creation_1h_tokens"), 300);
    QCOMPARE(usage.value("cache_read_tokens"), 400);
    // Sonnet 4.5: input $3, output $15, 5m write $3.75, 1h write $6, read $0.30 per million tokens.
    // 1010*3000 + 10*15000 + 200*3750 + 300*6000 + 400*300 = 3,030,000+150,000+750,000+1,800,000+120,000 nanodollars.
    QCOMPARE(usage.value("cost_nanos"), 5'850'000);
    QCOMPARE(usage.value("cost_unknown"), 0);
    const auto accountUsage = hashToMap(m_h->redis().command({"HGETALL", "rd:{acct:" + account + "}:usage:total"}));
    QCOMPARE(accountUsage.value("requests"), 2);
    QCOMPARE(accountUsage.value("output_tokens"), 10);
}

void TstRelay::clientKeyIsNeverForwarded()
{
    createAccount(QStringLiteral("a"), m_h->mock().baseUrl().toString(), 50, "sk-ant-api03-the-account-key");
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    const QByteArray body =
        j("{'model':'claude-sonnet-4-5','max_tokens':100,'messages':[{'role':'user','content':'hi'}]}");
    QCOMPARE(m_h->send(post("/v1/messages?beta=true", m_key, body,
                            "anthropic-beta: claude-code-20250219,interleaved-thinking-2025-05-14\r\n"
                            "x-stainless-lang: js\r\nCookie: c=1\r\nAuthorization: Bearer " +
                                m_key + "\r\n"))
                 .status,
             200);
    const QJsonObject seen = lastMockRequest();
    const QJsonObject headers = seen.value(u"headers").toObject();
    QCOMPARE(headers.value(u"x-api-key").toString(), u"sk-ant-api03-the-account-key");
    QVERIFY(!headers.contains(u"authorization"));
    QVERIFY(!headers.contains(u"cookie"));
    QCOMPARE(headers.value(u"anthropic-beta").toString(), u"claude-code-20250219,interleaved-thinking-2025-05-14");
    QCOMPARE(headers.value(u"x-stainless-lang").toString(), u"js");
    QVERIFY(!QJsonDocument(seen).toJson().contains(m_key));
}

void TstRelay::oauthAccountSendsBearerTokenAndOAuthBeta()
{
    Domain::NewAccount request;
    request.name = QStringLiteral("subscription");
    request.type = Domain::AccountType::OAuth;
    request.baseUrl = m_h->mock().baseUrl().toString();
    request.secret = "sk-ant-oat01-access-token";
    std::optional<Domain::Result<Domain::Account>> created;
    m_h->accounts().create(request, this, [&](const Domain::Result<Domain::Account> &r) { created = r; });
    QTRY_VERIFY(created.has_value() && created->ok());
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    QCOMPARE(
        m_h->send(post("/v1/messages", m_key,
                       j("{'model':'claude-sonnet-4-5','max_tokens':10,'messages':[{'role':'user','content':'hi'}]}"),
                       "anthropic-beta: claude-code-20250219\r\n"))
            .status,
        200);
    const QJsonObject headers = lastMockRequest().value(u"headers").toObject();
    QCOMPARE(headers.value(u"authorization").toString(), u"Bearer sk-ant-oat01-access-token");
    QVERIFY(!headers.contains(u"x-api-key"));
    QCOMPARE(headers.value(u"anthropic-beta").toString(), u"claude-code-20250219,oauth-2025-04-20");
}

void TstRelay::rejectsMissingBadAndUnknownKeys()
{
    createAccount(QStringLiteral("a"), m_h->mock().baseUrl().toString());
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    const QByteArray body = j("{'model':'m','max_tokens':1,'messages':[{'role':'user','content':'hi'}]}");
    for (const QByteArray &key : {QByteArray(), QByteArray("sk-nope"), "rd_" + QByteArray(64, 'a')}) {
        const auto r = m_h->send(post("/v1/messages", key, body));
        QCOMPARE(r.status, 401);
        const QJsonObject e = QJsonDocument::fromJson(r.body).object();
        QCOMPARE(e.value(u"type").toString(), u"error");
        QCOMPARE(e.value(u"error").toObject().value(u"type").toString(), u"authentication_error");
    }
    QCOMPARE(m_h->mock().requests().size(), 0);
}

void TstRelay::acceptsBearerAndNodeRelayPaths()
{
    createAccount(QStringLiteral("a"), m_h->mock().baseUrl().toString());
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    const QByteArray body =
        j("{'model':'claude-sonnet-4-5','max_tokens':100,'messages':[{'role':'user','content':'hi'}]}");
    for (const QByteArray &path : {QByteArray("/api/v1/messages"), QByteArray("/claude/v1/messages")}) {
        const auto r = m_h->send(post(path, {}, body, "Authorization: Bearer " + m_key + "\r\n"));
        QCOMPARE(r.status, 200);
    }
}

void TstRelay::disabledKeyStopsWorkingWithinASecond()
{
    createAccount(QStringLiteral("a"), m_h->mock().baseUrl().toString());
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    const QByteArray body =
        j("{'model':'claude-sonnet-4-5','max_tokens':100,'messages':[{'role':'user','content':'hi'}]}");
    QCOMPARE(m_h->send(post("/v1/messages", m_key, body)).status, 200); // now cached on a worker
    std::optional<Domain::Error> done;
    m_h->keys().setEnabled(m_keyId, false, this, [&](const Domain::Error &e) { done = e; });
    QTRY_VERIFY(done.has_value());
    QTRY_COMPARE_WITH_TIMEOUT(m_h->send(post("/v1/messages", m_key, body)).status, 401, 1000);
    for (int i = 0; i < 4; ++i) // every worker's cache
        QCOMPARE(m_h->send(post("/v1/messages", m_key, body)).status, 401);
}

void TstRelay::keyRulesAreEnforcedOnTheRequestPath()
{
    createAccount(QStringLiteral("a"), m_h->mock().baseUrl().toString());
    Domain::NewApiKey sonnetOnly;
    sonnetOnly.name = QStringLiteral("sonnet only");
    sonnetOnly.modelRule = {Domain::ModelRuleMode::Allow, {"claude-sonnet-4-5"}};
    const QByteArray sonnetKey = createKeyWith(*m_h, sonnetOnly);
    Domain::NewApiKey countOnly;
    countOnly.name = QStringLiteral("count only");
    countOnly.permissions = {Domain::Endpoint::CountTokens};
    const QByteArray countKey = createKeyWith(*m_h, countOnly);
    Domain::NewApiKey claudeCode;
    claudeCode.name = QStringLiteral("claude code only");
    claudeCode.client = Domain::ClientRestriction::ClaudeCode;
    const QByteArray ccKey = createKeyWith(*m_h, claudeCode);
    QVERIFY(!sonnetKey.isEmpty() && !countKey.isEmpty() && !ccKey.isEmpty());
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));

    const QByteArray sonnet =
        j("{'model':'claude-sonnet-4-5-20250929','max_tokens':10,'messages':[{'role':'user','content':'hi'}]}");
    const QByteArray opus =
        j("{'model':'claude-opus-4-1','max_tokens':10,'messages':[{'role':'user','content':'hi'}]}");
    QCOMPARE(m_h->send(post("/v1/messages", sonnetKey, sonnet)).status, 200);
    const auto refusedModel = m_h->send(post("/v1/messages", sonnetKey, opus));
    QCOMPARE(refusedModel.status, 403);
    QVERIFY(refusedModel.body.contains("permission_error"));
    QVERIFY(refusedModel.body.contains("claude-opus-4-1"));

    QCOMPARE(m_h->send(post("/v1/messages", countKey, sonnet)).status, 403);
    QCOMPARE(m_h->send(post("/v1/messages/count_tokens", countKey,
                            j("{'model':'claude-sonnet-4-5','messages':[{'role':'user','content':'hi'}]}")))
                 .status,
             200);

    // A plain SDK request is not Claude Code; a request shaped like Claude Code's is.
    QCOMPARE(m_h->send(post("/v1/messages", ccKey, sonnet, "user-agent: Anthropic/JS 0.137.0\r\n")).status, 403);
    const QByteArray userId = "{\\\"device_id\\\":\\\"" + QByteArray(64, 'a') +
                              "\\\",\\\"account_uuid\\\":\\\"\\\",\\\"session_id\\\":"
                              "\\\"0b9c3a52-7f1e-4b8e-9f3a-2d6c1e5a8b7f\\\"}";
    const QByteArray ccBody = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"stream\":true,\"messages\":"
                              "[{\"role\":\"user\",\"content\":\"hi\"}],\"metadata\":{\"user_id\":\"" +
                              userId + "\"}}";
    const auto cc = m_h->send(post("/v1/messages?beta=true", ccKey, ccBody,
                                   "user-agent: claude-cli/2.1.197 (external, sdk-cli)\r\nx-app: cli\r\n"
                                   "anthropic-beta: claude-code-20250219\r\n"));
    QVERIFY2(cc.status == 200, cc.body.constData());
}

void TstRelay::keyExpiringAfterFirstUseIsActivatedOnce()
{
    createAccount(QStringLiteral("a"), m_h->mock().baseUrl().toString());
    Domain::NewApiKey trial;
    trial.name = QStringLiteral("trial");
    trial.expiresAfterFirstUseMs = 7LL * 24 * 3600 * 1000;
    QByteArray id;
    const QByteArray key = createKeyWith(*m_h, trial, &id);
    QVERIFY(!key.isEmpty());
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    const QByteArray body =
        j("{'model':'claude-sonnet-4-5','max_tokens':10,'messages':[{'role':'user','content':'hi'}]}");
    const qint64 before = QDateTime::currentMSecsSinceEpoch();
    QCOMPARE(m_h->send(post("/v1/messages", key, body)).status, 200);
    const auto expiresAt = [&] {
        return m_h->redis().command({"HGET", "rd:{key:" + id + "}:record", "expires_at"}).toByteArray().toLongLong();
    };
    QTRY_VERIFY_WITH_TIMEOUT(expiresAt() > 0, 3000);
    const qint64 first = expiresAt();
    QVERIFY(first >= before + trial.expiresAfterFirstUseMs);
    QCOMPARE(m_h->send(post("/v1/messages", key, body)).status, 200);
    QTest::qWait(200);
    QCOMPARE(expiresAt(), first); // set once
}

void TstRelay::invalidBodyGets400()
{
    createAccount(QStringLiteral("a"), m_h->mock().baseUrl().toString());
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    const auto r = m_h->send(post("/v1/messages", m_key, "{\"model\":\"m\",\"max_tokens\":1}"));
    QCOMPARE(r.status, 400);
    QVERIFY(r.body.contains("invalid_request_error"));
    QVERIFY(r.body.contains("messages"));
    QCOMPARE(m_h->send(post("/v1/messages", m_key, "{not json")).status, 400);
}

void TstRelay::maxTokensAboveModelLimitGets400()
{
    createAccount(QStringLiteral("a"), m_h->mock().baseUrl().toString());
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    const auto r = m_h->send(post(
        "/v1/messages", m_key,
        j("{'model':'claude-sonnet-4-5-20250929','max_tokens':10000000,'messages':[{'role':'user','content':'x'}]}")));
    QCOMPARE(r.status, 400);
    QVERIFY2(r.body.contains("max_tokens"), r.body.constData());
    QCOMPARE(m_h->mock().requests().size(), 0);
}

void TstRelay::maxTokensCanBeClampedInstead()
{
    createAccount(QStringLiteral("a"), m_h->mock().baseUrl().toString());
    m_h->settings().maxTokensPolicy = QStringLiteral("clamp");
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    const auto r = m_h->send(post("/v1/messages", m_key,
                                  j("{'model':'claude-sonnet-4-5-20250929','max_tokens': 10000000 "
                                    ",'messages':[{'role':'user','content':'x'}],'tools':[]}")));
    QCOMPARE(r.status, 200);
    const QJsonObject seen = lastMockRequest();
    const QByteArray body = seen.value(u"body").toString().toUtf8();
    QVERIFY2(body.contains("\"max_tokens\": 64000 ,\"messages\""), body.constData());
}

void TstRelay::failsOverBeforeFirstByteAndCoolsTheAccount()
{
    const QByteArray bad =
        createAccount(QStringLiteral("limited"), m_h->mock().baseUrl().toString() + QStringLiteral("/_fault/429"), 10);
    createAccount(QStringLiteral("fine"), m_h->mock().baseUrl().toString(), 20);
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    // A 30 s reset: the mock's default (the next whole second + 1) can pass before the second request on a busy
    // machine, and the account would then rightly be probed again.
    const QByteArray body = j("{'model':'claude-sonnet-4-5','max_tokens':100,'stream':true,'messages':[{'role':'user',"
                              "'content':'hi'}],'mock':{'retry_after':30}}");
    const auto r = m_h->send(post("/v1/messages", m_key, body));
    QCOMPARE(r.status, 200);
    QVERIFY(r.body.contains("message_stop"));
    QCOMPARE(m_h->mock().requests().size(), 2); // the 429, then the other account
    QTRY_VERIFY_WITH_TIMEOUT(
        m_h->redis().command({"HGETALL", "rd:{acct:" + bad + "}:state"}).toList().contains("cooling"), 3000);
    // While it cools down the limited account is not asked again.
    QCOMPARE(m_h->send(post("/v1/messages", m_key, body)).status, 200);
    QCOMPARE(m_h->mock().requests().size(), 3);
    QCOMPARE(leaseCount(m_keyId), 0);
}

void TstRelay::passesUpstreamErrorThroughWhenNoAccountIsLeft()
{
    createAccount(QStringLiteral("overloaded"), m_h->mock().baseUrl().toString() + QStringLiteral("/_fault/529"));
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    const auto r = m_h->send(
        post("/v1/messages", m_key,
             j("{'model':'claude-sonnet-4-5','max_tokens':100,'messages':[{'role':'user','content':'hi'}]}")));
    QCOMPARE(r.status, 529);
    QCOMPARE(QJsonDocument::fromJson(r.body).object().value(u"error").toObject().value(u"type").toString(),
             u"overloaded_error");
    // Now the only account is cooling: the next request is told so without reaching the upstream.
    const auto next = m_h->send(
        post("/v1/messages", m_key,
             j("{'model':'claude-sonnet-4-5','max_tokens':100,'messages':[{'role':'user','content':'hi'}]}")));
    QCOMPARE(next.status, 503);
    QVERIFY(next.body.contains("No upstream account is available"));
    QCOMPARE(m_h->mock().requests().size(), 1);
}

void TstRelay::unauthorizedAccountNeedsAnOperator()
{
    const QByteArray broken =
        createAccount(QStringLiteral("revoked"), m_h->mock().baseUrl().toString() + QStringLiteral("/_fault/401"), 10);
    const QByteArray banned =
        createAccount(QStringLiteral("banned"), m_h->mock().baseUrl().toString() + QStringLiteral("/_fault/403"), 20);
    createAccount(QStringLiteral("fine"), m_h->mock().baseUrl().toString(), 30);
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    const QByteArray body =
        j("{'model':'claude-sonnet-4-5','max_tokens':100,'messages':[{'role':'user','content':'hi'}]}");
    QCOMPARE(m_h->send(post("/v1/messages", m_key, body)).status, 200);
    QTRY_VERIFY_WITH_TIMEOUT(
        m_h->redis().command({"HGETALL", "rd:{acct:" + broken + "}:state"}).toList().contains("unauthorized"), 3000);
    QTRY_VERIFY_WITH_TIMEOUT(
        m_h->redis().command({"HGETALL", "rd:{acct:" + banned + "}:state"}).toList().contains("blocked"), 3000);
}

void TstRelay::everyUpstreamFaultHasItsClientOutcomeAndAccountState_data()
{
    QTest::addColumn<QString>("fault");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("errorType");
    QTest::addColumn<QByteArray>("accountState");
    QTest::newRow("429") << "429" << 429 << QByteArray("rate_limit_error") << QByteArray("cooling");
    QTest::newRow("529") << "529" << 529 << QByteArray("overloaded_error") << QByteArray("cooling");
    QTest::newRow("500") << "500" << 500 << QByteArray("api_error") << QByteArray("cooling");
    QTest::newRow("401") << "401" << 401 << QByteArray("authentication_error") << QByteArray("unauthorized");
    QTest::newRow("403") << "403" << 403 << QByteArray("permission_error") << QByteArray("blocked");
    QTest::newRow("hang") << "hang" << 504 << QByteArray("timeout_error") << QByteArray("cooling");
    QTest::newRow("400 is the request's fault") << "400" << 400 << QByteArray("invalid_request_error") << QByteArray();
}

// One account with a standing fault: the client gets the upstream's error (or 502/504), the account the state.
void TstRelay::everyUpstreamFaultHasItsClientOutcomeAndAccountState()
{
    QFETCH(QString, fault);
    QFETCH(int, status);
    QFETCH(QByteArray, errorType);
    QFETCH(QByteArray, accountState);
    const QByteArray account =
        createAccount(QStringLiteral("faulty"), m_h->mock().baseUrl().toString() + QStringLiteral("/_fault/") + fault);
    m_h->settings().upstreamFirstByteTimeout = std::chrono::milliseconds(1000);
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    const auto r =
        m_h->send(post("/v1/messages", m_key,
                       j("{'model':'claude-sonnet-4-5','max_tokens':10,'messages':[{'role':'user','content':'hi'}]}")));
    QCOMPARE(r.status, status);
    QCOMPARE(QJsonDocument::fromJson(r.body).object().value(u"error").toObject().value(u"type").toString().toUtf8(),
             errorType);
    const auto state = [&] { return m_h->redis().command({"HGETALL", "rd:{acct:" + account + "}:state"}).toList(); };
    // The health write goes out beside the answer, not before it.
    if (accountState.isEmpty()) {
        QTest::qWait(200);
        QVERIFY(state().isEmpty());
    } else {
        QTRY_VERIFY2_WITH_TIMEOUT(state().contains(accountState), QByteArray(state().join(' ')).constData(), 3000);
    }
}

void TstRelay::connectFailureGives502()
{
    createAccount(QStringLiteral("nowhere"), QStringLiteral("http://127.0.0.1:1"));
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    const auto r = m_h->send(
        post("/v1/messages", m_key,
             j("{'model':'claude-sonnet-4-5','max_tokens':100,'messages':[{'role':'user','content':'hi'}]}")));
    QCOMPARE(r.status, 502);
    QVERIFY(r.body.contains("api_error"));
}

void TstRelay::midStreamErrorIsForwarded()
{
    createAccount(QStringLiteral("a"), m_h->mock().baseUrl().toString());
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    const auto r = m_h->send(post(
        "/v1/messages", m_key,
        j("{'model':'claude-sonnet-4-5','max_tokens':100,'stream':true,'messages':[{'role':'user','content':'hi'}],"
          "'mock':{'fault':'error_mid_stream'}}")));
    QCOMPARE(r.status, 200);
    QVERIFY(r.body.contains("event: error"));
    QVERIFY(r.body.contains("overloaded_error"));
}

void TstRelay::cutStreamEndsWithAnErrorEvent()
{
    createAccount(QStringLiteral("a"), m_h->mock().baseUrl().toString());
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    const auto r = m_h->send(post(
        "/v1/messages", m_key,
        j("{'model':'claude-sonnet-4-5','max_tokens':100,'stream':true,'messages':[{'role':'user','content':'hi'}],"
          "'mock':{'fault':'reset_mid_stream','deltas':5,'delta_delay_ms':20}}")));
    QCOMPARE(r.status, 200);
    QVERIFY(r.ok); // the chunked response is properly terminated
    QVERIFY(r.body.contains("event: error"));
    QVERIFY(r.body.contains("ended before message_stop"));
    QVERIFY(!r.body.contains("event: message_stop"));
}

void TstRelay::concurrencyLimitGives429AndLeasesAreReleased()
{
    createAccount(QStringLiteral("a"), m_h->mock().baseUrl().toString());
    QByteArray id;
    const QByteArray key = m_h->createKey(QStringLiteral("limited key"), 2, &id);
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    const QByteArray slow = j("{'model':'claude-sonnet-4-5','max_tokens':100,'messages':[{'role':'user','content':'hi'}"
                              "],'mock':{'first_byte_ms':600}}");
    RawHttpClient a, b, c;
    QVERIFY(a.connectTo(m_h->port()) && b.connectTo(m_h->port()) && c.connectTo(m_h->port()));
    a.send(post("/v1/messages", key, slow));
    b.send(post("/v1/messages", key, slow));
    QTRY_COMPARE_WITH_TIMEOUT(leaseCount(id), 2, 3000);
    const auto refused = c.request(post("/v1/messages", key, slow));
    QCOMPARE(refused.status, 429);
    QVERIFY(refused.body.contains("concurrency limit is 2"));
    QCOMPARE(a.read().status, 200);
    QCOMPARE(b.read().status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(leaseCount(id), 0, 3000);
    QCOMPARE(c.request(post("/v1/messages", key, slow)).status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(leaseCount(id), 0, 3000);
}

void TstRelay::clientAbortMidStreamReleasesLeaseAndRecordsPartialUsage()
{
    createAccount(QStringLiteral("a"), m_h->mock().baseUrl().toString());
    QByteArray id;
    const QByteArray key = m_h->createKey(QStringLiteral("limited key"), 3, &id);
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    {
        RawHttpClient c;
        QVERIFY(c.connectTo(m_h->port()));
        c.send(post(
            "/v1/messages", key,
            j("{'model':'claude-sonnet-4-5','max_tokens':100,'stream':true,'messages':[{'role':'user','content':'hi'}],"
              "'mock':{'deltas':100,'delta_delay_ms':50,'input_tokens':77}}")));
        QTRY_COMPARE_WITH_TIMEOUT(leaseCount(id), 1, 3000);
        QTest::qWait(300); // some deltas flow, then the client goes away
    }
    QTRY_COMPARE_WITH_TIMEOUT(leaseCount(id), 0, 3000);
    const QByteArray total = "rd:{key:" + id + "}:usage:total";
    QTRY_COMPARE_WITH_TIMEOUT(hashToMap(m_h->redis().command({"HGETALL", total})).value("input_tokens"), 77, 3000);
    QCOMPARE(hashToMap(m_h->redis().command({"HGETALL", total})).value("requests"), 1);
}

void TstRelay::slowClientOnLargeStreamKeepsMemoryBounded()
{
    const auto rssKb = [] {
        QFile f(QStringLiteral("/proc/self/status"));
        f.open(QIODevice::ReadOnly);
        for (const QByteArray &line : f.readAll().split('\n')) {
            if (line.startsWith("VmRSS:"))
                return line.mid(6).trimmed().split(' ').first().toLongLong();
        }
        return 0LL;
    };
    createAccount(QStringLiteral("a"), m_h->mock().baseUrl().toString());
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    RawHttpClient c;
    QVERIFY(c.connectTo(m_h->port()));
    c.socket().setReadBufferSize(64 * 1024);
    const QByteArray text(8000, 'x');
    // 6,000 deltas of 8 kB, paced over 6 s or more: 48 MB, which the client does not read for 2.5 s.
    c.send(post("/v1/messages", m_key,
                "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":100,\"stream\":true,\"messages\":[{\"role\":\"user\","
                "\"content\":\"hi\"}],\"mock\":{\"deltas\":6000,\"delta_delay_ms\":1,\"text\":\"" +
                    text + "\"}}"));
    QTest::qWait(300);
    const qint64 before = rssKb();
    QTest::qWait(2500);
    const qint64 grown = rssKb() - before;
    // Measured: about 0.5 MB with backpressure, about 11 MB when the relay ignores it.
    QVERIFY2(grown < 4 * 1024, qPrintable(QStringLiteral("RSS grew by %1 kB while the client stalled").arg(grown)));
    const auto r = c.read(60000);
    QVERIFY(r.ok);
    QCOMPARE(r.body.count("event: content_block_delta"), 6000);
    QVERIFY(r.body.contains("event: message_stop"));
}

void TstRelay::countTokensAndModelsAndKeyInfo()
{
    createAccount(QStringLiteral("a"), m_h->mock().baseUrl().toString());
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    const auto counted = m_h->send(post(
        "/v1/messages/count_tokens", m_key,
        j("{'model':'claude-sonnet-4-5','messages':[{'role':'user','content':'hi'}],'mock':{'input_tokens':12}}")));
    QCOMPARE(counted.status, 200);
    QCOMPARE(QJsonDocument::fromJson(counted.body).object().value(u"input_tokens").toInt(), 12);

    const auto models = m_h->send("GET /v1/models HTTP/1.1\r\nHost: t\r\nx-api-key: " + m_key + "\r\n\r\n");
    QCOMPARE(models.status, 200);
    const QJsonObject list = QJsonDocument::fromJson(models.body).object();
    QVERIFY(list.value(u"data").toArray().size() >= 3);
    QCOMPARE(list.value(u"has_more").toBool(true), false);

    QCOMPARE(
        m_h->send(post("/v1/messages", m_key,
                       j("{'model':'claude-sonnet-4-5','max_tokens':100,'messages':[{'role':'user','content':'hi'}],'"
                         "mock':{'deltas':4}}")))
            .status,
        200);
    QTest::qWait(200);
    const auto info = m_h->send("GET /v1/key-info HTTP/1.1\r\nHost: t\r\nx-api-key: " + m_key + "\r\n\r\n");
    QCOMPARE(info.status, 200);
    const QJsonObject o = QJsonDocument::fromJson(info.body).object();
    QCOMPARE(o.value(u"name").toString(), u"test key");
    QCOMPARE(o.value(u"usage_today").toObject().value(u"output_tokens").toInt(), 4);
    QVERIFY(!info.body.contains(m_key));
    // count_tokens is not usage.
    QCOMPARE(o.value(u"usage_today").toObject().value(u"requests").toInt(), 1);
}

void TstRelay::stickySessionKeepsItsAccount()
{
    createAccount(QStringLiteral("a"), m_h->mock().baseUrl().toString(), 50, "sk-ant-api03-account-a");
    createAccount(QStringLiteral("b"), m_h->mock().baseUrl().toString(), 50, "sk-ant-api03-account-b");
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    QSet<QString> used;
    for (int i = 0; i < 6; ++i) {
        const QByteArray body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":10,\"messages\":[{\"role\":\"user\","
                                "\"content\":\"turn " +
                                QByteArray::number(i) + "\"}],\"metadata\":{\"user_id\":\"user_" + QByteArray(64, 'c') +
                                "_account__session_11111111-2222-3333-4444-555555555555\"}}";
        QCOMPARE(m_h->send(post("/v1/messages", m_key, body)).status, 200);
        used.insert(lastMockRequest().value(u"headers").toObject().value(u"x-api-key").toString());
    }
    QCOMPARE(used.size(), 1);
    // Each of the two workers reads the mapping from Redis at most once; later turns use what it remembers.
    const QByteArray stats = m_h->redis().command({"INFO", "commandstats"}).toByteArray();
    const qsizetype at = stats.indexOf("cmdstat_getex:calls=");
    const qint64 lookups = at < 0 ? 0 : stats.mid(at + 20, stats.indexOf(',', at) - at - 20).toLongLong();
    QVERIFY2(lookups >= 1 && lookups <= 2, stats.constData());
}

void TstRelay::usageSurvivesRedisRestart()
{
    createAccount(QStringLiteral("a"), m_h->mock().baseUrl().toString());
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    const QByteArray body = j("{'model':'claude-sonnet-4-5','max_tokens':100,'messages':[{'role':'user','content':'hi'}"
                              "],'mock':{'deltas':2}}");
    QCOMPARE(m_h->send(post("/v1/messages", m_key, body)).status, 200); // caches the key
    const QByteArray total = "rd:{key:" + m_keyId + "}:usage:total";
    QTRY_COMPARE_WITH_TIMEOUT(hashToMap(m_h->redis().command({"HGETALL", total})).value("requests"), 1, 5000);
    m_h->redis().stop();
    int ok = 0;
    for (int i = 0; i < 10; ++i)
        ok += m_h->send(post("/v1/messages", m_key, body)).status == 200 ? 1 : 0;
    QCOMPARE(ok, 10); // cached key, in-memory accounts: the relay keeps answering
    QVERIFY(m_h->redis().start());
    QTRY_COMPARE_WITH_TIMEOUT(hashToMap(m_h->redis().command({"HGETALL", total})).value("requests"), 11, 10000);
    QCOMPARE(hashToMap(m_h->redis().command({"HGETALL", total})).value("output_tokens"), 22);
}

// Requests of one key, account and model within the usage flush interval are one Redis write; stopping the relay
// writes what was still being summed instead of losing it.
void TstRelay::usageIsSummedAndAStopWritesIt()
{
    m_h->settings().usageFlushInterval = std::chrono::minutes(1); // nothing goes by the timer in this test
    createAccount(QStringLiteral("a"), m_h->mock().baseUrl().toString());
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    const auto metric = [this](const QByteArray &name) {
        for (const QByteArray &line : m_h->relay().metricsText().split('\n')) {
            if (line.startsWith(name + ' '))
                return line.mid(name.size() + 1).toLongLong();
        }
        return -1LL;
    };
    const QByteArray body = j("{'model':'claude-sonnet-4-5','max_tokens':100,'messages':[{'role':'user','content':'hi'}"
                              "],'mock':{'deltas':2,'input_tokens':5}}");
    RawHttpClient c; // one connection: one worker, so one sum
    QVERIFY(c.connectTo(m_h->port()));
    for (int i = 0; i < 5; ++i)
        QCOMPARE(c.request(post("/v1/messages", m_key, body), 10000).status, 200);
    const QByteArray total = "rd:{key:" + m_keyId + "}:usage:total";
    QVERIFY(m_h->redis().command({"HGETALL", total}).toList().isEmpty());
    QTRY_COMPARE(metric("relaydeck_usage_backlog"), 5); // recorded just after each answer
    c.socket().disconnectFromHost();
    m_h->relay().stopAndWait();
    const auto usage = hashToMap(m_h->redis().command({"HGETALL", total}));
    QCOMPARE(usage.value("requests"), 5);
    QCOMPARE(usage.value("input_tokens"), 25);
    QCOMPARE(metric("relaydeck_usage_backlog"), 0);
    QCOMPARE(metric("relaydeck_usage_records_written_total"), 5);
    QCOMPARE(metric("relaydeck_usage_writes_total"), 1);
}

QTEST_GUILESS_MAIN(TstRelay)
#include "tst_relay.moc"
