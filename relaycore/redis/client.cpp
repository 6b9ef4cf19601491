// SPDX-License-Identifier: GPL-3.0-or-later
#include "redis/client.h"

#include "redis/hiredisqtadapter.h"

#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QThread>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <limits>

Q_LOGGING_CATEGORY(lcRedisClient, "relaydeck.redis.client", QtWarningMsg)

namespace Relay::Redis {

namespace {

Reply convert(const redisReply *r)
{
    switch (r->type) {
    case REDIS_REPLY_STRING:
        return Reply::string(QByteArray(r->str, qsizetype(r->len)));
    case REDIS_REPLY_STATUS:
        return Reply::status(QByteArray(r->str, qsizetype(r->len)));
    case REDIS_REPLY_ERROR:
        return Reply::error(QByteArray(r->str, qsizetype(r->len)));
    case REDIS_REPLY_INTEGER:
        return Reply::integer(r->integer);
    case REDIS_REPLY_ARRAY: {
        QList<Reply> elements;
        elements.reserve(qsizetype(r->elements));
        for (size_t i = 0; i < r->elements; ++i)
            elements.append(convert(r->element[i]));
        return Reply::array(std::move(elements));
    }
    default:
        return Reply::nil();
    }
}

} // namespace

struct Client::ScanState
{
    ScanRequest request;
    QByteArray cursor = QByteArrayLiteral("0");
    QPointer<QObject> context;
    bool hasContext = false;
    ScanCallback callback;
    CommandOptions options;
};

Client::Client(ConnectionOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_redis(std::make_unique<HiredisQtAdapter>(this, [this] { afterIo(); }))
    , m_reconnectTimer(this)
    , m_watchdog(this)
{
    m_clock.start();
    m_backoffMs = std::max(1, m_options.reconnectInitialDelayMs);
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, [this] {
        QPointer<Client> self(this);
        connectNow();
        if (self)
            deliverCompleted();
    });
    m_watchdog.setSingleShot(true);
    m_watchdog.setTimerType(Qt::PreciseTimer);
    connect(&m_watchdog, &QTimer::timeout, this, &Client::checkDeadlines);
    connectNow();
}

Client::~Client()
{
    // Pending callbacks are dropped: running user code from a destructor invites use-after-free.
    m_completed.clear();
    m_queued.clear();
    m_redis->close(); // hiredis now runs our callbacks with NULL replies; they see no client
    m_inFlight.clear();
    m_stats->connected.store(false, std::memory_order_relaxed);
    m_stats->inFlight.store(0, std::memory_order_relaxed);
    m_stats->queued.store(0, std::memory_order_relaxed);
}

void Client::setRoundTripObserver(std::function<void(qint64)> observer)
{
    m_roundTripObserver = std::move(observer);
}

// --- public commands ---------------------------------------------------------------------------------------------

Client::Done Client::guarded(QObject *context, Callback callback)
{
    if (!callback)
        return [](Result &&) {};
    if (!context)
        return [callback = std::move(callback)](Result &&result) { callback(result); };
    return [context = QPointer<QObject>(context), callback = std::move(callback)](Result &&result) {
        if (!context)
            return;
        if (context->thread() == QThread::currentThread()) {
            callback(result);
            return;
        }
        QMetaObject::invokeMethod(
            context.data(), [callback, result = std::move(result)] { callback(result); }, Qt::QueuedConnection);
    };
}

void Client::command(QList<QByteArray> args, QObject *context, Callback callback, CommandOptions options)
{
    submit(Command::fromArgs(args), guarded(context, std::move(callback)), options);
}

void Client::pipeline(QList<QList<QByteArray>> commands, QObject *context, BatchCallback callback,
                      CommandOptions options)
{
    QList<Command> encoded;
    encoded.reserve(commands.size());
    for (const QList<QByteArray> &args : std::as_const(commands))
        encoded.append(Command::fromArgs(args));
    pipeline(std::move(encoded), context, std::move(callback), options);
}

void Client::pipeline(QList<Command> commands, QObject *context, BatchCallback callback, CommandOptions options)
{
    // Reuse the single-result guard: the batch result travels inside a Result-shaped closure.
    auto batch = std::make_shared<BatchResult>();
    Done deliver = guarded(context, [batch, callback = std::move(callback)](const Result &) {
        if (callback)
            callback(*batch);
    });
    submitBatch(
        std::move(commands),
        [batch, deliver = std::move(deliver)](BatchResult &&result) mutable {
            *batch = std::move(result);
            deliver(Result{});
        },
        options);
}

void Client::evalScript(const Script &script, const QList<QByteArray> &keys, const QList<QByteArray> &args,
                        QObject *context, Callback callback, CommandOptions options)
{
    QList<QByteArray> tail;
    tail.reserve(keys.size() + args.size() + 1);
    tail << QByteArray::number(keys.size()) << keys << args;
    QList<QByteArray> evalsha{QByteArrayLiteral("EVALSHA"), script.sha1()};
    evalsha << tail;
    Done done = guarded(context, std::move(callback));
    submit(
        Command::fromArgs(evalsha),
        [this, source = script.source(), tail = std::move(tail), done = std::move(done),
         options](Result &&result) mutable {
            if (!result.error && result.reply.isError() && result.reply.bytes().startsWith("NOSCRIPT")) {
                // EVAL runs the script and caches it on the server, so later EVALSHA calls hit again.
                QList<QByteArray> eval{QByteArrayLiteral("EVAL"), source};
                eval << tail;
                submit(Command::fromArgs(eval), std::move(done), options);
                return;
            }
            done(std::move(result));
        },
        options);
}

void Client::ping(QObject *context, PingCallback callback, CommandOptions options)
{
    command(
        {QByteArrayLiteral("PING")}, context,
        [callback = std::move(callback)](const Result &result) {
            if (!callback)
                return;
            if (result.error)
                callback(result.error, -1);
            else if (result.reply.isError())
                callback(Error{Error::Kind::ReplyError, QString::fromUtf8(result.reply.bytes())}, -1);
            else
                callback(Error{}, result.roundTripUsec);
        },
        options);
}

void Client::scan(ScanRequest request, QObject *context, ScanCallback callback, CommandOptions options)
{
    auto state = std::make_shared<ScanState>();
    state->request = std::move(request);
    state->context = context;
    state->hasContext = context != nullptr;
    state->callback = std::move(callback);
    state->options = options;
    scanStep(std::move(state));
}

void Client::scanStep(std::shared_ptr<ScanState> state)
{
    const ScanRequest &request = state->request;
    QList<QByteArray> args;
    switch (request.kind) {
    case ScanRequest::Kind::Keys:
        args << QByteArrayLiteral("SCAN");
        break;
    case ScanRequest::Kind::Hash:
        args << QByteArrayLiteral("HSCAN") << request.key;
        break;
    case ScanRequest::Kind::Set:
        args << QByteArrayLiteral("SSCAN") << request.key;
        break;
    case ScanRequest::Kind::SortedSet:
        args << QByteArrayLiteral("ZSCAN") << request.key;
        break;
    }
    args << state->cursor;
    if (!request.match.isEmpty())
        args << QByteArrayLiteral("MATCH") << request.match;
    args << QByteArrayLiteral("COUNT") << QByteArray::number(std::max(1, request.count));

    if (state->hasContext && !state->context)
        return;
    QPointer<Client> self(this);
    command(
        std::move(args), state->context,
        [self, state](const Result &result) {
            if (!state->callback)
                return;
            if (result.error) {
                state->callback(result.error, {}, true);
                return;
            }
            const Reply &reply = result.reply;
            if (reply.isError() || !reply.isArray() || reply.elements().size() != 2) {
                const QString message =
                    reply.isError() ? QString::fromUtf8(reply.bytes()) : QStringLiteral("unexpected SCAN reply shape");
                state->callback(Error{Error::Kind::ReplyError, message}, {}, true);
                return;
            }
            const QByteArray cursor = reply.elements().at(0).toByteArray();
            const bool finished = cursor == "0";
            const bool more = state->callback(Error{}, reply.elements().at(1).toByteArrayList(), finished);
            if (finished || !more || !self)
                return;
            state->cursor = cursor;
            self->scanStep(state);
        },
        state->options);
}

// --- queueing and sending ----------------------------------------------------------------------------------------

int Client::effectiveTimeout(const CommandOptions &options) const
{
    return options.timeoutMs >= 0 ? options.timeoutMs : m_options.commandTimeoutMs;
}

void Client::submit(Command command, Done done, CommandOptions options)
{
    if (QThread::currentThread() != thread()) {
        QMetaObject::invokeMethod(
            this,
            [this, command = std::move(command), done = std::move(done), options]() mutable {
                submit(std::move(command), std::move(done), options);
            },
            Qt::QueuedConnection);
        return;
    }
    if (command.argumentCount() == 0) {
        fail(std::move(done), Error::Kind::InvalidArgument, QStringLiteral("empty Redis command"));
        scheduleDelivery();
        return;
    }
    Pending pending;
    pending.command = std::move(command);
    pending.done = std::move(done);
    pending.timeoutMs = effectiveTimeout(options);
    pending.deadlineMs = nowMs() + pending.timeoutMs;

    if (m_state == State::Ready) {
        if (!send(pending)) {
            fail(std::move(pending.done), Error::Kind::Disconnected, QStringLiteral("Redis connection is closing"));
            scheduleDelivery();
        }
        return;
    }
    if (options.whenDown == WhenDown::FailFast) {
        fail(std::move(pending.done), Error::Kind::Disconnected,
             m_lastError.isEmpty() ? QStringLiteral("Redis is not connected")
                                   : QStringLiteral("Redis is not connected: %1").arg(m_lastError));
        scheduleDelivery();
        return;
    }
    if (qsizetype(m_queued.size()) >= m_options.maxQueuedCommands) {
        fail(std::move(pending.done), Error::Kind::QueueFull,
             QStringLiteral("Redis is not connected and %1 commands are already waiting").arg(m_queued.size()));
        scheduleDelivery();
        return;
    }
    armWatchdog(pending.deadlineMs);
    m_queued.push_back(std::move(pending));
    m_stats->queued.store(qint64(m_queued.size()), std::memory_order_relaxed);
}

void Client::submitBatch(QList<Command> commands, std::function<void(BatchResult &&)> done, CommandOptions options)
{
    if (QThread::currentThread() != thread()) {
        QMetaObject::invokeMethod(
            this,
            [this, commands = std::move(commands), done = std::move(done), options]() mutable {
                submitBatch(std::move(commands), std::move(done), options);
            },
            Qt::QueuedConnection);
        return;
    }
    const qsizetype count = commands.size();
    const bool wouldQueue = m_state != State::Ready && options.whenDown == WhenDown::Queue;
    if (count == 0 || (wouldQueue && qsizetype(m_queued.size()) + count > m_options.maxQueuedCommands)) {
        BatchResult result;
        if (count != 0)
            result.error = {
                Error::Kind::QueueFull,
                QStringLiteral("Redis is not connected and the wait queue has no room for %1 commands").arg(count)};
        m_completed.push_back({[done = std::move(done), result](Result &&) mutable { done(std::move(result)); }, {}});
        scheduleDelivery();
        return;
    }
    struct State
    {
        BatchResult result;
        qsizetype remaining = 0;
        std::function<void(BatchResult &&)> done;
    };
    auto state = std::make_shared<State>();
    state->result.replies.resize(count);
    state->remaining = count;
    state->done = std::move(done);
    for (qsizetype i = 0; i < count; ++i) {
        submit(
            std::move(commands[i]),
            [state, i](Result &&result) {
                if (result.error && !state->result.error)
                    state->result.error = result.error;
                state->result.replies[i] = std::move(result.reply);
                if (--state->remaining == 0)
                    state->done(std::move(state->result));
            },
            options);
    }
}

bool Client::send(Pending &pending)
{
    if (!m_redis->send(pending.command, &Client::onReplyCallback))
        return false;
    pending.command = {};
    pending.sentAtUsec = nowUsec();
    armWatchdog(pending.deadlineMs);
    m_inFlight.push_back(std::move(pending));
    m_stats->commandsSent.fetch_add(1, std::memory_order_relaxed);
    m_stats->inFlight.store(qint64(m_inFlight.size()), std::memory_order_relaxed);
    return true;
}

void Client::fail(Done done, Error::Kind kind, const QString &message)
{
    if (kind == Error::Kind::Timeout)
        m_stats->timeouts.fetch_add(1, std::memory_order_relaxed);
    else
        m_stats->failures.fetch_add(1, std::memory_order_relaxed);
    Result result;
    result.error = {kind, message};
    m_completed.push_back({std::move(done), std::move(result)});
}

void Client::scheduleDelivery()
{
    // Never call back from inside command(): callers must not be re-entered.
    if (m_deliveryScheduled)
        return;
    m_deliveryScheduled = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_deliveryScheduled = false;
            deliverCompleted();
        },
        Qt::QueuedConnection);
}

void Client::deliverCompleted()
{
    if (m_delivering)
        return;
    m_delivering = true;
    QPointer<Client> self(this);
    while (!m_completed.empty()) {
        Completed item = std::move(m_completed.front());
        m_completed.pop_front();
        if (item.result.roundTripUsec >= 0 && m_roundTripObserver)
            m_roundTripObserver(item.result.roundTripUsec);
        if (item.done)
            item.done(std::move(item.result));
        if (!self)
            return; // a callback destroyed the client
    }
    m_delivering = false;
}

// --- connection life cycle ---------------------------------------------------------------------------------------

void Client::connectNow()
{
    if (m_state != State::Down)
        return;
    ++m_generation;
    m_connectDeadlineMs = nowMs() + m_options.connectTimeoutMs;
    const QString error = m_redis->open(m_options);
    m_state = State::Connecting;
    if (!error.isEmpty()) {
        dropConnection(error, false);
        return;
    }
    armWatchdog(m_connectDeadlineMs);
    qCDebug(lcRedisClient) << "connecting to" << m_options.endpoint();
}

void Client::startHandshake()
{
    m_state = State::Handshaking;
    struct Step
    {
        QList<QByteArray> args;
        QString what;
    };
    QList<Step> steps;
    if (!m_options.password.isEmpty()) {
        QList<QByteArray> auth{QByteArrayLiteral("AUTH")};
        if (!m_options.user.isEmpty())
            auth << m_options.user;
        auth << m_options.password;
        steps.append({auth, QStringLiteral("AUTH")});
    }
    if (m_options.database != 0)
        steps.append({{QByteArrayLiteral("SELECT"), QByteArray::number(m_options.database)}, QStringLiteral("SELECT")});
    // Always end with a round trip so "connected" means the server really answers (not just the kernel's accept).
    steps.append({{QByteArrayLiteral("PING")}, QStringLiteral("PING")});

    const quint64 generation = m_generation;
    for (qsizetype i = 0; i < steps.size(); ++i) {
        Pending pending;
        pending.command = Command::fromArgs(steps.at(i).args);
        pending.deadlineMs = m_connectDeadlineMs;
        pending.timeoutMs = m_options.connectTimeoutMs;
        const bool last = i == steps.size() - 1;
        pending.done = [this, generation, last, what = steps.at(i).what](Result &&result) {
            if (generation != m_generation || m_state != State::Handshaking || result.error)
                return; // a dropped connection is handled by dropConnection()
            if (result.reply.isError()) {
                dropConnection(QStringLiteral("Redis %1 failed at %2: %3")
                                   .arg(what, m_options.endpoint(), QString::fromUtf8(result.reply.bytes())),
                               false);
                return;
            }
            if (last)
                becomeReady();
        };
        if (!send(pending)) {
            dropConnection(QStringLiteral("cannot send the Redis handshake"), false);
            return;
        }
    }
}

void Client::becomeReady()
{
    m_state = State::Ready;
    m_backoffMs = std::max(1, m_options.reconnectInitialDelayMs);
    m_stats->connected.store(true, std::memory_order_relaxed);
    if (m_everConnected)
        m_stats->reconnects.fetch_add(1, std::memory_order_relaxed);
    m_everConnected = true;
    qCDebug(lcRedisClient) << "connected to" << m_options.endpoint();

    std::deque<Pending> queued;
    queued.swap(m_queued);
    m_stats->queued.store(0, std::memory_order_relaxed);
    const qint64 now = nowMs();
    for (Pending &pending : queued) {
        if (pending.deadlineMs <= now)
            fail(std::move(pending.done), Error::Kind::Timeout,
                 QStringLiteral("Redis command timed out after %1 ms waiting for a connection").arg(pending.timeoutMs));
        else if (!send(pending))
            fail(std::move(pending.done), Error::Kind::Disconnected, QStringLiteral("Redis connection is closing"));
    }
    Q_EMIT connected();
}

void Client::dropConnection(const QString &reason, bool timedOut)
{
    m_redis->close();
    const bool wasReady = m_state == State::Ready;
    m_state = State::Down;
    m_stats->connected.store(false, std::memory_order_relaxed);
    if (!wasReady)
        m_stats->connectFailures.fetch_add(1, std::memory_order_relaxed);

    std::deque<Pending> inFlight;
    inFlight.swap(m_inFlight);
    m_stats->inFlight.store(0, std::memory_order_relaxed);
    const qint64 now = nowMs();
    for (Pending &pending : inFlight) {
        if (timedOut && pending.deadlineMs <= now)
            fail(std::move(pending.done), Error::Kind::Timeout,
                 QStringLiteral("Redis command got no reply within %1 ms").arg(pending.timeoutMs));
        else
            fail(std::move(pending.done), Error::Kind::Disconnected,
                 QStringLiteral("Redis connection reset before the reply: %1").arg(reason));
    }
    m_lastError = reason;
    qCDebug(lcRedisClient) << "connection dropped:" << reason;
    scheduleReconnect();

    QPointer<Client> self(this);
    Q_EMIT connectionError(reason);
    if (self && wasReady)
        Q_EMIT disconnected();
}

void Client::scheduleReconnect()
{
    const double jitter = 0.8 + 0.4 * QRandomGenerator::global()->generateDouble();
    const int delay = std::max(1, int(m_backoffMs * jitter));
    m_backoffMs = std::min(std::max(1, m_options.reconnectMaxDelayMs), m_backoffMs * 2);
    m_reconnectTimer.start(delay);
}

void Client::armWatchdog(qint64 deadlineMs)
{
    if (m_watchdog.isActive() && m_watchdogDeadlineMs <= deadlineMs)
        return;
    m_watchdogDeadlineMs = deadlineMs;
    m_watchdog.start(int(std::clamp<qint64>(deadlineMs - nowMs(), 0, std::numeric_limits<int>::max())));
}

void Client::checkDeadlines()
{
    m_watchdogDeadlineMs = -1;
    const qint64 now = nowMs();
    QPointer<Client> self(this);

    if ((m_state == State::Connecting || m_state == State::Handshaking) && now >= m_connectDeadlineMs) {
        dropConnection(QStringLiteral("Redis at %1 did not answer within %2 ms")
                           .arg(m_options.endpoint())
                           .arg(m_options.connectTimeoutMs),
                       true);
    } else if (std::any_of(m_inFlight.begin(), m_inFlight.end(),
                           [now](const Pending &p) { return p.deadlineMs <= now; })) {
        // Replies are matched by order, so after a lost reply the connection cannot be trusted any more.
        dropConnection(QStringLiteral("a command to Redis at %1 got no reply in time").arg(m_options.endpoint()), true);
    }
    if (!self)
        return;

    for (auto it = m_queued.begin(); it != m_queued.end();) {
        if (it->deadlineMs <= now) {
            fail(std::move(it->done), Error::Kind::Timeout,
                 QStringLiteral("Redis command timed out after %1 ms waiting for a connection").arg(it->timeoutMs));
            it = m_queued.erase(it);
        } else {
            ++it;
        }
    }
    m_stats->queued.store(qint64(m_queued.size()), std::memory_order_relaxed);

    qint64 next = std::numeric_limits<qint64>::max();
    if (m_state == State::Connecting || m_state == State::Handshaking)
        next = m_connectDeadlineMs;
    for (const Pending &p : m_inFlight)
        next = std::min(next, p.deadlineMs);
    for (const Pending &p : m_queued)
        next = std::min(next, p.deadlineMs);
    if (next != std::numeric_limits<qint64>::max())
        armWatchdog(next);
    deliverCompleted();
}

void Client::afterIo()
{
    if (m_redis->takeConnected() && m_redis->isOpen())
        startHandshake();
    if (const std::optional<QString> ioError = m_redis->takeLost()) {
        QPointer<Client> self(this);
        const QString reason = m_state == State::Ready ? QStringLiteral("lost the connection to Redis at %1: %2")
                                                       : QStringLiteral("cannot connect to Redis at %1: %2");
        dropConnection(reason.arg(m_options.endpoint(), *ioError), false);
        if (!self)
            return;
    }
    deliverCompleted();
}

// --- hiredis hooks -----------------------------------------------------------------------------------------------

void Client::onReplyCallback(redisAsyncContext *ac, void *reply, void *)
{
    auto *client = static_cast<Client *>(HiredisQtAdapter::ownerOf(ac));
    if (!client)
        return;
    if (!reply) {
        // hiredis is tearing the connection down and flushes its callbacks.
        if (client->m_inFlight.empty())
            return;
        Pending pending = std::move(client->m_inFlight.front());
        client->m_inFlight.pop_front();
        client->fail(std::move(pending.done), Error::Kind::Disconnected,
                     QStringLiteral("Redis connection lost before the reply: %1").arg(HiredisQtAdapter::errorText(ac)));
        client->m_stats->inFlight.store(qint64(client->m_inFlight.size()), std::memory_order_relaxed);
        return;
    }
    client->handleReply(static_cast<redisReply *>(reply));
}

void Client::handleReply(redisReply *reply)
{
    if (m_inFlight.empty())
        return;
    Pending pending = std::move(m_inFlight.front());
    m_inFlight.pop_front();
    m_stats->inFlight.store(qint64(m_inFlight.size()), std::memory_order_relaxed);
    Result result;
    result.reply = convert(reply);
    result.roundTripUsec = nowUsec() - pending.sentAtUsec;
    m_stats->replies.fetch_add(1, std::memory_order_relaxed);
    if (result.reply.isError())
        m_stats->errorReplies.fetch_add(1, std::memory_order_relaxed);
    m_completed.push_back({std::move(pending.done), std::move(result)});
}

} // namespace Relay::Redis
