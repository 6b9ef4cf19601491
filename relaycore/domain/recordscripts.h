// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "redis/script.h"

// The Lua scripts of the domain stores. Each one is a single atomic round trip; each change also publishes on the
// changes channel inside the script, so the record and the notification can never disagree.
namespace Relay::Domain::RecordScripts {

// KEYS[1] record; ARGV[1] channel, ARGV[2] message, ARGV[3..] field/value pairs.
// Sets the fields only if the record exists (never recreates a deleted record). Returns 1, or 0 if absent.
const Redis::Script &updateIfExists();

// KEYS[1] record; ARGV[1] channel, ARGV[2] message, ARGV[3] n, ARGV[4 .. 3+2n] field/value pairs to HSET, the rest
// fields to HDEL. Only if the record exists. Returns the HGETALL of the record after the change, or nil if absent.
const Redis::Script &updateFields();

// KEYS[1] key record, KEYS[2] hash index; ARGV[1] id, ARGV[2] new hash, ARGV[3] new hint, ARGV[4] now (ms),
// ARGV[5] channel, ARGV[6] message. Replaces the key's hash in the record and the index (the old hash is removed
// in the same step). Returns the HGETALL of the record after the change, or nil if absent.
const Redis::Script &regenerateKey();

// KEYS[1] key record; ARGV[1] now (ms), ARGV[2] channel, ARGV[3] message. Starts a first-use expiry once.
// Returns {expires_at, 1 if this call activated the key else 0}, or nil if the record is absent.
const Redis::Script &activateKey();

// KEYS[1] key record, KEYS[2] hash index, KEYS[3] id index, KEYS[4] last-used index; ARGV[1] id, ARGV[2] channel,
// ARGV[3] message.
// Returns 1, or 0 if neither the record nor the index entry existed.
const Redis::Script &removeKey();

// KEYS[1] account record, KEYS[2] id index; ARGV[1] id, ARGV[2] channel, ARGV[3] message. Returns 1 or 0.
const Redis::Script &removeAccount();

// KEYS[1] hash index; ARGV[1] hash, ARGV[2] record name before the id, ARGV[3] record name after the id.
// Returns the HGETALL of the key record, or nil if the hash is unknown.
const Redis::Script &findKeyByHash();

} // namespace Relay::Domain::RecordScripts
