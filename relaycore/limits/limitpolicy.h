// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QTimeZone>

#include <utility>

namespace Relay::Limits {

struct LimitPolicyParse;

// The limits one API key has. Every limit is optional: 0 (or absent when parsed) means "no limit".
// Costs are in nanodollars (10^-9 USD), like the usage counters.
//
// Day and week boundaries follow timeZone (weeks start on Monday 00:00 local time, ISO 8601). The QTimeZone is
// resolved once when the policy is built or parsed (it reads the system tz database), never per request.
struct LimitPolicy
{
    // Rate window of windowMinutes: at most windowRequests requests, windowTokens tokens, windowCostNanos cost.
    // The window is fixed and starts with the first request after the previous window ended.
    qint64 windowMinutes = 0;
    qint64 windowRequests = 0;
    qint64 windowTokens = 0;
    qint64 windowCostNanos = 0;
    qint64 dailyCostNanos = 0;
    qint64 totalCostNanos = 0;
    // Per model family (lower case, e.g. "opus"), cost per ISO week.
    QMap<QByteArray, qint64> weeklyFamilyCostNanos;
    QTimeZone timeZone = QTimeZone::utc();

    bool hasWindow() const
    {
        return windowMinutes > 0 && (windowRequests > 0 || windowTokens > 0 || windowCostNanos > 0);
    }
    qint64 weeklyLimitFor(const QByteArray &family) const { return weeklyFamilyCostNanos.value(family, 0); }
    // True when no limit at all is set (the checker then never talks to Redis).
    bool isEmpty() const;
    // True when a request of this model family is subject to at least one limit.
    bool appliesTo(const QByteArray &family) const;
    // IANA id of the zone ("UTC" for UTC).
    QByteArray timeZoneId() const;

    // Field/value pairs for a Redis HASH (e.g. the key record). Every scalar field is written, 0 meaning none, so
    // an HSET replaces an older policy; weekly limits are one field per family (`limit_weekly_cost_nanos:<family>`)
    // and only families with a limit are written: HDEL the fields of families that were removed.
    QList<std::pair<QByteArray, QByteArray>> toHashFields() const;
    // From a HASH's field/value pairs (HGETALL order). Fields that are not limit fields are ignored, so a whole
    // key record can be passed.
    static LimitPolicyParse fromHashFields(const QList<std::pair<QByteArray, QByteArray>> &fields);
    // HGETALL's flat reply: field, value, field, value, ...
    static LimitPolicyParse fromFlatHash(const QList<QByteArray> &flat);

    // {"window":{"minutes","requests","tokens","cost_nanos"},"daily_cost_nanos","total_cost_nanos",
    //  "weekly_cost_nanos":{"opus":...},"time_zone":"Asia/Shanghai"}; zero limits are left out.
    QJsonObject toJson() const;
    static LimitPolicyParse fromJson(const QJsonObject &json);

    // The model family a model name belongs to, for the weekly limits: "opus", "sonnet" or "haiku" when the name
    // (lower-cased) contains that word, else empty (no weekly family limit applies).
    static QByteArray familyOfModel(QByteArrayView model);

    friend bool operator==(const LimitPolicy &a, const LimitPolicy &b);

    static constexpr QByteArrayView WeeklyFieldPrefix = "limit_weekly_cost_nanos:";
};

// What parsing a policy gave: the policy, or an error naming the field and the value.
struct LimitPolicyParse
{
    LimitPolicy policy;
    QString error;
    bool ok() const { return error.isEmpty(); }
};

} // namespace Relay::Limits
