// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/metricsroutes.h"

#include "admin/admincontext.h"
#include "admin/adminrouter.h"
#include "admin/livemetrics.h"
#include "relay/relaycontext.h"
#include "relay/requestlog.h"

#include <QJsonArray>
#include <QPointer>

#include <memory>

namespace Relay::Admin {

namespace {

constexpr int DefaultLimit = 50;
constexpr int MaxLimit = 500;

QJsonObject schema(const char *type, QJsonObject extra = {})
{
    extra.insert(QStringLiteral("type"), QLatin1String(type));
    return extra;
}

QJsonObject objectSchema(const QStringList &required, const QJsonObject &properties)
{
    return QJsonObject{{QStringLiteral("type"), QStringLiteral("object")},
                       {QStringLiteral("required"), QJsonArray::fromStringList(required)},
                       {QStringLiteral("properties"), properties}};
}

QJsonObject requestSchema()
{
    const QJsonObject integer = schema("integer");
    const QJsonObject string = schema("string");
    const QJsonObject nullableString = schema("string", {{QStringLiteral("nullable"), true}});
    const QJsonObject boolean = schema("boolean");
    const QJsonObject timings = objectSchema({}, QJsonObject{{QStringLiteral("auth"), integer},
                                                             {QStringLiteral("limits"), integer},
                                                             {QStringLiteral("account"), integer},
                                                             {QStringLiteral("upstream_sent"), integer},
                                                             {QStringLiteral("first_byte"), integer},
                                                             {QStringLiteral("end"), integer}});
    return objectSchema(
        {QStringLiteral("id"), QStringLiteral("started_at"), QStringLiteral("status"), QStringLiteral("timings_us")},
        QJsonObject{{QStringLiteral("id"), string},
                    {QStringLiteral("started_at"), integer},
                    {QStringLiteral("key_id"), nullableString},
                    {QStringLiteral("key_name"), nullableString},
                    {QStringLiteral("account_id"), nullableString},
                    {QStringLiteral("model"), nullableString},
                    {QStringLiteral("endpoint"), string},
                    {QStringLiteral("stream"), boolean},
                    {QStringLiteral("status"), integer},
                    {QStringLiteral("error_type"), nullableString},
                    {QStringLiteral("attempts"), integer},
                    {QStringLiteral("truncated"), boolean},
                    {QStringLiteral("client_aborted"), boolean},
                    {QStringLiteral("input_tokens"), integer},
                    {QStringLiteral("output_tokens"), integer},
                    {QStringLiteral("duration_ms"), schema("number")},
                    {QStringLiteral("timings_us"), timings}});
}

QJsonObject snapshotSchema()
{
    const QJsonObject windows = schema(
        "array",
        {{QStringLiteral("items"), objectSchema({}, QJsonObject{{QStringLiteral("window_s"), schema("integer")},
                                                                {QStringLiteral("count"), schema("integer")},
                                                                {QStringLiteral("p50_us"), schema("integer")},
                                                                {QStringLiteral("p95_us"), schema("integer")},
                                                                {QStringLiteral("p99_us"), schema("integer")}})}});
    return objectSchema(
        {QStringLiteral("time")},
        QJsonObject{{QStringLiteral("time"), schema("integer")},
                    {QStringLiteral("interval_ms"), schema("integer")},
                    {QStringLiteral("requests_total"), schema("integer")},
                    {QStringLiteral("requests_per_s"), schema("number")},
                    {QStringLiteral("errors_per_s"), schema("object")},
                    {QStringLiteral("failovers_per_s"), schema("number")},
                    {QStringLiteral("tokens_per_s"), schema("object")},
                    {QStringLiteral("latency_us"),
                     objectSchema({}, QJsonObject{{QStringLiteral("total"), windows},
                                                  {QStringLiteral("upstream_first_byte"), windows},
                                                  {QStringLiteral("relay_overhead"), windows}})},
                    {QStringLiteral("redis_round_trip_us"), windows},
                    {QStringLiteral("active_streams"), schema("integer")},
                    {QStringLiteral("in_flight"), schema("integer")},
                    {QStringLiteral("queued_requests"), schema("integer")},
                    {QStringLiteral("queue_waits_per_s"), schema("object")},
                    {QStringLiteral("connections"), schema("integer")},
                    {QStringLiteral("usage_backlog"), schema("integer")},
                    {QStringLiteral("accounts"), schema("array", {{QStringLiteral("items"), schema("object")}})}});
}

// "429", "4xx", "5xx" or "error" (every status from 400).
bool parseStatus(const QString &text, Proxy::RequestLog::Filter *filter)
{
    if (text.isEmpty())
        return true;
    if (text == QLatin1String("error") || text == QLatin1String("errors")) {
        filter->errorsOnly = true;
        return true;
    }
    if (text.size() == 3 && text.endsWith(QLatin1String("xx")) && text.at(0) >= u'1' && text.at(0) <= u'5') {
        filter->statusClass = text.at(0).digitValue();
        return true;
    }
    bool ok = false;
    const int status = text.toInt(&ok);
    if (!ok || status < 100 || status > 599)
        return false;
    filter->status = status;
    return true;
}

void listRequests(Proxy::RelayContext *relay, const AdminRequest &request, const AdminCallback &callback)
{
    AdminError error;
    const qint64 limit = request.queryInt(QStringLiteral("limit"), DefaultLimit, 1, MaxLimit, &error);
    const qint64 offset = request.queryInt(QStringLiteral("offset"), 0, 0, 1'000'000, &error);
    const qint64 minDurationMs =
        request.queryInt(QStringLiteral("min_duration_ms"), 0, 0, qint64(24) * 3600 * 1000, &error);
    Proxy::RequestLog::Filter filter;
    if (!parseStatus(request.queryValue(QStringLiteral("status")), &filter) && !error)
        error = AdminError::validation(
            QJsonObject{{QStringLiteral("status"),
                         QStringLiteral("must be a status code (429), a class (4xx, 5xx) or \"error\"")}},
            QStringLiteral("invalid query parameter status"));
    if (error)
        return callback(AdminResult::failure(error));
    if (!relay)
        return callback(AdminResult::failure(AdminError::unavailable(QStringLiteral("the relay is not running"))));
    filter.keyId = request.queryValue(QStringLiteral("key_id")).toUtf8();
    filter.accountId = request.queryValue(QStringLiteral("account_id")).toUtf8();
    filter.minDurationUs = minDurationMs * 1000;
    const std::vector<Proxy::RequestTiming> found = relay->requestLog().records(filter);
    QJsonArray items;
    for (size_t i = size_t(offset); i < found.size() && i < size_t(offset + limit); ++i)
        items.append(found[i].toJson());
    callback(AdminResult::json(QJsonObject{{QStringLiteral("items"), items},
                                           {QStringLiteral("total"), qint64(found.size())},
                                           {QStringLiteral("offset"), offset},
                                           {QStringLiteral("limit"), limit}}));
}

} // namespace

void registerMetricsRoutes(AdminRouter &router, const AdminContext &context, LiveMetrics *live, QObject *owner)
{
    const QPointer<LiveMetrics> liveMetrics(live);
    QObject *receiver = owner ? owner : live;
    const QString tag = QStringLiteral("metrics");

    RouteDoc liveDoc;
    liveDoc.operationId = QStringLiteral("metrics.live");
    liveDoc.summary = QStringLiteral(
        "Server-sent events: the latest snapshot at once, then one `snapshot` event per second (data: the JSON of "
        "GET /admin/metrics/snapshot).");
    liveDoc.tag = tag;
    router.addStream(QStringLiteral("/admin/metrics/live"), liveDoc,
                     [liveMetrics, receiver](const AdminRequest &, AdminStreamPtr stream) {
                         if (!liveMetrics) {
                             stream->close();
                             return;
                         }
                         if (const QByteArray latest = liveMetrics->latestSnapshotJson(); !latest.isEmpty())
                             stream->send("snapshot", latest);
                         // The connection holds the stream until the client goes; then it is dropped with it.
                         auto connection = std::make_shared<QMetaObject::Connection>();
                         *connection = QObject::connect(liveMetrics.data(), &LiveMetrics::snapshotReady, receiver,
                                                        [liveMetrics, stream, connection] {
                                                            if (!stream->isOpen() || !liveMetrics) {
                                                                QObject::disconnect(*connection);
                                                                return;
                                                            }
                                                            stream->send("snapshot", liveMetrics->latestSnapshotJson());
                                                        });
                         stream->setOnClosed([connection] { QObject::disconnect(*connection); });
                     });

    RouteDoc snapshotDoc;
    snapshotDoc.operationId = QStringLiteral("metrics.snapshot");
    snapshotDoc.summary =
        QStringLiteral("The latest one-second snapshot: rates, percentiles (1 s, 10 s, 60 s windows), "
                       "gauges and account health.");
    snapshotDoc.tag = tag;
    snapshotDoc.response = snapshotSchema();
    router.add("GET", QStringLiteral("/admin/metrics/snapshot"), snapshotDoc,
               [liveMetrics](const AdminRequest &, AdminCallback callback) {
                   if (!liveMetrics || liveMetrics->latestSnapshot().isEmpty())
                       return callback(
                           AdminResult::failure(AdminError::unavailable(QStringLiteral("no snapshot yet"))));
                   callback(AdminResult::json(liveMetrics->latestSnapshot()));
               });

    RouteDoc historyDoc;
    historyDoc.operationId = QStringLiteral("metrics.history");
    historyDoc.summary = QStringLiteral(
        "Metrics history, oldest first: 5m, 15m and 1h at 1 s resolution, 24h at 1 min (the minute in progress "
        "last). Each point is an array in the order of `fields`; minute points sum counts, take percentiles from "
        "the minute's merged histogram and the maximum of gauges.");
    historyDoc.tag = tag;
    historyDoc.query = {{QStringLiteral("window"), QStringLiteral("5m, 15m, 1h (default) or 24h")}};
    historyDoc.response = objectSchema(
        {QStringLiteral("resolution_s"), QStringLiteral("fields"), QStringLiteral("points")},
        QJsonObject{{QStringLiteral("window_s"), schema("integer")},
                    {QStringLiteral("resolution_s"), schema("integer")},
                    {QStringLiteral("fields"), schema("array", {{QStringLiteral("items"), schema("string")}})},
                    {QStringLiteral("points"),
                     schema("array", {{QStringLiteral("items"),
                                       schema("array", {{QStringLiteral("items"), schema("number")}})}})}});
    router.add("GET", QStringLiteral("/admin/metrics/history"), historyDoc,
               [liveMetrics](const AdminRequest &request, AdminCallback callback) {
                   static const QList<QPair<QString, int>> windows{{QStringLiteral("5m"), 300},
                                                                   {QStringLiteral("15m"), 900},
                                                                   {QStringLiteral("1h"), 3600},
                                                                   {QStringLiteral("24h"), 86400}};
                   const QString window = request.queryValue(QStringLiteral("window"), QStringLiteral("1h"));
                   int seconds = 0;
                   for (const auto &w : windows) {
                       if (w.first == window)
                           seconds = w.second;
                   }
                   if (seconds == 0)
                       return callback(AdminResult::failure(AdminError::validation(
                           QJsonObject{{QStringLiteral("window"), QStringLiteral("must be one of 5m, 15m, 1h, 24h")}},
                           QStringLiteral("invalid query parameter window"))));
                   if (!liveMetrics)
                       return callback(AdminResult::failure(
                           AdminError::unavailable(QStringLiteral("live metrics are not running"))));
                   callback(AdminResult::json(liveMetrics->history(seconds)));
               });

    Proxy::RelayContext *relay = context.relay;
    RouteDoc listDoc;
    listDoc.operationId = QStringLiteral("requests.list");
    listDoc.summary = QStringLiteral("The last relayed requests with their stage timings, newest first (kept in "
                                     "memory: the last 1000 per worker).");
    listDoc.tag = QStringLiteral("requests");
    listDoc.query = {
        {QStringLiteral("offset"), QStringLiteral("skip this many"), QStringLiteral("integer")},
        {QStringLiteral("limit"), QStringLiteral("at most this many (default 50, max 500)"), QStringLiteral("integer")},
        {QStringLiteral("status"), QStringLiteral("a status code (429), a class (4xx, 5xx) or error")},
        {QStringLiteral("key_id"), QStringLiteral("only this client key's requests")},
        {QStringLiteral("account_id"), QStringLiteral("only requests served by this account")},
        {QStringLiteral("min_duration_ms"), QStringLiteral("only requests that took at least this long"),
         QStringLiteral("integer")}};
    listDoc.response = objectSchema(
        {QStringLiteral("items"), QStringLiteral("total"), QStringLiteral("offset"), QStringLiteral("limit")},
        QJsonObject{{QStringLiteral("items"), schema("array", {{QStringLiteral("items"), requestSchema()}})},
                    {QStringLiteral("total"), schema("integer")},
                    {QStringLiteral("offset"), schema("integer")},
                    {QStringLiteral("limit"), schema("integer")}});
    router.add(
        "GET", QStringLiteral("/admin/requests"), listDoc,
        [relay](const AdminRequest &request, AdminCallback callback) { listRequests(relay, request, callback); });

    RouteDoc oneDoc;
    oneDoc.operationId = QStringLiteral("requests.get");
    oneDoc.summary = QStringLiteral("One relayed request's timings, by its x-relaydeck-request-id.");
    oneDoc.tag = QStringLiteral("requests");
    oneDoc.response = requestSchema();
    router.add("GET", QStringLiteral("/admin/requests/{id}"), oneDoc,
               [relay](const AdminRequest &request, AdminCallback callback) {
                   if (!relay)
                       return callback(
                           AdminResult::failure(AdminError::unavailable(QStringLiteral("the relay is not running"))));
                   const auto found = relay->requestLog().find(request.paramBytes(QStringLiteral("id")));
                   if (!found)
                       return callback(AdminResult::failure(
                           AdminError::notFound(QStringLiteral("no request %1 among the last ones kept")
                                                    .arg(request.param(QStringLiteral("id"))))));
                   callback(AdminResult::json(found->toJson()));
               });
}

} // namespace Relay::Admin
