// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "domain/apikey.h"

#include <QByteArray>
#include <QHash>
#include <QMutex>

#include <memory>

namespace Relay::Proxy {

// The process's cache of API-key records by key hash, so a request with a known key costs no Redis round trip on
// any worker (and keeps working while Redis is briefly away). Thread-safe; the lock is held for a hash lookup
// only. Entries are dropped when the change feed reports the key changed (every
// instance within a second), and expire after a while anyway in case a change message was missed. Unknown keys are
// remembered briefly too, so a client retrying a bad key does not cost a round trip each time; any key change drops
// those, so a key created a moment ago works at once.
class KeyCache
{
public:
    static constexpr qint64 PositiveTtlMs = 60'000;
    static constexpr qint64 NegativeTtlMs = 5'000;
    static constexpr qsizetype MaxEntries = 100'000;

    struct Lookup
    {
        bool hit = false;                          // false: ask Redis
        std::shared_ptr<const Domain::ApiKey> key; // null on a hit means "no such key"
    };

    Lookup find(const QByteArray &hash, qint64 nowMs) const;
    void insert(const QByteArray &hash, const Domain::ApiKey &key, qint64 nowMs);
    void insertMissing(const QByteArray &hash, qint64 nowMs);

    void invalidateKey(const QByteArray &id);
    void clear();
    qsizetype size() const
    {
        QMutexLocker lock(&m_mutex);
        return m_byHash.size();
    }

private:
    struct Entry
    {
        std::shared_ptr<const Domain::ApiKey> key;
        qint64 expiresAtMs = 0;
    };
    void makeRoom();

    mutable QMutex m_mutex;
    QHash<QByteArray, Entry> m_byHash;
    QHash<QByteArray, QByteArray> m_hashById;
    qsizetype m_negatives = 0;
};

} // namespace Relay::Proxy
