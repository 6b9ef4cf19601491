// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "domain/accountstore.h"
#include "domain/domainkeys.h"
#include "relay/accountdirectory.h"
#include "upstream/oauthclient.h"

#include <QByteArray>
#include <QHash>
#include <QObject>
#include <QTimer>
#include <QUrl>

namespace Relay::Redis {
class Client;
}

namespace Relay::Proxy {

struct OAuthRefreshOptions
{
    QUrl tokenUrl = {};
    QByteArray clientId = {};
    qint64 refreshAheadMs = 5 * 60 * 1000; // refresh once the access token expires within this
    int checkIntervalMs = 5000;            // how often the directory is looked at
    qint64 lockMs = 30000;                 // the cross-instance refresh lock's life; the token call gets less
    int retryBaseMs = 5000;                // wait after the first failure; doubles per failure in a row
    int retryMaxMs = 5 * 60 * 1000;
    int minForcedIntervalMs = 10000; // requestRefresh() for one account at most this often
};

// Refreshes OAuth access tokens ahead of expiry, in the background on the control thread (never on a request
// path). Every checkIntervalMs it looks at the directory for enabled OAuth accounts with a refresh token whose
// access token expires within refreshAheadMs (or has expired). Per account, one instance of all that share the
// Redis wins `SET <prefix>{acct:<id>}:refresh_lock <random> NX PX lockMs`; the winner re-reads the record (another
// instance may have refreshed a moment ago), calls the token endpoint through the account's proxy, stores the new
// tokens with AccountStore::setOAuthTokens (which publishes, so every instance reloads the account), updates its
// own directory entry at once and releases the lock (compare-and-delete). A loser does nothing: the change feed
// brings it the new token.
//
// Failures are logged without secrets and reported with refreshFailed(). A refused grant (invalid_grant and the
// like), or any failure once the access token has expired, marks the account Unauthorized with the reason (in the
// directory and in its Redis state, published). Retries back off from retryBaseMs to retryMaxMs; a refused refresh
// token is not tried again until the account gets another one. A later successful refresh makes an Unauthorized
// account Active again.
//
// Create it on the thread of `client` (the control thread) and use it there; only requestRefresh() may be called
// from other threads.
class TokenRefresher : public QObject
{
    Q_OBJECT
public:
    TokenRefresher(Redis::Client *client, Domain::AccountStore store, Domain::DomainKeys keys,
                   AccountDirectory &directory, OAuthRefreshOptions options, QObject *parent = nullptr);
    ~TokenRefresher() override;

    const OAuthRefreshOptions &options() const { return m_options; }

    // Starts the periodic check (the first one at once); stop() ends it. Refreshes under way finish.
    void start();
    void stop();
    // Looks at the directory once now (what the timer does).
    void checkNow();
    // Refreshes the account now whatever its expiry says, e.g. because the upstream answered 401 to its token.
    // Safe to call from any thread. Ignored while a refresh of the account runs, during its failure backoff, or
    // within minForcedIntervalMs of the last forced one; skipped if the stored token already differs from the one
    // that failed.
    void requestRefresh(const QByteArray &id);
    // A refresh of the account is under way in this instance.
    bool isRefreshing(const QByteArray &id) const;

Q_SIGNALS:
    // This instance refreshed the account's token, stored it and updated the directory.
    void refreshed(const QByteArray &id);
    void refreshFailed(const QByteArray &id, const QString &reason);

private:
    struct AccountState
    {
        bool busy = false;
        int failures = 0;
        qint64 nextAttemptMs = 0;
        qint64 lastForcedMs = 0;
        QByteArray rejectedRefreshToken;            // refused by the server: not tried again
        std::optional<Domain::OAuthTokens> unsaved; // refreshed but not yet stored (Redis failed)
    };

    void attempt(const QByteArray &id, bool forced, const QByteArray &failedAccessToken);
    void refreshLocked(const QByteArray &id, const QByteArray &lockToken, bool forced,
                       const QByteArray &failedAccessToken);
    void store(const QByteArray &id, const QByteArray &lockToken, const Domain::OAuthTokens &tokens);
    void succeeded(const QByteArray &id, const Domain::OAuthTokens &tokens);
    void failed(const QByteArray &id, const QString &reason, bool markUnauthorized);
    void applyTokens(const QByteArray &id, const Domain::OAuthTokens &tokens);
    void reportHealth(const QByteArray &id, AccountHealth health, const QString &reason);
    void releaseLock(const QByteArray &id, const QByteArray &lockToken);
    void finish(const QByteArray &id);
    qint64 backoffMs(int failures) const;

    Redis::Client *m_client;
    Domain::AccountStore m_store;
    Domain::DomainKeys m_keys;
    AccountDirectory &m_directory;
    OAuthRefreshOptions m_options;
    Upstream::OAuthClient m_oauth;
    QTimer m_timer;
    QHash<QByteArray, AccountState> m_states;
};

} // namespace Relay::Proxy
