// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/clock.h"
#include "metrics/prometheusformat.h"
#include "metrics/registry.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

#include <atomic>
#include <latch>
#include <thread>
#include <vector>

using namespace Relay::Metrics;

class TestMetrics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rejectsInvalidDeclarations()
    {
        const QRegularExpression rejected(QStringLiteral("^metrics: cannot declare "));
        for (int i = 0; i < 10; ++i)
            QTest::ignoreMessage(QtWarningMsg, rejected);
        Registry registry;
        QVERIFY(registry.addCounter("relay_ok_total", "ok").isValid());
        QVERIFY(!registry.addCounter("relay_ok_total", "duplicate").isValid());
        QVERIFY(!registry.addCounter("1relay", "starts with a digit").isValid());
        QVERIFY(!registry.addCounter("relay-requests", "dash").isValid());
        QVERIFY(!registry.addGauge("relay_g", "bad label", {{"__reserved", {"a"}}}).isValid());
        QVERIFY(!registry.addGauge("relay_g2", "no values", {{"route", {}}}).isValid());
        QVERIFY(!registry.addGauge("relay_g3", "dup label", {{"a", {"x"}}, {"a", {"y"}}}).isValid());
        QVERIFY(!registry.addHistogram("relay_h_seconds", "le is reserved", {{"le", {"1"}}}).isValid());
        QVERIFY(!registry.addHistogram("relay_h2_seconds", "unsorted", {}, {true, {1000, 10}}).isValid());
        QVERIFY(!registry
                     .addCounter("relay_wide_total", "too many labels",
                                 {{"a", {"1"}}, {"b", {"1"}}, {"c", {"1"}}, {"d", {"1"}}, {"e", {"1"}}})
                     .isValid());
        QVERIFY(registry.addHistogram("relay_h3_seconds", "fine", {{"route", {"a", "b"}}}).isValid());

        Shard *shard = registry.createShard();
        QVERIFY(!registry.addCounter("relay_late_total", "after the first shard").isValid());
        // Invalid handles and out-of-range series are no-ops.
        shard->add(CounterHandle{}, 0, 5);
        shard->observe(HistogramHandle{}, 0, 5);
        shard->set(GaugeHandle{}, 0, 5);
        QCOMPARE(registry.collect().families.size(), 2);
    }

    void seriesIndexIsMixedRadixInDeclarationOrder()
    {
        Registry registry;
        const CounterHandle requests =
            registry.addCounter("relay_requests_total", "Requests.",
                                {{"route", {"messages", "count_tokens"}}, {"class", {"2xx", "4xx", "5xx"}}});
        QCOMPARE(requests.seriesCount, 6);
        QCOMPARE(requests.series({0, 0}), 0);
        QCOMPARE(requests.series({0, 2}), 2);
        QCOMPARE(requests.series({1, 0}), 3);
        QCOMPARE(requests.series({1, 2}), 5);
        QCOMPARE(requests.series({2, 0}), -1);
        QCOMPARE(requests.series({0}), -1);

        Shard *shard = registry.createShard();
        shard->add(requests, requests.series({1, 1}), 3);
        const MetricsSnapshot snapshot = registry.collect();
        const FamilySnapshot *family = snapshot.find("relay_requests_total");
        QVERIFY(family);
        QCOMPARE(family->series.at(4).labelValues, QByteArrayList({"count_tokens", "4xx"}));
        QCOMPARE(family->series.at(4).counter, quint64(3));
        QCOMPARE(registry.counterValue(requests), quint64(3));
    }

    void concurrentShardsMergeExactly()
    {
        Registry registry;
        const CounterHandle requests =
            registry.addCounter("relay_requests_total", "Requests.",
                                {{"route", {"messages", "count_tokens"}}, {"class", {"2xx", "4xx", "5xx"}}});
        const GaugeHandle inflight = registry.addGauge("relay_inflight_requests", "In flight.");
        const HistogramHandle latency = registry.addHistogram("relay_upstream_latency_seconds", "Latency.",
                                                              {{"route", {"messages", "count_tokens"}}});

        constexpr int Threads = 4;
        constexpr int Iterations = 1'000'000;
        std::vector<Shard *> shards;
        for (int i = 0; i < Threads; ++i)
            shards.push_back(registry.createShard());

        std::latch start(Threads + 1);
        std::atomic<int> running{Threads};
        std::vector<std::thread> writers;
        for (int t = 0; t < Threads; ++t) {
            writers.emplace_back([&, shard = shards[size_t(t)]] {
                start.arrive_and_wait();
                for (int k = 0; k < Iterations; ++k) {
                    shard->add(inflight, 0, 1);
                    shard->add(requests, k % 6);
                    shard->observe(latency, k % 2, quint64(k % 5'000));
                    shard->add(inflight, 0, -1);
                }
                shard->add(inflight, 0, 1); // each worker ends with one request in flight
                running.fetch_sub(1, std::memory_order_release);
            });
        }

        // The reader merges while the writers run: totals may only grow and stay self-consistent.
        int collections = 0;
        QByteArray readerError;
        std::thread reader([&] {
            start.arrive_and_wait();
            quint64 lastRequests = 0;
            quint64 lastObservations = 0;
            do {
                const MetricsSnapshot snapshot = registry.collect();
                quint64 requestsNow = 0;
                for (const SeriesSnapshot &s : snapshot.find("relay_requests_total")->series)
                    requestsNow += s.counter;
                quint64 observationsNow = 0;
                for (const SeriesSnapshot &s : snapshot.find("relay_upstream_latency_seconds")->series) {
                    observationsNow += s.histogram.count();
                    const QList<quint64> cumulative = s.histogram.cumulativeCounts(defaultBucketBoundsUsec());
                    if (cumulative.last() > s.histogram.count())
                        readerError = "bucket count above total";
                }
                if (requestsNow < lastRequests || observationsNow < lastObservations)
                    readerError = "merged totals went backwards";
                const qint64 inflightNow = snapshot.find("relay_inflight_requests")->series.at(0).gauge;
                if (inflightNow < 0 || inflightNow > 2 * Threads)
                    readerError = "in-flight gauge out of range: " + QByteArray::number(inflightNow);
                lastRequests = requestsNow;
                lastObservations = observationsNow;
                registry.standardPercentiles(latency);
                ++collections;
            } while (running.load(std::memory_order_acquire) > 0);
        });
        for (auto &writer : writers)
            writer.join();
        reader.join();
        qDebug() << "reader merged" << collections << "times while the writers ran";
        QVERIFY2(readerError.isEmpty(), readerError.constData());
        QVERIFY(collections > 0);

        for (int s = 0; s < 6; ++s) {
            const quint64 perThread = Iterations / 6 + (s < Iterations % 6 ? 1 : 0);
            QCOMPARE(registry.counterValue(requests, s), perThread * Threads);
        }
        QCOMPARE(registry.counterValue(requests), quint64(Iterations) * Threads);
        QCOMPARE(registry.gaugeValue(inflight), qint64(Threads));

        for (int route = 0; route < 2; ++route) {
            quint64 sum = 0;
            for (int k = route; k < Iterations; k += 2)
                sum += quint64(k % 5'000);
            const HistogramSnapshot merged = registry.histogram(latency, route);
            QCOMPARE(merged.count(), quint64(Iterations / 2) * Threads);
            QCOMPARE(merged.sum(), sum * Threads);
            QCOMPARE(merged.min(), quint64(route));
            QCOMPARE(merged.max(), quint64(4'999 - 1 + route));
        }
        QCOMPARE(registry.histogram(latency).count(), quint64(Iterations) * Threads);
    }

    void gaugesAreSummedAcrossShards()
    {
        Registry registry;
        const GaugeHandle backlog =
            registry.addGauge("relay_usage_backlog", "Queued usage writes.", {{"kind", {"usage", "cost"}}});
        Shard *a = registry.createShard();
        Shard *b = registry.createShard();
        Shard *c = registry.createShard();
        a->set(backlog, 0, 10);
        b->set(backlog, 0, 5);
        c->add(backlog, 0, -2);
        b->add(backlog, 1, 7);
        a->set(backlog, 0, 4); // set replaces this shard's share only
        QCOMPARE(registry.gaugeValue(backlog, 0), qint64(7));
        QCOMPARE(registry.gaugeValue(backlog, 1), qint64(7));
        QCOMPARE(registry.gaugeValue(backlog), qint64(14));
        QCOMPARE(registry.collect().families.at(0).series.at(0).gauge, qint64(7));
    }

    void rendersPrometheusTextExactly()
    {
        Registry registry;
        const CounterHandle requests =
            registry.addCounter("relay_requests_total", "Requests answered, by route.\nSecond line with \\ backslash.",
                                {{"route", {"messages", "we\"ird\\path\nx"}}, {"status_class", {"2xx", "5xx"}}});
        const GaugeHandle inflight = registry.addGauge("relay_inflight_requests", "Requests in flight.");
        const HistogramHandle latency =
            registry.addHistogram("relay_upstream_latency_seconds", "Upstream latency.", {{"route", {"messages"}}},
                                  {false, {100, 1'000, 1'000'000}});
        Shard *a = registry.createShard();
        Shard *b = registry.createShard();
        a->add(requests, requests.series({0, 0}), 5);
        b->add(requests, requests.series({0, 0}), 2);
        b->add(requests, requests.series({1, 1}));
        a->add(inflight, 0, 3);
        b->add(inflight, 0, 2);
        a->observe(latency, 0, 5);
        a->observe(latency, 0, 50);
        b->observe(latency, 0, 500);
        b->observe(latency, 0, 2'000'000);

        const QByteArray expected = QByteArrayLiteral(
            "# HELP relay_requests_total Requests answered, by route.\\nSecond line with \\\\ backslash.\n"
            "# TYPE relay_requests_total counter\n"
            "relay_requests_total{route=\"messages\",status_class=\"2xx\"} 7\n"
            "relay_requests_total{route=\"messages\",status_class=\"5xx\"} 0\n"
            "relay_requests_total{route=\"we\\\"ird\\\\path\\nx\",status_class=\"2xx\"} 0\n"
            "relay_requests_total{route=\"we\\\"ird\\\\path\\nx\",status_class=\"5xx\"} 1\n"
            "# HELP relay_inflight_requests Requests in flight.\n"
            "# TYPE relay_inflight_requests gauge\n"
            "relay_inflight_requests 5\n"
            "# HELP relay_upstream_latency_seconds Upstream latency.\n"
            "# TYPE relay_upstream_latency_seconds histogram\n"
            "relay_upstream_latency_seconds_bucket{route=\"messages\",le=\"0.0001\"} 2\n"
            "relay_upstream_latency_seconds_bucket{route=\"messages\",le=\"0.001\"} 3\n"
            "relay_upstream_latency_seconds_bucket{route=\"messages\",le=\"1\"} 3\n"
            "relay_upstream_latency_seconds_bucket{route=\"messages\",le=\"+Inf\"} 4\n"
            "relay_upstream_latency_seconds_sum{route=\"messages\"} 2.000555\n"
            "relay_upstream_latency_seconds_count{route=\"messages\"} 4\n");
        const QByteArray rendered = renderPrometheus(registry);
        if (rendered != expected)
            qWarning().noquote() << "rendered:\n" << rendered;
        QCOMPARE(rendered, expected);
    }

    void formatsSecondsExactly()
    {
        QCOMPARE(formatMicrosAsSeconds(0), QByteArray("0"));
        QCOMPARE(formatMicrosAsSeconds(500), QByteArray("0.0005"));
        QCOMPARE(formatMicrosAsSeconds(2'500'000), QByteArray("2.5"));
        QCOMPARE(formatMicrosAsSeconds(60'000'000), QByteArray("60"));
        QCOMPARE(formatMicrosAsSeconds(1), QByteArray("0.000001"));
        QCOMPARE(escapePrometheusLabelValue("a\\b\"c\nd"), QByteArray("a\\\\b\\\"c\\nd"));
        QCOMPARE(escapePrometheusHelp("say \"hi\"\\\n"), QByteArray("say \"hi\"\\\\\\n"));
    }

    void defaultBucketsAreCumulativeWithInfEqualToCount()
    {
        Registry registry;
        const HistogramHandle latency = registry.addHistogram("relay_redis_roundtrip_seconds", "Redis round trips.");
        Shard *shard = registry.createShard();
        quint64 seed = 12345;
        for (int i = 0; i < 10'000; ++i) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            shard->observe(latency, 0, (seed >> 33) % 90'000'000);
        }
        const QByteArray text = renderPrometheus(registry);
        quint64 previous = 0;
        int buckets = 0;
        for (const QByteArray &line : text.split('\n')) {
            if (!line.startsWith("relay_redis_roundtrip_seconds_bucket"))
                continue;
            const quint64 value = line.mid(line.lastIndexOf(' ') + 1).toULongLong();
            QVERIFY(value >= previous);
            previous = value;
            ++buckets;
            if (line.contains("le=\"+Inf\""))
                QCOMPARE(value, quint64(10'000));
        }
        QCOMPARE(buckets, int(defaultBucketBoundsUsec().size()) + 1);
        QVERIFY(text.contains("le=\"0.0005\"") && text.contains("le=\"60\""));
        QVERIFY(text.contains("relay_redis_roundtrip_seconds_count 10000\n"));
    }

    void percentilesFollowTheInjectedClock()
    {
        auto clock = std::make_shared<ManualClock>();
        Registry registry(clock);
        const HistogramHandle latency =
            registry.addHistogram("relay_upstream_latency_seconds", "Latency.", {{"route", {"messages", "other"}}});
        Shard *a = registry.createShard();
        Shard *b = registry.createShard();
        clock->setSeconds(100);
        for (int i = 0; i < 1'000; ++i) {
            a->observe(latency, 0, 1'000);
            b->observe(latency, 1, 3'000);
        }
        clock->setSeconds(101);
        for (int i = 0; i < 10; ++i)
            b->observe(latency, 0, 50);
        clock->setSeconds(102);

        const QList<PercentileSummary> all = registry.standardPercentiles(latency);
        QCOMPARE(all.size(), 3);
        QCOMPARE(all.at(0).windowSeconds, 1);
        QCOMPARE(all.at(0).count, quint64(10));
        QCOMPARE(all.at(0).p50, 50.0);
        QCOMPARE(all.at(1).count, quint64(2'010));
        QCOMPARE(all.at(2).count, quint64(2'010));
        QVERIFY(std::abs(all.at(1).p99 - 3'000) <= 3'000 * BucketLayout::MaxRelativeError);
        QVERIFY(std::abs(all.at(1).p50 - 1'000) <= 1'000 * BucketLayout::MaxRelativeError);

        const PercentileSummary messages = registry.percentiles(latency, 0, 10);
        QCOMPARE(messages.count, quint64(1'010));
        QVERIFY(std::abs(messages.p95 - 1'000) <= 1'000 * BucketLayout::MaxRelativeError);

        const QJsonObject json = all.at(0).toJson();
        QCOMPARE(json.value(QStringLiteral("windowSeconds")).toInt(), 1);
        QCOMPARE(json.value(QStringLiteral("count")).toInteger(), 10);
        QCOMPARE(json.value(QStringLiteral("p50Us")).toInteger(), 50);

        clock->setSeconds(200);
        QCOMPARE(registry.percentiles(latency, Registry::AllSeries, 60).count, quint64(0));
        QCOMPARE(registry.histogram(latency).count(), quint64(2'010));
    }

    void measuresHotPathCost()
    {
        // Informational only: performance is measured by benchmarks, not asserted here.
        Registry registry;
        const CounterHandle counter = registry.addCounter("relay_bench_total", "Bench.", {{"i", {"a", "b"}}});
        const HistogramHandle windowed = registry.addHistogram("relay_bench_seconds", "Bench.");
        const HistogramHandle plain = registry.addHistogram("relay_bench_plain_seconds", "Bench.", {}, {false, {}});
        Shard *shard = registry.createShard();
        constexpr int N = 5'000'000;
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < N; ++i)
            shard->add(counter, i & 1);
        const double addNs = double(timer.nsecsElapsed()) / N;
        timer.restart();
        for (int i = 0; i < N; ++i)
            shard->observe(windowed, 0, quint64(i & 0xfffff));
        const double windowedNs = double(timer.nsecsElapsed()) / N;
        timer.restart();
        for (int i = 0; i < N; ++i)
            shard->observe(plain, 0, quint64(i & 0xfffff));
        const double plainNs = double(timer.nsecsElapsed()) / N;
        qDebug("counter add(): %.2f ns; observe(): %.2f ns with windows (includes a clock read), %.2f ns without",
               addNs, windowedNs, plainNs);
        QCOMPARE(registry.counterValue(counter), quint64(N));
        QCOMPARE(registry.histogram(windowed).count(), quint64(N));
        QCOMPARE(registry.histogram(plain).count(), quint64(N));
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
