// SPDX-License-Identifier: GPL-3.0-or-later
#include "domain/recordscripts.h"

namespace Relay::Domain::RecordScripts {

const Redis::Script &updateIfExists()
{
    static const Redis::Script script(QByteArrayLiteral(R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('PUBLISH', ARGV[1], ARGV[2])
return 1
)lua"));
    return script;
}

const Redis::Script &removeKey()
{
    static const Redis::Script script(QByteArrayLiteral(R"lua(
local hash = redis.call('HGET', KEYS[1], 'hash')
local existed = redis.call('DEL', KEYS[1])
if hash and redis.call('HGET', KEYS[2], hash) == ARGV[1] then redis.call('HDEL', KEYS[2], hash) end
local indexed = redis.call('SREM', KEYS[3], ARGV[1])
if existed == 0 and indexed == 0 then return 0 end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1
)lua"));
    return script;
}

const Redis::Script &removeAccount()
{
    static const Redis::Script script(QByteArrayLiteral(R"lua(
local existed = redis.call('DEL', KEYS[1])
local indexed = redis.call('SREM', KEYS[2], ARGV[1])
if existed == 0 and indexed == 0 then return 0 end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1
)lua"));
    return script;
}

const Redis::Script &findKeyByHash()
{
    // The id is escaped as Redis::KeySpace::escapeId does, so the name matches DomainKeys::keyRecord(id).
    static const Redis::Script script(QByteArrayLiteral(R"lua(
local id = redis.call('HGET', KEYS[1], ARGV[1])
if not id then return false end
local escaped = (string.gsub(id, '[%%{}]', {['%'] = '%25', ['{'] = '%7B', ['}'] = '%7D'}))
return redis.call('HGETALL', ARGV[2] .. escaped .. ARGV[3])
)lua"));
    return script;
}

} // namespace Relay::Domain::RecordScripts
