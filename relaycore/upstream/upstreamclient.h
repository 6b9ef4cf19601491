// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "upstream/upstreamcall.h"
#include "upstream/upstreamrequest.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <vector>

class QNetworkAccessManager;

namespace Relay::Upstream {

class NativePool;

struct ClientOptions
{
    CleartextMode cleartextMode = CleartextMode::Http1;  // h2c to a server that lacks it fails, so it is opt-in
    QHash<QString, CleartextMode> cleartextModeByOrigin; // "http://host:port" (see originOf) → mode
    int http1PoolSize = 4;                               // managers for HTTP/1.1; each runs its own Qt thread
    qint64 readBufferSize = 64 * 1024;                   // per call, once its body starts
    bool ignoreSslErrors = false;                        // tests only: accept the mock's self-signed certificate
    // Native: idle keep-alive connections per origin (see NativePool). Up to as many as a busy worker has in use at
    // once (a bound of 64 made a c100 × 10 pipelined load open 500 connections a second); the `warm` most recent
    // are kept for the idle timeout, the others for the spare timeout.
    int nativeMaxIdlePerOrigin = 1024;
    int nativeIdleTimeoutMs = 30'000;
    int nativeWarmPerOrigin = 16;
    int nativeSpareIdleTimeoutMs = 1'000;
};

// The upstream side of one worker thread: owns the QNetworkAccessManagers (created on first use; each starts its
// own Qt network thread) and starts calls on them. https:// and h2c requests share one manager (HTTP/2
// multiplexes them); HTTP/1.1 requests go round-robin over a pool so more than 6 can run at once; a request with a
// proxy uses a manager of its own per proxy configuration. Direct http:// requests in Native mode bypass Qt's
// network stack: a NativeCall on this thread, with idle connections kept in a NativePool. Keep-alive always,
// `accept-encoding: identity`, no redirects followed, no cookies stored or sent, no cache.
//
// Create, use and delete it in one thread. Calls it started must be finished or deleted before it is.
class UpstreamClient : public QObject
{
    Q_OBJECT
public:
    explicit UpstreamClient(ClientOptions options = {}, QObject *parent = nullptr);
    ~UpstreamClient() override;

    const ClientOptions &options() const { return m_options; }

    // Starts the request from the event loop, right after the caller connected to the call's signals. The call is
    // a child of `parent` (if given); delete it when done.
    UpstreamCall *start(const UpstreamRequest &request, QObject *parent = nullptr);
    // The same without the trip through the event loop: connect to the call's signals, then call begin() on it.
    // (A QNetworkAccessManager request is under way already; begin() does nothing for it.)
    UpstreamCall *prepare(const UpstreamRequest &request, QObject *parent = nullptr);

    CleartextMode cleartextModeFor(const QUrl &url) const;
    // Managers created so far (one Qt thread each).
    int managerCount() const;
    // Native mode: idle keep-alive connections now, and connections opened so far.
    int nativeIdleConnections() const;
    qint64 nativeConnectionsOpened() const;

    // "scheme://host:port" of a URL, with the scheme's default port filled in: the key of cleartextModeByOrigin.
    static QString originOf(const QUrl &url);

private:
    // How start() reaches a URL. An account's requests all go to one URL, and the QUrl conversions cost more than
    // the rest of choosing a transport, so the answer for the last URL is kept.
    struct Route
    {
        QUrl url;
        QString origin;
        bool tls = false;
        CleartextMode mode = CleartextMode::Native;
    };
    const Route &routeFor(const QUrl &url);
    QNetworkAccessManager *managerFor(const UpstreamRequest &request, bool http1);
    QNetworkAccessManager *createManager();

    ClientOptions m_options;
    QNetworkAccessManager *m_multiplexed = nullptr; // https + h2c, direct
    std::vector<QNetworkAccessManager *> m_http1Pool;
    size_t m_nextHttp1 = 0;
    QHash<QString, QNetworkAccessManager *> m_byProxy;
    NativePool *m_nativePool = nullptr;
    Route m_lastRoute;
};

} // namespace Relay::Upstream
