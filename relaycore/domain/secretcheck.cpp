// SPDX-License-Identifier: GPL-3.0-or-later
#include "domain/secretcheck.h"

#include "domain/storesupport.h"
#include "redis/client.h"

using namespace Qt::StringLiterals;

namespace Relay::Domain {

void SecretCheck::verify(Redis::Client *client, const DomainKeys &keys, const ServerSecret &secret, QObject *context,
                         std::function<void(const Error &)> callback)
{
    if (!client || secret.isNull()) {
        StoreSupport::later(context, [callback] {
            callback({Error::Kind::InvalidArgument, u"no Redis client or secret"_s});
        });
        return;
    }
    const QByteArray fingerprint = secret.fingerprint();
    const QString origin = secret.origin();
    // SET NX GET (Redis 7): stores ours if none is there and returns what was there before.
    client->command({"SET", keys.secretCheck(), fingerprint, "NX", "GET"}, context,
                    [fingerprint, origin, callback](const Redis::Result &result) {
                        if (Error error = StoreSupport::redisError(result, u"cannot check the server secret"_s))
                            return callback(error);
                        if (result.reply.isNil() || result.reply.bytes() == fingerprint)
                            return callback({});
                        callback({Error::Kind::SecretMismatch,
                                  u"this Redis was set up with a different server secret than the one from %1; "
                                  "every relay and CLI sharing a Redis must use the same secret file or "
                                  "RELAYDECK_SECRET"_s.arg(origin)});
                    });
}

} // namespace Relay::Domain
