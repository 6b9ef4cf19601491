// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

#include <memory>

struct redisContext;

// A real redis-server for tests, started on a free TCP port on 127.0.0.1 and/or a Unix socket in a temporary
// directory. Typical use:
//
//   RedisServer server;                 // or RedisServer server({.unixSocket = true, .password = "pw"});
//   QVERIFY2(server.start(), qPrintable(server.errorString()));
//   Relay::Redis::Client client(*Relay::Redis::ConnectionOptions::fromUrl(server.url()));
//   ...
//   QCOMPARE(server.command({"GET", "k"}).toByteArray(), QByteArray("v"));
//
// stop() saves the data (SHUTDOWN SAVE) and start() brings the server back on the same port, socket and data
// directory, so a test can restart Redis mid-test and keep its data; kill() simulates a crash (data lost).
// pause()/resume() freeze the server with SIGSTOP/SIGCONT. The destructor stops the server. Not thread-safe: use it
// from the test's main thread.
class RedisServer
{
public:
    struct Options
    {
        bool tcp = true;            // listen on 127.0.0.1:<free port>
        bool unixSocket = false;    // listen on <tempdir>/redis.sock as well
        QByteArray password = {};   // requirepass (empty: none)
        QStringList extraArgs = {}; // more redis-server arguments, e.g. {"--maxmemory", "10mb"}
    };

    // A blocking reply, for assertions.
    struct Reply
    {
        enum class Type { Nil, Status, Error, Integer, String, Array };
        Type type = Type::Nil;
        QByteArray bytes; // String/Status/Error
        qint64 integer = 0;
        QList<Reply> elements;

        bool isError() const { return type == Type::Error; }
        bool isNil() const { return type == Type::Nil; }
        // bytes, or the integer in decimal
        QByteArray toByteArray() const;
        qint64 toInteger() const;
        // elements' toByteArray()
        QList<QByteArray> toList() const;
    };

    RedisServer();
    explicit RedisServer(Options options);
    ~RedisServer();
    RedisServer(const RedisServer &) = delete;
    RedisServer &operator=(const RedisServer &) = delete;

    // Starts (or restarts) the server and waits until it answers PING. Returns false and sets errorString() on failure.
    bool start();
    // Graceful stop that keeps the data for the next start() (resumes a paused server first).
    void stop();
    // SIGKILL: the data since the last save is lost.
    void kill();
    void pause();
    void resume();
    bool isRunning() const;
    bool isPaused() const { return m_paused; }

    quint16 port() const { return m_port; }
    QString socketPath() const;
    QString dataDir() const { return m_dir.path(); }
    const QByteArray &password() const { return m_options.password; }
    // redis://[:password@]127.0.0.1:<port>[/db]
    QString url(int db = 0) const;
    // unix://<socket>[?db=N&password=...]; needs Options::unixSocket
    QString unixUrl(int db = 0) const;
    QString errorString() const { return m_error; }

    // Runs one command on a private blocking connection (db 0 unless you SELECT); reconnects after a restart.
    // A transport failure returns an Error reply whose text starts with "transport:".
    Reply command(const QList<QByteArray> &args);
    // Sends all commands pipelined and returns their replies in order (fast bulk loading).
    QList<Reply> commands(const QList<QList<QByteArray>> &commands);

    // The redis-server executable, or empty if none is installed.
    static QString executable();

private:
    bool waitUntilReady(int timeoutMs);
    bool ensureConnection();
    void closeConnection();

    Options m_options;
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    quint16 m_port = 0;
    bool m_paused = false;
    QString m_error;
    redisContext *m_sync = nullptr;
};
