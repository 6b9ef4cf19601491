// SPDX-License-Identifier: GPL-3.0-or-later
#include "domain/keystore.h"

#include "domain/keyrules.h"
#include "domain/recordfields.h"
#include "domain/recordscripts.h"
#include "domain/storesupport.h"
#include "redis/client.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Relay::Domain {

NewApiKey newApiKeyFrom(const ApiKeyChanges &c)
{
    NewApiKey key;
    key.name = c.name.value_or(QString());
    key.description = c.description.value_or(QString());
    key.concurrencyLimit = c.concurrencyLimit.value_or(0);
    key.expiresAt = c.expiresAt.value_or(0);
    key.expiresAfterFirstUseMs = c.expiresAfterFirstUseMs.value_or(0);
    key.tags = c.tags.value_or(QStringList());
    key.permissions = c.permissions.value_or(QList<Endpoint>());
    key.modelRule = c.modelRule.value_or(ModelRule());
    key.client = c.client.value_or(ClientRestriction::Any);
    if (c.binding) {
        key.boundAccountId = c.binding->accountId;
        key.boundGroupId = c.binding->groupId;
    }
    key.limitTimeZone = c.limitTimeZone.value_or(QByteArray());
    key.concurrencyWaitMs = c.concurrencyWaitMs.value_or(0);
    return key;
}

using StoreSupport::FieldWrites;
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

// The change as field writes, or a message saying why it is not acceptable.
QString toFieldWrites(const ApiKeyChanges &changes, FieldWrites &writes)
{
    if (changes.expiresAt && changes.expiresAfterFirstUseMs)
        return u"a key expires either at a fixed time or after its first use, not both"_s;
    // Every changed field is checked with the same rules as a new key (on a key that is valid otherwise).
    ApiKey probe;
    probe.name = u"probe"_s;
    if (changes.name)
        probe.name = *changes.name;
    if (changes.description)
        probe.description = *changes.description;
    if (changes.tags)
        probe.tags = *changes.tags;
    if (changes.permissions)
        probe.permissions = *changes.permissions;
    if (changes.modelRule)
        probe.modelRule = KeyRules::normalizedRule(changes.modelRule->mode, changes.modelRule->models);
    if (changes.concurrencyLimit)
        probe.concurrencyLimit = *changes.concurrencyLimit;
    if (changes.expiresAt)
        probe.expiresAt = *changes.expiresAt;
    if (changes.expiresAfterFirstUseMs)
        probe.expiresAfterFirstUseMs = *changes.expiresAfterFirstUseMs;
    if (changes.binding) {
        probe.boundAccountId = changes.binding->accountId;
        probe.boundGroupId = changes.binding->groupId;
    }
    if (changes.limits)
        probe.limits = *changes.limits;
    if (changes.limitTimeZone)
        probe.limitTimeZone = *changes.limitTimeZone;
    if (changes.concurrencyWaitMs) {
        probe.concurrencyWaitMs = *changes.concurrencyWaitMs;
        probe.concurrencyLimit = changes.concurrencyLimit.value_or(1); // checked against the stored limit at use
    }
    if (const QString invalid = validateApiKeySettings(probe); !invalid.isEmpty())
        return invalid;

    if (changes.name)
        writes.put("name", probe.name.trimmed().toUtf8());
    if (changes.description)
        writes.put("description", probe.description.toUtf8());
    if (changes.enabled)
        writes.put("enabled", RecordFields::fromBool(*changes.enabled));
    if (changes.tags)
        writes.put("tags", ApiKey::encodeTags(probe.tags));
    if (changes.permissions)
        writes.put("permissions", ApiKey::encodePermissions(probe.permissions));
    if (changes.modelRule) { // mode and list together, so the rule is never half old, half new
        writes.put("model_rule", modelRuleModeName(probe.modelRule.mode).toByteArray());
        writes.put("models", ApiKey::encodeModels(probe.modelRule.models));
    }
    if (changes.client)
        writes.put("client", clientRestrictionName(*changes.client).toByteArray());
    if (changes.concurrencyLimit)
        writes.put("concurrency_limit", QByteArray::number(probe.concurrencyLimit));
    if (changes.expiresAt) {
        writes.put("expires_at", QByteArray::number(probe.expiresAt));
        writes.removed << "expires_after_first_use_ms"
                       << "activated_at";
    }
    if (changes.expiresAfterFirstUseMs) {
        writes.put("expires_at", "0");
        writes.put("expires_after_first_use_ms", QByteArray::number(probe.expiresAfterFirstUseMs));
        writes.removed << "activated_at";
    }
    if (changes.binding) {
        writes.putOrRemove("bound_account", probe.boundAccountId);
        writes.putOrRemove("bound_group", probe.boundGroupId);
    }
    if (changes.limits) {
        // The whole policy: scalar fields always, weekly fields of the families it has, HDEL of the others.
        for (const auto &[name, value] : probe.limits.toHashFields()) {
            if (name != "limit_time_zone")
                writes.put(name, value);
        }
        for (QByteArrayView family : {"opus", "sonnet", "haiku"}) {
            if (!probe.limits.weeklyFamilyCostNanos.contains(family.toByteArray()))
                writes.removed << Limits::LimitPolicy::WeeklyFieldPrefix.toByteArray() + family.toByteArray();
        }
    }
    if (changes.limitTimeZone)
        writes.putOrRemove("limit_time_zone", probe.limitTimeZone);
    if (changes.concurrencyWaitMs)
        writes.put("concurrency_wait_ms", QByteArray::number(probe.concurrencyWaitMs));
    return {};
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
    ApiKey settings;
    settings.name = request.name.trimmed();
    settings.description = request.description;
    settings.concurrencyLimit = request.concurrencyLimit;
    settings.expiresAt = request.expiresAt;
    settings.tags = request.tags;
    settings.permissions = request.permissions;
    settings.modelRule = KeyRules::normalizedRule(request.modelRule.mode, request.modelRule.models);
    settings.client = request.client;
    settings.expiresAfterFirstUseMs = request.expiresAfterFirstUseMs;
    settings.boundAccountId = request.boundAccountId;
    settings.boundGroupId = request.boundGroupId;
    settings.limits = request.limits;
    settings.limitTimeZone = request.limitTimeZone;
    settings.concurrencyWaitMs = request.concurrencyWaitMs;
    if (const QString invalid = validateApiKeySettings(settings); !invalid.isEmpty())
        return fail(Error::Kind::InvalidArgument, invalid);
    if (m_secret.isNull())
        return fail(Error::Kind::Crypto, u"no server secret"_s);
    if (!m_client)
        return fail(Error::Kind::Redis, noClient().message);

    CreatedApiKey created;
    created.clearKey = generateClearKey(m_keyPrefix);
    ApiKey &key = created.key;
    key = settings;
    key.id = generateId();
    if (created.clearKey.isEmpty() || key.id.isEmpty())
        return fail(Error::Kind::Crypto, u"the random number generator failed"_s);
    key.hash = m_secret.hashApiKey(created.clearKey);
    key.hint = keyHint(created.clearKey);
    key.createdAt = key.updatedAt = nowMs();

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

void KeyStore::update(const QByteArray &id, const ApiKeyChanges &changes, QObject *context,
                      Callback<ApiKey> callback) const
{
    FieldWrites writes;
    if (const QString invalid = toFieldWrites(changes, writes); !invalid.isEmpty())
        return later(context,
                     [callback, invalid] { callback(Result<ApiKey>::failure(Error::Kind::InvalidArgument, invalid)); });
    if (!m_client)
        return later(context, [callback] { callback(Result<ApiKey>::failure(noClient())); });
    writes.put("updated_at", QByteArray::number(nowMs()));
    QList<QByteArray> args{m_keys.changesChannel(), DomainKeys::keyChangedMessage(id),
                           QByteArray::number(writes.set.size() / 2)};
    args << writes.set << writes.removed;
    m_client->evalScript(RecordScripts::updateFields(), {m_keys.keyRecord(id)}, args, context,
                         [id, callback](const Redis::Result &result) {
                             if (Error error = redisError(result, u"cannot update the API key"_s))
                                 return callback(Result<ApiKey>::failure(error));
                             const std::optional<ApiKey> key = ApiKey::fromRecord(result.reply.toByteArrayList());
                             if (!key)
                                 return callback(Result<ApiKey>::failure(notFound(id)));
                             callback(Result<ApiKey>::success(*key));
                         });
}

void KeyStore::regenerate(const QByteArray &id, QObject *context, Callback<CreatedApiKey> callback) const
{
    if (m_secret.isNull())
        return later(context, [callback] {
            callback(Result<CreatedApiKey>::failure(Error::Kind::Crypto, u"no server secret"_s));
        });
    if (!m_client)
        return later(context, [callback] { callback(Result<CreatedApiKey>::failure(noClient())); });
    const QByteArray clearKey = generateClearKey(m_keyPrefix);
    if (clearKey.isEmpty())
        return later(context, [callback] {
            callback(Result<CreatedApiKey>::failure(Error::Kind::Crypto, u"the random number generator failed"_s));
        });
    m_client->evalScript(RecordScripts::regenerateKey(), {m_keys.keyRecord(id), m_keys.keyHashIndex()},
                         {id, m_secret.hashApiKey(clearKey), keyHint(clearKey), QByteArray::number(nowMs()),
                          m_keys.changesChannel(), DomainKeys::keyChangedMessage(id)},
                         context, [id, clearKey, callback](const Redis::Result &result) {
                             if (Error error = redisError(result, u"cannot regenerate the API key"_s))
                                 return callback(Result<CreatedApiKey>::failure(error));
                             const std::optional<ApiKey> key = ApiKey::fromRecord(result.reply.toByteArrayList());
                             if (!key)
                                 return callback(Result<CreatedApiKey>::failure(notFound(id)));
                             callback(Result<CreatedApiKey>::success({*key, clearKey}));
                         });
}

void KeyStore::activate(const QByteArray &id, qint64 nowMs, QObject *context, Callback<Activation> callback) const
{
    if (!m_client)
        return later(context, [callback] { callback(Result<Activation>::failure(noClient())); });
    m_client->evalScript(
        RecordScripts::activateKey(), {m_keys.keyRecord(id)},
        {QByteArray::number(nowMs), m_keys.changesChannel(), DomainKeys::keyChangedMessage(id)}, context,
        [id, callback](const Redis::Result &result) {
            if (Error error = redisError(result, u"cannot activate the API key"_s))
                return callback(Result<Activation>::failure(error));
            const QList<Redis::Reply> &parts = result.reply.elements();
            if (!result.reply.isArray() || parts.size() != 2)
                return callback(Result<Activation>::failure(notFound(id)));
            callback(Result<Activation>::success({parts.at(0).bytes().toLongLong(), parts.at(1).integer() == 1}));
        });
}

void KeyStore::remove(const QByteArray &id, QObject *context, DoneCallback callback) const
{
    if (!m_client)
        return later(context, [callback] { callback(noClient()); });
    m_client->evalScript(RecordScripts::removeKey(),
                         {m_keys.keyRecord(id), m_keys.keyHashIndex(), m_keys.keyIndex(), m_keys.keyLastUsedIndex()},
                         {id, m_keys.changesChannel(), DomainKeys::keyChangedMessage(id)}, context,
                         [id, callback](const Redis::Result &result) {
                             if (Error error = redisError(result, u"cannot delete the API key"_s))
                                 return callback(error);
                             callback(result.reply.integer() == 1 ? Error{} : notFound(id));
                         });
}

} // namespace Relay::Domain
