// SPDX-License-Identifier: GPL-3.0-or-later
// The console's Dashboard against a real bundled relay: live charts from the history and the metrics stream, the
// tiles from today's usage, the account health table with a cooldown countdown, the window selector, bounded
// series with dots where a line cannot show a point, round value ticks, today's cost per account, the empty state,
// and no stream while the page is hidden.
#include "consolefixture.h"
#include "ui/eventstream.h"
#include "ui/format.h"
#include "ui/pages/dashboardchart.h"
#include "ui/pages/dashboardpage.h"
#include "ui/pages/keyspage.h"

#include <QAbstractItemModel>
#include <QAction>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineSeries>
#include <QTableView>
#include <QTest>
#include <QToolButton>
#include <QValueAxis>

#include <cmath>

using namespace Qt::StringLiterals;

class TstConsoleDashboard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void chartsTilesAndAccountsFollowTraffic();
    void emptyRelayShowsAxesAndHint();
    void sparsePointsGetDotsAndTicksAreRound();

private:
    static QLineSeries *series(Console::DashboardPage *page, const char *chart, const char *name)
    {
        auto *view = page->findChild<QChartView *>(QLatin1String(chart));
        if (!view)
            return nullptr;
        for (QAbstractSeries *s : view->chart()->series())
            if (s->objectName() == QLatin1String(name))
                return qobject_cast<QLineSeries *>(s);
        return nullptr;
    }
    static double maximumY(QLineSeries *s)
    {
        double top = 0;
        for (const QPointF &p : s->points())
            top = std::max(top, p.y());
        return top;
    }
    static qint64 axisSpanMs(Console::DashboardPage *page, const char *chart)
    {
        auto *view = page->findChild<QChartView *>(QLatin1String(chart));
        const auto axes = view->chart()->axes(Qt::Horizontal);
        auto *axis = axes.isEmpty() ? nullptr : qobject_cast<QDateTimeAxis *>(axes.first());
        return axis ? axis->min().msecsTo(axis->max()) : -1;
    }
    static QString tileValue(Console::DashboardPage *page, const char *tile)
    {
        auto *label = page->findChild<QLabel *>(QLatin1String(tile) + u"Value"_s);
        return label ? label->text() : QString();
    }
    static QString cell(QTableView *view, int row, int column)
    {
        return view->model()->index(row, column).data().toString();
    }
    static int rowNamed(QTableView *view, const QString &name)
    {
        for (int row = 0; row < view->model()->rowCount(); ++row)
            if (cell(view, row, 0) == name)
                return row;
        return -1;
    }
    static qsizetype positivePoints(QLineSeries *s)
    {
        const QList<QPointF> points = s->points();
        return std::count_if(points.cbegin(), points.cend(), [](const QPointF &p) { return p.y() > 0; });
    }
    // 1, 2 or 5 × 10^k, and the axis ends on a tick.
    static bool isRoundScale(const Console::DashboardChart *chart)
    {
        const double step = chart->valueStep();
        const double mantissa = step / std::pow(10.0, std::floor(std::log10(step)));
        const bool round =
            std::abs(mantissa - 1) < 1e-6 || std::abs(mantissa - 2) < 1e-6 || std::abs(mantissa - 5) < 1e-6;
        const QValueAxis *axis = chart->valueAxis();
        return round && axis->min() == 0 && std::abs(axis->max() - step * (axis->tickCount() - 1)) < step * 1e-6;
    }
    // A relayed request whose upstream answer takes firstByteMs (a stream: ten deltas 4 ms apart); `fault` makes the
    // mock refuse it (e.g. "400"). The HTTP status.
    static int relayed(ConsoleFixture &console, const QByteArray &key, bool stream, int firstByteMs,
                       const QString &fault = {})
    {
        QJsonObject mock{{u"first_byte_ms"_s, firstByteMs}, {u"deltas"_s, 10}};
        if (stream)
            mock.insert(u"delta_delay_ms"_s, 4);
        if (!fault.isEmpty())
            mock.insert(u"fault"_s, fault);
        const QJsonObject body{
            {u"model"_s, u"claude-sonnet-4-5"_s},
            {u"max_tokens"_s, 64},
            {u"stream"_s, stream},
            {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}},
            {u"mock"_s, mock},
        };
        RawHttpClient http;
        if (!http.connectTo(console.relay().port()))
            return 0;
        return http
            .request(RelayHarness::post("/v1/messages", key, QJsonDocument(body).toJson(QJsonDocument::Compact)), 15000)
            .status;
    }
};

void TstConsoleDashboard::chartsTilesAndAccountsFollowTraffic()
{
    ConsoleFixture console;
    QVERIFY2(console.start(), qPrintable(console.errorString()));
    QVERIFY(!console.harness().createAccount(u"main"_s, console.harness().mock().baseUrl().toString()).isEmpty());
    const QByteArray key = console.harness().createKey(u"dashboard key"_s);
    QVERIFY(!key.isEmpty());

    auto *page = console.page<Console::DashboardPage>();
    QVERIFY(page);
    QVERIFY(page->isActive());
    QCOMPARE(axisSpanMs(page, "trafficChart"), 5 * 60'000);
    auto *table = page->findChild<QTableView *>(u"accountsTable"_s);
    QVERIFY(table);
    QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 1, 10000);
    QCOMPARE(cell(table, 0, 0), u"main"_s);
    QTRY_COMPARE_WITH_TIMEOUT(cell(table, 0, 1), u"active"_s, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(page->findChild<QLabel *>(u"dashboardLiveState"_s)->text().contains(u"Live"_s), 10000);

    constexpr int Requests = 6;
    for (int i = 0; i < Requests; ++i)
        QCOMPARE(console.sendMessage(key, i % 2 == 1), 200);

    // The live stream brings the seconds with traffic into the charts, in milliseconds for latency.
    QLineSeries *requests = series(page, "trafficChart", "requestsSeries");
    QVERIFY(requests);
    QTRY_VERIFY_WITH_TIMEOUT(maximumY(requests) > 0, 10000);
    QLineSeries *p50 = series(page, "latencyChart", "latencyP50Series");
    QLineSeries *p99 = series(page, "latencyChart", "latencyP99Series");
    QTRY_VERIFY_WITH_TIMEOUT(p99->count() > 0, 5000);
    QVERIFY(maximumY(p50) > 0 && maximumY(p50) < 5000); // the mock answers in milliseconds, not µs
    QVERIFY(maximumY(p99) >= maximumY(p50));
    auto *trafficChart = page->findChild<Console::DashboardChart *>(u"trafficChart"_s);
    QVERIFY(trafficChart);
    QVERIFY(trafficChart->hint().isEmpty());

    // Tiles: today's requests as the usage summary counts them.
    QTRY_COMPARE_WITH_TIMEOUT(tileValue(page, "requestsTodayTile"), QString::number(Requests), 20000);
    const auto summary = console.call("GET", u"/admin/usage/summary"_s);
    QVERIFY(summary.ok());
    const QJsonObject today = summary.object().value(u"today").toObject();
    QCOMPARE(today.value(u"requests").toInteger(), Requests);
    QVERIFY(today.value(u"tokens").toInteger() > 0);
    QCOMPARE(tileValue(page, "tokensTodayTile"), Console::Format::tokens(today.value(u"tokens").toInteger()));
    QVERIFY(tileValue(page, "costTodayTile").startsWith(u'$'));
    QCOMPARE(tileValue(page, "activeStreamsTile"), u"0"_s);

    // The latency selector switches the three lines to the upstream's first byte.
    auto *kind = page->findChild<QComboBox *>(u"latencyKind"_s);
    QVERIFY(kind);
    kind->setCurrentIndex(1);
    QTRY_VERIFY_WITH_TIMEOUT(p50->count() > 0, 3000);
    QVERIFY(maximumY(p50) > 0);
    kind->setCurrentIndex(0);

    // Live updates extend the series, within the bound.
    const qsizetype before = requests->count();
    QTest::qWait(5000);
    QVERIFY2(requests->count() > before, qPrintable(QString::number(requests->count())));
    QVERIFY(requests->count() <= 300);
    QVERIFY(p99->count() <= 300);

    // A 429 with retry-after puts the only account into a cooldown the table counts down.
    {
        RawHttpClient http;
        QVERIFY(http.connectTo(console.relay().port()));
        const auto refused = http.request(
            RelayHarness::post(
                "/v1/messages", key,
                R"({"model":"claude-sonnet-4-5","max_tokens":8,"messages":[{"role":"user","content":"hi"}],)"
                R"("mock":{"fault":"429","retry_after":300}})"),
            15000);
        QVERIFY2(refused.status >= 400, qPrintable(QString::number(refused.status)));
    }
    QTRY_VERIFY_WITH_TIMEOUT(cell(table, 0, 1).startsWith(u"cooling · 4 min"_s), 10000);
    const QString first = cell(table, 0, 1);
    QTRY_VERIFY_WITH_TIMEOUT(cell(table, 0, 1) != first, 3000); // the countdown moves
    QVERIFY(!cell(table, 0, 2).isEmpty() && cell(table, 0, 2) != u"–"_s);
    QLineSeries *errors = series(page, "trafficChart", "errorsSeries");
    QTRY_VERIFY_WITH_TIMEOUT(maximumY(errors) > 0, 10000);

    // 15 minutes: the history is loaded again (the earlier seconds come back from the relay) and the axis spans it.
    auto *fifteen = page->findChild<QToolButton *>(u"dashboardWindow15m"_s);
    QVERIFY(fifteen);
    QTest::mouseClick(fifteen, Qt::LeftButton);
    QVERIFY(fifteen->isChecked());
    QTRY_COMPARE_WITH_TIMEOUT(axisSpanMs(page, "trafficChart"), 15 * 60'000, 5000);
    QCOMPARE(axisSpanMs(page, "latencyChart"), 15 * 60'000);
    QTRY_VERIFY_WITH_TIMEOUT(maximumY(requests) > 0, 5000);
    QVERIFY(requests->count() <= 300);
    QTRY_VERIFY_WITH_TIMEOUT(maximumY(errors) > 0, 5000);

    // Steady traffic in the 5 minute window: three accounts (main still cooling), two keys, a few requests a second,
    // every third one streamed, now and then a 400 from the upstream.
    const QString mockUrl = console.harness().mock().baseUrl().toString();
    QVERIFY(!console.harness().createAccount(u"backup"_s, mockUrl, 50).isEmpty());
    QVERIFY(!console.harness().createAccount(u"batch jobs"_s, mockUrl, 60).isEmpty());
    const QByteArray ciKey = console.harness().createKey(u"ci key"_s);
    QVERIFY(!ciKey.isEmpty());
    auto *five = page->findChild<QToolButton *>(u"dashboardWindow5m"_s);
    QVERIFY(five);
    QTest::mouseClick(five, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(axisSpanMs(page, "trafficChart"), 5 * 60'000, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 3, 15000);
    QElapsedTimer traffic;
    traffic.start();
    int sent = 0;
    int refused = 0;
    while (traffic.elapsed() < 20'000) {
        const int n = sent++;
        const bool bad = n % 11 == 7;
        const int status =
            relayed(console, n % 3 == 2 ? ciKey : key, n % 3 == 1, 15 + (n * 37) % 90, bad ? u"400"_s : QString());
        QCOMPARE(status, bad ? 400 : 200);
        refused += bad ? 1 : 0;
        QTest::qWait(150);
    }
    QVERIFY2(sent >= 40, qPrintable(QString::number(sent)));
    QVERIFY(refused >= 3);

    // Lines, not spikes: many seconds with traffic and with latencies, on round scales.
    QTRY_VERIFY_WITH_TIMEOUT(positivePoints(requests) >= 15, 5000);
    QVERIFY2(positivePoints(p50) >= 15, qPrintable(QString::number(positivePoints(p50))));
    QVERIFY(maximumY(errors) > 0);
    auto *latencyChart = page->findChild<Console::DashboardChart *>(u"latencyChart"_s);
    QVERIFY(latencyChart);
    QVERIFY(isRoundScale(trafficChart));
    QVERIFY(isRoundScale(latencyChart));
    QVERIFY(maximumY(p99) <= latencyChart->valueAxis()->max());

    // Cost today per account: what the usage records say, $0 for an account that served nothing today.
    QTest::qWait(1000); // the last requests' usage is recorded
    const auto top =
        console.call("GET", u"/admin/usage/top"_s, {}, QUrlQuery{{u"dimension"_s, u"accounts"_s}, {u"days"_s, u"1"_s}});
    QVERIFY(top.ok());
    QHash<QString, double> costs;
    for (const QJsonValue &item : top.items())
        costs.insert(item.toObject().value(u"name").toString(), item.toObject().value(u"cost_usd").toDouble());
    QVERIFY2(costs.value(u"main"_s) > 0, qPrintable(QString::number(costs.value(u"main"_s))));
    QVERIFY(costs.value(u"backup"_s) + costs.value(u"batch jobs"_s) > 0);
    page->findChild<QAction *>(u"dashboardRefreshAction"_s)->trigger();
    for (const QString &name : {u"main"_s, u"backup"_s, u"batch jobs"_s}) {
        QTRY_VERIFY_WITH_TIMEOUT(rowNamed(table, name) >= 0, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(cell(table, rowNamed(table, name), 5), Console::Format::usd(costs.value(name)),
                                  10000);
    }
    QTRY_VERIFY_WITH_TIMEOUT(cell(table, rowNamed(table, u"main"_s), 1).startsWith(u"cooling"_s), 5000);

    // No message: the window selector is the first row of the page.
    auto *messages = page->findChild<QWidget *>(u"dashboardMessages"_s);
    QVERIFY(messages);
    QTRY_VERIFY_WITH_TIMEOUT(!messages->isVisible(), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(five->mapTo(page, QPoint(0, 0)).y() < 24, 3000);
    QTest::qWait(300); // the charts repaint
    console.screenshot(u"dashboard"_s);
}

void TstConsoleDashboard::emptyRelayShowsAxesAndHint()
{
    ConsoleFixture console;
    QVERIFY2(console.start(), qPrintable(console.errorString()));
    auto *page = console.page<Console::DashboardPage>();
    QVERIFY(page);
    auto *traffic = page->findChild<Console::DashboardChart *>(u"trafficChart"_s);
    auto *latency = page->findChild<Console::DashboardChart *>(u"latencyChart"_s);
    QVERIFY(traffic && latency);
    QTRY_VERIFY_WITH_TIMEOUT(page->findChild<QLabel *>(u"dashboardLiveState"_s)->text().contains(u"Live"_s), 10000);
    QTest::qWait(1500);
    QLineSeries *requests = series(page, "trafficChart", "requestsSeries");
    QVERIFY2(maximumY(requests) == 0, qPrintable(QString::number(maximumY(requests))));
    QCOMPARE(traffic->hint(), u"No requests yet"_s);
    QCOMPARE(latency->hint(), u"No requests yet"_s);
    QCOMPARE(axisSpanMs(page, "trafficChart"), 5 * 60'000);
    QVERIFY(traffic->valueAxis()->max() >= 1);
    QCOMPARE(page->findChild<QTableView *>(u"accountsTable"_s)->model()->rowCount(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(tileValue(page, "requestsTodayTile"), u"0"_s, 5000);

    // Hidden, the page keeps no stream open; shown again, it streams again.
    QVERIFY(page->findChild<Console::EventStream *>());
    console.page<Console::KeysPage>();
    QVERIFY(!page->isActive());
    QTRY_VERIFY(!page->findChild<Console::EventStream *>());
    console.page<Console::DashboardPage>();
    QTRY_VERIFY(page->findChild<Console::EventStream *>());
}

void TstConsoleDashboard::sparsePointsGetDotsAndTicksAreRound()
{
    Console::DashboardChart chart;
    QLineSeries *series = chart.addSeries(u"sparse"_s, Qt::blue);
    // Three neighbouring seconds, one lone second, then a stretch of two seconds.
    const QList<QPointF> points{{0, 1}, {1000, 2}, {2000, 1}, {10'000, 3}, {20'000, 1}, {21'000, 2}};
    Console::DashboardChart::setPoints(series, points, 1500);
    QCOMPARE(series->count(), points.size());
    QList<int> dotted = series->pointsConfiguration().keys();
    std::sort(dotted.begin(), dotted.end());
    QCOMPARE(dotted, (QList<int>{2, 3, 4}));
    QVERIFY(series->pointConfiguration(3).value(QXYSeries::PointConfiguration::Visibility).toBool());
    // One point alone is a dot; once it has a neighbour, no dot is needed.
    Console::DashboardChart::setPoints(series, {{5000, 4}}, 1500);
    QCOMPARE(series->pointsConfiguration().keys(), QList<int>{0});
    Console::DashboardChart::setPoints(series, {{5000, 4}, {6000, 5}}, 1500);
    QVERIFY(series->pointsConfiguration().isEmpty());

    // Round value ticks: an idle chart shows 0 to the floor; the axis grows to the next round step and shrinks only
    // when the data use less than a third of it.
    chart.setValueFloor(1);
    QVERIFY(isRoundScale(&chart));
    QCOMPARE(chart.valueAxis()->max(), 1.0);
    chart.setValueMaximum(1.7); // 1.87 with headroom: steps of 0.5 up to 2
    QCOMPARE(chart.valueStep(), 0.5);
    QCOMPARE(chart.valueAxis()->max(), 2.0);
    QCOMPARE(chart.valueAxis()->tickCount(), 5);
    chart.setValueMaximum(18.3); // 20.1: steps of 5 up to 25
    QCOMPARE(chart.valueStep(), 5.0);
    QCOMPARE(chart.valueAxis()->max(), 25.0);
    QVERIFY(isRoundScale(&chart));
    chart.setValueMaximum(12);
    QCOMPARE(chart.valueAxis()->max(), 25.0);
    chart.setValueMaximum(3.2); // 3.52: steps of 1 up to 4
    QCOMPARE(chart.valueStep(), 1.0);
    QCOMPARE(chart.valueAxis()->max(), 4.0);
    chart.setValueMaximum(0.03);
    QCOMPARE(chart.valueAxis()->max(), 1.0);
    QCOMPARE(chart.valueStep(), 0.2);
    QVERIFY(isRoundScale(&chart));
}

QTEST_MAIN(TstConsoleDashboard)
#include "tst_consoledashboard.moc"
