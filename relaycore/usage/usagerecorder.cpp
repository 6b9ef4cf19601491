// SPDX-License-Identifier: GPL-3.0-or-later
#include "usage/usagerecorder.h"

#include "log/logger.h"
#include "redis/client.h"
#include "usage/timebuckets.h"

#include <QThread>

#include <algorithm>

namespace Relay::Usage {

namespace {

constexpr qsizetype MaxModelFieldLength = 100;

bool isTransportFailure(const Redis::Error &error)
{
    switch (error.kind) {
    case Redis::Error::Kind::Timeout:
    case Redis::Error::Kind::Disconnected:
    case Redis::Error::Kind::QueueFull:
    case Redis::Error::Kind::Protocol:
        return true;
    default:
        return false;
    }
}

// The server's complaint about a batch (an error reply, or an error inside the EXEC answer), or empty.
QByteArray batchError(const Redis::BatchResult &result)
{
    for (const Redis::Reply &reply : result.replies) {
        if (reply.isError())
            return reply.bytes();
    }
    if (result.replies.isEmpty())
        return QByteArrayLiteral("no reply");
    const Redis::Reply &exec = result.replies.constLast();
    if (exec.isNil())
        return QByteArrayLiteral("transaction aborted");
    for (const Redis::Reply &reply : exec.elements()) {
        if (reply.isError())
            return reply.bytes();
    }
    return {};
}

} // namespace

UsageRecorder::UsageRecorder(Redis::Client *client, Redis::KeySpace keys, PricingAccessor pricing,
                             UsageRecorderOptions options, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_keys(std::move(keys))
    , m_pricing(std::move(pricing))
    , m_options(options)
{
    m_options.maxBacklog = std::max<qsizetype>(1, m_options.maxBacklog);
    m_options.maxInFlight = std::max(1, m_options.maxInFlight);
    m_retryTimer.setSingleShot(true);
    m_retryTimer.setInterval(m_options.retryDelayMs);
    connect(&m_retryTimer, &QTimer::timeout, this, &UsageRecorder::pump);
    if (client)
        connect(client, &Redis::Client::connected, this, &UsageRecorder::pump);
}

UsageRecorder::~UsageRecorder() = default;

void UsageRecorder::record(UsageRecord record)
{
    if (QThread::currentThread() != thread()) {
        QMetaObject::invokeMethod(
            this, [this, record = std::move(record)]() mutable { this->record(std::move(record)); },
            Qt::QueuedConnection);
        return;
    }
    auto pending = std::make_shared<Pending>();
    pending->sequence = m_nextSequence++;
    const std::shared_ptr<const PricingTable> table = m_pricing ? m_pricing() : nullptr;
    if (table) {
        const Cost cost = table->cost(record.model(), record.usage);
        pending->costNanos = cost.nanos;
        pending->costKnown = cost.known;
    }
    pending->record = std::move(record);
    enqueue(std::move(pending));
    pump();
}

void UsageRecorder::enqueue(PendingPtr pending)
{
    // Records that failed in flight go back before the younger ones that queued meanwhile, so the order holds.
    auto position = std::upper_bound(m_queue.begin(), m_queue.end(), pending->sequence,
                                     [](quint64 sequence, const PendingPtr &p) { return sequence < p->sequence; });
    m_queue.insert(position, std::move(pending));
    while (qsizetype(m_queue.size()) > m_options.maxBacklog) {
        m_queue.pop_front();
        m_stats->dropped.fetch_add(1, std::memory_order_relaxed);
    }
    updateBacklog();
}

void UsageRecorder::pump()
{
    while (!m_queue.empty() && m_inFlight < m_options.maxInFlight && m_client && m_client->isConnected()) {
        PendingPtr pending = std::move(m_queue.front());
        m_queue.pop_front();
        send(std::move(pending));
    }
    updateBacklog();
}

void UsageRecorder::send(PendingPtr pending)
{
    QList<QList<QByteArray>> batch{{QByteArrayLiteral("MULTI")}};
    batch << commands(pending->record, pending->costNanos, pending->costKnown, m_keys);
    batch << QList<QByteArray>{QByteArrayLiteral("EXEC")};
    ++m_inFlight;
    Redis::CommandOptions options;
    options.timeoutMs = m_options.commandTimeoutMs;
    options.whenDown = Redis::WhenDown::FailFast; // waiting is this class's job, with its own bound
    m_client->pipeline(
        std::move(batch), this,
        [this, pending = std::move(pending)](const Redis::BatchResult &result) { finished(pending, result); }, options);
}

void UsageRecorder::finished(PendingPtr pending, const Redis::BatchResult &result)
{
    --m_inFlight;
    if (result.error && isTransportFailure(result.error)) {
        m_stats->retried.fetch_add(1, std::memory_order_relaxed);
        enqueue(std::move(pending));
        m_retryTimer.start(); // in case the reconnect was signalled before this failure arrived
        return;
    }
    const QByteArray error = result.error ? result.error.message.toUtf8() : batchError(result);
    if (error.isEmpty()) {
        m_stats->written.fetch_add(1, std::memory_order_relaxed);
    } else {
        m_stats->rejected.fetch_add(1, std::memory_order_relaxed);
        Log::logger().warn("usage record for key {} not written: {}", pending->record.keyId, error);
    }
    pump();
}

void UsageRecorder::updateBacklog()
{
    m_stats->backlog.store(qint64(m_queue.size()) + m_inFlight, std::memory_order_relaxed);
}

QByteArray UsageRecorder::modelField(QByteArrayView model)
{
    QByteArray name = PricingTable::normalizeModel(model);
    if (name.isEmpty())
        return QByteArrayLiteral("unknown");
    name.truncate(MaxModelFieldLength);
    for (char &c : name) {
        const bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (!allowed)
            c = '_';
    }
    return name;
}

QList<QList<QByteArray>> UsageRecorder::commands(const UsageRecord &record, qint64 costNanos, bool costKnown,
                                                 const Redis::KeySpace &keys)
{
    const TokenUsage &usage = record.usage;
    const std::pair<QByteArrayView, qint64> deltas[] = {
        {"requests", 1},
        {"input_tokens", usage.inputTokens},
        {"output_tokens", usage.outputTokens},
        {"cache_creation_5m_tokens", usage.cacheCreation5mTokens},
        {"cache_creation_1h_tokens", usage.cacheCreation1hTokens},
        {"cache_read_tokens", usage.cacheReadTokens},
        {"cost_nanos", costKnown ? costNanos : 0},
        {"cost_unknown", costKnown ? 0 : 1},
        {"streamed_requests", record.streamed ? 1 : 0},
        {"error_requests", record.status >= 200 && record.status < 300 ? 0 : 1},
    };
    const QByteArray modelPrefix = "m:" + modelField(record.model()) + ':';
    const TimeBuckets buckets = bucketsFor(record.endMs);
    const QByteArray daySuffix = "usage:d:" + buckets.day;
    const QByteArray hourSuffix = "usage:h:" + buckets.hour;
    const QByteArray dayTtl = QByteArray::number(DayTtlSeconds);
    const QByteArray hourTtl = QByteArray::number(HourTtlSeconds);
    const QByteArray endMs = QByteArray::number(record.endMs);

    QList<QList<QByteArray>> out;
    out.reserve(128);
    auto increment = [&](const QByteArray &key, bool perModel) {
        for (const auto &[field, value] : deltas) {
            if (value <= 0)
                continue;
            const QByteArray amount = QByteArray::number(value);
            out << QList<QByteArray>{QByteArrayLiteral("HINCRBY"), key, field.toByteArray(), amount};
            if (perModel)
                out << QList<QByteArray>{QByteArrayLiteral("HINCRBY"), key, modelPrefix + field.toByteArray(), amount};
        }
    };
    auto owner = [&](const QByteArray &total, const QByteArray &day, const QByteArray &hour) {
        if (!total.isEmpty())
            increment(total, false);
        increment(day, true);
        increment(hour, false);
        out << QList<QByteArray>{QByteArrayLiteral("EXPIRE"), day, dayTtl};
        out << QList<QByteArray>{QByteArrayLiteral("EXPIRE"), hour, hourTtl};
    };
    if (!record.keyId.isEmpty())
        owner(keys.apiKey(record.keyId, "usage:total"), keys.apiKey(record.keyId, daySuffix),
              keys.apiKey(record.keyId, hourSuffix));
    if (!record.accountId.isEmpty())
        owner(keys.account(record.accountId, "usage:total"), keys.account(record.accountId, daySuffix),
              keys.account(record.accountId, hourSuffix));
    owner({}, keys.global(daySuffix), keys.global(hourSuffix));
    if (!record.keyId.isEmpty())
        out << QList<QByteArray>{QByteArrayLiteral("HSET"), keys.apiKey(record.keyId, "record"),
                                 QByteArrayLiteral("last_used_at"), endMs};
    if (!record.accountId.isEmpty())
        out << QList<QByteArray>{QByteArrayLiteral("HSET"), keys.account(record.accountId, "record"),
                                 QByteArrayLiteral("last_used_at"), endMs};
    for (const LeaseRelease &release : record.leaseReleases)
        out << QList<QByteArray>{QByteArrayLiteral("ZREM"), release.zsetKey, release.member};
    return out;
}

} // namespace Relay::Usage
