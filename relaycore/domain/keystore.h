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
#include <optional>

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
    QStringList tags = {};
    QList<Endpoint> permissions = {}; // empty = every endpoint
    ModelRule modelRule = {};         // names are normalised when stored
    ClientRestriction client = ClientRestriction::Any;
    qint64 expiresAfterFirstUseMs = 0; // instead of expiresAt: the clock starts at the first use
    QByteArray boundAccountId = {};
    QByteArray boundGroupId = {};
    Limits::LimitPolicy limits = {};
    QByteArray limitTimeZone = {}; // empty = the relay's time zone
    qint64 concurrencyWaitMs = 0;
};

// A field-level change of a key: only the fields that are set are written (HSET, or HDEL for an emptied optional
// field), so two operators editing different fields never undo each other's change. updated_at is always set.
struct ApiKeyChanges
{
    std::optional<QString> name;
    std::optional<QString> description;
    std::optional<bool> enabled;
    std::optional<QStringList> tags;
    std::optional<QList<Endpoint>> permissions;
    std::optional<ModelRule> modelRule;
    std::optional<ClientRestriction> client;
    std::optional<int> concurrencyLimit;
    // Fixed expiry (0 = never); also ends a first-use expiry.
    std::optional<qint64> expiresAt;
    // Expiry N ms after the next first use: clears expires_at and activated_at, so the clock restarts.
    std::optional<qint64> expiresAfterFirstUseMs;
    // The binding as a whole: account, group (at most one non-empty), or both empty for the pool.
    struct Binding
    {
        QByteArray accountId;
        QByteArray groupId;
    };
    std::optional<Binding> binding;
    // Every limit at once (the policy's time zone is ignored: see limitTimeZone); families left out lose their
    // weekly limit.
    std::optional<Limits::LimitPolicy> limits;
    std::optional<QByteArray> limitTimeZone; // empty = the relay's time zone
    std::optional<qint64> concurrencyWaitMs;

    bool isEmpty() const
    {
        return !name && !description && !enabled && !tags && !permissions && !modelRule && !client &&
               !concurrencyLimit && !expiresAt && !expiresAfterFirstUseMs && !binding && !limits && !limitTimeZone &&
               !concurrencyWaitMs;
    }
};

// A new key with what `changes` sets and the defaults for the rest (the create commands of the CLI and the admin API
// parse their input as changes, shared with update). `limits` is left to the caller, which merges limit edits.
NewApiKey newApiKeyFrom(const ApiKeyChanges &changes);

// What activate() found or did.
struct Activation
{
    qint64 expiresAt = 0;   // the key's expiry after the call (0 = never)
    bool activated = false; // true only for the one call that started the clock
};

// What create() and regenerate() return: the record and the clear key, which exists nowhere else and must be
// shown once.
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
    // Writes only the changed fields, atomically, if the key exists (NotFound otherwise; InvalidArgument for a bad
    // change, before any round trip). Returns the record after the change.
    void update(const QByteArray &id, const ApiKeyChanges &changes, QObject *context, Callback<ApiKey> callback) const;
    // A new clear key for the same record. In one atomic step the old HMAC leaves the hash index (the old key stops
    // working at once), the new one enters it, and "key <id>" is published.
    void regenerate(const QByteArray &id, QObject *context, Callback<CreatedApiKey> callback) const;
    // Starts a first-use expiry: the first call sets activated_at = nowMs and expires_at = nowMs + the duration,
    // atomically; later and concurrent calls change nothing and report the expiry that was set. A key without a
    // first-use expiry is left alone.
    void activate(const QByteArray &id, qint64 nowMs, QObject *context, Callback<Activation> callback) const;
    // Removes the record and its index entries; leases and usage counters expire on their own.
    void remove(const QByteArray &id, QObject *context, DoneCallback callback) const;

private:
    QPointer<Redis::Client> m_client;
    DomainKeys m_keys;
    ServerSecret m_secret;
    QByteArray m_keyPrefix;
};

} // namespace Relay::Domain
