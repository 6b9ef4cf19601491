// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "domain/account.h"
#include "domain/domainerror.h"
#include "domain/domainkeys.h"
#include "domain/secretbox.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>

#include <functional>

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
};

// Upstream accounts in Redis (see docs/redis-schema.md), secrets encrypted with the SecretBox (the account id is
// the associated data). Same calling conventions as KeyStore; every change publishes "account <id>".
class AccountStore
{
public:
    template <typename T>
    using Callback = std::function<void(const Result<T> &)>;
    using DoneCallback = std::function<void(const Error &)>;

    AccountStore(Redis::Client *client, DomainKeys keys, SecretBox box);

    // An error message for an invalid request, or empty.
    static QString validate(const NewAccount &request);

    void create(const NewAccount &request, QObject *context, Callback<Account> callback) const;
    // Fails with NotFound, or with Crypto when the secret cannot be decrypted.
    void get(const QByteArray &id, QObject *context, Callback<Account> callback) const;
    // Every account, by priority then age. An account whose secret cannot be decrypted is included with
    // Account::secretError set and an empty secret.
    void list(QObject *context, Callback<QList<Account>> callback) const;
    void setEnabled(const QByteArray &id, bool enabled, QObject *context, DoneCallback callback) const;
    void setSchedulable(const QByteArray &id, bool schedulable, QObject *context, DoneCallback callback) const;
    void remove(const QByteArray &id, QObject *context, DoneCallback callback) const;
    // Replaces an OAuth account's access token, refresh token and expiry in one atomic write (encrypted), with the
    // "account <id>" publish. NotFound if the account does not exist.
    void setOAuthTokens(const QByteArray &id, const OAuthTokens &tokens, QObject *context, DoneCallback callback) const;

    // Decodes an HGETALL reply and decrypts the secret; nullopt if the record is empty or has no id.
    static std::optional<Account> fromRecord(const QList<QByteArray> &fieldsAndValues, const SecretBox &box);

private:
    void update(const QByteArray &id, QByteArray field, QByteArray value, QObject *context,
                DoneCallback callback) const;

    QPointer<Redis::Client> m_client;
    DomainKeys m_keys;
    SecretBox m_box;
};

} // namespace Relay::Domain
