// SPDX-License-Identifier: GPL-3.0-or-later
#include "consolefixture.h"

#include <QApplication>
#include <QDir>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

ConsoleFixture::ConsoleFixture()
    : ConsoleFixture(RelayHarness::Options{})
{}

ConsoleFixture::ConsoleFixture(RelayHarness::Options options)
    : m_harness(options)
{
    // Window state and language choices of one test must not leak into the next or into the user's.
    QCoreApplication::setOrganizationName(QStringLiteral("relaydeck-test"));
    QCoreApplication::setApplicationName(QStringLiteral("console"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    qputenv("XDG_RUNTIME_DIR", m_settingsDir.path().toUtf8());
}

ConsoleFixture::~ConsoleFixture()
{
    m_window.reset();
    m_relay.reset(); // stops the relay before the harness stops Redis and the mock
}

bool ConsoleFixture::start()
{
    if (!m_harness.start()) {
        m_error = m_harness.errorString();
        return false;
    }
    m_languages = std::make_unique<Console::LanguageManager>();
    m_languages->setChoice(QStringLiteral("en"));
    m_client = std::make_unique<Console::AdminClient>();
    // The harness's own values are what a command line would give the relay; saying so keeps the Settings page from
    // reading them as edits waiting for a restart. (workers is left alone: tests edit it.)
    for (const QString &key : {QStringLiteral("listen"), QStringLiteral("redis"), QStringLiteral("data-dir"),
                               QStringLiteral("secret-file"), QStringLiteral("shutdown-grace"),
                               QStringLiteral("upstream.first-byte-timeout"), QStringLiteral("upstream.idle-timeout")})
        if (!m_harness.settingOrigins().contains(key))
            m_harness.settingOrigins().insert(
                key, {Relay::Config::Source::CommandLine, QStringLiteral("--") + QString(key).replace(u'.', u'-')});
    m_relay = std::make_unique<BundledRelay>(m_harness.settings(), m_harness.settingOrigins());
    m_window = std::make_unique<Console::MainWindow>(m_client.get(), m_relay.get(), m_languages.get());
    m_window->resize(1280, 800);
    m_window->show();
    m_relay->start();
    if (!QTest::qWaitFor([this] { return m_client->isSignedIn() || m_relay->state() == Console::RelayState::Failed; },
                         30000)) {
        m_error = QStringLiteral("the console was not signed in within 30 s");
        return false;
    }
    if (m_relay->state() == Console::RelayState::Failed) {
        m_error = m_relay->errorString();
        return false;
    }
    return true;
}

Console::AdminReply ConsoleFixture::call(const QByteArray &method, const QString &path, const QJsonValue &body,
                                         const QUrlQuery &query)
{
    std::optional<Console::AdminReply> reply;
    QObject context;
    m_client->request(method, path, query, body, &context, [&](const Console::AdminReply &r) { reply = r; });
    (void)QTest::qWaitFor([&] { return reply.has_value(); }, 20000);
    return reply.value_or(Console::AdminReply{});
}

int ConsoleFixture::sendMessage(const QByteArray &key, bool stream)
{
    const QByteArray body =
        stream ? QByteArrayLiteral("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"stream\":true,"
                                   "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
               : QByteArrayLiteral("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,"
                                   "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    // The harness's own send() targets the harness relay; this one goes to the bundled relay's port.
    RawHttpClient http;
    if (!http.connectTo(m_relay->port()))
        return 0;
    const auto response = http.request(RelayHarness::post("/v1/messages", key, body), 15000);
    return response.status;
}

QString ConsoleFixture::screenshot(const QString &name, QWidget *widget)
{
    const QString dir = qEnvironmentVariable("RELAYDECK_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return {};
    QDir().mkpath(dir);
    const QString path = dir + QLatin1Char('/') + name + QStringLiteral(".png");
    (widget ? widget : m_window.get())->grab().save(path);
    return path;
}
