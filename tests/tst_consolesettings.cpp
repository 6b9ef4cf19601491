// SPDX-License-Identifier: GPL-3.0-or-later
// The Settings page against a real bundled relay: the relay's settings with their running values, a live change
// (log.level), refused values shown at their fields with nothing written, a change that needs a restart, the
// console's language and tray preferences, and the password change's checks.
#include "consolefixture.h"
#include "ui/pages/settingspage.h"
#include "ui/pages/settingsrow.h"
#include "ui/widgets/messagebar.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSpinBox>
#include <QTabWidget>
#include <QTest>
#include <QToolButton>

using Console::MessageBar;
using Console::SettingRow;
using Console::SettingsPage;

class TstConsoleSettings : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void editsAndAppliesRelaySettings();
    void consolePreferencesAndPasswordChecks();

private:
    // The item of one key from GET /admin/settings.
    static QJsonObject settingOf(ConsoleFixture &console, const QString &key)
    {
        const auto reply = console.call("GET", QStringLiteral("/admin/settings"));
        for (const QJsonValue &item : reply.object().value(QStringLiteral("items")).toArray())
            if (item.toObject().value(QStringLiteral("key")).toString() == key)
                return item.toObject();
        return {};
    }

    static QByteArray fileContent(const QString &path)
    {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<missing>");
    }
};

void TstConsoleSettings::editsAndAppliesRelaySettings()
{
    ConsoleFixture console;
    QVERIFY2(console.start(), qPrintable(console.errorString()));
    auto *page = console.page<SettingsPage>();
    QVERIFY(page);
    QCOMPARE(page->objectName(), QStringLiteral("settingsPage"));
    QTRY_VERIFY_WITH_TIMEOUT(page->row(QStringLiteral("workers")), 10000);
    auto *messages = page->findChild<MessageBar *>(QStringLiteral("messageBar"));
    auto *apply = page->findChild<QPushButton *>(QStringLiteral("applyButton"));
    auto *revert = page->findChild<QPushButton *>(QStringLiteral("revertButton"));
    QVERIFY(messages && apply && revert);

    // Current values: the harness runs 2 workers, and the log level the relay reports.
    SettingRow *workers = page->row(QStringLiteral("workers"));
    QCOMPARE(workers->editorText(), QStringLiteral("2"));
    QCOMPARE(workers->nameLabel()->text(), QStringLiteral("Worker threads:"));
    auto *workersSpin = qobject_cast<QSpinBox *>(workers->editor());
    QVERIFY(workersSpin);
    QCOMPARE(workersSpin->minimum(), 1);
    QCOMPARE(workersSpin->maximum(), 64);
    const QJsonObject level = settingOf(console, QStringLiteral("log.level"));
    QCOMPARE(level.value(QStringLiteral("value")).toString(), QStringLiteral("info"));
    SettingRow *logLevel = page->row(QStringLiteral("log.level"));
    QVERIFY(logLevel);
    QCOMPARE(logLevel->editorText(), QStringLiteral("info"));
    auto *levelCombo = qobject_cast<QComboBox *>(logLevel->editor());
    QVERIFY(levelCombo);
    QCOMPARE(levelCombo->count(), 7);
    QVERIFY(page->row(QStringLiteral("upstream.first-byte-timeout")));
    QCOMPARE(page->row(QStringLiteral("upstream.first-byte-timeout"))->editorText(), QStringLiteral("3s"));
    QVERIFY(!apply->isEnabled()); // nothing edited yet
    const QString configFile =
        console.call("GET", QStringLiteral("/admin/settings")).object().value(QStringLiteral("config_file")).toString();
    QVERIFY(!configFile.isEmpty());
    QVERIFY(page->findChild<QLabel *>(QStringLiteral("configFileLabel"))->text().contains(configFile));

    // A live setting: debug is applied at once and saved.
    levelCombo->setCurrentIndex(levelCombo->findText(QStringLiteral("debug")));
    QVERIFY(logLevel->isModified());
    QVERIFY(apply->isEnabled());
    QTest::mouseClick(apply, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(messages->kind(), MessageBar::Kind::Success, 10000);
    QVERIFY2(messages->text().contains(QStringLiteral("Applied now: Log level")), qPrintable(messages->text()));
    QTRY_VERIFY_WITH_TIMEOUT(!page->hasUnsavedChanges(), 10000);
    const QJsonObject debug = settingOf(console, QStringLiteral("log.level"));
    QCOMPARE(debug.value(QStringLiteral("value")).toString(), QStringLiteral("debug"));
    QCOMPARE(debug.value(QStringLiteral("file_value")).toString(), QStringLiteral("debug"));
    QVERIFY(fileContent(configFile).contains("debug"));
    QCOMPARE(logLevel->editorText(), QStringLiteral("debug"));
    QVERIFY(!logLevel->hasPendingRestartBadge());

    // A refused value with a valid one beside it: the error at its field and in the message bar, nothing written.
    const QByteArray before = fileContent(configFile);
    SettingRow *headerTimeout = page->row(QStringLiteral("header-timeout"));
    auto *timeoutEdit = qobject_cast<QLineEdit *>(headerTimeout->editor());
    QVERIFY(timeoutEdit);
    timeoutEdit->clear();
    QTest::keyClicks(timeoutEdit, QStringLiteral("soon"));
    levelCombo->setCurrentIndex(levelCombo->findText(QStringLiteral("warn")));
    QTest::mouseClick(apply, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(messages->kind(), MessageBar::Kind::Error, 10000);
    QVERIFY2(messages->text().contains(QStringLiteral("Request head timeout")), qPrintable(messages->text()));
    QVERIFY(messages->text().contains(QStringLiteral("Nothing was saved")));
    QVERIFY2(headerTimeout->errorText().contains(QStringLiteral("duration")), qPrintable(headerTimeout->errorText()));
    QVERIFY(logLevel->errorText().isEmpty());
    QCOMPARE(fileContent(configFile), before);
    QCOMPARE(settingOf(console, QStringLiteral("log.level")).value(QStringLiteral("value")).toString(),
             QStringLiteral("debug"));
    QVERIFY(page->hasUnsavedChanges()); // the edits stay for correcting
    QTest::mouseClick(revert, Qt::LeftButton);
    QVERIFY(!page->hasUnsavedChanges());
    QCOMPARE(timeoutEdit->text(), QStringLiteral("10s"));
    QCOMPARE(levelCombo->currentText(), QStringLiteral("debug"));

    // Reset to the default removes the file's line: the running level goes back to info at once.
    auto *resetLevel = logLevel->findChild<QToolButton *>(QStringLiteral("resetButton"));
    QVERIFY(resetLevel && resetLevel->isEnabled());
    QTest::mouseClick(resetLevel, Qt::LeftButton);
    QCOMPARE(levelCombo->currentText(), QStringLiteral("info"));
    QVERIFY(logLevel->isModified());
    QVERIFY(logLevel->pendingValue().isNull());
    QTest::mouseClick(apply, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(messages->kind() == MessageBar::Kind::Success && !page->hasUnsavedChanges(), 10000);
    const QJsonObject reset = settingOf(console, QStringLiteral("log.level"));
    QCOMPARE(reset.value(QStringLiteral("value")).toString(), QStringLiteral("info"));
    QVERIFY(reset.value(QStringLiteral("file_value")).isNull());
    QVERIFY(!fileContent(configFile).contains("debug"));

    // A setting that needs a restart: saved, and the page says so.
    auto *banner = page->findChild<QWidget *>(QStringLiteral("restartBanner"));
    QVERIFY(banner && !banner->isVisible());
    workersSpin->setValue(3);
    QTest::mouseClick(apply, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(banner->isVisible(), 10000);
    const QString notice = page->findChild<QLabel *>(QStringLiteral("restartLabel"))->text();
    QVERIFY2(notice.contains(QStringLiteral("Restart required")) && notice.contains(QStringLiteral("Worker threads")),
             qPrintable(notice));
    QVERIFY(page->findChild<QPushButton *>(QStringLiteral("restartRelayButton"))->isVisible());
    QVERIFY2(messages->text().contains(QStringLiteral("Takes effect after a restart: Worker threads")),
             qPrintable(messages->text()));
    const QJsonObject workersItem = settingOf(console, QStringLiteral("workers"));
    QCOMPARE(workersItem.value(QStringLiteral("value")).toString(), QStringLiteral("2"));
    QCOMPARE(workersItem.value(QStringLiteral("file_value")).toString(), QStringLiteral("3"));
    QVERIFY(workersItem.value(QStringLiteral("pending_restart")).toBool());
    QTRY_VERIFY_WITH_TIMEOUT(workers->hasPendingRestartBadge(), 10000);
    QCOMPARE(workers->editorText(), QStringLiteral("3"));

    console.screenshot(QStringLiteral("settings"));

    // The bundled relay restarts from the page; the notice goes and the page loads again once signed in.
    QTest::mouseClick(page->findChild<QPushButton *>(QStringLiteral("restartRelayButton")), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!banner->isVisible(), 15000);
    QTRY_VERIFY_WITH_TIMEOUT(console.relay().state() == Console::RelayState::Running && console.client().isSignedIn(),
                             20000);
    QTRY_VERIFY_WITH_TIMEOUT(page->row(QStringLiteral("workers")) && !page->hasUnsavedChanges(), 10000);
    QCOMPARE(page->row(QStringLiteral("workers"))->editorText(), QStringLiteral("3"));
}

void TstConsoleSettings::consolePreferencesAndPasswordChecks()
{
    ConsoleFixture console;
    QVERIFY2(console.start(), qPrintable(console.errorString()));
    auto *page = console.page<SettingsPage>();
    auto *tabs = page->findChild<QTabWidget *>(QStringLiteral("settingsTabs"));
    QVERIFY(tabs);
    tabs->setCurrentIndex(1);
    auto *messages = page->findChild<MessageBar *>(QStringLiteral("messageBar"));

    // Language: the choice applies at once, to the navigation too.
    auto *navigation = console.window().findChild<QListWidget *>(QStringLiteral("navigation"));
    auto *language = page->findChild<QComboBox *>(QStringLiteral("languageCombo"));
    QVERIFY(navigation && language);
    QCOMPARE(language->count(), 3);
    QCOMPARE(language->currentData().toString(), QStringLiteral("en"));
    QCOMPARE(navigation->item(0)->text(), QStringLiteral("Dashboard"));
    const QString systemDefault = language->itemText(0);
    language->setCurrentIndex(language->findData(QStringLiteral("zh_CN")));
    QCOMPARE(console.languages().effectiveLanguage(), QStringLiteral("zh_CN"));
    QTRY_COMPARE(navigation->item(0)->text(), QStringLiteral("仪表盘"));
    // The combo is filled again in the new language and keeps the choice.
    QTRY_VERIFY(language->itemText(0) != systemDefault);
    QCOMPARE(language->currentData().toString(), QStringLiteral("zh_CN"));
    language->setCurrentIndex(language->findData(QStringLiteral("en")));
    QTRY_COMPARE(navigation->item(0)->text(), QStringLiteral("Dashboard"));
    QCOMPARE(console.languages().choice(), QStringLiteral("en"));

    // The tray preference is the main window's.
    auto *tray = page->findChild<QCheckBox *>(QStringLiteral("trayCheck"));
    QVERIFY(tray);
    QCOMPARE(tray->isChecked(), Console::MainWindow::keepRunningInTray());
    const bool keep = tray->isChecked();
    tray->click();
    QCOMPARE(Console::MainWindow::keepRunningInTray(), !keep);
    tray->click();
    QCOMPARE(Console::MainWindow::keepRunningInTray(), keep);

    // Password: a repeat that differs is refused before anything is sent.
    auto *current = page->findChild<QLineEdit *>(QStringLiteral("currentPasswordEdit"));
    auto *next = page->findChild<QLineEdit *>(QStringLiteral("newPasswordEdit"));
    auto *repeat = page->findChild<QLineEdit *>(QStringLiteral("repeatPasswordEdit"));
    auto *change = page->findChild<QPushButton *>(QStringLiteral("changePasswordButton"));
    auto *repeatError = page->findChild<QLabel *>(QStringLiteral("repeatPasswordError"));
    auto *newError = page->findChild<QLabel *>(QStringLiteral("newPasswordError"));
    auto *currentError = page->findChild<QLabel *>(QStringLiteral("currentPasswordError"));
    QVERIFY(current && next && repeat && change && repeatError && newError && currentError);
    QVERIFY(current->echoMode() == QLineEdit::Password);
    QTest::keyClicks(current, QStringLiteral("not-the-password"));
    QTest::keyClicks(next, QStringLiteral("a-long-new-password"));
    QTest::keyClicks(repeat, QStringLiteral("a-long-new-passw0rd"));
    QTRY_COMPARE_WITH_TIMEOUT(console.client().pendingCount(), 0, 10000);
    QTest::mouseClick(change, Qt::LeftButton);
    QCOMPARE(console.client().pendingCount(), 0);
    QVERIFY(repeatError->isVisible());
    QCOMPARE(repeatError->text(), QStringLiteral("The two new passwords are not the same."));
    QVERIFY(!newError->isVisible());
    QCOMPARE(messages->kind(), MessageBar::Kind::Error);
    QVERIFY(messages->text().contains(QStringLiteral("not the same")));

    // Too short, also checked here.
    next->setText(QStringLiteral("short"));
    repeat->setText(QStringLiteral("short"));
    QTRY_COMPARE_WITH_TIMEOUT(console.client().pendingCount(), 0, 10000);
    QTest::mouseClick(change, Qt::LeftButton);
    QCOMPARE(console.client().pendingCount(), 0);
    QVERIFY(newError->isVisible());
    QVERIFY(newError->text().contains(QStringLiteral("12")));
    QVERIFY(!repeatError->isVisible());

    // A wrong current password is the relay's answer, shown at its field.
    next->setText(QStringLiteral("a-long-new-password"));
    repeat->setText(QStringLiteral("a-long-new-password"));
    QTest::mouseClick(change, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(currentError->isVisible(), 10000);
    QCOMPARE(currentError->text(), QStringLiteral("is not correct"));
    QVERIFY(messages->text().contains(QStringLiteral("current password is not correct")));
    QVERIFY(console.call("GET", QStringLiteral("/admin/session")).ok()); // still signed in
    console.screenshot(QStringLiteral("settings-console"));
}

QTEST_MAIN(TstConsoleSettings)
#include "tst_consolesettings.moc"
