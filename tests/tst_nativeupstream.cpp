// SPDX-License-Identifier: GPL-3.0-or-later
#include "mockupstream.h"
#include "upstream/forwardheaders.h"
#include "upstream/responseclassification.h"
#include "upstream/sseusageparser.h"
#include "upstream/upstreamclient.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QPointer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

using namespace Relay::Upstream;

namespace {

struct Collected
{
    int startedSignals = 0;
    int readyReadSignals = 0;
    int finishedSignals = 0;
    int status = 0;
    QByteArray body;
    Outcome outcome;
    SseUsageParser parser;
};

std::shared_ptr<Collected> collect(UpstreamCall *call)
{
    auto c = std::make_shared<Collected>();
    QObject::connect(call, &UpstreamCall::responseStarted, call, [c](int status, const HeaderList &) {
        ++c->startedSignals;
        c->status = status;
    });
    QObject::connect(call, &UpstreamCall::readyRead, call, [c, call] {
        ++c->readyReadSignals;
        const QByteArray data = call->readAll();
        c->body += data;
        c->parser.feed(data);
    });
    QObject::connect(call, &UpstreamCall::finished, call, [c](const Outcome &outcome) {
        ++c->finishedSignals;
        c->outcome = outcome;
        c->parser.finish();
    });
    return c;
}

ClientOptions nativeOptions()
{
    ClientOptions options;
    options.cleartextMode = CleartextMode::Native;
    return options;
}

UpstreamRequest messagesRequest(const QUrl &url, const QByteArray &body, Timeouts timeouts = {})
{
    UpstreamRequest request;
    request.url = url;
    request.headers = forwardHeaders({{"anthropic-version", "2023-06-01"}},
                                     {AccountCredential::Kind::ApiKey, QByteArrayLiteral("sk-ant-test")});
    request.body = body;
    request.timeouts = timeouts;
    return request;
}

// `count` calls at once, each answered after 100 ms, so that each needs a connection of its own; returns when all
// have ended well (or the test failed).
void callsAtOnce(UpstreamClient &client, const QUrl &url, int count)
{
    std::vector<std::unique_ptr<UpstreamCall>> calls;
    std::vector<std::shared_ptr<Collected>> collected;
    for (int i = 0; i < count; ++i) {
        calls.emplace_back(client.start(messagesRequest(url, R"({"mock":{"first_byte_ms":100}})")));
        collected.push_back(collect(calls.back().get()));
    }
    for (const auto &c : collected) {
        QTRY_COMPARE_WITH_TIMEOUT(c->finishedSignals, 1, 10000);
        QVERIFY2(c->outcome.isOk(), qPrintable(c->outcome.message));
    }
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// A scripted HTTP/1.1 server on real sockets, for what the mock cannot do: answer in odd pieces, or close a
// keep-alive connection just as the next request arrives. `answer` gets the connection's request number (from 1)
// and the server-wide one, and returns the pieces to write (20 ms apart; the piece "CLOSE" closes the connection);
// no pieces: close without answering.
class ScriptedServer : public QTcpServer
{
public:
    using Answer = std::function<QList<QByteArray>(int onConnection, int overall)>;

    explicit ScriptedServer(Answer answer)
        : m_answer(std::move(answer))
    {
        connect(this, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = nextPendingConnection()) {
                ++connections;
                auto requests = std::make_shared<int>(0);
                auto buffer = std::make_shared<QByteArray>();
                connect(socket, &QTcpSocket::readyRead, socket, [this, socket, requests, buffer] {
                    *buffer += socket->readAll();
                    // Requests here have content-length bodies; the head ends at the blank line.
                    while (true) {
                        const qsizetype end = buffer->indexOf("\r\n\r\n");
                        if (end < 0) {
                            return;
                        }
                        qsizetype length = 0;
                        for (const QByteArray &line : buffer->left(end).split('\n')) {
                            if (line.toLower().startsWith("content-length:")) {
                                length = line.mid(15).trimmed().toLongLong();
                            }
                        }
                        if (buffer->size() < end + 4 + length) {
                            return;
                        }
                        buffer->remove(0, end + 4 + length);
                        const QList<QByteArray> pieces = m_answer(++*requests, ++this->requests);
                        if (pieces.isEmpty()) {
                            socket->abort();
                            return;
                        }
                        for (qsizetype i = 0; i < pieces.size(); ++i) {
                            QTimer::singleShot(int(20 * i), socket, [socket, piece = pieces.at(i)] {
                                if (piece == "CLOSE") {
                                    socket->disconnectFromHost();
                                    return;
                                }
                                socket->write(piece);
                                socket->flush();
                            });
                        }
                    }
                });
                connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            }
        });
    }

    QUrl url() const { return QUrl(QStringLiteral("http://127.0.0.1:%1/v1/messages").arg(serverPort())); }

    int connections = 0;
    int requests = 0;

private:
    Answer m_answer;
};

QList<QByteArray> okAnswer()
{
    return {QByteArrayLiteral("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nok")};
}

} // namespace

class TstNativeUpstream : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void sequentialCallsShareOneKeepAliveConnection();
    void staleIdleConnectionIsRetriedOnANewOne();
    void retryHappensOnlyOnceAndOnlyOnReusedConnections();
    void idleConnectionClosedByServerLeavesThePool();
    void connectTimeoutWhenRequestCannotGoOut();
    void chunkedResponseSplitAcrossReads();
    void bodyUntilCloseIsCompleteAndNotReused();
    void connectionCloseIsHonoured();
    void abortMidStreamClosesConnectionAndSparesThePool();
    void deletingCallInsideEachSignal_data();
    void deletingCallInsideEachSignal();
    void closedPortFailsToConnect();
    void preparedCallStartsInPlace();
    void failuresClassifyLikeQnam_data();
    void failuresClassifyLikeQnam();
    void hundredConcurrentStreamsOnAWorkerThread();
    void idleBoundClosesTheRest();
    void sparesCloseSoonAfterABurst();
    void idleConnectionsExpire();

private:
    std::unique_ptr<MockUpstream> m_mock;
};

void TstNativeUpstream::initTestCase()
{
    m_mock = std::make_unique<MockUpstream>();
    QVERIFY2(m_mock->start(), qPrintable(m_mock->errorString()));
}

void TstNativeUpstream::init()
{
    QVERIFY(m_mock->reset());
}

void TstNativeUpstream::sequentialCallsShareOneKeepAliveConnection()
{
    UpstreamClient client(nativeOptions());
    for (int i = 0; i < 5; ++i) {
        std::unique_ptr<UpstreamCall> call(client.start(messagesRequest(
            m_mock->url(QStringLiteral("/v1/messages")), i % 2 ? QByteArray("{}") : R"({"stream":true})")));
        const auto c = collect(call.get());
        QTRY_COMPARE_WITH_TIMEOUT(c->finishedSignals, 1, 10000);
        QVERIFY2(c->outcome.isOk(), qPrintable(c->outcome.message));
        QCOMPARE(c->status, 200);
        QVERIFY(!c->outcome.http2);
        QCOMPARE(c->outcome.bytesReceived, c->body.size());
        QCOMPARE(client.nativeIdleConnections(), 1);
    }
    QCOMPARE(client.nativeConnectionsOpened(), 1);
    QCOMPARE(client.managerCount(), 0); // no Qt network thread
    const QJsonObject stats = m_mock->stats();
    QCOMPARE(stats.value(u"by_protocol").toObject().value(u"h1").toInt(), 5);
    QCOMPARE(stats.value(u"connections_total").toInt(), 2); // ours, kept alive, and the stats request's own
}

void TstNativeUpstream::staleIdleConnectionIsRetriedOnANewOne()
{
    // Every connection answers its first request and closes at its second: as a server does that closed an idle
    // connection just when it was reused.
    ScriptedServer server([](int onConnection, int) { return onConnection == 1 ? okAnswer() : QList<QByteArray>{}; });
    QVERIFY(server.listen(QHostAddress::LocalHost));
    UpstreamClient client(nativeOptions());
    for (int i = 0; i < 3; ++i) {
        std::unique_ptr<UpstreamCall> call(client.start(messagesRequest(server.url(), "{}")));
        const auto c = collect(call.get());
        QTRY_COMPARE_WITH_TIMEOUT(c->finishedSignals, 1, 10000);
        QVERIFY2(c->outcome.isOk(), qPrintable(c->outcome.message));
        QCOMPARE(c->body, QByteArray("ok"));
    }
    QCOMPARE(server.connections, 3);
    QCOMPARE(server.requests, 5); // the first, then a refused reuse and a fresh retry for each of the others
}

void TstNativeUpstream::retryHappensOnlyOnceAndOnlyOnReusedConnections()
{
    // Only the very first request is answered.
    ScriptedServer server([](int, int overall) { return overall == 1 ? okAnswer() : QList<QByteArray>{}; });
    QVERIFY(server.listen(QHostAddress::LocalHost));
    UpstreamClient client(nativeOptions());
    std::unique_ptr<UpstreamCall> first(client.start(messagesRequest(server.url(), "{}")));
    const auto a = collect(first.get());
    QTRY_COMPARE_WITH_TIMEOUT(a->finishedSignals, 1, 10000);
    QVERIFY(a->outcome.isOk());

    // Reused connection refused, then the fresh one too: no second retry.
    std::unique_ptr<UpstreamCall> second(client.start(messagesRequest(server.url(), "{}")));
    const auto b = collect(second.get());
    QTRY_COMPARE_WITH_TIMEOUT(b->finishedSignals, 1, 10000);
    QCOMPARE(b->outcome.kind, Outcome::Kind::Reset);
    QVERIFY(!b->outcome.responseStarted);
    QCOMPARE(server.connections, 2);
    QCOMPARE(server.requests, 3);

    // A fresh connection that fails is not retried.
    std::unique_ptr<UpstreamCall> third(client.start(messagesRequest(server.url(), "{}")));
    const auto c = collect(third.get());
    QTRY_COMPARE_WITH_TIMEOUT(c->finishedSignals, 1, 10000);
    QCOMPARE(c->outcome.kind, Outcome::Kind::Reset);
    QCOMPARE(server.connections, 3);
    QCOMPARE(server.requests, 4);
    QVERIFY(classifyOutcome(c->outcome, nowMs()).retryableOnAnotherAccount);
}

void TstNativeUpstream::idleConnectionClosedByServerLeavesThePool()
{
    ScriptedServer server([](int, int) { return okAnswer() << QByteArrayLiteral("CLOSE"); });
    QVERIFY(server.listen(QHostAddress::LocalHost));
    UpstreamClient client(nativeOptions());
    std::unique_ptr<UpstreamCall> first(client.start(messagesRequest(server.url(), "{}")));
    const auto a = collect(first.get());
    QTRY_COMPARE_WITH_TIMEOUT(a->finishedSignals, 1, 10000);
    QVERIFY(a->outcome.isOk());
    QCOMPARE(client.nativeIdleConnections(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(client.nativeIdleConnections(), 0, 5000); // the server's close is noticed while idle

    std::unique_ptr<UpstreamCall> second(client.start(messagesRequest(server.url(), "{}")));
    const auto b = collect(second.get());
    QTRY_COMPARE_WITH_TIMEOUT(b->finishedSignals, 1, 10000);
    QVERIFY(b->outcome.isOk());
    QCOMPARE(server.connections, 2);
    QCOMPARE(server.requests, 2); // no request was lost on the closed connection
}

void TstNativeUpstream::connectTimeoutWhenRequestCannotGoOut()
{
    // A server that never reads: once the socket buffers are full the body stops going out, so the request is
    // not sent within the connect limit (the same phase QNAM reports until its requestSent()).
    QTcpServer silent;
    QVERIFY(silent.listen(QHostAddress::LocalHost));
    silent.pauseAccepting();
    UpstreamClient client(nativeOptions());
    Timeouts timeouts;
    timeouts.connectMs = 300;
    UpstreamRequest request =
        messagesRequest(QUrl(QStringLiteral("http://127.0.0.1:%1/v1/messages").arg(silent.serverPort())),
                        QByteArray(64 << 20, 'x'), timeouts);
    QElapsedTimer clock;
    clock.start();
    std::unique_ptr<UpstreamCall> call(client.start(request));
    const auto c = collect(call.get());
    QTRY_COMPARE_WITH_TIMEOUT(c->finishedSignals, 1, 10000);
    QCOMPARE(c->outcome.kind, Outcome::Kind::Timeout);
    QCOMPARE(c->outcome.timeoutPhase, Outcome::Phase::Connect);
    QVERIFY(clock.elapsed() >= 250);
    QVERIFY(classifyOutcome(c->outcome, nowMs()).retryableOnAnotherAccount);
}

void TstNativeUpstream::chunkedResponseSplitAcrossReads()
{
    // Chunk sizes, CRLFs and data cut at every awkward place, 20 ms apart so each piece is its own read.
    ScriptedServer server([](int, int) {
        return QList<QByteArray>{"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-en",
                                 "coding: chunked\r\n\r\n",
                                 "6\r",
                                 "\nhello ",
                                 "\r\n1",
                                 "0\r\n0123456789abcdef\r\n",
                                 "5;ext=1\r\nworld\r",
                                 "\n0\r\n",
                                 "\r\n"};
    });
    QVERIFY(server.listen(QHostAddress::LocalHost));
    UpstreamClient client(nativeOptions());
    for (int i = 0; i < 2; ++i) {
        std::unique_ptr<UpstreamCall> call(client.start(messagesRequest(server.url(), "{}")));
        const auto c = collect(call.get());
        QTRY_COMPARE_WITH_TIMEOUT(c->finishedSignals, 1, 10000);
        QVERIFY2(c->outcome.isOk(), qPrintable(c->outcome.message));
        QCOMPARE(c->body, QByteArray("hello 0123456789abcdefworld"));
        QCOMPARE(c->outcome.bytesReceived, c->body.size());
        QVERIFY(c->readyReadSignals >= 3);
        QCOMPARE(call->responseHeader("content-type"), QByteArray("text/event-stream"));
    }
    QCOMPARE(server.connections, 1); // the chunked end leaves the connection reusable
}

void TstNativeUpstream::bodyUntilCloseIsCompleteAndNotReused()
{
    ScriptedServer server([](int, int) {
        return QList<QByteArray>{"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\n", "part one, ", "part two"};
    });
    QVERIFY(server.listen(QHostAddress::LocalHost));
    // No length and no chunking: the body runs until the server closes.
    UpstreamClient client(nativeOptions());
    std::unique_ptr<UpstreamCall> call(client.start(messagesRequest(server.url(), "{}")));
    const auto c = collect(call.get());
    QTRY_VERIFY_WITH_TIMEOUT(c->body.size() == 18, 10000);
    // Close the server side now: that ends the body.
    const auto sockets = server.findChildren<QTcpSocket *>();
    QCOMPARE(sockets.size(), 1);
    sockets.first()->disconnectFromHost();
    QTRY_COMPARE_WITH_TIMEOUT(c->finishedSignals, 1, 10000);
    QVERIFY2(c->outcome.isOk(), qPrintable(c->outcome.message));
    QCOMPARE(c->body, QByteArray("part one, part two"));
    QCOMPARE(client.nativeIdleConnections(), 0);
}

void TstNativeUpstream::connectionCloseIsHonoured()
{
    ScriptedServer server([](int, int) {
        return QList<QByteArray>{"HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok"};
    });
    QVERIFY(server.listen(QHostAddress::LocalHost));
    UpstreamClient client(nativeOptions());
    for (int i = 0; i < 2; ++i) {
        std::unique_ptr<UpstreamCall> call(client.start(messagesRequest(server.url(), "{}")));
        const auto c = collect(call.get());
        QTRY_COMPARE_WITH_TIMEOUT(c->finishedSignals, 1, 10000);
        QVERIFY(c->outcome.isOk());
        QCOMPARE(client.nativeIdleConnections(), 0);
    }
    QCOMPARE(server.connections, 2);
    QCOMPARE(server.requests, 2); // no request went to a connection the server said it would close
}

void TstNativeUpstream::abortMidStreamClosesConnectionAndSparesThePool()
{
    UpstreamClient client(nativeOptions());
    const QUrl url = m_mock->url(QStringLiteral("/v1/messages"));
    {
        // A connection in the pool first, so the aborted call runs on a reused one.
        std::unique_ptr<UpstreamCall> warm(client.start(messagesRequest(url, "{}")));
        const auto w = collect(warm.get());
        QTRY_COMPARE_WITH_TIMEOUT(w->finishedSignals, 1, 10000);
    }
    std::unique_ptr<UpstreamCall> call(
        client.start(messagesRequest(url, R"({"stream":true,"mock":{"deltas":100,"delta_delay_ms":30}})")));
    const auto c = collect(call.get());
    QTRY_VERIFY_WITH_TIMEOUT(c->parser.eventCount() >= 4, 10000);
    call->abort();
    QCOMPARE(call->outcome().kind, Outcome::Kind::Aborted);
    QVERIFY(!classifyOutcome(call->outcome(), nowMs()).retryableOnAnotherAccount);
    QTRY_COMPARE(m_mock->stats().value(u"in_flight").toInt(), 0);
    QCOMPARE(client.nativeIdleConnections(), 0);
    QTest::qWait(100);
    QCOMPARE(c->finishedSignals, 0);

    // The next call gets a clean new connection and a whole answer.
    std::unique_ptr<UpstreamCall> next(client.start(messagesRequest(url, R"({"stream":true})")));
    const auto n = collect(next.get());
    QTRY_COMPARE_WITH_TIMEOUT(n->finishedSignals, 1, 10000);
    QVERIFY(n->outcome.isOk());
    QVERIFY(n->parser.isComplete());
    QCOMPARE(client.nativeConnectionsOpened(), 2);
    QCOMPARE(client.nativeIdleConnections(), 1);
}

void TstNativeUpstream::deletingCallInsideEachSignal_data()
{
    QTest::addColumn<QString>("signal");
    QTest::addColumn<int>("idleAfter"); // connections left in the pool
    QTest::newRow("responseStarted") << QStringLiteral("responseStarted") << 0;
    QTest::newRow("readyRead") << QStringLiteral("readyRead") << 0;
    QTest::newRow("finished") << QStringLiteral("finished") << 1;
}

void TstNativeUpstream::deletingCallInsideEachSignal()
{
    QFETCH(QString, signal);
    QFETCH(int, idleAfter);
    UpstreamClient client(nativeOptions());
    UpstreamCall *call = client.start(messagesRequest(m_mock->url(QStringLiteral("/v1/messages")),
                                                      R"({"stream":true,"mock":{"deltas":20,"delta_delay_ms":10}})"));
    QPointer<UpstreamCall> guard(call);
    QObject receiver;
    bool deleted = false;
    const auto kill = [&] {
        delete call;
        deleted = true;
    };
    if (signal == u"responseStarted") {
        connect(call, &UpstreamCall::responseStarted, &receiver, kill);
    } else if (signal == u"readyRead") {
        connect(call, &UpstreamCall::readyRead, &receiver, kill);
    } else {
        connect(call, &UpstreamCall::readyRead, &receiver, [call] { call->readAll(); });
        connect(call, &UpstreamCall::finished, &receiver, kill);
    }
    QTRY_VERIFY_WITH_TIMEOUT(deleted, 10000);
    QVERIFY(guard.isNull());
    QTRY_COMPARE(m_mock->stats().value(u"in_flight").toInt(), 0);
    QTest::qWait(50); // queued work of the deleted call must find nothing to touch
    QCOMPARE(client.nativeIdleConnections(), idleAfter);
}

void TstNativeUpstream::closedPortFailsToConnect()
{
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const quint16 port = probe.serverPort();
    probe.close();
    UpstreamClient client(nativeOptions());
    std::unique_ptr<UpstreamCall> call(
        client.start(messagesRequest(QUrl(QStringLiteral("http://127.0.0.1:%1/v1/messages").arg(port)), "{}")));
    const auto c = collect(call.get());
    QTRY_COMPARE_WITH_TIMEOUT(c->finishedSignals, 1, 10000);
    QCOMPARE(c->outcome.kind, Outcome::Kind::ConnectFailed);
    QCOMPARE(c->startedSignals, 0);
    QVERIFY(classifyOutcome(c->outcome, nowMs()).retryableOnAnotherAccount);
}

void TstNativeUpstream::preparedCallStartsInPlace()
{
    UpstreamClient client(nativeOptions());
    // Nothing goes out before begin(); then the request leaves without a trip through the event loop.
    std::unique_ptr<UpstreamCall> call(
        client.prepare(messagesRequest(m_mock->url(QStringLiteral("/v1/messages")), "{}")));
    const auto c = collect(call.get());
    QCoreApplication::processEvents();
    QCOMPARE(client.nativeConnectionsOpened(), 0);
    call->begin();
    QCOMPARE(client.nativeConnectionsOpened(), 1);
    call->begin(); // again: nothing more
    QTRY_COMPARE_WITH_TIMEOUT(c->finishedSignals, 1, 10000);
    QVERIFY2(c->outcome.isOk(), qPrintable(c->outcome.message));
    QCOMPARE(c->status, 200);
    QCOMPARE(client.nativeConnectionsOpened(), 1);
    QCOMPARE(m_mock->stats().value(u"requests_total").toInt(), 1);

    // A port nobody listens on may be refused inside begin(): what was connected before still hears of it.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost));
    const quint16 port = probe.serverPort();
    probe.close();
    std::unique_ptr<UpstreamCall> refused(
        client.prepare(messagesRequest(QUrl(QStringLiteral("http://127.0.0.1:%1/v1/messages").arg(port)), "{}")));
    const auto r = collect(refused.get());
    refused->begin();
    QTRY_COMPARE_WITH_TIMEOUT(r->finishedSignals, 1, 10000);
    QCOMPARE(r->outcome.kind, Outcome::Kind::ConnectFailed);
}

void TstNativeUpstream::failuresClassifyLikeQnam_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("firstByteMs");
    QTest::addColumn<int>("idleMs");
    QTest::newRow("429") << QByteArray(R"({"mock":{"fault":"429"}})") << 0 << 0;
    QTest::newRow("529 stream") << QByteArray(R"({"stream":true,"mock":{"fault":"529"}})") << 0 << 0;
    QTest::newRow("403") << QByteArray(R"({"mock":{"fault":"403"}})") << 0 << 0;
    QTest::newRow("error mid stream") << QByteArray(R"({"stream":true,"mock":{"fault":"error_mid_stream"}})") << 0 << 0;
    QTest::newRow("bad json") << QByteArray(R"({"mock":{"fault":"bad_json"}})") << 0 << 0;
    QTest::newRow("first byte timeout") << QByteArray(R"({"mock":{"first_byte_ms":2000}})") << 300 << 0;
    QTest::newRow("idle timeout") << QByteArray(R"({"stream":true,"mock":{"deltas":3,"delta_delay_ms":2000}})") << 0
                                  << 300;
}

void TstNativeUpstream::failuresClassifyLikeQnam()
{
    QFETCH(QByteArray, body);
    QFETCH(int, firstByteMs);
    QFETCH(int, idleMs);
    Timeouts timeouts;
    timeouts.firstByteMs = firstByteMs;
    timeouts.idleMs = idleMs;
    Outcome outcomes[2];
    QByteArray bodies[2];
    for (const CleartextMode mode : {CleartextMode::Http1, CleartextMode::Native}) {
        ClientOptions options;
        options.cleartextMode = mode;
        UpstreamClient client(options);
        std::unique_ptr<UpstreamCall> call(
            client.start(messagesRequest(m_mock->url(QStringLiteral("/v1/messages")), body, timeouts)));
        const auto c = collect(call.get());
        QTRY_COMPARE_WITH_TIMEOUT(c->finishedSignals, 1, 10000);
        const int i = mode == CleartextMode::Native ? 1 : 0;
        outcomes[i] = c->outcome;
        bodies[i] = c->body;
    }
    QCOMPARE(outcomes[1].kind, outcomes[0].kind);
    QCOMPARE(outcomes[1].timeoutPhase, outcomes[0].timeoutPhase);
    QCOMPARE(outcomes[1].status, outcomes[0].status);
    QCOMPARE(outcomes[1].responseStarted, outcomes[0].responseStarted);
    QCOMPARE(outcomes[1].bytesReceived > 0, outcomes[0].bytesReceived > 0);
    const Classification q = classifyOutcome(outcomes[0], nowMs());
    const Classification n = classifyOutcome(outcomes[1], nowMs());
    QCOMPARE(n.kind, q.kind);
    QCOMPARE(n.retryableOnAnotherAccount, q.retryableOnAnotherAccount);
    QCOMPARE(n.reason, q.reason);
    if (outcomes[0].isOk()) {
        QCOMPARE(bodies[1].size(), bodies[0].size());
    }
    QTRY_COMPARE(m_mock->stats().value(u"in_flight").toInt(), 0);
}

void TstNativeUpstream::hundredConcurrentStreamsOnAWorkerThread()
{
    // Every stream gets its own connection at once (no per-host cap), all on the worker thread; a second burst
    // finds all of them idle in the pool and opens none.
    constexpr int Calls = 100;
    QThread thread;
    thread.start();
    QObject context;
    context.moveToThread(&thread);
    std::atomic<int> finished{0};
    std::atomic<int> complete{0};
    UpstreamClient *client = nullptr;
    const QUrl url = m_mock->url(QStringLiteral("/v1/messages"));
    const auto burst = [&] {
        for (int i = 0; i < Calls; ++i) {
            UpstreamCall *call = client->start(
                messagesRequest(url, R"({"stream":true,"mock":{"deltas":10,"delta_delay_ms":50}})"), client);
            auto parser = std::make_shared<SseUsageParser>();
            QObject::connect(call, &UpstreamCall::readyRead, call, [call, parser] { parser->feed(call->readAll()); });
            QObject::connect(call, &UpstreamCall::finished, call, [&, call, parser](const Outcome &outcome) {
                parser->finish();
                if (outcome.isOk() && parser->isComplete() && parser->usage().outputTokens == 10) {
                    ++complete;
                }
                ++finished;
                call->deleteLater();
            });
        }
    };
    QElapsedTimer clock;
    clock.start();
    QMetaObject::invokeMethod(
        &context,
        [&] {
            ClientOptions options = nativeOptions();
            options.nativeSpareIdleTimeoutMs = 60'000; // none closed between the bursts
            client = new UpstreamClient(options);
            burst();
        },
        Qt::BlockingQueuedConnection);
    QTRY_COMPARE_WITH_TIMEOUT(finished.load(), Calls, 20000);
    const qint64 elapsed = clock.elapsed();
    QCOMPARE(m_mock->stats().value(u"max_in_flight").toInt(), Calls);
    int idle = 0;
    qint64 opened = 0;
    const auto poolState = [&] {
        QMetaObject::invokeMethod(
            &context,
            [&] {
                idle = client->nativeIdleConnections();
                opened = client->nativeConnectionsOpened();
            },
            Qt::BlockingQueuedConnection);
    };
    poolState();
    QCOMPARE(idle, Calls);
    QCOMPARE(opened, Calls);

    QMetaObject::invokeMethod(&context, burst, Qt::BlockingQueuedConnection);
    QTRY_COMPARE_WITH_TIMEOUT(finished.load(), 2 * Calls, 20000);
    poolState();
    QCOMPARE(opened, Calls); // all reused
    QCOMPARE(idle, Calls);
    QMetaObject::invokeMethod(
        &context, [&] { delete client; }, Qt::BlockingQueuedConnection);
    thread.quit();
    thread.wait();
    QCOMPARE(complete.load(), 2 * Calls);
    QVERIFY2(elapsed < 3000, qPrintable(QStringLiteral("took %1 ms").arg(elapsed)));
}

void TstNativeUpstream::idleBoundClosesTheRest()
{
    ClientOptions options = nativeOptions();
    options.nativeMaxIdlePerOrigin = 3;
    UpstreamClient client(options);
    callsAtOnce(client, m_mock->url(QStringLiteral("/v1/messages")), 5);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(client.nativeConnectionsOpened(), 5);
    QCOMPARE(client.nativeIdleConnections(), 3);
    QTRY_COMPARE(m_mock->stats().value(u"connections_open").toInt(), 3 + 1); // and the stats request's own
}

void TstNativeUpstream::sparesCloseSoonAfterABurst()
{
    ClientOptions options = nativeOptions();
    options.nativeWarmPerOrigin = 2;
    options.nativeSpareIdleTimeoutMs = 200;
    UpstreamClient client(options);
    callsAtOnce(client, m_mock->url(QStringLiteral("/v1/messages")), 5);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(client.nativeIdleConnections(), 5);
    // The three spares go after 200 ms unused; the two warm ones stay for the (30 s) idle timeout.
    QTRY_COMPARE_WITH_TIMEOUT(client.nativeIdleConnections(), 2, 3000);
    QTRY_COMPARE(m_mock->stats().value(u"connections_open").toInt(), 2 + 1); // and the stats request's own
    QTest::qWait(600);
    QCOMPARE(client.nativeIdleConnections(), 2);
    // The next request takes a warm one.
    std::unique_ptr<UpstreamCall> again(
        client.start(messagesRequest(m_mock->url(QStringLiteral("/v1/messages")), "{}")));
    const auto c = collect(again.get());
    QTRY_COMPARE_WITH_TIMEOUT(c->finishedSignals, 1, 10000);
    QCOMPARE(client.nativeConnectionsOpened(), 5);
}

void TstNativeUpstream::idleConnectionsExpire()
{
    ClientOptions options = nativeOptions();
    options.nativeIdleTimeoutMs = 200;
    UpstreamClient client(options);
    std::unique_ptr<UpstreamCall> call(
        client.start(messagesRequest(m_mock->url(QStringLiteral("/v1/messages")), "{}")));
    const auto c = collect(call.get());
    QTRY_COMPARE_WITH_TIMEOUT(c->finishedSignals, 1, 10000);
    QCOMPARE(client.nativeIdleConnections(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(client.nativeIdleConnections(), 0, 2000);
    QTRY_COMPARE(m_mock->stats().value(u"connections_open").toInt(), 1); // only the stats request's own
}

QTEST_GUILESS_MAIN(TstNativeUpstream)
#include "tst_nativeupstream.moc"
