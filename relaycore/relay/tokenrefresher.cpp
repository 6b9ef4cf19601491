// SPDX-License-Identifier: GPL-3.0-or-later
#include "relay/tokenrefresher.h"

#include "relay/accountstatewrite.h"

#include "log/logger.h"
#include "redis/client.h"
#include "redis/script.h"
#include "upstream/proxyurl.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QThread>

namespace Relay::Proxy {

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// Deletes the lock only if it is still ours: after lockMs it may belong to another instance.
const Redis::Script &releaseScript()
{
    static const Redis::Script script(
        QByteArrayLiteral("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end "
                          "return 0"));
    return script;
}

QByteArray randomLockToken()
{
    quint64 words[2];
    QRandomGenerator::system()->fillRange(words);
    return QByteArray(reinterpret_cast<const char *>(words), sizeof(words)).toHex();
}

// The account's proxy from its record: the URL (user name only) and the separately stored password.
std::optional<QNetworkProxy> proxyOf(const Domain::Account &account, QString *error)
{
    if (account.proxyUrl.isEmpty())
        return std::nullopt;
    QUrl url(account.proxyUrl);
    if (!account.proxyPassword.isEmpty())
        url.setPassword(QString::fromUtf8(account.proxyPassword), QUrl::DecodedMode);
    return Upstream::proxyFromUrl(url, error);
}

} // namespace

TokenRefresher::TokenRefresher(Redis::Client *client, Domain::AccountStore store, Domain::DomainKeys keys,
                               AccountDirectory &directory, OAuthRefreshOptions options, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_store(std::move(store))
    , m_keys(std::move(keys))
    , m_directory(directory)
    , m_options(std::move(options))
{
    m_timer.setInterval(qMax(10, m_options.checkIntervalMs));
    connect(&m_timer, &QTimer::timeout, this, &TokenRefresher::checkNow);
}

TokenRefresher::~TokenRefresher() = default;

void TokenRefresher::start()
{
    m_timer.start();
    QTimer::singleShot(0, this, &TokenRefresher::checkNow);
}

void TokenRefresher::stop()
{
    m_timer.stop();
}

bool TokenRefresher::isRefreshing(const QByteArray &id) const
{
    return m_states.value(id).busy;
}

void TokenRefresher::checkNow()
{
    const qint64 now = nowMs();
    const AccountDirectory::Snapshot snapshot = m_directory.snapshot();
    for (auto it = m_states.begin(); it != m_states.end();) {
        if (!it->busy && !snapshot->contains(it.key()))
            it = m_states.erase(it);
        else
            ++it;
    }
    for (const AccountEntry &entry : *snapshot) {
        if (!entry.oauth || !entry.enabled || entry.health == AccountHealth::Blocked)
            continue;
        AccountState &state = m_states[entry.id];
        if (state.busy || now < state.nextAttemptMs)
            continue;
        if (state.unsaved) {
            state.busy = true;
            store(entry.id, {}, *state.unsaved);
            continue;
        }
        if (entry.refreshToken.isEmpty() || entry.refreshToken == state.rejectedRefreshToken)
            continue;
        // An unknown expiry (0) is refreshed too: afterwards it is known.
        if (entry.tokenExpiresAtMs != 0 && entry.tokenExpiresAtMs - now > m_options.refreshAheadMs)
            continue;
        attempt(entry.id, false, {});
    }
}

void TokenRefresher::requestRefresh(const QByteArray &id)
{
    // The token that failed is the one the caller saw now; it is compared with the stored one later.
    const std::optional<AccountEntry> entry = m_directory.find(id);
    const QByteArray failedAccessToken = entry ? entry->secret : QByteArray();
    QMetaObject::invokeMethod(
        this,
        [this, id, failedAccessToken] {
            AccountState &state = m_states[id];
            const qint64 now = nowMs();
            if (state.busy || now < state.nextAttemptMs ||
                (state.lastForcedMs != 0 && now - state.lastForcedMs < m_options.minForcedIntervalMs))
                return;
            state.lastForcedMs = now;
            attempt(id, true, failedAccessToken);
        },
        Qt::QueuedConnection);
}

void TokenRefresher::attempt(const QByteArray &id, bool forced, const QByteArray &failedAccessToken)
{
    m_states[id].busy = true;
    const QByteArray lockToken = randomLockToken();
    // Queued while Redis reconnects (bounded by the command timeout): an on-demand refresh is not lost to a blip.
    Redis::CommandOptions options;
    options.whenDown = Redis::WhenDown::Queue;
    m_client->command(
        {"SET", m_keys.keySpace().account(id, "refresh_lock"), lockToken, "NX", "PX",
         QByteArray::number(m_options.lockMs)},
        this,
        [this, id, lockToken, forced, failedAccessToken](const Redis::Result &result) {
            if (!result.isSuccess()) {
                // Not the account's fault: try again at the next check.
                Log::logger().warn("OAuth refresh of account {} postponed: {}", id, result.errorMessage());
                finish(id);
                return;
            }
            if (result.reply.isNil()) {
                finish(id); // another instance refreshes it; the change feed brings the new token
                return;
            }
            refreshLocked(id, lockToken, forced, failedAccessToken);
        },
        options);
}

void TokenRefresher::refreshLocked(const QByteArray &id, const QByteArray &lockToken, bool forced,
                                   const QByteArray &failedAccessToken)
{
    // The record, not the directory: another instance may have refreshed just before we took the lock, and its
    // refresh token is the only one still valid.
    m_store.get(id, this, [=, this](const Domain::Result<Domain::Account> &r) {
        if (!r.ok()) {
            releaseLock(id, lockToken);
            if (r.error.kind == Domain::Error::Kind::NotFound) {
                finish(id);
                return;
            }
            failed(id, QStringLiteral("cannot read the account for a token refresh: %1").arg(r.error.message), false);
            return;
        }
        const Domain::Account &account = r.value;
        const qint64 now = nowMs();
        const bool stillFresh =
            forced ? !failedAccessToken.isEmpty() && account.secret != failedAccessToken
                   : account.tokenExpiresAt != 0 && account.tokenExpiresAt - now > m_options.refreshAheadMs;
        if (account.type != Domain::AccountType::OAuth || stillFresh ||
            account.refreshToken == m_states.value(id).rejectedRefreshToken) {
            if (stillFresh)
                applyTokens(id, {account.secret, account.refreshToken, account.tokenExpiresAt});
            releaseLock(id, lockToken);
            finish(id);
            return;
        }
        if (account.refreshToken.isEmpty()) {
            releaseLock(id, lockToken);
            failed(id, QStringLiteral("the account has no refresh token"), true);
            return;
        }
        QString proxyError;
        Upstream::OAuthRefreshRequest request;
        request.tokenUrl = m_options.tokenUrl;
        request.clientId = m_options.clientId;
        request.refreshToken = account.refreshToken;
        request.proxy = proxyOf(account, &proxyError);
        // The lock must outlive the call, or a second instance could spend the same refresh token.
        request.timeoutMs = int(qBound(qint64(1000), m_options.lockMs * 3 / 4, qint64(30000)));
        if (!proxyError.isEmpty()) {
            releaseLock(id, lockToken);
            failed(id, QStringLiteral("token refresh impossible: %1").arg(proxyError), false);
            return;
        }
        const QByteArray usedRefreshToken = account.refreshToken;
        m_oauth.refresh(request, this, [=, this](const Upstream::OAuthRefreshResult &result) {
            if (result.ok()) {
                store(id, lockToken, result.tokens);
                return;
            }
            releaseLock(id, lockToken);
            const bool rejected = result.failure == Upstream::OAuthRefreshResult::Failure::Rejected;
            if (rejected)
                m_states[id].rejectedRefreshToken = usedRefreshToken;
            // A token that still works keeps the account serving while the refresh is retried; one the upstream
            // refused (forced) or that has expired does not.
            const bool expired = account.tokenExpiresAt != 0 && nowMs() >= account.tokenExpiresAt;
            failed(id, QStringLiteral("token refresh failed: %1").arg(result.error), rejected || forced || expired);
        });
    });
}

void TokenRefresher::store(const QByteArray &id, const QByteArray &lockToken, const Domain::OAuthTokens &tokens)
{
    m_store.setOAuthTokens(id, tokens, this, [this, id, lockToken, tokens](const Domain::Error &error) {
        if (error.kind == Domain::Error::Kind::NotFound) {
            releaseLock(id, lockToken);
            m_states.remove(id);
            return;
        }
        if (error) {
            // The old refresh token is spent: keep the new tokens, use them here, and store them at a later
            // check. The lock stays until it expires so no other instance tries the spent token meanwhile.
            m_states[id].unsaved = tokens;
            applyTokens(id, tokens);
            failed(id, QStringLiteral("token refreshed but not stored: %1").arg(error.message), false);
            return;
        }
        m_states[id].unsaved.reset();
        if (!lockToken.isEmpty())
            releaseLock(id, lockToken);
        succeeded(id, tokens);
    });
}

void TokenRefresher::succeeded(const QByteArray &id, const Domain::OAuthTokens &tokens)
{
    applyTokens(id, tokens);
    AccountState &state = m_states[id];
    state.failures = 0;
    state.nextAttemptMs = 0;
    state.rejectedRefreshToken.clear();
    const std::optional<AccountEntry> entry = m_directory.find(id);
    if (entry && entry->health == AccountHealth::Unauthorized)
        reportHealth(id, AccountHealth::Active, QStringLiteral("OAuth token refreshed"));
    Log::logger().info("OAuth token of account {} refreshed; it expires in {} s", id,
                       (tokens.expiresAt - nowMs()) / 1000);
    finish(id);
    Q_EMIT refreshed(id);
}

void TokenRefresher::failed(const QByteArray &id, const QString &reason, bool markUnauthorized)
{
    AccountState &state = m_states[id];
    ++state.failures;
    const qint64 waitMs = backoffMs(state.failures);
    state.nextAttemptMs = nowMs() + waitMs;
    Log::logger().warn("OAuth account {}: {} (next try in {} s)", id, reason, waitMs / 1000);
    if (markUnauthorized)
        reportHealth(id, AccountHealth::Unauthorized, reason);
    finish(id);
    Q_EMIT refreshFailed(id, reason);
}

qint64 TokenRefresher::backoffMs(int failures) const
{
    qint64 waitMs = qMax(1, m_options.retryBaseMs);
    for (int i = 1; i < failures && waitMs < m_options.retryMaxMs; ++i)
        waitMs *= 2;
    return qMin<qint64>(waitMs, qMax(m_options.retryBaseMs, m_options.retryMaxMs));
}

void TokenRefresher::applyTokens(const QByteArray &id, const Domain::OAuthTokens &tokens)
{
    std::optional<AccountEntry> entry = m_directory.find(id);
    if (!entry)
        return;
    entry->secret = tokens.accessToken;
    entry->refreshToken = tokens.refreshToken;
    entry->tokenExpiresAtMs = tokens.expiresAt;
    m_directory.upsert(*entry, true);
}

void TokenRefresher::reportHealth(const QByteArray &id, AccountHealth health, const QString &reason)
{
    if (health == AccountHealth::Active) {
        // Unauthorized means the credential was refused or expired; a new token fixes that, so the refresher may
        // lift it (setHealth leaves that to an operator). Blocked and family cooldowns are not touched.
        std::optional<AccountEntry> entry = m_directory.find(id);
        if (!entry || entry->health != AccountHealth::Unauthorized)
            return;
        entry->health = AccountHealth::Active;
        entry->coolingUntilMs = 0;
        entry->reason = reason;
        entry->changedAtMs = nowMs();
        m_directory.upsert(*entry, false);
    } else if (!m_directory.setHealth(id, health, 0, reason)) {
        return;
    }
    // The same state record and notification the relay writes for upstream results, so every instance sees it.
    const qint64 now = nowMs();
    writeAccountHealth(m_client, m_keys, id, healthStateFields(health, 0, reason, now), now);
}

void TokenRefresher::releaseLock(const QByteArray &id, const QByteArray &lockToken)
{
    m_client->evalScript(releaseScript(), {m_keys.keySpace().account(id, "refresh_lock")}, {lockToken}, nullptr,
                         [](const Redis::Result &) {});
}

void TokenRefresher::finish(const QByteArray &id)
{
    if (const auto it = m_states.find(id); it != m_states.end())
        it->busy = false;
}

} // namespace Relay::Proxy
