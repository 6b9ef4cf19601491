// SPDX-License-Identifier: GPL-3.0-or-later
// The console's Accounts page against a real bundled relay and the mock upstream: add, test, disable, edit without
// touching the secret, delete through the widgets; field errors in the dialog; every account state in the table.
#include "consolefixture.h"
#include "rawhttpclient.h"
#include "ui/pages/accountdialog.h"
#include "ui/pages/accountspage.h"
#include "ui/widgets/messagebar.h"

#include <QAbstractButton>
#include <QAction>
#include <QComboBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QTest>

using Console::AccountDialog;
using Console::AccountsPage;
using namespace Qt::StringLiterals;

namespace {

constexpr int NameColumn = 0;
constexpr int StateColumn = 2;
constexpr int ReasonColumn = 3;
constexpr int CostColumn = 7;

QTableView *table(AccountsPage *page)
{
    return page->findChild<QTableView *>(QStringLiteral("accountsTable"));
}

int rowOf(AccountsPage *page, const QString &name)
{
    QAbstractItemModel *model = table(page)->model();
    for (int row = 0; row < model->rowCount(); ++row)
        if (model->index(row, NameColumn).data().toString() == name)
            return row;
    return -1;
}

QString cell(AccountsPage *page, const QString &name, int column)
{
    const int row = rowOf(page, name);
    return row < 0 ? QString() : table(page)->model()->index(row, column).data().toString();
}

void select(AccountsPage *page, const QString &name)
{
    const int row = rowOf(page, name);
    QVERIFY2(row >= 0, qPrintable(name));
    table(page)->selectRow(row);
}

QAction *action(AccountsPage *page, const char *name)
{
    return page->findChild<QAction *>(QLatin1String(name));
}

QString testResult(AccountsPage *page)
{
    auto *label = page->findChild<QLabel *>(QStringLiteral("testResult"));
    return label && label->isVisibleTo(page) ? label->text() : QString();
}

// Every text a person could see in the window and its dialogs: widget texts, titles, tooltips and table cells.
QStringList visibleTexts(QWidget *root)
{
    QStringList texts{root->windowTitle()};
    for (QWidget *widget : root->findChildren<QWidget *>()) {
        texts << widget->windowTitle() << widget->toolTip() << widget->accessibleName();
        if (auto *edit = qobject_cast<QLineEdit *>(widget))
            texts << edit->text() << edit->displayText() << edit->placeholderText();
        if (auto *label = qobject_cast<QLabel *>(widget))
            texts << label->text();
        if (auto *button = qobject_cast<QAbstractButton *>(widget))
            texts << button->text();
        if (auto *plain = qobject_cast<QPlainTextEdit *>(widget))
            texts << plain->toPlainText();
        if (auto *view = qobject_cast<QTableView *>(widget)) {
            QAbstractItemModel *model = view->model();
            for (int row = 0; row < model->rowCount(); ++row)
                for (int column = 0; column < model->columnCount(); ++column)
                    texts << model->index(row, column).data().toString()
                          << model->index(row, column).data(Qt::ToolTipRole).toString();
        }
    }
    return texts;
}

QString lastUpstreamKey(ConsoleFixture &console)
{
    const QJsonArray requests = console.harness().mock().requests();
    for (qsizetype i = requests.size() - 1; i >= 0; --i) {
        const QJsonObject request = requests.at(i).toObject();
        if (request.value(QStringLiteral("path")).toString().contains(QStringLiteral("/v1/messages")))
            return request.value(QStringLiteral("headers")).toObject().value(QStringLiteral("x-api-key")).toString();
    }
    return {};
}

} // namespace

class TstConsoleAccounts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void addsTestsDisablesEditsAndDeletesAnAccount();
    void invalidBaseUrlShowsTheFieldErrorAndCreatesNothing();
    void showsEachAccountState();

private:
    static AccountDialog *openDialog(AccountsPage *page, const char *actionName)
    {
        QAction *open = action(page, actionName);
        if (!open || !open->isEnabled())
            return nullptr;
        open->trigger();
        AccountDialog *dialog = page->findChild<AccountDialog *>(QStringLiteral("accountDialog"));
        return dialog && dialog->isVisible() ? dialog : nullptr;
    }

    static void fillNew(AccountDialog *dialog, const QString &name, const QString &baseUrl, const QString &secret)
    {
        auto *nameEdit = dialog->findChild<QLineEdit *>(QStringLiteral("nameEdit"));
        auto *baseUrlEdit = dialog->findChild<QLineEdit *>(QStringLiteral("baseUrlEdit"));
        auto *secretEdit = dialog->findChild<QLineEdit *>(QStringLiteral("secretEdit"));
        QVERIFY(nameEdit && baseUrlEdit && secretEdit);
        QCOMPARE(dialog->findChild<QComboBox *>(QStringLiteral("typeCombo"))->currentData().toString(),
                 QStringLiteral("apikey"));
        QTest::keyClicks(nameEdit, name);
        baseUrlEdit->setText(baseUrl);
        QTest::keyClicks(secretEdit, secret);
        QCOMPARE(secretEdit->echoMode(), QLineEdit::Password);
    }

    static void clickOk(AccountDialog *dialog)
    {
        auto *ok = dialog->findChild<QPushButton *>(QStringLiteral("okButton"));
        QVERIFY(ok && ok->isEnabled());
        QTest::mouseClick(ok, Qt::LeftButton);
    }
};

void TstConsoleAccounts::addsTestsDisablesEditsAndDeletesAnAccount()
{
    ConsoleFixture console;
    QVERIFY2(console.start(), qPrintable(console.errorString()));
    auto *page = console.page<AccountsPage>();
    QVERIFY(page);
    auto *empty = page->findChild<QLabel *>(QStringLiteral("emptyState"));
    QTRY_VERIFY_WITH_TIMEOUT(empty->isVisible(), 10000);
    QVERIFY(empty->text().contains(QStringLiteral("No upstream accounts")));

    // Add an API key account pointing at the mock.
    const QString secret = QStringLiteral("sk-ant-api03-console-secret-7f3a9c");
    const QString mockUrl = console.harness().mock().baseUrl().toString();
    QPointer<AccountDialog> dialog = openDialog(page, "addAccountAction");
    QVERIFY(dialog);
    fillNew(dialog, QStringLiteral("primary"), mockUrl, secret);
    clickOk(dialog);
    QTRY_VERIFY_WITH_TIMEOUT(dialog.isNull(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(rowOf(page, QStringLiteral("primary")) >= 0, 10000);
    QVERIFY(!empty->isVisible());
    QCOMPARE(cell(page, QStringLiteral("primary"), StateColumn), QStringLiteral("Active"));

    auto listed = console.call("GET", QStringLiteral("/admin/accounts"));
    QVERIFY(listed.ok());
    QCOMPARE(listed.total(), 1);
    const QJsonObject created = listed.items().first().toObject();
    const QString id = created.value(QStringLiteral("id")).toString();
    QCOMPARE(created.value(QStringLiteral("name")).toString(), QStringLiteral("primary"));
    QCOMPARE(created.value(QStringLiteral("type")).toString(), QStringLiteral("apikey"));
    QCOMPARE(created.value(QStringLiteral("base_url")).toString(), mockUrl);
    QVERIFY(created.value(QStringLiteral("has_secret")).toBool());
    QCOMPARE(created.value(QStringLiteral("priority")).toInt(), 50);
    // The new account is the selected row.
    QTRY_VERIFY(action(page, "testAccountAction")->isEnabled());

    // Test: the mock answers through the account's secret.
    action(page, "testAccountAction")->trigger();
    QVERIFY(!action(page, "testAccountAction")->isEnabled()); // busy while the test runs
    QTRY_VERIFY_WITH_TIMEOUT(testResult(page).contains(QStringLiteral("HTTP 200")), 20000);
    QVERIFY2(testResult(page).contains(QStringLiteral(" ms")), qPrintable(testResult(page)));
    QVERIFY(testResult(page).contains(QStringLiteral("works")));
    QCOMPARE(lastUpstreamKey(console), secret);
    QVERIFY(action(page, "testAccountAction")->isEnabled());

    // Disable: the state says so and the API agrees; enabling brings it back.
    select(page, QStringLiteral("primary"));
    QVERIFY(action(page, "disableAccountAction")->isEnabled());
    QVERIFY(!action(page, "enableAccountAction")->isEnabled());
    action(page, "disableAccountAction")->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(cell(page, QStringLiteral("primary"), StateColumn), QStringLiteral("Disabled"), 10000);
    QCOMPARE(console.call("GET", QStringLiteral("/admin/accounts/") + id).object().value(QStringLiteral("enabled")),
             QJsonValue(false));
    QTRY_VERIFY(action(page, "enableAccountAction")->isEnabled());
    action(page, "enableAccountAction")->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(cell(page, QStringLiteral("primary"), StateColumn), QStringLiteral("Active"), 10000);
    QCOMPARE(console.call("GET", QStringLiteral("/admin/accounts/") + id).object().value(QStringLiteral("enabled")),
             QJsonValue(true));

    // Edit the name only: the secret field starts empty ("unchanged") and is not sent.
    select(page, QStringLiteral("primary"));
    dialog = openDialog(page, "editAccountAction");
    QVERIFY(dialog);
    auto *secretEdit = dialog->findChild<QLineEdit *>(QStringLiteral("secretEdit"));
    QVERIFY(secretEdit->text().isEmpty());
    QCOMPARE(secretEdit->placeholderText(), QStringLiteral("unchanged — type to replace"));
    QVERIFY(!dialog->findChild<QComboBox *>(QStringLiteral("typeCombo"))->isEnabled());
    auto *nameEdit = dialog->findChild<QLineEdit *>(QStringLiteral("nameEdit"));
    QCOMPARE(nameEdit->text(), QStringLiteral("primary"));
    QCOMPARE(dialog->findChild<QLineEdit *>(QStringLiteral("baseUrlEdit"))->text(), mockUrl);
    nameEdit->selectAll();
    QTest::keyClicks(nameEdit, QStringLiteral("primary-eu"));
    console.screenshot(QStringLiteral("accounts-edit-dialog"), dialog);
    clickOk(dialog);
    QTRY_VERIFY_WITH_TIMEOUT(dialog.isNull(), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(rowOf(page, QStringLiteral("primary-eu")) >= 0, 10000);
    QCOMPARE(rowOf(page, QStringLiteral("primary")), -1);
    const QJsonObject edited = console.call("GET", QStringLiteral("/admin/accounts/") + id).object();
    QCOMPARE(edited.value(QStringLiteral("name")).toString(), QStringLiteral("primary-eu"));
    QVERIFY(edited.value(QStringLiteral("has_secret")).toBool());

    // The secret still works, and it is nowhere in the window.
    select(page, QStringLiteral("primary-eu"));
    action(page, "testAccountAction")->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(testResult(page).contains(QStringLiteral("“primary-eu” works: HTTP 200")), 20000);
    QCOMPARE(lastUpstreamKey(console), secret);
    const QStringList texts = visibleTexts(&console.window());
    QVERIFY(texts.size() > 50);
    for (const QString &text : texts)
        QVERIFY2(!text.contains(secret), qPrintable(text));

    // Delete after the confirmation; "Keep" first leaves it alone.
    select(page, QStringLiteral("primary-eu"));
    console.window().activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&console.window()));
    table(page)->setFocus();
    QTest::keyClick(table(page), Qt::Key_Delete);
    QPointer<QMessageBox> box = page->findChild<QMessageBox *>(QStringLiteral("deleteConfirmation"));
    QVERIFY(box);
    QTRY_VERIFY(box->isVisible());
    QVERIFY(box->text().contains(QStringLiteral("primary-eu")));
    box->button(QMessageBox::No)->click();
    QTRY_VERIFY(box.isNull());
    QTest::qWait(200);
    QCOMPARE(console.call("GET", QStringLiteral("/admin/accounts")).total(), 1);
    action(page, "deleteAccountAction")->trigger();
    box = page->findChild<QMessageBox *>(QStringLiteral("deleteConfirmation"));
    QVERIFY(box);
    QTRY_VERIFY(box->isVisible());
    box->button(QMessageBox::Yes)->click();
    QTRY_COMPARE_WITH_TIMEOUT(rowOf(page, QStringLiteral("primary-eu")), -1, 10000);
    QCOMPARE(console.call("GET", QStringLiteral("/admin/accounts")).total(), 0);
    QCOMPARE(console.call("GET", QStringLiteral("/admin/accounts/") + id).status, 404);
    QTRY_VERIFY(empty->isVisible());
}

void TstConsoleAccounts::invalidBaseUrlShowsTheFieldErrorAndCreatesNothing()
{
    ConsoleFixture console;
    QVERIFY2(console.start(), qPrintable(console.errorString()));
    auto *page = console.page<AccountsPage>();
    QPointer<AccountDialog> dialog = openDialog(page, "addAccountAction");
    QVERIFY(dialog);
    fillNew(dialog, QStringLiteral("broken"), QStringLiteral("ftp://upstream.example.com"),
            QStringLiteral("sk-ant-api03-never-stored"));
    clickOk(dialog);
    auto *error = dialog->findChild<QLabel *>(QStringLiteral("baseUrlError"));
    QVERIFY(error);
    QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), 10000);
    QVERIFY2(error->text().contains(QStringLiteral("https://")), qPrintable(error->text()));
    QVERIFY(dialog->isVisible());
    QVERIFY(!dialog->findChild<QLabel *>(QStringLiteral("nameError"))->isVisible());
    console.screenshot(QStringLiteral("accounts-dialog-error"), dialog);
    QCOMPARE(console.call("GET", QStringLiteral("/admin/accounts")).total(), 0);

    // A malformed model mapping is caught before anything is sent.
    dialog->findChild<QLineEdit *>(QStringLiteral("baseUrlEdit"))->setText(QStringLiteral("https://example.com"));
    dialog->findChild<QPlainTextEdit *>(QStringLiteral("modelMappingEdit"))->setPlainText(QStringLiteral("opus"));
    clickOk(dialog);
    auto *mappingError = dialog->findChild<QLabel *>(QStringLiteral("modelMappingError"));
    QVERIFY(mappingError->isVisible());
    QVERIFY(!error->isVisible());
    QCOMPARE(console.call("GET", QStringLiteral("/admin/accounts")).total(), 0);

    dialog->findChild<QPushButton *>(QStringLiteral("cancelButton"))->click();
    QTRY_VERIFY(dialog.isNull());
    QCOMPARE(console.call("GET", QStringLiteral("/admin/accounts")).total(), 0);
}

void TstConsoleAccounts::showsEachAccountState()
{
    ConsoleFixture console;
    QVERIFY2(console.start(), qPrintable(console.errorString()));
    const QString mock = console.harness().mock().baseUrl().toString();
    auto create = [&](const QJsonObject &body) {
        const auto reply = console.call("POST", QStringLiteral("/admin/accounts"), body);
        return reply.ok() ? reply.object().value(QStringLiteral("id")).toString() : QString();
    };
    // The scheduler tries the lowest priority first: the 429 account cools down, the 401 one is banned, and the
    // request ends on the healthy quota account.
    QVERIFY(!create({{u"type"_s, u"apikey"_s},
                     {u"name"_s, u"anthropic-main"_s},
                     {u"base_url"_s, mock},
                     {u"secret"_s, u"sk-ant-main"_s},
                     {u"priority"_s, 10},
                     {u"max_concurrency"_s, 8},
                     {u"daily_cost_quota_usd"_s, 25}})
                 .isEmpty());
    QVERIFY(!create({{u"type"_s, u"apikey"_s},
                     {u"name"_s, u"burst-pool"_s},
                     {u"base_url"_s, mock + QStringLiteral("/_fault/429")},
                     {u"secret"_s, u"sk-ant-burst"_s},
                     {u"priority"_s, 1}})
                 .isEmpty());
    QVERIFY(!create({{u"type"_s, u"apikey"_s},
                     {u"name"_s, u"revoked-key"_s},
                     {u"base_url"_s, mock + QStringLiteral("/_fault/401")},
                     {u"secret"_s, u"sk-ant-revoked"_s},
                     {u"priority"_s, 2}})
                 .isEmpty());
    const QString spare = create({{u"type"_s, u"oauth"_s},
                                  {u"name"_s, u"team-subscription"_s},
                                  {u"base_url"_s, mock},
                                  {u"secret"_s, u"oauth-access-token"_s},
                                  {u"priority"_s, 20},
                                  {u"notes"_s, u"spare"_s}});
    QVERIFY(!spare.isEmpty());
    QVERIFY(console.call("POST", QStringLiteral("/admin/accounts/%1/disable").arg(spare)).ok());

    const QByteArray key = console.harness().createKey(QStringLiteral("screenshot key"));
    QVERIFY(!key.isEmpty());
    RawHttpClient http;
    QVERIFY(http.connectTo(console.relay().port()));
    const QByteArray body =
        QJsonDocument(
            QJsonObject{{u"model"_s, u"claude-sonnet-4-5"_s},
                        {u"max_tokens"_s, 64},
                        {u"mock"_s, QJsonObject{{u"retry_after"_s, 900}}},
                        {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}})
            .toJson(QJsonDocument::Compact);
    QCOMPARE(http.request(RelayHarness::post("/v1/messages", key, body), 15000).status, 200);

    auto *page = console.page<AccountsPage>();
    QTRY_VERIFY_WITH_TIMEOUT(rowOf(page, QStringLiteral("team-subscription")) >= 0, 10000);
    // The page polls: the states reach the table without a manual refresh.
    QTRY_VERIFY_WITH_TIMEOUT(cell(page, QStringLiteral("revoked-key"), StateColumn) == QStringLiteral("Unauthorized"),
                             15000);
    QTRY_VERIFY_WITH_TIMEOUT(
        cell(page, QStringLiteral("anthropic-main"), CostColumn).endsWith(QStringLiteral("$25.00")), 15000);
    QCOMPARE(cell(page, QStringLiteral("anthropic-main"), StateColumn), QStringLiteral("Active"));
    QCOMPARE(cell(page, QStringLiteral("team-subscription"), StateColumn), QStringLiteral("Disabled"));
    const QString burstState = cell(page, QStringLiteral("burst-pool"), StateColumn);
    const QString burstReason = cell(page, QStringLiteral("burst-pool"), ReasonColumn);
    QVERIFY2(burstState.startsWith(QStringLiteral("Cooling, ")) || burstReason.contains(QStringLiteral("cooling")),
             qPrintable(burstState + QStringLiteral(" / ") + burstReason));
    QVERIFY(!cell(page, QStringLiteral("revoked-key"), ReasonColumn).isEmpty());
    const QColor red = table(page)
                           ->model()
                           ->index(rowOf(page, QStringLiteral("revoked-key")), StateColumn)
                           .data(Qt::ForegroundRole)
                           .value<QBrush>()
                           .color();
    QVERIFY(red.red() > 150 && red.green() < 80);

    // The filter asks the relay for one state.
    auto *filter = page->findChild<QComboBox *>(QStringLiteral("statusFilter"));
    filter->setCurrentIndex(filter->findData(QStringLiteral("unauthorized")));
    QTRY_COMPARE_WITH_TIMEOUT(table(page)->model()->rowCount(), 1, 10000);
    QCOMPARE(cell(page, QStringLiteral("revoked-key"), StateColumn), QStringLiteral("Unauthorized"));
    filter->setCurrentIndex(filter->findData(QStringLiteral("disabled")));
    QTRY_COMPARE_WITH_TIMEOUT(rowOf(page, QStringLiteral("team-subscription")), 0, 10000);
    QCOMPARE(table(page)->model()->rowCount(), 1);
    filter->setCurrentIndex(0);
    QTRY_COMPARE_WITH_TIMEOUT(table(page)->model()->rowCount(), 4, 10000);

    // An OAuth account's dialog has the token fields; an API key's does not.
    select(page, QStringLiteral("team-subscription"));
    QPointer<AccountDialog> dialog = openDialog(page, "editAccountAction");
    QVERIFY(dialog);
    QVERIFY(dialog->findChild<QLineEdit *>(QStringLiteral("refreshTokenEdit"))->isVisible());
    QCOMPARE(dialog->findChild<QLineEdit *>(QStringLiteral("refreshTokenEdit"))->placeholderText(),
             QStringLiteral("none"));
    QCOMPARE(dialog->findChild<QPlainTextEdit *>(QStringLiteral("notesEdit"))->toPlainText(), QStringLiteral("spare"));
    dialog->findChild<QPushButton *>(QStringLiteral("cancelButton"))->click();
    QTRY_VERIFY(dialog.isNull());
    select(page, QStringLiteral("anthropic-main"));
    dialog = openDialog(page, "editAccountAction");
    QVERIFY(dialog);
    QVERIFY(!dialog->findChild<QLineEdit *>(QStringLiteral("refreshTokenEdit"))->isVisible());
    QCOMPARE(dialog->findChild<QSpinBox *>(QStringLiteral("concurrencySpin"))->value(), 8);
    dialog->findChild<QPushButton *>(QStringLiteral("cancelButton"))->click();
    QTRY_VERIFY(dialog.isNull());

    // Reset brings the banned account back.
    select(page, QStringLiteral("revoked-key"));
    action(page, "resetAccountAction")->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(cell(page, QStringLiteral("revoked-key"), StateColumn), QStringLiteral("Active"), 10000);

    // The screenshot shows the accounts in their states, with a test result.
    const QByteArray badKey = console.harness().createKey(QStringLiteral("again"));
    QCOMPARE(http.request(RelayHarness::post("/v1/messages", badKey, body), 15000).status, 200);
    select(page, QStringLiteral("anthropic-main"));
    action(page, "testAccountAction")->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(testResult(page).contains(QStringLiteral("HTTP 200")), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(cell(page, QStringLiteral("revoked-key"), StateColumn) == QStringLiteral("Unauthorized"),
                             15000);
    console.screenshot(QStringLiteral("accounts"));

    // The selection survives the polls (the rows are replaced every few seconds).
    auto selectedName = [&] {
        const QModelIndexList rows = table(page)->selectionModel()->selectedRows(NameColumn);
        return rows.size() == 1 ? rows.first().data().toString() : QString();
    };
    QCOMPARE(selectedName(), QStringLiteral("anthropic-main"));
    QTest::qWait(AccountsPage::RefreshIntervalMs + 1000);
    QCOMPARE(selectedName(), QStringLiteral("anthropic-main"));

    // Another language (its strings may not be translated yet): the page retranslates in place and keeps its rows.
    const QString header = table(page)->model()->headerData(StateColumn, Qt::Horizontal).toString();
    console.languages().setChoice(QStringLiteral("zh_CN"));
    QTest::qWait(100);
    QCOMPARE(table(page)->model()->rowCount(), 4);
    QVERIFY(!table(page)->model()->headerData(StateColumn, Qt::Horizontal).toString().isEmpty());
    console.languages().setChoice(QStringLiteral("en"));
    QTRY_COMPARE(table(page)->model()->headerData(StateColumn, Qt::Horizontal).toString(), header);
}

QTEST_MAIN(TstConsoleAccounts)
#include "tst_consoleaccounts.moc"
