// SPDX-License-Identifier: GPL-3.0-or-later
// RelayService end to end on real sockets with a real redis-server: /health follows Redis, /metrics is served
// from memory, and start-up errors are clear.
#include "config/settingsloader.h"
#include "rawhttpclient.h"
#include "redisserver.h"
#include "service/eventdispatcher.h"
#include "service/relayservice.h"

#include <QAbstractEventDispatcher>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>
#include <QThread>

using namespace Relay;

namespace {

Config::Settings settingsFor(const RedisServer &redis, const QString &dataDir)
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("HOME"), dataDir);
    Config::Settings s = Config::SettingsLoader::defaults(env);
    s.listenHost = QStringLiteral("127.0.0.1");
    s.listenPort = 0;
    s.workers = 2;
    s.redisUrl = redis.url();
    s.dataDir = dataDir;
    s.shutdownGrace = std::chrono::milliseconds(2000);
    return s;
}

RawHttpClient::Response get(quint16 port, const QByteArray &path)
{
    RawHttpClient c;
    if (!c.connectTo(port))
        return {};
    return c.request("GET " + path + " HTTP/1.1\r\nHost: t\r\n\r\n");
}

bool startService(Service::RelayService &service)
{
    QSignalSpy started(&service, &Service::RelayService::started);
    QSignalSpy failed(&service, &Service::RelayService::startFailed);
    service.start();
    for (int i = 0; i < 300 && started.isEmpty() && failed.isEmpty(); ++i)
        QTest::qWait(50);
    if (!failed.isEmpty())
        qWarning() << failed.first().first().toString();
    return !started.isEmpty();
}

} // namespace

class TstRelayService : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void healthFollowsRedisAvailability();
    void healthAndMetricsAnswerWhileRedisHangs();
    void metricsCountRequestsByRouteAndStatus();
    void metricsAreValidPrometheusText();
    void answersHeadProbeOnRoot();
    void startFailsClearlyWhenPortIsTaken();
    void relayThreadsGetQtsOwnEventDispatcher();

private:
    std::unique_ptr<RedisServer> m_redis;
    std::unique_ptr<QTemporaryDir> m_dir;
};

void TstRelayService::init()
{
    m_redis = std::make_unique<RedisServer>();
    QVERIFY2(m_redis->start(), qPrintable(m_redis->errorString()));
    m_dir = std::make_unique<QTemporaryDir>();
}

void TstRelayService::cleanup()
{
    if (m_redis && m_redis->isPaused())
        m_redis->resume();
    m_redis.reset();
    m_dir.reset();
}

void TstRelayService::healthFollowsRedisAvailability()
{
    Service::RelayService service(settingsFor(*m_redis, m_dir->path()));
    QVERIFY(startService(service));
    QTRY_COMPARE_WITH_TIMEOUT(get(service.port(), "/health").status, 200, 5000);
    const auto ok = get(service.port(), "/health");
    const QJsonObject body = QJsonDocument::fromJson(ok.body).object();
    QCOMPARE(body.value(u"status").toString(), u"ok");
    QCOMPARE(body.value(u"version").toString(), QStringLiteral(RELAYDECK_VERSION));
    QCOMPARE(body.value(u"workers").toInt(), 2);
    QCOMPARE(body.value(u"redis").toObject().value(u"connected").toBool(), true);
    QVERIFY(body.value(u"redis").toObject().value(u"round_trip_ms").toDouble() >= 0);

    m_redis->stop();
    QTRY_COMPARE_WITH_TIMEOUT(get(service.port(), "/health").status, 503, 5000);
    const QJsonObject down = QJsonDocument::fromJson(get(service.port(), "/health").body).object();
    QCOMPARE(down.value(u"status").toString(), u"degraded");
    QCOMPARE(down.value(u"redis").toObject().value(u"connected").toBool(), false);

    QVERIFY(m_redis->start()); // same port: the clients reconnect by themselves
    QTRY_COMPARE_WITH_TIMEOUT(get(service.port(), "/health").status, 200, 10000);
}

void TstRelayService::healthAndMetricsAnswerWhileRedisHangs()
{
    Service::RelayService service(settingsFor(*m_redis, m_dir->path()));
    QVERIFY(startService(service));
    QTRY_COMPARE_WITH_TIMEOUT(get(service.port(), "/health").status, 200, 5000);
    m_redis->pause(); // a request path that waited on Redis would hang now
    QElapsedTimer t;
    t.start();
    for (int i = 0; i < 20; ++i) {
        QVERIFY(get(service.port(), "/metrics").status == 200);
        QVERIFY(get(service.port(), "/health").ok);
    }
    QVERIFY2(t.elapsed() < 1000, qPrintable(QString::number(t.elapsed())));
    // The 1 s health check times out and reports the hang.
    QTRY_COMPARE_WITH_TIMEOUT(get(service.port(), "/health").status, 503, 5000);
    m_redis->resume();
    QTRY_COMPARE_WITH_TIMEOUT(get(service.port(), "/health").status, 200, 10000);
}

void TstRelayService::metricsCountRequestsByRouteAndStatus()
{
    Service::RelayService service(settingsFor(*m_redis, m_dir->path()));
    QVERIFY(startService(service));
    QTRY_VERIFY_WITH_TIMEOUT(service.health().redisUp.load(), 5000);
    RawHttpClient c;
    QVERIFY(c.connectTo(service.port()));
    for (int i = 0; i < 7; ++i)
        QVERIFY(c.request("GET /health HTTP/1.1\r\nHost: t\r\n\r\n").ok);
    QCOMPARE(c.request("GET /nowhere HTTP/1.1\r\nHost: t\r\n\r\n").status, 404);
    QCOMPARE(c.request("POST /health HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n").status, 405);
    const QByteArray text = c.request("GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n").body;
    QVERIFY2(text.contains(R"(relaydeck_http_requests_total{route="health",status="2xx"} 7)"), text.constData());
    QVERIFY(text.contains(R"(relaydeck_http_requests_total{route="unmatched",status="4xx"} 2)"));
    QVERIFY(text.contains(R"(relaydeck_http_request_duration_seconds_count{route="health"} 7)"));
    QVERIFY(text.contains("relaydeck_http_connections 1\n"));
    QVERIFY(text.contains("relaydeck_http_in_flight_requests 1\n")); // the /metrics request itself
    QVERIFY(text.contains("relaydeck_redis_up 1\n"));
    QVERIFY(text.contains("relaydeck_build_info{version=\"" RELAYDECK_VERSION "\"} 1"));
    QVERIFY(text.contains(R"(relaydeck_redis_round_trip_seconds_count{client="control"})"));
}

void TstRelayService::metricsAreValidPrometheusText()
{
    Service::RelayService service(settingsFor(*m_redis, m_dir->path()));
    QVERIFY(startService(service));
    get(service.port(), "/health");
    const auto r = get(service.port(), "/metrics");
    QCOMPARE(r.status, 200);
    QVERIFY(r.header("content-type").startsWith("text/plain; version=0.0.4"));
    static const QRegularExpression sample(QStringLiteral(
        R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? -?[0-9.e+Inf-]+$)"));
    static const QRegularExpression meta(QStringLiteral(R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$)"));
    const QList<QByteArray> lines = r.body.split('\n');
    QVERIFY(lines.size() > 50);
    for (const QByteArray &line : lines) {
        if (line.isEmpty())
            continue;
        const QString l = QString::fromUtf8(line);
        QVERIFY2(sample.match(l).hasMatch() || meta.match(l).hasMatch(), line.constData());
    }
}

void TstRelayService::answersHeadProbeOnRoot()
{
    Service::RelayService service(settingsFor(*m_redis, m_dir->path()));
    QVERIFY(startService(service));
    RawHttpClient c;
    QVERIFY(c.connectTo(service.port()));
    c.send("HEAD / HTTP/1.1\r\nHost: t\r\nUser-Agent: Bun/1.2\r\n\r\n");
    const auto r = c.read(3000, false);
    QCOMPARE(r.status, 200);
}

void TstRelayService::startFailsClearlyWhenPortIsTaken()
{
    QTcpServer squatter; // not RelayDeck, and without SO_REUSEPORT: the bind itself fails
    QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
    Config::Settings s = settingsFor(*m_redis, m_dir->path());
    s.listenPort = squatter.serverPort();
    Service::RelayService service(s);
    QSignalSpy failed(&service, &Service::RelayService::startFailed);
    service.start();
    QTRY_COMPARE_WITH_TIMEOUT(failed.size(), 1, 10000);
    const QString message = failed.first().first().toString();
    QVERIFY2(message.contains(QStringLiteral("cannot listen on 127.0.0.1:%1").arg(squatter.serverPort())),
             qPrintable(message));
    QVERIFY(message.contains(QStringLiteral("in use")));
}

QTEST_GUILESS_MAIN(TstRelayService)
// Qt reads the variables when each thread creates its dispatcher, so a thread started afterwards shows the effect.
void TstRelayService::relayThreadsGetQtsOwnEventDispatcher()
{
    auto dispatcherOfNewThread = [] {
        QThread thread;
        thread.start();
        QByteArray name;
        if (QTest::qWaitFor([&] { return thread.eventDispatcher() != nullptr; }, 5000))
            name = thread.eventDispatcher()->metaObject()->className();
        thread.quit();
        thread.wait();
        return name;
    };
    const QByteArray savedAll = qgetenv("QT_NO_GLIB");
    const QByteArray savedThreads = qgetenv("QT_NO_THREADED_GLIB");
    const bool hadAll = qEnvironmentVariableIsSet("QT_NO_GLIB");
    const bool hadThreads = qEnvironmentVariableIsSet("QT_NO_THREADED_GLIB");
    qunsetenv("QT_NO_GLIB");
    qunsetenv("QT_NO_THREADED_GLIB");

    // Where GLib is available at all (Debian's Qt), threads get it by default.
    const QByteArray byDefault = dispatcherOfNewThread();
    Service::preferPlainEventDispatcher(Service::PlainDispatcher::BackgroundOnly);
    QCOMPARE(qgetenv("QT_NO_THREADED_GLIB"), QByteArray("1"));
    QVERIFY(!qEnvironmentVariableIsSet("QT_NO_GLIB")); // the console's GUI thread keeps GLib
    QCOMPARE(dispatcherOfNewThread(), QByteArray("QEventDispatcherUNIX"));

    // A value the operator set is kept, even an empty one (which is how to ask for GLib back).
    qputenv("QT_NO_THREADED_GLIB", QByteArray());
    Service::preferPlainEventDispatcher(Service::PlainDispatcher::AllThreads);
    QVERIFY(!qEnvironmentVariableIsSet("QT_NO_GLIB"));
    QCOMPARE(dispatcherOfNewThread(), byDefault);
    qunsetenv("QT_NO_THREADED_GLIB");
    Service::preferPlainEventDispatcher(Service::PlainDispatcher::AllThreads);
    QCOMPARE(qgetenv("QT_NO_GLIB"), QByteArray("1"));
    QCOMPARE(dispatcherOfNewThread(), QByteArray("QEventDispatcherUNIX"));

    qunsetenv("QT_NO_GLIB");
    if (hadAll)
        qputenv("QT_NO_GLIB", savedAll);
    if (hadThreads)
        qputenv("QT_NO_THREADED_GLIB", savedThreads);
}

#include "tst_relayservice.moc"
