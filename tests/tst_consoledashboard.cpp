// SPDX-License-Identifier: GPL-3.0-or-later
// The console's Dashboard against a real bundled relay: live charts from the history and the metrics stream, the
// tiles from today's usage, the account health table with a cooldown countdown, the window selector, bounded
// series, the empty state, and no stream while the page is hidden.
#include "consolefixture.h"
#include "ui/eventstream.h"
#include "ui/format.h"
#include "ui/pages/dashboardchart.h"
#include "ui/pages/dashboardpage.h"
#include "ui/pages/keyspage.h"

#include <QAbstractItemModel>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTimeAxis>
#include <QLabel>
#include <QLineSeries>
#include <QTableView>
#include <QTest>
#include <QToolButton>
#include <QValueAxis>

using namespace Qt::StringLiterals;

class TstConsoleDashboard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void chartsTilesAndAccountsFollowTraffic();
    void emptyRelayShowsAxesAndHint();

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

QTEST_MAIN(TstConsoleDashboard)
#include "tst_consoledashboard.moc"
