// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>

class QTcpSocket;

namespace Relay::Upstream {

// Idle keep-alive HTTP/1.1 connections of one worker thread, per origin ("http://host:port"), for NativeCall. A
// connection comes back only after a complete response that allowed keep-alive; one the server closes (or that
// sends anything) while idle, or that stays idle longer than the idle timeout, is dropped. Lives in one thread.
//
// Sized by demand: the most recently returned connection is taken first, so under a steady load the same few are
// reused and the rest of a burst's connections age. The `warmPerOrigin` most recent ones stay for the idle
// timeout; the others (spares) are closed after `spareIdleTimeoutMs` unused. A burst's connections thus serve
// the next burst a moment later instead of being closed only to be opened again, and are gone soon after the load
// falls (an idle connection holds a descriptor here and a connection on the upstream server).
class NativePool : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        int maxIdlePerOrigin = 1024;
        int idleTimeoutMs = 30'000;
        int warmPerOrigin = 16;
        int spareIdleTimeoutMs = 1'000;
    };

    explicit NativePool(Options options, QObject *parent = nullptr);
    ~NativePool() override;

    // An idle connection to `origin` (the caller owns it now), or nullptr.
    QTcpSocket *take(const QString &origin);
    // Gives a connection whose response was read completely back for reuse; closes it if the pool is full.
    void giveBack(const QString &origin, QTcpSocket *socket);

    int idleCount() const;
    // Connections opened so far (NativeCall reports each new one).
    qint64 connectionsOpened() const { return m_opened; }
    void noteOpened() { ++m_opened; }

private:
    struct Idle
    {
        QTcpSocket *socket = nullptr;
        qint64 sinceNs = 0;
    };

    void drop(QTcpSocket *socket);
    void sweep();

    Options m_options;
    QHash<QString, QList<Idle>> m_idle; // most recently used last
    QTimer m_sweep;
    qint64 m_opened = 0;
};

} // namespace Relay::Upstream
