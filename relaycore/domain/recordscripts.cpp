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

const Redis::Script &updateFields()
{
    static const Redis::Script script(QByteArrayLiteral(R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local n = tonumber(ARGV[3])
if n > 0 then redis.call('HSET', KEYS[1], unpack(ARGV, 4, 3 + 2 * n)) end
if #ARGV > 3 + 2 * n then redis.call('HDEL', KEYS[1], unpack(ARGV, 4 + 2 * n)) end
redis.call('PUBLISH', ARGV[1], ARGV[2])
return redis.call('HGETALL', KEYS[1])
)lua"));
    return script;
}

const Redis::Script &regenerateKey()
{
    static const Redis::Script script(QByteArrayLiteral(R"lua(
local old = redis.call('HGET', KEYS[1], 'hash')
if not old then return false end
if redis.call('HGET', KEYS[2], old) == ARGV[1] then redis.call('HDEL', KEYS[2], old) end
redis.call('HSET', KEYS[2], ARGV[2], ARGV[1])
redis.call('HSET', KEYS[1], 'hash', ARGV[2], 'hint', ARGV[3], 'updated_at', ARGV[4])
redis.call('PUBLISH', ARGV[5], ARGV[6])
return redis.call('HGETALL', KEYS[1])
)lua"));
    return script;
}

const Redis::Script &activateKey()
{
    // Durations and times are whole milliseconds far below 2^53, so Lua's doubles hold them exactly.
    static const Redis::Script script(QByteArrayLiteral(R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local duration = tonumber(redis.call('HGET', KEYS[1], 'expires_after_first_use_ms') or '0') or 0
local activated = tonumber(redis.call('HGET', KEYS[1], 'activated_at') or '0') or 0
local expires = redis.call('HGET', KEYS[1], 'expires_at') or '0'
if duration <= 0 or activated > 0 then return {expires, 0} end
expires = string.format('%.0f', tonumber(ARGV[1]) + duration)
redis.call('HSET', KEYS[1], 'activated_at', ARGV[1], 'expires_at', expires, 'updated_at', ARGV[1])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return {expires, 1}
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
redis.call('ZREM', KEYS[4], ARGV[1])
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
