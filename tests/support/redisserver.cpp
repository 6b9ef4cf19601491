// SPDX-License-Identifier: GPL-3.0-or-later
#include "redisserver.h"

#include "freeport.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QStandardPaths>
#include <QThread>
#include <QUrl>

#include <hiredis/hiredis.h>

#include <csignal>
#include <sys/prctl.h>

namespace {

RedisServer::Reply convert(const redisReply *r)
{
    RedisServer::Reply out;
    switch (r->type) {
    case REDIS_REPLY_STRING:
        out.type = RedisServer::Reply::Type::String;
        out.bytes = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_STATUS:
        out.type = RedisServer::Reply::Type::Status;
        out.bytes = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_ERROR:
        out.type = RedisServer::Reply::Type::Error;
        out.bytes = QByteArray(r->str, qsizetype(r->len));
        break;
    case REDIS_REPLY_INTEGER:
        out.type = RedisServer::Reply::Type::Integer;
        out.integer = r->integer;
        break;
    case REDIS_REPLY_ARRAY:
        out.type = RedisServer::Reply::Type::Array;
        for (size_t i = 0; i < r->elements; ++i)
            out.elements.append(convert(r->element[i]));
        break;
    default:
        break;
    }
    return out;
}

RedisServer::Reply transportError(const char *what)
{
    RedisServer::Reply out;
    out.type = RedisServer::Reply::Type::Error;
    out.bytes = QByteArrayLiteral("transport: ") + what;
    return out;
}

} // namespace

QByteArray RedisServer::Reply::toByteArray() const
{
    return type == Type::Integer ? QByteArray::number(integer) : bytes;
}

qint64 RedisServer::Reply::toInteger() const
{
    return type == Type::Integer ? integer : bytes.toLongLong();
}

QList<QByteArray> RedisServer::Reply::toList() const
{
    QList<QByteArray> out;
    for (const Reply &e : elements)
        out.append(e.toByteArray());
    return out;
}

RedisServer::RedisServer()
    : RedisServer(Options{})
{}

RedisServer::RedisServer(Options options)
    : m_options(std::move(options))
{}

RedisServer::~RedisServer()
{
    closeConnection();
    if (!m_process)
        return;
    if (m_paused)
        resume();
    m_process->kill(); // nothing to keep
    m_process->waitForFinished(5000);
}

QString RedisServer::executable()
{
    QString path = QStandardPaths::findExecutable(QStringLiteral("redis-server"));
    if (path.isEmpty())
        path = QStandardPaths::findExecutable(
            QStringLiteral("redis-server"),
            {QStringLiteral("/usr/bin"), QStringLiteral("/usr/sbin"), QStringLiteral("/usr/local/bin")});
    return path;
}

QString RedisServer::socketPath() const
{
    return m_options.unixSocket ? m_dir.filePath(QStringLiteral("redis.sock")) : QString();
}

QString RedisServer::url(int db) const
{
    QString url = QStringLiteral("redis://");
    if (!m_options.password.isEmpty())
        url += u':' + QString::fromUtf8(QUrl::toPercentEncoding(QString::fromUtf8(m_options.password))) + u'@';
    url += QStringLiteral("127.0.0.1:%1").arg(m_port);
    if (db != 0)
        url += u'/' + QString::number(db);
    return url;
}

QString RedisServer::unixUrl(int db) const
{
    QString url = QStringLiteral("unix://") + socketPath();
    QStringList params;
    if (db != 0)
        params << QStringLiteral("db=%1").arg(db);
    if (!m_options.password.isEmpty())
        params << QStringLiteral("password=") +
                      QString::fromUtf8(QUrl::toPercentEncoding(QString::fromUtf8(m_options.password)));
    if (!params.isEmpty())
        url += u'?' + params.join(u'&');
    return url;
}

bool RedisServer::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

bool RedisServer::start()
{
    if (isRunning())
        return true;
    const QString program = executable();
    if (program.isEmpty()) {
        m_error = QStringLiteral("redis-server not found in PATH, /usr/bin or /usr/sbin");
        return false;
    }
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("cannot create a temporary directory: %1").arg(m_dir.errorString());
        return false;
    }
    // A free port may be taken between probing and binding; a fresh server retries with another port.
    const bool choosePort = m_options.tcp && m_port == 0;
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (choosePort)
            m_port = freePort();
        QStringList args{QStringLiteral("--port"),       QString::number(m_options.tcp ? m_port : 0),
                         QStringLiteral("--bind"),       QStringLiteral("127.0.0.1"),
                         QStringLiteral("--dir"),        m_dir.path(),
                         QStringLiteral("--save"),       QString(),
                         QStringLiteral("--appendonly"), QStringLiteral("no"),
                         QStringLiteral("--daemonize"),  QStringLiteral("no"),
                         QStringLiteral("--logfile"),    QString()};
        if (m_options.unixSocket)
            args << QStringLiteral("--unixsocket") << socketPath() << QStringLiteral("--unixsocketperm")
                 << QStringLiteral("700");
        if (!m_options.password.isEmpty())
            args << QStringLiteral("--requirepass") << QString::fromUtf8(m_options.password);
        args << m_options.extraArgs;

        m_process = std::make_unique<QProcess>();
        m_process->setProcessChannelMode(QProcess::MergedChannels);
        // The server dies with the test even if the test crashes.
        m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
        m_process->start(program, args);
        if (!m_process->waitForStarted(5000)) {
            m_error = QStringLiteral("cannot start %1: %2").arg(program, m_process->errorString());
            return false;
        }
        m_paused = false;
        if (waitUntilReady(10000))
            return true;
        m_process->kill();
        m_process->waitForFinished(5000);
        if (!choosePort)
            break;
    }
    return false;
}

bool RedisServer::waitUntilReady(int timeoutMs)
{
    // redis-server logs this line to stdout once it accepts connections.
    QByteArray output;
    QDeadlineTimer deadline(timeoutMs);
    while (!output.toLower().contains("ready to accept connections")) {
        if (m_process->state() != QProcess::Running || deadline.hasExpired()) {
            output += m_process->readAll();
            m_error =
                QStringLiteral("redis-server did not become ready: %1").arg(QString::fromLocal8Bit(output.right(2000)));
            return false;
        }
        m_process->waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime())));
        output += m_process->readAll();
    }
    closeConnection();
    const Reply pong = command({QByteArrayLiteral("PING")});
    if (pong.bytes != "PONG") {
        m_error = QStringLiteral("redis-server does not answer PING: %1").arg(QString::fromUtf8(pong.bytes));
        return false;
    }
    return true;
}

void RedisServer::stop()
{
    if (!m_process)
        return;
    if (m_paused)
        resume();
    if (isRunning()) {
        // SHUTDOWN SAVE writes dump.rdb into the data dir, which the next start() loads.
        command({QByteArrayLiteral("SHUTDOWN"), QByteArrayLiteral("SAVE")});
        if (!m_process->waitForFinished(10000)) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }
    closeConnection();
}

void RedisServer::kill()
{
    if (!m_process)
        return;
    m_process->kill();
    m_process->waitForFinished(5000);
    m_paused = false;
    closeConnection();
}

void RedisServer::pause()
{
    if (isRunning() && !m_paused) {
        ::kill(pid_t(m_process->processId()), SIGSTOP);
        m_paused = true;
    }
}

void RedisServer::resume()
{
    if (m_process && m_paused) {
        ::kill(pid_t(m_process->processId()), SIGCONT);
        m_paused = false;
    }
}

bool RedisServer::ensureConnection()
{
    if (m_sync && m_sync->err == 0)
        return true;
    closeConnection();
    const timeval timeout{5, 0};
    if (m_options.tcp)
        m_sync = redisConnectWithTimeout("127.0.0.1", m_port, timeout);
    else
        m_sync = redisConnectUnixWithTimeout(QFile::encodeName(socketPath()).constData(), timeout);
    if (!m_sync || m_sync->err) {
        closeConnection();
        return false;
    }
    redisSetTimeout(m_sync, timeout);
    if (!m_options.password.isEmpty()) {
        auto *r = static_cast<redisReply *>(
            redisCommand(m_sync, "AUTH %b", m_options.password.constData(), size_t(m_options.password.size())));
        const bool ok = r && r->type != REDIS_REPLY_ERROR;
        if (r)
            freeReplyObject(r);
        if (!ok) {
            closeConnection();
            return false;
        }
    }
    return true;
}

void RedisServer::closeConnection()
{
    if (m_sync)
        redisFree(m_sync);
    m_sync = nullptr;
}

RedisServer::Reply RedisServer::command(const QList<QByteArray> &args)
{
    const QList<Reply> replies = commands({args});
    return replies.isEmpty() ? transportError("no reply") : replies.first();
}

QList<RedisServer::Reply> RedisServer::commands(const QList<QList<QByteArray>> &commands)
{
    QList<Reply> out;
    // One retry covers a connection left over from before a restart.
    for (int attempt = 0; attempt < 2; ++attempt) {
        out.clear();
        if (!ensureConnection())
            continue;
        for (const QList<QByteArray> &args : commands) {
            QList<const char *> argv;
            QList<size_t> lengths;
            for (const QByteArray &arg : args) {
                argv.append(arg.constData());
                lengths.append(size_t(arg.size()));
            }
            redisAppendCommandArgv(m_sync, int(argv.size()), argv.data(), lengths.data());
        }
        bool failed = false;
        for (qsizetype i = 0; i < commands.size(); ++i) {
            void *raw = nullptr;
            if (redisGetReply(m_sync, &raw) != REDIS_OK || !raw) {
                failed = true;
                break;
            }
            out.append(convert(static_cast<redisReply *>(raw)));
            freeReplyObject(raw);
        }
        if (!failed)
            return out;
        const QByteArray why = m_sync ? QByteArray(m_sync->errstr) : QByteArrayLiteral("connection failed");
        closeConnection();
        // Only retry when nothing was answered: a half-run batch must not run twice.
        if (!out.isEmpty() || (commands.size() == 1 && commands.first().value(0).toUpper() == "SHUTDOWN")) {
            while (out.size() < commands.size())
                out.append(transportError(why.constData()));
            return out;
        }
    }
    out.clear();
    for (qsizetype i = 0; i < commands.size(); ++i)
        out.append(transportError("cannot connect to redis-server"));
    return out;
}
