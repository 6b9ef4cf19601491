// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QProcess>
#include <QString>
#include <QUrl>

#include <memory>

// Runs the project's mock Anthropic upstream (tests/mock-upstream/mock-anthropic.mjs, see its README.md) as a
// child `node` process on a free loopback port. One instance per test case or per test class; the child is killed
// when the object goes away, and it also exits by itself when its stdin pipe closes (this process died).
class MockUpstream
{
public:
    struct Options
    {
        bool tls = false;           // HTTPS with a fresh self-signed certificate, ALPN h2 + http/1.1
        int deltas = -1;            // default text deltas per answer (-1: the script's default, 10)
        int deltaDelayMs = -1;      // default pause between deltas (-1: 0)
        int firstByteMs = -1;       // default pause before the response starts (-1: 0)
        int startTimeoutMs = 15000; // how long start() waits for the listening line
        bool oauthStrict = false;   // --oauth-strict: Bearer tokens must have been issued by the mock
        int tokenExpiresIn = -1;    // --token-expires-in seconds (-1: the script's default, 3600)
        int tokenDelayMs = -1;      // --token-delay-ms (-1: 0)
    };

    // A small synchronous HTTP answer for assertions on the mock's own endpoints.
    struct Reply
    {
        bool ok = false; // the exchange completed at the HTTP level (any status)
        int status = 0;
        QByteArray body;
        QString error;
    };

    MockUpstream();
    explicit MockUpstream(const Options &options);
    ~MockUpstream();
    MockUpstream(const MockUpstream &) = delete;
    MockUpstream &operator=(const MockUpstream &) = delete;

    // Starts node and waits for "MOCK_LISTENING". False with errorString() set if node is missing or the
    // script does not come up in time.
    bool start();
    void stop();
    bool isRunning() const;
    QString errorString() const { return m_error; }

    quint16 port() const { return m_port; }
    bool isTls() const { return m_options.tls; }
    // http://127.0.0.1:<port> or https://127.0.0.1:<port>, without a trailing slash.
    QUrl baseUrl() const;
    QUrl url(const QString &path) const;

    // Synchronous helpers (a short local event loop, test support only), over HTTP/1.1 on a fresh connection
    // each. The mock never records or counts /_mock/ requests, but their connections show in connections_*.
    Reply get(const QString &path, int timeoutMs = 5000) const;
    Reply post(const QString &path, const QByteArray &body, const QList<QPair<QByteArray, QByteArray>> &headers = {},
               int timeoutMs = 5000) const;
    QJsonArray requests() const; // GET /_mock/requests: the last 100 requests, oldest first
    QJsonObject stats() const;   // GET /_mock/stats
    bool reset() const;          // POST /_mock/reset: clears recorded requests, counters and OAuth state
    // POST /_mock/oauth with `control` (settings, seeded tokens; see the README); the OAuth state, empty on failure.
    QJsonObject configureOAuth(const QJsonObject &control) const;
    // http(s)://127.0.0.1:<port>/v1/oauth/token
    QUrl tokenUrl() const { return url(QStringLiteral("/v1/oauth/token")); }

private:
    Reply exchange(const QByteArray &verb, const QString &path, const QByteArray &body,
                   const QList<QPair<QByteArray, QByteArray>> &headers, int timeoutMs) const;

    Options m_options;
    std::unique_ptr<QProcess> m_process;
    quint16 m_port = 0;
    QString m_error;
};
