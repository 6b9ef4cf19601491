// SPDX-License-Identifier: GPL-3.0-or-later
#include "upstream/upstreamclient.h"

#include "upstream/nativecall.h"
#include "upstream/nativepool.h"
#include "upstream/qnamcall.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QThread>

#include <cstdlib>
#include <dirent.h>
#include <memory>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <utility>

namespace Relay::Upstream {

namespace {

// Qt 6.4's QNetworkAccessManager never sets TCP_NODELAY (its channel code has the call commented out) and writes a
// request as several small writes (HTTP/2: HEADERS, then DATA frames), so with Nagle on, the body waits for the
// upstream's delayed ACK: 40 ms per request on Linux. Qt gives no access to its sockets, so once a new upstream
// connection is up this sets the option on every TCP socket of the process. The relay's own sockets have it already
// (client connections, hiredis), so only QNAM's change; an fd closed or reused meanwhile just fails the call.
void setNoDelayOnTcpSockets()
{
    DIR *dir = opendir("/proc/self/fd");
    if (!dir) {
        return;
    }
    const int listing = dirfd(dir);
    while (const dirent *entry = readdir(dir)) {
        char *end = nullptr;
        const long fd = std::strtol(entry->d_name, &end, 10);
        if (end == entry->d_name || *end != '\0' || fd == listing) {
            continue;
        }
        int domain = 0;
        int type = 0;
        socklen_t length = sizeof(int);
        if (getsockopt(int(fd), SOL_SOCKET, SO_DOMAIN, &domain, &length) != 0 ||
            (domain != AF_INET && domain != AF_INET6)) {
            continue;
        }
        length = sizeof(int);
        if (getsockopt(int(fd), SOL_SOCKET, SO_TYPE, &type, &length) != 0 || type != SOCK_STREAM) {
            continue;
        }
        const int on = 1;
        setsockopt(int(fd), IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    }
    closedir(dir);
}

QString proxyKey(const QNetworkProxy &proxy)
{
    return QStringLiteral("%1|%2|%3|%4|%5")
        .arg(int(proxy.type()))
        .arg(proxy.hostName())
        .arg(proxy.port())
        .arg(proxy.user(), proxy.password());
}

} // namespace

UpstreamClient::UpstreamClient(ClientOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
    m_options.http1PoolSize = qMax(1, m_options.http1PoolSize);
}

UpstreamClient::~UpstreamClient() = default;

QString UpstreamClient::originOf(const QUrl &url)
{
    const QString scheme = url.scheme().toLower();
    const int port = url.port(scheme == u"https" ? 443 : 80);
    return QStringLiteral("%1://%2:%3").arg(scheme, url.host().toLower()).arg(port);
}

CleartextMode UpstreamClient::cleartextModeFor(const QUrl &url) const
{
    return m_options.cleartextModeByOrigin.value(originOf(url), m_options.cleartextMode);
}

const UpstreamClient::Route &UpstreamClient::routeFor(const QUrl &url)
{
    if (m_lastRoute.origin.isEmpty() || m_lastRoute.url != url) {
        m_lastRoute.url = url;
        m_lastRoute.origin = originOf(url);
        m_lastRoute.tls = url.scheme().compare(u"https", Qt::CaseInsensitive) == 0;
        m_lastRoute.mode = m_lastRoute.tls ? CleartextMode::Http1 : cleartextModeFor(url);
    }
    return m_lastRoute;
}

int UpstreamClient::managerCount() const
{
    return (m_multiplexed ? 1 : 0) + static_cast<int>(m_http1Pool.size()) + static_cast<int>(m_byProxy.size());
}

int UpstreamClient::nativeIdleConnections() const
{
    return m_nativePool ? m_nativePool->idleCount() : 0;
}

qint64 UpstreamClient::nativeConnectionsOpened() const
{
    return m_nativePool ? m_nativePool->connectionsOpened() : 0;
}

QNetworkAccessManager *UpstreamClient::createManager()
{
    auto *manager = new QNetworkAccessManager(this);
    manager->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy); // a relay passes redirects on, never follows
    manager->setProxy(QNetworkProxy(QNetworkProxy::NoProxy));          // no surprise from the environment
    return manager;
}

QNetworkAccessManager *UpstreamClient::managerFor(const UpstreamRequest &request, bool http1)
{
    if (request.proxy && request.proxy->type() != QNetworkProxy::NoProxy) {
        // A proxy is a property of the manager, so each proxy configuration gets its own (not pooled).
        const QString key = proxyKey(*request.proxy);
        QNetworkAccessManager *&manager = m_byProxy[key];
        if (!manager) {
            manager = createManager();
            manager->setProxy(*request.proxy);
        }
        return manager;
    }
    if (!http1) {
        if (!m_multiplexed) {
            m_multiplexed = createManager();
        }
        return m_multiplexed;
    }
    if (m_http1Pool.size() < static_cast<size_t>(m_options.http1PoolSize) && m_nextHttp1 >= m_http1Pool.size()) {
        m_http1Pool.push_back(createManager());
    }
    QNetworkAccessManager *manager = m_http1Pool[m_nextHttp1 % m_http1Pool.size()];
    m_nextHttp1 = (m_nextHttp1 + 1) % static_cast<size_t>(m_options.http1PoolSize);
    return manager;
}

UpstreamCall *UpstreamClient::start(const UpstreamRequest &request, QObject *parent)
{
    UpstreamCall *call = prepare(request, parent);
    // Not from inside this function: a refused connection or a dead pooled one may fail at once, and the caller has
    // not connected to the call's signals yet.
    QMetaObject::invokeMethod(call, &UpstreamCall::begin, Qt::QueuedConnection);
    return call;
}

UpstreamCall *UpstreamClient::prepare(const UpstreamRequest &request, QObject *parent)
{
    Q_ASSERT(QThread::currentThread() == thread());
    const Route &route = routeFor(request.url);
    const bool tls = route.tls;
    const bool proxied = request.proxy && request.proxy->type() != QNetworkProxy::NoProxy;
    const CleartextMode mode = route.mode;
    if (mode == CleartextMode::Native && !proxied) {
        if (!m_nativePool) {
            m_nativePool = new NativePool({m_options.nativeMaxIdlePerOrigin, m_options.nativeIdleTimeoutMs,
                                           m_options.nativeWarmPerOrigin, m_options.nativeSpareIdleTimeoutMs},
                                          this);
        }
        return new NativeCall(request, route.origin, m_nativePool, m_options.readBufferSize, parent);
    }
    QNetworkRequest networkRequest(request.url);
    for (const auto &[name, value] : request.headers) {
        networkRequest.setRawHeader(name, value);
    }
    // Relayed bytes go to the client as they came; Qt would otherwise ask for gzip and inflate it itself.
    networkRequest.setRawHeader(QByteArrayLiteral("accept-encoding"), QByteArrayLiteral("identity"));

    // A proxied request in Native mode goes through Qt as HTTP/1.1: only Qt speaks to proxies.
    const bool http1 = !tls && mode != CleartextMode::H2c;
    networkRequest.setAttribute(QNetworkRequest::Http2AllowedAttribute, !http1);
    if (!tls && !http1) {
        networkRequest.setAttribute(QNetworkRequest::Http2DirectAttribute, true);
    }
    // Upstream cookies belong to nobody: one manager serves many accounts.
    networkRequest.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    networkRequest.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    if (!proxied) {
        // Manual also makes Qt refuse an HTTP proxy's 407 instead of answering it with the proxy's credentials,
        // so proxied requests keep Automatic: their manager holds one proxy's credentials and nothing else.
        networkRequest.setAttribute(QNetworkRequest::AuthenticationReuseAttribute, QNetworkRequest::Manual);
    }
    networkRequest.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    networkRequest.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);

    QNetworkAccessManager *manager = managerFor(request, http1);
    QNetworkReply *reply = nullptr;
    if (request.method == "POST") {
        reply = manager->post(networkRequest, request.body);
    } else if (request.method == "GET") {
        reply = manager->get(networkRequest);
    } else {
        reply = manager->sendCustomRequest(networkRequest, request.method, request.body);
    }
    if (tls && m_options.ignoreSslErrors) {
        reply->ignoreSslErrors();
    }
    // A new connection for this reply: once the request is out (so the socket exists), switch Nagle off on it.
    connect(reply, &QNetworkReply::socketStartedConnecting, this, [reply] {
        auto done = std::make_shared<bool>(false);
        auto once = [done] {
            if (!std::exchange(*done, true)) {
                setNoDelayOnTcpSockets();
            }
        };
        connect(reply, &QNetworkReply::requestSent, reply, once);
        connect(reply, &QNetworkReply::metaDataChanged, reply, once);
    });
    return new QnamCall(reply, request.timeouts, m_options.readBufferSize, parent);
}

} // namespace Relay::Upstream
