// SPDX-License-Identifier: GPL-3.0-or-later
#include "redis/subscriber.h"

#include <QFile>
#include <QLoggingCategory>
#include <QPointer>
#include <QRandomGenerator>
#include <QSocketNotifier>
#include <QVarLengthArray>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>

Q_LOGGING_CATEGORY(lcRedisSubscriber, "relaydeck.redis.subscriber", QtWarningMsg)

namespace Relay::Redis {

namespace {

QString errorText(const redisAsyncContext *ac)
{
    if (ac->errstr[0] == '\0')
        return QStringLiteral("server closed the connection");
    return QString::fromLocal8Bit(ac->errstr);
}

QByteArray elementBytes(const redisReply *reply, size_t index)
{
    if (index >= reply->elements)
        return {};
    const redisReply *e = reply->element[index];
    if (e->type != REDIS_REPLY_STRING && e->type != REDIS_REPLY_STATUS)
        return {};
    return QByteArray(e->str, qsizetype(e->len));
}

bool sendArgv(redisAsyncContext *ac, redisCallbackFn *fn, void *privdata, const QList<QByteArray> &args)
{
    QVarLengthArray<const char *, 8> argv;
    QVarLengthArray<size_t, 8> lengths;
    for (const QByteArray &arg : args) {
        argv.append(arg.constData());
        lengths.append(size_t(arg.size()));
    }
    return redisAsyncCommandArgv(ac, fn, privdata, int(argv.size()), argv.data(), lengths.data()) == REDIS_OK;
}

} // namespace

Subscriber::Subscriber(ConnectionOptions options, QList<QByteArray> channels, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_channels(std::move(channels))
    , m_reconnectTimer(this)
    , m_deadline(this)
{
    m_backoffMs = std::max(1, m_options.reconnectInitialDelayMs);
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &Subscriber::connectNow);
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        if (m_state != State::Subscribed && m_state != State::Down)
            dropConnection(QStringLiteral("Redis at %1 did not confirm the subscription within %2 ms")
                               .arg(m_options.endpoint())
                               .arg(m_options.connectTimeoutMs));
    });
    // Connect from the event loop, so that signals can be connected after construction.
    QMetaObject::invokeMethod(this, &Subscriber::connectNow, Qt::QueuedConnection);
}

Subscriber::~Subscriber()
{
    if (m_ac) {
        redisAsyncContext *ac = m_ac;
        m_ac = nullptr;
        ac->data = nullptr; // callbacks run during the free must see no subscriber
        redisAsyncFree(ac);
    }
}

void Subscriber::connectNow()
{
    if (m_state != State::Down)
        return;
    m_tcpConnected = false;
    m_lost = false;
    m_ioError.clear();
    m_handshakeError.clear();
    m_confirmations = 0;
    m_justSubscribed = false;
    m_messages.clear(); // from a dead connection; resubscribed() tells listeners to resync anyway

    redisAsyncContext *ac = nullptr;
    if (m_options.transport == ConnectionOptions::Transport::Unix)
        ac = redisAsyncConnectUnix(QFile::encodeName(m_options.socketPath).constData());
    else
        ac = redisAsyncConnect(m_options.host.toUtf8().constData(), m_options.port);
    m_state = State::Connecting;
    if (!ac) {
        dropConnection(QStringLiteral("cannot allocate a Redis connection"));
        return;
    }
    if (ac->err) {
        const QString message = errorText(ac);
        redisAsyncFree(ac);
        dropConnection(QStringLiteral("cannot connect to Redis at %1: %2").arg(m_options.endpoint(), message));
        return;
    }
    if (m_options.transport == ConnectionOptions::Transport::Tcp)
        redisEnableKeepAlive(&ac->c); // a subscriber only reads: without keep-alive a dead peer goes unnoticed
    m_ac = ac;
    ac->data = this;
    ac->ev.data = this;
    ac->ev.addRead = &Subscriber::addRead;
    ac->ev.delRead = &Subscriber::delRead;
    ac->ev.addWrite = &Subscriber::addWrite;
    ac->ev.delWrite = &Subscriber::delWrite;
    ac->ev.cleanup = &Subscriber::cleanup;
    redisAsyncSetDisconnectCallback(ac, &Subscriber::onDisconnectCallback);
    redisAsyncSetConnectCallback(ac, &Subscriber::onConnectCallback);
    m_deadline.start(std::max(1, m_options.connectTimeoutMs));
}

void Subscriber::startHandshake()
{
    // AUTH (when configured) and a PING, as ordinary commands: an error to SUBSCRIBE itself (such as NOAUTH) is
    // swallowed by hiredis once the context is in subscribe mode, so problems must surface before it.
    m_state = State::Handshaking;
    QList<QList<QByteArray>> steps;
    if (!m_options.password.isEmpty()) {
        QList<QByteArray> auth{QByteArrayLiteral("AUTH")};
        if (!m_options.user.isEmpty())
            auth << m_options.user;
        auth << m_options.password;
        steps << auth;
    }
    steps << QList<QByteArray>{QByteArrayLiteral("PING")};
    m_handshakeRepliesLeft = int(steps.size());
    for (const QList<QByteArray> &step : std::as_const(steps)) {
        if (!sendArgv(m_ac, &Subscriber::onHandshakeReply, nullptr, step)) {
            dropConnection(QStringLiteral("cannot send the Redis handshake"));
            return;
        }
    }
}

void Subscriber::subscribeAll()
{
    m_state = State::Subscribing;
    m_confirmations = 0;
    QList<QByteArray> args{QByteArrayLiteral("SUBSCRIBE")};
    args << m_channels;
    if (!sendArgv(m_ac, &Subscriber::onSubscribeReply, nullptr, args))
        dropConnection(QStringLiteral("cannot send SUBSCRIBE"));
}

void Subscriber::dropConnection(const QString &reason)
{
    if (m_ac) {
        redisAsyncContext *ac = m_ac;
        m_ac = nullptr;
        ac->data = nullptr;
        redisAsyncFree(ac);
    }
    cleanup(this);
    m_deadline.stop();
    const bool wasSubscribed = m_state == State::Subscribed;
    m_state = State::Down;
    m_lastError = reason;
    qCDebug(lcRedisSubscriber) << "subscription dropped:" << reason;
    scheduleReconnect();
    if (wasSubscribed || !m_everSubscribed)
        Q_EMIT connectionLost(reason);
}

void Subscriber::scheduleReconnect()
{
    const double jitter = 0.8 + 0.4 * QRandomGenerator::global()->generateDouble();
    const int delay = std::max(1, int(m_backoffMs * jitter));
    m_backoffMs = std::min(std::max(1, m_options.reconnectMaxDelayMs), m_backoffMs * 2);
    m_reconnectTimer.start(delay);
}

void Subscriber::afterIo()
{
    QPointer<Subscriber> self(this);
    if (m_tcpConnected) {
        m_tcpConnected = false;
        if (m_ac)
            startHandshake();
    }
    if (m_lost) {
        m_lost = false;
        const QString reason = m_state == State::Subscribed ? QStringLiteral("lost the connection to Redis at %1: %2")
                                                            : QStringLiteral("cannot connect to Redis at %1: %2");
        dropConnection(reason.arg(m_options.endpoint(), m_ioError));
        return;
    }
    if (!m_handshakeError.isEmpty()) {
        const QString error = m_handshakeError;
        m_handshakeError.clear();
        dropConnection(QStringLiteral("Redis at %1 refused the subscriber: %2").arg(m_options.endpoint(), error));
        return;
    }
    if (m_state == State::Handshaking && m_handshakeRepliesLeft == 0 && m_ac)
        subscribeAll();
    if (m_justSubscribed) {
        m_justSubscribed = false;
        m_state = State::Subscribed;
        m_deadline.stop();
        m_backoffMs = std::max(1, m_options.reconnectInitialDelayMs);
        const bool again = m_everSubscribed;
        m_everSubscribed = true;
        if (again)
            Q_EMIT resubscribed();
        else
            Q_EMIT subscribed();
        if (!self)
            return;
    }
    while (!m_messages.empty() && self) {
        auto [channel, payload] = std::move(m_messages.front());
        m_messages.pop_front();
        Q_EMIT message(channel, payload);
    }
}

// --- hiredis hooks -----------------------------------------------------------------------------------------------

void Subscriber::onConnectCallback(const redisAsyncContext *ac, int status)
{
    auto *self = static_cast<Subscriber *>(ac->data);
    if (!self)
        return;
    if (status == REDIS_OK) {
        self->m_tcpConnected = true;
        return;
    }
    self->m_ac = nullptr; // hiredis frees the context after this callback
    self->m_lost = true;
    self->m_ioError = errorText(ac);
}

void Subscriber::onDisconnectCallback(const redisAsyncContext *ac, int)
{
    auto *self = static_cast<Subscriber *>(ac->data);
    if (!self)
        return;
    self->m_ac = nullptr; // hiredis frees the context after this callback
    self->m_lost = true;
    self->m_ioError = errorText(ac);
}

void Subscriber::onHandshakeReply(redisAsyncContext *ac, void *reply, void *)
{
    auto *self = static_cast<Subscriber *>(ac->data);
    if (!self || !reply)
        return;
    const auto *r = static_cast<const redisReply *>(reply);
    if (r->type == REDIS_REPLY_ERROR && self->m_handshakeError.isEmpty())
        self->m_handshakeError = QString::fromUtf8(r->str, qsizetype(r->len));
    --self->m_handshakeRepliesLeft;
}

void Subscriber::onSubscribeReply(redisAsyncContext *ac, void *reply, void *)
{
    auto *self = static_cast<Subscriber *>(ac->data);
    if (!self || !reply)
        return; // NULL while hiredis tears the connection down
    const auto *r = static_cast<const redisReply *>(reply);
    if (r->type != REDIS_REPLY_ARRAY || r->elements < 3)
        return;
    const QByteArray kind = elementBytes(r, 0);
    if (kind == "message") {
        self->m_messages.emplace_back(elementBytes(r, 1), elementBytes(r, 2));
    } else if (kind == "subscribe") {
        if (++self->m_confirmations == self->m_channels.size())
            self->m_justSubscribed = true;
    }
}

// The same small Qt event adapter as Client's: one read and one write QSocketNotifier on the hiredis fd,
// disabled and deleted later on cleanup because cleanup can run inside their own activated() signal.
void Subscriber::addRead(void *data)
{
    auto *self = static_cast<Subscriber *>(data);
    if (!self->m_readNotifier && self->m_ac) {
        self->m_readNotifier = new QSocketNotifier(self->m_ac->c.fd, QSocketNotifier::Read, self);
        connect(self->m_readNotifier, &QSocketNotifier::activated, self, [self] {
            if (self->m_ac)
                redisAsyncHandleRead(self->m_ac);
            self->afterIo();
        });
    }
    if (self->m_readNotifier)
        self->m_readNotifier->setEnabled(true);
}

void Subscriber::delRead(void *data)
{
    auto *self = static_cast<Subscriber *>(data);
    if (self->m_readNotifier)
        self->m_readNotifier->setEnabled(false);
}

void Subscriber::addWrite(void *data)
{
    auto *self = static_cast<Subscriber *>(data);
    if (!self->m_writeNotifier && self->m_ac) {
        self->m_writeNotifier = new QSocketNotifier(self->m_ac->c.fd, QSocketNotifier::Write, self);
        connect(self->m_writeNotifier, &QSocketNotifier::activated, self, [self] {
            if (self->m_ac)
                redisAsyncHandleWrite(self->m_ac);
            self->afterIo();
        });
    }
    if (self->m_writeNotifier)
        self->m_writeNotifier->setEnabled(true);
}

void Subscriber::delWrite(void *data)
{
    auto *self = static_cast<Subscriber *>(data);
    if (self->m_writeNotifier)
        self->m_writeNotifier->setEnabled(false);
}

void Subscriber::cleanup(void *data)
{
    auto *self = static_cast<Subscriber *>(data);
    for (QSocketNotifier **notifier : {&self->m_readNotifier, &self->m_writeNotifier}) {
        if (*notifier) {
            (*notifier)->setEnabled(false);
            (*notifier)->deleteLater();
            *notifier = nullptr;
        }
    }
}

} // namespace Relay::Redis
