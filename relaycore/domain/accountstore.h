// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "domain/account.h"
#include "domain/domainerror.h"
#include "domain/domainkeys.h"
#include "domain/secretbox.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QObject>
#include <QPointer>

#include <functional>
#include <optional>

namespace Relay::Redis {
class Client;
}

namespace Relay::Domain {

struct NewAccount
{
    QString name; // required
    AccountType type = AccountType::ApiKey;
    QString baseUrl = Account::DefaultBaseUrl.toString();
    QByteArray secret; // required: the API key or OAuth access token
    int priority = Account::DefaultPriority;
    int maxConcurrency = 0;
    bool schedulable = true;
    // The fields below have `= {}` so designated initializers may leave them out.
    QByteArray refreshToken = {};             // OAuth: stored encrypted
    qint64 tokenExpiresAt = 0;                // OAuth: when `secret` expires (ms since the epoch); 0 = unknown
    QString proxyUrl = {};                    // see validateProxyUrl(); empty = direct
    QByteArray proxyPassword = {};            // stored encrypted; needs proxyUrl
    QMap<QString, QString> modelMapping = {}; // requested -> upstream
    qint64 dailyCostQuotaNanos = 0;           // 0 = no quota
    QString notes = {};
};

// A field-level change of an account: only the fields that are set are written (HSET, or HDEL for a cleared
// optional field), so two operators editing different fields never undo each other. updated_at is always set.
// Group membership is changed through GroupStore, the health state through resetState().
struct AccountPatch
{
    std::optional<QString> name;
    std::optional<QString> baseUrl;
    std::optional<QByteArray> secret;
    std::optional<QByteArray> refreshToken; // empty clears it
    std::optional<qint64> tokenExpiresAt;
    std::optional<int> priority;
    std::optional<int> maxConcurrency;
    std::optional<QString> proxyUrl;         // empty removes the proxy (and its password)
    std::optional<QByteArray> proxyPassword; // empty clears it
    std::optional<QMap<QString, QString>> modelMapping;
    std::optional<qint64> dailyCostQuotaNanos;
    std::optional<QString> notes;
    std::optional<bool> schedulable;
    std::optional<bool> enabled;

    bool isEmpty() const
    {
        return !name && !baseUrl && !secret && !refreshToken && !tokenExpiresAt && !priority && !maxConcurrency &&
               !proxyUrl && !proxyPassword && !modelMapping && !dailyCostQuotaNanos && !notes && !schedulable &&
               !enabled;
    }
};

// Upstream accounts in Redis (see docs/redis-schema.md), secrets encrypted with the SecretBox. The associated data
// binds each ciphertext to its record and field: the account id for `secret`, id + ":refresh" for the refresh token,
// id + ":proxy" for the proxy password. Same calling conventions as KeyStore; every change publishes "account <id>".
class AccountStore
{
public:
    template <typename T>
    using Callback = std::function<void(const Result<T> &)>;
    using DoneCallback = std::function<void(const Error &)>;

    AccountStore(Redis::Client *client, DomainKeys keys, SecretBox box);

    // An error message for an invalid request, or empty.
    static QString validate(const NewAccount &request);
    // An error message for an invalid change, or empty (each set field is checked as for a new account).
    static QString validatePatch(const AccountPatch &patch);

    void create(const NewAccount &request, QObject *context, Callback<Account> callback) const;
    // Fails with NotFound, or with Crypto when the secret cannot be decrypted.
    void get(const QByteArray &id, QObject *context, Callback<Account> callback) const;
    // Every account, by priority then age. An account whose secret cannot be decrypted is included with
    // Account::secretError set and an empty secret.
    void list(QObject *context, Callback<QList<Account>> callback) const;
    void setEnabled(const QByteArray &id, bool enabled, QObject *context, DoneCallback callback) const;
    void setSchedulable(const QByteArray &id, bool schedulable, QObject *context, DoneCallback callback) const;
    // Writes only the patched fields, atomically, if the account exists (NotFound otherwise; InvalidArgument before
    // any round trip). Returns the account after the change.
    void update(const QByteArray &id, const AccountPatch &patch, QObject *context, Callback<Account> callback) const;
    // Removes the record, its health state and its index and group-member entries; usage counters expire on their
    // own.
    void remove(const QByteArray &id, QObject *context, DoneCallback callback) const;
    // Replaces an OAuth account's access token, refresh token and expiry in one atomic write (encrypted), with the
    // "account <id>" publish. An empty tokens.refreshToken keeps the stored one (not every token endpoint rotates
    // it). NotFound if the account does not exist.
    void setOAuthTokens(const QByteArray &id, const OAuthTokens &tokens, QObject *context, DoneCallback callback) const;
    // The operator's reset of the health state (rd:{acct:<id>}:state): back to active with the reason "reset by
    // operator", every model-family cooldown removed, published. The only way out of unauthorized and blocked.
    void resetState(const QByteArray &id, QObject *context, DoneCallback callback) const;

    // Decodes an HGETALL reply and decrypts the secret; nullopt if the record is empty or has no id.
    static std::optional<Account> fromRecord(const QList<QByteArray> &fieldsAndValues, const SecretBox &box);

    static constexpr QByteArrayView RefreshTokenContext = ":refresh";
    static constexpr QByteArrayView ProxyPasswordContext = ":proxy";
    static constexpr QStringView ResetReason = u"reset by operator";

private:
    void setField(const QByteArray &id, QByteArray field, QByteArray value, QObject *context,
                  DoneCallback callback) const;

    QPointer<Redis::Client> m_client;
    DomainKeys m_keys;
    SecretBox m_box;
};

} // namespace Relay::Domain
