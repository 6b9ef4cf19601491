// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QUrl>

namespace Console {

enum class RelayState { Stopped, Starting, Running, Stopping, Failed };

// The relay the console runs in-process (the bundled relay), seen from the GUI. The console never calls into the
// relay itself: once the relay runs it opens an admin session and hands the console its URL and token, and the
// console talks to it over HTTP like to any remote relay. app/relaydeck implements this with the real relay on its
// own threads; the GUI thread never waits for it.
class RelayController : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    virtual RelayState state() const = 0;
    // "127.0.0.1:3000" while running.
    virtual QString listenAddress() const = 0;
    // Why the last start failed.
    virtual QString errorString() const = 0;

    virtual void start() = 0;
    virtual void stop() = 0;
    // Stop, then start again once stopped.
    virtual void restart() = 0;
    // A new admin session for the console (after the old one ended); answered by sessionOpened().
    virtual void openSession() = 0;

Q_SIGNALS:
    void stateChanged(Console::RelayState state);
    // The relay is serving and signed the console in.
    void sessionOpened(const QUrl &adminUrl, const QByteArray &token, const QString &user);
    // The first start created the admin user; shown once so the operator can sign in from elsewhere.
    void initialPasswordCreated(const QString &user, const QString &password, const QString &passwordFile);
};

} // namespace Console
