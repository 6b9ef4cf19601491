// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/settings.h"
#include "ui/relaycontroller.h"

#include <QThread>

#include <functional>

// The relay that the console runs in-process: a Relay::Service::RelayService on its own control thread (with its
// worker threads and, unless a Redis URL is configured, the embedded redis-server). The GUI thread only posts
// start/stop to it and gets state changes and the console's admin session back as queued signals; it never waits,
// except in the destructor, which stops the relay gracefully when the console exits.
class BundledRelay : public Console::RelayController
{
    Q_OBJECT
public:
    // Reads the settings again (defaults, config file, environment, command line), so that a restart applies what
    // the Settings page saved; an error message instead when they no longer load.
    struct Loaded
    {
        Relay::Config::Settings settings;
        Relay::Config::SettingOrigins origins;
        QString error;
    };
    using SettingsSource = std::function<Loaded()>;

    explicit BundledRelay(Relay::Config::Settings settings, Relay::Config::SettingOrigins origins = {},
                          QObject *parent = nullptr);
    // With a source, every start after the first reloads the settings from it.
    void setSettingsSource(SettingsSource source) { m_source = std::move(source); }
    ~BundledRelay() override;

    Console::RelayState state() const override { return m_state; }
    QString listenAddress() const override { return m_listenAddress; }
    QString errorString() const override { return m_error; }
    // The relay's port while running (0 otherwise).
    quint16 port() const { return m_port; }

    void start() override;
    void stop() override;
    void restart() override;
    void openSession() override;

private:
    class Host;
    void setState(Console::RelayState state);
    void onStarted(quint16 port, quint16 adminPort);
    void onStopped();

    Relay::Config::Settings m_settings;
    Relay::Config::SettingOrigins m_origins;
    SettingsSource m_source;
    bool m_startedOnce = false;
    QThread m_thread;
    Host *m_host;
    Console::RelayState m_state = Console::RelayState::Stopped;
    QString m_listenAddress;
    QString m_error;
    QUrl m_adminUrl;
    quint16 m_port = 0;
    bool m_restartPending = false;
};
