// SPDX-License-Identifier: GPL-3.0-or-later
#include "upstream/nativepool.h"

#include <QTcpSocket>

#include <chrono>

namespace Relay::Upstream {

namespace {

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void closeSocket(QTcpSocket *socket)
{
    QObject::disconnect(socket, nullptr, nullptr, nullptr);
    socket->abort();
    socket->deleteLater(); // we may be inside one of its signals
}

} // namespace

NativePool::NativePool(Options options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
    m_sweep.setInterval(qMax(100, qMin(m_options.idleTimeoutMs / 4, m_options.spareIdleTimeoutMs / 2)));
    connect(&m_sweep, &QTimer::timeout, this, &NativePool::sweep);
}

NativePool::~NativePool()
{
    for (const QList<Idle> &list : std::as_const(m_idle)) {
        for (const Idle &idle : list) {
            closeSocket(idle.socket);
        }
    }
}

QTcpSocket *NativePool::take(const QString &origin)
{
    auto it = m_idle.find(origin);
    while (it != m_idle.end() && !it->isEmpty()) {
        const Idle idle = it->takeLast();
        if (idle.socket->state() == QAbstractSocket::ConnectedState && idle.socket->bytesAvailable() == 0) {
            disconnect(idle.socket, nullptr, this, nullptr);
            idle.socket->setParent(nullptr);
            return idle.socket;
        }
        closeSocket(idle.socket);
    }
    return nullptr;
}

void NativePool::giveBack(const QString &origin, QTcpSocket *socket)
{
    QList<Idle> &list = m_idle[origin];
    if (list.size() >= m_options.maxIdlePerOrigin || socket->state() != QAbstractSocket::ConnectedState) {
        closeSocket(socket);
        return;
    }
    socket->setParent(this);
    // An idle connection must stay silent: a byte or a close from the server ends it.
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { drop(socket); });
    connect(socket, &QTcpSocket::disconnected, this, [this, socket] { drop(socket); });
    connect(socket, &QTcpSocket::errorOccurred, this, [this, socket] { drop(socket); });
    list.append({socket, nowNs()});
    if (!m_sweep.isActive()) {
        m_sweep.start();
    }
}

int NativePool::idleCount() const
{
    int count = 0;
    for (const QList<Idle> &list : m_idle) {
        count += int(list.size());
    }
    return count;
}

void NativePool::drop(QTcpSocket *socket)
{
    for (auto it = m_idle.begin(); it != m_idle.end(); ++it) {
        for (qsizetype i = 0; i < it->size(); ++i) {
            if (it->at(i).socket == socket) {
                it->removeAt(i);
                closeSocket(socket);
                return;
            }
        }
    }
}

void NativePool::sweep()
{
    const qint64 now = nowNs();
    const qint64 limitNs = now - qint64(m_options.idleTimeoutMs) * 1'000'000;
    const qint64 spareLimitNs = now - qint64(m_options.spareIdleTimeoutMs) * 1'000'000;
    bool any = false;
    for (auto it = m_idle.begin(); it != m_idle.end();) {
        // Oldest first: the list is in order of return, so the spares are at the front.
        while (!it->isEmpty() && (it->first().sinceNs <= limitNs ||
                                  (it->size() > m_options.warmPerOrigin && it->first().sinceNs <= spareLimitNs))) {
            closeSocket(it->takeFirst().socket);
        }
        if (it->isEmpty()) {
            it = m_idle.erase(it);
        } else {
            any = true;
            ++it;
        }
    }
    if (!any) {
        m_sweep.stop();
    }
}

} // namespace Relay::Upstream
