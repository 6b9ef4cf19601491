// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "redis/keyspace.h"

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
    QByteArray accountIndex() const { return m_keySpace.global("accounts"); } // SET of account ids
    QByteArray accountRecord(QByteArrayView id) const { return m_keySpace.account(id, "record"); }
    QByteArray changesChannel() const { return m_keySpace.global("changes"); }   // pub/sub
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

    // Payloads on changesChannel().
    static QByteArray keyChangedMessage(QByteArrayView id) { return "key " + id.toByteArray(); }
    static QByteArray accountChangedMessage(QByteArrayView id) { return "account " + id.toByteArray(); }

private:
    static constexpr QByteArrayView Marker = "@id@";
    Redis::KeySpace m_keySpace;
};

} // namespace Relay::Domain
