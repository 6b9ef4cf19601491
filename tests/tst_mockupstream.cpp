// SPDX-License-Identifier: GPL-3.0-or-later
#include "mockupstream.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include <memory>
#include <vector>

namespace {

constexpr int DefaultDeltas = 5;

struct Answer
{
    bool finished = false;
    int status = 0;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    bool http2 = false;
    QByteArray body;
    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
    QHash<QByteArray, QByteArray> headers;
};

struct SseEvent
{
    QByteArray type;
    QJsonObject data;
};

enum class Protocol { Http1, H2c, Default };

QNetworkRequest makeRequest(const QUrl &url, Protocol protocol)
{
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    request.setRawHeader("accept-encoding", "identity");
    if (protocol == Protocol::Http1) {
        request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    } else if (protocol == Protocol::H2c) {
        request.setAttribute(QNetworkRequest::Http2AllowedAttribute, true);
        request.setAttribute(QNetworkRequest::Http2DirectAttribute, true);
    }
    return request;
}

Answer collect(QNetworkReply *reply, int timeoutMs = 10000)
{
    Answer a;
    if (!reply->isFinished()) {
        QSignalSpy spy(reply, &QNetworkReply::finished);
        spy.wait(timeoutMs);
    }
    a.finished = reply->isFinished();
    a.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    a.error = reply->error();
    a.http2 = reply->attribute(QNetworkRequest::Http2WasUsedAttribute).toBool();
    a.body = reply->readAll();
    for (const auto &[name, value] : reply->rawHeaderPairs()) {
        a.headers.insert(name.toLower(), value);
    }
    if (!a.finished) {
        reply->abort();
    }
    reply->deleteLater();
    return a;
}

QList<SseEvent> parseSse(const QByteArray &body)
{
    QList<SseEvent> events;
    for (const QByteArray &block : body.split('\n')) {
        if (block.startsWith("event: ")) {
            events.append({block.mid(7), {}});
        } else if (block.startsWith("data: ") && !events.isEmpty()) {
            events.last().data = QJsonDocument::fromJson(block.mid(6)).object();
        }
    }
    return events;
}

QByteArray words(int n)
{
    QByteArray text;
    for (int i = 0; i < n; ++i) {
        text += (i == 0 ? "word" : " word") + QByteArray::number(i);
    }
    return text;
}

int ceilQuarter(qsizetype bytes)
{
    return static_cast<int>((bytes + 3) / 4);
}

} // namespace

class TstMockUpstream : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void nonStreamAnswerHasMessageShapeAndDerivedUsage();
    void streamEmitsAnthropicEventSequenceWithExactUsage();
    void deltaUsageCanBeOutputOnly();
    void customTextAndDelaysApply();
    void acceptsPathPrefixAndQueryString();
    void servesHttp1AndH2cOnOnePort();
    void h2cServesHundredConcurrentSlowRequestsAtOnce();
    void tlsNegotiatesH2ViaAlpnAndStillSpeaksHttp1();
    void faultsAnswerWithAnthropicErrors_data();
    void faultsAnswerWithAnthropicErrors();
    void rateLimitHeadersAreControllable();
    void badJsonFaultTruncatesTheBody();
    void errorMidStreamEndsWithErrorEvent();
    void resetMidStreamCutsTheStream_data();
    void resetMidStreamCutsTheStream();
    void slowFirstByteDelaysTheAnswer();
    void hangNeverAnswers();
    void countTokensUsesTheSameFormula();
    void modelsListHasAnthropicShape();
    void bodyControlsOverrideHeadersAndHeadersOverrideDefaults();
    void recordsWhatItReceivedAndResetClearsIt();
    void invalidJsonGetsInvalidRequestError();

private:
    Answer post(const QString &path, const QByteArray &body, Protocol protocol = Protocol::Http1,
                const QList<QPair<QByteArray, QByteArray>> &headers = {}, int timeoutMs = 10000);

    std::unique_ptr<MockUpstream> m_mock;
    QNetworkAccessManager m_nam;
};

void TstMockUpstream::initTestCase()
{
    MockUpstream::Options options;
    options.deltas = DefaultDeltas;
    m_mock = std::make_unique<MockUpstream>(options);
    QVERIFY2(m_mock->start(), qPrintable(m_mock->errorString()));
    QVERIFY(m_mock->port() != 0);
    QCOMPARE(m_mock->baseUrl().toString(), QStringLiteral("http://127.0.0.1:%1").arg(m_mock->port()));
}

void TstMockUpstream::init()
{
    QVERIFY(m_mock->reset());
}

Answer TstMockUpstream::post(const QString &path, const QByteArray &body, Protocol protocol,
                             const QList<QPair<QByteArray, QByteArray>> &headers, int timeoutMs)
{
    QNetworkRequest request = makeRequest(m_mock->url(path), protocol);
    for (const auto &[name, value] : headers) {
        request.setRawHeader(name, value);
    }
    return collect(m_nam.post(request, body), timeoutMs);
}

void TstMockUpstream::nonStreamAnswerHasMessageShapeAndDerivedUsage()
{
    const QByteArray body = R"({"model":"claude-sonnet-4-5-20250929","max_tokens":64,"messages":[{"role":"user",)"
                            R"("content":"hello"}]})";
    const Answer a = post(QStringLiteral("/v1/messages"), body);
    QCOMPARE(a.status, 200);
    QCOMPARE(a.header("content-type"), QByteArrayLiteral("application/json"));
    QVERIFY(a.header("request-id").startsWith("req_mock_"));
    QVERIFY(!a.header("anthropic-organization-id").isEmpty());

    const QJsonObject m = QJsonDocument::fromJson(a.body).object();
    QVERIFY(m.value(u"id").toString().startsWith(u"msg_mock_"));
    QCOMPARE(m.value(u"type").toString(), u"message");
    QCOMPARE(m.value(u"role").toString(), u"assistant");
    QCOMPARE(m.value(u"model").toString(), u"claude-sonnet-4-5-20250929");
    QCOMPARE(m.value(u"stop_reason").toString(), u"end_turn");
    QVERIFY(m.value(u"stop_sequence").isNull());
    const QJsonArray content = m.value(u"content").toArray();
    QCOMPARE(content.size(), 1);
    QCOMPARE(content.at(0).toObject().value(u"type").toString(), u"text");
    QCOMPARE(content.at(0).toObject().value(u"text").toString().toUtf8(), words(DefaultDeltas));

    const QJsonObject usage = m.value(u"usage").toObject();
    QCOMPARE(usage.value(u"input_tokens").toInt(), ceilQuarter(body.size()));
    QCOMPARE(usage.value(u"output_tokens").toInt(), DefaultDeltas);
    QCOMPARE(usage.value(u"cache_creation_input_tokens").toInt(-1), 0);
    QCOMPARE(usage.value(u"cache_read_input_tokens").toInt(-1), 0);
    QCOMPARE(usage.value(u"cache_creation").toObject().value(u"ephemeral_5m_input_tokens").toInt(-1), 0);
    QCOMPARE(usage.value(u"cache_creation").toObject().value(u"ephemeral_1h_input_tokens").toInt(-1), 0);
    QCOMPARE(usage.value(u"service_tier").toString(), u"standard");
}

void TstMockUpstream::streamEmitsAnthropicEventSequenceWithExactUsage()
{
    const QByteArray body = R"({"model":"claude-opus-4-5-20251101","stream":true,"messages":[]})";
    const Answer a = post(QStringLiteral("/v1/messages"), body, Protocol::Http1,
                          {{"x-mock-input-tokens", "1234"},
                           {"x-mock-cache-creation-5m", "100"},
                           {"x-mock-cache-creation-1h", "20"},
                           {"x-mock-cache-read", "3"},
                           {"x-mock-deltas", "4"}});
    QCOMPARE(a.status, 200);
    QCOMPARE(a.error, QNetworkReply::NoError);
    QVERIFY(a.header("content-type").startsWith("text/event-stream"));
    QVERIFY(a.header("request-id").startsWith("req_mock_"));

    const QList<SseEvent> events = parseSse(a.body);
    QList<QByteArray> types;
    for (const SseEvent &e : events) {
        types << e.type;
        QCOMPARE(e.data.value(u"type").toString().toUtf8(), e.type); // the data names its own event
    }
    const QList<QByteArray> expected{"message_start",       "content_block_start", "ping",
                                     "content_block_delta", "content_block_delta", "content_block_delta",
                                     "content_block_delta", "content_block_stop",  "message_delta",
                                     "message_stop"};
    QCOMPARE(types, expected);

    const QJsonObject message = events.at(0).data.value(u"message").toObject();
    QCOMPARE(message.value(u"model").toString(), u"claude-opus-4-5-20251101");
    QVERIFY(message.value(u"content").toArray().isEmpty());
    QVERIFY(message.value(u"stop_reason").isNull());
    const QJsonObject startUsage = message.value(u"usage").toObject();
    QCOMPARE(startUsage.value(u"input_tokens").toInt(), 1234);
    QCOMPARE(startUsage.value(u"cache_creation_input_tokens").toInt(), 120);
    QCOMPARE(startUsage.value(u"cache_read_input_tokens").toInt(), 3);
    QCOMPARE(startUsage.value(u"cache_creation").toObject().value(u"ephemeral_5m_input_tokens").toInt(), 100);
    QCOMPARE(startUsage.value(u"cache_creation").toObject().value(u"ephemeral_1h_input_tokens").toInt(), 20);
    QCOMPARE(startUsage.value(u"output_tokens").toInt(), 1);

    QCOMPARE(events.at(1).data.value(u"index").toInt(-1), 0);
    QCOMPARE(events.at(1).data.value(u"content_block").toObject().value(u"text").toString(), QString());
    QByteArray text;
    for (int i = 3; i < 7; ++i) {
        const QJsonObject delta = events.at(i).data.value(u"delta").toObject();
        QCOMPARE(delta.value(u"type").toString(), u"text_delta");
        text += delta.value(u"text").toString().toUtf8();
    }
    QCOMPARE(text, words(4));

    const QJsonObject messageDelta = events.at(8).data;
    QCOMPARE(messageDelta.value(u"delta").toObject().value(u"stop_reason").toString(), u"end_turn");
    QVERIFY(messageDelta.value(u"delta").toObject().value(u"stop_sequence").isNull());
    const QJsonObject endUsage = messageDelta.value(u"usage").toObject();
    QCOMPARE(endUsage.value(u"output_tokens").toInt(), 4);
    QCOMPARE(endUsage.value(u"input_tokens").toInt(), 1234);
    QCOMPARE(endUsage.value(u"cache_creation_input_tokens").toInt(), 120);
    QCOMPARE(endUsage.value(u"cache_read_input_tokens").toInt(), 3);
}

void TstMockUpstream::deltaUsageCanBeOutputOnly()
{
    const Answer a = post(QStringLiteral("/v1/messages"), R"({"stream":true,"mock":{"delta_usage":"output"}})");
    const QList<SseEvent> events = parseSse(a.body);
    QCOMPARE(events.size(), 6 + DefaultDeltas);
    const QJsonObject usage = events.at(events.size() - 2).data.value(u"usage").toObject();
    QCOMPARE(usage.keys(), QStringList{QStringLiteral("output_tokens")});
    QCOMPARE(usage.value(u"output_tokens").toInt(), DefaultDeltas);
}

void TstMockUpstream::customTextAndDelaysApply()
{
    QElapsedTimer clock;
    clock.start();
    const Answer a = post(QStringLiteral("/v1/messages"),
                          R"({"stream":true,"mock":{"text":"ab\"c","deltas":3,"delta_delay_ms":60}})");
    QVERIFY(clock.elapsed() >= 3 * 60);
    QByteArray text;
    for (const SseEvent &e : parseSse(a.body)) {
        if (e.type == "content_block_delta") {
            text += e.data.value(u"delta").toObject().value(u"text").toString().toUtf8();
        }
    }
    QCOMPARE(text, QByteArrayLiteral("ab\"cab\"cab\"c"));
}

void TstMockUpstream::acceptsPathPrefixAndQueryString()
{
    const Answer a = post(QStringLiteral("/anything/deeper/v1/messages?beta=true"), R"({"model":"m"})");
    QCOMPARE(a.status, 200);
    QCOMPARE(QJsonDocument::fromJson(a.body).object().value(u"type").toString(), u"message");
    const QJsonArray recorded = m_mock->requests();
    QCOMPARE(recorded.size(), 1);
    QCOMPARE(recorded.at(0).toObject().value(u"path").toString(), u"/anything/deeper/v1/messages?beta=true");
    QCOMPARE(m_mock->stats().value(u"by_path").toObject().value(u"/v1/messages").toInt(), 1);
}

void TstMockUpstream::servesHttp1AndH2cOnOnePort()
{
    const Answer h1 = post(QStringLiteral("/v1/messages"), "{}", Protocol::Http1);
    QCOMPARE(h1.status, 200);
    QVERIFY(!h1.http2);
    const Answer h2 = post(QStringLiteral("/v1/messages"), "{}", Protocol::H2c);
    QCOMPARE(h2.status, 200);
    QVERIFY(h2.http2);
    const QJsonObject m1 = QJsonDocument::fromJson(h1.body).object();
    const QJsonObject m2 = QJsonDocument::fromJson(h2.body).object();
    QCOMPARE(m2.value(u"usage"), m1.value(u"usage")); // the same answer on both protocols
    QCOMPARE(m2.value(u"content"), m1.value(u"content"));
    const QJsonArray recorded = m_mock->requests();
    QCOMPARE(recorded.size(), 2);
    QCOMPARE(recorded.at(0).toObject().value(u"protocol").toString(), u"h1");
    QCOMPARE(recorded.at(1).toObject().value(u"protocol").toString(), u"h2");
    const QJsonObject byProtocol = m_mock->stats().value(u"by_protocol").toObject();
    QCOMPARE(byProtocol.value(u"h1").toInt(), 1);
    QCOMPARE(byProtocol.value(u"h2").toInt(), 1);
}

void TstMockUpstream::h2cServesHundredConcurrentSlowRequestsAtOnce()
{
    // Qt 6.4 queues HTTP/1.1 beyond 6 connections per host (about 9 s for this load); h2c multiplexes it all.
    QNetworkAccessManager nam;
    std::vector<QNetworkReply *> replies;
    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < 100; ++i) {
        replies.push_back(nam.get(makeRequest(m_mock->url(QStringLiteral("/slow?ms=500")), Protocol::H2c)));
    }
    int ok = 0;
    for (QNetworkReply *reply : replies) {
        const Answer a = collect(reply, 5000);
        ok += (a.status == 200 && a.http2 && a.body == R"({"ok":true,"ms":500})") ? 1 : 0;
    }
    const qint64 elapsed = clock.elapsed();
    QCOMPARE(ok, 100);
    QVERIFY2(elapsed < 2000, qPrintable(QStringLiteral("took %1 ms").arg(elapsed)));
    const QJsonObject stats = m_mock->stats();
    QCOMPARE(stats.value(u"max_in_flight").toInt(), 100);
    QCOMPARE(stats.value(u"by_protocol").toObject().value(u"h2").toInt(), 100);
    QCOMPARE(stats.value(u"h2_sessions_total").toInt(), 1);
}

void TstMockUpstream::tlsNegotiatesH2ViaAlpnAndStillSpeaksHttp1()
{
    MockUpstream::Options options;
    options.tls = true;
    options.deltas = 2;
    MockUpstream tls(options);
    QVERIFY2(tls.start(), qPrintable(tls.errorString()));
    QCOMPARE(tls.baseUrl().scheme(), u"https");

    QNetworkAccessManager nam;
    QNetworkReply *viaAlpn = nam.post(makeRequest(tls.url(QStringLiteral("/v1/messages")), Protocol::Default),
                                      QByteArrayLiteral(R"({"stream":true})"));
    viaAlpn->ignoreSslErrors(); // self-signed on purpose
    const Answer h2 = collect(viaAlpn);
    QCOMPARE(h2.status, 200);
    QVERIFY(h2.http2);
    QCOMPARE(parseSse(h2.body).size(), 6 + 2);

    QNetworkReply *viaH1 =
        nam.post(makeRequest(tls.url(QStringLiteral("/v1/messages")), Protocol::Http1), QByteArrayLiteral("{}"));
    viaH1->ignoreSslErrors();
    const Answer h1 = collect(viaH1);
    QCOMPARE(h1.status, 200);
    QVERIFY(!h1.http2);

    const QJsonArray recorded = tls.requests();
    QCOMPARE(recorded.size(), 2);
    QCOMPARE(recorded.at(0).toObject().value(u"protocol").toString(), u"h2");
    QCOMPARE(recorded.at(1).toObject().value(u"protocol").toString(), u"h1");
}

void TstMockUpstream::faultsAnswerWithAnthropicErrors_data()
{
    QTest::addColumn<QByteArray>("fault");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("errorType");
    QTest::addColumn<QString>("message");
    QTest::addColumn<bool>("shouldRetry");

    QTest::newRow("429")
        << QByteArray("429") << 429 << u"rate_limit_error"_qs
        << u"This request would exceed the rate limit for your organization. Please try again later."_qs << true;
    QTest::newRow("529") << QByteArray("529") << 529 << u"overloaded_error"_qs << u"Overloaded"_qs << true;
    QTest::newRow("500") << QByteArray("500") << 500 << u"api_error"_qs << u"Internal server error"_qs << true;
    QTest::newRow("401") << QByteArray("401") << 401 << u"authentication_error"_qs << u"invalid x-api-key"_qs << false;
    QTest::newRow("403") << QByteArray("403") << 403 << u"permission_error"_qs
                         << u"Your organization has been disabled."_qs << false;
}

void TstMockUpstream::faultsAnswerWithAnthropicErrors()
{
    QFETCH(QByteArray, fault);
    QFETCH(int, status);
    QFETCH(QString, errorType);
    QFETCH(QString, message);
    QFETCH(bool, shouldRetry);

    for (const Protocol protocol : {Protocol::Http1, Protocol::H2c}) {
        for (const QString &path : {u"/v1/messages"_qs, u"/v1/messages/count_tokens"_qs}) {
            const Answer a = post(path, R"({"stream":true})", protocol, {{"x-mock-fault", fault}});
            QCOMPARE(a.status, status);
            QCOMPARE(a.header("content-type"), QByteArrayLiteral("application/json"));
            QCOMPARE(a.header("x-should-retry") == "true", shouldRetry);
            QCOMPARE(!a.header("retry-after").isEmpty(), status == 429);
            const QJsonObject e = QJsonDocument::fromJson(a.body).object();
            QCOMPARE(e.value(u"type").toString(), u"error");
            QCOMPARE(e.value(u"error").toObject().value(u"type").toString(), errorType);
            QCOMPARE(e.value(u"error").toObject().value(u"message").toString(), message);
            QCOMPARE(e.value(u"request_id").toString().toUtf8(), a.header("request-id"));
        }
    }
    const Answer custom = post(QStringLiteral("/v1/messages"),
                               "{\"mock\":{\"fault\":\"" + fault + R"(","error_message":"custom words"}})");
    QCOMPARE(QJsonDocument::fromJson(custom.body)[u"error"][u"message"].toString(), u"custom words");
}

void TstMockUpstream::rateLimitHeadersAreControllable()
{
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const Answer byDefault = post(QStringLiteral("/v1/messages"), R"({"mock":{"fault":"429"}})");
    QCOMPARE(byDefault.header("retry-after"), QByteArrayLiteral("1"));
    const qint64 reset = byDefault.header("anthropic-ratelimit-unified-reset").toLongLong();
    QVERIFY(reset >= now + 1 && reset <= now + 3);
    QCOMPARE(byDefault.header("anthropic-ratelimit-unified-status"), QByteArrayLiteral("rejected"));

    const Answer chosen =
        post(QStringLiteral("/v1/messages"), "{}", Protocol::H2c,
             {{"x-mock-fault", "429"}, {"x-mock-retry-after", "17"}, {"x-mock-ratelimit-reset", "1900000000"}});
    QCOMPARE(chosen.status, 429);
    QCOMPARE(chosen.header("retry-after"), QByteArrayLiteral("17"));
    QCOMPARE(chosen.header("anthropic-ratelimit-unified-reset"), QByteArrayLiteral("1900000000"));
}

void TstMockUpstream::badJsonFaultTruncatesTheBody()
{
    const Answer a = post(QStringLiteral("/v1/messages"), R"({"stream":true,"mock":{"fault":"bad_json"}})");
    QCOMPARE(a.status, 200);
    QCOMPARE(a.error, QNetworkReply::NoError);
    QVERIFY(a.body.startsWith(R"({"id":"msg_mock_)"));
    QJsonParseError error;
    QJsonDocument::fromJson(a.body, &error);
    QVERIFY(error.error != QJsonParseError::NoError);
}

void TstMockUpstream::errorMidStreamEndsWithErrorEvent()
{
    const Answer a =
        post(QStringLiteral("/v1/messages"), R"({"stream":true,"mock":{"fault":"error_mid_stream"}})", Protocol::H2c);
    QCOMPARE(a.status, 200);
    QCOMPARE(a.error, QNetworkReply::NoError);
    const QList<SseEvent> events = parseSse(a.body);
    QCOMPARE(events.size(), 3 + 2 + 1); // start, block start, ping, fault_after (2) deltas, error
    QCOMPARE(events.at(4).type, QByteArrayLiteral("content_block_delta"));
    QCOMPARE(events.last().type, QByteArrayLiteral("error"));
    QCOMPARE(events.last().data.value(u"error").toObject().value(u"type").toString(), u"overloaded_error");
    QVERIFY(a.body.endsWith(
        "event: error\ndata: "
        "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"));
}

void TstMockUpstream::resetMidStreamCutsTheStream_data()
{
    QTest::addColumn<bool>("h2");
    QTest::addColumn<int>("delayMs");
    QTest::newRow("h1") << false << 0;
    QTest::newRow("h1-paced") << false << 30;
    QTest::newRow("h2c") << true << 0;
    QTest::newRow("h2c-paced") << true << 30;
}

void TstMockUpstream::resetMidStreamCutsTheStream()
{
    QFETCH(bool, h2);
    QFETCH(int, delayMs);
    const QByteArray body = R"({"stream":true,"mock":{"fault":"reset_mid_stream","fault_after":3,"delta_delay_ms":)" +
                            QByteArray::number(delayMs) + "}}";
    const auto checkTruncated = [](const QByteArray &received) {
        QVERIFY(received.contains("event: message_start\n"));
        QCOMPARE(received.count("event: content_block_delta"), 3);
        QVERIFY(!received.contains("message_stop"));
    };

    if (!h2) {
        // Over HTTP/1.1 look at the wire: QNAM 6.4 sometimes reports a reset inside a chunked body as a clean
        // finish (the reply just ends early), so only a raw socket can tell that the cut really happened.
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, m_mock->port());
        QVERIFY(socket.waitForConnected(5000));
        socket.write("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     "Content-Length: " +
                     QByteArray::number(body.size()) + "\r\n\r\n" + body);
        QByteArray received;
        QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [&] { received += socket.readAll(); });
        QSignalSpy closed(&socket, &QTcpSocket::disconnected);
        QVERIFY(closed.wait(5000));
        received += socket.readAll();
        QVERIFY(received.startsWith("HTTP/1.1 200 OK\r\n"));
        QVERIFY(received.contains("transfer-encoding: chunked") || received.contains("Transfer-Encoding: chunked"));
        QVERIFY2(!received.contains("\r\n0\r\n\r\n"), "the chunked body must not be terminated");
        QCOMPARE(socket.error(), QAbstractSocket::RemoteHostClosedError); // ECONNRESET maps here too
        checkTruncated(received);
    }

    QNetworkAccessManager nam; // a cut connection must not leak into other tests' pools
    QNetworkReply *reply =
        nam.post(makeRequest(m_mock->url(QStringLiteral("/v1/messages")), h2 ? Protocol::H2c : Protocol::Http1), body);
    QByteArray received;
    QObject::connect(reply, &QNetworkReply::readyRead, reply, [&] { received += reply->readAll(); });
    const Answer a = collect(reply);
    received += a.body;
    QVERIFY(a.finished);
    QCOMPARE(a.status, 200);
    if (h2) {
        QCOMPARE(a.error, QNetworkReply::InternalServerError); // RST_STREAM INTERNAL_ERROR
    }
    checkTruncated(received);
    QCOMPARE(m_mock->requests().size(), h2 ? 1 : 2);
}

void TstMockUpstream::slowFirstByteDelaysTheAnswer()
{
    QElapsedTimer clock;
    clock.start();
    const Answer a =
        post(QStringLiteral("/v1/messages"), R"({"mock":{"fault":"slow_first_byte","first_byte_ms":300}})");
    QCOMPARE(a.status, 200);
    QVERIFY(clock.elapsed() >= 300);

    clock.restart();
    const Answer b = post(QStringLiteral("/v1/messages"), "{}", Protocol::H2c, {{"x-mock-first-byte-ms", "200"}});
    QCOMPARE(b.status, 200);
    QVERIFY(clock.elapsed() >= 200);
}

void TstMockUpstream::hangNeverAnswers()
{
    QNetworkAccessManager nam;
    QNetworkReply *reply = nam.post(makeRequest(m_mock->url(QStringLiteral("/v1/messages")), Protocol::H2c),
                                    R"({"mock":{"fault":"hang"}})");
    QTRY_COMPARE(m_mock->stats().value(u"in_flight").toInt(), 1);
    QVERIFY(!reply->isFinished());
    QVERIFY(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).isNull());
    reply->abort();
    delete reply;
    QTRY_COMPARE(m_mock->stats().value(u"in_flight").toInt(), 0);
}

void TstMockUpstream::countTokensUsesTheSameFormula()
{
    const QByteArray body = R"({"model":"claude-haiku-4-5-20251001","messages":[{"role":"user","content":"x"}]})";
    const Answer derived = post(QStringLiteral("/v1/messages/count_tokens?beta=true"), body, Protocol::H2c);
    QCOMPARE(derived.status, 200);
    QCOMPARE(derived.body, "{\"input_tokens\":" + QByteArray::number(ceilQuarter(body.size())) + "}");
    const Answer chosen = post(QStringLiteral("/v1/messages/count_tokens"), R"({"mock":{"input_tokens":77}})");
    QCOMPARE(chosen.body, QByteArrayLiteral(R"({"input_tokens":77})"));
}

void TstMockUpstream::modelsListHasAnthropicShape()
{
    const Answer a = collect(m_nam.get(makeRequest(m_mock->url(QStringLiteral("/v1/models")), Protocol::H2c)));
    QCOMPARE(a.status, 200);
    const QJsonObject list = QJsonDocument::fromJson(a.body).object();
    const QJsonArray data = list.value(u"data").toArray();
    QVERIFY(data.size() >= 3);
    for (const QJsonValue &v : data) {
        const QJsonObject model = v.toObject();
        QCOMPARE(model.value(u"type").toString(), u"model");
        QVERIFY(model.value(u"id").toString().startsWith(u"claude-"));
        QVERIFY(!model.value(u"display_name").toString().isEmpty());
        QVERIFY(QDateTime::fromString(model.value(u"created_at").toString(), Qt::ISODate).isValid());
    }
    QCOMPARE(list.value(u"has_more").toBool(true), false);
    QCOMPARE(list.value(u"first_id").toString(), data.first().toObject().value(u"id").toString());
    QCOMPARE(list.value(u"last_id").toString(), data.last().toObject().value(u"id").toString());

    const QString id = data.first().toObject().value(u"id").toString();
    const Answer one = collect(m_nam.get(makeRequest(m_mock->url(u"/v1/models/"_qs + id), Protocol::Http1)));
    QCOMPARE(QJsonDocument::fromJson(one.body).object().value(u"id").toString(), id);
}

void TstMockUpstream::bodyControlsOverrideHeadersAndHeadersOverrideDefaults()
{
    const auto outputTokens = [](const Answer &a) {
        return QJsonDocument::fromJson(a.body)[u"usage"][u"output_tokens"].toInt(-1);
    };
    QCOMPARE(outputTokens(post(QStringLiteral("/v1/messages"), "{}")), DefaultDeltas);
    QCOMPARE(outputTokens(post(QStringLiteral("/v1/messages"), "{}", Protocol::Http1, {{"x-mock-deltas", "3"}})), 3);
    QCOMPARE(outputTokens(post(QStringLiteral("/v1/messages"), R"({"mock":{"deltas":7}})", Protocol::Http1,
                               {{"x-mock-deltas", "3"}})),
             7);
    const Answer faultInHeaderOnly =
        post(QStringLiteral("/v1/messages"), R"({"mock":{"fault":""}})", Protocol::Http1, {{"x-mock-fault", "529"}});
    QCOMPARE(faultInHeaderOnly.status, 200); // the body said "no fault" and the body wins
}

void TstMockUpstream::recordsWhatItReceivedAndResetClearsIt()
{
    const QByteArray small = R"({"model":"m","messages":[]})";
    const QByteArray large = "{\"pad\":\"" + QByteArray(100000, 'a') + "\"}";
    post(QStringLiteral("/v1/messages"), small, Protocol::Http1, {{"x-api-key", "sk-relay-replaced"}});
    post(QStringLiteral("/v1/messages"), large, Protocol::H2c, {{"authorization", "Bearer other"}});

    const QJsonArray recorded = m_mock->requests();
    QCOMPARE(recorded.size(), 2);
    const QJsonObject first = recorded.at(0).toObject();
    QCOMPARE(first.value(u"method").toString(), u"POST");
    QCOMPARE(first.value(u"headers").toObject().value(u"x-api-key").toString(), u"sk-relay-replaced");
    QCOMPARE(first.value(u"body").toString().toUtf8(), small);
    QCOMPARE(first.value(u"body_bytes").toInt(), small.size());
    QCOMPARE(first.value(u"body_sha256").toString().toLatin1(),
             QCryptographicHash::hash(small, QCryptographicHash::Sha256).toHex());
    const QJsonObject second = recorded.at(1).toObject();
    QCOMPARE(second.value(u"headers").toObject().value(u"authorization").toString(), u"Bearer other");
    QVERIFY(!second.contains(u"body")); // large bodies are kept as a hash only
    QCOMPARE(second.value(u"body_bytes").toInt(), large.size());
    QCOMPARE(second.value(u"body_sha256").toString().toLatin1(),
             QCryptographicHash::hash(large, QCryptographicHash::Sha256).toHex());

    const QJsonObject stats = m_mock->stats();
    QCOMPARE(stats.value(u"requests_total").toInt(), 2);
    QCOMPARE(stats.value(u"by_status").toObject().value(u"200").toInt(), 2);

    QVERIFY(m_mock->reset());
    QVERIFY(m_mock->requests().isEmpty());
    QCOMPARE(m_mock->stats().value(u"requests_total").toInt(-1), 0);
}

void TstMockUpstream::invalidJsonGetsInvalidRequestError()
{
    const Answer a = post(QStringLiteral("/v1/messages"), "{not json", Protocol::H2c);
    QCOMPARE(a.status, 400);
    QCOMPARE(QJsonDocument::fromJson(a.body)[u"error"][u"type"].toString(), u"invalid_request_error");
}

QTEST_GUILESS_MAIN(TstMockUpstream)
#include "tst_mockupstream.moc"
