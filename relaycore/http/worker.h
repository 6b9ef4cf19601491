// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/connection.h"

#include <QObject>
#include <QSet>
#include <QThread>

#include <functional>

class QTcpServer;
class QTimer;

namespace Relay::Http {

// One worker thread: an event loop, a listener on the shared port and the connections it accepted.
class Worker : public QObject
{
    Q_OBJECT
public:
    Worker(int index, qintptr listenFd, const ConnectionContext &context, std::function<void(int, QObject *)> setup,
           std::function<void(int, std::function<void()>)> drain = {});
    ~Worker() override;

    void start();
    // Thread-safe: asks the worker to stop gracefully within graceMs.
    void requestStop(qint64 graceMs);
    void wait();

Q_SIGNALS:
    void ended();

private:
    void run();
    void acceptPending();
    void sweep();
    void beginStop(qint64 graceMs);
    void maybeFinish();

    int m_index;
    qintptr m_listenFd;
    ConnectionContext m_context;
    quint64 m_nextExchangeId = 0;
    std::function<void(int, QObject *)> m_setup;
    std::function<void(int, std::function<void()>)> m_drain;
    QThread m_thread;
    QObject *m_threadContext = nullptr; // lives on m_thread; parent of everything the worker owns
    QTcpServer *m_listener = nullptr;
    QTimer *m_sweepTimer = nullptr;
    QSet<Connection *> m_connections;
    bool m_stopping = false;
    bool m_draining = false;
};

} // namespace Relay::Http
