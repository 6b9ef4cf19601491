// SPDX-License-Identifier: GPL-3.0-or-later
#include "domain/accountstore.h"

#include "domain/apikey.h"
#include "domain/recordfields.h"
#include "domain/recordscripts.h"
#include "domain/storesupport.h"
#include "redis/client.h"

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Relay::Domain {

using StoreSupport::FieldWrites;
using StoreSupport::later;
using StoreSupport::noClient;
using StoreSupport::nowMs;
using StoreSupport::readIndexedRecords;
using StoreSupport::redisError;
using StoreSupport::transactionError;

namespace {

constexpr int MaxPriority = Account::MaxPriority;

QString validateName(const QString &name)
{
    if (name.trimmed().isEmpty() || name.trimmed().size() > 100)
        return u"an account needs a name of 1 to 100 characters"_s;
    return {};
}

QString validatePriority(int priority)
{
    if (priority < 0 || priority > MaxPriority)
        return u"the priority must be from 0 to %1"_s.arg(MaxPriority);
    return {};
}

QString validateExtras(qint64 tokenExpiresAt, const QString &proxyUrl, const QMap<QString, QString> &mapping,
                       qint64 quota, const QString &notes)
{
    if (tokenExpiresAt < 0)
        return u"the token expiry must not be negative"_s;
    if (const QString error = validateProxyUrl(proxyUrl); !error.isEmpty())
        return error;
    if (const QString error = validateModelMapping(mapping); !error.isEmpty())
        return error;
    if (quota < 0)
        return u"the daily cost quota must not be negative"_s;
    if (notes.size() > Account::MaxNotesLength)
        return u"the notes must be at most %1 characters"_s.arg(Account::MaxNotesLength);
    return {};
}

QByteArray withContext(const QByteArray &id, QByteArrayView context)
{
    return id + context.toByteArray();
}

// Resets the health state: the state hash is replaced whole (that drops every `cooling:<family>` field).
// KEYS[1] account record, KEYS[2] state; ARGV[1] reason, ARGV[2] now, ARGV[3] channel, ARGV[4] message.
const Redis::Script &resetStateScript()
{
    static const Redis::Script script(QByteArrayLiteral(R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], 'status', 'active', 'reason', ARGV[1], 'until', '0', 'changed_at', ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
)lua"));
    return script;
}

// KEYS[1] account record, KEYS[2] state, KEYS[3] id index; ARGV[1] id, ARGV[2] channel, ARGV[3] message,
// ARGV[4]/ARGV[5] the group members key before/after the (escaped) group id. Leaves every group it was in.
const Redis::Script &removeAccountScript()
{
    static const Redis::Script script(QByteArrayLiteral(R"lua(
local groups = redis.call('HGET', KEYS[1], 'group_ids') or ''
for gid in string.gmatch(groups, '[^,]+') do
  local escaped = (string.gsub(gid, '[%%{}]', {['%'] = '%25', ['{'] = '%7B', ['}'] = '%7D'}))
  redis.call('SREM', ARGV[4] .. escaped .. ARGV[5], ARGV[1])
end
local existed = redis.call('DEL', KEYS[1])
redis.call('DEL', KEYS[2])
local indexed = redis.call('SREM', KEYS[3], ARGV[1])
if existed == 0 and indexed == 0 then return 0 end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1
)lua"));
    return script;
}

Error notFound(const QByteArray &id)
{
    return {Error::Kind::NotFound, u"no account with id %1"_s.arg(QString::fromLatin1(id))};
}

} // namespace

AccountStore::AccountStore(Redis::Client *client, DomainKeys keys, SecretBox box)
    : m_client(client)
    , m_keys(std::move(keys))
    , m_box(std::move(box))
{}

QString AccountStore::validate(const NewAccount &request)
{
    if (const QString error = validateName(request.name); !error.isEmpty())
        return error;
    if (const QString error = validateBaseUrl(normalizeBaseUrl(request.baseUrl)); !error.isEmpty())
        return u"bad base URL: %1"_s.arg(error);
    if (request.secret.trimmed().isEmpty())
        return u"the account secret is empty"_s;
    if (const QString error = validatePriority(request.priority); !error.isEmpty())
        return error;
    if (request.maxConcurrency < 0)
        return u"the maximum concurrency must not be negative"_s;
    if (!request.proxyPassword.isEmpty() && request.proxyUrl.isEmpty())
        return u"a proxy password needs a proxy URL"_s;
    return validateExtras(request.tokenExpiresAt, request.proxyUrl, request.modelMapping, request.dailyCostQuotaNanos,
                          request.notes);
}

QString AccountStore::validatePatch(const AccountPatch &patch)
{
    if (patch.isEmpty())
        return u"the change is empty"_s;
    if (patch.name)
        if (const QString error = validateName(*patch.name); !error.isEmpty())
            return error;
    if (patch.baseUrl)
        if (const QString error = validateBaseUrl(normalizeBaseUrl(*patch.baseUrl)); !error.isEmpty())
            return u"bad base URL: %1"_s.arg(error);
    if (patch.secret && patch.secret->trimmed().isEmpty())
        return u"the account secret is empty"_s;
    if (patch.priority)
        if (const QString error = validatePriority(*patch.priority); !error.isEmpty())
            return error;
    if (patch.maxConcurrency && *patch.maxConcurrency < 0)
        return u"the maximum concurrency must not be negative"_s;
    if (patch.proxyUrl && patch.proxyUrl->isEmpty() && patch.proxyPassword && !patch.proxyPassword->isEmpty())
        return u"a proxy password needs a proxy URL"_s;
    return validateExtras(patch.tokenExpiresAt.value_or(0), patch.proxyUrl.value_or(QString()),
                          patch.modelMapping.value_or(QMap<QString, QString>()), patch.dailyCostQuotaNanos.value_or(0),
                          patch.notes.value_or(QString()));
}

void AccountStore::create(const NewAccount &request, QObject *context, Callback<Account> callback) const
{
    auto fail = [&](Error::Kind kind, const QString &message) {
        later(context, [callback, kind, message] { callback(Result<Account>::failure(kind, message)); });
    };
    if (const QString error = validate(request); !error.isEmpty())
        return fail(Error::Kind::InvalidArgument, error);
    if (!m_client)
        return fail(Error::Kind::Redis, noClient().message);

    Account account;
    account.id = generateId();
    if (account.id.isEmpty())
        return fail(Error::Kind::Crypto, u"the random number generator failed"_s);
    account.name = request.name.trimmed();
    account.type = request.type;
    account.baseUrl = normalizeBaseUrl(request.baseUrl);
    account.secret = request.secret.trimmed();
    account.priority = request.priority;
    account.schedulable = request.schedulable;
    account.maxConcurrency = request.maxConcurrency;
    account.createdAt = account.updatedAt = nowMs();
    account.refreshToken = request.refreshToken.trimmed();
    account.tokenExpiresAt = request.tokenExpiresAt;
    account.proxyUrl = request.proxyUrl.trimmed();
    account.proxyPassword = request.proxyPassword;
    account.modelMapping = request.modelMapping;
    account.dailyCostQuotaNanos = request.dailyCostQuotaNanos;
    account.notes = request.notes;
    const Result<QByteArray> sealed = m_box.encrypt(account.secret, account.id);
    if (!sealed.ok())
        return fail(sealed.error.kind, sealed.error.message);
    // Optional fields are written only when set, so a new record looks like an old one with defaults.
    QList<QByteArray> extra;
    if (!account.refreshToken.isEmpty()) {
        const Result<QByteArray> token =
            m_box.encrypt(account.refreshToken, withContext(account.id, RefreshTokenContext));
        if (!token.ok())
            return fail(token.error.kind, token.error.message);
        extra << "refresh_token" << token.value;
    }
    if (account.tokenExpiresAt > 0)
        extra << "token_expires_at" << QByteArray::number(account.tokenExpiresAt);
    if (!account.proxyUrl.isEmpty())
        extra << "proxy_url" << account.proxyUrl.toUtf8();
    if (!account.proxyPassword.isEmpty()) {
        const Result<QByteArray> password =
            m_box.encrypt(account.proxyPassword, withContext(account.id, ProxyPasswordContext));
        if (!password.ok())
            return fail(password.error.kind, password.error.message);
        extra << "proxy_password" << password.value;
    }
    if (!account.modelMapping.isEmpty())
        extra << "model_mapping" << modelMappingToJson(account.modelMapping);
    if (account.dailyCostQuotaNanos > 0)
        extra << "daily_cost_quota_nanos" << QByteArray::number(account.dailyCostQuotaNanos);
    if (!account.notes.isEmpty())
        extra << "notes" << account.notes.toUtf8();

    QList<QByteArray> hset{
        "HSET",
        m_keys.accountRecord(account.id),
        "id",
        account.id,
        "name",
        account.name.toUtf8(),
        "type",
        accountTypeName(account.type).toByteArray(),
        "base_url",
        account.baseUrl.toUtf8(),
        "secret",
        sealed.value,
        "priority",
        QByteArray::number(account.priority),
        "schedulable",
        RecordFields::fromBool(account.schedulable),
        "enabled",
        RecordFields::fromBool(account.enabled),
        "max_concurrency",
        QByteArray::number(account.maxConcurrency),
        "created_at",
        QByteArray::number(account.createdAt),
        "updated_at",
        QByteArray::number(account.updatedAt),
    };
    hset << extra;
    const QList<QList<QByteArray>> commands{
        {"MULTI"},
        hset,
        {"SADD", m_keys.accountIndex(), account.id},
        {"PUBLISH", m_keys.changesChannel(), DomainKeys::accountChangedMessage(account.id)},
        {"EXEC"},
    };
    m_client->pipeline(commands, context, [account, callback](const Redis::BatchResult &result) {
        if (Error error = transactionError(result, u"cannot store the account"_s))
            return callback(Result<Account>::failure(error));
        callback(Result<Account>::success(account));
    });
}

std::optional<Account> AccountStore::fromRecord(const QList<QByteArray> &fieldsAndValues, const SecretBox &box)
{
    const QHash<QByteArray, QByteArray> fields = RecordFields::toHash(fieldsAndValues);
    Account account;
    account.id = fields.value("id");
    if (account.id.isEmpty())
        return std::nullopt;
    account.name = QString::fromUtf8(fields.value("name"));
    const std::optional<AccountType> type = accountTypeFromName(fields.value("type"));
    account.type = type.value_or(AccountType::ApiKey);
    account.baseUrl = QString::fromUtf8(fields.value("base_url"));
    if (account.baseUrl.isEmpty())
        account.baseUrl = Account::DefaultBaseUrl.toString();
    account.priority = fields.value("priority", QByteArray::number(Account::DefaultPriority)).toInt();
    account.schedulable = RecordFields::toBool(fields.value("schedulable"), true);
    account.enabled = RecordFields::toBool(fields.value("enabled"), true);
    account.maxConcurrency = fields.value("max_concurrency").toInt();
    account.createdAt = fields.value("created_at").toLongLong();
    account.updatedAt = fields.value("updated_at").toLongLong();
    account.tokenExpiresAt = fields.value("token_expires_at").toLongLong();
    account.proxyUrl = QString::fromUtf8(fields.value("proxy_url"));
    account.modelMapping = modelMappingFromJson(fields.value("model_mapping"));
    account.dailyCostQuotaNanos = fields.value("daily_cost_quota_nanos").toLongLong();
    account.notes = QString::fromUtf8(fields.value("notes"));
    for (const QByteArray &group : fields.value("group_ids").split(',')) {
        if (!group.isEmpty())
            account.groupIds.append(group);
    }
    if (!type) {
        account.secretError = u"unknown account type \"%1\""_s.arg(QString::fromUtf8(fields.value("type")));
        return account;
    }
    Result<QByteArray> secret = box.decrypt(fields.value("secret"), account.id);
    if (!secret.ok()) {
        account.secretError = secret.error.message;
        return account;
    }
    // An unreadable refresh token or proxy password makes the whole account unusable: without its proxy it would
    // reach the upstream from the wrong address.
    const std::pair<QByteArrayView, QByteArrayView> optionalSecrets[] = {{"refresh_token", RefreshTokenContext},
                                                                         {"proxy_password", ProxyPasswordContext}};
    QByteArray opened[2];
    for (int i = 0; i < 2; ++i) {
        const QByteArray stored = fields.value(optionalSecrets[i].first.toByteArray());
        if (stored.isEmpty())
            continue;
        Result<QByteArray> value = box.decrypt(stored, withContext(account.id, optionalSecrets[i].second));
        if (!value.ok()) {
            account.secretError = u"%1: %2"_s.arg(QString::fromLatin1(optionalSecrets[i].first), value.error.message);
            return account;
        }
        opened[i] = std::move(value.value);
    }
    account.secret = std::move(secret.value);
    account.refreshToken = std::move(opened[0]);
    account.proxyPassword = std::move(opened[1]);
    return account;
}

void AccountStore::get(const QByteArray &id, QObject *context, Callback<Account> callback) const
{
    if (!m_client)
        return later(context, [callback] { callback(Result<Account>::failure(noClient())); });
    const SecretBox box = m_box;
    m_client->command({"HGETALL", m_keys.accountRecord(id)}, context, [id, box, callback](const Redis::Result &result) {
        if (Error error = redisError(result, u"cannot read the account"_s))
            return callback(Result<Account>::failure(error));
        std::optional<Account> account = fromRecord(result.reply.toByteArrayList(), box);
        if (!account)
            return callback(Result<Account>::failure(notFound(id)));
        if (!account->secretError.isEmpty())
            return callback(Result<Account>::failure(
                Error::Kind::Crypto, u"account %1: %2"_s.arg(QString::fromLatin1(account->id), account->secretError)));
        callback(Result<Account>::success(std::move(*account)));
    });
}

void AccountStore::list(QObject *context, Callback<QList<Account>> callback) const
{
    const DomainKeys keys = m_keys;
    const SecretBox box = m_box;
    readIndexedRecords(
        m_client, keys.accountIndex(), [keys](const QByteArray &id) { return keys.accountRecord(id); }, context,
        u"accounts"_s,
        [box, callback](const Result<QList<QList<QByteArray>>> &records) {
            if (!records.ok())
                return callback(Result<QList<Account>>::failure(records.error));
            QList<Account> out;
            for (const QList<QByteArray> &record : records.value) {
                if (std::optional<Account> account = fromRecord(record, box))
                    out.append(std::move(*account));
            }
            std::sort(out.begin(), out.end(), [](const Account &a, const Account &b) {
                if (a.priority != b.priority)
                    return a.priority < b.priority;
                return a.createdAt != b.createdAt ? a.createdAt < b.createdAt : a.id < b.id;
            });
            callback(Result<QList<Account>>::success(std::move(out)));
        });
}

void AccountStore::setField(const QByteArray &id, QByteArray field, QByteArray value, QObject *context,
                            DoneCallback callback) const
{
    if (!m_client)
        return later(context, [callback] { callback(noClient()); });
    m_client->evalScript(RecordScripts::updateIfExists(), {m_keys.accountRecord(id)},
                         {m_keys.changesChannel(), DomainKeys::accountChangedMessage(id), field, value, "updated_at",
                          QByteArray::number(nowMs())},
                         context, [id, callback](const Redis::Result &result) {
                             if (Error error = redisError(result, u"cannot update the account"_s))
                                 return callback(error);
                             callback(result.reply.integer() == 1 ? Error{} : notFound(id));
                         });
}

void AccountStore::setEnabled(const QByteArray &id, bool enabled, QObject *context, DoneCallback callback) const
{
    setField(id, "enabled", RecordFields::fromBool(enabled), context, std::move(callback));
}

void AccountStore::setSchedulable(const QByteArray &id, bool schedulable, QObject *context, DoneCallback callback) const
{
    setField(id, "schedulable", RecordFields::fromBool(schedulable), context, std::move(callback));
}

void AccountStore::update(const QByteArray &id, const AccountPatch &patch, QObject *context,
                          Callback<Account> callback) const
{
    auto fail = [&](Error::Kind kind, const QString &message) {
        later(context, [callback, kind, message] { callback(Result<Account>::failure(kind, message)); });
    };
    if (const QString error = validatePatch(patch); !error.isEmpty())
        return fail(Error::Kind::InvalidArgument, error);
    if (!m_client)
        return fail(Error::Kind::Redis, noClient().message);

    FieldWrites writes;
    auto sealed = [&](const QByteArray &field, const QByteArray &plain, QByteArrayView associated) {
        if (plain.isEmpty()) {
            writes.removed << field;
            return true;
        }
        const Result<QByteArray> box = m_box.encrypt(plain, associated);
        if (box.ok())
            writes.put(field, box.value);
        return box.ok();
    };
    if (patch.name)
        writes.put("name", patch.name->trimmed().toUtf8());
    if (patch.baseUrl)
        writes.put("base_url", normalizeBaseUrl(*patch.baseUrl).toUtf8());
    if (patch.secret && !sealed("secret", patch.secret->trimmed(), id))
        return fail(Error::Kind::Crypto, u"cannot encrypt the secret"_s);
    if (patch.refreshToken &&
        !sealed("refresh_token", patch.refreshToken->trimmed(), withContext(id, RefreshTokenContext)))
        return fail(Error::Kind::Crypto, u"cannot encrypt the refresh token"_s);
    if (patch.tokenExpiresAt)
        writes.put("token_expires_at", QByteArray::number(*patch.tokenExpiresAt));
    if (patch.priority)
        writes.put("priority", QByteArray::number(*patch.priority));
    if (patch.maxConcurrency)
        writes.put("max_concurrency", QByteArray::number(*patch.maxConcurrency));
    if (patch.proxyUrl) {
        writes.putOrRemove("proxy_url", patch.proxyUrl->trimmed().toUtf8());
        if (patch.proxyUrl->trimmed().isEmpty() && !patch.proxyPassword)
            writes.removed << "proxy_password"; // no proxy, no password to keep
    }
    if (patch.proxyPassword && !sealed("proxy_password", *patch.proxyPassword, withContext(id, ProxyPasswordContext)))
        return fail(Error::Kind::Crypto, u"cannot encrypt the proxy password"_s);
    if (patch.modelMapping)
        writes.putOrRemove("model_mapping",
                           patch.modelMapping->isEmpty() ? QByteArray() : modelMappingToJson(*patch.modelMapping));
    if (patch.dailyCostQuotaNanos)
        writes.put("daily_cost_quota_nanos", QByteArray::number(*patch.dailyCostQuotaNanos));
    if (patch.notes)
        writes.putOrRemove("notes", patch.notes->toUtf8());
    if (patch.schedulable)
        writes.put("schedulable", RecordFields::fromBool(*patch.schedulable));
    if (patch.enabled)
        writes.put("enabled", RecordFields::fromBool(*patch.enabled));
    writes.put("updated_at", QByteArray::number(nowMs()));

    QList<QByteArray> args{m_keys.changesChannel(), DomainKeys::accountChangedMessage(id),
                           QByteArray::number(writes.set.size() / 2)};
    args << writes.set << writes.removed;
    const SecretBox box = m_box;
    m_client->evalScript(RecordScripts::updateFields(), {m_keys.accountRecord(id)}, args, context,
                         [id, box, callback](const Redis::Result &result) {
                             if (Error error = redisError(result, u"cannot update the account"_s))
                                 return callback(Result<Account>::failure(error));
                             std::optional<Account> account = fromRecord(result.reply.toByteArrayList(), box);
                             if (!account)
                                 return callback(Result<Account>::failure(notFound(id)));
                             callback(Result<Account>::success(std::move(*account)));
                         });
}

void AccountStore::setOAuthTokens(const QByteArray &id, const OAuthTokens &tokens, QObject *context,
                                  DoneCallback callback) const
{
    auto fail = [&](Error::Kind kind, const QString &message) {
        later(context, [callback, kind, message] { callback(Error{kind, message}); });
    };
    if (tokens.accessToken.trimmed().isEmpty())
        return fail(Error::Kind::InvalidArgument, u"the new access token is empty"_s);
    if (tokens.expiresAt < 0)
        return fail(Error::Kind::InvalidArgument, u"the token expiry must not be negative"_s);
    if (!m_client)
        return fail(Error::Kind::Redis, noClient().message);
    const Result<QByteArray> access = m_box.encrypt(tokens.accessToken.trimmed(), id);
    if (!access.ok())
        return fail(access.error.kind, access.error.message);
    QList<QByteArray> args{
        m_keys.changesChannel(), DomainKeys::accountChangedMessage(id), "secret",     access.value,
        "token_expires_at",      QByteArray::number(tokens.expiresAt),  "updated_at", QByteArray::number(nowMs())};
    if (!tokens.refreshToken.trimmed().isEmpty()) {
        const Result<QByteArray> refresh =
            m_box.encrypt(tokens.refreshToken.trimmed(), withContext(id, RefreshTokenContext));
        if (!refresh.ok())
            return fail(refresh.error.kind, refresh.error.message);
        args << "refresh_token" << refresh.value;
    }
    m_client->evalScript(RecordScripts::updateIfExists(), {m_keys.accountRecord(id)}, args, context,
                         [id, callback](const Redis::Result &result) {
                             if (Error error = redisError(result, u"cannot store the OAuth tokens"_s))
                                 return callback(error);
                             callback(result.reply.integer() == 1 ? Error{} : notFound(id));
                         });
}

void AccountStore::resetState(const QByteArray &id, QObject *context, DoneCallback callback) const
{
    if (!m_client)
        return later(context, [callback] { callback(noClient()); });
    m_client->evalScript(resetStateScript(), {m_keys.accountRecord(id), m_keys.accountState(id)},
                         {ResetReason.toUtf8(), QByteArray::number(nowMs()), m_keys.changesChannel(),
                          DomainKeys::accountChangedMessage(id)},
                         context, [id, callback](const Redis::Result &result) {
                             if (Error error = redisError(result, u"cannot reset the account state"_s))
                                 return callback(error);
                             callback(result.reply.integer() == 1 ? Error{} : notFound(id));
                         });
}

void AccountStore::remove(const QByteArray &id, QObject *context, DoneCallback callback) const
{
    if (!m_client)
        return later(context, [callback] { callback(noClient()); });
    m_client->evalScript(removeAccountScript(),
                         {m_keys.accountRecord(id), m_keys.accountState(id), m_keys.accountIndex()},
                         {id, m_keys.changesChannel(), DomainKeys::accountChangedMessage(id), m_keys.groupMembersHead(),
                          m_keys.groupMembersTail()},
                         context, [id, callback](const Redis::Result &result) {
                             if (Error error = redisError(result, u"cannot delete the account"_s))
                                 return callback(error);
                             callback(result.reply.integer() == 1 ? Error{} : notFound(id));
                         });
}

} // namespace Relay::Domain
