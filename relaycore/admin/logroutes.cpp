// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/logroutes.h"

#include "admin/admincontext.h"
#include "admin/adminrouter.h"
#include "log/logger.h"
#include "log/ringbuffersink.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QTimer>

#include <limits>
#include <memory>

namespace Relay::Admin {

namespace {

constexpr int DefaultLimit = 200;
constexpr int MaxLimit = 2000;
constexpr int StreamBacklog = 200;
constexpr int StreamPollMs = 200;
constexpr int StreamBatch = 500; // lines sent per poll at most; the rest follow on the next poll
constexpr int KeepAliveMs = 15000;

QJsonObject entryJson(const Log::LogEntry &entry)
{
    return QJsonObject{{QStringLiteral("sequence"), qint64(entry.sequence)},
                       {QStringLiteral("time"), entry.timeMsecsSinceEpoch},
                       {QStringLiteral("level"), Log::levelName(entry.level)},
                       {QStringLiteral("logger"), entry.logger},
                       {QStringLiteral("message"), entry.message}};
}

// The `level` query parameter (a minimum level name); info when absent.
spdlog::level::level_enum parseLevel(const AdminRequest &request, AdminError *error)
{
    const QString name = request.queryValue(QStringLiteral("level"));
    if (name.isEmpty())
        return spdlog::level::info;
    const auto level = Log::levelFromName(name);
    if (!level || *level == spdlog::level::off) {
        *error = AdminError::validation(
            QJsonObject{{QStringLiteral("level"), QStringLiteral("one of trace, debug, info, warn, error, critical")}});
        return spdlog::level::info;
    }
    return *level;
}

QString parseText(const AdminRequest &request, AdminError *error)
{
    const QString text = request.queryValue(QStringLiteral("q"));
    if (text.size() > 200)
        *error = AdminError::validation(QJsonObject{{QStringLiteral("q"), QStringLiteral("at most 200 characters")}});
    return text;
}

AdminResult noLogs()
{
    return AdminResult::failure(AdminError::unavailable(QStringLiteral("the log ring buffer is not enabled")));
}

// One SSE tail: polls the ring on the control thread until the stream closes, then deletes itself (and its timers).
void startTail(const AdminStreamPtr &stream, std::shared_ptr<Log::RingBufferSink> ring, QObject *owner,
               spdlog::level::level_enum level, const QString &text)
{
    quint64 lastSeen = 0;
    for (const Log::LogEntry &entry : ring->recent(StreamBacklog, level, text, &lastSeen))
        stream->send("log", QJsonDocument(entryJson(entry)).toJson(QJsonDocument::Compact));

    auto *tail = new QObject(owner);
    auto *poll = new QTimer(tail);
    auto *keepAlive = new QTimer(tail);
    poll->setInterval(StreamPollMs);
    keepAlive->setInterval(KeepAliveMs);
    QObject::connect(poll, &QTimer::timeout, tail, [tail, stream, ring, level, text, lastSeen]() mutable {
        if (!stream->isOpen()) {
            tail->deleteLater();
            return;
        }
        const Log::LogSlice slice = ring->sinceFiltered(lastSeen, StreamBatch, level, text);
        lastSeen = slice.scannedUpTo;
        if (slice.missed > 0)
            stream->send("gap", QJsonDocument(QJsonObject{{QStringLiteral("missed"), qint64(slice.missed)}})
                                    .toJson(QJsonDocument::Compact));
        for (const Log::LogEntry &entry : slice.entries)
            stream->send("log", QJsonDocument(entryJson(entry)).toJson(QJsonDocument::Compact));
    });
    QObject::connect(keepAlive, &QTimer::timeout, tail, [stream] {
        if (stream->isOpen())
            stream->comment("keep-alive");
    });
    stream->setOnClosed([guard = QPointer<QObject>(tail)] {
        if (guard)
            guard->deleteLater();
    });
    if (!stream->isOpen()) { // closed before the callback was in place
        tail->deleteLater();
        return;
    }
    poll->start();
    keepAlive->start();
}

} // namespace

void registerLogRoutes(AdminRouter &router, const AdminContext &context, QObject *owner)
{
    const std::shared_ptr<Log::RingBufferSink> ring = context.logs;
    const QList<RouteDoc::Param> filters{
        {QStringLiteral("level"), QStringLiteral("minimum level: trace, debug, info (default), warn, error, critical")},
        {QStringLiteral("q"), QStringLiteral("text the message or logger name contains (case-insensitive)")}};

    RouteDoc listDoc;
    listDoc.operationId = QStringLiteral("logs.list");
    listDoc.summary = QStringLiteral("Recent log lines from the in-memory ring, oldest first");
    listDoc.tag = QStringLiteral("logs");
    listDoc.query = filters;
    listDoc.query.append({QStringLiteral("limit"), QStringLiteral("lines to return (default 200, max 2000)"),
                          QStringLiteral("integer")});
    listDoc.query.append({QStringLiteral("after"),
                          QStringLiteral("only lines with a higher sequence (poll with the last last_sequence)"),
                          QStringLiteral("integer")});
    const QJsonObject integer{{QStringLiteral("type"), QStringLiteral("integer")}};
    const QJsonObject string{{QStringLiteral("type"), QStringLiteral("string")}};
    listDoc.response =
        QJsonObject{{QStringLiteral("type"), QStringLiteral("object")},
                    {QStringLiteral("properties"),
                     QJsonObject{{QStringLiteral("last_sequence"), integer},
                                 {QStringLiteral("items"),
                                  QJsonObject{{QStringLiteral("type"), QStringLiteral("array")},
                                              {QStringLiteral("items"),
                                               QJsonObject{{QStringLiteral("type"), QStringLiteral("object")},
                                                           {QStringLiteral("properties"),
                                                            QJsonObject{{QStringLiteral("sequence"), integer},
                                                                        {QStringLiteral("time"), integer},
                                                                        {QStringLiteral("level"), string},
                                                                        {QStringLiteral("logger"), string},
                                                                        {QStringLiteral("message"), string}}}}}}}}}};

    router.add(QByteArrayLiteral("GET"), QStringLiteral("/admin/logs"), listDoc,
               [ring](const AdminRequest &request, AdminCallback callback) {
                   if (!ring)
                       return callback(noLogs());
                   AdminError error;
                   const spdlog::level::level_enum level = parseLevel(request, &error);
                   const QString text = parseText(request, &error);
                   const qint64 limit = request.queryInt(QStringLiteral("limit"), DefaultLimit, 1, MaxLimit, &error);
                   const bool polling = request.query.hasQueryItem(QStringLiteral("after"));
                   const qint64 after =
                       request.queryInt(QStringLiteral("after"), 0, 0, std::numeric_limits<qint64>::max(), &error);
                   if (error)
                       return callback(AdminResult::failure(error));

                   QList<Log::LogEntry> entries;
                   quint64 lastSequence = 0;
                   if (polling) {
                       // Oldest first from `after`: a client that got `limit` lines asks again from last_sequence.
                       Log::LogSlice slice = ring->sinceFiltered(quint64(after), int(limit), level, text);
                       entries = std::move(slice.entries);
                       lastSequence = slice.scannedUpTo;
                   } else {
                       entries = ring->recent(int(limit), level, text, &lastSequence);
                   }
                   QJsonArray items;
                   for (const Log::LogEntry &entry : entries)
                       items.append(entryJson(entry));
                   callback(AdminResult::json(QJsonObject{{QStringLiteral("items"), items},
                                                          {QStringLiteral("last_sequence"), qint64(lastSequence)}}));
               });

    RouteDoc streamDoc;
    streamDoc.operationId = QStringLiteral("logs.stream");
    streamDoc.summary = QStringLiteral("Live log tail (SSE): events `log` (an entry), `gap` ({missed}) when lines were "
                                       "lost to the ring's wrap-around");
    streamDoc.tag = QStringLiteral("logs");
    streamDoc.query = filters;
    router.addStream(QStringLiteral("/admin/logs/stream"), streamDoc,
                     [ring, owner](const AdminRequest &request, AdminStreamPtr stream) {
                         AdminError error;
                         const spdlog::level::level_enum level = parseLevel(request, &error);
                         const QString text = parseText(request, &error);
                         if (!ring || error) {
                             // Before the first event: a plain message, then the stream ends.
                             const AdminResult failure = ring ? AdminResult::failure(error) : noLogs();
                             stream->send("error", failure.toJson());
                             stream->close();
                             return;
                         }
                         startTail(stream, ring, owner, level, text);
                     });
}

} // namespace Relay::Admin
