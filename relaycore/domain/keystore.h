// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "domain/apikey.h"
#include "domain/domainerror.h"
#include "domain/domainkeys.h"
#include "domain/serversecret.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>

#include <functional>

namespace Relay::Redis {
class Client;
}

namespace Relay::Domain {

struct NewApiKey
{
    QString name; // required
    QString description = {};
    int concurrencyLimit = 0; // 0 = none
    qint64 expiresAt = 0;     // ms since the epoch; 0 = never
};

// What create() returns: the record and the clear key, which exists nowhere else and must be shown once.
struct CreatedApiKey
{
    ApiKey key;
    QByteArray clearKey;
};

// Client API keys in Redis (see docs/redis-schema.md). Asynchronous on a Redis::Client of the calling thread;
// every callback runs on its context object's thread and is dropped if the context is gone (a null context runs
// it unguarded). A KeyStore is a cheap value: copy one per thread, each with that thread's Client.
// Every change publishes "key <id>" on the changes channel in the same atomic step.
class KeyStore
{
public:
    template <typename T>
    using Callback = std::function<void(const Result<T> &)>;
    using DoneCallback = std::function<void(const Error &)>;

    KeyStore(Redis::Client *client, DomainKeys keys, ServerSecret secret,
             QByteArray keyPrefix = ApiKey::DefaultPrefix.toByteArray());

    const QByteArray &keyPrefix() const { return m_keyPrefix; }
    // The value stored for a clear key (HMAC-SHA256 hex); cache lookups should be keyed by it.
    QByteArray hashKey(QByteArrayView clearKey) const { return m_secret.hashApiKey(clearKey); }

    void create(const NewApiKey &request, QObject *context, Callback<CreatedApiKey> callback) const;
    // One round trip (a Lua script). NotFound if no key has that hash.
    void findByHash(const QByteArray &hash, QObject *context, Callback<ApiKey> callback) const;
    // Checks the format (NotFound without a round trip when it is wrong), then findByHash(hashKey(clearKey)).
    void findByKey(QByteArrayView clearKey, QObject *context, Callback<ApiKey> callback) const;
    void get(const QByteArray &id, QObject *context, Callback<ApiKey> callback) const;
    // Every key, oldest first: the id index, then one pipelined HGETALL per id.
    void list(QObject *context, Callback<QList<ApiKey>> callback) const;
    void setEnabled(const QByteArray &id, bool enabled, QObject *context, DoneCallback callback) const;
    // Removes the record and its index entries; leases and usage counters expire on their own.
    void remove(const QByteArray &id, QObject *context, DoneCallback callback) const;

private:
    QPointer<Redis::Client> m_client;
    DomainKeys m_keys;
    ServerSecret m_secret;
    QByteArray m_keyPrefix;
};

} // namespace Relay::Domain
