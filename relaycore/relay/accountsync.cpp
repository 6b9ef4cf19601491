// SPDX-License-Identifier: GPL-3.0-or-later
#include "relay/accountsync.h"

#include "log/logger.h"
#include "redis/client.h"
#include "relay/accountdirectory.h"

#include <QDateTime>

namespace Relay::Proxy {

AccountSync::AccountSync(Redis::Client *client, Domain::AccountStore store, Domain::DomainKeys keys,
                         AccountDirectory &directory, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_store(std::move(store))
    , m_keys(std::move(keys))
    , m_directory(directory)
{
    m_costTimer.setInterval(DefaultCostRefreshMs);
    connect(&m_costTimer, &QTimer::timeout, this, &AccountSync::refreshCosts);
    m_costTimer.start();
}

void AccountSync::setTimeZone(const QTimeZone &zone)
{
    m_zone = zone.isValid() ? zone : QTimeZone::utc();
    m_dayEndsMs = 0;
}

void AccountSync::setCostRefreshInterval(int ms)
{
    if (ms <= 0)
        return m_costTimer.stop();
    m_costTimer.setInterval(ms);
    m_costTimer.start();
}

AccountEntry AccountSync::entryFrom(const Domain::Account &a)
{
    AccountEntry e;
    e.id = a.id;
    e.name = a.name;
    e.oauth = a.type == Domain::AccountType::OAuth;
    e.baseUrl = QUrl(a.baseUrl);
    e.secret = a.secret;
    e.priority = a.priority;
    e.enabled = a.enabled;
    e.schedulable = a.schedulable;
    e.maxConcurrency = a.maxConcurrency;
    e.refreshToken = a.refreshToken;
    e.tokenExpiresAtMs = a.tokenExpiresAt;
    if (!a.proxyUrl.isEmpty()) {
        e.proxy = QUrl(a.proxyUrl);
        if (!a.proxyPassword.isEmpty())
            e.proxy.setPassword(QString::fromUtf8(a.proxyPassword), QUrl::DecodedMode);
    }
    for (auto it = a.modelMapping.cbegin(); it != a.modelMapping.cend(); ++it)
        e.modelMapping.insert(it.key().toUtf8(), it.value().toUtf8());
    e.dailyCostQuotaNanos = a.dailyCostQuotaNanos;
    e.groupIds = a.groupIds;
    return e;
}

QByteArray AccountSync::dayIn(const QTimeZone &zone, qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, zone).date().toString(Qt::ISODate).toLatin1();
}

QByteArray AccountSync::today()
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (now >= m_dayEndsMs) {
        const QDateTime local = QDateTime::fromMSecsSinceEpoch(now, m_zone);
        m_day = local.date().toString(Qt::ISODate).toLatin1();
        // The next local midnight (startOfDay handles days that do not start at 00:00).
        m_dayEndsMs = local.date().addDays(1).startOfDay(m_zone).toMSecsSinceEpoch();
    }
    return m_day;
}

void AccountSync::refreshCosts()
{
    if (m_costPending || !m_client)
        return;
    const AccountDirectory::Snapshot accounts = m_directory.snapshot();
    QList<QByteArray> ids;
    QList<QList<QByteArray>> reads;
    const QByteArray suffix = "usage:d:" + today();
    for (const AccountEntry &a : *accounts) {
        if (a.dailyCostQuotaNanos <= 0)
            continue;
        ids.append(a.id);
        reads.append({"HGET", m_keys.keySpace().account(a.id, suffix), "cost_nanos"});
    }
    if (reads.isEmpty())
        return;
    m_costPending = true;
    Redis::CommandOptions o;
    o.whenDown = Redis::WhenDown::FailFast; // the next tick tries again
    m_client->pipeline(
        reads, this,
        [this, ids, day = today()](const Redis::BatchResult &result) {
            m_costPending = false;
            if (!result.isSuccess() || result.replies.size() != ids.size())
                return;
            QHash<QByteArray, qint64> costs;
            for (qsizetype i = 0; i < ids.size(); ++i)
                costs.insert(ids.at(i), result.replies.at(i).toByteArray().toLongLong());
            m_directory.setDailyCosts(costs, day);
            Q_EMIT costsRefreshed(int(ids.size()));
        },
        o);
}

void AccountSync::reloadAll()
{
    m_store.list(this, [this](const Domain::Result<QList<Domain::Account>> &r) {
        if (!r.ok()) {
            Log::logger().warn("cannot load upstream accounts: {}", r.error.message);
            Q_EMIT loaded(0, r.error.message);
            return;
        }
        const QList<Domain::Account> accounts = r.value;
        QList<QList<QByteArray>> commands;
        for (const Domain::Account &a : accounts)
            commands.append({"HGETALL", m_keys.accountState(a.id)});
        if (commands.isEmpty()) {
            m_directory.replaceAll({});
            Q_EMIT loaded(0, {});
            return;
        }
        m_client->pipeline(commands, this, [this, accounts](const Redis::BatchResult &states) {
            QList<AccountEntry> entries;
            for (qsizetype i = 0; i < accounts.size(); ++i) {
                if (!accounts[i].secretError.isEmpty())
                    Log::logger().error("account {} ({}): {}", accounts[i].id, accounts[i].name,
                                        accounts[i].secretError);
                AccountEntry e = entryFrom(accounts[i]);
                if (states.isSuccess() && i < states.replies.size())
                    applyHealthState(e, states.replies[i].toByteArrayList());
                entries.append(e);
            }
            m_directory.replaceAll(entries);
            Log::logger().info("{} upstream account(s) loaded", entries.size());
            Q_EMIT loaded(int(entries.size()), {});
            refreshCosts();
        });
    });
}

void AccountSync::reloadOne(const QByteArray &id)
{
    m_store.get(id, this, [this, id](const Domain::Result<Domain::Account> &r) {
        if (!r.ok()) {
            if (r.error.kind == Domain::Error::Kind::NotFound)
                m_directory.remove(id);
            else
                Log::logger().warn("cannot reload account {}: {}", id, r.error.message);
            return;
        }
        const Domain::Account account = r.value;
        m_client->command({"HGETALL", m_keys.accountState(id)}, this, [this, account](const Redis::Result &state) {
            AccountEntry e = entryFrom(account);
            if (state.isSuccess()) {
                applyHealthState(e, state.reply.toByteArrayList());
                m_directory.upsert(e, false);
            } else {
                m_directory.upsert(e, true); // the record changed; keep the health we know
            }
        });
    });
}

} // namespace Relay::Proxy
