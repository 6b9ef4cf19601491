// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QElapsedTimer>
#include <QLocalSocket>
#include <QLockFile>
#include <QObject>
#include <QPointer>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <chrono>
#include <memory>

namespace Relay::Embedded {

// A private redis-server child for installations without a configured Redis: Unix socket only (no TCP port),
// append-only persistence in the data directory, stopped with the relay. A lock file in the data directory
// keeps two relays from sharing one embedded Redis.
//
//   auto *redis = new EmbeddedRedis(this);
//   connect(redis, &EmbeddedRedis::ready, this, [](const QString &url) { /* connect the Redis client */ });
//   connect(redis, &EmbeddedRedis::failed, this, [](const QString &message) { /* print, exit 2 */ });
//   redis->start(settings.dataDir);
class EmbeddedRedis : public QObject
{
    Q_OBJECT

public:
    enum class State { Stopped, Starting, Running, Stopping };

    explicit EmbeddedRedis(QObject *parent = nullptr);
    ~EmbeddedRedis() override; // stops the child if it still runs

    // The redis-server executable to run; empty (default) searches searchPaths().
    void setServerBinary(const QString &path) { m_serverBinary = path; }
    // Directories searched for redis-server: $PATH, then /usr/bin, /usr/sbin, /usr/local/bin by default.
    void setSearchPaths(const QStringList &directories) { m_searchPaths = directories; }
    QStringList searchPaths() const { return m_searchPaths; }
    // How long start-up may take until redis-server answers PING.
    void setStartTimeout(std::chrono::milliseconds timeout) { m_startTimeout = timeout; }

    // Asynchronous: emits ready() or failed() later, never from within this call.
    void start(const QString &dataDir);
    // Blocks for at most grace while redis-server shuts down cleanly (SIGTERM), then kills it.
    void stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

    State state() const { return m_state; }
    bool isRunning() const { return m_state == State::Running; }
    QString socketPath() const { return m_socketPath; }
    QString url() const { return QStringLiteral("unix://") + m_socketPath; }
    QString logFilePath() const;
    qint64 processId() const;

Q_SIGNALS:
    void ready(const QString &unixUrl);
    void failed(const QString &message);  // start-up did not succeed; the instance is Stopped again
    void crashed(const QString &message); // redis-server exited while Running
    void stopped();                       // after stop()

private:
    QString findServerBinary() const;
    QString prepareDataDir();
    void failLater(const QString &message);
    void failStart(const QString &message);
    void probe();
    void onProbeReadyRead();
    void onProcessFinished(int exitCode, QProcess::ExitStatus status);
    void releaseResources();
    QString logTail() const;

    QString m_serverBinary;
    QStringList m_searchPaths;
    std::chrono::milliseconds m_startTimeout{std::chrono::seconds(15)};

    State m_state = State::Stopped;
    QString m_dataDir;
    QString m_socketPath;
    std::unique_ptr<QLockFile> m_lock;
    QPointer<QProcess> m_process;
    QPointer<QLocalSocket> m_probeSocket;
    QTimer m_probeTimer;
    QElapsedTimer m_startClock;
};

} // namespace Relay::Embedded
