// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "relaydeck/bundledrelay.h"
#include "relayharness.h"
#include "ui/adminclient.h"
#include "ui/languagemanager.h"
#include "ui/mainwindow.h"

#include <QTemporaryDir>

#include <memory>

// The real console against a real bundled relay for GUI tests: a real redis-server and the mock Anthropic upstream
// (from RelayHarness, which also creates keys and accounts), the relay on its own threads behind BundledRelay, and
// the MainWindow signed in by it, exactly as `relaydeck` starts. QSettings go to a private directory.
//
//   ConsoleFixture console;
//   QVERIFY2(console.start(), qPrintable(console.errorString()));
//   auto *keys = console.page<Console::KeysPage>();
class ConsoleFixture
{
public:
    ConsoleFixture();
    explicit ConsoleFixture(RelayHarness::Options options);
    ~ConsoleFixture();

    // Redis, the mock, the bundled relay and the window (shown, offscreen); true once the console is signed in.
    bool start();
    QString errorString() const { return m_error; }

    RelayHarness &harness() { return m_harness; }
    BundledRelay &relay() { return *m_relay; }
    Console::AdminClient &client() { return *m_client; }
    Console::MainWindow &window() { return *m_window; }
    Console::LanguageManager &languages() { return *m_languages; }

    // The page of type T, shown (activated) when `show` is true.
    template <typename T>
    T *page(bool show = true)
    {
        for (Console::Page *candidate : m_window->pages())
            if (auto *typed = qobject_cast<T *>(candidate)) {
                if (show)
                    m_window->showPage(typed);
                return typed;
            }
        return nullptr;
    }

    // A blocking admin API call from the test (spins the event loop); for setting up data and checking results.
    Console::AdminReply call(const QByteArray &method, const QString &path,
                             const QJsonValue &body = QJsonValue(QJsonValue::Undefined), const QUrlQuery &query = {});
    // A relayed request with the given client key; the HTTP status.
    int sendMessage(const QByteArray &key, bool stream = false);

    // Saves a PNG of the window (or a widget) under RELAYDECK_SCREENSHOT_DIR when it is set; returns the path.
    QString screenshot(const QString &name, QWidget *widget = nullptr);

private:
    QString m_error;
    QTemporaryDir m_settingsDir;
    RelayHarness m_harness;
    std::unique_ptr<Console::LanguageManager> m_languages;
    std::unique_ptr<Console::AdminClient> m_client;
    std::unique_ptr<BundledRelay> m_relay;
    std::unique_ptr<Console::MainWindow> m_window;
};
