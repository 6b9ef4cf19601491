// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "redis/script.h"

#include <QByteArray>
#include <QList>

namespace Relay::Usage {

// The Lua script that writes one usage record (see UsageRecorder for what it writes).
//
// Key names (passed as script keys, in this order): for each of `owners` owners (the API key, then the account,
// either may be absent) its usage:total, usage:d:<day>, usage:h:<hour> and record hashes; then the relay's
// usage:d:<day> and usage:h:<hour>; then one lease ZSET per lease release.
// Arguments: owners, the per-model field prefix ("m:<model>:"), day TTL s, hour TTL s, last_used_at (ms), the ten
// counter deltas in UsageScript::Fields order ("0" = leave the field alone), then one lease member per lease ZSET.
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
inline constexpr int KeysPerOwner = 4;

const Redis::Script &script();

} // namespace UsageScript

} // namespace Relay::Usage
