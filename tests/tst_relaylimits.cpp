// SPDX-License-Identifier: GPL-3.0-or-later
// A key's rate window, cost limits and concurrency queue on the real request path: a RelayService on real sockets,
// a real redis-server and the mock upstream. The checker's own edge cases (every limit at, below and above its
// edge, day/week boundaries with an injected clock) are in tst_limits; here the point is that the relay asks it,
// answers a refusal in Anthropic's shape, and reconciles the real usage afterwards.
#include "domain/keystore.h"
#include "quotedjson.h"
#include "relayharness.h"
#include "relaykeys.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QTimeZone>

using namespace Relay;
using namespace Qt::StringLiterals;

namespace {

QByteArray header(const RawHttpClient::Response &response, QByteArrayView name)
{
    return response.header(name);
}

// 1000 input tokens and 5 output tokens (the mock's deltas) of Sonnet 4.5 at $3 / $15 per million.
constexpr qint64 SonnetRequestCostNanos = 1000 * 3000 + 5 * 15000;

const QByteArray Sonnet = j("{'model':'claude-sonnet-4-5','max_tokens':100,'messages':[{'role':'user','content':"
                            "'hi'}],'mock':{'input_tokens':1000}}");
const QByteArray Opus = j("{'model':'claude-opus-4-1','max_tokens':100,'messages':[{'role':'user','content':"
                          "'hi'}],'mock':{'input_tokens':1000}}");

} // namespace

class TstRelayLimits : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup() { m_h.reset(); }

    void windowRequestLimitRefusesWithWhichLimitAndWhen();
    void concurrentRequestsNeverPassTheRequestLimit();
    void dailyCostIsReconciledAndResetsAtLocalMidnight();
    void weeklyFamilyLimitOnlyAppliesToItsFamily();
    void failedRequestGivesItsReservationBack();
    void concurrencyQueueWaitsForAFreeSlot();
    void concurrencyQueueTimesOutWith429();
    void keyWithoutLimitsCostsNoLimitRoundTrip();
    void modelsListAndKeyInfoFollowTheKey();

private:
    QByteArray key(Domain::NewApiKey request, QByteArray *id = nullptr)
    {
        if (request.name.isEmpty())
            request.name = QStringLiteral("limited");
        return createKeyWith(*m_h, request, id);
    }

    std::unique_ptr<RelayHarness> m_h;
};

void TstRelayLimits::init()
{
    m_h = std::make_unique<RelayHarness>();
    QVERIFY2(m_h->start(), qPrintable(m_h->errorString()));
    QVERIFY(!m_h->createAccount(QStringLiteral("a"), m_h->mock().baseUrl().toString()).isEmpty());
}

void TstRelayLimits::windowRequestLimitRefusesWithWhichLimitAndWhen()
{
    Domain::NewApiKey request;
    request.limits.windowMinutes = 10;
    request.limits.windowRequests = 3;
    const QByteArray k = key(request);
    QVERIFY(!k.isEmpty());
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));

    for (int i = 0; i < 3; ++i)
        QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", k, Sonnet)).status, 200);
    const auto refused = m_h->send(RelayHarness::post("/v1/messages", k, Sonnet));
    QCOMPARE(refused.status, 429);
    const QJsonObject body = QJsonDocument::fromJson(refused.body).object();
    QCOMPARE(body.value(u"type").toString(), QStringLiteral("error"));
    QCOMPARE(body.value(u"error").toObject().value(u"type").toString(), QStringLiteral("rate_limit_error"));
    const QJsonObject limit = body.value(u"limit").toObject();
    QCOMPARE(limit.value(u"name").toString(), QStringLiteral("window_requests"));
    QCOMPARE(limit.value(u"current").toInteger(), 3);
    QCOMPARE(limit.value(u"limit").toInteger(), 3);
    const qint64 retryAfter = header(refused, "retry-after").toLongLong();
    QVERIFY2(retryAfter > 500 && retryAfter <= 600, header(refused, "retry-after").constData());
    QCOMPARE(header(refused, "x-relaydeck-limit"), QByteArray("window_requests"));
    QVERIFY(!header(refused, "x-relaydeck-request-id").isEmpty());
    // The refused request reached no upstream.
    QCOMPARE(m_h->mock().stats().value(u"requests_total").toInt(), 3);
}

void TstRelayLimits::concurrentRequestsNeverPassTheRequestLimit()
{
    Domain::NewApiKey request;
    request.limits.windowMinutes = 10;
    request.limits.windowRequests = 5;
    const QByteArray k = key(request);
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));

    constexpr int Clients = 20;
    std::vector<std::unique_ptr<RawHttpClient>> clients;
    for (int i = 0; i < Clients; ++i) {
        clients.push_back(std::make_unique<RawHttpClient>());
        QVERIFY(clients.back()->connectTo(m_h->port()));
    }
    for (auto &c : clients)
        c->send(RelayHarness::post("/v1/messages", k, Sonnet));
    int ok = 0, refused = 0;
    for (auto &c : clients) {
        const int status = c->read().status;
        ok += status == 200;
        refused += status == 429;
    }
    QCOMPARE(ok, 5);
    QCOMPARE(refused, Clients - 5);
}

void TstRelayLimits::dailyCostIsReconciledAndResetsAtLocalMidnight()
{
    Domain::NewApiKey request;
    request.limits.dailyCostNanos = 2 * SonnetRequestCostNanos - 1; // the second request still passes (< limit)
    request.limitTimeZone = "Asia/Shanghai";
    QByteArray id;
    const QByteArray k = key(request, &id);
    QVERIFY(!k.isEmpty());
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));

    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", k, Sonnet)).status, 200);
    // The reservation (an estimate) is replaced by the real cost once the answer is in.
    const QByteArray day =
        QDateTime::currentDateTime().toTimeZone(QTimeZone("Asia/Shanghai")).toString(u"yyyy-MM-dd").toLatin1();
    const QByteArray counter = "rd:{key:" + id + "}:limits:d:" + day;
    QTRY_COMPARE_WITH_TIMEOUT(m_h->redis().command({"HGET", counter, "cost_nanos"}).toByteArray().toLongLong(),
                              SonnetRequestCostNanos, 3000);
    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", k, Sonnet)).status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(m_h->redis().command({"HGET", counter, "cost_nanos"}).toByteArray().toLongLong(),
                              2 * SonnetRequestCostNanos, 3000);

    const auto refused = m_h->send(RelayHarness::post("/v1/messages", k, Sonnet));
    QCOMPARE(refused.status, 429);
    const QJsonObject limit = QJsonDocument::fromJson(refused.body).object().value(u"limit").toObject();
    QCOMPARE(limit.value(u"name").toString(), QStringLiteral("daily_cost"));
    QCOMPARE(limit.value(u"time_zone").toString(), QStringLiteral("Asia/Shanghai"));
    // Midnight in Shanghai, said with Shanghai's offset.
    const QString resetAt = limit.value(u"reset_at").toString();
    QVERIFY2(resetAt.endsWith(u"T00:00:00+08:00"), qPrintable(resetAt));
    QVERIFY(refused.body.contains("$0.00615"));
}

void TstRelayLimits::weeklyFamilyLimitOnlyAppliesToItsFamily()
{
    Domain::NewApiKey request;
    request.limits.weeklyFamilyCostNanos.insert("opus", 1);
    const QByteArray k = key(request);
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));

    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", k, Opus)).status, 200);
    const auto refused = m_h->send(RelayHarness::post("/v1/messages", k, Opus));
    QCOMPARE(refused.status, 429);
    QVERIFY(refused.body.contains("weekly_cost"));
    // Sonnet has no weekly limit on this key.
    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", k, Sonnet)).status, 200);
    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", k, Sonnet)).status, 200);
}

void TstRelayLimits::failedRequestGivesItsReservationBack()
{
    Domain::NewApiKey request;
    request.limits.windowMinutes = 10;
    request.limits.windowTokens = 1'000'000;
    QByteArray id;
    const QByteArray k = key(request, &id);
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));

    // The only account answers 400 (the request's fault): no tokens were used, so none stay counted.
    const auto failed = m_h->send(RelayHarness::post(
        "/v1/messages", k,
        j("{'model':'claude-sonnet-4-5','max_tokens':100,'messages':[{'role':'user','content':'hi'}],"
          "'mock':{'fault':'400'}}")));
    QCOMPARE(failed.status, 400);
    const QByteArray window = "rd:{key:" + id + "}:limits:window";
    QTRY_COMPARE_WITH_TIMEOUT(m_h->redis().command({"HGET", window, "tokens"}).toByteArray().toLongLong(), 0, 3000);
    QCOMPARE(m_h->redis().command({"EXISTS", window}).toInteger(), 1); // the window itself started

    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", k, Sonnet)).status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(m_h->redis().command({"HGET", window, "tokens"}).toByteArray().toLongLong(), 1005, 3000);
}

void TstRelayLimits::concurrencyQueueWaitsForAFreeSlot()
{
    Domain::NewApiKey request;
    request.concurrencyLimit = 1;
    request.concurrencyWaitMs = 5000;
    const QByteArray k = key(request);
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));

    const QByteArray slow = j("{'model':'claude-sonnet-4-5','max_tokens':100,'messages':[{'role':'user','content':"
                              "'hi'}],'mock':{'first_byte_ms':400}}");
    RawHttpClient a, b, c;
    QVERIFY(a.connectTo(m_h->port()) && b.connectTo(m_h->port()) && c.connectTo(m_h->port()));
    a.send(RelayHarness::post("/v1/messages", k, slow));
    b.send(RelayHarness::post("/v1/messages", k, slow));
    c.send(RelayHarness::post("/v1/messages", k, slow));
    // One at a time, but all three served.
    QCOMPARE(a.read().status, 200);
    QCOMPARE(b.read().status, 200);
    QCOMPARE(c.read().status, 200);
    QCOMPARE(m_h->mock().stats().value(u"max_in_flight").toInt(), 1);
}

void TstRelayLimits::concurrencyQueueTimesOutWith429()
{
    Domain::NewApiKey request;
    request.concurrencyLimit = 1;
    request.concurrencyWaitMs = 300;
    const QByteArray k = key(request);
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));

    const QByteArray slow = j("{'model':'claude-sonnet-4-5','max_tokens':100,'messages':[{'role':'user','content':"
                              "'hi'}],'mock':{'first_byte_ms':1500}}");
    RawHttpClient a, b;
    QVERIFY(a.connectTo(m_h->port()) && b.connectTo(m_h->port()));
    a.send(RelayHarness::post("/v1/messages", k, slow));
    QTest::qWait(100);
    QElapsedTimer waited;
    waited.start();
    const auto refused = b.request(RelayHarness::post("/v1/messages", k, slow));
    QCOMPARE(refused.status, 429);
    QVERIFY(refused.body.contains("waited 0.3 s"));
    QVERIFY2(waited.elapsed() >= 250 && waited.elapsed() < 1400, QByteArray::number(waited.elapsed()).constData());
    QCOMPARE(a.read().status, 200);
}

void TstRelayLimits::keyWithoutLimitsCostsNoLimitRoundTrip()
{
    const QByteArray k = key({});
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));
    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", k, Sonnet)).status, 200);
    // No limit counters for a key without limits.
    const auto scan = m_h->redis().command({"SCAN", "0", "MATCH", "rd:*limits*", "COUNT", "1000"});
    QCOMPARE(scan.elements.at(1).toList().size(), 0);
}

void TstRelayLimits::modelsListAndKeyInfoFollowTheKey()
{
    Domain::NewApiKey request;
    request.modelRule = {Domain::ModelRuleMode::Deny, {"claude-opus-4-1", "claude-opus-4-5"}};
    request.limits.dailyCostNanos = 2'500'000'000;
    const QByteArray k = key(request);
    QVERIFY2(m_h->startRelay(), qPrintable(m_h->errorString()));

    const auto models = m_h->send("GET /v1/models HTTP/1.1\r\nHost: x\r\nx-api-key: " + k + "\r\n\r\n");
    QCOMPARE(models.status, 200);
    const QJsonObject list = QJsonDocument::fromJson(models.body).object();
    QStringList ids;
    for (const QJsonValue &m : list.value(u"data").toArray())
        ids << m.toObject().value(u"id").toString();
    QVERIFY(ids.contains(u"claude-sonnet-4-5-20250929"_s));
    QVERIFY2(!ids.contains(u"claude-opus-4-1-20250805"_s) && !ids.contains(u"claude-opus-4-5-20251101"_s),
             qPrintable(ids.join(u',')));
    QCOMPARE(list.value(u"first_id").toString(), ids.first());

    QCOMPARE(m_h->send(RelayHarness::post("/v1/messages", k, Sonnet)).status, 200);
    QTest::qWait(200); // the usage batch lands
    const auto info = m_h->send("GET /v1/key-info HTTP/1.1\r\nHost: x\r\nx-api-key: " + k + "\r\n\r\n");
    QCOMPARE(info.status, 200);
    const QJsonObject body = QJsonDocument::fromJson(info.body).object();
    QCOMPARE(body.value(u"name").toString(), QStringLiteral("limited"));
    QCOMPARE(body.value(u"limits").toObject().value(u"daily_cost_nanos").toInteger(), 2'500'000'000);
    QCOMPARE(body.value(u"usage_today").toObject().value(u"requests").toInteger(), 1);
    QVERIFY(!info.body.contains(k));
}

QTEST_GUILESS_MAIN(TstRelayLimits)
#include "tst_relaylimits.moc"
