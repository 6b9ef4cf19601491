// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/keyroutes.h"

#include "admin/admincontext.h"
#include "admin/adminrouter.h"
#include "admin/keycatalog.h"
#include "admin/keyjson.h"
#include "domain/keystore.h"

#include <QDateTime>
#include <QJsonArray>
#include <QPointer>

using namespace Qt::StringLiterals;

namespace Relay::Admin {

namespace {

constexpr qint64 DefaultLimit = 50;
constexpr qint64 MaxLimit = 500;
constexpr qint64 MaxOffset = 1'000'000'000;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// Everything the handlers share; copied into each handler.
struct KeyRoutes
{
    Domain::KeyStore store;
    QPointer<KeyCatalog> catalog;
    QPointer<QObject> owner;

    QJsonObject record(const Domain::ApiKey &key) const
    {
        return KeyJson::toJson(key, nowMs(), catalog ? catalog->lastUsedAt(key.id) : 0);
    }

    // Ids that cannot exist are not found, without a round trip.
    static bool checkId(const AdminRequest &request, const AdminCallback &callback)
    {
        if (Domain::isValidId(request.paramBytes(u"id"_s)))
            return true;
        callback(AdminResult::failure(AdminError::notFound(u"no API key with that id"_s)));
        return false;
    }

    void answerKey(const Domain::Result<Domain::ApiKey> &result, const AdminCallback &callback, int status = 200) const
    {
        if (!result.ok())
            return callback(AdminResult::failure(AdminError::fromDomain(result.error)));
        if (catalog)
            catalog->apply(result.value);
        callback(AdminResult::json(record(result.value), status));
    }

    void answerCreated(const Domain::Result<Domain::CreatedApiKey> &result, const AdminCallback &callback,
                       int status) const
    {
        if (!result.ok())
            return callback(AdminResult::failure(AdminError::fromDomain(result.error)));
        if (catalog)
            catalog->apply(result.value.key);
        QJsonObject json = record(result.value.key);
        json.insert(u"key"_s, QString::fromLatin1(result.value.clearKey)); // the only time it is ever shown
        callback(AdminResult::json(json, status));
    }

    void list(const AdminRequest &request, const AdminCallback &callback) const
    {
        AdminError error;
        KeyCatalog::Query query;
        query.text = request.queryValue(u"q"_s);
        query.tag = request.queryValue(u"tag"_s);
        QJsonObject fields;
        if (const QString status = request.queryValue(u"status"_s); !status.isEmpty()) {
            query.status = keyStatusFromName(status);
            if (!query.status)
                fields.insert(u"status"_s, u"must be active, disabled or expired"_s);
        }
        if (const QString sort = request.queryValue(u"sort"_s); !sort.isEmpty()) {
            const std::optional<KeySort> parsed = keySortFromName(sort);
            if (!parsed)
                fields.insert(u"sort"_s, u"must be last_used, name or created"_s);
            query.sort = parsed.value_or(KeySort::LastUsed);
        }
        query.offset = request.queryInt(u"offset"_s, 0, 0, MaxOffset, &error);
        query.limit = request.queryInt(u"limit"_s, DefaultLimit, 1, MaxLimit, &error);
        if (error)
            return callback(AdminResult::failure(error));
        if (!fields.isEmpty())
            return callback(AdminResult::failure(AdminError::validation(fields, u"invalid query parameters"_s)));
        if (!catalog)
            return callback(AdminResult::failure(AdminError::unavailable(u"the key catalog is not available"_s)));
        QPointer<KeyCatalog> guard = catalog;
        catalog->whenReady(owner, [guard, query, callback](const Domain::Error &error) mutable {
            if (error || !guard)
                return callback(AdminResult::failure(
                    AdminError::unavailable(error ? error.message : u"the key catalog is gone"_s)));
            query.nowMs = nowMs();
            const KeyCatalog::Page page = guard->list(query);
            QJsonArray items;
            for (const KeyCatalog::Item &item : page.items)
                items.append(KeyJson::withUse(item.recordJson, *item.key, query.nowMs, item.lastUsedAt));
            callback(AdminResult::json(QJsonObject{{u"items"_s, items},
                                                   {u"total"_s, page.total},
                                                   {u"offset"_s, query.offset},
                                                   {u"limit"_s, query.limit}}));
        });
    }

    void get(const AdminRequest &request, const AdminCallback &callback) const
    {
        if (!checkId(request, callback))
            return;
        const KeyRoutes self = *this;
        store.get(request.paramBytes(u"id"_s), owner,
                  [self, callback](const Domain::Result<Domain::ApiKey> &result) { self.answerKey(result, callback); });
    }

    void create(const AdminRequest &request, const AdminCallback &callback) const
    {
        AdminError error;
        const QJsonObject body = request.jsonBody(&error);
        if (error)
            return callback(AdminResult::failure(error));
        const Domain::NewApiKey key = KeyJson::toNewKey(body, nowMs(), &error);
        if (error)
            return callback(AdminResult::failure(error));
        const KeyRoutes self = *this;
        store.create(key, owner, [self, callback](const Domain::Result<Domain::CreatedApiKey> &result) {
            self.answerCreated(result, callback, 201);
        });
    }

    void update(const QByteArray &id, const Domain::ApiKeyChanges &changes, const AdminCallback &callback) const
    {
        const KeyRoutes self = *this;
        store.update(id, changes, owner, [self, callback](const Domain::Result<Domain::ApiKey> &result) {
            self.answerKey(result, callback);
        });
    }

    void patch(const AdminRequest &request, const AdminCallback &callback) const
    {
        if (!checkId(request, callback))
            return;
        AdminError error;
        const QJsonObject body = request.jsonBody(&error);
        if (error)
            return callback(AdminResult::failure(error));
        const KeyPatch patch = KeyJson::toPatch(body, nowMs(), &error);
        if (error)
            return callback(AdminResult::failure(error));
        const QByteArray id = request.paramBytes(u"id"_s);
        if (patch.limits.isEmpty())
            return update(id, patch.changes, callback);
        // Limits are one policy in the store: merge the edits into the key's current policy, read fresh. Only the
        // limit_* fields are written, so a concurrent change of other fields survives; two concurrent limit edits
        // are last-writer-wins for the policy.
        const KeyRoutes self = *this;
        store.get(id, owner, [self, id, patch, callback](const Domain::Result<Domain::ApiKey> &current) {
            if (!current.ok())
                return callback(AdminResult::failure(AdminError::fromDomain(current.error)));
            Domain::ApiKey probe;
            probe.name = u"probe"_s;
            probe.limits = patch.limits.appliedTo(current.value.limits);
            if (const QString invalid = Domain::validateApiKeySettings(probe); !invalid.isEmpty())
                return callback(AdminResult::failure(AdminError::validation(
                    QJsonObject{{u"limits"_s, invalid}}, u"invalid field limits: %1"_s.arg(invalid))));
            Domain::ApiKeyChanges changes = patch.changes;
            changes.limits = probe.limits;
            self.update(id, changes, callback);
        });
    }

    void setEnabled(const AdminRequest &request, bool enabled, const AdminCallback &callback) const
    {
        if (!checkId(request, callback))
            return;
        Domain::ApiKeyChanges changes;
        changes.enabled = enabled;
        update(request.paramBytes(u"id"_s), changes, callback);
    }

    void regenerate(const AdminRequest &request, const AdminCallback &callback) const
    {
        if (!checkId(request, callback))
            return;
        const KeyRoutes self = *this;
        store.regenerate(request.paramBytes(u"id"_s), owner,
                         [self, callback](const Domain::Result<Domain::CreatedApiKey> &result) {
                             self.answerCreated(result, callback, 200);
                         });
    }

    void remove(const AdminRequest &request, const AdminCallback &callback) const
    {
        if (!checkId(request, callback))
            return;
        const QByteArray id = request.paramBytes(u"id"_s);
        const KeyRoutes self = *this;
        store.remove(id, owner, [self, id, callback](const Domain::Error &error) {
            if (error)
                return callback(AdminResult::failure(AdminError::fromDomain(error)));
            if (self.catalog)
                self.catalog->forget(id);
            callback(AdminResult::noContent());
        });
    }
};

RouteDoc doc(const char *operationId, const char *summary, QJsonObject response = {}, QJsonObject requestBody = {},
             int successStatus = 200)
{
    RouteDoc d;
    d.operationId = QString::fromLatin1(operationId);
    d.summary = QString::fromLatin1(summary);
    d.tag = u"api_keys"_s;
    d.response = std::move(response);
    d.requestBody = std::move(requestBody);
    d.successStatus = successStatus;
    return d;
}

QJsonObject withClearKey(QJsonObject schema)
{
    QJsonObject properties = schema.value(u"properties"_s).toObject();
    properties.insert(u"key"_s, QJsonObject{{u"type"_s, u"string"_s},
                                            {u"description"_s, u"the clear API key, shown only in this answer"_s}});
    schema.insert(u"properties"_s, properties);
    return schema;
}

QJsonObject listSchema()
{
    const QJsonObject integer{{u"type"_s, u"integer"_s}};
    return QJsonObject{{u"type"_s, u"object"_s},
                       {u"properties"_s, QJsonObject{{u"items"_s, QJsonObject{{u"type"_s, u"array"_s},
                                                                              {u"items"_s, KeyJson::recordSchema()}}},
                                                     {u"total"_s, integer},
                                                     {u"offset"_s, integer},
                                                     {u"limit"_s, integer}}}};
}

} // namespace

void registerKeyRoutes(AdminRouter &router, const AdminContext &context, KeyCatalog *catalog, QObject *owner)
{
    const KeyRoutes routes{Domain::KeyStore(context.redis, context.keys, context.secret, context.apiKeyPrefix), catalog,
                           owner};
    const QJsonObject record = KeyJson::recordSchema();

    RouteDoc listDoc = doc("keys.list", "List API keys (filtered, sorted, paginated)", listSchema());
    listDoc.query = {
        {u"q"_s, u"case-insensitive substring of the name, or a prefix of the id"_s},
        {u"tag"_s, u"only keys with this tag"_s},
        {u"status"_s, u"active, disabled or expired"_s},
        {u"sort"_s, u"last_used (default: newest use first, then newest created), name or created"_s},
        {u"offset"_s, u"rows to skip (default 0)"_s, u"integer"_s},
        {u"limit"_s, u"rows to return, 1 to 500 (default 50)"_s, u"integer"_s},
    };
    router.add("GET", u"/admin/keys"_s, listDoc,
               [routes](const AdminRequest &request, AdminCallback callback) { routes.list(request, callback); });
    router.add("GET", u"/admin/keys/{id}"_s, doc("keys.get", "One API key", record),
               [routes](const AdminRequest &request, AdminCallback callback) { routes.get(request, callback); });
    router.add("POST", u"/admin/keys"_s,
               doc("keys.create", "Create an API key; the answer has the clear key, shown only this once",
                   withClearKey(record), KeyJson::createSchema(), 201),
               [routes](const AdminRequest &request, AdminCallback callback) { routes.create(request, callback); });
    router.add("PATCH", u"/admin/keys/{id}"_s,
               doc("keys.update",
                   "Change the fields present; each limit given replaces that limit only (0 or null removes it)",
                   record, KeyJson::patchSchema()),
               [routes](const AdminRequest &request, AdminCallback callback) { routes.patch(request, callback); });
    router.add(
        "POST", u"/admin/keys/{id}/enable"_s, doc("keys.enable", "Enable an API key", record),
        [routes](const AdminRequest &request, AdminCallback callback) { routes.setEnabled(request, true, callback); });
    router.add(
        "POST", u"/admin/keys/{id}/disable"_s, doc("keys.disable", "Disable an API key", record),
        [routes](const AdminRequest &request, AdminCallback callback) { routes.setEnabled(request, false, callback); });
    router.add("POST", u"/admin/keys/{id}/regenerate"_s,
               doc("keys.regenerate",
                   "A new clear key for the same record (shown only this once); the old key stops working at once",
                   withClearKey(record)),
               [routes](const AdminRequest &request, AdminCallback callback) { routes.regenerate(request, callback); });
    router.add("DELETE", u"/admin/keys/{id}"_s, doc("keys.delete", "Delete an API key", {}, {}, 204),
               [routes](const AdminRequest &request, AdminCallback callback) { routes.remove(request, callback); });
}

} // namespace Relay::Admin
