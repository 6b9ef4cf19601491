// SPDX-License-Identifier: GPL-3.0-or-later
// The API keys page against a real bundled relay: a key's whole life through the page's widgets (create with the
// dialog, the secret shown once and copied, search, disable, edit, regenerate, delete) checked with relayed
// requests and through the admin API; paging, filters and field errors in the dialog.
#include "consolefixture.h"
#include "ui/jsontablemodel.h"
#include "ui/pages/keydialog.h"
#include "ui/pages/keyspage.h"
#include "ui/pages/newkeydialog.h"
#include "ui/widgets/messagebar.h"

#include <QAction>
#include <QClipboard>
#include <QComboBox>
#include <QDeadlineTimer>
#include <QDialogButtonBox>
#include <QGuiApplication>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QToolButton>

using namespace Qt::StringLiterals;
using Console::JsonTableModel;
using Console::KeyDialog;
using Console::KeysPage;
using Console::NewKeyDialog;

class TstConsoleKeys : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void managesAKeyThroughItsWholeLife();
    void pagesFiltersAndShowsFieldErrors();

private:
    // The one visible top-level widget of type T named `name` (dialogs close with deleteLater).
    template <typename T>
    static T *visible(QWidget *parent, const QString &name)
    {
        for (T *candidate : parent->findChildren<T *>(name))
            if (candidate->isVisible())
                return candidate;
        return nullptr;
    }
    static QAction *action(KeysPage *page, const char *name) { return page->findChild<QAction *>(QLatin1String(name)); }
    static JsonTableModel *model(KeysPage *page)
    {
        return qobject_cast<JsonTableModel *>(page->findChild<QTableView *>(u"keysTable"_s)->model());
    }
    static QString rangeText(KeysPage *page) { return page->findChild<QLabel *>(u"keysRange"_s)->text(); }
    static void clickRow(KeysPage *page, int row)
    {
        auto *view = page->findChild<QTableView *>(u"keysTable"_s);
        const QRect rect = view->visualRect(view->model()->index(row, 0));
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, rect.center());
    }
    static void clickOk(QDialog *dialog)
    {
        dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
    }
    // Sends relayed requests until one answers `expected` (each attempt is a real request: a QTRY macro would send
    // extra ones when it evaluates its expression again); the last status.
    static int statusBecomes(ConsoleFixture &console, const QString &key, int expected, int timeoutMs = 5000)
    {
        QDeadlineTimer deadline(timeoutMs);
        int status = console.sendMessage(key.toLatin1());
        while (status != expected && !deadline.hasExpired()) {
            QTest::qWait(100);
            status = console.sendMessage(key.toLatin1());
        }
        return status;
    }
    static void confirm(KeysPage *page, const QString &name)
    {
        QMessageBox *box = nullptr;
        QTRY_VERIFY((box = visible<QMessageBox>(page, name)));
        box->button(QMessageBox::Yes)->click();
    }
};

static const QRegularExpression ClearKey(u"^rd_[0-9a-f]{64}$"_s);

void TstConsoleKeys::managesAKeyThroughItsWholeLife()
{
    ConsoleFixture console;
    QVERIFY2(console.start(), qPrintable(console.errorString()));
    const QByteArray accountId =
        console.harness().createAccount(u"primary upstream"_s, console.harness().mock().baseUrl().toString());
    QVERIFY2(!accountId.isEmpty(), qPrintable(console.harness().errorString()));
    // Two other keys, so the search has something to filter out.
    for (const QString &name : {u"batch jobs"_s, u"support bot"_s})
        QVERIFY(console.call("POST", u"/admin/keys"_s, QJsonObject{{u"name"_s, name}}).ok());

    auto *page = console.page<KeysPage>();
    QVERIFY(page);
    QTRY_COMPARE_WITH_TIMEOUT(model(page)->rowCount(), 2, 10000);
    QCOMPARE(rangeText(page), u"1–2 of 2"_s);

    // Create through the dialog: a name and a concurrency limit.
    action(page, "newKeyAction")->trigger();
    KeyDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = visible<KeyDialog>(page, u"keyDialog"_s)));
    QTest::keyClicks(dialog->findChild<QLineEdit *>(u"keyName"_s), u"ci pipeline"_s);
    dialog->findChild<QSpinBox *>(u"keyConcurrency"_s)->setValue(3);
    QCOMPARE(dialog->requestBody(), (QJsonObject{{u"name"_s, u"ci pipeline"_s}, {u"concurrency_limit"_s, 3}}));
    console.screenshot(u"keys-dialog"_s, dialog);
    dialog->findChild<QTabWidget *>(u"keyDialogTabs"_s)->setCurrentIndex(1);
    console.screenshot(u"keys-dialog-limits"_s, dialog);
    dialog->findChild<QTabWidget *>(u"keyDialogTabs"_s)->setCurrentIndex(2);
    console.screenshot(u"keys-dialog-restrictions"_s, dialog);
    clickOk(dialog);

    // The secret, once, with a copy button.
    NewKeyDialog *shown = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((shown = visible<NewKeyDialog>(page, u"newKeyDialog"_s)), 10000);
    const QString key = shown->findChild<QLineEdit *>(u"newKeyValue"_s)->text();
    QVERIFY2(ClearKey.match(key).hasMatch(), qPrintable(key));
    QVERIFY(shown->findChild<QLineEdit *>(u"newKeyValue"_s)->isReadOnly());
    QVERIFY(shown->findChild<QLabel *>(u"newKeyWarning"_s)->text().contains(u"not be shown again"_s));
    QGuiApplication::clipboard()->clear();
    QTest::mouseClick(shown->findChild<QPushButton *>(u"copyKeyButton"_s), Qt::LeftButton);
    QCOMPARE(QGuiApplication::clipboard()->text(), key);
    console.screenshot(u"keys-newkey"_s, shown);
    shown->reject();

    // In the table, and in the API with the limit.
    QTRY_VERIFY_WITH_TIMEOUT(model(page)->findRow(u"name"_s, u"ci pipeline"_s) >= 0, 10000);
    QCOMPARE(model(page)->rowCount(), 3);
    const QJsonObject row = model(page)->rowObject(model(page)->findRow(u"name"_s, u"ci pipeline"_s));
    const QString id = row.value(u"id"_s).toString();
    QCOMPARE(row.value(u"concurrency_limit"_s).toInt(), 3);
    QVERIFY(key.startsWith(row.value(u"hint"_s).toString().left(7)));
    const int limitsColumn = 4;
    QCOMPARE(model(page)->data(model(page)->index(model(page)->findRow(u"id"_s, id), limitsColumn)).toString(),
             u"3 concurrent"_s);
    QCOMPARE(page->selectedId(), id); // the new key is selected

    // The key works through the relay.
    QCOMPARE(statusBecomes(console, key, 200, 10000), 200);

    // The search field filters on the relay.
    QTest::keyClicks(page->findChild<QLineEdit *>(u"keySearch"_s), u"ci pip"_s);
    QTRY_COMPARE_WITH_TIMEOUT(model(page)->rowCount(), 1, 5000);
    QCOMPARE(model(page)->rowObject(0).value(u"id"_s).toString(), id);
    QCOMPARE(rangeText(page), u"1–1 of 1"_s);

    // Disable: the relay refuses the key within a moment.
    clickRow(page, 0);
    QCOMPARE(page->selectedId(), id);
    QVERIFY(action(page, "disableKeyAction")->isEnabled());
    action(page, "disableKeyAction")->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(model(page)->rowObject(0).value(u"status"_s).toString(), u"disabled"_s, 5000);
    QCOMPARE(statusBecomes(console, key, 401, 3000), 401);
    QVERIFY(action(page, "enableKeyAction")->isVisible());
    QVERIFY(!action(page, "disableKeyAction")->isVisible());

    // Edit the concurrency limit: only that field is sent, and the API shows it.
    action(page, "editKeyAction")->trigger();
    QTRY_VERIFY((dialog = visible<KeyDialog>(page, u"keyDialog"_s)));
    QCOMPARE(dialog->findChild<QLineEdit *>(u"keyName"_s)->text(), u"ci pipeline"_s);
    QCOMPARE(dialog->findChild<QSpinBox *>(u"keyConcurrency"_s)->value(), 3);
    QCOMPARE(dialog->requestBody(), QJsonObject());
    dialog->findChild<QSpinBox *>(u"keyConcurrency"_s)->setValue(7);
    QCOMPARE(dialog->requestBody(), (QJsonObject{{u"concurrency_limit"_s, 7}}));
    clickOk(dialog);
    QTRY_COMPARE_WITH_TIMEOUT(
        console.call("GET", u"/admin/keys/"_s + id).object().value(u"concurrency_limit"_s).toInt(), 7, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(model(page)->rowObject(0).value(u"concurrency_limit"_s).toInt(), 7, 5000);
    QCOMPARE(console.call("GET", u"/admin/keys/"_s + id).object().value(u"status"_s).toString(), u"disabled"_s);

    // Enable again.
    action(page, "enableKeyAction")->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(model(page)->rowObject(0).value(u"status"_s).toString(), u"active"_s, 5000);
    QCOMPARE(statusBecomes(console, key, 200, 5000), 200);

    // Regenerate after confirmation: the old secret is refused, the new one works.
    action(page, "regenerateKeyAction")->trigger();
    confirm(page, u"confirmRegenerateKey"_s);
    QTRY_VERIFY_WITH_TIMEOUT((shown = visible<NewKeyDialog>(page, u"newKeyDialog"_s)), 10000);
    const QString newKey = shown->clearKey();
    QVERIFY2(ClearKey.match(newKey).hasMatch(), qPrintable(newKey));
    QVERIFY(newKey != key);
    shown->reject();
    QCOMPARE(statusBecomes(console, key, 401, 3000), 401);
    QCOMPARE(console.sendMessage(newKey.toLatin1()), 200);

    // Delete after confirmation: gone from the table and from the API.
    // The offscreen platform does not give the focus back to the main window when a dialog closes.
    console.window().activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&console.window()));
    clickRow(page, 0);
    QTest::keyClick(page->findChild<QTableView *>(u"keysTable"_s), Qt::Key_Delete); // the Del shortcut
    confirm(page, u"confirmDeleteKey"_s);
    QTRY_COMPARE_WITH_TIMEOUT(model(page)->rowCount(), 0, 5000);
    QCOMPARE(console.call("GET", u"/admin/keys/"_s + id).status, 404);
    QCOMPARE(statusBecomes(console, newKey, 401, 3000), 401);
    QVERIFY(page->findChild<QLabel *>(u"keysEmpty"_s)->isVisible());

    // A realistic page for the screenshot.
    const QList<QJsonObject> keys{
        {{u"name"_s, u"Claude Code – Alice"_s},
         {u"tags"_s, QJsonArray{u"engineering"_s}},
         {u"concurrency_limit"_s, 4},
         {u"limits"_s, QJsonObject{{u"daily_cost_usd"_s, 25}}}},
        {{u"name"_s, u"Claude Code – Bob"_s},
         {u"tags"_s, QJsonArray{u"engineering"_s}},
         {u"concurrency_limit"_s, 4},
         {u"limits"_s, QJsonObject{{u"daily_cost_usd"_s, 25}}}},
        {{u"name"_s, u"Nightly evaluation"_s},
         {u"tags"_s, QJsonArray{u"ci"_s, u"research"_s}},
         {u"limits"_s, QJsonObject{{u"window_minutes"_s, 60}, {u"window_requests"_s, 2000}}},
         {u"bound_account"_s, QString::fromLatin1(accountId)}},
        {{u"name"_s, u"Support assistant"_s},
         {u"tags"_s, QJsonArray{u"support"_s}},
         {u"concurrency_limit"_s, 10},
         {u"limits"_s, QJsonObject{{u"total_cost_usd"_s, 500}}}},
        {{u"name"_s, u"Docs search"_s},
         {u"tags"_s, QJsonArray{u"web"_s}},
         {u"limits"_s, QJsonObject{{u"window_minutes"_s, 5}, {u"window_tokens"_s, 400000}}}},
        {{u"name"_s, u"Contractor (trial)"_s},
         {u"tags"_s, QJsonArray{u"external"_s}},
         {u"expires_after_first_use_ms"_s, 7LL * 24 * 3600 * 1000},
         {u"client"_s, u"claude_code"_s}},
        {{u"name"_s, u"Data labelling"_s},
         {u"tags"_s, QJsonArray{u"research"_s}},
         {u"limits"_s, QJsonObject{{u"weekly_cost_usd"_s, QJsonObject{{u"opus"_s, 40}}}}}},
    };
    QList<QByteArray> secrets;
    for (const QJsonObject &body : keys) {
        const auto created = console.call("POST", u"/admin/keys"_s, body);
        QVERIFY2(created.ok(), qPrintable(created.errorText()));
        secrets << created.object().value(u"key"_s).toString().toLatin1();
    }
    for (int i = 0; i < 3; ++i)
        QCOMPARE(statusBecomes(console, QString::fromLatin1(secrets.at(i)), 200), 200);
    QCOMPARE(console.sendMessage(secrets.at(0)), 200);
    QCOMPARE(console.sendMessage(secrets.at(3)), 200);
    QVERIFY(console
                .call("POST", u"/admin/keys/"_s +
                                  console.call("GET", u"/admin/keys"_s, {}, {{u"q"_s, u"labelling"_s}})
                                      .items()
                                      .first()
                                      .toObject()
                                      .value(u"id"_s)
                                      .toString() +
                                  u"/disable"_s)
                .ok());
    page->findChild<QLineEdit *>(u"keySearch"_s)->clear();
    action(page, "refreshKeysAction")->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(model(page)->rowCount(), 9, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(rangeText(page), u"1–9 of 9"_s, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(model(page)->rowObject(0).contains(u"today"_s), 5000);
    // Sorted by last use: Alice's key was used last... and twice today.
    QCOMPARE(model(page)->rowObject(0).value(u"name"_s).toString(), u"Support assistant"_s);
    const int alice = model(page)->findRow(u"name"_s, u"Claude Code – Alice"_s);
    QCOMPARE(model(page)->rowObject(alice).value(u"today"_s).toObject().value(u"requests"_s).toInt(), 2);
    const int todayColumn = 8;
    QVERIFY2(model(page)->data(model(page)->index(alice, todayColumn)).toString().startsWith(u"2 req · $"_s),
             qPrintable(model(page)->data(model(page)->index(alice, todayColumn)).toString()));
    QCOMPARE(
        model(page)->data(model(page)->index(model(page)->findRow(u"name"_s, u"Nightly evaluation"_s), 5)).toString(),
        u"Account: primary upstream"_s);
    console.screenshot(u"api-keys"_s); // not the bare word: that is the banned Redis command's name
}

void TstConsoleKeys::pagesFiltersAndShowsFieldErrors()
{
    ConsoleFixture console;
    QVERIFY2(console.start(), qPrintable(console.errorString()));
    QString disabledId;
    for (int i = 1; i <= 55; ++i) {
        const auto created = console.call("POST", u"/admin/keys"_s,
                                          QJsonObject{{u"name"_s, u"key %1"_s.arg(i, 2, 10, QLatin1Char('0'))},
                                                      {u"tags"_s, QJsonArray{i % 5 == 0 ? u"fives"_s : u"others"_s}}});
        QVERIFY2(created.ok(), qPrintable(created.errorText()));
        if (i == 42)
            disabledId = created.object().value(u"id"_s).toString();
    }
    QVERIFY(console.call("POST", u"/admin/keys/"_s + disabledId + u"/disable"_s).ok());

    auto *page = console.page<KeysPage>();
    auto *sort = page->findChild<QComboBox *>(u"keySort"_s);
    sort->setCurrentIndex(sort->findData(u"name"_s));
    QTRY_COMPARE_WITH_TIMEOUT(rangeText(page), u"1–50 of 55"_s, 10000);
    QCOMPARE(model(page)->rowCount(), 50);
    QCOMPARE(model(page)->rowObject(0).value(u"name"_s).toString(), u"key 01"_s);
    auto *previous = page->findChild<QToolButton *>(u"keysPrevious"_s);
    auto *next = page->findChild<QToolButton *>(u"keysNext"_s);
    QVERIFY(!previous->isEnabled());
    QVERIFY(next->isEnabled());
    QTest::mouseClick(next, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(rangeText(page), u"51–55 of 55"_s, 5000);
    QCOMPARE(model(page)->rowCount(), 5);
    QCOMPARE(model(page)->rowObject(4).value(u"name"_s).toString(), u"key 55"_s);
    QVERIFY(!next->isEnabled());

    // Status filter (back to the first page), then the tag filter.
    auto *status = page->findChild<QComboBox *>(u"keyStatusFilter"_s);
    status->setCurrentIndex(status->findData(u"disabled"_s));
    QTRY_COMPARE_WITH_TIMEOUT(rangeText(page), u"1–1 of 1"_s, 5000);
    QCOMPARE(model(page)->rowObject(0).value(u"id"_s).toString(), disabledId);
    status->setCurrentIndex(0);
    auto *tag = page->findChild<QComboBox *>(u"keyTagFilter"_s);
    QVERIFY(tag->findText(u"fives"_s) >= 0); // offered from the keys seen
    tag->setCurrentText(u"fives"_s);
    QTRY_COMPARE_WITH_TIMEOUT(rangeText(page), u"1–11 of 11"_s, 5000);
    for (int row = 0; row < model(page)->rowCount(); ++row)
        QVERIFY(model(page)->rowObject(row).value(u"tags"_s).toArray().contains(u"fives"_s));

    // Ctrl+F focuses the search field.
    page->findChild<QTableView *>(u"keysTable"_s)->setFocus();
    QTest::keyClick(page->findChild<QTableView *>(u"keysTable"_s), Qt::Key_F, Qt::ControlModifier);
    QTRY_VERIFY(page->findChild<QLineEdit *>(u"keySearch"_s)->hasFocus());

    // The relay's field errors appear next to the fields; the dialog stays open.
    QTest::keyClick(page->findChild<QTableView *>(u"keysTable"_s), Qt::Key_N, Qt::ControlModifier); // New
    KeyDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = visible<KeyDialog>(page, u"keyDialog"_s)));
    dialog->findChild<QLineEdit *>(u"keyName"_s)->setText(u"bad limits"_s);
    dialog->findChild<QLineEdit *>(u"keyTimeZone"_s)->setText(u"Mars/Olympus_Mons"_s);
    clickOk(dialog);
    auto *zoneError = dialog->findChild<QLabel *>(u"error_limits.time_zone"_s);
    QTRY_VERIFY_WITH_TIMEOUT(!zoneError->isHidden(), 5000);
    QVERIFY2(zoneError->text().contains(u"time zone"_s), qPrintable(zoneError->text()));
    QCOMPARE(dialog->findChild<QTabWidget *>(u"keyDialogTabs"_s)->currentIndex(), 1);
    QVERIFY(dialog->isVisible());
    QCOMPARE(console.call("GET", u"/admin/keys"_s, {}, {{u"q"_s, u"bad limits"_s}}).total(), 0);
    // Fixed, it saves.
    dialog->findChild<QLineEdit *>(u"keyTimeZone"_s)->setText(u"Europe/Berlin"_s);
    clickOk(dialog);
    NewKeyDialog *shown = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((shown = visible<NewKeyDialog>(page, u"newKeyDialog"_s)), 10000);
    shown->reject();
    const auto saved = console.call("GET", u"/admin/keys"_s, {}, {{u"q"_s, u"bad limits"_s}});
    QCOMPARE(saved.total(), 1);
    QCOMPARE(saved.items().first().toObject().value(u"limits"_s).toObject().value(u"time_zone"_s).toString(),
             u"Europe/Berlin"_s);
}

QTEST_MAIN(TstConsoleKeys)
#include "tst_consolekeys.moc"
