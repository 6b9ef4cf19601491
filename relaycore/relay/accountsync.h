// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "domain/accountstore.h"

#include <QObject>
#include <QTimeZone>
#include <QTimer>

namespace Relay::Redis {
class Client;
}

namespace Relay::Proxy {

class AccountDirectory;
struct AccountEntry;

// Keeps the AccountDirectory in step with Redis on the control thread: everything at start-up and after a lost
// change feed, one account (record and health) when the feed says it changed. Never on a request path.
//
// It also refreshes today's cost of every account that has a daily quota, once per interval (default 1 s), in one
// pipelined batch (HGET <acct>:usage:d:<day> cost_nanos; the day in the relay's time zone), into
// AccountDirectory::setDailyCosts. Accounts without a quota cost no Redis command.
class AccountSync : public QObject
{
    Q_OBJECT
public:
    static constexpr int DefaultCostRefreshMs = 1000;

    AccountSync(Redis::Client *client, Domain::AccountStore store, Domain::DomainKeys keys, AccountDirectory &directory,
                QObject *parent = nullptr);

    // The zone whose calendar day the usage counters use (default UTC).
    void setTimeZone(const QTimeZone &zone);
    QTimeZone timeZone() const { return m_zone; }
    // 0 stops the cost refresh.
    void setCostRefreshInterval(int ms);

    void reloadAll();
    void reloadOne(const QByteArray &id);
    // One cost refresh now (also run by the timer).
    void refreshCosts();

    // The directory entry for an account record (health left Active; see applyHealthState).
    static AccountEntry entryFrom(const Domain::Account &account);
    // "YYYY-MM-DD" of the instant in the zone.
    static QByteArray dayIn(const QTimeZone &zone, qint64 ms);

Q_SIGNALS:
    // After each reloadAll(), with the number of accounts or an error.
    void loaded(int count, const QString &error);
    // After each cost refresh that read Redis, with the number of accounts read.
    void costsRefreshed(int count);

private:
    QByteArray today();

    Redis::Client *m_client;
    Domain::AccountStore m_store;
    Domain::DomainKeys m_keys;
    AccountDirectory &m_directory;
    QTimeZone m_zone = QTimeZone::utc();
    QTimer m_costTimer;
    bool m_costPending = false;
    QByteArray m_day;       // cached: today in m_zone
    qint64 m_dayEndsMs = 0; // when m_day must be computed again
};

} // namespace Relay::Proxy
