// SPDX-License-Identifier: GPL-3.0-or-later
// The console window against a real bundled relay: automatic sign-in, status bar, navigation, relay stop/start,
// language switch.
#include "adminclient.h"
#include "consolefixture.h"
#include "ui/connectiondialog.h"
#include "ui/page.h"
#include "ui/pages/dashboardpage.h"
#include "ui/pages/keyspage.h"
#include "ui/widgets/messagebar.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>

using Console::RelayState;

class TstConsoleWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void signsInToTheBundledRelayAndShowsItsState();
    void navigationActivatesOnlyTheShownPage();
    void stopsAndRestartsTheBundledRelay();
    void switchingLanguageChangesVisibleText();
    void restartAppliesReloadedSettings();
    void failedStartIsExplained();
    void connectsToARemoteRelayThroughTheDialog();

private:
    static QString labelText(Console::MainWindow &window, const char *name)
    {
        auto *label = window.findChild<QLabel *>(QLatin1String(name));
        return label ? label->text() : QString();
    }
};

void TstConsoleWindow::signsInToTheBundledRelayAndShowsItsState()
{
    ConsoleFixture console;
    QVERIFY2(console.start(), qPrintable(console.errorString()));
    QCOMPARE(console.relay().state(), RelayState::Running);
    QCOMPARE(console.client().user(), QStringLiteral("admin"));
    QTRY_VERIFY_WITH_TIMEOUT(labelText(console.window(), "statusRedis").startsWith(QStringLiteral("Redis: up")), 10000);
    QCOMPARE(labelText(console.window(), "statusRelay"), QStringLiteral("Bundled relay running"));
    QVERIFY(labelText(console.window(), "statusListen").contains(QString::number(console.relay().port())));
    QCOMPARE(labelText(console.window(), "statusVersion"), QStringLiteral("RelayDeck " RELAYDECK_VERSION));
    QCOMPARE(labelText(console.window(), "statusUser"), QStringLiteral("Signed in as admin"));

    // The console's session is a real admin session, recorded in the audit log.
    const auto audit = console.call("GET", QStringLiteral("/admin/audit"));
    QVERIFY(audit.ok());
    bool found = false;
    for (const QJsonValue &entry : audit.items())
        found = found || entry.toObject().value(QStringLiteral("action")).toString() == u"session.console";
    QVERIFY(found);
}

void TstConsoleWindow::navigationActivatesOnlyTheShownPage()
{
    ConsoleFixture console;
    QVERIFY2(console.start(), qPrintable(console.errorString()));
    auto *navigation = console.window().findChild<QListWidget *>(QStringLiteral("navigation"));
    QVERIFY(navigation);
    QCOMPARE(navigation->count(), console.window().pages().size());
    for (int i = 0; i < navigation->count(); ++i) {
        navigation->setCurrentRow(i);
        QCOMPARE(console.window().currentPage(), console.window().pages().at(i));
        for (Console::Page *page : console.window().pages())
            QCOMPARE(page->isActive(), page == console.window().pages().at(i));
        QVERIFY(!navigation->item(i)->text().isEmpty());
        QVERIFY(!navigation->item(i)->icon().isNull());
    }
}

void TstConsoleWindow::stopsAndRestartsTheBundledRelay()
{
    ConsoleFixture console;
    QVERIFY2(console.start(), qPrintable(console.errorString()));
    auto *stop = console.window().findChild<QAction *>(QStringLiteral("stopRelayAction"));
    auto *start = console.window().findChild<QAction *>(QStringLiteral("startRelayAction"));
    QVERIFY(stop && start);
    QVERIFY(stop->isEnabled());
    QVERIFY(!start->isEnabled());

    stop->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(console.relay().state(), RelayState::Stopped, 15000);
    QVERIFY(!console.client().isSignedIn());
    QCOMPARE(labelText(console.window(), "statusRelay"), QStringLiteral("Bundled relay stopped"));
    QVERIFY(start->isEnabled());

    start->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(console.client().isSignedIn(), 20000);
    QCOMPARE(console.relay().state(), RelayState::Running);
    QVERIFY(console.call("GET", QStringLiteral("/admin/session")).ok());
}

void TstConsoleWindow::switchingLanguageChangesVisibleText()
{
    ConsoleFixture console;
    QVERIFY2(console.start(), qPrintable(console.errorString()));
    auto *navigation = console.window().findChild<QListWidget *>(QStringLiteral("navigation"));
    const QString english = navigation->item(0)->text();
    QCOMPARE(english, QStringLiteral("Dashboard"));
    const QString menu = console.window().menuBar()->actions().first()->text();

    console.languages().setChoice(QStringLiteral("zh_CN"));
    QTRY_VERIFY(navigation->item(0)->text() != english);
    QCOMPARE(navigation->item(0)->text(), QStringLiteral("仪表盘"));
    QVERIFY(console.window().menuBar()->actions().first()->text() != menu);
    QTRY_VERIFY(labelText(console.window(), "statusRelay") != QStringLiteral("Bundled relay running"));

    console.languages().setChoice(QStringLiteral("en"));
    QTRY_COMPARE(navigation->item(0)->text(), english);
}

void TstConsoleWindow::restartAppliesReloadedSettings()
{
    ConsoleFixture console;
    QVERIFY2(console.start(), qPrintable(console.errorString()));
    QCOMPARE(console.call("GET", QStringLiteral("/admin/status")).object().value(QStringLiteral("workers")).toInt(), 2);
    // What the Settings page saved is read again on restart (here: one more worker).
    Relay::Config::Settings next = console.harness().settings();
    next.workers = 3;
    int loads = 0;
    console.relay().setSettingsSource([&] {
        ++loads;
        return BundledRelay::Loaded{next, console.harness().settingOrigins(), {}};
    });
    QSignalSpy states(&console.relay(), &Console::RelayController::stateChanged);
    console.relay().restart();
    QTRY_VERIFY_WITH_TIMEOUT(states.size() >= 4, 20000); // stopping, stopped, starting, running
    QCOMPARE(states.at(1).first().value<RelayState>(), RelayState::Stopped);
    QCOMPARE(console.relay().state(), RelayState::Running);
    QTRY_VERIFY_WITH_TIMEOUT(console.client().isSignedIn(), 20000);
    QCOMPARE(loads, 1);
    QCOMPARE(console.call("GET", QStringLiteral("/admin/status")).object().value(QStringLiteral("workers")).toInt(), 3);

    // Settings that no longer load: the relay stays down and says why.
    console.relay().setSettingsSource([] { return BundledRelay::Loaded{{}, {}, QStringLiteral("bad workers value")}; });
    console.relay().restart();
    QTRY_COMPARE_WITH_TIMEOUT(console.relay().state(), RelayState::Failed, 15000);
    QCOMPARE(console.relay().errorString(), QStringLiteral("bad workers value"));
    QVERIFY(labelText(console.window(), "statusRelay").contains(QStringLiteral("bad workers value")));
}

void TstConsoleWindow::failedStartIsExplained()
{
    // Another program holds the port: the relay cannot start, and the console says why instead of hanging.
    ConsoleFixture console;
    QVERIFY2(console.start(), qPrintable(console.errorString()));
    QTcpServer other;
    QVERIFY(other.listen(QHostAddress::LocalHost));
    Relay::Config::Settings clash = console.harness().settings();
    clash.listenPort = other.serverPort();
    clash.dataDir = console.harness().dataDir() + QStringLiteral("/second");
    BundledRelay second(clash, console.harness().settingOrigins());
    second.start();
    QTRY_COMPARE_WITH_TIMEOUT(second.state(), RelayState::Failed, 15000);
    QVERIFY2(second.errorString().contains(QString::number(other.serverPort())), qPrintable(second.errorString()));
    QCOMPARE(console.relay().state(), RelayState::Running);
}

void TstConsoleWindow::connectsToARemoteRelayThroughTheDialog()
{
    // A relay the console did not start (here in this process, but reached only over HTTP like a remote relaydeckd).
    QTemporaryDir settingsDir;
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settingsDir.path());
    RelayHarness remote;
    QVERIFY2(remote.start(), qPrintable(remote.errorString()));
    QVERIFY2(remote.startRelay(), qPrintable(remote.errorString()));
    const QString password = AdminClient::initialPassword(remote.dataDir());
    QVERIFY(!password.isEmpty());

    Console::AdminClient client;
    Console::LanguageManager languages;
    Console::MainWindow window(&client, nullptr, &languages);
    window.show();
    // No bundled relay: no Relay menu (Console, View, Help are left).
    QVERIFY(!window.menuBar()->actions().at(1)->isVisible());
    QCOMPARE(labelText(window, "statusRelay"), QStringLiteral("Not connected"));

    window.showConnectionDialog();
    Console::ConnectionDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = window.findChild<Console::ConnectionDialog *>()) != nullptr);
    auto *url = dialog->findChild<QLineEdit *>(QStringLiteral("connectionUrl"));
    auto *user = dialog->findChild<QLineEdit *>(QStringLiteral("connectionUser"));
    auto *secret = dialog->findChild<QLineEdit *>(QStringLiteral("connectionPassword"));
    auto *buttons = dialog->findChild<QDialogButtonBox *>();
    QVERIFY(url && user && secret && buttons);
    QCOMPARE(secret->echoMode(), QLineEdit::Password);
    url->setText(remote.baseUrl());
    user->setText(QStringLiteral("admin"));

    // A wrong password: a clear error, the dialog stays, nobody is signed in.
    secret->setText(QStringLiteral("not the password"));
    buttons->button(QDialogButtonBox::Ok)->click();
    auto *message = dialog->findChild<Console::MessageBar *>();
    QTRY_COMPARE_WITH_TIMEOUT(message->text(), QStringLiteral("Wrong user name or password."), 10000);
    QVERIFY(!client.isSignedIn());
    QVERIFY(dialog->isVisible());

    secret->setText(password);
    buttons->button(QDialogButtonBox::Ok)->click();
    QTRY_VERIFY_WITH_TIMEOUT(client.isSignedIn(), 10000);
    QTRY_VERIFY(!window.findChild<Console::ConnectionDialog *>() ||
                !window.findChild<Console::ConnectionDialog *>()->isVisible());
    QTRY_COMPARE_WITH_TIMEOUT(labelText(window, "statusRelay"), QStringLiteral("Connected to %1").arg(remote.baseUrl()),
                              10000);
    QVERIFY(labelText(window, "statusListen").contains(QString::number(remote.port())));
    // The address and user are remembered; the password is not.
    QSettings remembered;
    QCOMPARE(remembered.value(QStringLiteral("connection/url")).toString(), remote.baseUrl());
    QCOMPARE(remembered.value(QStringLiteral("connection/user")).toString(), QStringLiteral("admin"));
    for (const QString &key : remembered.allKeys())
        QVERIFY2(!remembered.value(key).toString().contains(password), qPrintable(key));
}

QTEST_MAIN(TstConsoleWindow)
#include "tst_consolewindow.moc"
