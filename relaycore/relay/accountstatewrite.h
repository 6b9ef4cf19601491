// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "domain/domainkeys.h"

#include <QByteArray>
#include <QList>

namespace Relay::Redis {
class Client;
}

namespace Relay::Proxy {

// Stores an account's health (healthStateFields) in rd:{acct:<id>}:state and publishes "account <id>", in one Lua
// call that keeps the newest verdict: a write whose changed_at is older than the stored one is dropped. Workers and
// the token refresher write on different connections, so a verdict sent first may arrive last (an "unauthorized"
// from a request racing the refresh that already fixed the token); without the check it would win. Fire and forget.
void writeAccountHealth(Redis::Client *client, const Domain::DomainKeys &keys, const QByteArray &accountId,
                        const QList<QByteArray> &stateFields, qint64 changedAtMs);

} // namespace Relay::Proxy
