// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "domain/accountstore.h"

#include <QObject>

namespace Relay::Redis {
class Client;
}

namespace Relay::Proxy {

class AccountDirectory;

// Keeps the AccountDirectory in step with Redis on the control thread: everything at start-up and after a lost
// change feed, one account (record and health) when the feed says it changed. Never on a request path.
class AccountSync : public QObject
{
    Q_OBJECT
public:
    AccountSync(Redis::Client *client, Domain::AccountStore store, Domain::DomainKeys keys, AccountDirectory &directory,
                QObject *parent = nullptr);

    void reloadAll();
    void reloadOne(const QByteArray &id);

Q_SIGNALS:
    // After each reloadAll(), with the number of accounts or an error.
    void loaded(int count, const QString &error);

private:
    Redis::Client *m_client;
    Domain::AccountStore m_store;
    Domain::DomainKeys m_keys;
    AccountDirectory &m_directory;
};

} // namespace Relay::Proxy
