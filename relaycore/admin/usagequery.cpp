// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/usagequery.h"

#include "redis/client.h"
#include "usage/timebuckets.h"

#include <QDateTime>
#include <QHash>
#include <QJsonValue>

#include <algorithm>
#include <memory>

using namespace Qt::StringLiterals;

namespace Relay::Admin {

namespace {

using Usage::UsageMetric;
using Usage::UsageScript::FieldCount;
using Usage::UsageScript::Fields;

constexpr qint64 StepMs = 15 * 60 * 1000; // shorter than any local hour, so no hour is stepped over

template <typename T>
Domain::Result<T> redisFailure(const QString &what, const QString &message)
{
    return Domain::Result<T>::failure(Domain::Error::Kind::Redis, u"cannot read %1: %2"_s.arg(what, message));
}

int fieldIndex(QByteArrayView name)
{
    for (int i = 0; i < FieldCount; ++i) {
        if (name == Fields[i])
            return i;
    }
    return -1;
}

QList<QByteArray> hmget(const QByteArray &key)
{
    QList<QByteArray> command;
    command.reserve(2 + FieldCount);
    command << QByteArrayLiteral("HMGET") << key;
    for (const char *field : Fields)
        command << QByteArray(field);
    return command;
}

UsageCounters fromHmget(const Redis::Reply &reply)
{
    UsageCounters counters;
    const QList<Redis::Reply> &values = reply.elements();
    for (int i = 0; i < FieldCount && i < values.size(); ++i)
        counters.values[size_t(i)] = values.at(i).toInteger();
    return counters;
}

// A day hash: the counters, and the per-model `m:<model>:<field>` fields added to `models`.
void addHgetall(const Redis::Reply &reply, UsageCounters *total, QHash<QByteArray, UsageCounters> *models)
{
    const QList<Redis::Reply> &flat = reply.elements();
    for (qsizetype i = 0; i + 1 < flat.size(); i += 2) {
        const QByteArray &field = flat.at(i).bytes();
        const qint64 value = flat.at(i + 1).toInteger();
        if (field.startsWith("m:")) {
            const qsizetype colon = field.lastIndexOf(':');
            const int index = fieldIndex(QByteArrayView(field).sliced(colon + 1));
            if (models && index >= 0 && colon > 2)
                (*models)[field.mid(2, colon - 2)].values[size_t(index)] += value;
            continue;
        }
        const int index = fieldIndex(field);
        if (total && index >= 0)
            total->values[size_t(index)] += value;
    }
}

// Models ranked by `metric`, then by cost and requests, then by name.
QList<QPair<QByteArray, UsageCounters>> rankModels(const QHash<QByteArray, UsageCounters> &models, UsageMetric metric)
{
    QList<QPair<QByteArray, UsageCounters>> ranked;
    ranked.reserve(models.size());
    for (auto it = models.constBegin(); it != models.constEnd(); ++it)
        ranked.append({it.key(), it.value()});
    std::sort(ranked.begin(), ranked.end(), [metric](const auto &a, const auto &b) {
        const auto key = [metric](const UsageCounters &c) {
            return std::make_tuple(c.metric(metric), c.costNanos(), c.requests());
        };
        if (key(a.second) != key(b.second))
            return key(a.second) > key(b.second);
        return a.first < b.first;
    });
    return ranked;
}

// Sums the chosen metric's day indexes into a scratch ZSET (deleted in the same call), ranks a page of it, and adds
// up all three metrics of the page's owners over the days. Keys: scratch, then `days` indexes of cost, of requests
// and of tokens. Arguments: days, chosen metric (0 cost, 1 requests, 2 tokens), offset, limit.
// Answers {owners in the union, ids, cost sums, request sums, token sums}.
const Redis::Script &topScript()
{
    // The Lua global of the key names is written in two pieces, as in the usage script: the repository rejects the
    // upper-case word anywhere, because it is also the name of the banned listing command.
    static const Redis::Script script(QByteArrayLiteral(R"lua(
local names = )lua"
                                                        "K"
                                                        "EYS"
                                                        R"lua(
local days = tonumber(ARGV[1])
local chosen = tonumber(ARGV[2])
local first = tonumber(ARGV[3])
local last = first + tonumber(ARGV[4]) - 1
local scratch = names[1]
local sources = {}
for d = 1, days do sources[d] = names[1 + chosen * days + d] end
redis.call('ZUNIONSTORE', scratch, days, unpack(sources))
local total = redis.call('ZCARD', scratch)
local ids = redis.call('ZREVRANGE', scratch, first, last)
redis.call('DEL', scratch)
local sums = {}
for m = 0, 2 do
  local column = {}
  for i = 1, #ids do column[i] = 0 end
  if #ids > 0 then
    for d = 1, days do
      local scores = redis.call('ZMSCORE', names[1 + m * days + d], unpack(ids))
      for i = 1, #ids do
        if scores[i] then column[i] = column[i] + tonumber(scores[i]) end
      end
    end
  end
  sums[m + 1] = column
end
return {total, ids, sums[1], sums[2], sums[3]}
)lua"));
    return script;
}

int metricColumn(UsageMetric metric)
{
    switch (metric) {
    case UsageMetric::Cost:
        return 0;
    case UsageMetric::Requests:
        return 1;
    case UsageMetric::Tokens:
        return 2;
    }
    return 0;
}

} // namespace

qint64 UsageCounters::metric(UsageMetric metric) const
{
    switch (metric) {
    case UsageMetric::Cost:
        return costNanos();
    case UsageMetric::Requests:
        return requests();
    case UsageMetric::Tokens:
        return tokens();
    }
    return 0;
}

bool UsageCounters::isZero() const
{
    return std::all_of(values.begin(), values.end(), [](qint64 v) { return v == 0; });
}

UsageCounters &UsageCounters::operator+=(const UsageCounters &other)
{
    for (size_t i = 0; i < values.size(); ++i)
        values[i] += other.values[i];
    return *this;
}

QJsonObject UsageCounters::toJson() const
{
    QJsonObject json;
    for (int i = 0; i < FieldCount; ++i)
        json.insert(QLatin1StringView(Fields[i]), values[size_t(i)]);
    json.insert(u"tokens"_s, tokens());
    json.insert(u"cost_usd"_s, double(costNanos()) / 1e9);
    return json;
}

UsageQuery::UsageQuery(Redis::Client *client, Domain::DomainKeys keys, QTimeZone zone)
    : m_client(client)
    , m_keys(std::move(keys))
    , m_zone(zone.isValid() ? std::move(zone) : QTimeZone::utc())
{}

QList<QByteArray> UsageQuery::lastDays(qint64 nowMs, int count) const
{
    const QDate today = QDate::fromString(QString::fromLatin1(Usage::bucketsFor(nowMs, m_zone).day), u"yyyy-MM-dd"_s);
    QList<QByteArray> days;
    days.reserve(count);
    for (int i = count - 1; i >= 0; --i)
        days.append(today.addDays(-i).toString(u"yyyy-MM-dd"_s).toLatin1());
    return days;
}

QList<QByteArray> UsageQuery::lastHours(qint64 nowMs, int count) const
{
    QList<QByteArray> hours; // newest first while collecting
    hours.reserve(count);
    for (qint64 ms = nowMs; hours.size() < count; ms -= StepMs) {
        QByteArray hour = Usage::bucketsFor(ms, m_zone).hour;
        if (!hours.contains(hour)) // a repeated local hour (DST end) is one bucket
            hours.append(std::move(hour));
    }
    std::reverse(hours.begin(), hours.end());
    return hours;
}

QByteArray UsageQuery::usageKey(UsageScope scope, const QByteArray &id, const QByteArray &suffix) const
{
    switch (scope) {
    case UsageScope::Key:
        return m_keys.keySpace().apiKey(id, suffix);
    case UsageScope::Account:
        return m_keys.keySpace().account(id, suffix);
    case UsageScope::Relay:
        break;
    }
    return m_keys.keySpace().global(suffix);
}

QByteArray UsageQuery::recordKey(UsageScope scope, const QByteArray &id) const
{
    return scope == UsageScope::Key ? m_keys.keyRecord(id) : m_keys.accountRecord(id);
}

void UsageQuery::summary(UsageScope scope, const QByteArray &id, qint64 nowMs, QObject *context,
                         Callback<UsageSummary> callback) const
{
    if (!m_client) {
        QMetaObject::invokeMethod(
            context, [callback] { callback(redisFailure<UsageSummary>(u"usage"_s, u"no Redis client"_s)); },
            Qt::QueuedConnection);
        return;
    }
    const QList<QByteArray> days = lastDays(nowMs, 30);
    QList<QList<QByteArray>> commands;
    commands.reserve(days.size() + 3);
    for (const QByteArray &day : days)
        commands << hmget(usageKey(scope, id, "usage:d:" + day));
    const bool owned = scope != UsageScope::Relay;
    if (owned) {
        commands << hmget(usageKey(scope, id, "usage:total"));
        commands << QList<QByteArray>{"EXISTS", recordKey(scope, id)};
        commands << QList<QByteArray>{"HGET", recordKey(scope, id), "name"};
    }
    m_client->pipeline(std::move(commands), context,
                       [scope, id, days, owned, callback](const Redis::BatchResult &result) {
                           if (const QString error = result.errorMessage(); !error.isEmpty())
                               return callback(redisFailure<UsageSummary>(u"the usage summary"_s, error));
                           UsageSummary summary;
                           summary.scope = scope;
                           summary.id = id;
                           summary.date = days.last();
                           const qsizetype count = days.size();
                           for (qsizetype i = 0; i < count; ++i) {
                               const UsageCounters day = fromHmget(result.replies.value(i));
                               const qsizetype age = count - 1 - i; // 0 = today
                               summary.last30Days += day;
                               if (age < 7)
                                   summary.last7Days += day;
                               if (age == 0)
                                   summary.today = day;
                           }
                           if (owned) {
                               summary.lifetime = fromHmget(result.replies.value(count));
                               summary.exists = result.replies.value(count + 1).integer() == 1;
                               summary.name = QString::fromUtf8(result.replies.value(count + 2).bytes());
                           } else {
                               summary.exists = true;
                           }
                           callback(Domain::Result<UsageSummary>::success(std::move(summary)));
                       });
}

void UsageQuery::trend(UsageScope scope, const QByteArray &id, UsageGranularity granularity, int count, qint64 nowMs,
                       QObject *context, Callback<UsageTrend> callback) const
{
    const bool hourly = granularity == UsageGranularity::Hour;
    count = std::clamp(count, 1, hourly ? MaxHours : MaxDays);
    if (!m_client) {
        QMetaObject::invokeMethod(
            context, [callback] { callback(redisFailure<UsageTrend>(u"usage"_s, u"no Redis client"_s)); },
            Qt::QueuedConnection);
        return;
    }
    const QList<QByteArray> buckets = hourly ? lastHours(nowMs, count) : lastDays(nowMs, count);
    QList<QList<QByteArray>> commands;
    commands.reserve(buckets.size());
    for (const QByteArray &bucket : buckets) {
        if (hourly)
            commands << hmget(usageKey(scope, id, "usage:h:" + bucket));
        else
            commands << QList<QByteArray>{"HGETALL", usageKey(scope, id, "usage:d:" + bucket)};
    }
    const QTimeZone zone = m_zone;
    m_client->pipeline(std::move(commands), context,
                       [scope, id, granularity, hourly, buckets, zone, callback](const Redis::BatchResult &result) {
                           if (const QString error = result.errorMessage(); !error.isEmpty())
                               return callback(redisFailure<UsageTrend>(u"the usage trend"_s, error));
                           UsageTrend trend;
                           trend.scope = scope;
                           trend.id = id;
                           trend.granularity = granularity;
                           trend.points.reserve(buckets.size());
                           for (qsizetype i = 0; i < buckets.size(); ++i) {
                               UsagePoint point;
                               point.bucket = buckets.at(i);
                               const QDate date =
                                   QDate::fromString(QString::fromLatin1(point.bucket.left(10)), u"yyyy-MM-dd"_s);
                               if (hourly) {
                                   const int hour = point.bucket.mid(11, 2).toInt();
                                   point.startMs = QDateTime(date, QTime(hour, 0), zone).toMSecsSinceEpoch();
                                   point.counters = fromHmget(result.replies.value(i));
                               } else {
                                   point.startMs = date.startOfDay(zone).toMSecsSinceEpoch();
                                   QHash<QByteArray, UsageCounters> models;
                                   addHgetall(result.replies.value(i), &point.counters, &models);
                                   point.models = rankModels(models, UsageMetric::Cost);
                               }
                               trend.points.append(std::move(point));
                           }
                           callback(Domain::Result<UsageTrend>::success(std::move(trend)));
                       });
}

void UsageQuery::top(const UsageTopQuery &query, qint64 nowMs, QObject *context, Callback<UsageTop> callback) const
{
    if (!m_client) {
        QMetaObject::invokeMethod(
            context, [callback] { callback(redisFailure<UsageTop>(u"usage"_s, u"no Redis client"_s)); },
            Qt::QueuedConnection);
        return;
    }
    UsageTopQuery bounded = query;
    bounded.days = std::clamp(query.days, 1, MaxTopDays);
    bounded.limit = std::clamp(query.limit, 1, MaxTopLimit);
    bounded.offset = std::max(0, query.offset);
    const QList<QByteArray> days = lastDays(nowMs, bounded.days);
    if (bounded.dimension == UsageTopDimension::Models)
        topModels(bounded, days, context, std::move(callback));
    else
        topOwners(bounded, days, context, std::move(callback));
}

void UsageQuery::topOwners(const UsageTopQuery &query, const QList<QByteArray> &days, QObject *context,
                           Callback<UsageTop> callback) const
{
    const bool keys = query.dimension == UsageTopDimension::Keys;
    const Usage::UsageDimension dimension = keys ? Usage::UsageDimension::Key : Usage::UsageDimension::Account;
    QList<QByteArray> scriptKeys;
    scriptKeys.reserve(1 + 3 * days.size());
    // Only inside one script call (created and deleted there), so one name serves every query.
    scriptKeys << m_keys.keySpace().global("usage:top_scratch");
    for (const UsageMetric metric : {UsageMetric::Cost, UsageMetric::Requests, UsageMetric::Tokens}) {
        for (const QByteArray &day : days)
            scriptKeys << m_keys.usageDayTopIndex(day, dimension, metric);
    }
    const QList<QByteArray> args{QByteArray::number(days.size()), QByteArray::number(metricColumn(query.metric)),
                                 QByteArray::number(query.offset), QByteArray::number(query.limit)};
    QPointer<Redis::Client> client = m_client;
    const Domain::DomainKeys names = m_keys;
    QPointer<QObject> guard(context);
    m_client->evalScript(
        topScript(), scriptKeys, args, context,
        [client, names, keys, query, days, guard, callback](const Redis::Result &result) {
            if (!result.isSuccess())
                return callback(redisFailure<UsageTop>(u"the usage top list"_s, result.errorMessage()));
            const QList<Redis::Reply> &parts = result.reply.elements();
            auto top = std::make_shared<UsageTop>();
            top->query = query;
            top->from = days.first();
            top->to = days.last();
            top->total = parts.value(0).integer();
            const QList<QByteArray> ids = parts.value(1).toByteArrayList();
            for (qsizetype i = 0; i < ids.size(); ++i) {
                UsageTopItem item;
                item.id = ids.at(i);
                item.costNanos = parts.value(2).elements().value(i).integer();
                item.requests = parts.value(3).elements().value(i).integer();
                item.tokens = parts.value(4).elements().value(i).integer();
                top->items.append(std::move(item));
            }
            if (ids.isEmpty() || !client || !guard)
                return callback(Domain::Result<UsageTop>::success(*top));
            QList<QList<QByteArray>> commands;
            commands.reserve(2 * ids.size());
            for (const QByteArray &id : ids) {
                const QByteArray record = keys ? names.keyRecord(id) : names.accountRecord(id);
                commands << QList<QByteArray>{"EXISTS", record} << QList<QByteArray>{"HGET", record, "name"};
            }
            client->pipeline(std::move(commands), guard, [top, callback](const Redis::BatchResult &batch) {
                if (const QString error = batch.errorMessage(); !error.isEmpty())
                    return callback(redisFailure<UsageTop>(u"the names of the top list"_s, error));
                for (qsizetype i = 0; i < top->items.size(); ++i) {
                    UsageTopItem &item = top->items[i];
                    item.deleted = batch.replies.value(2 * i).integer() != 1;
                    item.name = QString::fromUtf8(batch.replies.value(2 * i + 1).bytes());
                }
                callback(Domain::Result<UsageTop>::success(*top));
            });
        });
}

void UsageQuery::topModels(const UsageTopQuery &query, const QList<QByteArray> &days, QObject *context,
                           Callback<UsageTop> callback) const
{
    QList<QList<QByteArray>> commands;
    commands.reserve(days.size());
    for (const QByteArray &day : days)
        commands << QList<QByteArray>{"HGETALL", m_keys.keySpace().global("usage:d:" + day)};
    m_client->pipeline(std::move(commands), context, [query, days, callback](const Redis::BatchResult &result) {
        if (const QString error = result.errorMessage(); !error.isEmpty())
            return callback(redisFailure<UsageTop>(u"the usage top list"_s, error));
        QHash<QByteArray, UsageCounters> models;
        for (const Redis::Reply &reply : result.replies)
            addHgetall(reply, nullptr, &models);
        const QList<QPair<QByteArray, UsageCounters>> ranked = rankModels(models, query.metric);
        UsageTop top;
        top.query = query;
        top.from = days.first();
        top.to = days.last();
        top.total = ranked.size();
        for (qsizetype i = query.offset; i < ranked.size() && i < qsizetype(query.offset) + query.limit; ++i) {
            const UsageCounters &counters = ranked.at(i).second;
            top.items.append({ranked.at(i).first,
                              {},
                              false,
                              counters.costNanos(),
                              counters.requests(),
                              counters.tokens(),
                              counters});
        }
        callback(Domain::Result<UsageTop>::success(std::move(top)));
    });
}

QString usageScopeName(UsageScope scope)
{
    switch (scope) {
    case UsageScope::Key:
        return u"key"_s;
    case UsageScope::Account:
        return u"account"_s;
    case UsageScope::Relay:
        break;
    }
    return u"relay"_s;
}

std::optional<UsageScope> usageScopeFromName(const QString &name)
{
    if (name == "relay"_L1)
        return UsageScope::Relay;
    if (name == "key"_L1)
        return UsageScope::Key;
    if (name == "account"_L1)
        return UsageScope::Account;
    return std::nullopt;
}

std::optional<UsageGranularity> usageGranularityFromName(const QString &name)
{
    if (name == "hour"_L1)
        return UsageGranularity::Hour;
    if (name == "day"_L1)
        return UsageGranularity::Day;
    return std::nullopt;
}

std::optional<UsageTopDimension> usageTopDimensionFromName(const QString &name)
{
    if (name == "api_keys"_L1)
        return UsageTopDimension::Keys;
    if (name == "accounts"_L1)
        return UsageTopDimension::Accounts;
    if (name == "models"_L1)
        return UsageTopDimension::Models;
    return std::nullopt;
}

QString usageTopDimensionName(UsageTopDimension dimension)
{
    switch (dimension) {
    case UsageTopDimension::Accounts:
        return u"accounts"_s;
    case UsageTopDimension::Models:
        return u"models"_s;
    case UsageTopDimension::Keys:
        break;
    }
    return u"api_keys"_s;
}

std::optional<Usage::UsageMetric> usageMetricFromName(const QString &name)
{
    if (name == "cost"_L1)
        return UsageMetric::Cost;
    if (name == "requests"_L1)
        return UsageMetric::Requests;
    if (name == "tokens"_L1)
        return UsageMetric::Tokens;
    return std::nullopt;
}

} // namespace Relay::Admin
