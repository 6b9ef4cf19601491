// SPDX-License-Identifier: GPL-3.0-or-later
// Per-account upstream proxies: proxyFromUrl/validateProxyUrl, and UpstreamClient sending /v1/messages through a
// local HTTP proxy (absolute-form for http://, CONNECT for https://) and a SOCKS5 proxy, with and without proxy
// authentication, on the test's thread and on a thread of its own.
#include "mockupstream.h"
#include "testproxy.h"
#include "upstream/forwardheaders.h"
#include "upstream/proxyurl.h"
#include "upstream/responseclassification.h"
#include "upstream/sseusageparser.h"
#include "upstream/upstreamclient.h"

#include <QDateTime>
#include <QJsonObject>
#include <QScopeGuard>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>

using namespace Relay::Upstream;

namespace {

constexpr int WaitMs = 15000;
const QByteArray ProxyUser = "relay user";
const QByteArray ProxyPassword = "p@ss:word/1";

struct Collected
{
    int finishedSignals = 0;
    int status = 0;
    QByteArray body;
    Outcome outcome;
    SseUsageParser parser;
};

std::shared_ptr<Collected> collect(UpstreamCall *call)
{
    auto c = std::make_shared<Collected>();
    QObject::connect(call, &UpstreamCall::responseStarted, call, [c](int status) { c->status = status; });
    QObject::connect(call, &UpstreamCall::readyRead, call, [c, call] {
        const QByteArray data = call->readAll();
        c->body += data;
        c->parser.feed(data);
    });
    QObject::connect(call, &UpstreamCall::finished, call, [c](const Outcome &outcome) {
        c->outcome = outcome;
        c->parser.finish();
        ++c->finishedSignals;
    });
    return c;
}

UpstreamRequest messagesRequest(const MockUpstream &mock, bool stream, std::optional<QNetworkProxy> proxy)
{
    UpstreamRequest request;
    request.url = mock.url(QStringLiteral("/v1/messages"));
    request.headers = forwardHeaders({{"anthropic-version", "2023-06-01"}},
                                     {AccountCredential::Kind::ApiKey, QByteArrayLiteral("sk-ant-proxy-test")});
    request.body = stream ? QByteArrayLiteral(R"({"stream":true,"mock":{"deltas":5,"delta_delay_ms":20}})")
                          : QByteArrayLiteral(R"({"mock":{"deltas":5}})");
    request.proxy = std::move(proxy);
    return request;
}

QUrl withCredentials(QUrl url, const QByteArray &user, const QByteArray &password)
{
    url.setUserName(QString::fromUtf8(user));
    url.setPassword(QString::fromUtf8(password));
    return url;
}

QNetworkProxy proxyFor(const QUrl &url)
{
    QString error;
    const auto proxy = proxyFromUrl(url, &error);
    if (!proxy)
        qFatal("proxyFromUrl failed: %s", qPrintable(error));
    return *proxy;
}

int messagesSeenBy(const MockUpstream &mock)
{
    return mock.stats().value(u"by_path").toObject().value(u"/v1/messages").toInt();
}

} // namespace

class TstUpstreamProxy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        m_plain = std::make_unique<MockUpstream>();
        QVERIFY2(m_plain->start(), qPrintable(m_plain->errorString()));
        MockUpstream::Options tls;
        tls.tls = true;
        m_tls = std::make_unique<MockUpstream>(tls);
        QVERIFY2(m_tls->start(), qPrintable(m_tls->errorString()));
    }

    void init()
    {
        QVERIFY(m_plain->reset());
        QVERIFY(m_tls->reset());
    }

    void proxyFromUrlReadsTypeHostPortAndCredentials()
    {
        QString error = QStringLiteral("stale");
        QVERIFY(!proxyFromUrl(QUrl(), &error));
        QVERIFY(error.isEmpty());

        const auto http = proxyFromUrl(QUrl(QStringLiteral("http://u%20ser:p%40ss@proxy.example:3128")), &error);
        QVERIFY(http);
        QVERIFY(error.isEmpty());
        QCOMPARE(http->type(), QNetworkProxy::HttpProxy);
        QCOMPARE(http->hostName(), QStringLiteral("proxy.example"));
        QCOMPARE(http->port(), quint16(3128));
        QCOMPARE(http->user(), QStringLiteral("u ser"));
        QCOMPARE(http->password(), QStringLiteral("p@ss"));

        const auto socks = proxyFromUrl(QUrl(QStringLiteral("socks5://10.0.0.1:1080")), &error);
        QVERIFY(socks);
        QCOMPARE(socks->type(), QNetworkProxy::Socks5Proxy);
        QCOMPARE(socks->port(), quint16(1080));
        QVERIFY(socks->user().isEmpty());
        QCOMPARE(proxyFromUrl(QUrl(QStringLiteral("SOCKS5H://h:1")))->type(), QNetworkProxy::Socks5Proxy);
    }

    void validateProxyUrlExplainsWhatIsWrong_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("errorPart"); // empty: valid
        QTest::newRow("empty") << QString() << QString();
        QTest::newRow("http") << QStringLiteral("http://127.0.0.1:8080") << QString();
        QTest::newRow("http user") << QStringLiteral("http://bob@proxy:8080/") << QString();
        QTest::newRow("socks5 creds") << QStringLiteral("socks5://bob:secret@proxy:1080") << QString();
        QTest::newRow("https") << QStringLiteral("https://proxy:443") << QStringLiteral("not supported");
        QTest::newRow("ftp") << QStringLiteral("ftp://proxy:21") << QStringLiteral("scheme");
        QTest::newRow("no scheme") << QStringLiteral("proxy:8080") << QStringLiteral("scheme");
        QTest::newRow("no port") << QStringLiteral("http://proxy") << QStringLiteral("port");
        QTest::newRow("no host") << QStringLiteral("socks5://:1080") << QStringLiteral("host");
        QTest::newRow("path") << QStringLiteral("http://proxy:8080/x") << QStringLiteral("path");
        QTest::newRow("query") << QStringLiteral("http://proxy:8080?a=1") << QStringLiteral("query");
        QTest::newRow("bad port") << QStringLiteral("http://proxy:99999") << QStringLiteral("valid");
        QTest::newRow("password no user") << QStringLiteral("http://:secret@proxy:8080") << QStringLiteral("user");
    }

    void validateProxyUrlExplainsWhatIsWrong()
    {
        QFETCH(QString, url);
        QFETCH(QString, errorPart);
        const QString error = validateProxyUrl(url);
        if (errorPart.isEmpty()) {
            QVERIFY2(error.isEmpty(), qPrintable(error));
        } else {
            QVERIFY2(error.contains(errorPart), qPrintable(error));
            QVERIFY(!error.contains(u"secret"));
        }
    }

    void messagesGoThroughTheProxy_data()
    {
        QTest::addColumn<QString>("kind"); // http or socks5
        QTest::addColumn<bool>("tls");
        QTest::addColumn<bool>("stream");
        QTest::addColumn<bool>("auth");
        for (const QString &kind : {QStringLiteral("http"), QStringLiteral("socks5")}) {
            for (const bool tls : {false, true}) {
                for (const bool stream : {false, true}) {
                    for (const bool auth : {false, true}) {
                        const QString name = QStringLiteral("%1 %2 %3 %4")
                                                 .arg(kind, tls ? u"https" : u"http", stream ? u"stream" : u"json",
                                                      auth ? u"auth" : u"open");
                        QTest::newRow(qPrintable(name)) << kind << tls << stream << auth;
                    }
                }
            }
        }
    }

    void messagesGoThroughTheProxy()
    {
        QFETCH(QString, kind);
        QFETCH(bool, tls);
        QFETCH(bool, stream);
        QFETCH(bool, auth);
        HttpProxy httpProxy;
        Socks5Proxy socksProxy;
        QVERIFY(httpProxy.listen());
        QVERIFY(socksProxy.listen());
        QUrl proxyUrl = kind == u"http" ? httpProxy.url() : socksProxy.url();
        if (auth) {
            httpProxy.setCredentials(ProxyUser, ProxyPassword);
            socksProxy.setCredentials(ProxyUser, ProxyPassword);
            proxyUrl = withCredentials(proxyUrl, ProxyUser, ProxyPassword);
        }
        const MockUpstream &mock = tls ? *m_tls : *m_plain;

        ClientOptions options;
        options.ignoreSslErrors = true;
        UpstreamClient client(options);
        std::unique_ptr<UpstreamCall> call(client.start(messagesRequest(mock, stream, proxyFor(proxyUrl))));
        const auto c = collect(call.get());
        QTRY_COMPARE_WITH_TIMEOUT(c->finishedSignals, 1, WaitMs);
        QVERIFY2(c->outcome.isOk(), qPrintable(c->outcome.message));
        QCOMPARE(c->status, 200);
        if (stream) {
            QVERIFY(c->parser.isComplete());
            QCOMPARE(c->parser.usage().outputTokens, 5);
        } else {
            QVERIFY(c->body.contains("\"output_tokens\":5"));
        }
        QCOMPARE(messagesSeenBy(mock), 1);

        // The counters prove the bytes went through the proxy, and in which form.
        const QByteArray target = "127.0.0.1:" + QByteArray::number(mock.port());
        if (kind == u"http") {
            QCOMPARE(httpProxy.requests(), tls ? 0 : 1);
            QCOMPARE(httpProxy.tunnels(), tls ? 1 : 0);
            QCOMPARE(httpProxy.targets(), QList<QByteArray>{target});
            QCOMPARE(socksProxy.connections(), 0);
        } else {
            QCOMPARE(socksProxy.tunnels(), 1);
            QCOMPARE(socksProxy.targets(), QList<QByteArray>{target});
            QCOMPARE(socksProxy.authFailures(), 0);
            QCOMPARE(httpProxy.connections(), 0);
        }
        // The proxy credentials are for the proxy only: nothing of them reaches the upstream.
        const QJsonObject headers = mock.requests().last().toObject().value(u"headers").toObject();
        QVERIFY(!headers.contains(u"proxy-authorization"));
        QCOMPARE(headers.value(u"x-api-key").toString(), QStringLiteral("sk-ant-proxy-test"));
    }

    void wrongProxyPasswordIsAnUnreachableProxyError_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<bool>("tls");
        QTest::newRow("http absolute-form") << QStringLiteral("http") << false;
        QTest::newRow("http connect") << QStringLiteral("http") << true;
        QTest::newRow("socks5") << QStringLiteral("socks5") << false;
        QTest::newRow("socks5 tls") << QStringLiteral("socks5") << true;
    }

    void wrongProxyPasswordIsAnUnreachableProxyError()
    {
        QFETCH(QString, kind);
        QFETCH(bool, tls);
        HttpProxy httpProxy;
        Socks5Proxy socksProxy;
        QVERIFY(httpProxy.listen());
        QVERIFY(socksProxy.listen());
        httpProxy.setCredentials(ProxyUser, ProxyPassword);
        socksProxy.setCredentials(ProxyUser, ProxyPassword);
        const QUrl proxyUrl = withCredentials(kind == u"http" ? httpProxy.url() : socksProxy.url(), ProxyUser,
                                              QByteArrayLiteral("wrong"));
        const MockUpstream &mock = tls ? *m_tls : *m_plain;

        ClientOptions options;
        options.ignoreSslErrors = true;
        UpstreamClient client(options);
        std::unique_ptr<UpstreamCall> call(client.start(messagesRequest(mock, false, proxyFor(proxyUrl))));
        const auto c = collect(call.get());
        QTRY_COMPARE_WITH_TIMEOUT(c->finishedSignals, 1, WaitMs);
        QCOMPARE(c->outcome.kind, Outcome::Kind::ConnectFailed);
        QVERIFY2(c->outcome.message.contains(u"roxy"), qPrintable(c->outcome.message));
        QVERIFY(!c->outcome.message.contains(u"wrong"));
        const Classification classified = classifyOutcome(c->outcome, QDateTime::currentMSecsSinceEpoch());
        QCOMPARE(classified.kind, Classification::Kind::Unreachable);
        QVERIFY(classified.retryableOnAnotherAccount);
        QVERIFY((kind == u"http" ? httpProxy.authFailures() : socksProxy.authFailures()) >= 1);
        QCOMPARE(messagesSeenBy(mock), 0);
    }

    void directRequestDoesNotTouchTheProxy()
    {
        HttpProxy httpProxy;
        Socks5Proxy socksProxy;
        QVERIFY(httpProxy.listen());
        QVERIFY(socksProxy.listen());
        UpstreamClient client;
        // One proxied call first, so a manager with a proxy exists in the client and must not be picked.
        {
            std::unique_ptr<UpstreamCall> call(
                client.start(messagesRequest(*m_plain, false, proxyFor(socksProxy.url()))));
            const auto c = collect(call.get());
            QTRY_COMPARE_WITH_TIMEOUT(c->finishedSignals, 1, WaitMs);
            QCOMPARE(c->status, 200);
        }
        for (const bool stream : {false, true}) {
            std::unique_ptr<UpstreamCall> call(client.start(messagesRequest(*m_plain, stream, std::nullopt)));
            const auto c = collect(call.get());
            QTRY_COMPARE_WITH_TIMEOUT(c->finishedSignals, 1, WaitMs);
            QCOMPARE(c->status, 200);
        }
        QCOMPARE(messagesSeenBy(*m_plain), 3);
        QCOMPARE(socksProxy.connections(), 1);
        QCOMPARE(httpProxy.connections(), 0);
    }

    void clientOnItsOwnThreadUsesTheProxy()
    {
        // The relay's upstream client lives on a worker thread; the proxy here runs on the test's thread.
        HttpProxy httpProxy;
        QVERIFY(httpProxy.listen());
        httpProxy.setCredentials(ProxyUser, ProxyPassword);
        const QNetworkProxy proxy = proxyFor(withCredentials(httpProxy.url(), ProxyUser, ProxyPassword));

        QThread worker;
        worker.start();
        UpstreamClient *client = nullptr;
        const auto stopWorker = qScopeGuard([&worker, &client] {
            QMetaObject::invokeMethod(client, &QObject::deleteLater);
            worker.quit();
            worker.wait();
        });
        ClientOptions options;
        options.ignoreSslErrors = true;
        client = new UpstreamClient(options);
        client->moveToThread(&worker);
        std::atomic<int> status = 0;
        std::atomic<bool> complete = false;
        std::atomic<bool> done = false;
        const UpstreamRequest request = messagesRequest(*m_tls, true, proxy);
        QMetaObject::invokeMethod(client, [&] {
            UpstreamCall *call = client->start(request, client);
            auto parser = std::make_shared<SseUsageParser>();
            QObject::connect(call, &UpstreamCall::readyRead, call, [call, parser] { parser->feed(call->readAll()); });
            QObject::connect(call, &UpstreamCall::finished, call, [&, call, parser] {
                parser->finish();
                status = call->status();
                complete = parser->isComplete();
                call->deleteLater();
                done = true;
            });
        });
        QTRY_VERIFY_WITH_TIMEOUT(done, WaitMs);
        QCOMPARE(status.load(), 200);
        QVERIFY(complete);
        QCOMPARE(httpProxy.tunnels(), 1);
    }

private:
    std::unique_ptr<MockUpstream> m_plain;
    std::unique_ptr<MockUpstream> m_tls;
};

QTEST_GUILESS_MAIN(TstUpstreamProxy)
#include "tst_upstreamproxy.moc"
