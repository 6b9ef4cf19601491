// SPDX-License-Identifier: GPL-3.0-or-later
// The console's Logs page against a real bundled relay (in this process, so the test can also write log lines
// through the relay's own logger): recent lines, the live tail, level filter, search, pause/resume, clear, and the
// stream stopped when the page is hidden.
#include "consolefixture.h"
#include "log/logger.h"
#include "ui/pages/logspage.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QTest>
#include <QTextBlock>

using Console::LogsPage;
using namespace Qt::StringLiterals;

class TstConsoleLogs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void tailsFiltersSearchesAndPauses();

private:
    static QString lineWith(QPlainTextEdit *view, const QString &text)
    {
        for (QTextBlock block = view->document()->begin(); block.isValid(); block = block.next())
            if (block.text().contains(text))
                return block.text();
        return {};
    }
    static bool shows(QPlainTextEdit *view, const QString &text) { return !lineWith(view, text).isEmpty(); }
};

void TstConsoleLogs::initTestCase()
{
    // The relay serves the log from the in-memory ring that logging sets up, as relaydeck's main() does.
    Relay::Log::LogOptions options;
    options.toStderr = false;
    options.level = spdlog::level::debug;
    QVERIFY(Relay::Log::init(options).ok());
}

void TstConsoleLogs::cleanupTestCase()
{
    Relay::Log::shutdown();
}

void TstConsoleLogs::tailsFiltersSearchesAndPauses()
{
    ConsoleFixture console;
    QVERIFY2(console.start(), qPrintable(console.errorString()));
    Relay::Log::logger().info("before the page was opened: console-log-marker-0");

    auto *page = console.page<LogsPage>();
    QVERIFY(page);
    auto *view = page->findChild<QPlainTextEdit *>(u"logView"_s);
    auto *level = page->findChild<QComboBox *>(u"logLevel"_s);
    auto *search = page->findChild<QLineEdit *>(u"logSearch"_s);
    auto *pause = page->findChild<QPushButton *>(u"logPause"_s);
    auto *clear = page->findChild<QPushButton *>(u"logClear"_s);
    auto *status = page->findChild<QLabel *>(u"logStatus"_s);
    QVERIFY(view && level && search && pause && clear && status);
    QVERIFY(view->isReadOnly());
    QCOMPARE(view->maximumBlockCount(), LogsPage::MaxLines);
    QCOMPARE(level->currentData().toString(), u"info"_s);

    // The recent lines first (the relay's start-up lines and the marker), then live.
    QTRY_VERIFY_WITH_TIMEOUT(shows(view, u"console-log-marker-0"_s), 10000);
    QVERIFY(shows(view, u"listening on"_s));
    QTRY_COMPARE_WITH_TIMEOUT(status->text(), u"● Live"_s, 10000);
    QVERIFY(page->isStreaming());

    // Something the relay logs by itself after the page opened: the audit line of an admin change.
    QVERIFY(console.call("PUT", u"/admin/redis/config/slowlog"_s, QJsonObject{{u"max_len"_s, 129}}).ok());
    QTRY_VERIFY_WITH_TIMEOUT(shows(view, u"redis.config.slowlog.update"_s), 10000);
    const QString audit = lineWith(view, u"redis.config.slowlog.update"_s);
    QVERIFY2(audit.contains(u"INFO"_s) && audit.endsWith(u"-> 200"_s), qPrintable(audit));
    // Shown once, although the stream starts with the recent lines the page had loaded already.
    QCOMPARE(view->toPlainText().count(u"console-log-marker-0"_s), 1);
    QTRY_COMPARE_WITH_TIMEOUT(view->verticalScrollBar()->value(), view->verticalScrollBar()->maximum(), 5000);

    // Level "errors only": the view starts over with errors; info lines stay out, errors come in.
    level->setCurrentIndex(level->findData(u"error"_s));
    Relay::Log::logger().error("console-log-error-1 went wrong");
    Relay::Log::logger().info("console-log-info-1 routine");
    QTRY_VERIFY_WITH_TIMEOUT(shows(view, u"console-log-error-1"_s), 10000);
    QTest::qWait(600); // the tail polls every 200 ms: time for a wrong line to arrive
    QVERIFY(!shows(view, u"console-log-info-1"_s));
    QVERIFY(!shows(view, u"console-log-marker-0"_s));
    QVERIFY(!view->toPlainText().contains(u" INFO "_s));
    QVERIFY(lineWith(view, u"console-log-error-1"_s).contains(u"ERROR"_s));
    // Errors are red.
    for (QTextBlock block = view->document()->begin(); block.isValid(); block = block.next())
        if (block.text().contains(u"console-log-error-1"_s)) {
            bool red = false;
            for (auto it = block.begin(); !it.atEnd(); ++it)
                red = red || it.fragment().charFormat().foreground().color() == QColor(0xb9, 0x1c, 0x1c);
            QVERIFY(red);
        }

    // Search (debounced) filters on the relay: only matching lines, old and new.
    level->setCurrentIndex(level->findData(u"info"_s));
    QTest::keyClicks(search, u"needle-42"_s);
    Relay::Log::logger().info("haystack line without it");
    Relay::Log::logger().warn("found the needle-42 in a warning");
    QTRY_VERIFY_WITH_TIMEOUT(shows(view, u"found the needle-42"_s), 10000);
    QTest::qWait(600);
    QVERIFY(!shows(view, u"haystack line"_s));
    QVERIFY(!shows(view, u"console-log-marker-0"_s));
    QVERIFY(lineWith(view, u"needle-42"_s).contains(u"WARN"_s));

    // Pause: lines are counted, not shown; Resume shows them.
    search->clear();
    QTRY_VERIFY_WITH_TIMEOUT(shows(view, u"console-log-marker-0"_s), 10000);
    QTest::mouseClick(pause, Qt::LeftButton);
    QVERIFY(page->isPaused());
    QCOMPARE(pause->text(), u"Resume"_s);
    Relay::Log::logger().info("while paused: console-log-paused-1");
    Relay::Log::logger().info("while paused: console-log-paused-2");
    QTRY_VERIFY_WITH_TIMEOUT(page->pausedCount() >= 2, 10000);
    QVERIFY2(status->text().startsWith(u"Paused: "_s) && status->text().contains(u"new line"_s),
             qPrintable(status->text()));
    QTest::qWait(300);
    QVERIFY(!shows(view, u"console-log-paused-1"_s));
    QTest::mouseClick(pause, Qt::LeftButton);
    QVERIFY(!page->isPaused());
    QCOMPARE(pause->text(), u"Pause"_s);
    QVERIFY(shows(view, u"console-log-paused-1"_s));
    QVERIFY(shows(view, u"console-log-paused-2"_s));
    QCOMPARE(page->pausedCount(), 0);
    QTRY_COMPARE_WITH_TIMEOUT(status->text(), u"● Live"_s, 5000);
    console.screenshot(u"logs"_s);

    // Clear empties the view; the tail goes on without the cleared lines coming back.
    QTest::mouseClick(clear, Qt::LeftButton);
    QVERIFY(view->toPlainText().isEmpty());
    Relay::Log::logger().info("after clearing: console-log-cleared-1");
    QTRY_VERIFY_WITH_TIMEOUT(shows(view, u"console-log-cleared-1"_s), 10000);
    QVERIFY(!shows(view, u"console-log-marker-0"_s));

    // Hidden, the page stops its stream; shown again it catches up with what was logged meanwhile.
    console.window().showPage(console.window().pages().first());
    QVERIFY(!page->isStreaming());
    Relay::Log::logger().info("while hidden: console-log-hidden-1");
    QTest::qWait(300);
    console.window().showPage(page);
    QTRY_VERIFY_WITH_TIMEOUT(shows(view, u"console-log-hidden-1"_s), 10000);
    QCOMPARE(view->toPlainText().count(u"console-log-cleared-1"_s), 1);
    QVERIFY(page->isStreaming());
}

QTEST_MAIN(TstConsoleLogs)
#include "tst_consolelogs.moc"
