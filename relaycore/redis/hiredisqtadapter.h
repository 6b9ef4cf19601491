// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

struct redisAsyncContext;
class QObject;
class QSocketNotifier;

namespace Relay::Redis {

class Command;
struct ConnectionOptions;

// One hiredis async context driven by Qt socket notifiers; internal to relaycore/redis (Client and Subscriber).
//
// hiredis's own adapters/qt.h is not used: its destructor writes into a context that hiredis may already have
// freed (after a disconnect or a failed connect), and it needs moc run on a system header. This adapter owns one
// read and one write QSocketNotifier on the context's fd, created in the calling thread, so open() and send() must
// be called from the owner's thread. hiredis callbacks only record what happened; the owner acts on it in its
// afterIo function, which runs after every notifier activation, once hiredis has returned.
class HiredisQtAdapter
{
public:
    using ReplyCallback = void (*)(redisAsyncContext *ac, void *reply, void *privdata);

    // The notifiers are children of `owner`; `afterIo` is called after hiredis has handled each read or write.
    HiredisQtAdapter(QObject *owner, std::function<void()> afterIo);
    ~HiredisQtAdapter();
    HiredisQtAdapter(const HiredisQtAdapter &) = delete;
    HiredisQtAdapter &operator=(const HiredisQtAdapter &) = delete;

    // Starts a non-blocking connect. Returns why it could not start, or an empty string when it started (the
    // outcome arrives later through takeConnected() or takeLost()).
    QString open(const ConnectionOptions &options);
    // Frees the context: reply callbacks still pending run with NULL replies and ownerOf() returns null for them.
    void close();
    bool isOpen() const { return m_ac != nullptr; }
    redisAsyncContext *context() const { return m_ac; }
    // Queues one command; false when there is no context or hiredis refuses it.
    bool send(const QList<QByteArray> &args, ReplyCallback callback);
    bool send(const Command &command, ReplyCallback callback);

    // True once after the TCP/Unix connect succeeded.
    bool takeConnected();
    // Why the connection failed or was lost, once; the context is gone by then.
    std::optional<QString> takeLost();

    // The owner of the adapter that `ac` belongs to, or null while the context is being freed.
    static QObject *ownerOf(const redisAsyncContext *ac);
    static QString errorText(const redisAsyncContext *ac);

private:
    static void onConnect(const redisAsyncContext *ac, int status);
    static void onDisconnect(const redisAsyncContext *ac, int status);
    static void addRead(void *data);
    static void delRead(void *data);
    static void addWrite(void *data);
    static void delWrite(void *data);
    static void cleanup(void *data);
    QSocketNotifier *createNotifier(bool write);
    void recordLoss(const redisAsyncContext *ac);

    QObject *m_owner;
    std::function<void()> m_afterIo;
    redisAsyncContext *m_ac = nullptr;
    QSocketNotifier *m_readNotifier = nullptr;
    QSocketNotifier *m_writeNotifier = nullptr;
    bool m_connected = false;
    bool m_lost = false;
    QString m_lostReason;
};

} // namespace Relay::Redis
