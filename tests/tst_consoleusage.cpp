// SPDX-License-Identifier: GPL-3.0-or-later
// The console's Usage page against a real bundled relay: tiles, chart and table after traffic, one key's usage,
// the per-model chart, the top list, and the CSV export of the table.
#include "consolefixture.h"
#include "ui/format.h"
#include "ui/jsontablemodel.h"
#include "ui/pages/usagepage.h"

#include <QAction>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QFile>
#include <QLabel>
#include <QSignalSpy>
#include <QStackedBarSeries>
#include <QStandardItemModel>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using Console::UsagePage;

class TstConsoleUsage : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void showsUsageByPeriodKeyAndModelAndExportsCsv();

private:
    static QString label(UsagePage *page, const QString &name)
    {
        auto *widget = page->findChild<QLabel *>(name);
        return widget ? widget->text() : QString();
    }
    static QStackedBarSeries *bars(UsagePage *page)
    {
        auto *view = page->findChild<QChartView *>(u"usageChart"_s);
        if (!view || view->chart()->series().isEmpty())
            return nullptr;
        return qobject_cast<QStackedBarSeries *>(view->chart()->series().first());
    }
    static int categories(UsagePage *page)
    {
        auto *view = page->findChild<QChartView *>(u"usageChart"_s);
        const auto axes = view ? view->chart()->axes(Qt::Horizontal) : QList<QAbstractAxis *>();
        auto *axis = axes.isEmpty() ? nullptr : qobject_cast<QBarCategoryAxis *>(axes.first());
        return axis ? int(axis->count()) : -1;
    }
    // The stacked height of the newest bar (the current hour or day).
    static double lastBar(UsagePage *page)
    {
        QStackedBarSeries *series = bars(page);
        if (!series || series->barSets().isEmpty())
            return -1;
        double sum = 0;
        for (QBarSet *set : series->barSets())
            sum += set->at(set->count() - 1);
        return sum;
    }
    static void choose(QComboBox *combo, const QVariant &data)
    {
        const int index = combo->findData(data);
        QVERIFY2(index >= 0, qPrintable(data.toString()));
        combo->setCurrentIndex(index);
    }
};

void TstConsoleUsage::showsUsageByPeriodKeyAndModelAndExportsCsv()
{
    ConsoleFixture console;
    QVERIFY2(console.start(), qPrintable(console.errorString()));
    RelayHarness &harness = console.harness();
    QVERIFY(!harness.createAccount(u"main"_s, harness.mock().baseUrl().toString()).isEmpty());
    QByteArray alphaId;
    QByteArray betaId;
    const QByteArray alpha = harness.createKey(u"alpha"_s, 0, &alphaId);
    const QByteArray beta = harness.createKey(u"beta"_s, 0, &betaId);
    QVERIFY(!alpha.isEmpty() && !beta.isEmpty());
    for (int i = 0; i < 3; ++i)
        QCOMPARE(console.sendMessage(alpha), 200);
    QCOMPARE(console.sendMessage(beta, true), 200);

    // Usage is written after the answer; wait until the API counts them.
    const auto today = [&](const QUrlQuery &query) {
        return console.call("GET", u"/admin/usage/summary"_s, QJsonValue(QJsonValue::Undefined), query)
            .object()
            .value(u"today"_s)
            .toObject();
    };
    const QUrlQuery alphaScope{{u"scope"_s, u"key"_s}, {u"id"_s, QString::fromLatin1(alphaId)}};
    const QUrlQuery betaScope{{u"scope"_s, u"key"_s}, {u"id"_s, QString::fromLatin1(betaId)}};
    QTRY_COMPARE_WITH_TIMEOUT(today(alphaScope).value(u"requests"_s).toInteger(), 3, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(today(betaScope).value(u"requests"_s).toInteger(), 1, 10000);
    const QJsonObject relayToday = today({});
    const qint64 relayRequests = relayToday.value(u"requests"_s).toInteger();
    QCOMPARE(relayRequests, 4);
    QVERIFY(relayToday.value(u"cost_usd"_s).toDouble() > 0);

    auto *page = console.page<UsagePage>();
    QVERIFY(page);
    auto *scope = page->findChild<QComboBox *>(u"usageScope"_s);
    auto *entity = page->findChild<QComboBox *>(u"usageEntity"_s);
    auto *range = page->findChild<QComboBox *>(u"usageRange"_s);
    auto *metric = page->findChild<QComboBox *>(u"usageMetric"_s);
    auto *table = page->findChild<QTableView *>(u"usageTable"_s);
    auto *top = page->findChild<QTableView *>(u"usageTopTable"_s);
    QVERIFY(scope && entity && range && metric && table && top);
    QVERIFY(!entity->isVisible());

    // Whole relay, last 7 days: tiles, one bar per day with today's non-empty, the days in the table.
    QTRY_COMPARE_WITH_TIMEOUT(label(page, u"usageTodayRequests"_s), Console::Format::integer(relayRequests), 10000);
    QCOMPARE(label(page, u"usageTodayCost"_s), Console::Format::usd(relayToday.value(u"cost_usd"_s).toDouble()));
    QVERIFY(label(page, u"usageTodayCost"_s) != u"$0"_s);
    QCOMPARE(label(page, u"usageWeekRequests"_s), Console::Format::integer(relayRequests));
    QCOMPARE(label(page, u"usageTodayInput"_s),
             Console::Format::tokens(relayToday.value(u"input_tokens"_s).toInteger()));
    QTRY_COMPARE_WITH_TIMEOUT(categories(page), 7, 5000);
    QVERIFY(lastBar(page) > 0);
    QCOMPARE(lastBar(page), relayToday.value(u"cost_usd"_s).toDouble()); // the cost metric is the default
    QCOMPARE(table->model()->rowCount(), 7);
    // Newest first: today's row.
    QCOMPARE(table->model()->index(0, 1).data(Console::JsonTableModel::RawRole).toLongLong(), relayRequests);
    QCOMPARE(table->model()->index(0, 6).data().toString(),
             Console::Format::usd(relayToday.value(u"cost_usd"_s).toDouble()));
    QCOMPARE(table->model()->index(1, 1).data(Console::JsonTableModel::RawRole).toLongLong(), 0);

    // The top keys by cost: alpha (three answers) before beta (one).
    QVERIFY(top->isVisible());
    QTRY_COMPARE_WITH_TIMEOUT(top->model()->rowCount(), 2, 5000);
    QCOMPARE(top->model()->index(0, 1).data().toString(), u"alpha"_s);
    QCOMPARE(top->model()->index(0, 2).data(Console::JsonTableModel::RawRole).toLongLong(), 3);
    QCOMPARE(top->model()->index(1, 1).data().toString(), u"beta"_s);

    // Per hour: 24 bars, the current hour's holds the requests (metric requests: successful + errors).
    choose(metric, int(UsagePage::Metric::Requests));
    choose(range, int(UsagePage::Range::Hours24));
    QTRY_COMPARE_WITH_TIMEOUT(categories(page), 24, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(lastBar(page), double(relayRequests), 5000);
    QCOMPARE(table->model()->rowCount(), 24);
    QCOMPARE(table->model()->index(0, 1).data(Console::JsonTableModel::RawRole).toLongLong(), relayRequests);
    choose(metric, int(UsagePage::Metric::Tokens));
    QTRY_COMPARE_WITH_TIMEOUT(bars(page)->count(), 4, 5000); // input, output, cache write, cache read
    QCOMPARE(lastBar(page), double(relayToday.value(u"tokens"_s).toInteger()));

    // One key: its own numbers.
    choose(scope, int(UsagePage::Scope::Key));
    QVERIFY(entity->isVisible());
    QVERIFY(!top->isVisible());
    QTRY_VERIFY_WITH_TIMEOUT(entity->findData(QString::fromLatin1(betaId)) >= 0, 10000);
    choose(entity, QString::fromLatin1(alphaId));
    QTRY_COMPARE_WITH_TIMEOUT(label(page, u"usageTodayRequests"_s), Console::Format::integer(3), 10000);
    const QJsonObject alphaToday = today(alphaScope);
    QCOMPARE(label(page, u"usageTodayCost"_s), Console::Format::usd(alphaToday.value(u"cost_usd"_s).toDouble()));
    QTRY_COMPARE_WITH_TIMEOUT(lastBar(page), double(alphaToday.value(u"tokens"_s).toInteger()), 5000);
    choose(entity, QString::fromLatin1(betaId));
    QTRY_COMPARE_WITH_TIMEOUT(label(page, u"usageTodayRequests"_s), Console::Format::integer(1), 10000);

    // By model: days only, one bar set per model.
    choose(scope, int(UsagePage::Scope::Models));
    QCOMPARE(range->currentData().toInt(), int(UsagePage::Range::Days7));
    auto *ranges = qobject_cast<QStandardItemModel *>(range->model());
    QVERIFY(!ranges->item(int(UsagePage::Range::Hours24))->isEnabled());
    choose(metric, int(UsagePage::Metric::Cost));
    QTRY_VERIFY_WITH_TIMEOUT(bars(page) && !bars(page)->barSets().isEmpty() &&
                                 bars(page)->barSets().first()->label() == u"claude-sonnet-4-5"_s,
                             10000);
    QCOMPARE(lastBar(page), relayToday.value(u"cost_usd"_s).toDouble());
    QTRY_COMPARE_WITH_TIMEOUT(top->model()->rowCount(), 1, 5000);
    QCOMPARE(top->model()->index(0, 1).data().toString(), u"claude-sonnet-4-5"_s);

    // The whole relay per day again, exported: the header and the rows as the table shows them.
    choose(scope, int(UsagePage::Scope::Relay));
    choose(range, int(UsagePage::Range::Days30));
    QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 30, 5000);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"usage.csv"_s);
    page->setNextExportPath(path);
    QSignalSpy finished(page, &UsagePage::exportFinished);
    auto *exportAction = page->findChild<QAction *>(u"usageExportAction"_s);
    QVERIFY(exportAction);
    QCOMPARE(exportAction->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_E));
    exportAction->trigger();
    QVERIFY(page->isExporting()); // written in slices from the event loop, not in one go
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
    QCOMPARE(finished.first().at(0).toBool(), true);
    QCOMPARE(finished.first().at(1).toString(), path);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(file.readAll()).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 31);
    QCOMPARE(lines.first(), UsagePage::csvHeader());
    QCOMPARE(lines.first(), u"bucket,start_utc,requests,input_tokens,output_tokens,cache_write_tokens,"
                            u"cache_read_tokens,cost_usd"_s);
    for (int row = 0; row < 30; ++row) {
        const QStringList fields = lines.at(row + 1).split(u',');
        QCOMPARE(fields.size(), 8);
        const QJsonObject shown =
            table->model()->index(row, 0).data(Console::JsonTableModel::RowObjectRole).toJsonObject();
        QCOMPARE(fields.at(0), shown.value(u"bucket"_s).toString());
        QCOMPARE(QDateTime::fromString(fields.at(1), Qt::ISODate).toMSecsSinceEpoch(),
                 shown.value(u"start_at"_s).toInteger());
        for (int column = 1; column <= 5; ++column)
            QCOMPARE(fields.at(column + 1).toLongLong(),
                     table->model()->index(row, column).data(Console::JsonTableModel::RawRole).toLongLong());
        QCOMPARE(fields.at(7).toDouble(), shown.value(u"cost_usd"_s).toDouble());
    }
    QCOMPARE(lines.at(1).split(u',').at(2), QString::number(relayRequests));
    QVERIFY(lines.at(1).split(u',').at(7).toDouble() > 0);

    choose(metric, int(UsagePage::Metric::Tokens));
    choose(range, int(UsagePage::Range::Hours24));
    QTRY_COMPARE_WITH_TIMEOUT(categories(page), 24, 5000);
    QTest::qWait(200); // the chart's scene repaints from the event loop
    console.screenshot(u"usage"_s);
}

QTEST_MAIN(TstConsoleUsage)
#include "tst_consoleusage.moc"
