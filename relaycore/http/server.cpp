// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/server.h"

#include "http/worker.h"

#include <QDir>
#include <QHostAddress>
#include <QHostInfo>
#include <QLockFile>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Relay::Http {

namespace {

QHostAddress resolve(const QString &host)
{
    if (host.isEmpty() || host == QLatin1String("localhost"))
        return QHostAddress(QHostAddress::LocalHost);
    QHostAddress address(host);
    if (!address.isNull())
        return address;
    const QHostInfo info = QHostInfo::fromName(host); // start-up only
    return info.addresses().isEmpty() ? QHostAddress() : info.addresses().constFirst();
}

// A listening socket that other sockets of this user may bind too (SO_REUSEPORT): one per worker.
int listenSocket(const QHostAddress &address, quint16 port, QString *error)
{
    sockaddr_storage storage{};
    socklen_t length = 0;
    const bool v6 = address.protocol() == QAbstractSocket::IPv6Protocol;
    if (v6) {
        auto *sa = reinterpret_cast<sockaddr_in6 *>(&storage);
        sa->sin6_family = AF_INET6;
        sa->sin6_port = htons(port);
        const Q_IPV6ADDR a = address.toIPv6Address();
        std::memcpy(&sa->sin6_addr, &a, sizeof(a));
        length = sizeof(sockaddr_in6);
    } else {
        auto *sa = reinterpret_cast<sockaddr_in *>(&storage);
        sa->sin_family = AF_INET;
        sa->sin_port = htons(port);
        sa->sin_addr.s_addr = htonl(address.toIPv4Address());
        length = sizeof(sockaddr_in);
    }
    const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *error = QString::fromLocal8Bit(std::strerror(errno));
        return -1;
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
    if (::bind(fd, reinterpret_cast<sockaddr *>(&storage), length) != 0 || ::listen(fd, 1024) != 0) {
        *error = QString::fromLocal8Bit(std::strerror(errno));
        ::close(fd);
        return -1;
    }
    return fd;
}

quint16 boundPort(int fd)
{
    sockaddr_storage storage{};
    socklen_t length = sizeof(storage);
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&storage), &length);
    if (storage.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<sockaddr_in6 *>(&storage)->sin6_port);
    return ntohs(reinterpret_cast<sockaddr_in *>(&storage)->sin_port);
}

} // namespace

Server::Server(QObject *parent)
    : QObject(parent)
{}

Server::~Server()
{
    if (m_running)
        stopAndWait(0);
}

QString Server::start()
{
    if (m_running)
        return QStringLiteral("the server is already running");
    const QHostAddress address = resolve(m_options.host);
    if (address.isNull())
        return QStringLiteral("cannot resolve listen host \"%1\"").arg(m_options.host);
    const QString where = QStringLiteral("%1:%2").arg(m_options.host).arg(m_options.port);

    if (m_options.port != 0) {
        // SO_REUSEPORT would let a second copy bind the same port without any error and silently take a share
        // of the connections, so a lock per port makes that a clear start-up error instead.
        const QString dir = m_options.lockDirectory.isEmpty() ? QDir::tempPath() : m_options.lockDirectory;
        m_lock = std::make_unique<QLockFile>(QStringLiteral("%1/relaydeck-port-%2.lock").arg(dir).arg(m_options.port));
        m_lock->setStaleLockTime(0);
        if (!m_lock->tryLock(0)) {
            qint64 pid = 0;
            QString hostName, appName;
            m_lock->getLockInfo(&pid, &hostName, &appName);
            m_lock.reset();
            return QStringLiteral("port %1 is already served by another RelayDeck (pid %2); stop it or choose "
                                  "another --listen port")
                .arg(m_options.port)
                .arg(pid);
        }
    }

    std::vector<int> fds;
    quint16 port = m_options.port;
    const int workers = std::max(1, m_options.workers);
    for (int i = 0; i < workers; ++i) {
        QString error;
        const int fd = listenSocket(address, port, &error);
        if (fd < 0) {
            for (int open : fds)
                ::close(open);
            m_lock.reset();
            return QStringLiteral("cannot listen on %1: %2").arg(where, error);
        }
        if (port == 0)
            port = boundPort(fd); // the other workers join the port the kernel picked
        fds.push_back(fd);
    }
    m_port = port;

    ConnectionContext context;
    context.options = &m_options;
    context.router = &m_router;
    context.observer = m_observer;
    for (int i = 0; i < workers; ++i) {
        auto worker = std::make_unique<Worker>(i, fds[size_t(i)], context, m_setup, m_drain);
        connect(worker.get(), &Worker::ended, this, &Server::workerEnded);
        m_workers.push_back(std::move(worker));
    }
    m_workersRunning = workers;
    m_running = true;
    for (auto &w : m_workers)
        w->start();
    return {};
}

void Server::stop(qint64 graceMs)
{
    if (!m_running)
        return;
    for (auto &w : m_workers)
        w->requestStop(graceMs);
}

void Server::stopAndWait(qint64 graceMs)
{
    stop(graceMs);
    for (auto &w : m_workers)
        w->wait();
    if (m_running) {
        m_running = false;
        m_workersRunning = 0;
        m_workers.clear();
        m_lock.reset();
        Q_EMIT stopped();
    }
}

void Server::workerEnded()
{
    if (!m_running || --m_workersRunning > 0)
        return;
    for (auto &w : m_workers)
        w->wait();
    m_workers.clear();
    m_lock.reset();
    m_running = false;
    Q_EMIT stopped();
}

} // namespace Relay::Http
