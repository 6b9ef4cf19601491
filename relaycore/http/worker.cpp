// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/worker.h"

#include "http/clock.h"
#include "http/epolldispatcher.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>

namespace Relay::Http {

Worker::Worker(int index, qintptr listenFd, const ConnectionContext &context, std::function<void(int, QObject *)> setup,
               std::function<void(int, std::function<void()>)> drain)
    : m_index(index)
    , m_listenFd(listenFd)
    , m_context(context)
    , m_setup(std::move(setup))
    , m_drain(std::move(drain))
{
    m_context.workerIndex = index;
    m_context.nextExchangeId = &m_nextExchangeId;
    m_thread.setObjectName(QStringLiteral("relay-worker-%1").arg(index));
    m_threadContext = new QObject;
    m_threadContext->moveToThread(&m_thread);
    connect(&m_thread, &QThread::started, m_threadContext, [this] { run(); });
    // Runs on the worker thread after its event loop has ended, so per-worker objects die on their own thread.
    connect(
        &m_thread, &QThread::finished, this,
        [this] {
            delete std::exchange(m_threadContext, nullptr);
            Q_EMIT ended();
        },
        Qt::DirectConnection);
}

Worker::~Worker()
{
    if (m_thread.isRunning()) {
        requestStop(0);
        m_thread.wait();
    }
    delete m_threadContext; // never started
}

void Worker::start()
{
    // RELAYDECK_EVENT_LOOP=qt keeps Qt's own poll() dispatcher: a way back should this one misbehave somewhere.
    if (qEnvironmentVariable("RELAYDECK_EVENT_LOOP") != QLatin1String("qt")) {
        auto *dispatcher = new EpollDispatcher;
        if (dispatcher->isValid())
            m_thread.setEventDispatcher(dispatcher);
        else
            delete dispatcher;
    }
    m_thread.start();
}

void Worker::wait()
{
    m_thread.wait();
}

void Worker::requestStop(qint64 graceMs)
{
    QMetaObject::invokeMethod(m_threadContext, [this, graceMs] { beginStop(graceMs); });
}

void Worker::run()
{
    m_listener = new QTcpServer(m_threadContext);
    m_listener->setMaxPendingConnections(1024);
    m_listener->setSocketDescriptor(m_listenFd);
    QObject::connect(m_listener, &QTcpServer::newConnection, m_threadContext, [this] { acceptPending(); });

    // One coarse timer per worker enforces every connection's timeouts, instead of a timer restart per read.
    const qint64 shortest = std::min(m_context.options->headerTimeoutMs, m_context.options->idleTimeoutMs);
    m_sweepTimer = new QTimer(m_threadContext);
    m_sweepTimer->setInterval(int(std::clamp<qint64>(shortest / 4, 20, 1000)));
    QObject::connect(m_sweepTimer, &QTimer::timeout, m_threadContext, [this] { sweep(); });
    m_sweepTimer->start();

    if (m_setup)
        m_setup(m_index, m_threadContext);
}

void Worker::acceptPending()
{
    while (m_listener->hasPendingConnections()) {
        QTcpSocket *socket = m_listener->nextPendingConnection();
        if (m_stopping) {
            socket->abort();
            socket->deleteLater();
            continue;
        }
        auto *connection = new Connection(socket, m_context, m_threadContext);
        m_connections.insert(connection);
        QObject::connect(connection, &Connection::closed, m_threadContext, [this, connection] {
            m_connections.remove(connection);
            maybeFinish();
        });
    }
}

void Worker::sweep()
{
    const qint64 now = monotonicNs();
    // Copy: a timeout may close a connection, which removes it from the set.
    const QList<Connection *> connections = m_connections.values();
    for (Connection *c : connections)
        c->checkTimeouts(now);
}

void Worker::beginStop(qint64 graceMs)
{
    if (m_stopping)
        return;
    m_stopping = true;
    if (m_listener)
        m_listener->close();
    const QList<Connection *> connections = m_connections.values();
    for (Connection *c : connections)
        c->shutdown();
    QTimer::singleShot(std::max<qint64>(graceMs, 0), m_threadContext, [this] {
        const QList<Connection *> remaining = m_connections.values();
        for (Connection *c : remaining)
            c->abort();
        maybeFinish();
    });
    maybeFinish();
}

void Worker::maybeFinish()
{
    if (!m_stopping || !m_connections.isEmpty() || m_draining)
        return;
    if (!m_drain)
        return m_thread.quit();
    m_draining = true;
    m_drain(m_index, [this] { m_thread.quit(); });
}

} // namespace Relay::Http
