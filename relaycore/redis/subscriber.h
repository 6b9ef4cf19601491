// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "redis/connectionoptions.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QTimer>

#include <deque>
#include <memory>
#include <utility>

struct redisAsyncContext;

namespace Relay::Redis {

class HiredisQtAdapter;

// A dedicated Redis connection in subscribe mode (SUBSCRIBE to a fixed list of channels).
//
// Pub/sub needs its own connection: once subscribed, a connection can run no other commands. The Subscriber
// connects on construction, runs AUTH (SELECT does not matter: channels are global), subscribes, and reconnects
// with exponential backoff when the connection is lost. Redis does not keep messages for absent subscribers, so
// after a reconnect resubscribed() tells listeners that they may have missed messages (caches should drop
// everything). Lives in the thread that created it; signals are emitted from its event loop, never from inside
// hiredis. A dead peer is noticed by TCP keep-alive or when the server closes the socket.
class Subscriber : public QObject
{
    Q_OBJECT

public:
    Subscriber(ConnectionOptions options, QList<QByteArray> channels, QObject *parent = nullptr);
    ~Subscriber() override;

    const QList<QByteArray> &channels() const { return m_channels; }
    // True while every channel is confirmed subscribed on a live connection.
    bool isSubscribed() const { return m_state == State::Subscribed; }
    QString lastError() const { return m_lastError; }

Q_SIGNALS:
    // Every channel is confirmed, for the first time.
    void subscribed();
    // Every channel is confirmed again after a lost connection: messages sent meanwhile were missed.
    void resubscribed();
    void message(const QByteArray &channel, const QByteArray &payload);
    // The subscription is gone (or a connection attempt failed); the Subscriber keeps retrying.
    void connectionLost(const QString &reason);

private:
    enum class State { Down, Connecting, Handshaking, Subscribing, Subscribed };

    void connectNow();
    void startHandshake();
    void subscribeAll();
    void dropConnection(const QString &reason);
    void scheduleReconnect();
    void afterIo();

    static void onHandshakeReply(redisAsyncContext *ac, void *reply, void *privdata);
    static void onSubscribeReply(redisAsyncContext *ac, void *reply, void *privdata);

    ConnectionOptions m_options;
    QList<QByteArray> m_channels;
    State m_state = State::Down;
    std::unique_ptr<HiredisQtAdapter> m_redis;
    QTimer m_reconnectTimer;
    QTimer m_deadline; // connect + handshake + subscribe must finish within connectTimeoutMs
    int m_backoffMs = 0;
    bool m_everSubscribed = false;
    QString m_lastError;

    // Recorded by hiredis callbacks, acted on by afterIo() once hiredis has returned.
    int m_handshakeRepliesLeft = 0;
    QString m_handshakeError;
    int m_confirmations = 0;
    bool m_justSubscribed = false;
    std::deque<std::pair<QByteArray, QByteArray>> m_messages;
};

} // namespace Relay::Redis
