// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "domain/account.h"

#include <QByteArray>
#include <QHash>
#include <QNetworkProxy>
#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>
#include <optional>

class QNetworkAccessManager;

namespace Relay::Upstream {

// One refresh_token grant.
struct OAuthRefreshRequest
{
    QUrl tokenUrl; // e.g. https://console.anthropic.com/v1/oauth/token
    QByteArray clientId;
    QByteArray refreshToken;
    std::optional<QNetworkProxy> proxy; // the account's proxy; unset = direct (never the system proxy)
    int timeoutMs = 30'000;             // for the whole exchange
};

// What a refresh gave: the new tokens, or why there are none.
struct OAuthRefreshResult
{
    enum class Failure {
        None,
        Rejected,  // the server refused the grant (invalid_grant, invalid_client, 400/401/403): retrying with the
                   // same refresh token will not help, an operator must give the account new tokens
        Transient, // no answer, timeout, 429/5xx or an answer that could not be read: worth retrying later
    };
    Failure failure = Failure::None;
    Domain::OAuthTokens tokens; // refreshToken is the old one when the server did not rotate it
    int httpStatus = 0;         // 0 without an HTTP answer
    QString error;              // for logs and account status; never contains a token

    bool ok() const { return failure == Failure::None; }
};

// Refreshes OAuth access tokens at a token endpoint: POST with a JSON body {grant_type: "refresh_token",
// refresh_token, client_id}, a Claude Code user agent, no redirects, no cookies. The answer's access_token,
// refresh_token and expires_in (seconds) become OAuthTokens with expiresAt = now + expires_in * 1000.
//
// Lives on the thread that creates it, with managers of its own (one per proxy configuration, created on first
// use). The callback runs on that thread, once, unless `context` is gone by then.
class OAuthClient : public QObject
{
    Q_OBJECT
public:
    using Callback = std::function<void(const OAuthRefreshResult &)>;

    static constexpr QByteArrayView UserAgent = "claude-cli/1.0.119 (external, cli)";

    explicit OAuthClient(QObject *parent = nullptr);
    ~OAuthClient() override;

    void refresh(const OAuthRefreshRequest &request, QObject *context, Callback callback);

    // Parses a token endpoint answer (exposed for tests); `nowMs` is the time the answer arrived.
    static OAuthRefreshResult parseAnswer(int httpStatus, const QByteArray &body, const QByteArray &oldRefreshToken,
                                          qint64 nowMs);

private:
    QNetworkAccessManager *managerFor(const std::optional<QNetworkProxy> &proxy);

    QHash<QString, QNetworkAccessManager *> m_managers; // by proxy configuration; "" = direct
};

} // namespace Relay::Upstream
