// SPDX-License-Identifier: GPL-3.0-or-later
// LiveMetrics (rates, percentiles, history) from a registry fed through shards with a manual clock, the metrics
// and request routes through an AdminRouter, and a whole relay whose request log and live view are checked.
#include "admin/adminrouter.h"
#include "admin/livemetrics.h"
#include "admin/metricsroutes.h"
#include "metrics/registry.h"
#include "quotedjson.h"
#include "recordingadminstream.h"
#include "relay/relaycontext.h"
#include "relay/requestlog.h"
#include "relayharness.h"
#include "service/relaymetrics.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace Relay;
using Admin::LiveMetrics;

namespace {

constexpr qint64 StartSecond = 1'000'000;
constexpr qint64 MinuteMs = 60'000;
constexpr qint64 T0 = 29'000'000 * MinuteMs; // a minute boundary

// A registry with the relay's families on a manual clock, two worker shards and a RelayContext (accounts, request
// log): everything LiveMetrics reads, without a relay.
struct Fixture
{
    explicit Fixture(const QByteArrayList &routes = {"messages", "health"})
    {
        relay = std::make_unique<Proxy::RelayContext>(Proxy::RelayOptions{}, Domain::DomainKeys{},
                                                      Domain::ServerSecret{}, Usage::PricingAccessor{}, registry);
        metrics = std::make_unique<Service::RelayMetrics>(registry, routes);
        shards = {registry.createShard(), registry.createShard()};
        relay->setWorkerCount(2);
        context.registry = &registry;
        context.relayMetrics = metrics.get();
        context.relay = relay.get();
        context.usageBacklog = [this] { return backlog; };
        live = std::make_unique<LiveMetrics>(context);
    }

    void request(int shard, int route, int statusClass, quint64 durationUs = 0)
    {
        shards[size_t(shard)]->add(metrics->requests, metrics->requests.series({route, statusClass}));
        if (durationUs > 0)
            shards[size_t(shard)]->observe(metrics->duration, route, durationUs);
    }
    // Moves the registry to the next second and samples at the matching wall time.
    void nextSecond(qint64 *nowMs)
    {
        clock->advanceSeconds(1);
        *nowMs += 1000;
        live->tick(*nowMs);
    }

    std::shared_ptr<Metrics::ManualClock> clock = std::make_shared<Metrics::ManualClock>(StartSecond * 1'000'000);
    Metrics::Registry registry{clock};
    std::unique_ptr<Proxy::RelayContext> relay;
    std::unique_ptr<Service::RelayMetrics> metrics;
    std::vector<Metrics::Shard *> shards;
    Admin::AdminContext context;
    qint64 backlog = 0;
    std::unique_ptr<LiveMetrics> live;
};

constexpr int MessagesRoute = 0;
constexpr int HealthRoute = 1;

bool near(double value, double expected)
{
    return std::abs(value - expected) <= expected * Metrics::BucketLayout::MaxRelativeError + 1;
}

QJsonObject window(const QJsonObject &snapshot, const QString &histogram, int index)
{
    return snapshot.value(u"latency_us").toObject().value(histogram).toArray().at(index).toObject();
}

// An AdminStream that keeps what it was sent.
using RecordingStream = RecordingAdminStream;

struct Answer
{
    int status = 0;
    QJsonObject body;
    QString errorCode;
    QJsonObject fields;
};

Answer call(const Admin::AdminRouter &router, const QByteArray &pathAndQuery)
{
    const qsizetype q = pathAndQuery.indexOf('?');
    Admin::AdminRequest request;
    request.method = "GET";
    request.path = q < 0 ? pathAndQuery : pathAndQuery.first(q);
    if (q >= 0)
        request.query = QUrlQuery(QString::fromUtf8(pathAndQuery.mid(q + 1)));
    const Admin::AdminRouter::Route *route = nullptr;
    if (router.match(request.method, request.path, &route, &request.params) != Admin::AdminRouter::Match::Found)
        return {404, {}, QStringLiteral("no_route"), {}};
    Answer answer;
    bool answered = false;
    route->handler(request, [&](Admin::AdminResult result) {
        answered = true;
        answer.status = result.status;
        answer.body = result.body.toObject();
        answer.errorCode = result.error.code;
        answer.fields = result.error.fields;
    });
    if (!answered)
        return {0, {}, QStringLiteral("not answered"), {}};
    return answer;
}

} // namespace

class TstLiveMetrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ratesComeFromCounterDeltasOverTheInterval();
    void adminApiRequestsAreNotTraffic();
    void percentilesComeFromTheRegistryWindows();
    void gaugesAccountsAndBacklogAreInTheSnapshot();
    void historyDownsamplesSecondsToMinutes();
    void historyIsBounded();
    void snapshotAndHistoryRoutes();
    void requestRoutesFilterAndPaginate();
    void liveStreamSendsEverySnapshotUntilTheClientGoes();
    void relayedRequestsShowInTheRequestLogAndLiveView();
};

void TstLiveMetrics::ratesComeFromCounterDeltasOverTheInterval()
{
    Fixture f;
    qint64 now = T0;
    f.live->tick(now); // baseline
    QCOMPARE(f.live->latestSnapshot().value(u"requests_per_s").toDouble(), 0.0);

    for (int i = 0; i < 10; ++i)
        f.request(i % 2, MessagesRoute, 1); // 2xx
    for (int i = 0; i < 5; ++i)
        f.request(1, MessagesRoute, 3); // 4xx
    f.request(0, HealthRoute, 4);       // 5xx
    f.request(0, HealthRoute, 4);
    f.request(1, MessagesRoute, 5); // client gone
    f.shards[0]->add(f.relay->metrics().upstreamResponses, Proxy::ProxyMetrics::RateLimited, 3);
    f.shards[1]->add(f.relay->metrics().upstreamResponses, Proxy::ProxyMetrics::Unreachable, 1);
    f.shards[1]->add(f.relay->metrics().upstreamResponses, Proxy::ProxyMetrics::Ok, 20);
    f.shards[0]->add(f.relay->metrics().failovers, 0, 2);
    f.shards[0]->add(f.relay->metrics().tokens, Proxy::ProxyMetrics::Output, 300);
    f.shards[1]->add(f.relay->metrics().queueWaits, Proxy::ProxyMetrics::QueueTimedOut, 1);
    f.nextSecond(&now);

    QJsonObject s = f.live->latestSnapshot();
    QCOMPARE(s.value(u"time").toInteger(), now);
    QCOMPARE(s.value(u"interval_ms").toInteger(), 1000);
    QCOMPARE(s.value(u"requests_total").toInteger(), 18);
    QCOMPARE(s.value(u"requests_per_s").toDouble(), 18.0);
    const QJsonObject errors = s.value(u"errors_per_s").toObject();
    QCOMPARE(errors.value(u"status_4xx").toDouble(), 5.0);
    QCOMPARE(errors.value(u"status_5xx").toDouble(), 2.0);
    QCOMPARE(errors.value(u"client_aborts").toDouble(), 1.0);
    QCOMPARE(errors.value(u"upstream_failures").toDouble(), 4.0);
    QCOMPARE(errors.value(u"upstream").toObject().value(u"rate_limited").toDouble(), 3.0);
    QCOMPARE(errors.value(u"upstream").toObject().value(u"unreachable").toDouble(), 1.0);
    QVERIFY(!errors.value(u"upstream").toObject().contains(u"ok"));
    QCOMPARE(s.value(u"failovers_per_s").toDouble(), 2.0);
    QCOMPARE(s.value(u"tokens_per_s").toObject().value(u"output").toDouble(), 300.0);
    QCOMPARE(s.value(u"queue_waits_per_s").toObject().value(u"timed_out").toDouble(), 1.0);

    // A late tick: the same counts over two seconds are half the rate.
    for (int i = 0; i < 10; ++i)
        f.request(0, MessagesRoute, 1);
    f.clock->advanceSeconds(2);
    now += 2000;
    f.live->tick(now);
    s = f.live->latestSnapshot();
    QCOMPARE(s.value(u"interval_ms").toInteger(), 2000);
    QCOMPARE(s.value(u"requests_per_s").toDouble(), 5.0);
    QCOMPARE(s.value(u"errors_per_s").toObject().value(u"status_4xx").toDouble(), 0.0);

    // Nothing new: zero rates, not negative or stale ones.
    f.nextSecond(&now);
    QCOMPARE(f.live->latestSnapshot().value(u"requests_per_s").toDouble(), 0.0);
    QCOMPARE(f.live->latestSnapshot().value(u"requests_total").toInteger(), 28);
}

// The console polls the admin API on the relay's own port: those requests must not read as relay traffic.
void TstLiveMetrics::adminApiRequestsAreNotTraffic()
{
    constexpr int AdminRoute = 2;
    Fixture f({"messages", "health", "admin"});
    qint64 now = T0;
    f.live->tick(now);
    for (int i = 0; i < 3; ++i)
        f.request(0, AdminRoute, 1, 2000);
    f.request(1, AdminRoute, 3);
    f.request(0, AdminRoute, 4);
    f.request(0, MessagesRoute, 1, 1000);
    f.request(1, MessagesRoute, 3, 1000);
    f.nextSecond(&now);
    const QJsonObject s = f.live->latestSnapshot();
    QCOMPARE(s.value(u"requests_per_s").toDouble(), 2.0);
    QCOMPARE(s.value(u"requests_total").toInteger(), 2);
    QCOMPARE(s.value(u"errors_per_s").toObject().value(u"status_4xx").toDouble(), 1.0);
    QCOMPARE(s.value(u"errors_per_s").toObject().value(u"status_5xx").toDouble(), 0.0);
    const LiveMetrics::Point p = f.live->secondPoints(1).constFirst();
    QCOMPARE(p.requests, 2u);
    QCOMPARE(p.status4xx, 1u);
    QCOMPARE(p.latencyCount, 2u);
}

void TstLiveMetrics::percentilesComeFromTheRegistryWindows()
{
    Fixture f;
    qint64 now = T0;
    f.live->tick(now);
    // Second 1: 100 messages requests of 1..100 ms over both shards; a health request that must not count.
    for (int i = 1; i <= 100; ++i)
        f.request(i % 2, MessagesRoute, 1, quint64(i) * 1000);
    f.request(0, HealthRoute, 1, 5'000'000);
    for (int i = 1; i <= 10; ++i) {
        f.shards[0]->observe(f.relay->metrics().upstreamFirstByte, 0, quint64(i) * 10'000);
        f.shards[1]->observe(f.relay->metrics().relayOverhead, 0, quint64(i) * 100);
    }
    f.shards[1]->observe(f.metrics->redisRoundTrip, 0, 700);
    f.shards[1]->observe(f.metrics->redisRoundTrip, 1, 90'000); // the control client: not the request path's
    f.nextSecond(&now);

    QJsonObject s = f.live->latestSnapshot();
    QJsonObject w1 = window(s, QStringLiteral("total"), 0);
    QCOMPARE(w1.value(u"window_s").toInt(), 1);
    QCOMPARE(w1.value(u"count").toInt(), 100);
    QVERIFY2(near(w1.value(u"p50_us").toDouble(), 50'000), qPrintable(QString::number(w1.value(u"p50_us").toInt())));
    QVERIFY(near(w1.value(u"p95_us").toDouble(), 95'000));
    QVERIFY(near(w1.value(u"p99_us").toDouble(), 99'000));
    QVERIFY(near(window(s, QStringLiteral("upstream_first_byte"), 0).value(u"p99_us").toDouble(), 100'000));
    QVERIFY(near(window(s, QStringLiteral("upstream_first_byte"), 0).value(u"p50_us").toDouble(), 50'000));
    QVERIFY(near(window(s, QStringLiteral("relay_overhead"), 0).value(u"p99_us").toDouble(), 1'000));
    QCOMPARE(s.value(u"redis_round_trip_us").toArray().at(0).toObject().value(u"p99_us").toInt(), 700);

    // Second 2: ten slow requests. The 1 s window sees only them, the 10 s and 60 s windows both seconds.
    for (int i = 0; i < 10; ++i)
        f.request(0, MessagesRoute, 1, 2'000'000);
    f.nextSecond(&now);
    s = f.live->latestSnapshot();
    w1 = window(s, QStringLiteral("total"), 0);
    QCOMPARE(w1.value(u"count").toInt(), 10);
    QVERIFY(near(w1.value(u"p50_us").toDouble(), 2'000'000));
    const QJsonObject w10 = window(s, QStringLiteral("total"), 1);
    QCOMPARE(w10.value(u"window_s").toInt(), 10);
    QCOMPARE(w10.value(u"count").toInt(), 110);
    QVERIFY(near(w10.value(u"p50_us").toDouble(), 55'000));
    QVERIFY(near(w10.value(u"p99_us").toDouble(), 2'000'000));
    QCOMPARE(window(s, QStringLiteral("total"), 2).value(u"count").toInt(), 110);

    // The second points carry the 1 s percentiles.
    const QList<LiveMetrics::Point> points = f.live->secondPoints(2);
    QCOMPARE(points.size(), 2);
    QCOMPARE(points.at(0).latencyCount, 100u);
    QVERIFY(near(points.at(0).p99Us, 99'000));
    QCOMPARE(points.at(1).latencyCount, 10u);

    // Eleven seconds later the 10 s window has forgotten them; the 60 s one has not.
    f.clock->advanceSeconds(11);
    now += 11'000;
    f.live->tick(now);
    s = f.live->latestSnapshot();
    QCOMPARE(window(s, QStringLiteral("total"), 0).value(u"count").toInt(), 0);
    QCOMPARE(window(s, QStringLiteral("total"), 1).value(u"count").toInt(), 0);
    QCOMPARE(window(s, QStringLiteral("total"), 2).value(u"count").toInt(), 110);
}

void TstLiveMetrics::gaugesAccountsAndBacklogAreInTheSnapshot()
{
    Fixture f;
    Proxy::AccountEntry a;
    a.id = "acct-a";
    a.name = QStringLiteral("Alpha");
    a.priority = 10;
    a.secret = "sk";
    Proxy::AccountEntry b;
    b.id = "acct-b";
    b.name = QStringLiteral("Beta");
    b.priority = 20;
    b.secret = "sk";
    b.health = Proxy::AccountHealth::Cooling;
    b.coolingUntilMs = QDateTime::currentMSecsSinceEpoch() + 3'600'000;
    b.reason = QStringLiteral("429 from upstream");
    f.relay->accounts().replaceAll({b, a});
    f.relay->requestLog().accountStarted(0, "acct-a");
    f.relay->requestLog().accountStarted(1, "acct-a");
    f.relay->requestLog().accountStarted(1, "acct-b");
    f.relay->requestLog().accountFinished(1, "acct-b");

    f.shards[0]->add(f.metrics->inFlight, 0, 3);
    f.shards[1]->add(f.metrics->inFlight, 0, 2);
    f.shards[0]->add(f.metrics->connections, 0, 7);
    f.shards[1]->add(f.relay->metrics().activeStreams, 0, 2);
    f.shards[1]->add(f.relay->metrics().queuedRequests, 0, 4);
    f.backlog = 12;
    f.live->tick(QDateTime::currentMSecsSinceEpoch());

    const QJsonObject s = f.live->latestSnapshot();
    QCOMPARE(s.value(u"in_flight").toInt(), 5);
    QCOMPARE(s.value(u"connections").toInt(), 7);
    QCOMPARE(s.value(u"active_streams").toInt(), 2);
    QCOMPARE(s.value(u"queued_requests").toInt(), 4);
    QCOMPARE(s.value(u"usage_backlog").toInt(), 12);
    const QJsonArray accounts = s.value(u"accounts").toArray();
    QCOMPARE(accounts.size(), 2);
    const QJsonObject first = accounts.at(0).toObject(); // by priority
    QCOMPARE(first.value(u"id").toString(), QStringLiteral("acct-a"));
    QCOMPARE(first.value(u"name").toString(), QStringLiteral("Alpha"));
    QCOMPARE(first.value(u"health").toString(), QStringLiteral("active"));
    QCOMPARE(first.value(u"in_flight").toInt(), 2);
    QVERIFY(first.value(u"cooling_until").isNull());
    const QJsonObject second = accounts.at(1).toObject();
    QCOMPARE(second.value(u"health").toString(), QStringLiteral("cooling"));
    QCOMPARE(second.value(u"cooling_until").toInteger(), b.coolingUntilMs);
    QCOMPARE(second.value(u"reason").toString(), QStringLiteral("429 from upstream"));
    QCOMPARE(second.value(u"in_flight").toInt(), 0);
    QVERIFY(!QJsonDocument(s).toJson().contains("sk")); // no account secret
    QCOMPARE(QJsonDocument::fromJson(f.live->latestSnapshotJson()).object(), s);
}

// 150 seconds of traffic: two complete minutes and one in progress. Counts are summed, percentiles come from the
// minute's merged histogram, gauges are the minute's maximum.
void TstLiveMetrics::historyDownsamplesSecondsToMinutes()
{
    Fixture f;
    qint64 now = T0;
    f.live->tick(now); // baseline, minute 0
    quint32 expected[3] = {0, 0, 0};
    for (int i = 1; i <= 150; ++i) {
        const int n = i % 4 + 1;
        const int minute = int((i * 1000) / MinuteMs);
        expected[minute] += quint32(n);
        for (int k = 0; k < n; ++k)
            f.request(k % 2, MessagesRoute, i % 10 == 0 ? 4 : 1, minute == 1 && i == 90 && k == 0 ? 500'000 : 1'000);
        // Minute 1: first bytes of 1..100 ms and overheads of 0.1..10 ms, ten a second, for the minute's p95s.
        if (i > 60 && i <= 70) {
            for (int k = 1; k <= 10; ++k) {
                const quint64 rank = quint64((i - 61) * 10 + k);
                f.shards[k % 2]->observe(f.relay->metrics().upstreamFirstByte, 0, rank * 1000);
                f.shards[k % 2]->observe(f.relay->metrics().relayOverhead, 0, rank * 100);
            }
        }
        if (i == 100)
            f.shards[0]->add(f.metrics->inFlight, 0, 7);
        if (i == 101)
            f.shards[0]->add(f.metrics->inFlight, 0, -7);
        f.nextSecond(&now);
    }
    QCOMPARE(f.live->secondPoints().size(), 151);

    const QList<LiveMetrics::Point> done = f.live->minutePoints(10, false);
    QCOMPARE(done.size(), 2);
    QCOMPARE(done.at(0).t, T0);
    QCOMPARE(done.at(1).t, T0 + MinuteMs);
    QCOMPARE(done.at(0).intervalMs, 60'000); // the baseline's nominal second and 59 ticks
    QCOMPARE(done.at(1).intervalMs, 60'000);
    QCOMPARE(done.at(0).requests, expected[0]);
    QCOMPARE(done.at(1).requests, expected[1]);
    QCOMPARE(done.at(1).latencyCount, expected[1]);
    quint32 errors = 0;
    for (int i = 60; i < 120; ++i)
        errors += i % 10 == 0 ? quint32(i % 4 + 1) : 0;
    QCOMPARE(done.at(1).status5xx, errors);
    // One slow request among the minute's 150: rank 150, above the p99 rank (149) of the merged histogram, while
    // the maximum of the second p99s would be the slow one.
    QCOMPARE(expected[1], 150u);
    QVERIFY(near(done.at(1).p50Us, 1'000));
    QVERIFY(near(done.at(0).p99Us, 1'000));
    QVERIFY2(near(done.at(1).p99Us, 1'000), qPrintable(QString::number(done.at(1).p99Us)));
    QVERIFY(near(done.at(1).firstByteP50Us, 50'000));
    QVERIFY2(near(done.at(1).firstByteP95Us, 95'000), qPrintable(QString::number(done.at(1).firstByteP95Us)));
    QVERIFY(near(done.at(1).firstByteP99Us, 99'000));
    QVERIFY(near(done.at(1).overheadP50Us, 5'000));
    QVERIFY2(near(done.at(1).overheadP95Us, 9'500), qPrintable(QString::number(done.at(1).overheadP95Us)));
    QVERIFY(near(done.at(1).overheadP99Us, 9'900));
    QCOMPARE(done.at(0).firstByteP95Us, 0u);
    QCOMPARE(done.at(1).inFlight, 7);
    QCOMPARE(done.at(0).inFlight, 0);
    QCOMPARE(done.at(1).rate(done.at(1).requests), double(expected[1]) / 60.0);

    const QList<LiveMetrics::Point> withCurrent = f.live->minutePoints(10, true);
    QCOMPARE(withCurrent.size(), 3);
    QCOMPARE(withCurrent.at(2).t, T0 + 2 * MinuteMs);
    QCOMPARE(withCurrent.at(2).requests, expected[2]);
    QCOMPARE(withCurrent.at(2).intervalMs, 31'000);

    const QList<LiveMetrics::Point> seconds = f.live->secondPoints();
    QVERIFY(near(seconds.at(90).p99Us, 500'000));

    const QJsonObject day = f.live->history(86'400);
    QCOMPARE(day.value(u"resolution_s").toInt(), 60);
    QCOMPARE(day.value(u"points").toArray().size(), 3);
    const QJsonArray fields = day.value(u"fields").toArray();
    const QJsonArray firstMinute = day.value(u"points").toArray().at(0).toArray();
    QCOMPARE(firstMinute.size(), fields.size());
    QCOMPARE(firstMinute.at(fields.toVariantList().indexOf(QStringLiteral("t"))).toInteger(), T0);
    QCOMPARE(firstMinute.at(fields.toVariantList().indexOf(QStringLiteral("requests_per_s"))).toDouble(),
             std::round(double(expected[0]) / 60.0 * 1000) / 1000);
    // Every latency has p50, p95 and p99 in the history, so a chart can draw all three.
    const QJsonArray secondMinute = day.value(u"points").toArray().at(1).toArray();
    const auto field = [&fields](const char *name) { return fields.toVariantList().indexOf(QLatin1String(name)); };
    for (const char *name : {"first_byte_p50_us", "first_byte_p95_us", "first_byte_p99_us", "overhead_p50_us",
                             "overhead_p95_us", "overhead_p99_us"})
        QVERIFY2(field(name) >= 0, name);
    QCOMPARE(secondMinute.at(field("first_byte_p95_us")).toInteger(), qint64(done.at(1).firstByteP95Us));
    QCOMPARE(secondMinute.at(field("overhead_p95_us")).toInteger(), qint64(done.at(1).overheadP95Us));
    const QJsonObject fiveMinutes = f.live->history(300);
    QCOMPARE(fiveMinutes.value(u"resolution_s").toInt(), 1);
    QCOMPARE(fiveMinutes.value(u"points").toArray().size(), 151);
    QCOMPARE(f.live->history(60).value(u"points").toArray().size(), 60);
}

void TstLiveMetrics::historyIsBounded()
{
    Metrics::Registry registry(std::make_shared<Metrics::ManualClock>());
    Admin::AdminContext context;
    context.registry = &registry;
    LiveMetrics live(context);
    qint64 now = T0;
    for (int i = 0; i < LiveMetrics::SecondPoints + 100; ++i)
        live.tick(now += 1000);
    QCOMPARE(live.secondPoints().size(), LiveMetrics::SecondPoints);
    QCOMPARE(live.secondPoints().constLast().t, now);
    for (int i = 0; i < LiveMetrics::MinutePoints + 100; ++i)
        live.tick(now += MinuteMs);
    QCOMPARE(live.minutePoints(100'000, false).size(), LiveMetrics::MinutePoints);
    QCOMPARE(live.minutePoints(100'000, true).size(), LiveMetrics::MinutePoints + 1);
    QCOMPARE(live.history(86'400).value(u"points").toArray().size(), LiveMetrics::MinutePoints);
    QCOMPARE(live.secondPoints().size(), LiveMetrics::SecondPoints);
}

void TstLiveMetrics::snapshotAndHistoryRoutes()
{
    Fixture f;
    Admin::AdminRouter router;
    QObject owner;
    Admin::registerMetricsRoutes(router, f.context, f.live.get(), &owner);
    QCOMPARE(call(router, "/admin/metrics/snapshot").status, 503); // before the first tick

    qint64 now = T0;
    f.live->tick(now);
    f.request(0, MessagesRoute, 1, 1000);
    f.nextSecond(&now);
    const Answer snapshot = call(router, "/admin/metrics/snapshot");
    QCOMPARE(snapshot.status, 200);
    QCOMPARE(snapshot.body.value(u"time").toInteger(), now);
    QCOMPARE(snapshot.body.value(u"requests_per_s").toDouble(), 1.0);

    Answer history = call(router, "/admin/metrics/history");
    QCOMPARE(history.status, 200);
    QCOMPARE(history.body.value(u"resolution_s").toInt(), 1);
    QCOMPARE(history.body.value(u"window_s").toInt(), 3600);
    QCOMPARE(history.body.value(u"points").toArray().size(), 2);
    history = call(router, "/admin/metrics/history?window=15m");
    QCOMPARE(history.body.value(u"window_s").toInt(), 900);
    history = call(router, "/admin/metrics/history?window=24h");
    QCOMPARE(history.body.value(u"resolution_s").toInt(), 60);
    QCOMPARE(history.body.value(u"points").toArray().size(), 1);
    history = call(router, "/admin/metrics/history?window=2d");
    QCOMPARE(history.status, 422);
    QCOMPARE(history.errorCode, QStringLiteral("validation_failed"));
    QVERIFY(history.fields.contains(u"window"));

    // Every route has its documentation for the OpenAPI document.
    for (const auto &route : router.routes()) {
        QVERIFY(!route.doc.operationId.isEmpty());
        QVERIFY(!route.doc.summary.isEmpty());
    }
    QCOMPARE(router.routes().size(), 5);
}

void TstLiveMetrics::requestRoutesFilterAndPaginate()
{
    Fixture f;
    Admin::AdminRouter router;
    QObject owner;
    Admin::registerMetricsRoutes(router, f.context, f.live.get(), &owner);
    for (int i = 0; i < 30; ++i) {
        Proxy::RequestTiming t;
        t.requestId.set("req" + QByteArray::number(i));
        t.startMs = T0 + i;
        t.keyId.set(i % 2 ? QByteArrayView("k1") : QByteArrayView("k2"));
        t.accountId.set(QByteArrayView("a1"));
        t.status = i % 3 == 0 ? 529 : (i % 3 == 1 ? 429 : 200);
        t.endUs = qint64(i) * 1000;
        f.relay->requestLog().record(i % 2, t);
    }
    Answer list = call(router, "/admin/requests");
    QCOMPARE(list.status, 200);
    QCOMPARE(list.body.value(u"total").toInt(), 30);
    QCOMPARE(list.body.value(u"limit").toInt(), 50);
    QCOMPARE(list.body.value(u"offset").toInt(), 0);
    QCOMPARE(list.body.value(u"items").toArray().first().toObject().value(u"id").toString(), QStringLiteral("req29"));

    list = call(router, "/admin/requests?status=5xx&limit=3&offset=1");
    QCOMPARE(list.body.value(u"total").toInt(), 10);
    const QJsonArray items = list.body.value(u"items").toArray();
    QCOMPARE(items.size(), 3);
    QCOMPARE(items.at(0).toObject().value(u"id").toString(), QStringLiteral("req24"));
    QCOMPARE(items.at(2).toObject().value(u"id").toString(), QStringLiteral("req18"));
    QCOMPARE(call(router, "/admin/requests?status=429").body.value(u"total").toInt(), 10);
    QCOMPARE(call(router, "/admin/requests?status=error").body.value(u"total").toInt(), 20);
    QCOMPARE(call(router, "/admin/requests?key_id=k1&status=429").body.value(u"total").toInt(), 5);
    QCOMPARE(call(router, "/admin/requests?account_id=a2").body.value(u"total").toInt(), 0);
    QCOMPARE(call(router, "/admin/requests?min_duration_ms=25").body.value(u"total").toInt(), 5);

    const Answer badStatus = call(router, "/admin/requests?status=abc");
    QCOMPARE(badStatus.status, 422);
    QVERIFY(badStatus.fields.contains(u"status"));
    const Answer badLimit = call(router, "/admin/requests?limit=501");
    QCOMPARE(badLimit.status, 422);
    QVERIFY(badLimit.fields.contains(u"limit"));

    const Answer one = call(router, "/admin/requests/req7");
    QCOMPARE(one.status, 200);
    QCOMPARE(one.body.value(u"status").toInt(), 429);
    QCOMPARE(one.body.value(u"key_id").toString(), QStringLiteral("k1"));
    QCOMPARE(call(router, "/admin/requests/nope").status, 404);
}

void TstLiveMetrics::liveStreamSendsEverySnapshotUntilTheClientGoes()
{
    Fixture f;
    Admin::AdminRouter router;
    QObject owner;
    Admin::registerMetricsRoutes(router, f.context, f.live.get(), &owner);
    qint64 now = T0;
    f.live->tick(now);

    const Admin::AdminRouter::Route *route = nullptr;
    QHash<QString, QString> params;
    QCOMPARE(router.match("GET", "/admin/metrics/live", &route, &params), Admin::AdminRouter::Match::Found);
    QVERIFY(route->isStream());
    auto stream = std::make_shared<RecordingStream>();
    std::weak_ptr<RecordingStream> weak = stream;
    route->streamHandler(Admin::AdminRequest{}, stream);
    QCOMPARE(stream->events().size(), 1); // the latest snapshot at once
    QCOMPARE(stream->events().at(0).event, QByteArray("snapshot"));
    QCOMPARE(QJsonDocument::fromJson(stream->events().at(0).data).object().value(u"time").toInteger(), now);
    QVERIFY(!stream->events().at(0).data.contains('\n'));

    f.nextSecond(&now);
    f.nextSecond(&now);
    QCOMPARE(stream->events().size(), 3);
    QCOMPARE(QJsonDocument::fromJson(stream->events().at(2).data).object().value(u"time").toInteger(), now);

    stream->close(); // the client went
    RecordingStream *raw = stream.get();
    stream.reset();
    QVERIFY2(weak.expired(), "the signal connection still holds the stream");
    Q_UNUSED(raw);
    f.nextSecond(&now); // must not touch the stream
}

// A whole relay: requests through it appear in its request log with ordered stage timings, and LiveMetrics built on
// the relay's registry sees them.
void TstLiveMetrics::relayedRequestsShowInTheRequestLogAndLiveView()
{
    RelayHarness h;
    QVERIFY2(h.start(), qPrintable(h.errorString()));
    QByteArray keyId;
    const QByteArray key = h.createKey(QStringLiteral("timing key"), 0, &keyId);
    QVERIFY2(!key.isEmpty(), qPrintable(h.errorString()));
    const QByteArray accountId = h.createAccount(QStringLiteral("mock"), h.mock().baseUrl().toString());
    QVERIFY2(!accountId.isEmpty(), qPrintable(h.errorString()));
    QVERIFY2(h.startRelay(), qPrintable(h.errorString()));

    Proxy::RelayContext *relay = h.relay().relayContext();
    QVERIFY(relay);
    Admin::AdminContext context;
    context.registry = &h.relay().metricsRegistry();
    context.relayMetrics = h.relay().relayMetrics();
    context.relay = relay;
    LiveMetrics live(context);
    QSignalSpy snapshots(&live, &LiveMetrics::snapshotReady);
    live.start(); // the baseline, at once
    QCOMPARE(snapshots.size(), 1);
    QVERIFY(live.isRunning());
    live.stop(); // the test samples by itself from here on

    const auto send = [&](const QByteArray &body) { return h.send(RelayHarness::post("/v1/messages", key, body)); };
    const auto plain = send(j("{'model':'claude-sonnet-4-5','max_tokens':50,'messages':[{'role':'user','content':'a'}],"
                              "'mock':{'first_byte_ms':30}}"));
    QCOMPARE(plain.status, 200);
    const auto streamed = send(
        j("{'model':'claude-haiku-4-5','max_tokens':50,'stream':true,'messages':[{'role':'user','content':'b'}]}"));
    QCOMPARE(streamed.status, 200);
    const auto refused = send(j("{'model':'claude-sonnet-4-5','max_tokens':50,'messages':[{'role':'user','content':'c'}"
                                "],'mock':{'fault':'400'}}"));
    QCOMPARE(refused.status, 400);
    const auto cut = send(j("{'model':'claude-sonnet-4-5','max_tokens':50,'stream':true,'messages':[{'role':'user',"
                            "'content':'d'}],'mock':{'fault':'reset_mid_stream','deltas':5,'delta_delay_ms':10}}"));
    QCOMPARE(cut.status, 200);
    const auto invalid = send(j("{'model':'claude-sonnet-4-5','messages':'nope'}"));
    QCOMPARE(invalid.status, 400);

    Proxy::RequestLog &log = relay->requestLog();
    QTRY_COMPARE_WITH_TIMEOUT(log.recordedCount(), quint64(5), 5000);
    const std::vector<Proxy::RequestTiming> records = log.records();
    QCOMPARE(records.size(), size_t(5));
    // Newest first: the invalid body, the cut stream, the refused, the stream, the plain one.
    const Proxy::RequestTiming &rInvalid = records[0];
    const Proxy::RequestTiming &rCut = records[1];
    const Proxy::RequestTiming &rRefused = records[2];
    const Proxy::RequestTiming &rStream = records[3];
    const Proxy::RequestTiming &rPlain = records[4];
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const Proxy::RequestTiming *t : {&rPlain, &rStream, &rRefused, &rCut}) {
        const QByteArray what = t->requestId.view().toByteArray();
        QCOMPARE(t->keyId.view(), QByteArrayView(keyId));
        QCOMPARE(t->keyName.toString(), QStringLiteral("timing key"));
        QCOMPARE(t->accountId.view(), QByteArrayView(accountId));
        QCOMPARE(t->attempts, 1);
        QVERIFY2(t->startMs > now - 60'000 && t->startMs <= now, what.constData());
        QVERIFY2(t->authUs > 0, what.constData());
        QVERIFY2(t->authUs <= t->accountUs, what.constData());
        QVERIFY2(t->accountUs <= t->upstreamSentUs, what.constData());
        QVERIFY2(t->upstreamSentUs <= t->firstByteUs, what.constData());
        QVERIFY2(t->firstByteUs <= t->endUs, what.constData());
        QCOMPARE(t->limitsUs, 0); // the key has no limits
        QVERIFY(!t->clientAborted);
    }
    QCOMPARE(rPlain.status, 200);
    QVERIFY(!rPlain.stream);
    QVERIFY(rPlain.firstByteUs - rPlain.upstreamSentUs >= 30'000); // the mock's first_byte_ms
    QCOMPARE(rPlain.model.view(), QByteArrayView("claude-sonnet-4-5"));
    QVERIFY(rPlain.outputTokens > 0);
    QVERIFY(rPlain.errorType.isEmpty());
    QCOMPARE(plain.header("x-relaydeck-request-id"), rPlain.requestId.view().toByteArray());
    QCOMPARE(rStream.status, 200);
    QVERIFY(rStream.stream);
    QVERIFY(!rStream.truncated);
    QCOMPARE(rStream.outputTokens, 5); // one token per delta, the harness's mock default
    QCOMPARE(rRefused.status, 400);
    QCOMPARE(rRefused.errorType.view(), QByteArrayView("upstream_client_error"));
    QVERIFY(rCut.stream);
    QVERIFY(rCut.truncated);
    QCOMPARE(rCut.errorType.view(), QByteArrayView("stream_truncated"));
    // Refused before any account: no account, no upstream times.
    QCOMPARE(rInvalid.status, 400);
    QCOMPARE(rInvalid.errorType.view(), QByteArrayView("invalid_request_error"));
    QVERIFY(rInvalid.accountId.isEmpty());
    QCOMPARE(rInvalid.attempts, 0);
    QCOMPARE(rInvalid.accountUs, 0);
    QCOMPARE(rInvalid.firstByteUs, 0);
    QVERIFY(rInvalid.endUs >= rInvalid.authUs);
    QCOMPARE(log.inFlight(accountId), 0);

    // The same through the routes.
    Admin::AdminRouter router;
    QObject owner;
    Admin::registerMetricsRoutes(router, context, &live, &owner);
    const Answer errors = call(router, "/admin/requests?status=4xx&key_id=" + keyId);
    QCOMPARE(errors.body.value(u"total").toInt(), 2);
    const Answer one = call(router, "/admin/requests/" + rStream.requestId.view().toByteArray());
    QCOMPARE(one.status, 200);
    QCOMPARE(one.body.value(u"stream").toBool(), true);
    QCOMPARE(one.body.value(u"account_id").toString(), QString::fromLatin1(accountId));

    // The live view, once the second of these requests is complete in the registry's windows.
    QTest::qWait(1100);
    live.tick(QDateTime::currentMSecsSinceEpoch());
    const QJsonObject s = live.latestSnapshot();
    QVERIFY(s.value(u"requests_total").toInteger() >= 5);
    QVERIFY(s.value(u"requests_per_s").toDouble() > 0);
    QVERIFY(s.value(u"errors_per_s").toObject().value(u"status_4xx").toDouble() > 0);
    QVERIFY(window(s, QStringLiteral("total"), 1).value(u"count").toInt() >= 5);
    QVERIFY(window(s, QStringLiteral("total"), 1).value(u"p99_us").toInt() >= 30'000);
    QVERIFY(window(s, QStringLiteral("upstream_first_byte"), 1).value(u"count").toInt() >= 4);
    QVERIFY(window(s, QStringLiteral("relay_overhead"), 1).value(u"count").toInt() >= 5);
    const QJsonArray accounts = s.value(u"accounts").toArray();
    QCOMPARE(accounts.size(), 1);
    QCOMPARE(accounts.at(0).toObject().value(u"id").toString(), QString::fromLatin1(accountId));
    QCOMPARE(accounts.at(0).toObject().value(u"in_flight").toInt(), 0);
    QVERIFY(s.value(u"connections").toInt() >= 0);
    QCOMPARE(s.value(u"in_flight").toInt(), 0);
}

QTEST_GUILESS_MAIN(TstLiveMetrics)
#include "tst_livemetrics.moc"
