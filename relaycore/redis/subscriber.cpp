// SPDX-License-Identifier: GPL-3.0-or-later
#include "redis/subscriber.h"

#include "redis/hiredisqtadapter.h"

#include <QLoggingCategory>
#include <QPointer>
#include <QRandomGenerator>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>

Q_LOGGING_CATEGORY(lcRedisSubscriber, "relaydeck.redis.subscriber", QtWarningMsg)

namespace Relay::Redis {

namespace {

QByteArray elementBytes(const redisReply *reply, size_t index)
{
    if (index >= reply->elements)
        return {};
    const redisReply *e = reply->element[index];
    if (e->type != REDIS_REPLY_STRING && e->type != REDIS_REPLY_STATUS)
        return {};
    return QByteArray(e->str, qsizetype(e->len));
}

} // namespace

Subscriber::Subscriber(ConnectionOptions options, QList<QByteArray> channels, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_channels(std::move(channels))
    , m_redis(std::make_unique<HiredisQtAdapter>(this, [this] { afterIo(); }))
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
    m_redis->close(); // callbacks run during the free see no subscriber
}

void Subscriber::connectNow()
{
    if (m_state != State::Down)
        return;
    m_handshakeError.clear();
    m_confirmations = 0;
    m_justSubscribed = false;
    m_messages.clear(); // from a dead connection; resubscribed() tells listeners to resync anyway

    const QString error = m_redis->open(m_options);
    m_state = State::Connecting;
    if (!error.isEmpty()) {
        dropConnection(error);
        return;
    }
    // A subscriber only reads: without keep-alive a dead peer goes unnoticed.
    if (m_options.transport == ConnectionOptions::Transport::Tcp)
        redisEnableKeepAlive(&m_redis->context()->c);
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
        if (!m_redis->send(step, &Subscriber::onHandshakeReply)) {
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
    if (!m_redis->send(args, &Subscriber::onSubscribeReply))
        dropConnection(QStringLiteral("cannot send SUBSCRIBE"));
}

void Subscriber::dropConnection(const QString &reason)
{
    m_redis->close();
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
    if (m_redis->takeConnected() && m_redis->isOpen())
        startHandshake();
    if (const std::optional<QString> ioError = m_redis->takeLost()) {
        const QString reason = m_state == State::Subscribed ? QStringLiteral("lost the connection to Redis at %1: %2")
                                                            : QStringLiteral("cannot connect to Redis at %1: %2");
        dropConnection(reason.arg(m_options.endpoint(), *ioError));
        return;
    }
    if (!m_handshakeError.isEmpty()) {
        const QString error = m_handshakeError;
        m_handshakeError.clear();
        dropConnection(QStringLiteral("Redis at %1 refused the subscriber: %2").arg(m_options.endpoint(), error));
        return;
    }
    if (m_state == State::Handshaking && m_handshakeRepliesLeft == 0 && m_redis->isOpen())
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

void Subscriber::onHandshakeReply(redisAsyncContext *ac, void *reply, void *)
{
    auto *self = static_cast<Subscriber *>(HiredisQtAdapter::ownerOf(ac));
    if (!self || !reply)
        return;
    const auto *r = static_cast<const redisReply *>(reply);
    if (r->type == REDIS_REPLY_ERROR && self->m_handshakeError.isEmpty())
        self->m_handshakeError = QString::fromUtf8(r->str, qsizetype(r->len));
    --self->m_handshakeRepliesLeft;
}

void Subscriber::onSubscribeReply(redisAsyncContext *ac, void *reply, void *)
{
    auto *self = static_cast<Subscriber *>(HiredisQtAdapter::ownerOf(ac));
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

} // namespace Relay::Redis
