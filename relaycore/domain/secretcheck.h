// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "domain/domainerror.h"
#include "domain/domainkeys.h"
#include "domain/serversecret.h"

#include <QObject>

#include <functional>

namespace Relay::Redis {
class Client;
}

namespace Relay::Domain {

// Makes sure every process sharing a Redis uses the same server secret: the first one stores the secret's
// fingerprint (rd:secret_check, SET NX), later ones compare. Another secret would silently make every API key
// "unknown" and every account secret undecryptable, so it is refused before anything is written.
class SecretCheck
{
public:
    // Calls back with no error, SecretMismatch, or Redis.
    static void verify(Redis::Client *client, const DomainKeys &keys, const ServerSecret &secret, QObject *context,
                       std::function<void(const Error &)> callback);
};

} // namespace Relay::Domain
