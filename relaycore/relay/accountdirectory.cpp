// SPDX-License-Identifier: GPL-3.0-or-later
#include "relay/accountdirectory.h"

#include <QDateTime>
#include <QTimeZone>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Relay::Proxy {

namespace {

constexpr QByteArrayView FamilyFieldPrefix = "cooling:";
// Refusal categories, in the order the pool summary lists them.
enum Category { Disabled, NeedsOperator, Cooling, Recovering, FamilyCooling, OverQuota, CategoryCount };

qint64 currentMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QString formatUntil(qint64 untilMs, qint64 nowMs)
{
    const QDateTime until = QDateTime::fromMSecsSinceEpoch(untilMs, QTimeZone::utc());
    const QDateTime now = QDateTime::fromMSecsSinceEpoch(nowMs, QTimeZone::utc());
    return until.toString(until.date() == now.date() ? u"HH:mm:ss 'UTC'"_s : u"yyyy-MM-dd HH:mm:ss 'UTC'"_s);
}

QString dollars(qint64 nanos)
{
    return u"$"_s + QString::number(double(nanos) / 1e9, 'f', 2);
}

QString withReason(const QString &text, const QString &reason)
{
    return reason.isEmpty() ? text : u"%1 (%2)"_s.arg(text, reason);
}

} // namespace

QByteArray accountHealthName(AccountHealth health)
{
    switch (health) {
    case AccountHealth::Active:
        return QByteArrayLiteral("active");
    case AccountHealth::Cooling:
        return QByteArrayLiteral("cooling");
    case AccountHealth::HalfOpen:
        return QByteArrayLiteral("half_open");
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
    if (name == "half_open")
        return AccountHealth::HalfOpen;
    if (name == "unauthorized")
        return AccountHealth::Unauthorized;
    if (name == "blocked")
        return AccountHealth::Blocked;
    return AccountHealth::Active;
}

AccountHealth AccountEntry::effectiveHealth(qint64 nowMs) const
{
    if (health == AccountHealth::Cooling && nowMs >= coolingUntilMs)
        return AccountHealth::HalfOpen;
    return health;
}

bool AccountEntry::isUsable(qint64 nowMs) const
{
    if (!enabled || !schedulable || secret.isEmpty())
        return false;
    const AccountHealth h = effectiveHealth(nowMs);
    return h == AccountHealth::Active || h == AccountHealth::HalfOpen;
}

const FamilyCooldown *AccountEntry::familyCooldown(QByteArrayView family, qint64 nowMs) const
{
    if (family.isEmpty() || familyCooldowns.isEmpty())
        return nullptr;
    const auto it = familyCooldowns.constFind(family.toByteArray());
    return it != familyCooldowns.constEnd() && it->untilMs > nowMs ? &*it : nullptr;
}

QList<QByteArray> healthStateFields(AccountHealth health, qint64 untilMs, const QString &reason, qint64 changedAtMs)
{
    return {"status", accountHealthName(health),   "reason",     reason.toUtf8(),
            "until",  QByteArray::number(untilMs), "changed_at", QByteArray::number(changedAtMs)};
}

QList<QByteArray> familyCooldownFields(QByteArrayView family, const FamilyCooldown &cooldown)
{
    return {FamilyFieldPrefix.toByteArray() + family.toByteArray(), QByteArray::number(cooldown.untilMs) + ' ' +
                                                                        QByteArray::number(cooldown.changedAtMs) + ' ' +
                                                                        cooldown.reason.toUtf8()};
}

void applyHealthState(AccountEntry &e, const QList<QByteArray> &fields)
{
    e.health = AccountHealth::Active;
    e.coolingUntilMs = 0;
    e.reason.clear();
    e.changedAtMs = 0;
    e.familyCooldowns.clear();
    for (qsizetype i = 0; i + 1 < fields.size(); i += 2) {
        const QByteArray &name = fields.at(i);
        const QByteArray &value = fields.at(i + 1);
        if (name == "status") {
            e.health = accountHealthFromName(value);
        } else if (name == "until") {
            e.coolingUntilMs = value.toLongLong();
        } else if (name == "reason") {
            e.reason = QString::fromUtf8(value);
        } else if (name == "changed_at") {
            e.changedAtMs = value.toLongLong();
        } else if (name.startsWith(FamilyFieldPrefix) && name.size() > FamilyFieldPrefix.size()) {
            const QList<QByteArray> parts = value.split(' ');
            FamilyCooldown cooldown;
            cooldown.untilMs = parts.value(0).toLongLong();
            cooldown.changedAtMs = parts.value(1).toLongLong();
            const qsizetype reasonAt = parts.value(0).size() + parts.value(1).size() + 2;
            if (reasonAt <= value.size())
                cooldown.reason = QString::fromUtf8(value.mid(reasonAt));
            e.familyCooldowns.insert(name.mid(FamilyFieldPrefix.size()), cooldown);
        }
    }
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
    QMutexLocker lock(&m_mutex);
    const auto it = m_snapshot->constFind(id);
    if (it == m_snapshot->constEnd())
        return std::nullopt;
    AccountEntry entry = *it;
    entry.dailyCostNanos = m_dailyCostNanos.value(id, 0);
    return entry;
}

void AccountDirectory::dropChangedProbes(const QHash<QByteArray, AccountEntry> &before,
                                         const QHash<QByteArray, AccountEntry> &after)
{
    for (auto it = m_probeDeadlineMs.begin(); it != m_probeDeadlineMs.end();) {
        const auto was = before.constFind(it.key());
        const auto is = after.constFind(it.key());
        const bool same = was != before.constEnd() && is != after.constEnd() && was->health == is->health &&
                          was->coolingUntilMs == is->coolingUntilMs;
        it = same ? std::next(it) : m_probeDeadlineMs.erase(it);
    }
}

void AccountDirectory::replaceAll(const QList<AccountEntry> &accounts)
{
    auto next = std::make_shared<QHash<QByteArray, AccountEntry>>();
    for (const AccountEntry &a : accounts)
        next->insert(a.id, a);
    QMutexLocker lock(&m_mutex);
    dropChangedProbes(*m_snapshot, *next);
    for (auto it = m_dailyCostNanos.begin(); it != m_dailyCostNanos.end();)
        it = next->contains(it.key()) ? std::next(it) : m_dailyCostNanos.erase(it);
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
            entry.changedAtMs = it->changedAtMs;
            entry.familyCooldowns = it->familyCooldowns;
        }
    }
    next->insert(entry.id, entry);
    dropChangedProbes(*m_snapshot, *next);
    m_snapshot = std::move(next);
}

void AccountDirectory::remove(const QByteArray &id)
{
    QMutexLocker lock(&m_mutex);
    m_lastUsedMs.remove(id);
    m_probeDeadlineMs.remove(id);
    m_dailyCostNanos.remove(id);
    if (!m_snapshot->contains(id))
        return;
    auto next = std::make_shared<QHash<QByteArray, AccountEntry>>(*m_snapshot);
    next->remove(id);
    m_snapshot = std::move(next);
}

bool AccountDirectory::setHealth(const QByteArray &id, AccountHealth health, qint64 untilMs, const QString &reason)
{
    const qint64 now = currentMs();
    QMutexLocker lock(&m_mutex);
    const auto it = m_snapshot->constFind(id);
    if (it == m_snapshot->constEnd())
        return false;
    const bool needsOperator = it->health == AccountHealth::Unauthorized || it->health == AccountHealth::Blocked;
    const bool toOperator = health == AccountHealth::Unauthorized || health == AccountHealth::Blocked;
    if (needsOperator && !toOperator)
        return false;
    // A success while the cooldown runs is a request that started before it, unless it is the probe (which pick()
    // hands out only once the cooldown is over by its clock).
    if (health == AccountHealth::Active && it->health == AccountHealth::Cooling && now < it->coolingUntilMs &&
        !m_probeDeadlineMs.contains(id))
        return false;
    if (health != AccountHealth::Cooling)
        untilMs = 0;
    m_probeDeadlineMs.remove(id);
    if (it->health == health && it->coolingUntilMs == untilMs && it->reason == reason)
        return false;
    auto next = std::make_shared<QHash<QByteArray, AccountEntry>>(*m_snapshot);
    AccountEntry &entry = (*next)[id];
    entry.health = health;
    entry.coolingUntilMs = untilMs;
    entry.reason = reason;
    entry.changedAtMs = now;
    m_snapshot = std::move(next);
    return true;
}

bool AccountDirectory::setFamilyCooldown(const QByteArray &id, const QByteArray &family, qint64 untilMs,
                                         const QString &reason)
{
    if (family.isEmpty())
        return false;
    QMutexLocker lock(&m_mutex);
    const auto it = m_snapshot->constFind(id);
    if (it == m_snapshot->constEnd())
        return false;
    const auto current = it->familyCooldowns.constFind(family);
    const bool has = current != it->familyCooldowns.constEnd();
    if (untilMs <= 0 ? !has : (has && current->untilMs == untilMs && current->reason == reason))
        return false;
    auto next = std::make_shared<QHash<QByteArray, AccountEntry>>(*m_snapshot);
    AccountEntry &entry = (*next)[id];
    if (untilMs <= 0)
        entry.familyCooldowns.remove(family);
    else
        entry.familyCooldowns.insert(family, {untilMs, reason, currentMs()});
    m_snapshot = std::move(next);
    return true;
}

void AccountDirectory::endProbe(const QByteArray &id)
{
    QMutexLocker lock(&m_mutex);
    m_probeDeadlineMs.remove(id);
}

void AccountDirectory::setDailyCost(const QByteArray &id, qint64 nanos)
{
    QMutexLocker lock(&m_mutex);
    m_dailyCostNanos.insert(id, nanos);
}

void AccountDirectory::setDailyCosts(const QHash<QByteArray, qint64> &nanosById, const QByteArray &day)
{
    QMutexLocker lock(&m_mutex);
    // Counts made before the first read belong to the day that read is about.
    const bool sameDay = !day.isEmpty() && (day == m_costDay || m_costDay.isEmpty());
    if (!day.isEmpty())
        m_costDay = day;
    for (auto it = nanosById.cbegin(); it != nanosById.cend(); ++it) {
        qint64 &count = m_dailyCostNanos[it.key()];
        count = sameDay ? std::max(count, it.value()) : it.value();
    }
}

void AccountDirectory::addCost(const QByteArray &id, qint64 nanos)
{
    if (nanos <= 0)
        return;
    QMutexLocker lock(&m_mutex);
    m_dailyCostNanos[id] += nanos;
}

qint64 AccountDirectory::dailyCost(const QByteArray &id) const
{
    QMutexLocker lock(&m_mutex);
    return m_dailyCostNanos.value(id, 0);
}

AccountDirectory::Fit AccountDirectory::fit(const AccountEntry &a, const QByteArray &family, qint64 nowMs,
                                            Refusal *refusal) const
{
    auto no = [refusal](int category, const QString &text, qint64 untilMs = 0) {
        if (refusal)
            *refusal = {text, category, untilMs};
        return Fit::No;
    };
    if (!a.enabled)
        return no(Disabled, u"is disabled"_s);
    if (!a.schedulable)
        return no(Disabled, u"is paused (not schedulable)"_s);
    if (a.secret.isEmpty())
        return no(Disabled, u"has no usable secret"_s);
    const AccountHealth health = a.effectiveHealth(nowMs);
    switch (health) {
    case AccountHealth::Unauthorized:
        return no(NeedsOperator, withReason(u"is unauthorized"_s, a.reason) + u"; an operator must reset it"_s);
    case AccountHealth::Blocked:
        return no(NeedsOperator, withReason(u"is blocked"_s, a.reason) + u"; an operator must reset it"_s);
    case AccountHealth::Cooling:
        return no(Cooling,
                  withReason(u"is cooling down until %1"_s.arg(formatUntil(a.coolingUntilMs, nowMs)), a.reason),
                  a.coolingUntilMs);
    case AccountHealth::HalfOpen:
        if (m_probeDeadlineMs.value(a.id, 0) > nowMs)
            return no(Recovering, u"is recovering from a cooldown and a probe request is in flight"_s);
        break;
    case AccountHealth::Active:
        break;
    }
    if (const FamilyCooldown *cooldown = a.familyCooldown(family, nowMs))
        return no(FamilyCooling,
                  withReason(u"is cooling down for %1 models until %2"_s.arg(QString::fromUtf8(family),
                                                                             formatUntil(cooldown->untilMs, nowMs)),
                             cooldown->reason),
                  cooldown->untilMs);
    const qint64 cost = m_dailyCostNanos.value(a.id, 0);
    if (a.dailyCostQuotaNanos > 0 && cost >= a.dailyCostQuotaNanos)
        return no(OverQuota,
                  u"has used its daily cost quota (%1 of %2)"_s.arg(dollars(cost), dollars(a.dailyCostQuotaNanos)));
    return health == AccountHealth::HalfOpen ? Fit::Probe : Fit::Usable;
}

PickResult AccountDirectory::pick(const PickRequest &request)
{
    const qint64 now = request.nowMs > 0 ? request.nowMs : currentMs();
    QMutexLocker lock(&m_mutex);
    const QHash<QByteArray, AccountEntry> &accounts = *m_snapshot;
    auto choose = [&](const AccountEntry &a, Fit f) {
        m_lastUsedMs[a.id] = now;
        if (f == Fit::Probe)
            m_probeDeadlineMs[a.id] = now + ProbeTimeoutMs;
        return PickResult{a.id, f == Fit::Probe, {}};
    };

    if (!request.boundAccountId.isEmpty()) {
        const auto it = accounts.constFind(request.boundAccountId);
        if (it == accounts.constEnd())
            return {{}, false, u"the account bound to this key does not exist"_s};
        if (request.exclude.contains(it->id))
            return {{}, false, u"the account bound to this key failed for this request"_s};
        Refusal refusal;
        const Fit f = fit(*it, request.family, now, &refusal);
        if (f == Fit::No)
            return {{}, false, u"the account bound to this key "_s + refusal.why};
        return choose(*it, f);
    }

    const bool grouped = !request.boundGroupId.isEmpty();
    auto eligible = [&](const AccountEntry &a) {
        return !request.exclude.contains(a.id) && (!grouped || a.groupIds.contains(request.boundGroupId));
    };

    if (!request.stickyId.isEmpty()) {
        const auto it = accounts.constFind(request.stickyId);
        if (it != accounts.constEnd() && eligible(*it) && fit(*it, request.family, now, nullptr) == Fit::Usable)
            return choose(*it, Fit::Usable);
    }

    const AccountEntry *best = nullptr;
    Fit bestFit = Fit::No;
    qint64 bestUsed = 0;
    int counts[CategoryCount] = {};
    qint64 firstEnd[CategoryCount] = {};
    int candidates = 0;
    for (const AccountEntry &a : accounts) {
        if (!eligible(a))
            continue;
        ++candidates;
        Refusal refusal;
        const Fit f = fit(a, request.family, now, &refusal);
        if (f == Fit::No) {
            ++counts[refusal.category];
            if (refusal.untilMs > 0 &&
                (firstEnd[refusal.category] == 0 || refusal.untilMs < firstEnd[refusal.category]))
                firstEnd[refusal.category] = refusal.untilMs;
            continue;
        }
        const qint64 used = m_lastUsedMs.value(a.id, 0);
        if (!best || a.priority < best->priority ||
            (a.priority == best->priority && (used < bestUsed || (used == bestUsed && a.id < best->id)))) {
            best = &a;
            bestFit = f;
            bestUsed = used;
        }
    }
    if (best)
        return choose(*best, bestFit);

    QString text;
    if (grouped && candidates == 0)
        text = u"the account group bound to this key has no accounts left to try"_s;
    else if (candidates == 0)
        text = u"no upstream account is configured or left to try"_s;
    else {
        const QString familyName = QString::fromUtf8(request.family);
        const QString labels[CategoryCount] = {
            u"disabled or paused"_s,
            u"unauthorized or blocked until an operator resets them"_s,
            u"cooling down"_s,
            u"recovering (a probe request is in flight)"_s,
            u"cooling down for %1 models"_s.arg(familyName),
            u"over their daily cost quota"_s,
        };
        QStringList parts;
        for (int c = 0; c < CategoryCount; ++c) {
            if (counts[c] == 0)
                continue;
            QString part = u"%1 %2"_s.arg(counts[c]).arg(labels[c]);
            if (firstEnd[c] > 0)
                part += u", the first until %1"_s.arg(formatUntil(firstEnd[c], now));
            parts << part;
        }
        text = (grouped ? u"no account of the group bound to this key is available ("_s
                        : u"no upstream account is available ("_s) +
               parts.join(u"; "_s) + u')';
    }
    return {{}, false, text};
}

} // namespace Relay::Proxy
