// SPDX-License-Identifier: GPL-3.0-or-later
#include "relay/accountdirectory.h"

namespace Relay::Proxy {

QByteArray accountHealthName(AccountHealth health)
{
    switch (health) {
    case AccountHealth::Active:
        return QByteArrayLiteral("active");
    case AccountHealth::Cooling:
        return QByteArrayLiteral("cooling");
    case AccountHealth::Unauthorized:
        return QByteArrayLiteral("unauthorized");
    case AccountHealth::Blocked:
        return QByteArrayLiteral("blocked");
    }
    return QByteArrayLiteral("active");
}

AccountHealth accountHealthFromName(QByteArrayView name)
{
    if (name == "cooling")
        return AccountHealth::Cooling;
    if (name == "unauthorized")
        return AccountHealth::Unauthorized;
    if (name == "blocked")
        return AccountHealth::Blocked;
    return AccountHealth::Active;
}

bool AccountEntry::isUsable(qint64 nowMs) const
{
    if (!enabled || !schedulable || secret.isEmpty())
        return false;
    switch (health) {
    case AccountHealth::Active:
        return true;
    case AccountHealth::Cooling:
        return nowMs >= coolingUntilMs; // a finished cooldown gets a chance again
    case AccountHealth::Unauthorized:
    case AccountHealth::Blocked:
        return false; // an operator must act
    }
    return false;
}

AccountDirectory::AccountDirectory()
    : m_snapshot(std::make_shared<const QHash<QByteArray, AccountEntry>>())
{}

AccountDirectory::Snapshot AccountDirectory::snapshot() const
{
    QMutexLocker lock(&m_mutex);
    return m_snapshot;
}

std::optional<AccountEntry> AccountDirectory::find(const QByteArray &id) const
{
    const Snapshot s = snapshot();
    const auto it = s->constFind(id);
    return it == s->constEnd() ? std::nullopt : std::optional<AccountEntry>(*it);
}

void AccountDirectory::replaceAll(const QList<AccountEntry> &accounts)
{
    auto next = std::make_shared<QHash<QByteArray, AccountEntry>>();
    for (const AccountEntry &a : accounts)
        next->insert(a.id, a);
    QMutexLocker lock(&m_mutex);
    m_snapshot = std::move(next);
}

void AccountDirectory::upsert(const AccountEntry &account, bool keepHealth)
{
    QMutexLocker lock(&m_mutex);
    auto next = std::make_shared<QHash<QByteArray, AccountEntry>>(*m_snapshot);
    AccountEntry entry = account;
    if (keepHealth) {
        if (const auto it = next->constFind(account.id); it != next->constEnd()) {
            entry.health = it->health;
            entry.coolingUntilMs = it->coolingUntilMs;
            entry.reason = it->reason;
        }
    }
    next->insert(entry.id, entry);
    m_snapshot = std::move(next);
}

void AccountDirectory::remove(const QByteArray &id)
{
    QMutexLocker lock(&m_mutex);
    if (!m_snapshot->contains(id))
        return;
    auto next = std::make_shared<QHash<QByteArray, AccountEntry>>(*m_snapshot);
    next->remove(id);
    m_snapshot = std::move(next);
}

bool AccountDirectory::setHealth(const QByteArray &id, AccountHealth health, qint64 untilMs, const QString &reason)
{
    QMutexLocker lock(&m_mutex);
    const auto it = m_snapshot->constFind(id);
    if (it == m_snapshot->constEnd() || (it->health == health && it->coolingUntilMs == untilMs && it->reason == reason))
        return false;
    auto next = std::make_shared<QHash<QByteArray, AccountEntry>>(*m_snapshot);
    AccountEntry &entry = (*next)[id];
    entry.health = health;
    entry.coolingUntilMs = untilMs;
    entry.reason = reason;
    m_snapshot = std::move(next);
    return true;
}

QByteArray AccountDirectory::pick(const QByteArray &stickyId, const QSet<QByteArray> &exclude, qint64 nowMs)
{
    QMutexLocker lock(&m_mutex);
    if (!stickyId.isEmpty() && !exclude.contains(stickyId)) {
        const auto it = m_snapshot->constFind(stickyId);
        if (it != m_snapshot->constEnd() && it->isUsable(nowMs)) {
            m_lastUsedMs[stickyId] = nowMs;
            return stickyId;
        }
    }
    const AccountEntry *best = nullptr;
    qint64 bestUsed = 0;
    for (const AccountEntry &a : *m_snapshot) {
        if (exclude.contains(a.id) || !a.isUsable(nowMs))
            continue;
        const qint64 used = m_lastUsedMs.value(a.id, 0);
        if (!best || a.priority < best->priority ||
            (a.priority == best->priority && (used < bestUsed || (used == bestUsed && a.id < best->id)))) {
            best = &a;
            bestUsed = used;
        }
    }
    if (!best)
        return {};
    m_lastUsedMs[best->id] = nowMs;
    return best->id;
}

} // namespace Relay::Proxy
