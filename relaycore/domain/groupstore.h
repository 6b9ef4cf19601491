// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "domain/domainerror.h"
#include "domain/domainkeys.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>
#include <optional>

namespace Relay::Redis {
class Client;
}

namespace Relay::Domain {

// A named set of upstream accounts a key can be bound to (rd:{grp:<id>}:record + :members).
struct AccountGroup
{
    QByteArray id;
    QString name;
    QString description;
    QList<QByteArray> memberIds; // sorted
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
};

// Account groups in Redis (see docs/redis-schema.md). Membership lives twice, changed together in one Lua call: the
// group's member set (for listing) and the account record's `group_ids` field (so the relay learns an account's
// groups with the record). Every membership change publishes "account <id>" for the account it affects, so each
// instance's AccountDirectory follows within the change feed's delay; name changes and deletions also publish
// "group <id>". Same calling conventions as AccountStore.
class GroupStore
{
public:
    template <typename T>
    using Callback = std::function<void(const Result<T> &)>;
    using DoneCallback = std::function<void(const Error &)>;

    static constexpr qsizetype MaxNameLength = 100;
    static constexpr qsizetype MaxDescriptionLength = 1000;

    GroupStore(Redis::Client *client, DomainKeys keys);

    // An error message for a bad name or description, or empty.
    static QString validate(const QString &name, const QString &description);

    void create(const QString &name, const QString &description, QObject *context,
                Callback<AccountGroup> callback) const;
    // NotFound if there is no such group.
    void get(const QByteArray &id, QObject *context, Callback<AccountGroup> callback) const;
    // Every group (with members), by name.
    void list(QObject *context, Callback<QList<AccountGroup>> callback) const;
    // Changes the name, and the description when one is given.
    void rename(const QByteArray &id, const QString &name, const std::optional<QString> &description, QObject *context,
                DoneCallback callback) const;
    // Deletes the group and takes it out of every member's group list.
    void remove(const QByteArray &id, QObject *context, DoneCallback callback) const;
    // NotFound if the group or the account does not exist; adding a member twice is not an error.
    void addMember(const QByteArray &groupId, const QByteArray &accountId, QObject *context,
                   DoneCallback callback) const;
    // NotFound if the group does not exist or the account is not a member.
    void removeMember(const QByteArray &groupId, const QByteArray &accountId, QObject *context,
                      DoneCallback callback) const;
    void members(const QByteArray &groupId, QObject *context, Callback<QList<QByteArray>> callback) const;

private:
    void changeMember(const QByteArray &groupId, const QByteArray &accountId, bool add, QObject *context,
                      DoneCallback callback) const;

    QPointer<Redis::Client> m_client;
    DomainKeys m_keys;
};

} // namespace Relay::Domain
