// SPDX-License-Identifier: GPL-3.0-or-later
#include "domain/keystore.h"

#include "domain/recordscripts.h"
#include "domain/storesupport.h"
#include "redis/client.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Relay::Domain {

using StoreSupport::later;
using StoreSupport::noClient;
using StoreSupport::nowMs;
using StoreSupport::readIndexedRecords;
using StoreSupport::redisError;
using StoreSupport::transactionError;

namespace {

Error notFound(const QByteArray &id)
{
    return {Error::Kind::NotFound, u"no API key with id %1"_s.arg(QString::fromLatin1(id))};
}

} // namespace

KeyStore::KeyStore(Redis::Client *client, DomainKeys keys, ServerSecret secret, QByteArray keyPrefix)
    : m_client(client)
    , m_keys(std::move(keys))
    , m_secret(std::move(secret))
    , m_keyPrefix(std::move(keyPrefix))
{}

void KeyStore::create(const NewApiKey &request, QObject *context, Callback<CreatedApiKey> callback) const
{
    auto fail = [&](Error::Kind kind, const QString &message) {
        later(context, [callback, kind, message] { callback(Result<CreatedApiKey>::failure(kind, message)); });
    };
    const QString name = request.name.trimmed();
    if (name.isEmpty() || name.size() > 100)
        return fail(Error::Kind::InvalidArgument, u"a key needs a name of 1 to 100 characters"_s);
    if (request.description.size() > 500)
        return fail(Error::Kind::InvalidArgument, u"the description is longer than 500 characters"_s);
    if (request.concurrencyLimit < 0)
        return fail(Error::Kind::InvalidArgument, u"the concurrency limit must not be negative"_s);
    if (m_secret.isNull())
        return fail(Error::Kind::Crypto, u"no server secret"_s);
    if (!m_client)
        return fail(Error::Kind::Redis, noClient().message);

    CreatedApiKey created;
    created.clearKey = generateClearKey(m_keyPrefix);
    ApiKey &key = created.key;
    key.id = generateId();
    if (created.clearKey.isEmpty() || key.id.isEmpty())
        return fail(Error::Kind::Crypto, u"the random number generator failed"_s);
    key.name = name;
    key.description = request.description;
    key.hash = m_secret.hashApiKey(created.clearKey);
    key.hint = keyHint(created.clearKey);
    key.createdAt = key.updatedAt = nowMs();
    key.expiresAt = request.expiresAt;
    key.concurrencyLimit = request.concurrencyLimit;

    QList<QByteArray> hset{"HSET", m_keys.keyRecord(key.id)};
    hset << key.toRecordFields();
    const QList<QList<QByteArray>> commands{
        {"MULTI"},
        hset,
        {"HSET", m_keys.keyHashIndex(), key.hash, key.id},
        {"SADD", m_keys.keyIndex(), key.id},
        {"PUBLISH", m_keys.changesChannel(), DomainKeys::keyChangedMessage(key.id)},
        {"EXEC"},
    };
    m_client->pipeline(commands, context, [created, callback](const Redis::BatchResult &result) {
        if (Error error = transactionError(result, u"cannot store the API key"_s))
            return callback(Result<CreatedApiKey>::failure(error));
        callback(Result<CreatedApiKey>::success(created));
    });
}

void KeyStore::findByHash(const QByteArray &hash, QObject *context, Callback<ApiKey> callback) const
{
    if (!m_client)
        return later(context, [callback] { callback(Result<ApiKey>::failure(noClient())); });
    m_client->evalScript(RecordScripts::findKeyByHash(), {m_keys.keyHashIndex()},
                         {hash, m_keys.keyRecordHead(), m_keys.keyRecordTail()}, context,
                         [hash, callback](const Redis::Result &result) {
                             if (Error error = redisError(result, u"cannot look up the API key"_s))
                                 return callback(Result<ApiKey>::failure(error));
                             const std::optional<ApiKey> key = ApiKey::fromRecord(result.reply.toByteArrayList());
                             // A dangling index entry (record gone) is as good as no entry.
                             if (!key || key->hash != hash)
                                 return callback(Result<ApiKey>::failure(Error::Kind::NotFound, u"unknown API key"_s));
                             callback(Result<ApiKey>::success(*key));
                         });
}

void KeyStore::findByKey(QByteArrayView clearKey, QObject *context, Callback<ApiKey> callback) const
{
    if (!validateKeyFormat(clearKey, m_keyPrefix))
        return later(context,
                     [callback] { callback(Result<ApiKey>::failure(Error::Kind::NotFound, u"malformed API key"_s)); });
    findByHash(hashKey(clearKey), context, std::move(callback));
}

void KeyStore::get(const QByteArray &id, QObject *context, Callback<ApiKey> callback) const
{
    if (!m_client)
        return later(context, [callback] { callback(Result<ApiKey>::failure(noClient())); });
    m_client->command({"HGETALL", m_keys.keyRecord(id)}, context, [id, callback](const Redis::Result &result) {
        if (Error error = redisError(result, u"cannot read the API key"_s))
            return callback(Result<ApiKey>::failure(error));
        const std::optional<ApiKey> key = ApiKey::fromRecord(result.reply.toByteArrayList());
        if (!key)
            return callback(Result<ApiKey>::failure(notFound(id)));
        callback(Result<ApiKey>::success(*key));
    });
}

void KeyStore::list(QObject *context, Callback<QList<ApiKey>> callback) const
{
    const DomainKeys keys = m_keys;
    readIndexedRecords(
        m_client, keys.keyIndex(), [keys](const QByteArray &id) { return keys.keyRecord(id); }, context, u"API keys"_s,
        [callback](const Result<QList<QList<QByteArray>>> &records) {
            if (!records.ok())
                return callback(Result<QList<ApiKey>>::failure(records.error));
            QList<ApiKey> out;
            for (const QList<QByteArray> &record : records.value) {
                if (std::optional<ApiKey> key = ApiKey::fromRecord(record))
                    out.append(std::move(*key));
            }
            std::sort(out.begin(), out.end(), [](const ApiKey &a, const ApiKey &b) {
                return a.createdAt != b.createdAt ? a.createdAt < b.createdAt : a.id < b.id;
            });
            callback(Result<QList<ApiKey>>::success(std::move(out)));
        });
}

void KeyStore::setEnabled(const QByteArray &id, bool enabled, QObject *context, DoneCallback callback) const
{
    if (!m_client)
        return later(context, [callback] { callback(noClient()); });
    m_client->evalScript(RecordScripts::updateIfExists(), {m_keys.keyRecord(id)},
                         {m_keys.changesChannel(), DomainKeys::keyChangedMessage(id), "enabled",
                          enabled ? QByteArrayLiteral("1") : QByteArrayLiteral("0"), "updated_at",
                          QByteArray::number(nowMs())},
                         context, [id, callback](const Redis::Result &result) {
                             if (Error error = redisError(result, u"cannot update the API key"_s))
                                 return callback(error);
                             callback(result.reply.integer() == 1 ? Error{} : notFound(id));
                         });
}

void KeyStore::remove(const QByteArray &id, QObject *context, DoneCallback callback) const
{
    if (!m_client)
        return later(context, [callback] { callback(noClient()); });
    m_client->evalScript(RecordScripts::removeKey(), {m_keys.keyRecord(id), m_keys.keyHashIndex(), m_keys.keyIndex()},
                         {id, m_keys.changesChannel(), DomainKeys::keyChangedMessage(id)}, context,
                         [id, callback](const Redis::Result &result) {
                             if (Error error = redisError(result, u"cannot delete the API key"_s))
                                 return callback(error);
                             callback(result.reply.integer() == 1 ? Error{} : notFound(id));
                         });
}

} // namespace Relay::Domain
