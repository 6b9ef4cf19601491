// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/redisroutes.h"

#include "admin/admincontext.h"
#include "admin/adminrouter.h"
#include "admin/redisinspector.h"

#include <QJsonArray>
#include <QSet>

#include <cmath>

namespace Relay::Admin {

namespace {

const QString Tag = QStringLiteral("redis");

QJsonObject type(const char *name)
{
    return QJsonObject{{QStringLiteral("type"), QLatin1StringView(name)}};
}

QJsonObject object(const QJsonObject &properties)
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("object")}, {QStringLiteral("properties"), properties}};
}

QJsonObject arrayOf(const QJsonObject &items)
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("array")}, {QStringLiteral("items"), items}};
}

QJsonObject itemsOf(const QJsonObject &item)
{
    return object(QJsonObject{{QStringLiteral("items"), arrayOf(item)}});
}

QJsonObject slowlogConfigSchema()
{
    return object(
        QJsonObject{{QStringLiteral("slower_than_us"), type("integer")}, {QStringLiteral("max_len"), type("integer")}});
}

RouteDoc doc(const char *operationId, const char *summary, QList<RouteDoc::Param> query = {}, QJsonObject response = {})
{
    RouteDoc d;
    d.operationId = QLatin1StringView(operationId).toString();
    d.summary = QLatin1StringView(summary).toString();
    d.tag = Tag;
    d.query = std::move(query);
    d.response = std::move(response);
    return d;
}

RedisInspector::Callback answer(AdminCallback callback)
{
    return [callback = std::move(callback)](const QJsonValue &value, const AdminError &error) {
        callback(error ? AdminResult::failure(error) : AdminResult::json(value));
    };
}

AdminResult noRedis()
{
    return AdminResult::failure(AdminError::unavailable(QStringLiteral("no Redis connection")));
}

const QStringList DefaultSections = {QStringLiteral("server"), QStringLiteral("clients"),
                                     QStringLiteral("memory"), QStringLiteral("persistence"),
                                     QStringLiteral("stats"),  QStringLiteral("keyspace")};

// "server, Clients" → {"server","clients"}; an error for names that are not INFO sections.
QStringList parseSections(const QString &text, AdminError *error)
{
    if (text.trimmed().isEmpty())
        return DefaultSections;
    QStringList sections;
    for (const QString &part : text.split(u',')) {
        const QString name = part.trimmed().toLower();
        const bool wellFormed =
            !name.isEmpty() && name.size() <= 32 &&
            std::all_of(name.begin(), name.end(), [](QChar c) { return (c >= u'a' && c <= u'z') || c == u'_'; });
        // all/everything/default mix sections into one list: ask for the sections by name instead.
        if (!wellFormed || name == u"all" || name == u"everything" || name == u"default") {
            *error = AdminError::validation(
                QJsonObject{{QStringLiteral("section"),
                             QStringLiteral("comma-separated INFO section names such as server,clients,memory")}});
            return {};
        }
        if (!sections.contains(name))
            sections.append(name);
    }
    if (sections.size() > 20) {
        *error =
            AdminError::validation(QJsonObject{{QStringLiteral("section"), QStringLiteral("at most 20 sections")}});
        return {};
    }
    return sections;
}

// An integer field of a JSON body within [min, max], or an entry in `fields`.
std::optional<qint64> integerField(const QJsonObject &body, const QString &name, qint64 min, qint64 max,
                                   QJsonObject *fields)
{
    if (!body.contains(name))
        return std::nullopt;
    const QJsonValue value = body.value(name);
    const double number = value.toDouble();
    if (!value.isDouble() || std::floor(number) != number || number < double(min) || number > double(max)) {
        fields->insert(name, QStringLiteral("must be an integer from %1 to %2").arg(min).arg(max));
        return std::nullopt;
    }
    return qint64(number);
}

} // namespace

void registerRedisRoutes(AdminRouter &router, const AdminContext &context, QObject *owner)
{
    Redis::Client *client = context.redis;
    const RedisInspector inspector(client, owner);

    const QJsonObject slowlogEntry = object(QJsonObject{{QStringLiteral("id"), type("integer")},
                                                        {QStringLiteral("time"), type("integer")},
                                                        {QStringLiteral("duration_us"), type("integer")},
                                                        {QStringLiteral("command"), arrayOf(type("string"))},
                                                        {QStringLiteral("client_addr"), type("string")},
                                                        {QStringLiteral("client_name"), type("string")}});
    router.add(QByteArrayLiteral("GET"), QStringLiteral("/admin/redis/slowlog"),
               doc("redis.slowlog", "Redis SLOWLOG entries, newest first (passwords redacted)",
                   {{QStringLiteral("count"), QStringLiteral("entries to return (default 128, max 1024)"),
                     QStringLiteral("integer")}},
                   object(QJsonObject{{QStringLiteral("length"), type("integer")},
                                      {QStringLiteral("items"), arrayOf(slowlogEntry)}})),
               [client, inspector](const AdminRequest &request, AdminCallback callback) {
                   if (!client)
                       return callback(noRedis());
                   AdminError error;
                   const qint64 count = request.queryInt(QStringLiteral("count"), RedisInspector::DefaultSlowlogCount,
                                                         1, RedisInspector::MaxSlowlogCount, &error);
                   if (error)
                       return callback(AdminResult::failure(error));
                   inspector.slowlog(int(count), answer(std::move(callback)));
               });

    RouteDoc resetDoc = doc("redis.slowlog.reset", "Empty the Redis SLOWLOG", {},
                            object(QJsonObject{{QStringLiteral("reset"), type("boolean")}}));
    router.add(QByteArrayLiteral("POST"), QStringLiteral("/admin/redis/slowlog/reset"), resetDoc,
               [client, inspector](const AdminRequest &, AdminCallback callback) {
                   if (!client)
                       return callback(noRedis());
                   inspector.resetSlowlog(answer(std::move(callback)));
               });

    router.add(QByteArrayLiteral("GET"), QStringLiteral("/admin/redis/commandstats"),
               doc("redis.commandstats", "Per-command call counts and times from INFO commandstats",
                   {{QStringLiteral("sort"), QStringLiteral("calls, usec (default) or usec_per_call; descending")}},
                   itemsOf(object(QJsonObject{{QStringLiteral("command"), type("string")},
                                              {QStringLiteral("calls"), type("integer")},
                                              {QStringLiteral("usec"), type("integer")},
                                              {QStringLiteral("usec_per_call"), type("number")},
                                              {QStringLiteral("rejected_calls"), type("integer")},
                                              {QStringLiteral("failed_calls"), type("integer")}}))),
               [client, inspector](const AdminRequest &request, AdminCallback callback) {
                   if (!client)
                       return callback(noRedis());
                   const QString sort = request.queryValue(QStringLiteral("sort"), QStringLiteral("usec"));
                   RedisInspector::StatsSort by = RedisInspector::StatsSort::Usec;
                   if (sort == u"calls")
                       by = RedisInspector::StatsSort::Calls;
                   else if (sort == u"usec_per_call")
                       by = RedisInspector::StatsSort::UsecPerCall;
                   else if (sort != u"usec")
                       return callback(AdminResult::failure(AdminError::validation(QJsonObject{
                           {QStringLiteral("sort"), QStringLiteral("one of calls, usec, usec_per_call")}})));
                   inspector.commandStats(by, answer(std::move(callback)));
               });

    router.add(QByteArrayLiteral("GET"), QStringLiteral("/admin/redis/info"),
               doc("redis.info", "INFO sections as objects (numbers as numbers, keyspace entries as objects)",
                   {{QStringLiteral("section"),
                     QStringLiteral("comma-separated sections (default server,clients,memory,persistence,stats,"
                                    "keyspace)")}}),
               [client, inspector](const AdminRequest &request, AdminCallback callback) {
                   if (!client)
                       return callback(noRedis());
                   AdminError error;
                   const QStringList sections = parseSections(request.queryValue(QStringLiteral("section")), &error);
                   if (error)
                       return callback(AdminResult::failure(error));
                   inspector.info(sections, answer(std::move(callback)));
               });

    router.add(QByteArrayLiteral("GET"), QStringLiteral("/admin/redis/latency"),
               doc("redis.latency", "LATENCY LATEST: the latest and worst spike of each monitored event", {},
                   itemsOf(object(QJsonObject{{QStringLiteral("event"), type("string")},
                                              {QStringLiteral("time"), type("integer")},
                                              {QStringLiteral("latest_ms"), type("integer")},
                                              {QStringLiteral("max_ms"), type("integer")}}))),
               [client, inspector](const AdminRequest &, AdminCallback callback) {
                   if (!client)
                       return callback(noRedis());
                   inspector.latency(answer(std::move(callback)));
               });

    router.add(QByteArrayLiteral("GET"), QStringLiteral("/admin/redis/dbsize"),
               doc("redis.dbsize", "Number of keys in the relay's database", {},
                   object(QJsonObject{{QStringLiteral("db_keys"), type("integer")}})),
               [client, inspector](const AdminRequest &, AdminCallback callback) {
                   if (!client)
                       return callback(noRedis());
                   inspector.dbSize(answer(std::move(callback)));
               });

    router.add(
        QByteArrayLiteral("GET"), QStringLiteral("/admin/redis/memory"),
        doc("redis.memory",
            "Memory by key prefix, estimated from a bounded SCAN sample and MEMORY USAGE, extrapolated by DBSIZE",
            {{QStringLiteral("samples"), QStringLiteral("keys to sample (default 1000, max 10000)"),
              QStringLiteral("integer")}},
            object(QJsonObject{{QStringLiteral("db_keys"), type("integer")},
                               {QStringLiteral("samples"), type("integer")},
                               {QStringLiteral("sampled_keys"), type("integer")},
                               {QStringLiteral("sampled_bytes"), type("integer")},
                               {QStringLiteral("estimated_bytes"), type("integer")},
                               {QStringLiteral("complete"), type("boolean")},
                               {QStringLiteral("items"),
                                arrayOf(object(QJsonObject{{QStringLiteral("prefix"), type("string")},
                                                           {QStringLiteral("sampled_keys"), type("integer")},
                                                           {QStringLiteral("sampled_bytes"), type("integer")},
                                                           {QStringLiteral("estimated_keys"), type("integer")},
                                                           {QStringLiteral("estimated_bytes"), type("integer")}}))}})),
        [client, inspector](const AdminRequest &request, AdminCallback callback) {
            if (!client)
                return callback(noRedis());
            AdminError error;
            const qint64 samples = request.queryInt(QStringLiteral("samples"), RedisInspector::DefaultMemorySamples, 1,
                                                    RedisInspector::MaxMemorySamples, &error);
            if (error)
                return callback(AdminResult::failure(error));
            inspector.memoryByPrefix(int(samples), answer(std::move(callback)));
        });

    router.add(QByteArrayLiteral("GET"), QStringLiteral("/admin/redis/config/slowlog"),
               doc("redis.config.slowlog.get", "The SLOWLOG settings (slowlog-log-slower-than, slowlog-max-len)", {},
                   slowlogConfigSchema()),
               [client, inspector](const AdminRequest &, AdminCallback callback) {
                   if (!client)
                       return callback(noRedis());
                   inspector.slowlogConfig(answer(std::move(callback)));
               });

    RouteDoc setDoc = doc("redis.config.slowlog.update",
                          "Change the SLOWLOG settings (CONFIG SET; the only configuration the admin API changes)", {},
                          slowlogConfigSchema());
    setDoc.requestBody = slowlogConfigSchema();
    router.add(
        QByteArrayLiteral("PUT"), QStringLiteral("/admin/redis/config/slowlog"), setDoc,
        [client, inspector](const AdminRequest &request, AdminCallback callback) {
            if (!client)
                return callback(noRedis());
            AdminError error;
            const QJsonObject body = request.jsonBody(&error);
            if (error)
                return callback(AdminResult::failure(error));
            QJsonObject fields;
            const auto slower = integerField(body, QStringLiteral("slower_than_us"), -1, qint64(1) << 40, &fields);
            const auto maxLength =
                integerField(body, QStringLiteral("max_len"), 0, RedisInspector::MaxSlowlogLength, &fields);
            for (auto it = body.begin(); it != body.end(); ++it) {
                if (it.key() != u"slower_than_us" && it.key() != u"max_len")
                    fields.insert(it.key(), QStringLiteral("unknown field"));
            }
            if (fields.isEmpty() && !slower && !maxLength)
                fields.insert(QStringLiteral("slower_than_us"), QStringLiteral("give slower_than_us, max_len or both"));
            if (!fields.isEmpty())
                return callback(AdminResult::failure(AdminError::validation(fields)));
            inspector.setSlowlogConfig(slower, maxLength, answer(std::move(callback)));
        });
}

} // namespace Relay::Admin
