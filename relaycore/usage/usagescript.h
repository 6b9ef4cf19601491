// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "redis/keyspace.h"
#include "redis/script.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

namespace Relay::Usage {

// The Lua script that writes one usage entry: one record or a sum of records (see UsageRecorder for what it writes).
//
// Key names (passed as script keys, in this order): for each of `owners` owners (the API key, then the account,
// either may be absent) its usage:total, usage:d:<day>, usage:h:<hour> and record hashes; then the relay's
// usage:d:<day> and usage:h:<hour>; then for each owner the day's top indexes of its kind by cost, requests and
// tokens (UsageIndex::dayTop); then, when the first owner is an API key, the key last-used index; then one lease ZSET
// per lease release.
// Arguments: owners, the per-model field prefix ("m:<model>:"), day TTL s, hour TTL s, last_used_at (ms), the ten
// counter deltas in UsageScript::Fields order ("0" = leave the field alone), the tokens delta (the five token
// fields summed), "1" when the first owner is an API key (then the last-used index is there) else "0", the owners'
// ids, then one lease member per lease ZSET.
//
// The script first checks the type of every key and answers a WRONGTYPE error before writing anything, because
// Redis does not undo a script's earlier writes when a later call fails. It answers 1 when the record was written.
// Not checked in advance: a counter field that something else set to a non-integer (HINCRBY then fails midway).
namespace UsageScript {

inline constexpr int FieldCount = 10;
inline constexpr const char *Fields[FieldCount] = {
    "requests",          "input_tokens", "output_tokens", "cache_creation_5m_tokens", "cache_creation_1h_tokens",
    "cache_read_tokens", "cost_nanos",   "cost_unknown",  "streamed_requests",        "error_requests",
};
inline constexpr int TopIndexesPerOwner = 3;
inline constexpr int KeysPerOwner = 4;

const Redis::Script &script();

} // namespace UsageScript

// Who a day's top index ranks, and by what.
enum class UsageDimension { Key, Account };
enum class UsageMetric { Cost, Requests, Tokens }; // tokens: input + output + cache creation (5m, 1h) + cache read

// The names of the indexes the usage script keeps besides the counters (docs/redis-schema.md).
namespace UsageIndex {

// ZSET key id -> last use (ms), for the admin key list (Domain::DomainKeys::keyLastUsedIndex() is the same name).
QByteArray keyLastUsed(const Redis::KeySpace &keys);
// ZSET owner id -> the day's sum of the metric: <prefix>usage:d:<day>:top:<key|account>:<cost|requests|tokens>.
QByteArray dayTop(const Redis::KeySpace &keys, QByteArrayView day, UsageDimension dimension, UsageMetric metric);
QByteArrayView dimensionName(UsageDimension dimension); // "key", "account"
QByteArrayView metricName(UsageMetric metric);          // "cost", "requests", "tokens"

} // namespace UsageIndex

} // namespace Relay::Usage
