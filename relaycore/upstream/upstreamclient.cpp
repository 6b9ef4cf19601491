// SPDX-License-Identifier: GPL-3.0-or-later
#include "upstream/upstreamclient.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QThread>

namespace Relay::Upstream {

namespace {

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

int UpstreamClient::managerCount() const
{
    return (m_multiplexed ? 1 : 0) + static_cast<int>(m_http1Pool.size()) + static_cast<int>(m_byProxy.size());
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
    Q_ASSERT(QThread::currentThread() == thread());
    QNetworkRequest networkRequest(request.url);
    for (const auto &[name, value] : request.headers) {
        networkRequest.setRawHeader(name, value);
    }
    // Relayed bytes go to the client as they came; Qt would otherwise ask for gzip and inflate it itself.
    networkRequest.setRawHeader(QByteArrayLiteral("accept-encoding"), QByteArrayLiteral("identity"));

    const bool tls = request.url.scheme().compare(u"https", Qt::CaseInsensitive) == 0;
    const bool http1 = !tls && cleartextModeFor(request.url) == CleartextMode::Http1;
    networkRequest.setAttribute(QNetworkRequest::Http2AllowedAttribute, !http1);
    if (!tls && !http1) {
        networkRequest.setAttribute(QNetworkRequest::Http2DirectAttribute, true);
    }
    // Upstream cookies belong to nobody: one manager serves many accounts.
    networkRequest.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    networkRequest.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    networkRequest.setAttribute(QNetworkRequest::AuthenticationReuseAttribute, QNetworkRequest::Manual);
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
    return new UpstreamCall(reply, request.timeouts, m_options.readBufferSize, parent);
}

} // namespace Relay::Upstream
