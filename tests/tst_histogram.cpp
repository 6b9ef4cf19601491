// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/bucketlayout.h"
#include "metrics/clock.h"
#include "metrics/histogramsnapshot.h"
#include "metrics/latencyhistogram.h"
#include "metrics/windowedhistogram.h"

#include <QTest>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <random>
#include <thread>
#include <vector>

using namespace Relay::Metrics;

namespace {

std::vector<quint64> distribution(const QByteArray &name)
{
    std::mt19937_64 rng(20240601);
    std::vector<quint64> values;
    const int n = 200'000;
    if (name == "uniform") {
        std::uniform_int_distribution<quint64> dist(0, 2'000'000);
        for (int i = 0; i < n; ++i)
            values.push_back(dist(rng));
    } else if (name == "lognormal") {
        std::lognormal_distribution<double> dist(std::log(30'000.0), 1.2);
        for (int i = 0; i < n; ++i)
            values.push_back(quint64(dist(rng)));
    } else if (name == "bimodal") {
        std::normal_distribution<double> fast(2'000, 300);
        std::normal_distribution<double> slow(800'000, 60'000);
        std::bernoulli_distribution pickSlow(0.3);
        for (int i = 0; i < n; ++i)
            values.push_back(quint64(std::max(0.0, pickSlow(rng) ? slow(rng) : fast(rng))));
    } else if (name == "constant") {
        values.assign(size_t(n), 12'345);
    } else if (name == "tiny") {
        std::uniform_int_distribution<quint64> dist(0, 31);
        for (int i = 0; i < n; ++i)
            values.push_back(dist(rng));
    } else if (name == "bucketEdges") {
        // Every bucket's bounds and their neighbours, the values most likely to land in the wrong bucket.
        for (int i = 0; i < BucketLayout::BucketCount; ++i) {
            const quint64 lower = BucketLayout::lowerBound(i);
            const quint64 upper = BucketLayout::upperBound(i);
            values.insert(values.end(), {lower, upper, upper + 1});
            if (lower > 0)
                values.push_back(lower - 1);
        }
    } else if (name == "zeroAndHuge") {
        std::uniform_int_distribution<int> pick(0, 3);
        std::uniform_int_distribution<quint64> small(1, 100);
        std::uniform_int_distribution<quint64> huge(quint64(1) << 34, std::numeric_limits<quint64>::max());
        for (int i = 0; i < n; ++i) {
            switch (pick(rng)) {
            case 0:
                values.push_back(0);
                break;
            case 1:
                values.push_back(small(rng));
                break;
            default:
                values.push_back(huge(rng));
                break;
            }
        }
    }
    return values;
}

quint64 clamped(quint64 v)
{
    return std::min(v, BucketLayout::MaxValue);
}

} // namespace

class TestHistogram : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bucketLayoutTilesTheValueRange()
    {
        QCOMPARE(BucketLayout::lowerBound(0), quint64(0));
        for (int i = 0; i < BucketLayout::BucketCount; ++i) {
            const quint64 lower = BucketLayout::lowerBound(i);
            const quint64 upper = BucketLayout::upperBound(i);
            QVERIFY(lower <= upper);
            QCOMPARE(BucketLayout::indexOf(lower), i);
            QCOMPARE(BucketLayout::indexOf(upper), i);
            if (i + 1 < BucketLayout::BucketCount)
                QCOMPARE(BucketLayout::lowerBound(i + 1), upper + 1);
            // The documented bound: half a bucket is less than MaxRelativeError of its lower bound.
            if (lower > 0)
                QVERIFY(double(upper - lower) / 2 < double(lower) * BucketLayout::MaxRelativeError);
        }
        QVERIFY(BucketLayout::MaxValue >= (quint64(1) << 34));
        QCOMPARE(BucketLayout::indexOf(std::numeric_limits<quint64>::max()), BucketLayout::BucketCount - 1);
    }

    void percentilesStayWithinRelativeError_data()
    {
        QTest::addColumn<QByteArray>("name");
        for (const char *name : {"uniform", "lognormal", "bimodal", "constant", "tiny", "bucketEdges", "zeroAndHuge"})
            QTest::newRow(name) << QByteArray(name);
    }

    void percentilesStayWithinRelativeError()
    {
        QFETCH(QByteArray, name);
        const std::vector<quint64> values = distribution(name);
        LatencyHistogram histogram;
        for (const quint64 v : values)
            histogram.record(v);
        const HistogramSnapshot snapshot = histogram.snapshot();

        std::vector<quint64> sorted;
        for (const quint64 v : values)
            sorted.push_back(clamped(v));
        std::sort(sorted.begin(), sorted.end());
        quint64 sum = 0;
        for (const quint64 v : sorted)
            sum += v;

        QCOMPARE(snapshot.count(), quint64(sorted.size()));
        QCOMPARE(snapshot.sum(), sum);
        QCOMPARE(snapshot.min(), sorted.front());
        QCOMPARE(snapshot.max(), sorted.back());

        for (const double q : {0.0, 0.5, 0.95, 0.99, 0.999, 1.0}) {
            const quint64 exact = sorted[HistogramSnapshot::rankFor(q, sorted.size()) - 1];
            const double estimate = snapshot.percentile(q);
            const double error = std::abs(estimate - double(exact));
            QVERIFY2(
                error <= double(exact) * BucketLayout::MaxRelativeError,
                qPrintable(QStringLiteral("q=%1 exact=%2 estimate=%3").arg(q).arg(exact).arg(estimate, 0, 'f', 1)));
            if (exact < quint64(BucketLayout::LinearBuckets))
                QCOMPARE(estimate, double(exact));
        }
    }

    void atomicHistogramMatchesPlainSnapshot()
    {
        const std::vector<quint64> values = distribution("lognormal");
        LatencyHistogram atomic;
        HistogramSnapshot plain;
        for (const quint64 v : values) {
            atomic.record(v);
            plain.record(v);
        }
        QVERIFY(atomic.snapshot() == plain);
        atomic.clear();
        QVERIFY(atomic.snapshot() == HistogramSnapshot());
    }

    void mergeEqualsHistogramOfUnion()
    {
        const std::vector<quint64> a = distribution("bimodal");
        const std::vector<quint64> b = distribution("zeroAndHuge");
        LatencyHistogram ha;
        LatencyHistogram hb;
        LatencyHistogram hunion;
        for (const quint64 v : a) {
            ha.record(v);
            hunion.record(v);
        }
        for (const quint64 v : b) {
            hb.record(v);
            hunion.record(v);
        }
        HistogramSnapshot merged = ha.snapshot();
        merged.merge(hb.snapshot());
        QVERIFY(merged == hunion.snapshot());
        QCOMPARE(merged.count(), quint64(a.size() + b.size()));

        HistogramSnapshot intoEmpty;
        intoEmpty.merge(merged);
        intoEmpty.merge(HistogramSnapshot());
        QVERIFY(intoEmpty == merged);
    }

    void cumulativeCountsBracketExactCounts()
    {
        const std::vector<quint64> values = distribution("lognormal");
        HistogramSnapshot snapshot;
        for (const quint64 v : values)
            snapshot.record(v);
        QList<quint64> bounds = {0,     1,      31,     32,     100,     500,     1'000,     2'500,
                                 5'000, 10'000, 25'000, 50'000, 100'000, 250'000, 1'000'000, 60'000'000};
        const QList<quint64> cumulative = snapshot.cumulativeCounts(bounds);
        QCOMPARE(cumulative.size(), bounds.size());
        for (qsizetype i = 0; i < bounds.size(); ++i) {
            const quint64 le = bounds.at(i);
            // Every value is counted as its bucket midpoint, which is within 1/32 of it.
            const auto surelyBelow =
                quint64(std::count_if(values.begin(), values.end(), [&](quint64 v) { return v * 32 <= le * 31; }));
            const auto possiblyBelow = quint64(
                std::count_if(values.begin(), values.end(), [&](quint64 v) { return v * 31 < le * 32 || v <= le; }));
            QVERIFY2(cumulative.at(i) >= surelyBelow && cumulative.at(i) <= possiblyBelow,
                     qPrintable(QStringLiteral("le=%1 got %2 expected [%3, %4]")
                                    .arg(le)
                                    .arg(cumulative.at(i))
                                    .arg(surelyBelow)
                                    .arg(possiblyBelow)));
            QCOMPARE(snapshot.countAtOrBelow(le), cumulative.at(i));
            if (i > 0)
                QVERIFY(cumulative.at(i) >= cumulative.at(i - 1));
        }
        // Values below 32 us are exact.
        QCOMPARE(snapshot.countAtOrBelow(31),
                 quint64(std::count_if(values.begin(), values.end(), [](quint64 v) { return v <= 31; })));
        QCOMPARE(snapshot.countAtOrBelow(BucketLayout::MaxValue), snapshot.count());
    }

    void emptyHistogramReportsZero()
    {
        const HistogramSnapshot empty;
        QVERIFY(empty.isEmpty());
        QCOMPARE(empty.percentile(0.99), 0.0);
        QCOMPARE(empty.min(), quint64(0));
        QCOMPARE(empty.max(), quint64(0));
        QCOMPARE(empty.mean(), 0.0);
        QCOMPARE(empty.countAtOrBelow(1'000), quint64(0));
    }

    void windowsCountExactlyTheirSeconds()
    {
        ManualClock clock;
        WindowedHistogram histogram(&clock);
        const qint64 t0 = 1'000;
        // Second t0 + s gets s + 1 values of 100 * (s + 1) us.
        const auto countIn = [](qint64 s) { return quint64(s + 1); };
        const auto expected = [&](qint64 lastRecorded, qint64 now, int window) {
            quint64 total = 0;
            for (qint64 s = now - t0 - window; s < now - t0; ++s) {
                if (s >= 0 && s <= lastRecorded)
                    total += countIn(s);
            }
            return total;
        };

        for (qint64 s = 0; s <= 70; ++s) {
            clock.setSeconds(t0 + s);
            for (quint64 i = 0; i < countIn(s); ++i)
                histogram.record(quint64(100 * (s + 1)));
            for (const qint64 now : {t0 + s, t0 + s + 1}) {
                for (const int window : {1, 10, 60})
                    QCOMPARE(histogram.snapshot(window, now).count(), expected(s, now, window));
            }
        }

        const qint64 now = t0 + 71;
        QCOMPARE(histogram.snapshot(1, now).count(), quint64(71));
        QCOMPARE(histogram.snapshot(10, now).count(), quint64(62 + 63 + 64 + 65 + 66 + 67 + 68 + 69 + 70 + 71));
        const HistogramSnapshot minute = histogram.snapshot(60, now);
        QCOMPARE(minute.count(), quint64(71 * 72 / 2 - 11 * 12 / 2));
        QCOMPARE(minute.min(), quint64(1'200)); // second t0 + 11 is the oldest in the window
        QCOMPARE(minute.max(), quint64(7'100));
        QCOMPARE(histogram.cumulativeSnapshot().count(), quint64(71 * 72 / 2));
        // Out-of-range windows are clamped to [1, 60].
        QCOMPARE(histogram.snapshot(0, now).count(), quint64(71));
        QCOMPARE(histogram.snapshot(600, now).count(), minute.count());
    }

    void windowLeavesOutTheSecondInProgress()
    {
        ManualClock clock;
        clock.setSeconds(50);
        WindowedHistogram histogram(&clock);
        histogram.record(10);
        QCOMPARE(histogram.snapshot(1, 50).count(), quint64(0));
        QCOMPARE(histogram.snapshot(1, 51).count(), quint64(1));
        QCOMPARE(histogram.snapshot(60, 51).percentile(0.5), 10.0);
    }

    void slotIsClearedWhenItsSecondComesRound()
    {
        ManualClock clock;
        WindowedHistogram histogram(&clock);
        clock.setSeconds(5);
        for (int i = 0; i < 100; ++i)
            histogram.record(1'000);
        // Same ring slot, one lap later.
        const qint64 later = 5 + WindowedHistogram::SlotCount;
        clock.setSeconds(later);
        histogram.record(7);
        const HistogramSnapshot second = histogram.snapshot(1, later + 1);
        QCOMPARE(second.count(), quint64(1));
        QCOMPARE(second.max(), quint64(7));
        QCOMPARE(second.sum(), quint64(7));
        QCOMPARE(histogram.snapshot(60, later + 1).count(), quint64(1));
        QCOMPARE(histogram.cumulativeSnapshot().count(), quint64(101));
    }

    void staleSlotsAreIgnoredAfterAnIdleGap()
    {
        ManualClock clock;
        WindowedHistogram histogram(&clock);
        for (qint64 s = 10; s < 20; ++s) {
            clock.setSeconds(s);
            histogram.record(quint64(s));
        }
        QCOMPARE(histogram.snapshot(10, 20).count(), quint64(10));
        QCOMPARE(histogram.snapshot(60, 200).count(), quint64(0));
        // 10..19 map to the same slots as 72..81: a reader there must not see them.
        QCOMPARE(histogram.snapshot(60, 82).count(), quint64(0));
        QCOMPARE(histogram.snapshot(60, 70).count(), quint64(10));
        QCOMPARE(histogram.snapshot(60, 71).count(), quint64(9));
    }

    void windowReadsAreNeverTornWhileTheWriterRotates()
    {
        // Every second gets the same five values in five far-apart buckets, and the clock moves only after a
        // second is complete, so a window's count is always a multiple of five. The writer is fast enough to lap
        // the ring while a reader merges it; a reader that kept a slot half-cleared by a rotation would see a
        // count that is not a multiple of five.
        constexpr std::array<quint64, 5> Values{3, 300, 30'000, 3'000'000, 300'000'000};
        constexpr quint64 PerSecond = Values.size();
        constexpr qint64 Seconds = 300'000;
        ManualClock clock;
        WindowedHistogram histogram(&clock);
        std::atomic<bool> done{false};
        std::thread writer([&] {
            for (qint64 s = 0; s < Seconds; ++s) {
                clock.setSeconds(s);
                for (const quint64 v : Values)
                    histogram.record(v);
            }
            clock.setSeconds(Seconds);
            done.store(true, std::memory_order_release);
        });
        int reads = 0;
        int torn = 0;
        while (!done.load(std::memory_order_acquire)) {
            const qint64 now = clock.nowSeconds();
            for (const int window : {60, 10, 1}) {
                const quint64 count = histogram.snapshot(window, now).count();
                if (count % PerSecond != 0 || count > PerSecond * quint64(window))
                    ++torn;
            }
            ++reads;
        }
        writer.join();
        qDebug() << reads << "window reads during" << Seconds << "rotations";
        QCOMPARE(torn, 0);
        QVERIFY(reads > 0);
        QCOMPARE(histogram.snapshot(60, Seconds).count(), PerSecond * 60);
        QCOMPARE(histogram.cumulativeSnapshot().count(), PerSecond * Seconds);
    }

    void histogramWithoutWindowsKeepsOnlyTheTotal()
    {
        ManualClock clock;
        WindowedHistogram histogram(&clock, false);
        QVERIFY(!histogram.keepsWindows());
        histogram.record(42);
        QCOMPARE(histogram.snapshot(60, 1).count(), quint64(0));
        QCOMPARE(histogram.cumulativeSnapshot().count(), quint64(1));
    }
};

QTEST_GUILESS_MAIN(TestHistogram)
#include "tst_histogram.moc"
