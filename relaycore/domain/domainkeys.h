// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "redis/keyspace.h"
#include "usage/usagescript.h"

#include <QByteArray>
#include <QByteArrayView>

namespace Relay::Domain {

// The Redis names of the domain's records and indexes (see docs/redis-schema.md), built with Redis::KeySpace.
class DomainKeys
{
public:
    explicit DomainKeys(Redis::KeySpace keySpace = Redis::KeySpace())
        : m_keySpace(std::move(keySpace))
    {}

    const Redis::KeySpace &keySpace() const { return m_keySpace; }

    QByteArray keyIndex() const { return m_keySpace.global("key_ids"); }      // SET of key ids
    QByteArray keyHashIndex() const { return m_keySpace.global("key_hash"); } // HASH hmac hex -> key id
    QByteArray keyRecord(QByteArrayView id) const { return m_keySpace.apiKey(id, "record"); }
    // ZSET key id -> last use (ms), written by the usage script; the admin key list sorts by it.
    QByteArray keyLastUsedIndex() const { return m_keySpace.global("key_last_used"); }
    // ZSET owner id -> the day's cost_nanos / requests / tokens of every key or account used that day (written by the
    // usage script, TTL as the day hashes): rd:usage:d:<day>:top:<key|account>:<cost|requests|tokens>.
    QByteArray usageDayTopIndex(QByteArrayView day, Usage::UsageDimension dimension, Usage::UsageMetric metric) const
    {
        return Usage::UsageIndex::dayTop(m_keySpace, day, dimension, metric);
    }
    QByteArray accountIndex() const { return m_keySpace.global("accounts"); } // SET of account ids
    QByteArray accountRecord(QByteArrayView id) const { return m_keySpace.account(id, "record"); }
    QByteArray accountState(QByteArrayView id) const { return m_keySpace.account(id, "state"); } // HASH: health
    QByteArray groupIndex() const { return m_keySpace.global("groups"); } // SET of account group ids
    QByteArray groupRecord(QByteArrayView id) const { return m_keySpace.owned("grp", id, "record"); }
    QByteArray groupMembers(QByteArrayView id) const { return m_keySpace.owned("grp", id, "members"); } // SET
    QByteArray changesChannel() const { return m_keySpace.global("changes"); }                          // pub/sub
    QByteArray secretCheck() const { return m_keySpace.global("secret_check"); } // STRING: server secret fingerprint

    // The parts of keyRecord(id) before and after the (escaped) id, for Lua scripts that build the name.
    QByteArray keyRecordHead() const
    {
        const QByteArray name = keyRecord(Marker);
        return name.left(name.lastIndexOf(Marker));
    }
    QByteArray keyRecordTail() const
    {
        const QByteArray name = keyRecord(Marker);
        return name.mid(name.lastIndexOf(Marker) + Marker.size());
    }

    // The parts of accountRecord(id) / groupMembers(id) / accountState(id) before and after the (escaped) id.
    QByteArray accountRecordHead() const { return headOf(accountRecord(Marker)); }
    QByteArray accountRecordTail() const { return tailOf(accountRecord(Marker)); }
    QByteArray accountStateHead() const { return headOf(accountState(Marker)); }
    QByteArray accountStateTail() const { return tailOf(accountState(Marker)); }
    QByteArray groupMembersHead() const { return headOf(groupMembers(Marker)); }
    QByteArray groupMembersTail() const { return tailOf(groupMembers(Marker)); }

    // Payloads on changesChannel().
    static QByteArray keyChangedMessage(QByteArrayView id) { return "key " + id.toByteArray(); }
    static QByteArray accountChangedMessage(QByteArrayView id) { return "account " + id.toByteArray(); }
    // A group's name or description changed, or it was deleted (membership changes publish "account <id>" for
    // every account whose group list changed, so the relay needs no group messages).
    static QByteArray groupChangedMessage(QByteArrayView id) { return "group " + id.toByteArray(); }

private:
    static constexpr QByteArrayView Marker = "@id@";
    static QByteArray headOf(const QByteArray &name) { return name.left(name.lastIndexOf(Marker)); }
    static QByteArray tailOf(const QByteArray &name) { return name.mid(name.lastIndexOf(Marker) + Marker.size()); }
    Redis::KeySpace m_keySpace;
};

} // namespace Relay::Domain
