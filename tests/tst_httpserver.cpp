// SPDX-License-Identifier: GPL-3.0-or-later
// The HTTP server adapter against real sockets: every gap of Qt 6.4's server that the adapter closes has a test.
#include "freeport.h"
#include "http/server.h"
#include "rawhttpclient.h"

#include <QAbstractEventDispatcher>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>
#include <QUrlQuery>

#include <atomic>

using namespace Relay::Http;

namespace {

int queryInt(const Request &r, const char *name, int fallback)
{
    const QUrlQuery q(QString::fromUtf8(r.query));
    const QString v = q.queryItemValue(QString::fromLatin1(name));
    return v.isEmpty() ? fallback : v.toInt();
}

// Streams `n` chunks of `size` bytes, writing only while the exchange is writable.
class Streamer : public QObject
{
public:
    Streamer(Exchange &exchange, int n, int size, std::atomic<int> *pauses)
        : QObject(&exchange)
        , m_exchange(exchange)
        , m_left(n)
        , m_chunk(size, 'x')
        , m_pauses(pauses)
    {
        connect(&exchange, &Exchange::writable, this, [this] { pump(); });
        exchange.beginStream(200, {{"content-type", "application/octet-stream"}});
        pump();
    }

private:
    void pump()
    {
        while (m_left > 0) {
            if (!m_exchange.isWritable()) {
                ++*m_pauses;
                return;
            }
            m_exchange.writeChunk(m_chunk);
            --m_left;
        }
        m_exchange.endStream();
    }
    Exchange &m_exchange;
    int m_left;
    QByteArray m_chunk;
    std::atomic<int> *m_pauses;
};

} // namespace

class TstHttpServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void answersSimpleRequestAndKeepsAlive();
    void pipelinedResponsesArriveInRequestOrder();
    void deepPipelineIsAnsweredCompletely();
    void rejectsOversizedBodyWithoutBufferingIt();
    void rejectsOversizedChunkedBody();
    void acceptsChunkedRequestBody();
    void answersExpectContinue();
    void honoursConnectionClose();
    void http10ClosesUnlessKeepAliveRequested();
    void closesSlowlorisAfterHeaderTimeout();
    void closesIdleKeepAliveConnection();
    void streamsChunkedWithWriteBackpressure();
    void rejectsOversizedHeaders();
    void rejectsMalformedRequest();
    void unknownRouteGetsJson404();
    void wrongMethodGets405WithAllow();
    void headRequestHasNoBody();
    void stagesPauseAndResume();
    void clientGoneIsSignalled();
    void gracefulStopFinishesInFlightRequests();
    void secondInstanceOnSamePortIsRefused();
    void spreadsConnectionsAcrossWorkers();
    void workersRunOnTheEpollDispatcherUnlessToldNotTo();

private:
    void startServer(ServerOptions options = {});
    std::unique_ptr<Server> m_server;
    std::atomic<int> m_pauses{0};
    std::atomic<int> m_gone{0};
};

void TstHttpServer::init()
{
    m_pauses = 0;
    m_gone = 0;
}

void TstHttpServer::cleanup()
{
    if (m_server)
        m_server->stopAndWait(1000);
    m_server.reset();
}

void TstHttpServer::startServer(ServerOptions options)
{
    m_server = std::make_unique<Server>();
    if (options.workers == 0)
        options.workers = 2;
    m_server->setOptions(options);
    Router &r = m_server->router();
    r.add("GET", "/hello", "hello", {[](Exchange &e) {
              e.respond(200, "text/plain", "hello");
              return StageResult::Answered;
          }});
    r.add("GET", "/delay", "delay", {[](Exchange &e) {
              const int ms = queryInt(e.request(), "ms", 10);
              QTimer::singleShot(ms, &e, [&e, ms] { e.respond(200, "text/plain", "delay " + QByteArray::number(ms)); });
              return StageResult::Answered;
          }});
    r.add("POST", "/echo", "echo", {[](Exchange &e) {
              e.respond(200, "application/octet-stream", e.request().body);
              return StageResult::Answered;
          }});
    r.add("GET", "/stream", "stream", {[this](Exchange &e) {
              new Streamer(e, queryInt(e.request(), "n", 10), queryInt(e.request(), "size", 1024), &m_pauses);
              return StageResult::Answered;
          }});
    r.add("GET", "/worker", "worker", {[](Exchange &e) {
              e.respond(200, "text/plain", QByteArray::number(e.workerIndex()));
              return StageResult::Answered;
          }});
    r.add("GET", "/dispatcher", "dispatcher", {[](Exchange &e) {
              e.respond(200, "text/plain", QAbstractEventDispatcher::instance()->metaObject()->className());
              return StageResult::Answered;
          }});
    r.add("GET", "/hang", "hang", {[this](Exchange &e) {
              connect(&e, &Exchange::clientGone, &e, [this] { ++m_gone; });
              return StageResult::Answered; // never answers by itself
          }});
    r.add("GET", "/staged", "staged",
          {[](Exchange &e) {
               QTimer::singleShot(20, &e, [&e] { e.resume(); });
               return StageResult::Paused;
           },
           [](Exchange &e) {
               return e.request().query == "skip" ? StageResult::Continue
                                                  : (e.respond(200, "text/plain", "second"), StageResult::Answered);
           },
           [](Exchange &e) {
               e.respond(200, "text/plain", "third");
               return StageResult::Answered;
           }});
    QCOMPARE(m_server->start(), QString());
    QVERIFY(m_server->port() != 0);
}

void TstHttpServer::answersSimpleRequestAndKeepsAlive()
{
    startServer();
    RawHttpClient c;
    QVERIFY(c.connectTo(m_server->port()));
    for (int i = 0; i < 3; ++i) {
        const auto r = c.request("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
        QVERIFY(r.ok);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, QByteArray("hello"));
        QCOMPARE(r.header("connection"), QByteArray());
    }
    QCOMPARE(c.socket().state(), QAbstractSocket::ConnectedState);
}

void TstHttpServer::pipelinedResponsesArriveInRequestOrder()
{
    startServer();
    RawHttpClient c;
    QVERIFY(c.connectTo(m_server->port()));
    // The slow one first: a server that answers as handlers finish would send "hello" first.
    c.send("GET /delay?ms=150 HTTP/1.1\r\nHost: x\r\n\r\n"
           "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
           "GET /delay?ms=20 HTTP/1.1\r\nHost: x\r\n\r\n"
           "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nabcd");
    QCOMPARE(c.read().body, QByteArray("delay 150"));
    QCOMPARE(c.read().body, QByteArray("hello"));
    QCOMPARE(c.read().body, QByteArray("delay 20"));
    QCOMPARE(c.read().body, QByteArray("abcd"));
}

void TstHttpServer::deepPipelineIsAnsweredCompletely()
{
    ServerOptions o;
    o.maxPipelineDepth = 4; // forces the parser to pause and resume several times
    startServer(o);
    RawHttpClient c;
    QVERIFY(c.connectTo(m_server->port()));
    QByteArray batch;
    for (int i = 0; i < 50; ++i)
        batch += "GET /delay?ms=" + QByteArray::number(i % 3) + " HTTP/1.1\r\nHost: x\r\n\r\n";
    c.send(batch);
    for (int i = 0; i < 50; ++i) {
        const auto r = c.read();
        QVERIFY2(r.ok, qPrintable(QString::number(i)));
        QCOMPARE(r.body, "delay " + QByteArray::number(i % 3));
    }
}

void TstHttpServer::rejectsOversizedBodyWithoutBufferingIt()
{
    ServerOptions o;
    o.bodyLimit = 1024 * 1024;
    startServer(o);
    RawHttpClient c;
    QVERIFY(c.connectTo(m_server->port()));
    // Announce 100 MB but send only a little: the answer must come from the headers alone.
    c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n" + QByteArray(4096, 'a'));
    const auto r = c.read();
    QCOMPARE(r.status, 413);
    QVERIFY(r.body.contains("\"request_too_large\""));
    QVERIFY(r.body.contains("\"type\":\"error\""));
    QCOMPARE(r.header("connection"), QByteArray("close"));
    QVERIFY(c.waitForClose(3000));
}

void TstHttpServer::rejectsOversizedChunkedBody()
{
    ServerOptions o;
    o.bodyLimit = 10000;
    startServer(o);
    RawHttpClient c;
    QVERIFY(c.connectTo(m_server->port()));
    c.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 4; ++i)
        c.send("1000\r\n" + QByteArray(4096, 'b') + "\r\n");
    const auto r = c.read();
    QCOMPARE(r.status, 413);
    QVERIFY(c.waitForClose(3000));
}

void TstHttpServer::acceptsChunkedRequestBody()
{
    startServer();
    RawHttpClient c;
    QVERIFY(c.connectTo(m_server->port()));
    const auto r = c.request("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray("hello world"));
}

void TstHttpServer::answersExpectContinue()
{
    startServer();
    RawHttpClient c;
    QVERIFY(c.connectTo(m_server->port()));
    c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
    // Sent before the body: a server without the fix leaves curl waiting a full second here.
    const auto interim = c.read(2000);
    QVERIFY(interim.ok);
    QCOMPARE(interim.status, 100);
    c.send("hello");
    const auto r = c.read();
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray("hello"));
}

void TstHttpServer::honoursConnectionClose()
{
    startServer();
    RawHttpClient c;
    QVERIFY(c.connectTo(m_server->port()));
    const auto r = c.request("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("connection"), QByteArray("close"));
    QVERIFY(c.waitForClose(2000));
}

void TstHttpServer::http10ClosesUnlessKeepAliveRequested()
{
    startServer();
    {
        RawHttpClient c;
        QVERIFY(c.connectTo(m_server->port()));
        const auto r = c.request("GET /hello HTTP/1.0\r\n\r\n");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.body, QByteArray("hello"));
        QVERIFY(c.waitForClose(2000));
    }
    {
        RawHttpClient c;
        QVERIFY(c.connectTo(m_server->port()));
        const auto r = c.request("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
        QCOMPARE(r.header("connection"), QByteArray("keep-alive"));
        QCOMPARE(c.request("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").body, QByteArray("hello"));
    }
    {
        // A stream to an HTTP/1.0 client cannot be chunked: it ends with the connection.
        RawHttpClient c;
        QVERIFY(c.connectTo(m_server->port()));
        const auto r = c.request("GET /stream?n=3&size=10 HTTP/1.0\r\n\r\n");
        QCOMPARE(r.status, 200);
        QCOMPARE(r.header("transfer-encoding"), QByteArray());
        QCOMPARE(r.body, QByteArray(30, 'x'));
    }
}

void TstHttpServer::closesSlowlorisAfterHeaderTimeout()
{
    ServerOptions o;
    o.headerTimeoutMs = 300;
    startServer(o);
    RawHttpClient c;
    QVERIFY(c.connectTo(m_server->port()));
    QElapsedTimer t;
    t.start();
    // Keeps trickling header bytes, so an idle timer alone would never fire.
    c.send("GET /hello HTTP/1.1\r\n");
    for (int i = 0; i < 20 && c.socket().state() == QAbstractSocket::ConnectedState; ++i) {
        c.send("X-Slow-" + QByteArray::number(i) + ": y\r\n");
        QTest::qWait(50);
        if (c.socket().bytesAvailable() > 0)
            break;
    }
    const auto r = c.read(2000);
    QCOMPARE(r.status, 408);
    QVERIFY(c.waitForClose(3000));
    QVERIFY(t.elapsed() < 2000);
}

void TstHttpServer::closesIdleKeepAliveConnection()
{
    ServerOptions o;
    o.idleTimeoutMs = 300;
    startServer(o);
    RawHttpClient c;
    QVERIFY(c.connectTo(m_server->port()));
    QCOMPARE(c.request("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").status, 200);
    QElapsedTimer t;
    t.start();
    QVERIFY(c.waitForClose(3000));
    QVERIFY(t.elapsed() >= 250);
}

void TstHttpServer::streamsChunkedWithWriteBackpressure()
{
    startServer();
    RawHttpClient c;
    QVERIFY(c.connectTo(m_server->port()));
    c.socket().setReadBufferSize(64 * 1024);
    constexpr int Chunks = 2000, Size = 16 * 1024; // 32 MiB
    c.send("GET /stream?n=" + QByteArray::number(Chunks) + "&size=" + QByteArray::number(Size) +
           " HTTP/1.1\r\nHost: x\r\n\r\n");
    QTest::qWait(500); // a client that does not read: the server must stop producing, not buffer 32 MiB
    QVERIFY(m_pauses.load() > 0);
    const auto r = c.read(30000);
    QVERIFY(r.ok);
    QCOMPARE(r.header("transfer-encoding"), QByteArray("chunked"));
    QCOMPARE(r.body.size(), qsizetype(Chunks) * Size);
    QVERIFY(r.body.count('x') == r.body.size());
    // The connection is still usable afterwards.
    QCOMPARE(c.request("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").body, QByteArray("hello"));
}

void TstHttpServer::rejectsOversizedHeaders()
{
    ServerOptions o;
    o.headerLimit = 8 * 1024;
    startServer(o);
    RawHttpClient c;
    QVERIFY(c.connectTo(m_server->port()));
    const auto r = c.request("GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + QByteArray(16 * 1024, 'h') + "\r\n\r\n");
    QCOMPARE(r.status, 431);
    QVERIFY(r.body.contains("too large"));
    QVERIFY(c.waitForClose(3000));
}

void TstHttpServer::rejectsMalformedRequest()
{
    startServer();
    RawHttpClient c;
    QVERIFY(c.connectTo(m_server->port()));
    const auto r = c.request("GARBAGE\r\n\r\n");
    QCOMPARE(r.status, 400);
    QVERIFY(r.body.contains("invalid_request_error"));
    QVERIFY(c.waitForClose(3000));

    RawHttpClient h2;
    QVERIFY(h2.connectTo(m_server->port()));
    QVERIFY(h2.request("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").status >= 400);
}

void TstHttpServer::unknownRouteGetsJson404()
{
    startServer();
    RawHttpClient c;
    QVERIFY(c.connectTo(m_server->port()));
    const auto r = c.request("GET /nope?x=1 HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(r.status, 404);
    QCOMPARE(r.header("content-type"), QByteArray("application/json"));
    QCOMPARE(
        r.body,
        QByteArray(R"({"error":{"message":"No such endpoint: GET /nope.","type":"not_found_error"},"type":"error"})"));
    // An error answer does not cost the connection.
    QCOMPARE(c.request("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").status, 200);
}

void TstHttpServer::wrongMethodGets405WithAllow()
{
    startServer();
    RawHttpClient c;
    QVERIFY(c.connectTo(m_server->port()));
    const auto r = c.request("DELETE /echo HTTP/1.1\r\nHost: x\r\n\r\n");
    QCOMPARE(r.status, 405);
    QCOMPARE(r.header("allow"), QByteArray("POST"));
}

void TstHttpServer::headRequestHasNoBody()
{
    startServer();
    RawHttpClient c;
    QVERIFY(c.connectTo(m_server->port()));
    c.send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n");
    const auto r = c.read(5000, false);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("content-length"), QByteArray("5"));
    QCOMPARE(c.request("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n").body, QByteArray("hello"));
}

void TstHttpServer::stagesPauseAndResume()
{
    startServer();
    RawHttpClient c;
    QVERIFY(c.connectTo(m_server->port()));
    QCOMPARE(c.request("GET /staged HTTP/1.1\r\nHost: x\r\n\r\n").body, QByteArray("second"));
    QCOMPARE(c.request("GET /staged?skip HTTP/1.1\r\nHost: x\r\n\r\n").body, QByteArray("third"));
}

void TstHttpServer::clientGoneIsSignalled()
{
    startServer();
    {
        RawHttpClient c;
        QVERIFY(c.connectTo(m_server->port()));
        c.send("GET /hang HTTP/1.1\r\nHost: x\r\n\r\n");
        QTest::qWait(50);
    }
    QTRY_COMPARE(m_gone.load(), 1);
}

void TstHttpServer::gracefulStopFinishesInFlightRequests()
{
    startServer();
    RawHttpClient c;
    QVERIFY(c.connectTo(m_server->port()));
    c.send("GET /delay?ms=300 HTTP/1.1\r\nHost: x\r\n\r\n");
    QTest::qWait(50);
    QSignalSpy stopped(m_server.get(), &Server::stopped);
    m_server->stop(5000);
    const auto r = c.read(3000);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray("delay 300"));
    QCOMPARE(r.header("connection"), QByteArray("close"));
    QVERIFY(stopped.wait(3000));
    RawHttpClient late;
    QVERIFY(!late.connectTo(m_server->port(), 500) || late.waitForClose(1000));
}

void TstHttpServer::secondInstanceOnSamePortIsRefused()
{
    ServerOptions o;
    o.port = freePort();
    startServer(o);
    Server second;
    second.setOptions(o);
    const QString error = second.start();
    QVERIFY2(error.contains(QStringLiteral("already served by another RelayDeck")), qPrintable(error));
    QVERIFY(error.contains(QString::number(QCoreApplication::applicationPid())));
}

void TstHttpServer::spreadsConnectionsAcrossWorkers()
{
    ServerOptions o;
    o.workers = 4;
    startServer(o);
    QSet<QByteArray> seen;
    for (int i = 0; i < 64 && seen.size() < 2; ++i) {
        RawHttpClient c;
        QVERIFY(c.connectTo(m_server->port()));
        seen.insert(c.request("GET /worker HTTP/1.1\r\nHost: x\r\n\r\n").body);
    }
    QVERIFY(seen.size() >= 2);
}

void TstHttpServer::workersRunOnTheEpollDispatcherUnlessToldNotTo()
{
    const auto dispatcherName = [this] {
        RawHttpClient c;
        return c.connectTo(m_server->port()) ? c.request("GET /dispatcher HTTP/1.1\r\nHost: x\r\n\r\n").body
                                             : QByteArray();
    };
    startServer();
    QCOMPARE(dispatcherName(), QByteArray("Relay::Http::EpollDispatcher"));
    cleanup();
    qputenv("RELAYDECK_EVENT_LOOP", "qt");
    startServer();
    qunsetenv("RELAYDECK_EVENT_LOOP");
    const QByteArray qts = dispatcherName();
    QVERIFY2(!qts.isEmpty() && qts != "Relay::Http::EpollDispatcher", qts.constData());
}

QTEST_GUILESS_MAIN(TstHttpServer)
#include "tst_httpserver.moc"
