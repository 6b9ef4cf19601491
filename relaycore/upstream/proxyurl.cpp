// SPDX-License-Identifier: GPL-3.0-or-later
#include "upstream/proxyurl.h"

namespace Relay::Upstream {

std::optional<QNetworkProxy> proxyFromUrl(const QUrl &url, QString *error)
{
    const auto fail = [error](const QString &message) -> std::optional<QNetworkProxy> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    if (error)
        error->clear();
    if (url.isEmpty())
        return std::nullopt;
    if (!url.isValid())
        return fail(QStringLiteral("proxy URL is not a valid URL"));

    const QString scheme = url.scheme().toLower();
    QNetworkProxy::ProxyType type = QNetworkProxy::NoProxy;
    if (scheme == u"http")
        type = QNetworkProxy::HttpProxy;
    else if (scheme == u"socks5" || scheme == u"socks5h")
        type = QNetworkProxy::Socks5Proxy;
    else if (scheme == u"https")
        return fail(QStringLiteral("proxy URL: TLS to the proxy (https://) is not supported; use http:// or "
                                   "socks5://"));
    else
        return fail(QStringLiteral("proxy URL needs the scheme http:// or socks5://"));
    if (url.host().isEmpty())
        return fail(QStringLiteral("proxy URL has no host"));
    if (url.port() <= 0)
        return fail(QStringLiteral("proxy URL needs a port (e.g. %1://host:8080)").arg(scheme));
    if (!url.path().isEmpty() && url.path() != u"/")
        return fail(QStringLiteral("proxy URL must not have a path"));
    if (url.hasQuery() || url.hasFragment())
        return fail(QStringLiteral("proxy URL must not have a query or fragment"));
    if (!url.password().isEmpty() && url.userName().isEmpty())
        return fail(QStringLiteral("proxy URL has a password but no user name"));

    // Qt's default capabilities: an HttpProxy gets absolute-form requests for http:// and CONNECT for https://.
    return QNetworkProxy(type, url.host(), quint16(url.port()), url.userName(QUrl::FullyDecoded),
                         url.password(QUrl::FullyDecoded));
}

QString validateProxyUrl(const QString &url)
{
    if (url.trimmed().isEmpty())
        return {};
    const QUrl parsed(url.trimmed(), QUrl::StrictMode);
    QString error;
    if (!parsed.isValid())
        return QStringLiteral("proxy URL is not a valid URL");
    if (!proxyFromUrl(parsed, &error))
        return error;
    return {};
}

} // namespace Relay::Upstream
