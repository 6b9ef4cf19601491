// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/accountroutes.h"

#include "admin/accountjson.h"
#include "admin/accounttester.h"
#include "domain/accountstore.h"
#include "domain/secretbox.h"
#include "redis/client.h"
#include "relay/relaycontext.h"

#include <QDateTime>
#include <QJsonArray>
#include <QPointer>

#include <memory>

using namespace Qt::StringLiterals;

namespace Relay::Admin {

namespace {

constexpr qint64 DefaultLimit = 50;
constexpr qint64 MaxLimit = 500;
constexpr int MaxModelNameLength = 200;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// What the handlers share; copied out of the AdminContext so nothing depends on its lifetime.
struct Deps
{
    QPointer<Redis::Client> redis;
    Domain::DomainKeys keys;
    Domain::SecretBox box;
    Proxy::RelayContext *relay = nullptr;
    QPointer<QObject> owner;
    QPointer<AccountTester> tester;

    Domain::AccountStore store() const { return Domain::AccountStore(redis.data(), keys, box); }
    QByteArray leases(const QByteArray &id) const { return keys.keySpace().account(id, "leases"); }

    // What only this relay knows: today's cost of a quota account (the relay reads it for those only).
    void addRelayView(AccountView &view) const
    {
        if (relay && view.account.dailyCostQuotaNanos > 0)
            view.dailyCostNanos = relay->accounts().dailyCost(view.account.id);
    }
};
using DepsPtr = std::shared_ptr<const Deps>;

using ViewCallback = std::function<void(std::optional<AccountView>, AdminError)>;

AdminError redisFailure(const QString &what, const QString &detail)
{
    return AdminError::unavailable(u"%1: %2"_s.arg(what, detail));
}

AdminError notFound(const QByteArray &id)
{
    return AdminError::notFound(u"no account with id %1"_s.arg(QString::fromUtf8(id)));
}

qint64 lastUsedOf(const QList<QByteArray> &fieldsAndValues)
{
    for (qsizetype i = 0; i + 1 < fieldsAndValues.size(); i += 2) {
        if (fieldsAndValues.at(i) == "last_used_at")
            return fieldsAndValues.at(i + 1).toLongLong();
    }
    return 0;
}

// One account with its health, last use and held leases, in one round trip. An account whose secret cannot be
// decrypted is still shown (secret_readable false), so the operator can fix or delete it.
void readView(const DepsPtr &deps, const QByteArray &id, ViewCallback callback)
{
    if (!deps->redis)
        return callback(std::nullopt, AdminError::unavailable(u"no Redis connection"_s));
    const QList<QList<QByteArray>> commands{
        {"HGETALL", deps->keys.accountRecord(id)},
        {"HGETALL", deps->keys.accountState(id)},
        {"ZCOUNT", deps->leases(id), QByteArray::number(nowMs()), "+inf"},
    };
    deps->redis->pipeline(commands, deps->owner, [deps, id, callback](const Redis::BatchResult &result) {
        if (!result.isSuccess())
            return callback(std::nullopt, redisFailure(u"cannot read the account"_s, result.errorMessage()));
        const QList<QByteArray> record = result.replies.at(0).toByteArrayList();
        std::optional<Domain::Account> account = Domain::AccountStore::fromRecord(record, deps->box);
        if (!account)
            return callback(std::nullopt, notFound(id));
        AccountView view;
        view.account = std::move(*account);
        Proxy::applyHealthState(view.health, result.replies.at(1).toByteArrayList());
        view.lastUsedAt = lastUsedOf(record);
        if (view.account.maxConcurrency > 0)
            view.inFlight = result.replies.at(2).integer();
        deps->addRelayView(view);
        callback(std::move(view), {});
    });
}

// Answers with the account as it is now (after a change).
void answerView(const DepsPtr &deps, const QByteArray &id, AdminCallback callback, int status = 200)
{
    readView(deps, id, [callback, status](std::optional<AccountView> view, const AdminError &error) {
        if (!view)
            return callback(AdminResult::failure(error));
        callback(AdminResult::json(AccountJson::toJson(*view, nowMs()), status));
    });
}

// The outcome of a store call that answers only with an error, then the account.
std::function<void(const Domain::Error &)> thenView(const DepsPtr &deps, const QByteArray &id, AdminCallback callback)
{
    return [deps, id, callback](const Domain::Error &error) {
        if (error)
            return callback(AdminResult::failure(AdminError::fromDomain(error)));
        answerView(deps, id, callback);
    };
}

// A body that may only hold the given fields; 422 for others.
bool refuseUnknown(const QJsonObject &body, const QStringList &allowed, AdminError *error)
{
    QJsonObject fields;
    for (auto it = body.constBegin(); it != body.constEnd(); ++it) {
        if (!allowed.contains(it.key()))
            fields.insert(it.key(), u"is not a known field"_s);
    }
    if (fields.isEmpty())
        return true;
    *error = AdminError::validation(fields);
    return false;
}

void list(const DepsPtr &deps, const AdminRequest &request, AdminCallback callback)
{
    AdminError error;
    const QString status = request.queryValue(u"status"_s);
    if (!status.isEmpty() && !AccountJson::isHealthName(status))
        error = AdminError::validation(
            {{u"status"_s, u"must be one of active, cooling, half_open, unauthorized, blocked"_s}},
            u"invalid query parameter status"_s);
    const qint64 offset = request.queryInt(u"offset"_s, 0, 0, std::numeric_limits<int>::max(), &error);
    const qint64 limit = request.queryInt(u"limit"_s, DefaultLimit, 1, MaxLimit, &error);
    if (error)
        return callback(AdminResult::failure(error));

    deps->store().list(deps->owner, [deps, status, offset, limit,
                                     callback](const Domain::Result<QList<Domain::Account>> &accounts) {
        if (!accounts.ok())
            return callback(AdminResult::failure(AdminError::fromDomain(accounts.error)));
        auto answer = [status, offset, limit, callback](const QList<AccountView> &views) {
            const qint64 now = nowMs();
            QJsonArray items;
            qint64 total = 0;
            for (const AccountView &view : views) {
                if (!status.isEmpty() &&
                    QString::fromLatin1(Proxy::accountHealthName(view.health.effectiveHealth(now))) != status)
                    continue;
                if (total >= offset && total < offset + limit)
                    items.append(AccountJson::toJson(view, now));
                ++total;
            }
            callback(AdminResult::json(
                QJsonObject{{u"items"_s, items}, {u"total"_s, total}, {u"offset"_s, offset}, {u"limit"_s, limit}}));
        };
        if (accounts.value.isEmpty())
            return answer({});
        // Health, last use and leases of every account in one pipeline: the filter needs the health of all.
        QList<QList<QByteArray>> reads;
        const QByteArray now = QByteArray::number(nowMs());
        for (const Domain::Account &account : accounts.value) {
            reads.append({"HGETALL", deps->keys.accountState(account.id)});
            reads.append({"HGET", deps->keys.accountRecord(account.id), "last_used_at"});
            reads.append({"ZCOUNT", deps->leases(account.id), now, "+inf"});
        }
        const QList<Domain::Account> found = accounts.value;
        deps->redis->pipeline(reads, deps->owner, [deps, found, answer, callback](const Redis::BatchResult &result) {
            if (!result.isSuccess())
                return callback(
                    AdminResult::failure(redisFailure(u"cannot read the accounts' health"_s, result.errorMessage())));
            QList<AccountView> views;
            views.reserve(found.size());
            for (qsizetype i = 0; i < found.size(); ++i) {
                AccountView view;
                view.account = found.at(i);
                Proxy::applyHealthState(view.health, result.replies.at(3 * i).toByteArrayList());
                view.lastUsedAt = result.replies.at(3 * i + 1).toByteArray().toLongLong();
                if (view.account.maxConcurrency > 0)
                    view.inFlight = result.replies.at(3 * i + 2).integer();
                deps->addRelayView(view);
                views.append(std::move(view));
            }
            answer(views);
        });
    });
}

void create(const DepsPtr &deps, const AdminRequest &request, AdminCallback callback)
{
    AdminError error;
    const QJsonObject body = request.jsonBody(&error);
    if (error)
        return callback(AdminResult::failure(error));
    const std::optional<Domain::NewAccount> account = AccountJson::newAccountFrom(body, &error);
    if (!account)
        return callback(AdminResult::failure(error));
    deps->store().create(*account, deps->owner, [deps, callback](const Domain::Result<Domain::Account> &created) {
        if (!created.ok())
            return callback(AdminResult::failure(AdminError::fromDomain(created.error)));
        AccountView view;
        view.account = created.value;
        if (view.account.maxConcurrency > 0)
            view.inFlight = 0;
        deps->addRelayView(view);
        callback(AdminResult::created(AccountJson::toJson(view, nowMs())));
    });
}

void patch(const DepsPtr &deps, const AdminRequest &request, AdminCallback callback)
{
    AdminError error;
    const QJsonObject body = request.jsonBody(&error);
    if (error)
        return callback(AdminResult::failure(error));
    const std::optional<Domain::AccountPatch> change = AccountJson::patchFrom(body, &error);
    if (!change)
        return callback(AdminResult::failure(error));
    const QByteArray id = request.paramBytes(u"id"_s);
    auto apply = [deps, id, change = *change, callback] {
        deps->store().update(id, change, deps->owner, [deps, id, callback](const Domain::Result<Domain::Account> &r) {
            if (!r.ok())
                return callback(AdminResult::failure(AdminError::fromDomain(r.error)));
            answerView(deps, id, callback);
        });
    };
    if (!change->refreshToken || change->refreshToken->isEmpty())
        return apply();
    // A refresh token makes sense for OAuth accounts only (as in `relaydeckd account update`).
    if (!deps->redis)
        return callback(AdminResult::failure(AdminError::unavailable(u"no Redis connection"_s)));
    deps->redis->command({"HGET", deps->keys.accountRecord(id), "type"}, deps->owner,
                         [id, apply, callback](const Redis::Result &result) {
                             if (!result.isSuccess())
                                 return callback(AdminResult::failure(
                                     redisFailure(u"cannot read the account"_s, result.errorMessage())));
                             if (result.reply.isNil())
                                 return callback(AdminResult::failure(notFound(id)));
                             if (Domain::accountTypeFromName(result.reply.toByteArray()) != Domain::AccountType::OAuth)
                                 return callback(AdminResult::failure(AdminError::validation(
                                     {{u"refresh_token"_s, u"applies to oauth accounts only"_s}})));
                             apply();
                         });
}

void setSchedulable(const DepsPtr &deps, const AdminRequest &request, AdminCallback callback)
{
    AdminError error;
    const QJsonObject body = request.jsonBody(&error);
    if (!error)
        refuseUnknown(body, {u"schedulable"_s}, &error);
    if (!error && !body.value(u"schedulable"_s).isBool())
        error = AdminError::validation({{u"schedulable"_s, u"is required: true or false"_s}});
    if (error)
        return callback(AdminResult::failure(error));
    const QByteArray id = request.paramBytes(u"id"_s);
    deps->store().setSchedulable(id, body.value(u"schedulable"_s).toBool(), deps->owner, thenView(deps, id, callback));
}

void test(const DepsPtr &deps, const AdminRequest &request, AdminCallback callback)
{
    AdminError error;
    const QJsonObject body = request.jsonBody(&error, true);
    if (!error)
        refuseUnknown(body, {u"model"_s, u"timeout_ms"_s}, &error);
    AccountTestOptions options;
    QJsonObject fields;
    if (body.contains(u"model"_s)) {
        const QJsonValue model = body.value(u"model"_s);
        if (!model.isString() || model.toString().trimmed().isEmpty() || model.toString().size() > MaxModelNameLength)
            fields.insert(u"model"_s, u"must be a model name of 1 to %1 characters"_s.arg(MaxModelNameLength));
        else
            options.model = model.toString().trimmed();
    }
    if (body.contains(u"timeout_ms"_s)) {
        const QJsonValue timeout = body.value(u"timeout_ms"_s);
        const qint64 ms = timeout.toInteger(-1);
        if (!timeout.isDouble() || ms != timeout.toInteger(-2) || ms < AccountTester::MinTimeoutMs ||
            ms > AccountTester::MaxTimeoutMs)
            fields.insert(u"timeout_ms"_s, u"must be an integer from %1 to %2"_s.arg(AccountTester::MinTimeoutMs)
                                               .arg(AccountTester::MaxTimeoutMs));
        else
            options.timeoutMs = int(ms);
    }
    if (!error && !fields.isEmpty())
        error = AdminError::validation(fields);
    if (error)
        return callback(AdminResult::failure(error));
    const QByteArray id = request.paramBytes(u"id"_s);
    readView(deps, id, [deps, options, callback](std::optional<AccountView> view, const AdminError &readError) {
        if (!view)
            return callback(AdminResult::failure(readError));
        if (!deps->tester)
            return callback(AdminResult::failure(AdminError::unavailable(u"the account tester is gone"_s)));
        deps->tester->test(view->account, options, [callback](const AccountTestResult &result) {
            callback(AdminResult::json(result.toJson()));
        });
    });
}

RouteDoc doc(QString operationId, QString summary, QJsonObject requestBody = {}, QJsonObject response = {},
             int successStatus = 200)
{
    RouteDoc d;
    d.operationId = std::move(operationId);
    d.summary = std::move(summary);
    d.tag = u"accounts"_s;
    d.requestBody = std::move(requestBody);
    d.response = std::move(response);
    d.successStatus = successStatus;
    return d;
}

QJsonObject listSchema()
{
    const QJsonObject integer{{u"type"_s, u"integer"_s}};
    return {{u"type"_s, u"object"_s},
            {u"properties"_s,
             QJsonObject{{u"items"_s, QJsonObject{{u"type"_s, u"array"_s}, {u"items"_s, AccountJson::accountSchema()}}},
                         {u"total"_s, integer},
                         {u"offset"_s, integer},
                         {u"limit"_s, integer}}}};
}

QJsonObject testRequestSchema()
{
    return {{u"type"_s, u"object"_s},
            {u"additionalProperties"_s, false},
            {u"properties"_s,
             QJsonObject{{u"model"_s, QJsonObject{{u"type"_s, u"string"_s},
                                                  {u"description"_s, u"default claude-3-5-haiku-20241022"_s}}},
                         {u"timeout_ms"_s, QJsonObject{{u"type"_s, u"integer"_s},
                                                       {u"description"_s, u"100 to 120000, default 30000"_s}}}}}};
}

QJsonObject testResultSchema()
{
    const QJsonObject integer{{u"type"_s, u"integer"_s}};
    const QJsonObject string{{u"type"_s, u"string"_s}};
    return {
        {u"type"_s, u"object"_s},
        {u"properties"_s,
         QJsonObject{{u"ok"_s, QJsonObject{{u"type"_s, u"boolean"_s}}},
                     {u"status"_s, integer},
                     {u"latency_ms"_s, integer},
                     {u"first_byte_ms"_s, integer},
                     {u"error_type"_s,
                      QJsonObject{{u"type"_s, u"string"_s},
                                  {u"enum"_s,
                                   QJsonArray{u"timeout"_s, u"unreachable"_s, u"unauthorized"_s, u"forbidden"_s,
                                              u"rate_limited"_s, u"overloaded"_s, u"server_error"_s, u"client_error"_s,
                                              u"invalid_response"_s, u"proxy_error"_s, u"secret_unreadable"_s}}}},
                     {u"error_message"_s, string},
                     {u"upstream_error_type"_s, string},
                     {u"model"_s, string},
                     {u"usage"_s, QJsonObject{{u"type"_s, u"object"_s}}}}}};
}

} // namespace

void registerAccountRoutes(AdminRouter &router, const AdminContext &context, QObject *owner)
{
    Upstream::ClientOptions testOptions;
    testOptions.cleartextMode =
        context.relay ? context.relay->options().cleartextMode : Upstream::CleartextMode::Native;
    auto deps = std::make_shared<Deps>();
    deps->redis = context.redis;
    deps->keys = context.keys;
    deps->box = Domain::SecretBox(context.secret.encryptionKey());
    deps->relay = context.relay;
    deps->owner = owner;
    deps->tester = new AccountTester(testOptions, owner);
    const DepsPtr d = deps;
    const QString item = u"/admin/accounts/{id}"_s;
    const QJsonObject account = AccountJson::accountSchema();

    RouteDoc listDoc = doc(u"accounts.list"_s,
                           u"Upstream accounts with health (status, reason, until, family cooldowns), held "
                           "concurrency leases (in_flight), last use and today's cost of quota accounts. Secrets "
                           "show only as has_* booleans."_s,
                           {}, listSchema());
    listDoc.query = {{u"status"_s, u"only accounts with this health: active, cooling, half_open, unauthorized, "
                                   "blocked"_s},
                     {u"offset"_s, u"first item, default 0"_s, u"integer"_s},
                     {u"limit"_s, u"items per page, default 50, at most 500"_s, u"integer"_s}};
    router.add("GET", u"/admin/accounts"_s, listDoc,
               [d](const AdminRequest &request, AdminCallback callback) { list(d, request, std::move(callback)); });
    router.add("GET", item, doc(u"accounts.get"_s, u"One upstream account with its health"_s, {}, account),
               [d](const AdminRequest &request, AdminCallback callback) {
                   answerView(d, request.paramBytes(u"id"_s), std::move(callback));
               });
    router.add("POST", u"/admin/accounts"_s,
               doc(u"accounts.create"_s,
                   u"Adds an upstream account: apikey needs base_url and secret (the API key); oauth needs secret "
                   "(the access token), optionally refresh_token and token_expires_at. Secrets are write-only."_s,
                   AccountJson::createSchema(), account, 201),
               [d](const AdminRequest &request, AdminCallback callback) { create(d, request, std::move(callback)); });
    router.add("PATCH", item,
               doc(u"accounts.update"_s,
                   u"Changes only the fields given (concurrent edits of other fields are kept). A secret given here "
                   "replaces the stored one; empty refresh_token, proxy_url, proxy_password or notes clear them."_s,
                   AccountJson::patchSchema(), account),
               [d](const AdminRequest &request, AdminCallback callback) { patch(d, request, std::move(callback)); });
    router.add("POST", item + u"/enable"_s, doc(u"accounts.enable"_s, u"Enables the account"_s, {}, account),
               [d](const AdminRequest &request, AdminCallback callback) {
                   const QByteArray id = request.paramBytes(u"id"_s);
                   d->store().setEnabled(id, true, d->owner, thenView(d, id, std::move(callback)));
               });
    router.add("POST", item + u"/disable"_s,
               doc(u"accounts.disable"_s, u"Disables the account: it gets no new requests"_s, {}, account),
               [d](const AdminRequest &request, AdminCallback callback) {
                   const QByteArray id = request.paramBytes(u"id"_s);
                   d->store().setEnabled(id, false, d->owner, thenView(d, id, std::move(callback)));
               });
    router.add(
        "POST", item + u"/schedulable"_s,
        doc(u"accounts.schedulable"_s, u"Lets the account take new requests or not ({\"schedulable\":bool})"_s,
            QJsonObject{{u"type"_s, u"object"_s},
                        {u"required"_s, QJsonArray{u"schedulable"_s}},
                        {u"additionalProperties"_s, false},
                        {u"properties"_s, QJsonObject{{u"schedulable"_s, QJsonObject{{u"type"_s, u"boolean"_s}}}}}},
            account),
        [d](const AdminRequest &request, AdminCallback callback) { setSchedulable(d, request, std::move(callback)); });
    router.add("POST", item + u"/reset"_s,
               doc(u"accounts.reset"_s,
                   u"Puts the account's health back to active and ends every model-family cooldown (the only way "
                   "out of unauthorized and blocked), as `relaydeckd account reset` does"_s,
                   {}, account),
               [d](const AdminRequest &request, AdminCallback callback) {
                   const QByteArray id = request.paramBytes(u"id"_s);
                   d->store().resetState(id, d->owner, thenView(d, id, std::move(callback)));
               });
    router.add("POST", item + u"/test"_s,
               doc(u"accounts.test"_s,
                   u"Sends one tiny request (max_tokens 1, \"ping\") through the account with its credential, base "
                   "URL and proxy and reports status, latency and usage. It does not change the account's health "
                   "and records no usage."_s,
                   testRequestSchema(), testResultSchema()),
               [d](const AdminRequest &request, AdminCallback callback) { test(d, request, std::move(callback)); });
    router.add("DELETE", item,
               doc(u"accounts.delete"_s,
                   u"Deletes the account with its health state and group memberships (usage counters expire)"_s, {}, {},
                   204),
               [d](const AdminRequest &request, AdminCallback callback) {
                   d->store().remove(request.paramBytes(u"id"_s), d->owner, [callback](const Domain::Error &error) {
                       if (error)
                           return callback(AdminResult::failure(AdminError::fromDomain(error)));
                       callback(AdminResult::noContent());
                   });
               });
}

} // namespace Relay::Admin
