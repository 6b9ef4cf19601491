// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "redis/command.h"
#include "redis/connectionoptions.h"
#include "redis/result.h"
#include "redis/script.h"
#include "redis/statistics.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <deque>
#include <functional>
#include <memory>

struct redisAsyncContext;
struct redisReply;

namespace Relay::Redis {

class HiredisQtAdapter;

// What a command does while the client is not connected.
enum class WhenDown {
    Queue,    // wait in the bounded queue until reconnected (still subject to the command's timeout)
    FailFast, // fail at once with Error::Kind::Disconnected
};

struct CommandOptions
{
    int timeoutMs = -1; // -1: ConnectionOptions::commandTimeoutMs
    WhenDown whenDown = WhenDown::Queue;
};

// What Client::scan walks.
struct ScanRequest
{
    enum class Kind { Keys, Hash, Set, SortedSet };
    Kind kind = Kind::Keys; // SCAN, HSCAN, SSCAN, ZSCAN
    QByteArray key = {};    // the hash/set/zset for HSCAN/SSCAN/ZSCAN
    QByteArray match = {};  // MATCH pattern; empty for all
    int count = 1000;       // COUNT hint per round trip
};

// Asynchronous Redis connection for one thread (the only code that knows hiredis).
//
// A Client lives in the thread that created it and does all its I/O there. It connects on construction, runs
// AUTH and SELECT on every (re)connect and reconnects with exponential backoff when the connection is lost.
// Commands are pipelined; replies are delivered in order. Each callback runs on its context object's thread
// (directly when that is the client's thread) and is dropped if the context has been destroyed; a null context
// runs the callback on the client's thread unguarded. command()/pipeline()/evalScript() may be called from
// other threads too (the call is posted to the client's thread); the client must outlive such calls.
// Callbacks still pending when the Client is destroyed are dropped. Callbacks never run inside the call that
// issued the command (failures such as QueueFull are delivered from the event loop too).
//
// A command that gets no reply within its timeout fails with Timeout and, because replies are matched by order,
// resets the connection: other commands in flight on it fail with Disconnected (they may or may not have run).
// A TCP host name is resolved with a blocking lookup on each connect attempt: prefer an IP address or a Unix socket.
class Client : public QObject
{
    Q_OBJECT

public:
    using Callback = std::function<void(const Result &)>;
    using BatchCallback = std::function<void(const BatchResult &)>;
    using PingCallback = std::function<void(const Error &error, qint64 roundTripUsec)>;
    // Gets each batch of keys (or field/value, member/score pairs for HSCAN/ZSCAN); `finished` is true on the last
    // call. Return false to stop early. On a transport error `error` is set and the walk ends.
    using ScanCallback = std::function<bool(const Error &error, const QList<QByteArray> &batch, bool finished)>;

    explicit Client(ConnectionOptions options, QObject *parent = nullptr);
    ~Client() override;

    const ConnectionOptions &options() const { return m_options; }
    // True when connected and AUTH/SELECT have succeeded (client thread only; use statistics() elsewhere).
    bool isConnected() const { return m_state == State::Ready; }
    // Why the last connection attempt failed or the connection was lost (empty if it never failed).
    QString lastError() const { return m_lastError; }
    // Lock-free counters, readable from any thread; the pointer keeps them alive after the Client is gone.
    std::shared_ptr<const Statistics> statistics() const { return m_stats; }
    // Called on the client's thread with each command's round-trip time (send to reply), e.g. for a histogram.
    void setRoundTripObserver(std::function<void(qint64 usec)> observer);

    void command(QList<QByteArray> args, QObject *context, Callback callback, CommandOptions options = {});
    // Sends the commands back to back and delivers all replies in one callback.
    void pipeline(QList<QList<QByteArray>> commands, QObject *context, BatchCallback callback,
                  CommandOptions options = {});
    // The same with commands already encoded (hot paths build them once, without a list of arguments).
    void pipeline(QList<Command> commands, QObject *context, BatchCallback callback, CommandOptions options = {});
    // EVALSHA; on NOSCRIPT the script is sent once more with EVAL (which also caches it on the server).
    void evalScript(const Script &script, const QList<QByteArray> &keys, const QList<QByteArray> &args,
                    QObject *context, Callback callback, CommandOptions options = {});
    void ping(QObject *context, PingCallback callback, CommandOptions options = {});
    // Walks SCAN/HSCAN/SSCAN/ZSCAN from cursor 0 until the cursor returns to 0 or the callback returns false.
    void scan(ScanRequest request, QObject *context, ScanCallback callback, CommandOptions options = {});

Q_SIGNALS:
    void connected();
    void disconnected();
    // A connection attempt failed or an established connection was lost; the client keeps retrying.
    void connectionError(const QString &message);

private:
    enum class State { Down, Connecting, Handshaking, Ready };
    using Done = std::function<void(Result &&)>;

    struct Pending
    {
        Command command; // cleared once sent
        Done done;
        qint64 deadlineMs = 0; // on m_clock
        qint64 sentAtUsec = 0; // on m_clock
        int timeoutMs = 0;
    };
    struct Completed
    {
        Done done;
        Result result;
    };

    static Done guarded(QObject *context, Callback callback);
    void submit(Command command, Done done, CommandOptions options);
    void submitBatch(QList<Command> commands, std::function<void(BatchResult &&)> done, CommandOptions options);
    bool send(Pending &pending);
    void fail(Done done, Error::Kind kind, const QString &message);
    void deliverCompleted();
    void scheduleDelivery();
    struct ScanState;
    void scanStep(std::shared_ptr<ScanState> state);

    void connectNow();
    void startHandshake();
    void becomeReady();
    void dropConnection(const QString &reason, bool timedOut);
    void scheduleReconnect();
    void checkDeadlines();
    void armWatchdog(qint64 deadlineMs);
    void afterIo();
    qint64 nowMs() const { return m_clock.elapsed(); }
    qint64 nowUsec() const { return m_clock.nsecsElapsed() / 1000; }
    int effectiveTimeout(const CommandOptions &options) const;

    // hiredis reply hook (C callback): it records the outcome, afterIo() delivers it outside hiredis.
    static void onReplyCallback(redisAsyncContext *ac, void *reply, void *privdata);
    void handleReply(redisReply *reply);

    ConnectionOptions m_options;
    State m_state = State::Down;
    std::unique_ptr<HiredisQtAdapter> m_redis;
    std::deque<Pending> m_inFlight;
    std::deque<Pending> m_queued;
    std::deque<Completed> m_completed;
    QTimer m_reconnectTimer;
    QTimer m_watchdog;
    qint64 m_watchdogDeadlineMs = -1;
    QElapsedTimer m_clock;
    int m_backoffMs = 0;
    bool m_everConnected = false;
    bool m_delivering = false;
    bool m_deliveryScheduled = false;
    qint64 m_connectDeadlineMs = 0;
    quint64 m_generation = 0;
    QString m_lastError;
    std::shared_ptr<Statistics> m_stats = std::make_shared<Statistics>();
    std::function<void(qint64)> m_roundTripObserver;
};

} // namespace Relay::Redis
