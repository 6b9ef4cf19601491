// SPDX-License-Identifier: GPL-3.0-or-later
#include "embedded/embeddedredis.h"

#include "log/logger.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcessEnvironment>
#include <QSignalBlocker>

#include <sys/prctl.h>
#include <sys/un.h>

#include <csignal>

using namespace Qt::StringLiterals;

namespace Relay::Embedded {

namespace {

constexpr auto ProbeInterval = std::chrono::milliseconds(50);
const QString ServerName = u"redis-server"_s;

QStringList defaultSearchPaths()
{
    QStringList paths = QProcessEnvironment::systemEnvironment().value(u"PATH"_s).split(u':', Qt::SkipEmptyParts);
    for (const QString &dir : {u"/usr/bin"_s, u"/usr/sbin"_s, u"/usr/local/bin"_s}) {
        if (!paths.contains(dir))
            paths.append(dir);
    }
    return paths;
}

} // namespace

EmbeddedRedis::EmbeddedRedis(QObject *parent)
    : QObject(parent)
    , m_searchPaths(defaultSearchPaths())
{
    m_probeTimer.setInterval(ProbeInterval);
    connect(&m_probeTimer, &QTimer::timeout, this, &EmbeddedRedis::probe);
}

EmbeddedRedis::~EmbeddedRedis()
{
    if (m_process) {
        const QSignalBlocker blocker(this); // nobody should hear from a half-destroyed object
        stop(std::chrono::seconds(5));
    }
}

QString EmbeddedRedis::logFilePath() const
{
    return m_dataDir.isEmpty() ? QString() : m_dataDir + u"/redis.log"_s;
}

qint64 EmbeddedRedis::processId() const
{
    return m_process ? m_process->processId() : 0;
}

QString EmbeddedRedis::findServerBinary() const
{
    if (!m_serverBinary.isEmpty()) {
        const QFileInfo info(m_serverBinary);
        return info.isFile() && info.isExecutable() ? info.absoluteFilePath() : QString();
    }
    for (const QString &dir : m_searchPaths) {
        const QFileInfo info(QDir(dir).filePath(ServerName));
        if (info.isFile() && info.isExecutable())
            return info.absoluteFilePath();
    }
    return {};
}

void EmbeddedRedis::failLater(const QString &message)
{
    // start() promises never to emit from inside the call, so callers may connect after starting too.
    QTimer::singleShot(0, this, [this, message] { Q_EMIT failed(message); });
}

QString EmbeddedRedis::prepareDataDir()
{
    if (!QDir().mkpath(m_dataDir))
        return u"cannot create data directory %1"_s.arg(m_dataDir);
    // Redis data and the socket are private to the user running the relay.
    if (!QFile::setPermissions(m_dataDir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner))
        return u"cannot restrict permissions of data directory %1 to its owner"_s.arg(m_dataDir);

    m_lock = std::make_unique<QLockFile>(m_dataDir + u"/relaydeck.lock"_s);
    m_lock->setStaleLockTime(0); // stale only when the owning process is gone, never by age
    if (!m_lock->tryLock(0)) {
        const QLockFile::LockError error = m_lock->error();
        qint64 pid = 0;
        QString host;
        QString app;
        m_lock->getLockInfo(&pid, &host, &app);
        m_lock.reset();
        if (error == QLockFile::LockFailedError)
            return u"data directory %1 is in use by pid %2 (another RelayDeck relay?); stop it or use another "
                   "--data-dir"_s.arg(m_dataDir)
                       .arg(pid);
        return u"cannot create lock file in data directory %1"_s.arg(m_dataDir);
    }

    m_socketPath = m_dataDir + u"/redis.sock"_s;
    if (m_socketPath.toLocal8Bit().size() >= qsizetype(sizeof(sockaddr_un::sun_path)))
        return u"data directory path %1 is too long for a Unix socket (at most %2 bytes for the socket path)"_s
            .arg(m_dataDir)
            .arg(sizeof(sockaddr_un::sun_path) - 1);
    // We hold the lock, so a socket file left here is from a relay that died: remove it or redis-server fails.
    if (QFileInfo::exists(m_socketPath) && !QFile::remove(m_socketPath))
        return u"cannot remove stale socket %1"_s.arg(m_socketPath);
    return {};
}

void EmbeddedRedis::start(const QString &dataDir)
{
    if (m_state != State::Stopped) {
        failLater(u"embedded redis-server is already running or starting"_s);
        return;
    }
    const QString binary = findServerBinary();
    if (binary.isEmpty()) {
        const QString searched = m_serverBinary.isEmpty() ? m_searchPaths.join(u", "_s) : m_serverBinary;
        failLater(u"redis-server was not found (looked in: %1). Install the redis-server package (for example "
                  "`sudo apt install redis-server`) or pass --redis URL to use an existing Redis."_s.arg(searched));
        return;
    }
    m_dataDir = QDir(dataDir).absolutePath();
    if (const QString error = prepareDataDir(); !error.isEmpty()) {
        releaseResources();
        failLater(error);
        return;
    }

    // clang-format off
    const QStringList arguments = {
        u"--port"_s, u"0"_s, // no TCP listener at all
        u"--unixsocket"_s, m_socketPath,
        u"--unixsocketperm"_s, u"700"_s,
        u"--dir"_s, m_dataDir,
        u"--appendonly"_s, u"yes"_s,
        u"--appendfsync"_s, u"everysec"_s,
        u"--daemonize"_s, u"no"_s,
        u"--supervised"_s, u"no"_s,
        u"--logfile"_s, logFilePath(),
        u"--loglevel"_s, u"notice"_s,
        u"--maxclients"_s, u"1024"_s,
        u"--timeout"_s, u"0"_s,
        u"--protected-mode"_s, u"yes"_s,
    };
    // clang-format on
    auto *process = new QProcess(this);
    m_process = process;
    process->setProgram(binary);
    process->setArguments(arguments);
    process->setWorkingDirectory(m_dataDir);
    process->setStandardInputFile(QProcess::nullDevice());
    process->setStandardOutputFile(QProcess::nullDevice());
    process->setStandardErrorFile(QProcess::nullDevice());
    // If the relay dies without stopping it, the kernel sends redis-server SIGTERM so it cannot outlive us.
    process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
    connect(process, &QProcess::errorOccurred, this, [this, process](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart && m_state == State::Starting)
            failStart(u"cannot run %1: %2"_s.arg(process->program(), process->errorString()));
    });
    connect(process, &QProcess::finished, this, &EmbeddedRedis::onProcessFinished);

    m_state = State::Starting;
    Log::logger().info("starting embedded redis-server {} in {}", binary, m_dataDir);
    m_startClock.start();
    process->start();
    m_probeTimer.start();
}

void EmbeddedRedis::probe()
{
    if (m_state != State::Starting)
        return;
    if (m_startClock.elapsed() > m_startTimeout.count()) {
        failStart(u"embedded redis-server did not answer PING within %1 ms; see %2%3"_s.arg(m_startTimeout.count())
                      .arg(logFilePath(), logTail()));
        return;
    }
    if (m_probeSocket || !QFileInfo::exists(m_socketPath))
        return; // a probe is in flight, or redis-server has not created its socket yet
    auto *socket = new QLocalSocket(this);
    m_probeSocket = socket;
    connect(socket, &QLocalSocket::connected, socket, [socket] { socket->write("PING\r\n"); });
    connect(socket, &QLocalSocket::readyRead, this, &EmbeddedRedis::onProbeReadyRead);
    connect(socket, &QLocalSocket::errorOccurred, socket, [socket] { socket->deleteLater(); });
    connect(socket, &QLocalSocket::disconnected, socket, [socket] { socket->deleteLater(); });
    socket->connectToServer(m_socketPath);
}

void EmbeddedRedis::onProbeReadyRead()
{
    QLocalSocket *socket = m_probeSocket;
    if (!socket || !socket->canReadLine())
        return;
    const QByteArray line = socket->readLine();
    socket->disconnect(this);
    socket->abort();
    socket->deleteLater();
    // "-LOADING" while a large AOF is replayed: not ready yet, the next probe asks again.
    if (!line.startsWith("+PONG") || m_state != State::Starting)
        return;
    m_probeTimer.stop();
    m_state = State::Running;
    Log::logger().info("embedded redis-server ready on {} (pid {}, {} ms)", m_socketPath, processId(),
                       m_startClock.elapsed());
    Q_EMIT ready(url());
}

void EmbeddedRedis::failStart(const QString &message)
{
    Log::logger().error("{}", message);
    if (m_process) {
        m_process->disconnect(this);
        m_process->kill();
        m_process->waitForFinished(2000);
    }
    releaseResources();
    Q_EMIT failed(message);
}

void EmbeddedRedis::onProcessFinished(int exitCode, QProcess::ExitStatus status)
{
    const QString how = status == QProcess::CrashExit ? u"was killed"_s : u"exited with code %1"_s.arg(exitCode);
    const State previous = m_state;
    if (previous == State::Starting) {
        failStart(u"embedded redis-server %1 during start-up; see %2%3"_s.arg(how, logFilePath(), logTail()));
        return;
    }
    releaseResources();
    if (previous == State::Running) {
        const QString message = u"embedded redis-server %1 unexpectedly; see %2"_s.arg(how, logFilePath());
        Log::logger().critical("{}", message);
        Q_EMIT crashed(message);
    }
}

void EmbeddedRedis::stop(std::chrono::milliseconds grace)
{
    if (!m_process) {
        releaseResources();
        return;
    }
    m_state = State::Stopping;
    m_probeTimer.stop();
    QProcess *process = m_process;
    process->disconnect(this);
    // SIGTERM lets redis-server flush the AOF and remove its socket; blocking here is bounded by grace.
    process->terminate();
    if (!process->waitForFinished(int(grace.count()))) {
        Log::logger().warn("embedded redis-server did not stop within {} ms; killing it", grace.count());
        process->kill();
        process->waitForFinished(2000);
    }
    releaseResources();
    Log::logger().info("embedded redis-server stopped");
    Q_EMIT stopped();
}

void EmbeddedRedis::releaseResources()
{
    m_probeTimer.stop();
    if (m_probeSocket) {
        m_probeSocket->disconnect(this);
        m_probeSocket->abort();
        m_probeSocket->deleteLater();
    }
    if (m_process) {
        m_process->disconnect(this);
        m_process->deleteLater();
        m_process = nullptr;
    }
    if (!m_socketPath.isEmpty() && m_lock && QFileInfo::exists(m_socketPath))
        QFile::remove(m_socketPath);
    if (m_lock) {
        m_lock->unlock();
        m_lock.reset();
    }
    m_state = State::Stopped;
}

QString EmbeddedRedis::logTail() const
{
    QFile log(logFilePath());
    if (!log.open(QIODevice::ReadOnly))
        return {};
    const qint64 size = log.size();
    log.seek(std::max<qint64>(0, size - 600));
    const QByteArray tail = log.readAll().trimmed();
    return tail.isEmpty() ? QString() : u"; last log lines:\n"_s + QString::fromUtf8(tail);
}

} // namespace Relay::Embedded
