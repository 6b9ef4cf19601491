// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/usageroutes.h"

#include "admin/admincontext.h"
#include "admin/adminrouter.h"
#include "admin/usagequery.h"
#include "domain/apikey.h"

#include <QDateTime>
#include <QJsonArray>
#include <QPointer>

using namespace Qt::StringLiterals;

namespace Relay::Admin {

namespace {

constexpr qint64 DefaultTopLimit = 50;
constexpr qint64 MaxOffset = 1'000'000;
constexpr int DefaultHours = 24;
constexpr int DefaultDays = 30;
constexpr int DefaultTopDays = 7;
constexpr int PerIdTrendDays = 30;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// Query parameters checked one by one, every problem collected (one 422 lists them all).
class QueryCheck
{
public:
    explicit QueryCheck(const AdminRequest &request)
        : m_request(request)
    {}

    qint64 integer(const QString &name, qint64 fallback, qint64 min, qint64 max)
    {
        if (!m_request.query.hasQueryItem(name))
            return fallback;
        bool ok = false;
        const qint64 value = m_request.queryValue(name).toLongLong(&ok);
        if (!ok || value < min || value > max) {
            fail(name, u"must be an integer from %1 to %2"_s.arg(min).arg(max));
            return fallback;
        }
        return value;
    }

    template <typename T, typename Parse>
    T choice(const QString &name, T fallback, Parse parse, const QString &allowed)
    {
        if (!m_request.query.hasQueryItem(name))
            return fallback;
        const auto parsed = parse(m_request.queryValue(name));
        if (!parsed) {
            fail(name, u"must be %1"_s.arg(allowed));
            return fallback;
        }
        return *parsed;
    }

    void fail(const QString &name, const QString &problem)
    {
        if (!m_fields.contains(name))
            m_fields.insert(name, problem);
    }
    bool has(const QString &name) const { return m_fields.contains(name); }

    // True (after answering 422) when a parameter was wrong.
    bool failed(const AdminCallback &callback) const
    {
        if (m_fields.isEmpty())
            return false;
        callback(AdminResult::failure(AdminError::validation(m_fields, u"invalid query parameters"_s)));
        return true;
    }

private:
    const AdminRequest &m_request;
    QJsonObject m_fields;
};

struct Who
{
    UsageScope scope = UsageScope::Relay;
    QByteArray id;
};

// scope (default relay) and id (required for key and account, not allowed for relay).
Who readWho(const AdminRequest &request, QueryCheck &check)
{
    Who who;
    who.scope = check.choice(u"scope"_s, UsageScope::Relay, usageScopeFromName, u"relay, key or account"_s);
    const bool hasId = request.query.hasQueryItem(u"id"_s);
    who.id = request.queryValue(u"id"_s).toUtf8();
    if (check.has(u"scope"_s))
        return who;
    if (who.scope == UsageScope::Relay) {
        if (hasId)
            check.fail(u"id"_s, u"not allowed with scope relay"_s);
    } else if (who.id.isEmpty()) {
        check.fail(u"id"_s, u"required with scope %1"_s.arg(usageScopeName(who.scope)));
    } else if (!Domain::isValidId(who.id)) {
        check.fail(u"id"_s, u"must be 1 to 64 characters of A-Z a-z 0-9 _ -"_s);
    }
    return who;
}

QJsonObject countersWith(const UsageCounters &counters, QJsonObject head)
{
    const QJsonObject body = counters.toJson();
    for (auto it = body.constBegin(); it != body.constEnd(); ++it)
        head.insert(it.key(), it.value());
    return head;
}

QJsonObject summaryJson(const UsageSummary &summary, const QTimeZone &zone)
{
    QJsonObject json{
        {u"scope"_s, usageScopeName(summary.scope)},    {u"time_zone"_s, QString::fromLatin1(zone.id())},
        {u"date"_s, QString::fromLatin1(summary.date)}, {u"today"_s, summary.today.toJson()},
        {u"last_7_days"_s, summary.last7Days.toJson()}, {u"last_30_days"_s, summary.last30Days.toJson()},
    };
    if (summary.scope != UsageScope::Relay) {
        json.insert(u"id"_s, QString::fromUtf8(summary.id));
        json.insert(u"name"_s, summary.name);
        json.insert(u"deleted"_s, !summary.exists);
        json.insert(u"lifetime"_s, summary.lifetime.toJson());
    }
    return json;
}

QJsonArray pointsJson(const UsageTrend &trend)
{
    QJsonArray points;
    for (const UsagePoint &point : trend.points) {
        QJsonObject json = countersWith(
            point.counters, {{u"bucket"_s, QString::fromLatin1(point.bucket)}, {u"start_at"_s, point.startMs}});
        if (trend.granularity == UsageGranularity::Day) {
            QJsonArray models;
            for (const auto &[model, counters] : point.models)
                models.append(countersWith(counters, {{u"model"_s, QString::fromLatin1(model)}}));
            json.insert(u"models"_s, models);
        }
        points.append(json);
    }
    return points;
}

QJsonObject trendJson(const UsageTrend &trend, const QTimeZone &zone)
{
    QJsonObject json{
        {u"scope"_s, usageScopeName(trend.scope)},
        {u"granularity"_s, trend.granularity == UsageGranularity::Hour ? u"hour"_s : u"day"_s},
        {u"time_zone"_s, QString::fromLatin1(zone.id())},
        {u"points"_s, pointsJson(trend)},
    };
    if (trend.scope != UsageScope::Relay)
        json.insert(u"id"_s, QString::fromUtf8(trend.id));
    return json;
}

QString metricName(Usage::UsageMetric metric)
{
    return QString::fromLatin1(Usage::UsageIndex::metricName(metric));
}

QJsonObject topJson(const UsageTop &top)
{
    QJsonArray items;
    qint64 rank = top.query.offset;
    for (const UsageTopItem &item : top.items) {
        ++rank;
        if (top.query.dimension == UsageTopDimension::Models) {
            items.append(countersWith(item.counters, {{u"rank"_s, rank}, {u"model"_s, QString::fromLatin1(item.id)}}));
            continue;
        }
        items.append(QJsonObject{{u"rank"_s, rank},
                                 {u"id"_s, QString::fromUtf8(item.id)},
                                 {u"name"_s, item.name},
                                 {u"deleted"_s, item.deleted},
                                 {u"requests"_s, item.requests},
                                 {u"tokens"_s, item.tokens},
                                 {u"cost_nanos"_s, item.costNanos},
                                 {u"cost_usd"_s, double(item.costNanos) / 1e9}});
    }
    return QJsonObject{{u"dimension"_s, usageTopDimensionName(top.query.dimension)},
                       {u"metric"_s, metricName(top.query.metric)},
                       {u"days"_s, top.query.days},
                       {u"from"_s, QString::fromLatin1(top.from)},
                       {u"to"_s, QString::fromLatin1(top.to)},
                       {u"items"_s, items},
                       {u"total"_s, top.total},
                       {u"offset"_s, top.query.offset},
                       {u"limit"_s, top.query.limit}};
}

// Everything the handlers share; copied into each handler.
struct UsageRoutes
{
    UsageQuery query;
    QPointer<QObject> owner;

    void summary(const AdminRequest &request, const AdminCallback &callback) const
    {
        QueryCheck check(request);
        const Who who = readWho(request, check);
        if (check.failed(callback))
            return;
        const QTimeZone zone = query.timeZone();
        query.summary(who.scope, who.id, nowMs(), owner, [zone, callback](const Domain::Result<UsageSummary> &result) {
            if (!result.ok())
                return callback(AdminResult::failure(AdminError::fromDomain(result.error)));
            callback(AdminResult::json(summaryJson(result.value, zone)));
        });
    }

    void trend(const AdminRequest &request, const AdminCallback &callback) const
    {
        QueryCheck check(request);
        const Who who = readWho(request, check);
        const UsageGranularity granularity =
            check.choice(u"granularity"_s, UsageGranularity::Day, usageGranularityFromName, u"hour or day"_s);
        const bool hourly = granularity == UsageGranularity::Hour;
        const int count = int(check.integer(u"count"_s, hourly ? DefaultHours : DefaultDays, 1,
                                            hourly ? UsageQuery::MaxHours : UsageQuery::MaxDays));
        if (check.failed(callback))
            return;
        const QTimeZone zone = query.timeZone();
        query.trend(who.scope, who.id, granularity, count, nowMs(), owner,
                    [zone, callback](const Domain::Result<UsageTrend> &result) {
                        if (!result.ok())
                            return callback(AdminResult::failure(AdminError::fromDomain(result.error)));
                        callback(AdminResult::json(trendJson(result.value, zone)));
                    });
    }

    void top(const AdminRequest &request, const AdminCallback &callback) const
    {
        QueryCheck check(request);
        UsageTopQuery top;
        top.dimension = check.choice(u"dimension"_s, UsageTopDimension::Keys, usageTopDimensionFromName,
                                     u"keys, accounts or models"_s);
        top.metric =
            check.choice(u"metric"_s, Usage::UsageMetric::Cost, usageMetricFromName, u"cost, requests or tokens"_s);
        top.days = int(check.integer(u"days"_s, DefaultTopDays, 1, UsageQuery::MaxTopDays));
        top.offset = int(check.integer(u"offset"_s, 0, 0, MaxOffset));
        top.limit = int(check.integer(u"limit"_s, DefaultTopLimit, 1, UsageQuery::MaxTopLimit));
        if (check.failed(callback))
            return;
        query.top(top, nowMs(), owner, [callback](const Domain::Result<UsageTop> &result) {
            if (!result.ok())
                return callback(AdminResult::failure(AdminError::fromDomain(result.error)));
            callback(AdminResult::json(topJson(result.value)));
        });
    }

    // Summary, then (when the record exists) the 30-day daily trend of one key or account.
    void perId(UsageScope scope, const AdminRequest &request, const AdminCallback &callback) const
    {
        const QByteArray id = request.paramBytes(u"id"_s);
        const QString notFound = scope == UsageScope::Key ? u"no API key with that id"_s : u"no account with that id"_s;
        if (!Domain::isValidId(id))
            return callback(AdminResult::failure(AdminError::notFound(notFound)));
        const UsageRoutes self = *this;
        const qint64 now = nowMs();
        query.summary(scope, id, now, owner,
                      [self, scope, id, now, notFound, callback](const Domain::Result<UsageSummary> &summary) {
                          if (!summary.ok())
                              return callback(AdminResult::failure(AdminError::fromDomain(summary.error)));
                          if (!summary.value.exists)
                              return callback(AdminResult::failure(AdminError::notFound(notFound)));
                          if (!self.owner)
                              return;
                          const QTimeZone zone = self.query.timeZone();
                          self.query.trend(
                              scope, id, UsageGranularity::Day, PerIdTrendDays, now, self.owner,
                              [zone, summary = summary.value, callback](const Domain::Result<UsageTrend> &trend) {
                                  if (!trend.ok())
                                      return callback(AdminResult::failure(AdminError::fromDomain(trend.error)));
                                  QJsonObject json = summaryJson(summary, zone);
                                  json.insert(u"daily"_s, pointsJson(trend.value));
                                  callback(AdminResult::json(json));
                              });
                      });
    }
};

// OpenAPI schemas.
const QJsonObject Integer{{u"type"_s, u"integer"_s}};
const QJsonObject String{{u"type"_s, u"string"_s}};

QJsonObject object(QJsonObject properties)
{
    return QJsonObject{{u"type"_s, u"object"_s}, {u"properties"_s, std::move(properties)}};
}

QJsonObject arrayOf(QJsonObject items)
{
    return QJsonObject{{u"type"_s, u"array"_s}, {u"items"_s, std::move(items)}};
}

QJsonObject countersProperties()
{
    QJsonObject properties;
    for (const char *field : Usage::UsageScript::Fields)
        properties.insert(QLatin1StringView(field), Integer);
    properties.insert(u"tokens"_s, QJsonObject{{u"type"_s, u"integer"_s},
                                               {u"description"_s, u"input + output + cache creation + cache read"_s}});
    properties.insert(u"cost_usd"_s, QJsonObject{{u"type"_s, u"number"_s}});
    return properties;
}

QJsonObject with(QJsonObject properties, const QJsonObject &more)
{
    for (auto it = more.constBegin(); it != more.constEnd(); ++it)
        properties.insert(it.key(), it.value());
    return properties;
}

QJsonObject summaryProperties()
{
    const QJsonObject counters = object(countersProperties());
    return QJsonObject{{u"scope"_s, String},          {u"id"_s, String},
                       {u"name"_s, String},           {u"deleted"_s, QJsonObject{{u"type"_s, u"boolean"_s}}},
                       {u"time_zone"_s, String},      {u"date"_s, String},
                       {u"today"_s, counters},        {u"last_7_days"_s, counters},
                       {u"last_30_days"_s, counters}, {u"lifetime"_s, counters}};
}

QJsonObject pointSchema()
{
    const QJsonObject model = object(with(countersProperties(), {{u"model"_s, String}}));
    return object(
        with(countersProperties(), {{u"bucket"_s, String}, {u"start_at"_s, Integer}, {u"models"_s, arrayOf(model)}}));
}

QJsonObject trendSchema()
{
    return object({{u"scope"_s, String},
                   {u"id"_s, String},
                   {u"granularity"_s, String},
                   {u"time_zone"_s, String},
                   {u"points"_s, arrayOf(pointSchema())}});
}

QJsonObject topSchema()
{
    const QJsonObject item = object(with(countersProperties(), {{u"rank"_s, Integer},
                                                                {u"id"_s, String},
                                                                {u"name"_s, String},
                                                                {u"deleted"_s, QJsonObject{{u"type"_s, u"boolean"_s}}},
                                                                {u"model"_s, String}}));
    return object({{u"dimension"_s, String},
                   {u"metric"_s, String},
                   {u"days"_s, Integer},
                   {u"from"_s, String},
                   {u"to"_s, String},
                   {u"items"_s, arrayOf(item)},
                   {u"total"_s, Integer},
                   {u"offset"_s, Integer},
                   {u"limit"_s, Integer}});
}

RouteDoc doc(const char *operationId, const char *summary, QJsonObject response, QList<RouteDoc::Param> query = {},
             const char *tag = "usage")
{
    RouteDoc d;
    d.operationId = QString::fromLatin1(operationId);
    d.summary = QString::fromLatin1(summary);
    d.tag = QString::fromLatin1(tag);
    d.response = std::move(response);
    d.query = std::move(query);
    return d;
}

} // namespace

void registerUsageRoutes(AdminRouter &router, const AdminContext &context, QObject *owner)
{
    const UsageRoutes routes{UsageQuery(context.redis, context.keys, context.timeZone), owner};
    const RouteDoc::Param scope{u"scope"_s, u"relay (default), key or account"_s};
    const RouteDoc::Param id{u"id"_s, u"the key or account id (with scope key or account)"_s};

    router.add("GET", u"/admin/usage/summary"_s,
               doc("usage.summary",
                   "Usage totals of today, the last 7 and the last 30 days (and the lifetime of a key or account)",
                   object(summaryProperties()), {scope, id}),
               [routes](const AdminRequest &request, AdminCallback callback) { routes.summary(request, callback); });
    router.add("GET", u"/admin/usage/trend"_s,
               doc("usage.trend", "Usage per hour (up to 192) or per day (up to 40, with a per-model breakdown)",
                   trendSchema(),
                   {scope,
                    id,
                    {u"granularity"_s, u"hour or day (default)"_s},
                    {u"count"_s, u"points, ending with the current hour or day (default 24 hours or 30 days)"_s,
                     u"integer"_s}}),
               [routes](const AdminRequest &request, AdminCallback callback) { routes.trend(request, callback); });
    router.add("GET", u"/admin/usage/top"_s,
               doc("usage.top", "The keys, accounts or models that used the most over the last days", topSchema(),
                   {{u"dimension"_s, u"api_keys (default), accounts or models"_s},
                    {u"metric"_s, u"cost (default), requests or tokens"_s},
                    {u"days"_s, u"today and the days before, 1 to 30 (default 7)"_s, u"integer"_s},
                    {u"offset"_s, u"rows to skip (default 0)"_s, u"integer"_s},
                    {u"limit"_s, u"rows to return, 1 to 500 (default 50)"_s, u"integer"_s}}),
               [routes](const AdminRequest &request, AdminCallback callback) { routes.top(request, callback); });

    const QJsonObject perId = object(with(summaryProperties(), {{u"daily"_s, arrayOf(pointSchema())}}));
    router.add("GET", u"/admin/keys/{id}/usage"_s,
               doc("keys.usage", "Usage summary and 30-day daily trend of one API key", perId, {}, "api_keys"),
               [routes](const AdminRequest &request, AdminCallback callback) {
                   routes.perId(UsageScope::Key, request, callback);
               });
    router.add(
        "GET", u"/admin/accounts/{id}/usage"_s,
        doc("accounts.usage", "Usage summary and 30-day daily trend of one upstream account", perId, {}, "accounts"),
        [routes](const AdminRequest &request, AdminCallback callback) {
            routes.perId(UsageScope::Account, request, callback);
        });
}

} // namespace Relay::Admin
