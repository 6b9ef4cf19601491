// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "admin/adminresult.h"
#include "domain/apikey.h"
#include "domain/keystore.h"
#include "limits/limitpolicy.h"

#include <QJsonObject>
#include <QMap>
#include <QString>

#include <optional>

namespace Relay::Admin {

// What the key list shows and filters on; derived, never stored. A disabled key is "disabled" even when it has
// expired as well.
enum class KeyStatus { Active, Disabled, Expired };
QString keyStatusName(KeyStatus status);
std::optional<KeyStatus> keyStatusFromName(const QString &name);
KeyStatus keyStatusOf(const Domain::ApiKey &key, qint64 nowMs);

// A PATCH of some limits: each set limit replaces that one limit and leaves the others (0 removes it), like the
// CLI's `key update --daily-cost 5`. Weekly family limits merge per family.
struct LimitEdits
{
    std::optional<qint64> windowMinutes;
    std::optional<qint64> windowRequests;
    std::optional<qint64> windowTokens;
    std::optional<qint64> windowCostNanos;
    std::optional<qint64> dailyCostNanos;
    std::optional<qint64> totalCostNanos;
    QMap<QByteArray, qint64> weeklyCostNanos; // family -> nanos, 0 = remove that family's limit

    bool isEmpty() const
    {
        return !windowMinutes && !windowRequests && !windowTokens && !windowCostNanos && !dailyCostNanos &&
               !totalCostNanos && weeklyCostNanos.isEmpty();
    }
    Limits::LimitPolicy appliedTo(Limits::LimitPolicy policy) const;
};

// What a PATCH body asks for: the field-level changes, plus limit edits that still need the key's current policy
// (ApiKeyChanges carries limits only as a whole policy).
struct KeyPatch
{
    Domain::ApiKeyChanges changes;
    LimitEdits limits;
};

// The admin API's JSON form of an API key, both ways (snake_case, times in ms since the epoch, money as
// `*_nanos` plus `*_usd`). Never shows `hash`. Parsing checks every field and names each bad one in a 422:
// "limits.daily_cost_usd", "tags[2]", "name"; fields it does not know are rejected as well.
//
// Record shape:
//   {"id","name","description","hint","enabled","status":"active|disabled|expired","created_at","updated_at",
//    "last_used_at","expires_at","expires_after_first_use_ms","activated_at","concurrency_limit",
//    "concurrency_wait_ms","tags":[…],"permissions":[…] (empty = every endpoint),"model_rule":"none|allow|deny",
//    "models":[…],"client":"any|claude_code","bound_account","bound_group",
//    "limits":{"window_minutes","window_requests","window_tokens","window_cost_usd","window_cost_nanos",
//              "daily_cost_usd","daily_cost_nanos","total_cost_usd","total_cost_nanos",
//              "weekly_cost_usd":{"opus":…},"weekly_cost_nanos":{"opus":…},"time_zone":"Europe/Berlin"|null}}
// A limit of 0 means none. In a request a limit is given in USD or in nanos (not both); null or 0 removes it.
class KeyJson
{
public:
    // lastUsedAt: the newest known use (the last-used index may be ahead of the record's field).
    static QJsonObject toJson(const Domain::ApiKey &key, qint64 nowMs, qint64 lastUsedAt = 0);
    // toJson in two parts, so a list can keep the part that changes only with the record: everything but
    // "status" and "last_used_at", then those two added.
    static QJsonObject recordJson(const Domain::ApiKey &key);
    static QJsonObject withUse(QJsonObject recordJson, const Domain::ApiKey &key, qint64 nowMs, qint64 lastUsedAt);
    static QJsonObject limitsToJson(const Domain::ApiKey &key);

    // POST /admin/keys: "name" is required; every other writable field is optional.
    static Domain::NewApiKey toNewKey(const QJsonObject &body, qint64 nowMs, AdminError *error);
    // PATCH /admin/keys/{id}: only the fields present change. "model_rule" with "models" replace the rule as a
    // whole; "bound_account"/"bound_group" replace the binding as a whole (setting one clears the other).
    static KeyPatch toPatch(const QJsonObject &body, qint64 nowMs, AdminError *error);

    // OpenAPI schemas for the route docs.
    static QJsonObject recordSchema();
    static QJsonObject createSchema();
    static QJsonObject patchSchema();
};

} // namespace Relay::Admin
