// SPDX-License-Identifier: GPL-3.0-or-later
#include "relay/keycache.h"

namespace Relay::Proxy {

KeyCache::Lookup KeyCache::find(const QByteArray &hash, qint64 nowMs) const
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_byHash.constFind(hash);
    if (it == m_byHash.constEnd() || nowMs >= it->expiresAtMs)
        return {};
    return {true, it->key};
}

void KeyCache::makeRoom()
{
    // Bounded memory: a cache this full is mostly noise (a key scan), so start over rather than track recency.
    if (m_byHash.size() >= MaxEntries) {
        m_byHash.clear();
        m_hashById.clear();
        m_negatives = 0;
    }
}

void KeyCache::insert(const QByteArray &hash, const Domain::ApiKey &key, qint64 nowMs)
{
    QMutexLocker lock(&m_mutex);
    makeRoom();
    const auto old = m_byHash.constFind(hash);
    if (old != m_byHash.constEnd() && !old->key)
        --m_negatives;
    m_byHash.insert(hash, {std::make_shared<const Domain::ApiKey>(key), nowMs + PositiveTtlMs});
    m_hashById.insert(key.id, hash);
}

void KeyCache::insertMissing(const QByteArray &hash, qint64 nowMs)
{
    QMutexLocker lock(&m_mutex);
    makeRoom();
    if (!m_byHash.contains(hash))
        ++m_negatives;
    m_byHash.insert(hash, {nullptr, nowMs + NegativeTtlMs});
}

void KeyCache::invalidateKey(const QByteArray &id)
{
    QMutexLocker lock(&m_mutex);
    if (const QByteArray hash = m_hashById.take(id); !hash.isEmpty())
        m_byHash.remove(hash);
    if (m_negatives > 0) {
        // The change may be a new key whose hash we remembered as unknown.
        m_byHash.removeIf([](const auto &it) { return !it.value().key; });
        m_negatives = 0;
    }
}

void KeyCache::clear()
{
    QMutexLocker lock(&m_mutex);
    m_byHash.clear();
    m_hashById.clear();
    m_negatives = 0;
}

} // namespace Relay::Proxy
