// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QNetworkProxy>
#include <QString>
#include <QUrl>

#include <optional>

namespace Relay::Upstream {

// An account's outbound proxy from its URL: `http://[user[:password]@]host:port` (HttpProxy: absolute-form for
// http:// upstreams, CONNECT for https://) or `socks5://…` / `socks5h://…` (Socks5Proxy; host names are resolved
// by the proxy either way). User and password are percent-decoded. An empty URL means direct: nullopt and no
// error. An invalid URL: nullopt and *error set (if given); the text never contains the password.
std::optional<QNetworkProxy> proxyFromUrl(const QUrl &url, QString *error = nullptr);

// The error text for a proxy URL as an operator types it (e.g. on the command line), or empty if it is usable.
// An empty string is valid (no proxy).
QString validateProxyUrl(const QString &url);

} // namespace Relay::Upstream
