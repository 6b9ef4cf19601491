// SPDX-License-Identifier: GPL-3.0-or-later
// The console window against a real bundled relay: automatic sign-in, status bar, navigation, relay stop/start,
// language switch.
#include "consolefixture.h"
#include "ui/page.h"
#include "ui/pages/dashboardpage.h"
#include "ui/pages/keyspage.h"

#include <QAction>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
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

QTEST_MAIN(TstConsoleWindow)
#include "tst_consolewindow.moc"
