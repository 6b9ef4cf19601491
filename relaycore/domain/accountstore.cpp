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

using StoreSupport::later;
using StoreSupport::noClient;
using StoreSupport::nowMs;
using StoreSupport::readIndexedRecords;
using StoreSupport::redisError;
using StoreSupport::transactionError;

namespace {

constexpr int MaxPriority = 1000;

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
    const QString name = request.name.trimmed();
    if (name.isEmpty() || name.size() > 100)
        return u"an account needs a name of 1 to 100 characters"_s;
    if (const QString error = validateBaseUrl(normalizeBaseUrl(request.baseUrl)); !error.isEmpty())
        return u"bad base URL: %1"_s.arg(error);
    if (request.secret.trimmed().isEmpty())
        return u"the account secret is empty"_s;
    if (request.priority < 0 || request.priority > MaxPriority)
        return u"the priority must be from 0 to %1"_s.arg(MaxPriority);
    if (request.maxConcurrency < 0)
        return u"the maximum concurrency must not be negative"_s;
    return {};
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
    const Result<QByteArray> sealed = m_box.encrypt(account.secret, account.id);
    if (!sealed.ok())
        return fail(sealed.error.kind, sealed.error.message);

    const QList<QByteArray> hset{
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
    if (!type) {
        account.secretError = u"unknown account type \"%1\""_s.arg(QString::fromUtf8(fields.value("type")));
        return account;
    }
    Result<QByteArray> secret = box.decrypt(fields.value("secret"), account.id);
    if (secret.ok())
        account.secret = std::move(secret.value);
    else
        account.secretError = secret.error.message;
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

void AccountStore::update(const QByteArray &id, QByteArray field, QByteArray value, QObject *context,
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
    update(id, "enabled", RecordFields::fromBool(enabled), context, std::move(callback));
}

void AccountStore::setSchedulable(const QByteArray &id, bool schedulable, QObject *context, DoneCallback callback) const
{
    update(id, "schedulable", RecordFields::fromBool(schedulable), context, std::move(callback));
}

void AccountStore::remove(const QByteArray &id, QObject *context, DoneCallback callback) const
{
    if (!m_client)
        return later(context, [callback] { callback(noClient()); });
    m_client->evalScript(RecordScripts::removeAccount(), {m_keys.accountRecord(id), m_keys.accountIndex()},
                         {id, m_keys.changesChannel(), DomainKeys::accountChangedMessage(id)}, context,
                         [id, callback](const Redis::Result &result) {
                             if (Error error = redisError(result, u"cannot delete the account"_s))
                                 return callback(error);
                             callback(result.reply.integer() == 1 ? Error{} : notFound(id));
                         });
}

} // namespace Relay::Domain
