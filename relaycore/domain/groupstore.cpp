// SPDX-License-Identifier: GPL-3.0-or-later
#include "domain/groupstore.h"

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
using StoreSupport::redisError;
using StoreSupport::transactionError;

namespace {

// Lua: rewrites an account record's comma-separated `group_ids` without `gid`, plus `gid` if `add`.
#define RD_SET_GROUP_IDS                                                                                               \
    "local function setGroupIds(record, gid, add)\n"                                                                   \
    "  local ids = {}\n"                                                                                               \
    "  for g in string.gmatch(redis.call('HGET', record, 'group_ids') or '', '[^,]+') do\n"                            \
    "    if g ~= gid then table.insert(ids, g) end\n"                                                                  \
    "  end\n"                                                                                                          \
    "  if add then table.insert(ids, gid) end\n"                                                                       \
    "  table.sort(ids)\n"                                                                                              \
    "  if #ids == 0 then redis.call('HDEL', record, 'group_ids')\n"                                                    \
    "  else redis.call('HSET', record, 'group_ids', table.concat(ids, ',')) end\n"                                     \
    "end\n"

// KEYS[1] group record, KEYS[2] group members, KEYS[3] account record; ARGV[1] group id, ARGV[2] account id,
// ARGV[3] "1" add / "0" remove, ARGV[4] channel, ARGV[5] account message.
// Returns 1, -1 when the group does not exist, -2 when the account does not exist (add) or is no member (remove).
const Redis::Script &changeMemberScript()
{
    static const Redis::Script script(QByteArrayLiteral(RD_SET_GROUP_IDS R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local add = ARGV[3] == '1'
if add then
  if redis.call('EXISTS', KEYS[3]) == 0 then return -2 end
  redis.call('SADD', KEYS[2], ARGV[2])
elseif redis.call('SREM', KEYS[2], ARGV[2]) == 0 then
  return -2
end
if redis.call('EXISTS', KEYS[3]) == 1 then setGroupIds(KEYS[3], ARGV[1], add) end
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1
)lua"));
    return script;
}

// KEYS[1] group record, KEYS[2] group members, KEYS[3] group index; ARGV[1] group id, ARGV[2] channel,
// ARGV[3]/ARGV[4] the account record key before/after the (escaped) account id, ARGV[5] the account message
// without the id, ARGV[6] the group message. Returns 1, or 0 if the group did not exist.
const Redis::Script &removeGroupScript()
{
    static const Redis::Script script(QByteArrayLiteral(RD_SET_GROUP_IDS R"lua(
local existed = redis.call('EXISTS', KEYS[1])
for _, aid in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local escaped = (string.gsub(aid, '[%%{}]', {['%'] = '%25', ['{'] = '%7B', ['}'] = '%7D'}))
  local record = ARGV[3] .. escaped .. ARGV[4]
  if redis.call('EXISTS', record) == 1 then setGroupIds(record, ARGV[1], false) end
  redis.call('PUBLISH', ARGV[2], ARGV[5] .. aid)
end
redis.call('DEL', KEYS[1], KEYS[2])
local indexed = redis.call('SREM', KEYS[3], ARGV[1])
if existed == 0 and indexed == 0 then return 0 end
redis.call('PUBLISH', ARGV[2], ARGV[6])
return 1
)lua"));
    return script;
}

#undef RD_SET_GROUP_IDS

Error notFound(const QByteArray &id)
{
    return {Error::Kind::NotFound, u"no account group with id %1"_s.arg(QString::fromLatin1(id))};
}

std::optional<AccountGroup> groupFrom(const QList<QByteArray> &record, QList<QByteArray> members)
{
    const QHash<QByteArray, QByteArray> fields = RecordFields::toHash(record);
    AccountGroup group;
    group.id = fields.value("id");
    if (group.id.isEmpty())
        return std::nullopt;
    group.name = QString::fromUtf8(fields.value("name"));
    group.description = QString::fromUtf8(fields.value("description"));
    group.createdAt = fields.value("created_at").toLongLong();
    group.updatedAt = fields.value("updated_at").toLongLong();
    std::sort(members.begin(), members.end());
    group.memberIds = std::move(members);
    return group;
}

} // namespace

GroupStore::GroupStore(Redis::Client *client, DomainKeys keys)
    : m_client(client)
    , m_keys(std::move(keys))
{}

QString GroupStore::validate(const QString &name, const QString &description)
{
    if (name.trimmed().isEmpty() || name.trimmed().size() > MaxNameLength)
        return u"a group needs a name of 1 to %1 characters"_s.arg(MaxNameLength);
    if (description.size() > MaxDescriptionLength)
        return u"the group description must be at most %1 characters"_s.arg(MaxDescriptionLength);
    return {};
}

void GroupStore::create(const QString &name, const QString &description, QObject *context,
                        Callback<AccountGroup> callback) const
{
    auto fail = [&](Error::Kind kind, const QString &message) {
        later(context, [callback, kind, message] { callback(Result<AccountGroup>::failure(kind, message)); });
    };
    if (const QString error = validate(name, description); !error.isEmpty())
        return fail(Error::Kind::InvalidArgument, error);
    if (!m_client)
        return fail(Error::Kind::Redis, noClient().message);
    AccountGroup group;
    group.id = generateId();
    if (group.id.isEmpty())
        return fail(Error::Kind::Crypto, u"the random number generator failed"_s);
    group.name = name.trimmed();
    group.description = description;
    group.createdAt = group.updatedAt = nowMs();
    const QList<QList<QByteArray>> commands{
        {"MULTI"},
        {"HSET", m_keys.groupRecord(group.id), "id", group.id, "name", group.name.toUtf8(), "description",
         group.description.toUtf8(), "created_at", QByteArray::number(group.createdAt), "updated_at",
         QByteArray::number(group.updatedAt)},
        {"SADD", m_keys.groupIndex(), group.id},
        {"PUBLISH", m_keys.changesChannel(), DomainKeys::groupChangedMessage(group.id)},
        {"EXEC"},
    };
    m_client->pipeline(commands, context, [group, callback](const Redis::BatchResult &result) {
        if (Error error = transactionError(result, u"cannot store the group"_s))
            return callback(Result<AccountGroup>::failure(error));
        callback(Result<AccountGroup>::success(group));
    });
}

void GroupStore::get(const QByteArray &id, QObject *context, Callback<AccountGroup> callback) const
{
    if (!m_client)
        return later(context, [callback] { callback(Result<AccountGroup>::failure(noClient())); });
    m_client->pipeline({{"HGETALL", m_keys.groupRecord(id)}, {"SMEMBERS", m_keys.groupMembers(id)}}, context,
                       [id, callback](const Redis::BatchResult &result) {
                           if (Error error = redisError(result, u"cannot read the group"_s))
                               return callback(Result<AccountGroup>::failure(error));
                           std::optional<AccountGroup> group = groupFrom(result.replies.at(0).toByteArrayList(),
                                                                         result.replies.at(1).toByteArrayList());
                           if (!group)
                               return callback(Result<AccountGroup>::failure(notFound(id)));
                           callback(Result<AccountGroup>::success(std::move(*group)));
                       });
}

void GroupStore::list(QObject *context, Callback<QList<AccountGroup>> callback) const
{
    using Groups = Result<QList<AccountGroup>>;
    if (!m_client)
        return later(context, [callback] { callback(Groups::failure(noClient())); });
    const QPointer<Redis::Client> client = m_client;
    const DomainKeys keys = m_keys;
    m_client->command(
        {"SMEMBERS", keys.groupIndex()}, context, [client, keys, context, callback](const Redis::Result &result) {
            if (Error error = redisError(result, u"cannot list the groups"_s))
                return callback(Groups::failure(error));
            const QList<QByteArray> ids = result.reply.toByteArrayList();
            if (ids.isEmpty() || !client)
                return callback(Groups::success({}));
            QList<QList<QByteArray>> reads;
            for (const QByteArray &id : ids)
                reads << QList<QByteArray>{"HGETALL", keys.groupRecord(id)}
                      << QList<QByteArray>{"SMEMBERS", keys.groupMembers(id)};
            client->pipeline(reads, context, [callback](const Redis::BatchResult &batch) {
                if (Error error = redisError(batch, u"cannot read the groups"_s))
                    return callback(Groups::failure(error));
                QList<AccountGroup> out;
                for (qsizetype i = 0; i + 1 < batch.replies.size(); i += 2) {
                    if (std::optional<AccountGroup> group =
                            groupFrom(batch.replies.at(i).toByteArrayList(), batch.replies.at(i + 1).toByteArrayList()))
                        out.append(std::move(*group));
                }
                std::sort(out.begin(), out.end(), [](const AccountGroup &a, const AccountGroup &b) {
                    return a.name != b.name ? a.name < b.name : a.id < b.id;
                });
                callback(Groups::success(std::move(out)));
            });
        });
}

void GroupStore::rename(const QByteArray &id, const QString &name, const std::optional<QString> &description,
                        QObject *context, DoneCallback callback) const
{
    if (const QString error = validate(name, description.value_or(QString())); !error.isEmpty())
        return later(context, [callback, error] { callback(Error{Error::Kind::InvalidArgument, error}); });
    if (!m_client)
        return later(context, [callback] { callback(noClient()); });
    QList<QByteArray> args{
        m_keys.changesChannel(),    DomainKeys::groupChangedMessage(id), "name", name.trimmed().toUtf8(), "updated_at",
        QByteArray::number(nowMs())};
    if (description)
        args << "description" << description->toUtf8();
    m_client->evalScript(RecordScripts::updateIfExists(), {m_keys.groupRecord(id)}, args, context,
                         [id, callback](const Redis::Result &result) {
                             if (Error error = redisError(result, u"cannot rename the group"_s))
                                 return callback(error);
                             callback(result.reply.integer() == 1 ? Error{} : notFound(id));
                         });
}

void GroupStore::remove(const QByteArray &id, QObject *context, DoneCallback callback) const
{
    if (!m_client)
        return later(context, [callback] { callback(noClient()); });
    m_client->evalScript(removeGroupScript(), {m_keys.groupRecord(id), m_keys.groupMembers(id), m_keys.groupIndex()},
                         {id, m_keys.changesChannel(), m_keys.accountRecordHead(), m_keys.accountRecordTail(),
                          DomainKeys::accountChangedMessage({}), DomainKeys::groupChangedMessage(id)},
                         context, [id, callback](const Redis::Result &result) {
                             if (Error error = redisError(result, u"cannot delete the group"_s))
                                 return callback(error);
                             callback(result.reply.integer() == 1 ? Error{} : notFound(id));
                         });
}

void GroupStore::addMember(const QByteArray &groupId, const QByteArray &accountId, QObject *context,
                           DoneCallback callback) const
{
    changeMember(groupId, accountId, true, context, std::move(callback));
}

void GroupStore::removeMember(const QByteArray &groupId, const QByteArray &accountId, QObject *context,
                              DoneCallback callback) const
{
    changeMember(groupId, accountId, false, context, std::move(callback));
}

void GroupStore::changeMember(const QByteArray &groupId, const QByteArray &accountId, bool add, QObject *context,
                              DoneCallback callback) const
{
    if (!m_client)
        return later(context, [callback] { callback(noClient()); });
    m_client->evalScript(changeMemberScript(),
                         {m_keys.groupRecord(groupId), m_keys.groupMembers(groupId), m_keys.accountRecord(accountId)},
                         {groupId, accountId, add ? QByteArrayLiteral("1") : QByteArrayLiteral("0"),
                          m_keys.changesChannel(), DomainKeys::accountChangedMessage(accountId)},
                         context, [groupId, accountId, add, callback](const Redis::Result &result) {
                             if (Error error = redisError(result, u"cannot change the group's members"_s))
                                 return callback(error);
                             switch (result.reply.integer()) {
                             case 1:
                                 return callback({});
                             case -1:
                                 return callback(notFound(groupId));
                             default:
                                 return callback(
                                     Error{Error::Kind::NotFound,
                                           add ? u"no account with id %1"_s.arg(QString::fromLatin1(accountId))
                                               : u"account %1 is not a member of group %2"_s.arg(
                                                     QString::fromLatin1(accountId), QString::fromLatin1(groupId))});
                             }
                         });
}

void GroupStore::members(const QByteArray &groupId, QObject *context, Callback<QList<QByteArray>> callback) const
{
    get(groupId, context, [callback](const Result<AccountGroup> &group) {
        if (!group.ok())
            return callback(Result<QList<QByteArray>>::failure(group.error));
        callback(Result<QList<QByteArray>>::success(group.value.memberIds));
    });
}

} // namespace Relay::Domain
