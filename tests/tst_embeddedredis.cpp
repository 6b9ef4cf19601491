// SPDX-License-Identifier: GPL-3.0-or-later
#include "embedded/embeddedredis.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QLocalSocket>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/types.h>

using namespace Qt::StringLiterals;
using Relay::Embedded::EmbeddedRedis;

namespace {

constexpr int StartTimeoutMs = 20'000;

bool replyComplete(const QByteArray &reply)
{
    const qsizetype firstEnd = reply.indexOf("\r\n");
    if (firstEnd < 0)
        return false;
    if (reply.startsWith('$')) {
        const qsizetype length = reply.mid(1, firstEnd - 1).toLongLong();
        return length < 0 || reply.size() >= firstEnd + 2 + length + 2;
    }
    if (reply.startsWith('*')) // arrays of simple bulk strings only: header + 2 lines per element
        return reply.count("\r\n") >= 1 + 2 * reply.mid(1, firstEnd - 1).toLongLong();
    return true;
}

// A minimal blocking RESP client for the test: one command, one reply, over the Unix socket.
QByteArray command(const QString &socketPath, const QList<QByteArray> &arguments)
{
    QLocalSocket socket;
    socket.connectToServer(socketPath);
    if (!socket.waitForConnected(2000))
        return "connect failed: " + socket.errorString().toUtf8();
    QByteArray request = "*" + QByteArray::number(arguments.size()) + "\r\n";
    for (const QByteArray &argument : arguments)
        request += "$" + QByteArray::number(argument.size()) + "\r\n" + argument + "\r\n";
    socket.write(request);
    QByteArray reply;
    while (!replyComplete(reply)) {
        if (!socket.waitForReadyRead(5000))
            return "no reply: " + reply;
        reply += socket.readAll();
    }
    return reply;
}

bool processExists(qint64 pid)
{
    return pid > 0 && ::kill(pid_t(pid), 0) == 0;
}

} // namespace

class TstEmbeddedRedis : public QObject
{
    Q_OBJECT

private:
    static bool startAndWait(EmbeddedRedis &redis, const QString &dataDir)
    {
        QSignalSpy ready(&redis, &EmbeddedRedis::ready);
        QSignalSpy failed(&redis, &EmbeddedRedis::failed);
        redis.start(dataDir);
        if (!QTest::qWaitFor([&] { return !ready.isEmpty() || !failed.isEmpty(); }, StartTimeoutMs))
            qWarning("neither ready nor failed within %d ms", StartTimeoutMs);
        if (!failed.isEmpty())
            qWarning("start failed: %s", qPrintable(failed.constFirst().constFirst().toString()));
        return !ready.isEmpty();
    }

private Q_SLOTS:
    void startsOnPrivateSocketAndAnswersPing()
    {
        QTemporaryDir dir;
        const QString dataDir = dir.filePath(u"data"_s);
        EmbeddedRedis redis;
        QSignalSpy ready(&redis, &EmbeddedRedis::ready);
        redis.start(dataDir);
        QCOMPARE(redis.state(), EmbeddedRedis::State::Starting);
        QVERIFY(ready.wait(StartTimeoutMs));
        QCOMPARE(redis.state(), EmbeddedRedis::State::Running);
        QCOMPARE(ready.constFirst().constFirst().toString(), u"unix://"_s + dataDir + u"/redis.sock"_s);
        QCOMPARE(redis.socketPath(), dataDir + u"/redis.sock"_s);

        QCOMPARE(command(redis.socketPath(), {"PING"}), QByteArray("+PONG\r\n"));
        QCOMPARE(command(redis.socketPath(), {"CONFIG", "GET", "port"}), QByteArray("*2\r\n$4\r\nport\r\n$1\r\n0\r\n"));
        QCOMPARE(command(redis.socketPath(), {"CONFIG", "GET", "appendonly"}),
                 QByteArray("*2\r\n$10\r\nappendonly\r\n$3\r\nyes\r\n"));

        const QFile::Permissions others = QFile::ReadGroup | QFile::WriteGroup | QFile::ExeGroup | QFile::ReadOther |
                                          QFile::WriteOther | QFile::ExeOther;
        QCOMPARE(QFileInfo(dataDir).permissions() & others, QFile::Permissions());
        QVERIFY(QFileInfo(dataDir).permissions().testFlags(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
        QCOMPARE(QFileInfo(redis.socketPath()).permissions() & others, QFile::Permissions());
    }

    void appendOnlyFileAppearsAfterWriteAndSurvivesRestart()
    {
        QTemporaryDir dir;
        const QString dataDir = dir.filePath(u"data"_s);
        {
            EmbeddedRedis redis;
            QVERIFY(startAndWait(redis, dataDir));
            QCOMPARE(command(redis.socketPath(), {"SET", "rd:test:aof", "persisted-value"}), QByteArray("+OK\r\n"));
            auto aofContains = [&dataDir] {
                const QDir aofDir(dataDir + u"/appendonlydir"_s);
                for (const QString &name : aofDir.entryList({u"*.aof"_s}, QDir::Files)) {
                    QFile file(aofDir.filePath(name));
                    if (file.open(QIODevice::ReadOnly) && file.readAll().contains("persisted-value"))
                        return true;
                }
                return false;
            };
            QTRY_VERIFY_WITH_TIMEOUT(aofContains(), 5000);
            redis.stop();
        }
        EmbeddedRedis again;
        QVERIFY(startAndWait(again, dataDir));
        QCOMPARE(command(again.socketPath(), {"GET", "rd:test:aof"}), QByteArray("$15\r\npersisted-value\r\n"));
    }

    void stopTerminatesChildRemovesSocketAndReleasesLock()
    {
        QTemporaryDir dir;
        const QString dataDir = dir.filePath(u"data"_s);
        EmbeddedRedis redis;
        QVERIFY(startAndWait(redis, dataDir));
        const qint64 pid = redis.processId();
        QVERIFY(processExists(pid));
        QSignalSpy stopped(&redis, &EmbeddedRedis::stopped);
        QSignalSpy crashed(&redis, &EmbeddedRedis::crashed);
        redis.stop();
        QCOMPARE(stopped.count(), 1);
        QCOMPARE(redis.state(), EmbeddedRedis::State::Stopped);
        QVERIFY(!processExists(pid));
        QVERIFY(!QFile::exists(dataDir + u"/redis.sock"_s));
        QCOMPARE(crashed.count(), 0);

        EmbeddedRedis next; // the lock is free again
        QVERIFY(startAndWait(next, dataDir));
    }

    void secondInstanceOnSameDataDirFailsClearly()
    {
        QTemporaryDir dir;
        const QString dataDir = dir.filePath(u"data"_s);
        EmbeddedRedis first;
        QVERIFY(startAndWait(first, dataDir));

        EmbeddedRedis second;
        QSignalSpy failed(&second, &EmbeddedRedis::failed);
        second.start(dataDir);
        QVERIFY(failed.wait(5000));
        const QString message = failed.constFirst().constFirst().toString();
        QVERIFY2(message.contains(
                     u"data directory %1 is in use by pid %2"_s.arg(dataDir).arg(QCoreApplication::applicationPid())),
                 qPrintable(message));
        QCOMPARE(second.state(), EmbeddedRedis::State::Stopped);
        QCOMPARE(first.state(), EmbeddedRedis::State::Running);
        QCOMPARE(command(first.socketPath(), {"PING"}), QByteArray("+PONG\r\n"));
    }

    void missingServerBinaryGivesClearMessage()
    {
        QTemporaryDir dir;
        QTemporaryDir emptyBin;
        EmbeddedRedis redis;
        redis.setSearchPaths({emptyBin.path()});
        QSignalSpy failed(&redis, &EmbeddedRedis::failed);
        redis.start(dir.filePath(u"data"_s));
        QCOMPARE(failed.count(), 0); // reported asynchronously, never from inside start()
        QVERIFY(failed.wait(5000));
        const QString message = failed.constFirst().constFirst().toString();
        QVERIFY2(message.contains(u"redis-server was not found"_s), qPrintable(message));
        QVERIFY2(message.contains(emptyBin.path()), qPrintable(message));
        QVERIFY2(message.contains(u"install the redis-server package"_s, Qt::CaseInsensitive), qPrintable(message));
        QVERIFY2(message.contains(u"--redis URL"_s), qPrintable(message));
        QVERIFY(!QFile::exists(dir.filePath(u"data"_s))); // nothing created when nothing can run

        EmbeddedRedis explicitBinary;
        explicitBinary.setServerBinary(u"/nonexistent/redis-server"_s);
        QSignalSpy failedExplicit(&explicitBinary, &EmbeddedRedis::failed);
        explicitBinary.start(dir.filePath(u"data"_s));
        QVERIFY(failedExplicit.wait(5000));
        QVERIFY(failedExplicit.constFirst().constFirst().toString().contains(u"/nonexistent/redis-server"_s));
    }

    void childExitingDuringStartupFails()
    {
        QTemporaryDir dir;
        EmbeddedRedis redis;
        redis.setServerBinary(u"/bin/false"_s);
        QSignalSpy failed(&redis, &EmbeddedRedis::failed);
        redis.start(dir.filePath(u"data"_s));
        QVERIFY(failed.wait(5000));
        const QString message = failed.constFirst().constFirst().toString();
        QVERIFY2(message.contains(u"exited with code 1 during start-up"_s), qPrintable(message));
        QCOMPARE(redis.state(), EmbeddedRedis::State::Stopped);
        EmbeddedRedis next; // lock released after the failure
        QVERIFY(startAndWait(next, dir.filePath(u"data"_s)));
    }

    void staleSocketFileIsRemoved()
    {
        QTemporaryDir dir;
        const QString dataDir = dir.filePath(u"data"_s);
        QVERIFY(QDir().mkpath(dataDir));
        QFile stale(dataDir + u"/redis.sock"_s);
        QVERIFY(stale.open(QIODevice::WriteOnly));
        stale.write("left over by a crashed relay");
        stale.close();
        EmbeddedRedis redis;
        QVERIFY(startAndWait(redis, dataDir));
        QCOMPARE(command(redis.socketPath(), {"PING"}), QByteArray("+PONG\r\n"));
    }

    void unexpectedExitEmitsCrashed()
    {
        QTemporaryDir dir;
        const QString dataDir = dir.filePath(u"data"_s);
        EmbeddedRedis redis;
        QVERIFY(startAndWait(redis, dataDir));
        QSignalSpy crashed(&redis, &EmbeddedRedis::crashed);
        QVERIFY(::kill(pid_t(redis.processId()), SIGKILL) == 0);
        QVERIFY(crashed.wait(5000));
        QVERIFY2(crashed.constFirst().constFirst().toString().contains(u"unexpectedly"_s),
                 qPrintable(crashed.constFirst().constFirst().toString()));
        QCOMPARE(redis.state(), EmbeddedRedis::State::Stopped);
        EmbeddedRedis next; // a restart on the same directory works: lock released, stale socket removed
        QVERIFY(startAndWait(next, dataDir));
    }
};

QTEST_GUILESS_MAIN(TstEmbeddedRedis)
#include "tst_embeddedredis.moc"
