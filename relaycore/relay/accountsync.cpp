// SPDX-License-Identifier: GPL-3.0-or-later
#include "relay/accountsync.h"

#include "log/logger.h"
#include "redis/client.h"
#include "relay/accountdirectory.h"

namespace Relay::Proxy {

namespace {

AccountEntry entryFrom(const Domain::Account &a)
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
    return e;
}

void applyState(AccountEntry &e, const QList<QByteArray> &fields)
{
    for (qsizetype i = 0; i + 1 < fields.size(); i += 2) {
        if (fields[i] == "status")
            e.health = accountHealthFromName(fields[i + 1]);
        else if (fields[i] == "until")
            e.coolingUntilMs = fields[i + 1].toLongLong();
        else if (fields[i] == "reason")
            e.reason = QString::fromUtf8(fields[i + 1]);
    }
}

} // namespace

AccountSync::AccountSync(Redis::Client *client, Domain::AccountStore store, Domain::DomainKeys keys,
                         AccountDirectory &directory, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_store(std::move(store))
    , m_keys(std::move(keys))
    , m_directory(directory)
{}

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
            commands.append({"HGETALL", m_keys.keySpace().account(a.id, "state")});
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
                    applyState(e, states.replies[i].toByteArrayList());
                entries.append(e);
            }
            m_directory.replaceAll(entries);
            Log::logger().info("{} upstream account(s) loaded", entries.size());
            Q_EMIT loaded(int(entries.size()), {});
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
        m_client->command({"HGETALL", m_keys.keySpace().account(id, "state")}, this,
                          [this, account](const Redis::Result &state) {
                              AccountEntry e = entryFrom(account);
                              if (state.isSuccess())
                                  applyState(e, state.reply.toByteArrayList());
                              m_directory.upsert(e, false);
                          });
    });
}

} // namespace Relay::Proxy
