// SPDX-License-Identifier: GPL-3.0-or-later
#include "relay/accountstatewrite.h"

#include "log/logger.h"
#include "redis/client.h"
#include "redis/script.h"

namespace Relay::Proxy {

namespace {

// ARGV: changes channel, message, changed_at, field, value, ...
const Redis::Script &writeNewestScript()
{
    static const Redis::Script script(QByteArrayLiteral(R"lua(
local stored = tonumber(redis.call('HGET', KEYS[1], 'changed_at') or '0') or 0
if tonumber(ARGV[3]) < stored then return 0 end
local fields = {}
for i = 4, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('PUBLISH', ARGV[1], ARGV[2])
return 1
)lua"));
    return script;
}

} // namespace

void writeAccountHealth(Redis::Client *client, const Domain::DomainKeys &keys, const QByteArray &accountId,
                        const QList<QByteArray> &stateFields, qint64 changedAtMs)
{
    if (!client)
        return;
    QList<QByteArray> args{keys.changesChannel(), Domain::DomainKeys::accountChangedMessage(accountId),
                           QByteArray::number(changedAtMs)};
    args << stateFields;
    Redis::CommandOptions o;
    o.whenDown = Redis::WhenDown::Queue;
    client->evalScript(
        writeNewestScript(), {keys.accountState(accountId)}, args, nullptr,
        [accountId](const Redis::Result &result) {
            if (!result.isSuccess())
                Log::logger().warn("cannot store the health of account {}: {}", accountId,
                                   result.errorMessage().toStdString());
        },
        o);
}

} // namespace Relay::Proxy
