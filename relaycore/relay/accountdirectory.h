// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMutex>
#include <QSet>
#include <QString>
#include <QUrl>

#include <memory>
#include <optional>

namespace Relay::Proxy {

// Health of an upstream account. Cooling ends by time: once `until` has passed the account is HalfOpen (see
// AccountEntry::effectiveHealth), and pick() lets one probe request through. Unauthorized and Blocked are left only
// by an operator reset (Domain::AccountStore::resetState), never by the relay.
enum class AccountHealth { Active, Cooling, HalfOpen, Unauthorized, Blocked };
// "active", "cooling", "half_open", "unauthorized", "blocked" (as stored in rd:{acct:<id>}:state).
QByteArray accountHealthName(AccountHealth health);
// Unknown names read as Active.
AccountHealth accountHealthFromName(QByteArrayView name);

// A cooldown that applies to one model family of an account only (e.g. an Opus weekly limit).
struct FamilyCooldown
{
    qint64 untilMs = 0;
    QString reason;
    qint64 changedAtMs = 0;
};

// What the scheduler and the upstream call need to know about one upstream account.
struct AccountEntry
{
    QByteArray id;
    QString name;
    bool oauth = false; // bearer token instead of x-api-key
    QUrl baseUrl;
    QByteArray secret; // decrypted, memory only
    int priority = 50; // lower is preferred
    bool enabled = true;
    bool schedulable = true;
    int maxConcurrency = 0;      // 0: no limit
    QByteArray refreshToken;     // OAuth only, decrypted
    qint64 tokenExpiresAtMs = 0; // OAuth only; 0 = unknown
    QUrl proxy;                  // empty = direct; http:// or socks5://, user AND password filled in (memory only)
    QHash<QByteArray, QByteArray> modelMapping; // requested model -> upstream model
    qint64 dailyCostQuotaNanos = 0;             // 0 = no quota
    QList<QByteArray> groupIds;
    AccountHealth health = AccountHealth::Active;
    qint64 coolingUntilMs = 0;
    QString reason;
    qint64 changedAtMs = 0;                            // when `health` last changed
    QHash<QByteArray, FamilyCooldown> familyCooldowns; // model family ("opus", ...) -> cooldown
    qint64 dailyCostNanos = 0; // today's cost; filled in by AccountDirectory::find() only (not in snapshots)

    // Cooling whose time has passed reads as HalfOpen.
    AccountHealth effectiveHealth(qint64 nowMs) const;
    // Enabled, schedulable, with a secret, and Active or (due to be) HalfOpen. Ignores quota and probes.
    bool isUsable(qint64 nowMs) const;
    // A cooldown for `family` that has not ended yet, or nullptr.
    const FamilyCooldown *familyCooldown(QByteArrayView family, qint64 nowMs) const;
    bool isOverQuota() const { return dailyCostQuotaNanos > 0 && dailyCostNanos >= dailyCostQuotaNanos; }
};

// rd:{acct:<id>}:state as field/value pairs: `status reason until changed_at` for the account, and one field
// `cooling:<family>` = "<until> <changed_at> <reason>" per model-family cooldown.
QList<QByteArray> healthStateFields(AccountHealth health, qint64 untilMs, const QString &reason, qint64 changedAtMs);
QList<QByteArray> familyCooldownFields(QByteArrayView family, const FamilyCooldown &cooldown);
// Applies an HGETALL of rd:{acct:<id>}:state to the entry (an empty hash leaves it Active).
void applyHealthState(AccountEntry &entry, const QList<QByteArray> &fieldsAndValues);

// Which account a request should use.
struct PickRequest
{
    QByteArray stickyId;       // the session's account, if it has one
    QSet<QByteArray> exclude;  // accounts this request already tried
    QByteArray family;         // the requested model's family ("opus", "sonnet", "haiku"; empty = none)
    QByteArray boundAccountId; // the key is bound to this account: only it may serve
    QByteArray boundGroupId;   // the key is bound to this group: only its members may serve
    qint64 nowMs = 0;
};

struct PickResult
{
    QByteArray id;             // empty: none is available
    bool probe = false;        // the request is the half-open probe of this account: report its outcome
    QString unavailableReason; // with an empty id: why, in words for the client
};

// The process's view of the upstream accounts, shared by every worker: records come from Redis at start-up and
// through the change feed, health from the relay's own upstream results (and other instances' via the feed).
// Readers take an immutable snapshot (one mutex-protected pointer copy); writers replace it. No Redis here.
//
// Beside the snapshot, under the same mutex, live what changes per request and is never copied whole: when each
// account was last picked (LRU), the half-open probes in flight, and today's cost per account.
class AccountDirectory
{
public:
    using Snapshot = std::shared_ptr<const QHash<QByteArray, AccountEntry>>;

    // A probe that has not reported within this time no longer blocks the next one.
    static constexpr qint64 ProbeTimeoutMs = 60'000;

    AccountDirectory();

    Snapshot snapshot() const;
    // The entry with dailyCostNanos filled in.
    std::optional<AccountEntry> find(const QByteArray &id) const;

    void replaceAll(const QList<AccountEntry> &accounts);
    // Keeps the entry's health if `keepHealth` (a record edit does not clear a cooldown).
    void upsert(const AccountEntry &account, bool keepHealth);
    void remove(const QByteArray &id);

    // Records a request's verdict on an account; returns true when the health changed (persist it then, with
    // healthStateFields() and an "account <id>" publish). Rules: Unauthorized and Blocked stay until an operator
    // reset (reports other than Unauthorized/Blocked are ignored); Active ends a HalfOpen (probe success) but not
    // a Cooling that has not ended yet (a late success of a request that started before the cooldown); Cooling
    // starts or extends a cooldown (probe failure). Every change ends the account's probe.
    bool setHealth(const QByteArray &id, AccountHealth health, qint64 untilMs, const QString &reason);
    // Starts (or with untilMs <= 0 ends) a cooldown for one model family; true when something changed.
    bool setFamilyCooldown(const QByteArray &id, const QByteArray &family, qint64 untilMs, const QString &reason);
    // Ends a probe without a verdict (the request said nothing about the account), so the next one may go.
    void endProbe(const QByteArray &id);

    // Today's cost as read from Redis (replaces the local count), and a cost this process just caused.
    void setDailyCost(const QByteArray &id, qint64 nanos);
    // The costs of `day` read from Redis. Within the same day a count never goes down: a read sent just before
    // this process's last usage write landed would otherwise undo addCost() and let an account overshoot its
    // quota. A new day replaces every count.
    void setDailyCosts(const QHash<QByteArray, qint64> &nanosById, const QByteArray &day = {});
    void addCost(const QByteArray &id, qint64 nanos);
    qint64 dailyCost(const QByteArray &id) const;

    // Chooses the account for a request: binding (a bound key uses only its account or its group's members) →
    // the sticky account if it is still usable and not excluded → the pool by priority, then least recently used,
    // skipping disabled, unschedulable, unhealthy, family-cooling and over-quota accounts. A HalfOpen account takes
    // part once as a probe (PickResult::probe) while others skip it. Accounts in groups stay in the shared pool:
    // a binding restricts keys, not accounts. Marks the chosen account used.
    PickResult pick(const PickRequest &request);

private:
    enum class Fit { Usable, Probe, No };
    // Why an account cannot serve: the words for a bound account, and a category with the cooldown end for the
    // pool's summary (which names no account: clients do not learn the operator's account names).
    struct Refusal
    {
        QString why;
        int category = 0;
        qint64 untilMs = 0;
    };
    Fit fit(const AccountEntry &account, const QByteArray &family, qint64 nowMs, Refusal *refusal) const;
    void dropChangedProbes(const QHash<QByteArray, AccountEntry> &before, const QHash<QByteArray, AccountEntry> &after);

    mutable QMutex m_mutex;
    Snapshot m_snapshot;
    QHash<QByteArray, qint64> m_lastUsedMs;
    QHash<QByteArray, qint64> m_probeDeadlineMs;
    QHash<QByteArray, qint64> m_dailyCostNanos;
    QByteArray m_costDay;
};

} // namespace Relay::Proxy
