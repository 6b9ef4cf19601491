// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "domain/domainerror.h"
#include "domain/domainkeys.h"
#include "usage/usagescript.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QString>
#include <QTimeZone>

#include <array>
#include <functional>
#include <optional>

namespace Relay::Redis {
class Client;
}

namespace Relay::Admin {

// The ten usage counters of one hash (or a sum of hashes), in Usage::UsageScript::Fields order.
struct UsageCounters
{
    std::array<qint64, Usage::UsageScript::FieldCount> values{};

    qint64 requests() const { return values[0]; }
    qint64 costNanos() const { return values[6]; }
    // input + output + cache creation (5m, 1h) + cache read, as the day top indexes count them
    qint64 tokens() const { return values[1] + values[2] + values[3] + values[4] + values[5]; }
    qint64 metric(Usage::UsageMetric metric) const;
    bool isZero() const;
    UsageCounters &operator+=(const UsageCounters &other);
    // {"requests":…, "input_tokens":…, …, "tokens":…, "cost_nanos":…, "cost_usd":…}
    QJsonObject toJson() const;
};

enum class UsageScope { Relay, Key, Account };
enum class UsageGranularity { Hour, Day };
enum class UsageTopDimension { Keys, Accounts, Models };

struct UsageSummary
{
    UsageScope scope = UsageScope::Relay;
    QByteArray id;
    QByteArray date; // today in the relay's zone, "YYYY-MM-DD"
    UsageCounters today;
    UsageCounters last7Days;  // today and the 6 days before
    UsageCounters last30Days; // today and the 29 days before
    // Key and account only: the lifetime usage:total hash, whether the record exists, and its name.
    UsageCounters lifetime;
    bool exists = false;
    QString name;
};

struct UsagePoint
{
    QByteArray bucket; // "YYYY-MM-DD" or "YYYY-MM-DDTHH" in the relay's zone
    qint64 startMs = 0;
    UsageCounters counters;
    QList<QPair<QByteArray, UsageCounters>> models; // day granularity only; by cost, then requests, descending
};

struct UsageTrend
{
    UsageScope scope = UsageScope::Relay;
    QByteArray id;
    UsageGranularity granularity = UsageGranularity::Day;
    QList<UsagePoint> points; // oldest first, ending with the current hour or day
};

struct UsageTopQuery
{
    UsageTopDimension dimension = UsageTopDimension::Keys;
    Usage::UsageMetric metric = Usage::UsageMetric::Cost;
    int days = 7; // today and the days before, 1..MaxTopDays
    int offset = 0;
    int limit = 50;
};

struct UsageTopItem
{
    QByteArray id; // key or account id, or the model name
    QString name;  // keys and accounts: the record's name (empty when deleted)
    bool deleted = false;
    qint64 costNanos = 0;
    qint64 requests = 0;
    qint64 tokens = 0;
    UsageCounters counters; // models only: every counter (keys and accounts have the three sums above)
};

struct UsageTop
{
    UsageTopQuery query;
    QByteArray from; // first day of the window
    QByteArray to;   // today
    qint64 total = 0;
    QList<UsageTopItem> items; // ranked by query.metric, descending
};

// Reads the usage counters and indexes the usage script writes (docs/redis-schema.md) for the admin API, one
// pipeline per question, never scanning the keyspace: summaries and trends read the day/hour hashes of the
// period by name; top lists read the day top indexes (keys, accounts: one script call that sums the days, then the
// names of the rows shown) or the relay's day hashes' per-model fields (models). Days and hours are those of the
// relay's time zone, as the recorder counted them. Lives on the control thread; callbacks run on `context`.
class UsageQuery
{
public:
    static constexpr int MaxHours = 8 * 24; // hour hashes live 8 days
    static constexpr int MaxDays = 40;      // day hashes live 40 days
    static constexpr int MaxTopDays = 30;
    static constexpr int MaxTopLimit = 500;

    template <typename T>
    using Callback = std::function<void(const Domain::Result<T> &)>;

    UsageQuery(Redis::Client *client, Domain::DomainKeys keys, QTimeZone zone);

    const QTimeZone &timeZone() const { return m_zone; }

    // `nowMs` decides today and the current hour.
    void summary(UsageScope scope, const QByteArray &id, qint64 nowMs, QObject *context,
                 Callback<UsageSummary> callback) const;
    // `count` points (1..MaxHours hours or 1..MaxDays days).
    void trend(UsageScope scope, const QByteArray &id, UsageGranularity granularity, int count, qint64 nowMs,
               QObject *context, Callback<UsageTrend> callback) const;
    void top(const UsageTopQuery &query, qint64 nowMs, QObject *context, Callback<UsageTop> callback) const;

    // The last `count` days up to the one of nowMs (oldest first), and the last `count` local hours, as the usage
    // recorder names them: an hour skipped by a DST change is not there, a repeated one is there once.
    QList<QByteArray> lastDays(qint64 nowMs, int count) const;
    QList<QByteArray> lastHours(qint64 nowMs, int count) const;

private:
    QByteArray usageKey(UsageScope scope, const QByteArray &id, const QByteArray &suffix) const;
    QByteArray recordKey(UsageScope scope, const QByteArray &id) const;
    void topOwners(const UsageTopQuery &query, const QList<QByteArray> &days, QObject *context,
                   Callback<UsageTop> callback) const;
    void topModels(const UsageTopQuery &query, const QList<QByteArray> &days, QObject *context,
                   Callback<UsageTop> callback) const;

    QPointer<Redis::Client> m_client;
    Domain::DomainKeys m_keys;
    QTimeZone m_zone;
};

// Names used in the API: "relay"/"key"/"account", "hour"/"day", "api_keys"/"accounts"/"models".
QString usageScopeName(UsageScope scope);
std::optional<UsageScope> usageScopeFromName(const QString &name);
std::optional<UsageGranularity> usageGranularityFromName(const QString &name);
std::optional<UsageTopDimension> usageTopDimensionFromName(const QString &name);
QString usageTopDimensionName(UsageTopDimension dimension);
std::optional<Usage::UsageMetric> usageMetricFromName(const QString &name);

} // namespace Relay::Admin
