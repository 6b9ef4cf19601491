// SPDX-License-Identifier: GPL-3.0-or-later
// The console's Redis page against a real bundled relay and its real redis-server: the slow log threshold changed
// through the page, a slow script appearing by auto-refresh, reset with confirmation, command statistics sorted with
// their chart, the INFO summary, and memory by key prefix.
#include "consolefixture.h"
#include "ui/jsontablemodel.h"
#include "ui/pages/redispage.h"
#include "ui/widgets/messagebar.h"

#include <QAbstractBarSeries>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QJsonArray>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTest>

using Console::RedisPage;
using namespace Qt::StringLiterals;

namespace {

// A Lua loop that keeps Redis busy for tens of milliseconds: a real slow command, without DEBUG.
const QByteArray SlowScript = "local x = 0 for i = 1, 8000000 do x = x + i end return 1";

QString cell(QTableView *table, int row, int column)
{
    return table->model()->index(row, column).data().toString();
}

QVariant raw(QTableView *table, int row, int column)
{
    return table->model()->index(row, column).data(Console::JsonTableModel::RawRole);
}

bool tableContains(QTableView *table, int column, const QString &text)
{
    for (int row = 0; row < table->model()->rowCount(); ++row)
        if (cell(table, row, column).contains(text))
            return true;
    return false;
}

int barCount(QChartView *view)
{
    const auto series = view->chart()->series();
    if (series.isEmpty())
        return 0;
    auto *bars = qobject_cast<QAbstractBarSeries *>(series.first());
    return bars && !bars->barSets().isEmpty() ? bars->barSets().first()->count() : 0;
}

// The chart's categories from the top bar down.
QStringList chartLabels(QChartView *view)
{
    for (QAbstractAxis *axis : view->chart()->axes(Qt::Vertical))
        if (auto *categories = qobject_cast<QBarCategoryAxis *>(axis)) {
            QStringList labels = categories->categories();
            std::reverse(labels.begin(), labels.end());
            return labels;
        }
    return {};
}

} // namespace

class TstConsoleRedis : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void showsSlowCommandsCommandStatsServerAndMemory();
    void refusesAnInvalidThresholdNextToTheField();
};

void TstConsoleRedis::showsSlowCommandsCommandStatsServerAndMemory()
{
    ConsoleFixture console;
    QVERIFY2(console.start(), qPrintable(console.errorString()));
    RedisServer &redis = console.harness().redis();
    // Some of the relay's own data (rd:… keys).
    QByteArray keyId;
    const QByteArray key = console.harness().createKey(u"redis page key"_s, 0, &keyId);
    QVERIFY(!key.isEmpty());
    QVERIFY(!redis.command({"SLOWLOG", "RESET"}).isError());

    auto *page = console.page<RedisPage>();
    QVERIFY(page);
    auto *tabs = page->findChild<QTabWidget *>(u"redisTabs"_s);
    auto *threshold = page->findChild<QSpinBox *>(u"slowlogThreshold"_s);
    auto *apply = page->findChild<QPushButton *>(u"slowlogApply"_s);
    auto *slowlog = page->findChild<QTableView *>(u"slowlogTable"_s);
    auto *autoRefresh = page->findChild<QCheckBox *>(u"slowlogAutoRefresh"_s);
    auto *summary = page->findChild<QLabel *>(u"slowlogSummary"_s);
    QVERIFY(tabs && threshold && apply && slowlog && autoRefresh && summary);
    QCOMPARE(tabs->currentIndex(), int(RedisPage::Tab::Slowlog));
    QVERIFY(autoRefresh->isChecked());

    // The threshold shown is Redis's.
    const qint64 initial = redis.command({"CONFIG", "GET", "slowlog-log-slower-than"}).toList().value(1).toLongLong();
    QTRY_COMPARE_WITH_TIMEOUT(threshold->value(), int(initial), 10000);

    // Lower it through the page.
    threshold->setValue(5000);
    QTest::mouseClick(apply, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(redis.command({"CONFIG", "GET", "slowlog-log-slower-than"}).toList().value(1),
                              QByteArray("5000"), 10000);
    const auto config = console.call("GET", u"/admin/redis/config/slowlog"_s);
    QCOMPARE(config.object().value(u"slower_than_us"_s).toInteger(), 5000);
    QCOMPARE(page->findChild<QLabel *>(u"slowlogThresholdHint"_s)->text(), u"(5.00 ms)"_s);

    // A slow command run directly on Redis shows up without touching the page (auto-refresh every 2 s).
    QVERIFY(!redis.command({"CLIENT", "SETNAME", "slow-test"}).isError());
    QVERIFY(!redis.command({"EVAL", SlowScript, "0"}).isError());
    QTRY_VERIFY_WITH_TIMEOUT(tableContains(slowlog, 3, u"EVAL"_s), 8000);
    int evalRow = -1;
    for (int row = 0; row < slowlog->model()->rowCount(); ++row)
        if (cell(slowlog, row, 3).startsWith(u"EVAL"_s))
            evalRow = row;
    QVERIFY(evalRow >= 0);
    QVERIFY(cell(slowlog, evalRow, 3).contains(u"x = x + i"_s));
    QVERIFY(cell(slowlog, evalRow, 4).contains(u"slow-test"_s));
    QVERIFY(raw(slowlog, evalRow, 2).toLongLong() >= 5000);
    QVERIFY2(cell(slowlog, evalRow, 2).endsWith(u" ms"_s) || cell(slowlog, evalRow, 2).endsWith(u" s"_s),
             qPrintable(cell(slowlog, evalRow, 2)));
    QVERIFY(summary->text().contains(u"Entries in the slow log"_s));
    // A few more for a realistic picture.
    QVERIFY(!redis.command({"EVAL", "local x = 0 for i = 1, 5000000 do x = x + i end return 1", "0"}).isError());
    QVERIFY(!redis.command({"EVAL", SlowScript, "1", "rd:{key:1}:record"}).isError());
    QTRY_VERIFY_WITH_TIMEOUT(slowlog->model()->rowCount() >= 3, 8000);
    QTest::qWait(100);
    console.screenshot(u"redis"_s);

    // Reset asks first; Cancel keeps the entries.
    auto *reset = page->findChild<QPushButton *>(u"slowlogReset"_s);
    QTest::mouseClick(reset, Qt::LeftButton);
    QMessageBox *confirm = nullptr;
    QTRY_VERIFY((confirm = page->findChild<QMessageBox *>(u"slowlogResetConfirm"_s)) && confirm->isVisible());
    confirm->button(QMessageBox::Cancel)->click();
    QTest::qWait(300);
    QVERIFY(redis.command({"SLOWLOG", "LEN"}).toInteger() > 0);
    QTest::mouseClick(reset, Qt::LeftButton);
    QTRY_VERIFY((confirm = page->findChild<QMessageBox *>(u"slowlogResetConfirm"_s)) && confirm->isVisible());
    confirm->button(QMessageBox::Yes)->click();
    QTRY_VERIFY_WITH_TIMEOUT(!tableContains(slowlog, 3, u"EVAL"_s), 10000);
    const auto after = console.call("GET", u"/admin/redis/slowlog"_s);
    for (const QJsonValue &entry : after.items())
        QVERIFY(entry.toObject().value(u"command"_s).toArray().first().toString() != u"EVAL");
    QCOMPARE(page->findChild<Console::MessageBar *>()->text(), u"The slow log is empty."_s);

    // Command statistics: the most-called command first, and in the chart's top bar.
    QVERIFY(!redis.command({"CONFIG", "RESETSTAT"}).isError());
    QList<QList<QByteArray>> increments;
    for (int i = 0; i < 3000; ++i)
        increments.append(QList<QByteArray>{"INCR", "console:test:counter"});
    redis.commands(increments);
    for (int i = 0; i < 3; ++i)
        QVERIFY(!redis.command({"EVAL", "return 1", "0"}).isError());
    page->showTab(RedisPage::Tab::Commands);
    auto *commands = page->findChild<QTableView *>(u"commandTable"_s);
    auto *sort = page->findChild<QComboBox *>(u"commandSort"_s);
    auto *commandChart = page->findChild<QChartView *>(u"commandChart"_s);
    QVERIFY(commands && sort && commandChart);
    QCOMPARE(sort->currentData().toString(), u"calls"_s);
    QTRY_COMPARE_WITH_TIMEOUT(cell(commands, 0, 0), u"incr"_s, 10000);
    QVERIFY(raw(commands, 0, 1).toLongLong() >= 3000);
    QCOMPARE(cell(commands, 0, 1), QLocale().toString(raw(commands, 0, 1).toLongLong()));
    QVERIFY(barCount(commandChart) >= 2);
    QVERIFY(barCount(commandChart) <= 10);
    QCOMPARE(chartLabels(commandChart).value(0), u"incr"_s);
    const auto stats = console.call("GET", u"/admin/redis/commandstats"_s, {}, QUrlQuery{{u"sort"_s, u"calls"_s}});
    QCOMPARE(stats.items().first().toObject().value(u"command"_s).toString(), u"incr"_s);
    QVERIFY(commands->model()->rowCount() >= 5 && commands->model()->rowCount() <= int(stats.items().size()));
    // By time per call: descending, the chart follows.
    sort->setCurrentIndex(sort->findData(u"usec_per_call"_s));
    for (int row = 1; row < commands->model()->rowCount(); ++row)
        QVERIFY(raw(commands, row - 1, 3).toDouble() >= raw(commands, row, 3).toDouble());
    QCOMPARE(chartLabels(commandChart).value(0), cell(commands, 0, 0));
    QTest::qWait(200); // charts repaint from the event loop
    console.screenshot(u"redis-commands"_s);

    // Server: the INFO summary says what Redis says.
    page->showTab(RedisPage::Tab::Server);
    const QByteArray infoServer = redis.command({"INFO", "server"}).toByteArray();
    const qsizetype at = infoServer.indexOf("redis_version:") + qsizetype(strlen("redis_version:"));
    const QString version = QString::fromUtf8(infoServer.mid(at, infoServer.indexOf('\r', at) - at));
    auto label = [page](const char *name) { return page->findChild<QLabel *>(QLatin1String(name))->text(); };
    QTRY_COMPARE_WITH_TIMEOUT(label("serverVersion"), version, 10000);
    QCOMPARE(label("serverMode"), u"standalone"_s);
    QTRY_VERIFY_WITH_TIMEOUT(label("serverDbKeys") != u"–"_s, 10000);
    QVERIFY(QLocale().toLongLong(label("serverDbKeys")) > 0);
    QVERIFY2(label("serverKeyspace").startsWith(u"db0: %1 "_s.arg(label("serverDbKeys"))),
             qPrintable(label("serverKeyspace")));
    QVERIFY(label("serverMemory").contains(u"iB"_s));
    QVERIFY(label("serverPersistence").contains(u"RDB"_s));
    QTest::qWait(200); // charts repaint from the event loop
    console.screenshot(u"redis-server"_s);

    // Memory: the relay's key prefixes with their share.
    page->showTab(RedisPage::Tab::Memory);
    auto *memory = page->findChild<QTableView *>(u"memoryTable"_s);
    auto *memoryChart = page->findChild<QChartView *>(u"memoryChart"_s);
    QTRY_VERIFY_WITH_TIMEOUT(memory->model()->rowCount() > 0, 15000);
    QVERIFY(tableContains(memory, 0, u"rd:"_s));
    QVERIFY(tableContains(memory, 0, u"console:test:counter"_s) || tableContains(memory, 0, u"console:"_s));
    double shares = 0;
    for (int row = 0; row < memory->model()->rowCount(); ++row) {
        shares += raw(memory, row, 3).toDouble();
        if (row > 0)
            QVERIFY(raw(memory, row - 1, 2).toLongLong() >= raw(memory, row, 2).toLongLong());
    }
    QVERIFY(qAbs(shares - 1.0) < 0.001);
    QVERIFY(cell(memory, 0, 3).endsWith(u" %"_s));
    QVERIFY(barCount(memoryChart) > 0);
    QCOMPARE(chartLabels(memoryChart).value(0), cell(memory, 0, 0));
    QVERIFY(page->findChild<QLabel *>(u"memorySummary"_s)->text().contains(u"measured"_s));
    QTest::qWait(200); // charts repaint from the event loop
    console.screenshot(u"redis-memory"_s);

    // Hidden, the page stops polling the slow log.
    page->showTab(RedisPage::Tab::Slowlog);
    QVERIFY(page->isActive());
    console.window().showPage(console.window().pages().first());
    QVERIFY(!page->isActive());

    QVERIFY(console.call("PUT", u"/admin/redis/config/slowlog"_s, QJsonObject{{u"slower_than_us"_s, initial}}).ok());
}

void TstConsoleRedis::refusesAnInvalidThresholdNextToTheField()
{
    ConsoleFixture console;
    QVERIFY2(console.start(), qPrintable(console.errorString()));
    auto *page = console.page<RedisPage>();
    auto *threshold = page->findChild<QSpinBox *>(u"slowlogThreshold"_s);
    auto *length = page->findChild<QSpinBox *>(u"slowlogMaxLength"_s);
    auto *apply = page->findChild<QPushButton *>(u"slowlogApply"_s);
    auto *error = page->findChild<QLabel *>(u"slowlogSettingsError"_s);
    QTRY_VERIFY_WITH_TIMEOUT(length->value() > 0, 10000);
    // The fields only take values Redis accepts; below the lowest the slow log is off, shown in words.
    QCOMPARE(threshold->minimum(), -1);
    QCOMPARE(length->maximum(), 1000000);
    threshold->setValue(-1);
    QCOMPARE(threshold->text(), u"never (off)"_s);
    QCOMPARE(page->findChild<QLabel *>(u"slowlogThresholdHint"_s)->text(), u"(slow log off)"_s);
    threshold->setValue(0);
    QCOMPARE(page->findChild<QLabel *>(u"slowlogThresholdHint"_s)->text(), u"(every command)"_s);

    // A refusal from the relay is shown next to the fields and in the message bar; nothing changes.
    console.harness().redis().command({"CONFIG", "SET", "slowlog-max-len", "128"});
    const QByteArray before =
        console.harness().redis().command({"CONFIG", "GET", "slowlog-log-slower-than"}).toList().value(1);
    length->setMaximum(2000000); // as if the field allowed more than the relay does
    length->setValue(1500000);
    QTest::mouseClick(apply, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), 10000);
    QVERIFY2(error->text().startsWith(u"Length: must be an integer from 0 to 1000000"_s), qPrintable(error->text()));
    auto *messages = page->findChild<Console::MessageBar *>();
    QCOMPARE(messages->kind(), Console::MessageBar::Kind::Error);
    QVERIFY(messages->text().startsWith(u"The slow log settings were not changed"_s));
    QVERIFY(apply->isEnabled());
    QCOMPARE(console.harness().redis().command({"CONFIG", "GET", "slowlog-max-len"}).toList().value(1),
             QByteArray("128"));
    QCOMPARE(console.harness().redis().command({"CONFIG", "GET", "slowlog-log-slower-than"}).toList().value(1), before);
}

QTEST_MAIN(TstConsoleRedis)
#include "tst_consoleredis.moc"
