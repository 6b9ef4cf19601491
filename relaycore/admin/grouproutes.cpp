// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/grouproutes.h"

#include "domain/groupstore.h"
#include "redis/client.h"

#include <QJsonArray>
#include <QPointer>

#include <memory>

using namespace Qt::StringLiterals;

namespace Relay::Admin {

namespace {

constexpr qint64 DefaultLimit = 50;
constexpr qint64 MaxLimit = 500;

struct Deps
{
    QPointer<Redis::Client> redis;
    Domain::DomainKeys keys;
    QPointer<QObject> owner;

    Domain::GroupStore store() const { return Domain::GroupStore(redis.data(), keys); }
};
using DepsPtr = std::shared_ptr<const Deps>;

QJsonObject groupJson(const Domain::AccountGroup &group)
{
    QJsonArray members;
    for (const QByteArray &id : group.memberIds)
        members.append(QString::fromLatin1(id));
    return {{u"id"_s, QString::fromLatin1(group.id)}, {u"name"_s, group.name},
            {u"description"_s, group.description},    {u"member_ids"_s, members},
            {u"member_count"_s, members.size()},      {u"created_at"_s, group.createdAt},
            {u"updated_at"_s, group.updatedAt}};
}

QJsonObject groupSchema()
{
    const QJsonObject integer{{u"type"_s, u"integer"_s}};
    const QJsonObject string{{u"type"_s, u"string"_s}};
    return {{u"type"_s, u"object"_s},
            {u"properties"_s, QJsonObject{{u"id"_s, string},
                                          {u"name"_s, string},
                                          {u"description"_s, string},
                                          {u"member_ids"_s, QJsonObject{{u"type"_s, u"array"_s}, {u"items"_s, string}}},
                                          {u"member_count"_s, integer},
                                          {u"created_at"_s, integer},
                                          {u"updated_at"_s, integer}}}};
}

QJsonObject inputSchema(bool nameRequired)
{
    const QJsonObject properties{
        {u"name"_s, QJsonObject{{u"type"_s, u"string"_s},
                                {u"description"_s, u"1 to %1 characters"_s.arg(Domain::GroupStore::MaxNameLength)}}},
        {u"description"_s,
         QJsonObject{{u"type"_s, u"string"_s},
                     {u"description"_s, u"at most %1 characters"_s.arg(Domain::GroupStore::MaxDescriptionLength)}}}};
    QJsonObject schema{{u"type"_s, u"object"_s}, {u"additionalProperties"_s, false}, {u"properties"_s, properties}};
    if (nameRequired)
        schema.insert(u"required"_s, QJsonArray{u"name"_s});
    return schema;
}

// name and description of a create or patch body; each present field checked, unknown fields refused.
struct GroupInput
{
    std::optional<QString> name;
    std::optional<QString> description;
};

std::optional<GroupInput> readInput(const AdminRequest &request, bool creating, AdminError *error)
{
    const QJsonObject body = request.jsonBody(error);
    if (*error)
        return std::nullopt;
    QJsonObject fields;
    GroupInput input;
    for (auto it = body.constBegin(); it != body.constEnd(); ++it) {
        if (it.key() == u"name") {
            const QString name = it.value().toString().trimmed();
            if (!it.value().isString() || name.isEmpty() || name.size() > Domain::GroupStore::MaxNameLength)
                fields.insert(it.key(),
                              u"must be a string of 1 to %1 characters"_s.arg(Domain::GroupStore::MaxNameLength));
            else
                input.name = name;
        } else if (it.key() == u"description") {
            if (!it.value().isString() || it.value().toString().size() > Domain::GroupStore::MaxDescriptionLength)
                fields.insert(it.key(), u"must be a string of at most %1 characters"_s.arg(
                                            Domain::GroupStore::MaxDescriptionLength));
            else
                input.description = it.value().toString();
        } else if (it.key() == u"member_ids" || it.key() == u"members") {
            fields.insert(it.key(), u"change members with /admin/groups/{id}/members"_s);
        } else {
            fields.insert(it.key(), u"is not a known field"_s);
        }
    }
    if (creating && !body.contains(u"name"_s))
        fields.insert(u"name"_s, u"is required"_s);
    if (!fields.isEmpty()) {
        *error = AdminError::validation(fields);
        return std::nullopt;
    }
    if (!creating && !input.name && !input.description) {
        *error = AdminError::badRequest(u"the body has no field to change"_s);
        return std::nullopt;
    }
    return input;
}

void answerGroup(const DepsPtr &deps, const QByteArray &id, AdminCallback callback, int status = 200)
{
    deps->store().get(id, deps->owner, [callback, status](const Domain::Result<Domain::AccountGroup> &r) {
        if (!r.ok())
            return callback(AdminResult::failure(AdminError::fromDomain(r.error)));
        callback(AdminResult::json(groupJson(r.value), status));
    });
}

void list(const DepsPtr &deps, const AdminRequest &request, AdminCallback callback)
{
    AdminError error;
    const qint64 offset = request.queryInt(u"offset"_s, 0, 0, std::numeric_limits<int>::max(), &error);
    const qint64 limit = request.queryInt(u"limit"_s, DefaultLimit, 1, MaxLimit, &error);
    if (error)
        return callback(AdminResult::failure(error));
    deps->store().list(
        deps->owner, [offset, limit, callback](const Domain::Result<QList<Domain::AccountGroup>> &groups) {
            if (!groups.ok())
                return callback(AdminResult::failure(AdminError::fromDomain(groups.error)));
            QJsonArray items;
            for (qint64 i = offset; i < groups.value.size() && i < offset + limit; ++i)
                items.append(groupJson(groups.value.at(i)));
            callback(AdminResult::json(QJsonObject{
                {u"items"_s, items}, {u"total"_s, groups.value.size()}, {u"offset"_s, offset}, {u"limit"_s, limit}}));
        });
}

void create(const DepsPtr &deps, const AdminRequest &request, AdminCallback callback)
{
    AdminError error;
    const std::optional<GroupInput> input = readInput(request, true, &error);
    if (!input)
        return callback(AdminResult::failure(error));
    deps->store().create(*input->name, input->description.value_or(QString()), deps->owner,
                         [callback](const Domain::Result<Domain::AccountGroup> &r) {
                             if (!r.ok())
                                 return callback(AdminResult::failure(AdminError::fromDomain(r.error)));
                             callback(AdminResult::created(groupJson(r.value)));
                         });
}

void patch(const DepsPtr &deps, const AdminRequest &request, AdminCallback callback)
{
    AdminError error;
    const std::optional<GroupInput> input = readInput(request, false, &error);
    if (!input)
        return callback(AdminResult::failure(error));
    const QByteArray id = request.paramBytes(u"id"_s);
    auto rename = [deps, id, callback](const QString &name, const std::optional<QString> &description) {
        deps->store().rename(id, name, description, deps->owner, [deps, id, callback](const Domain::Error &e) {
            if (e)
                return callback(AdminResult::failure(AdminError::fromDomain(e)));
            answerGroup(deps, id, callback);
        });
    };
    if (input->name)
        return rename(*input->name, input->description);
    // The store renames with a description; a description alone keeps the current name.
    deps->store().get(
        id, deps->owner,
        [rename, description = input->description, callback](const Domain::Result<Domain::AccountGroup> &r) {
            if (!r.ok())
                return callback(AdminResult::failure(AdminError::fromDomain(r.error)));
            rename(r.value.name, description);
        });
}

void addMember(const DepsPtr &deps, const AdminRequest &request, AdminCallback callback)
{
    AdminError error;
    const QJsonObject body = request.jsonBody(&error);
    if (error)
        return callback(AdminResult::failure(error));
    QJsonObject fields;
    for (auto it = body.constBegin(); it != body.constEnd(); ++it) {
        if (it.key() != u"account_id")
            fields.insert(it.key(), u"is not a known field"_s);
    }
    const QString accountId = body.value(u"account_id"_s).toString().trimmed();
    if (!body.value(u"account_id"_s).isString() || accountId.isEmpty() || accountId.size() > 200)
        fields.insert(u"account_id"_s, u"is required: the id of an upstream account"_s);
    if (!fields.isEmpty())
        return callback(AdminResult::failure(AdminError::validation(fields)));
    const QByteArray id = request.paramBytes(u"id"_s);
    deps->store().addMember(id, accountId.toUtf8(), deps->owner, [deps, id, callback](const Domain::Error &e) {
        if (e)
            return callback(AdminResult::failure(AdminError::fromDomain(e)));
        answerGroup(deps, id, callback);
    });
}

RouteDoc doc(QString operationId, QString summary, QJsonObject requestBody = {}, QJsonObject response = {},
             int successStatus = 200)
{
    RouteDoc d;
    d.operationId = std::move(operationId);
    d.summary = std::move(summary);
    d.tag = u"groups"_s;
    d.requestBody = std::move(requestBody);
    d.response = std::move(response);
    d.successStatus = successStatus;
    return d;
}

std::function<void(const Domain::Error &)> noContentOr(AdminCallback callback)
{
    return [callback](const Domain::Error &e) {
        if (e)
            return callback(AdminResult::failure(AdminError::fromDomain(e)));
        callback(AdminResult::noContent());
    };
}

} // namespace

void registerGroupRoutes(AdminRouter &router, const AdminContext &context, QObject *owner)
{
    auto deps = std::make_shared<Deps>();
    deps->redis = context.redis;
    deps->keys = context.keys;
    deps->owner = owner;
    const DepsPtr d = deps;
    const QString item = u"/admin/groups/{id}"_s;
    const QJsonObject group = groupSchema();
    const QJsonObject integer{{u"type"_s, u"integer"_s}};

    RouteDoc listDoc =
        doc(u"groups.list"_s, u"Account groups with their members, by name"_s, {},
            QJsonObject{
                {u"type"_s, u"object"_s},
                {u"properties"_s, QJsonObject{{u"items"_s, QJsonObject{{u"type"_s, u"array"_s}, {u"items"_s, group}}},
                                              {u"total"_s, integer},
                                              {u"offset"_s, integer},
                                              {u"limit"_s, integer}}}});
    listDoc.query = {{u"offset"_s, u"first item, default 0"_s, u"integer"_s},
                     {u"limit"_s, u"items per page, default 50, at most 500"_s, u"integer"_s}};
    router.add("GET", u"/admin/groups"_s, listDoc,
               [d](const AdminRequest &request, AdminCallback callback) { list(d, request, std::move(callback)); });
    router.add("POST", u"/admin/groups"_s,
               doc(u"groups.create"_s, u"Creates an account group"_s, inputSchema(true), group, 201),
               [d](const AdminRequest &request, AdminCallback callback) { create(d, request, std::move(callback)); });
    router.add("GET", item, doc(u"groups.get"_s, u"One account group with its members"_s, {}, group),
               [d](const AdminRequest &request, AdminCallback callback) {
                   answerGroup(d, request.paramBytes(u"id"_s), std::move(callback));
               });
    router.add("PATCH", item,
               doc(u"groups.update"_s, u"Renames the group or changes its description"_s, inputSchema(false), group),
               [d](const AdminRequest &request, AdminCallback callback) { patch(d, request, std::move(callback)); });
    router.add("DELETE", item,
               doc(u"groups.delete"_s,
                   u"Deletes the group and takes it out of every member's group list (keys bound to it then find no "
                   "account)"_s,
                   {}, {}, 204),
               [d](const AdminRequest &request, AdminCallback callback) {
                   d->store().remove(request.paramBytes(u"id"_s), d->owner, noContentOr(std::move(callback)));
               });
    router.add(
        "POST", item + u"/members"_s,
        doc(u"groups.add_member"_s,
            u"Adds an account to the group ({\"account_id\":…}); adding a member twice is not an error"_s,
            QJsonObject{{u"type"_s, u"object"_s},
                        {u"required"_s, QJsonArray{u"account_id"_s}},
                        {u"additionalProperties"_s, false},
                        {u"properties"_s, QJsonObject{{u"account_id"_s, QJsonObject{{u"type"_s, u"string"_s}}}}}},
            group),
        [d](const AdminRequest &request, AdminCallback callback) { addMember(d, request, std::move(callback)); });
    router.add("DELETE", item + u"/members/{account_id}"_s,
               doc(u"groups.remove_member"_s, u"Takes an account out of the group"_s, {}, {}, 204),
               [d](const AdminRequest &request, AdminCallback callback) {
                   d->store().removeMember(request.paramBytes(u"id"_s), request.paramBytes(u"account_id"_s), d->owner,
                                           noContentOr(std::move(callback)));
               });
}

} // namespace Relay::Admin
