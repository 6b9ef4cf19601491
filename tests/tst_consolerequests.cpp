// SPDX-License-Identifier: GPL-3.0-or-later
// The console's Requests page against a real bundled relay: the recent requests with their timings, the waterfall
// of the selected one (as the API recorded it), filters, auto-refresh keeping the selection, and refused requests.
#include "consolefixture.h"
#include "ui/jsontablemodel.h"
#include "ui/pages/requestspage.h"
#include "ui/widgets/waterfallwidget.h"

#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QStackedWidget>
#include <QTableView>
#include <QTest>

using namespace Qt::StringLiterals;
using Console::RequestsPage;

class TstConsoleRequests : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void listsRequestsAndShowsTheSelectedOnesStages();

private:
    static QString cell(QTableView *table, int row, int column)
    {
        return table->model()->index(row, column).data().toString();
    }
    static QString rowId(QTableView *table, int row)
    {
        return table->model()
            ->index(row, 0)
            .data(Console::JsonTableModel::RowObjectRole)
            .toJsonObject()
            .value(u"id"_s)
            .toString();
    }
    static QString selectedRowId(QTableView *table)
    {
        const QModelIndexList rows = table->selectionModel()->selectedRows();
        return rows.size() == 1 ? rowId(table, rows.first().row()) : QString();
    }
};

void TstConsoleRequests::listsRequestsAndShowsTheSelectedOnesStages()
{
    ConsoleFixture console;
    QVERIFY2(console.start(), qPrintable(console.errorString()));
    auto *page = console.page<RequestsPage>();
    QVERIFY(page);
    auto *table = page->findChild<QTableView *>(u"requestsTable"_s);
    auto *empty = page->findChild<QLabel *>(u"requestsEmpty"_s);
    auto *waterfall = page->findChild<Console::WaterfallWidget *>(u"requestsWaterfall"_s);
    auto *status = page->findChild<QComboBox *>(u"requestsStatus"_s);
    auto *keyFilter = page->findChild<QLineEdit *>(u"requestsKeyId"_s);
    auto *autoRefresh = page->findChild<QCheckBox *>(u"requestsAutoRefresh"_s);
    QVERIFY(table && empty && waterfall && status && keyFilter && autoRefresh);
    QVERIFY(autoRefresh->isChecked());

    // Nothing relayed yet: an explanation instead of an empty table.
    QTRY_VERIFY_WITH_TIMEOUT(empty->isVisible() && empty->text().startsWith(u"No requests yet"_s), 10000);
    QVERIFY(!table->isVisible());

    RelayHarness &harness = console.harness();
    QVERIFY(!harness.createAccount(u"main"_s, harness.mock().baseUrl().toString()).isEmpty());
    QByteArray keyId;
    const QByteArray key = harness.createKey(u"timed key"_s, 0, &keyId);
    QVERIFY(!key.isEmpty());
    QCOMPARE(console.sendMessage(key), 200);
    QCOMPARE(console.sendMessage(key, true), 200);
    QCOMPARE(console.sendMessage(key), 200);

    // Auto-refresh brings them in, newest first, with status 200 and the key's name.
    QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 3, 10000);
    QVERIFY(table->isVisible());
    const auto listed = console.call("GET", u"/admin/requests"_s);
    QCOMPARE(listed.total(), 3);
    for (int row = 0; row < 3; ++row) {
        QCOMPARE(cell(table, row, 5), u"200"_s);
        QCOMPARE(cell(table, row, 3), u"timed key"_s);
        QCOMPARE(cell(table, row, 2), u"claude-sonnet-4-5"_s);
        QCOMPARE(rowId(table, row), listed.items().at(row).toObject().value(u"id"_s).toString());
    }
    QCOMPARE(cell(table, 1, 10), u"stream"_s);

    // Selecting a request draws its stages with the durations the relay recorded.
    QVERIFY(waterfall->stages().isEmpty());
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(table->model()->index(1, 1)).center());
    const QString selected = rowId(table, 1);
    QCOMPARE(page->selectedId(), selected);
    const auto record = console.call("GET", u"/admin/requests/"_s + selected);
    QVERIFY(record.ok());
    const QJsonObject timings = record.object().value(u"timings_us"_s).toObject();
    QList<qint64> boundaries;
    for (const QString &field : {u"auth"_s, u"limits"_s, u"account"_s, u"upstream_sent"_s, u"first_byte"_s, u"end"_s})
        if (const qint64 at = timings.value(field).toInteger(); at > 0)
            boundaries.append(at);
    const QList<Console::WaterfallWidget::Stage> stages = waterfall->stages();
    QVERIFY(stages.size() >= 4); // auth, account, upstream, first byte, stream (limits only with limits)
    QCOMPARE(stages.size(), boundaries.size());
    qint64 previous = 0;
    for (int i = 0; i < stages.size(); ++i) {
        QCOMPARE(stages.at(i).startUs, previous);
        QCOMPARE(stages.at(i).endUs, boundaries.at(i));
        QVERIFY(stages.at(i).durationUs() >= 0);
        previous = boundaries.at(i);
    }
    QCOMPARE(stages.first().name, u"Authentication"_s);
    QCOMPARE(stages.last().name, u"Streaming"_s);
    QCOMPARE(stages.last().endUs, timings.value(u"end"_s).toInteger());
    QVERIFY(page->findChild<QLabel *>(u"requestsDetail"_s)->text().contains(selected));

    // New traffic arrives by itself; the selection stays on the same request though its row moved.
    QCOMPARE(console.sendMessage(key), 200);
    QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 4, 10000);
    QCOMPARE(page->selectedId(), selected);
    QCOMPARE(selectedRowId(table), selected);
    QCOMPARE(rowId(table, 2), selected);

    // A client error filter hides the successful ones.
    status->setCurrentIndex(status->findData(u"4xx"_s));
    QTRY_VERIFY_WITH_TIMEOUT(empty->isVisible(), 10000);
    QCOMPARE(table->model()->rowCount(), 0);
    QVERIFY(empty->text().contains(u"filters"_s));

    // A refused key (401) is answered before a request is timed: the request log does not record it, so the
    // page (which shows what the log kept) lists nothing for it.
    QCOMPARE(console.sendMessage("sk-relaydeck-not-a-real-key"), 401);
    const auto refused = console.call("GET", u"/admin/requests"_s, QJsonValue(QJsonValue::Undefined),
                                      QUrlQuery{{u"status"_s, u"4xx"_s}});
    QVERIFY(refused.ok());
    QCOMPARE(refused.total(), 0);
    QCOMPARE(console.call("GET", u"/admin/requests"_s).total(), 4);
    QSignalSpy refreshed(page, &RequestsPage::refreshed);
    QTRY_VERIFY_WITH_TIMEOUT(refreshed.count() >= 2, 10000); // two auto-refreshes after the 401
    QCOMPARE(table->model()->rowCount(), 0);
    QVERIFY(empty->isVisible());

    // A key filter: only that key's requests.
    status->setCurrentIndex(0);
    keyFilter->setText(QString::fromLatin1(keyId));
    QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 4, 10000);
    keyFilter->setText(u"no-such-key"_s);
    QTRY_VERIFY_WITH_TIMEOUT(empty->isVisible(), 10000);
    keyFilter->clear();
    QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 4, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(selectedRowId(table), selected, 5000);

    console.screenshot(u"requests"_s);
}

QTEST_MAIN(TstConsoleRequests)
#include "tst_consolerequests.moc"
