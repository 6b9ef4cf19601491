// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace Relay::Redis {

// Builds every Redis key name of the project, in one place.
//
// Keys are prefixed (default "rd:") and keys that belong to one owner carry the owner in a hash tag, so that all
// keys of one API key or one account map to the same Redis Cluster slot and one Lua script may touch them all:
//   apiKey("k1", "usage")     -> rd:{key:k1}:usage
//   account("a1", "state")    -> rd:{acct:a1}:state
//   owned("lease", "a1", "x") -> rd:{lease:a1}:x
//   global("key_ids")         -> rd:key_ids         (index sets and other unowned keys)
// Ids are escaped ('{', '}' and '%' become %7B, %7D, %25) so an id can never break its hash tag. Modules add
// named helpers here rather than spelling key names elsewhere.
class KeySpace
{
public:
    static constexpr QByteArrayView DefaultPrefix = "rd:";

    // The prefix must not contain '{' or '}' (it would capture the hash tag); such characters are dropped.
    explicit KeySpace(QByteArrayView prefix = DefaultPrefix);

    const QByteArray &prefix() const { return m_prefix; }

    QByteArray apiKey(QByteArrayView id, QByteArrayView suffix) const { return owned("key", id, suffix); }
    QByteArray account(QByteArrayView id, QByteArrayView suffix) const { return owned("acct", id, suffix); }
    // <prefix>{<ownerKind>:<id>}:<suffix>, or <prefix>{<ownerKind>:<id>} with an empty suffix.
    QByteArray owned(QByteArrayView ownerKind, QByteArrayView id, QByteArrayView suffix) const;
    // <prefix><name>
    QByteArray global(QByteArrayView name) const;

    // A SCAN MATCH pattern for one suffix of every owner of a kind, e.g. rd:{key:*}:usage (prefix glob-escaped).
    QByteArray ownedPattern(QByteArrayView ownerKind, QByteArrayView suffix) const;
    // A SCAN MATCH pattern for every key under the prefix.
    QByteArray allPattern() const;

    // The id as it appears inside a hash tag.
    static QByteArray escapeId(QByteArrayView id);
    // Backslash-escapes glob specials (* ? [ ] \) for MATCH patterns.
    static QByteArray escapeGlob(QByteArrayView text);
    // The part of a key Redis Cluster hashes: the first non-empty {...} section, or the whole key.
    static QByteArrayView hashTag(QByteArrayView key);
    // The Redis Cluster slot (CRC16 of the hash tag, modulo 16384).
    static quint16 clusterSlot(QByteArrayView key);

private:
    QByteArray m_prefix;
};

} // namespace Relay::Redis
