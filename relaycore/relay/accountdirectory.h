// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QSet>
#include <QString>
#include <QUrl>

#include <memory>

namespace Relay::Proxy {

enum class AccountHealth { Active, Cooling, Unauthorized, Blocked };
QByteArray accountHealthName(AccountHealth health);
AccountHealth accountHealthFromName(QByteArrayView name);

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

    bool isUsable(qint64 nowMs) const;
};

// The process's view of the upstream accounts, shared by every worker: records come from Redis at start-up and
// through the change feed, health from the relay's own upstream results (and other instances' via the feed).
// Readers take an immutable snapshot (one mutex-protected pointer copy); writers replace it. No Redis here.
class AccountDirectory
{
public:
    using Snapshot = std::shared_ptr<const QHash<QByteArray, AccountEntry>>;

    AccountDirectory();

    Snapshot snapshot() const;
    std::optional<AccountEntry> find(const QByteArray &id) const;

    void replaceAll(const QList<AccountEntry> &accounts);
    // Keeps the entry's health if `keepHealth` (a record edit does not clear a cooldown).
    void upsert(const AccountEntry &account, bool keepHealth);
    void remove(const QByteArray &id);
    // Returns false when nothing changed.
    bool setHealth(const QByteArray &id, AccountHealth health, qint64 untilMs, const QString &reason);

    // Priority, then least recently used (in this process), skipping unusable and excluded accounts. The sticky
    // account wins when it is usable and not excluded. Marks the chosen one used. Empty when none is usable.
    QByteArray pick(const QByteArray &stickyId, const QSet<QByteArray> &exclude, qint64 nowMs);

private:
    mutable QMutex m_mutex;
    Snapshot m_snapshot;
    QHash<QByteArray, qint64> m_lastUsedMs;
};

} // namespace Relay::Proxy
