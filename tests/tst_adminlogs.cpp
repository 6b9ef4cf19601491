// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/admincontext.h"
#include "admin/adminrouter.h"
#include "admin/adminstream.h"
#include "admin/logroutes.h"
#include "log/logger.h"
#include "log/ringbuffersink.h"
#include "recordingadminstream.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QTest>

#include <memory>
#include <optional>

using namespace Qt::StringLiterals;
using Relay::Admin::AdminContext;
using Relay::Admin::AdminRequest;
using Relay::Admin::AdminResult;
using Relay::Admin::AdminRouter;

namespace {

// The shared recording stream, with the log route's events decoded.
class RecordingStream final : public RecordingAdminStream
{
public:
    QList<QJsonObject> logEvents() const
    {
        QList<QJsonObject> entries;
        for (const Event &e : events()) {
            if (e.event == "log")
                entries.append(QJsonDocument::fromJson(e.data).object());
        }
        return entries;
    }
    bool hasMessage(const QString &message) const
    {
        for (const QJsonObject &entry : logEvents()) {
            if (entry.value(u"message"_s).toString() == message)
                return true;
        }
        return false;
    }
};

} // namespace

class TstAdminLogs : public QObject
{
    Q_OBJECT

private:
    std::shared_ptr<Relay::Log::RingBufferSink> m_ring;
    std::unique_ptr<QObject> m_owner;
    AdminRouter m_router;

    static AdminRequest requestFor(const QByteArray &target)
    {
        const qsizetype question = target.indexOf('?');
        AdminRequest request;
        request.method = "GET";
        request.path = question < 0 ? target : target.left(question);
        if (question >= 0)
            request.query = QUrlQuery(QString::fromUtf8(target.mid(question + 1)));
        request.user = u"admin"_s;
        return request;
    }

    AdminResult get(const QByteArray &target)
    {
        AdminRequest request = requestFor(target);
        const AdminRouter::Route *route = nullptr;
        if (m_router.match("GET", request.path, &route, &request.params) != AdminRouter::Match::Found ||
            route->isStream())
            return AdminResult::failure(Relay::Admin::AdminError::notFound(u"no route"_s));
        std::optional<AdminResult> result;
        route->handler(request, [&result](AdminResult answer) { result = std::move(answer); });
        if (!result) // the log routes answer at once: nothing to wait for
            return AdminResult::failure(Relay::Admin::AdminError::internal(u"no answer"_s));
        return *result;
    }

    std::shared_ptr<RecordingStream> openStream(const QByteArray &target)
    {
        AdminRequest request = requestFor(target);
        const AdminRouter::Route *route = nullptr;
        if (m_router.match("GET", request.path, &route, &request.params) != AdminRouter::Match::Found ||
            !route->isStream())
            return {};
        auto stream = std::make_shared<RecordingStream>();
        route->streamHandler(request, stream);
        return stream;
    }

    QStringList messages(const QJsonObject &body)
    {
        QStringList result;
        for (const QJsonValue &item : body.value(u"items"_s).toArray())
            result.append(item.toObject().value(u"message"_s).toString());
        return result;
    }

    // Log lines reach the ring through the async logger's backend thread: wait until the last one is there.
    bool waitForLine(const QString &message)
    {
        return QTest::qWaitFor(
            [&] {
                const auto last = m_ring->recent(1);
                return !last.isEmpty() && last.constFirst().message == message;
            },
            5000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        Relay::Log::LogOptions options;
        options.toStderr = false;
        options.level = spdlog::level::trace;
        options.ringCapacity = 300;
        QVERIFY(Relay::Log::init(options).ok());
        m_ring = Relay::Log::ringBuffer();
        QVERIFY(m_ring);
        m_owner = std::make_unique<QObject>();
        AdminContext context;
        context.logs = m_ring;
        Relay::Admin::registerLogRoutes(m_router, context, m_owner.get());
    }

    void cleanupTestCase()
    {
        m_owner.reset();
        Relay::Log::shutdown();
    }

    void init() { m_ring->clear(); }

    void routesAreDocumented()
    {
        QCOMPARE(m_router.routes().size(), 2);
        const QJsonObject paths = m_router.openApi(u"test"_s).value(u"paths"_s).toObject();
        QVERIFY(paths.contains(u"/admin/logs"_s));
        QVERIFY(paths.contains(u"/admin/logs/stream"_s));
        for (const AdminRouter::Route &route : m_router.routes())
            QVERIFY(route.doc.operationId.startsWith(u"logs."_s));
    }

    void listFiltersByLevelAndText()
    {
        Relay::Log::logger().debug("cache warmed for {} keys", 12);
        Relay::Log::logger().info("listening on 127.0.0.1:{}", 8080);
        Relay::Log::logger().warn("account {} cooling down: rate limited", "acct-7");
        Relay::Log::logger().error("Redis connection lost: {}", "reset by peer");
        Relay::Log::makeLogger("upstream")->info("pool ready");
        QVERIFY(waitForLine(u"pool ready"_s));

        // Default level: info and above, oldest first.
        const AdminResult all = get("/admin/logs");
        QVERIFY(all.ok());
        QCOMPARE(messages(all.body.toObject()),
                 (QStringList{u"listening on 127.0.0.1:8080"_s, u"account acct-7 cooling down: rate limited"_s,
                              u"Redis connection lost: reset by peer"_s, u"pool ready"_s}));
        QCOMPARE(all.body.toObject().value(u"last_sequence"_s).toInteger(), qint64(m_ring->lastSequence()));
        const QJsonObject first = all.body.toObject().value(u"items"_s).toArray().at(0).toObject();
        QCOMPARE(first.value(u"level"_s).toString(), u"info"_s);
        QVERIFY(first.value(u"time"_s).toInteger() > 1600000000000LL);
        QVERIFY(first.value(u"sequence"_s).toInteger() > 0);
        QVERIFY(!first.value(u"logger"_s).toString().isEmpty());

        QCOMPARE(
            messages(get("/admin/logs?level=warn").body.toObject()),
            (QStringList{u"account acct-7 cooling down: rate limited"_s, u"Redis connection lost: reset by peer"_s}));
        QCOMPARE(messages(get("/admin/logs?level=trace&q=CACHE").body.toObject()),
                 (QStringList{u"cache warmed for 12 keys"_s}));
        QCOMPARE(messages(get("/admin/logs?q=upstream").body.toObject()),
                 (QStringList{u"pool ready"_s})); // logger name
        QCOMPARE(messages(get("/admin/logs?level=error&q=cooling").body.toObject()), QStringList());
        QCOMPARE(messages(get("/admin/logs?level=debug&limit=2").body.toObject()),
                 (QStringList{u"Redis connection lost: reset by peer"_s, u"pool ready"_s}));
    }

    void afterReturnsOnlyNewerLinesForPolling()
    {
        for (int i = 0; i < 5; ++i)
            Relay::Log::logger().info("poll line {}", i);
        QVERIFY(waitForLine(u"poll line 4"_s));
        const QJsonObject page = get("/admin/logs?limit=2&after=0").body.toObject();
        QCOMPARE(messages(page), (QStringList{u"poll line 0"_s, u"poll line 1"_s}));
        const qint64 next = page.value(u"last_sequence"_s).toInteger();
        const QJsonObject rest = get("/admin/logs?after=" + QByteArray::number(next)).body.toObject();
        QCOMPARE(messages(rest), (QStringList{u"poll line 2"_s, u"poll line 3"_s, u"poll line 4"_s}));
        const qint64 end = rest.value(u"last_sequence"_s).toInteger();
        QCOMPARE(end, qint64(m_ring->lastSequence()));
        QVERIFY(messages(get("/admin/logs?after=" + QByteArray::number(end)).body.toObject()).isEmpty());

        // Lines that do not match still advance last_sequence, so a filtered poll does not read them again.
        Relay::Log::logger().debug("hidden");
        Relay::Log::logger().info("shown");
        QVERIFY(waitForLine(u"shown"_s));
        const QJsonObject filtered = get("/admin/logs?level=info&after=" + QByteArray::number(end)).body.toObject();
        QCOMPARE(messages(filtered), (QStringList{u"shown"_s}));
        QCOMPARE(filtered.value(u"last_sequence"_s).toInteger(), qint64(m_ring->lastSequence()));
    }

    void rejectsBadQueryValues()
    {
        for (const QByteArray &target : {QByteArray("/admin/logs?level=loud"), QByteArray("/admin/logs?level=off"),
                                         QByteArray("/admin/logs?limit=0"), QByteArray("/admin/logs?limit=2001"),
                                         QByteArray("/admin/logs?after=-1"), QByteArray("/admin/logs?after=x")}) {
            const AdminResult result = get(target);
            QCOMPARE(result.status, 422);
            QCOMPARE(result.error.code, u"validation_failed"_s);
            QCOMPARE(result.error.fields.size(), 1);
        }
        const auto stream = openStream("/admin/logs/stream?level=loud");
        QVERIFY(stream);
        QVERIFY(!stream->isOpen());
        QCOMPARE(stream->events().size(), 1);
        QCOMPARE(stream->events().at(0).event, QByteArray("error"));
        QVERIFY(m_owner->children().isEmpty());
    }

    void streamSendsRecentThenNewLinesAndStopsAfterClose()
    {
        Relay::Log::logger().info("before stream 1");
        Relay::Log::logger().debug("before stream debug");
        Relay::Log::logger().info("before stream 2");
        QVERIFY(waitForLine(u"before stream 2"_s));

        const auto stream = openStream("/admin/logs/stream?level=info");
        QVERIFY(stream);
        QVERIFY(stream->isOpen());
        QCOMPARE(stream->logEvents().size(), 2); // the recent lines at once, filtered
        QVERIFY(stream->hasMessage(u"before stream 1"_s));
        QVERIFY(!stream->hasMessage(u"before stream debug"_s));
        QCOMPARE(m_owner->children().size(), 1); // the tail's poller

        Relay::Log::logger().info("live line A");
        Relay::Log::logger().debug("live debug");
        Relay::Log::logger().warn("live line B");
        QTRY_VERIFY_WITH_TIMEOUT(stream->hasMessage(u"live line B"_s), 5000);
        QVERIFY(stream->hasMessage(u"live line A"_s));
        QVERIFY(!stream->hasMessage(u"live debug"_s));
        QCOMPARE(stream->logEvents().size(), 4);
        // Sequences increase, with no line twice.
        const QList<QJsonObject> entries = stream->logEvents();
        for (qsizetype i = 1; i < entries.size(); ++i)
            QVERIFY(entries.at(i).value(u"sequence"_s).toInteger() >
                    entries.at(i - 1).value(u"sequence"_s).toInteger());

        stream->close();
        // The poller goes with the stream.
        QTRY_VERIFY_WITH_TIMEOUT(m_owner->children().isEmpty(), 2000);
        Relay::Log::logger().info("after close");
        QVERIFY(waitForLine(u"after close"_s));
        QTest::qWait(500); // more than two poll intervals: a poller still running would have sent it
        QCOMPARE(stream->sentAfterClose(), 0);
        QVERIFY(!stream->hasMessage(u"after close"_s));
    }

    void streamReportsAGapWhenTheRingWrapped()
    {
        const auto stream = openStream("/admin/logs/stream?q=gapline");
        QVERIFY(stream);
        QVERIFY(stream->logEvents().isEmpty());
        // More lines than the ring holds (300) before the next 200 ms poll: the oldest are gone when it reads.
        for (int i = 0; i < 1000; ++i)
            Relay::Log::logger().info("gapline {}", i);
        QVERIFY(waitForLine(u"gapline 999"_s));
        QTRY_VERIFY_WITH_TIMEOUT(stream->hasMessage(u"gapline 999"_s), 5000);
        qint64 missed = 0;
        for (const RecordingStream::Event &event : stream->events()) {
            if (event.event == "gap")
                missed += QJsonDocument::fromJson(event.data).object().value(u"missed"_s).toInteger();
        }
        // Every line is either delivered or counted as missed.
        QCOMPARE(missed + stream->logEvents().size(), 1000);
        QVERIFY(missed >= 700);
        stream->close();
        QTRY_VERIFY_WITH_TIMEOUT(m_owner->children().isEmpty(), 2000);
    }
};

QTEST_GUILESS_MAIN(TstAdminLogs)
#include "tst_adminlogs.moc"
