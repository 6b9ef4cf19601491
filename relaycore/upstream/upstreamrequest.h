// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QNetworkProxy>
#include <QPair>
#include <QUrl>

#include <optional>

namespace Relay::Upstream {

// How a cleartext http:// upstream is spoken to (https:// always negotiates HTTP/2 by ALPN, falling back to 1.1).
enum class CleartextMode {
    Http1,  // HTTP/1.1 keep-alive over a pool of QNAM managers (Qt 6.4 allows 6 connections per host per manager)
    H2c,    // HTTP/2 with prior knowledge (QNAM): every request is a stream on one connection
    Native, // HTTP/1.1 on the worker thread's own sockets (NativeCall), keep-alive pool per origin; no Qt thread
};

// Header names lower-case, values as sent; the same shape as Relay::Http::HeaderList.
using HeaderList = QList<QPair<QByteArray, QByteArray>>;

// Limits of one upstream call, in milliseconds; 0 disables a limit.
struct Timeouts
{
    int connectMs = 10'000;   // until the request has gone out on a connection (TCP + TLS when a new one is made)
    int firstByteMs = 60'000; // from then until the response headers arrive
    int idleMs = 120'000;     // between body bytes, while the caller is not the one holding the data back
};

// One request to the upstream. `headers` are sent as given (build them with forwardHeaders()); the client adds
// `accept-encoding: identity` itself.
struct UpstreamRequest
{
    QUrl url;
    QByteArray method = QByteArrayLiteral("POST");
    HeaderList headers;
    QByteArray body;
    Timeouts timeouts;
    std::optional<QNetworkProxy> proxy; // the account's proxy; unset = direct (no system proxy either)
};

} // namespace Relay::Upstream
