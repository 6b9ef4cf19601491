// SPDX-License-Identifier: GPL-3.0-or-later
#include "usage/usagerecorder.h"

#include "log/logger.h"
#include "redis/client.h"
#include "usage/timebuckets.h"
#include "usage/usagescript.h"

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
    if (client) {
        connect(client, &Redis::Client::connected, this, [this] {
            m_scriptLoaded = false; // the server may be a new process with an empty script cache
            pump();
        });
    }
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
        const qsizetype count = std::min<qsizetype>(qsizetype(m_queue.size()), m_options.maxRecordsPerBatch);
        Batch batch;
        batch.reserve(size_t(count));
        for (qsizetype i = 0; i < count; ++i) {
            batch.push_back(std::move(m_queue.front()));
            m_queue.pop_front();
        }
        send(std::move(batch));
    }
    updateBacklog();
}

void UsageRecorder::send(Batch batch)
{
    const bool loadScript = !m_scriptLoaded;
    QList<QList<QByteArray>> commands;
    commands.reserve(qsizetype(batch.size()) + 1);
    if (loadScript) {
        // Commands on one connection run in order, so the load precedes this and every later EVALSHA.
        commands << QList<QByteArray>{QByteArrayLiteral("SCRIPT"), QByteArrayLiteral("LOAD"),
                                      UsageScript::script().source()};
        m_scriptLoaded = true;
        ++m_loadGeneration;
    }
    for (const PendingPtr &pending : batch) {
        const TimeBuckets buckets = bucketsFor(pending->record.endMs, m_options.timeZone);
        commands << evalCommand(pending->record, pending->costNanos, pending->costKnown, m_keys, buckets);
    }
    ++m_inFlight;
    m_inFlightRecords += qint64(batch.size());
    Redis::CommandOptions options;
    options.timeoutMs = m_options.commandTimeoutMs;
    options.whenDown = Redis::WhenDown::FailFast; // waiting is this class's job, with its own bound
    m_client->pipeline(
        std::move(commands), this,
        [this, batch = std::move(batch), generation = m_loadGeneration, loadScript](const Redis::BatchResult &result) {
            finished(batch, generation, loadScript, result);
        },
        options);
}

void UsageRecorder::finished(const Batch &batch, quint64 loadGeneration, bool loadedScript,
                             const Redis::BatchResult &result)
{
    --m_inFlight;
    m_inFlightRecords -= qint64(batch.size());
    const qsizetype first = loadedScript ? 1 : 0;
    const Redis::Reply load = loadedScript ? result.replies.value(0) : Redis::Reply();
    const bool transportFailure = result.error && isTransportFailure(result.error);
    bool waitBeforeRetry = false;
    for (size_t i = 0; i < batch.size(); ++i) {
        const PendingPtr &pending = batch[i];
        const Redis::Reply reply = result.replies.value(first + qsizetype(i));
        if (reply.isInteger() && reply.integer() == 1) {
            m_stats->written.fetch_add(1, std::memory_order_relaxed);
            continue;
        }
        if (reply.isError() && reply.bytes().startsWith("NOSCRIPT") && !load.isError()) {
            // The script cache was emptied (SCRIPT FLUSH, a restart): nothing ran; resend after a new load (unless
            // one went out after this batch, answering the NOSCRIPT of all batches sent before it).
            if (loadGeneration == m_loadGeneration)
                m_scriptLoaded = false;
            m_stats->retried.fetch_add(1, std::memory_order_relaxed);
            enqueue(pending);
            continue;
        }
        if (reply.isNil() && transportFailure) {
            m_stats->retried.fetch_add(1, std::memory_order_relaxed);
            enqueue(pending);
            waitBeforeRetry = true;
            continue;
        }
        QByteArray error;
        if (reply.isError() && load.isError())
            error = "SCRIPT LOAD failed: " + load.bytes();
        else if (reply.isError())
            error = reply.bytes();
        else if (result.error)
            error = result.error.message.toUtf8();
        else
            error = "unexpected reply " + reply.toDebugString();
        m_stats->rejected.fetch_add(1, std::memory_order_relaxed);
        Log::logger().warn("usage record for key {} not written: {}", pending->record.keyId, error);
    }
    if (waitBeforeRetry) {
        m_retryTimer.start(); // in case the reconnect was signalled before this failure arrived
        updateBacklog();
        return;
    }
    pump();
}

void UsageRecorder::updateBacklog()
{
    m_stats->backlog.store(qint64(m_queue.size()) + m_inFlightRecords, std::memory_order_relaxed);
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

QList<QByteArray> UsageRecorder::evalCommand(const UsageRecord &record, qint64 costNanos, bool costKnown,
                                             const Redis::KeySpace &keys, const TimeBuckets &buckets)
{
    const TokenUsage &usage = record.usage;
    const qint64 deltas[UsageScript::FieldCount] = {
        1,
        usage.inputTokens,
        usage.outputTokens,
        usage.cacheCreation5mTokens,
        usage.cacheCreation1hTokens,
        usage.cacheReadTokens,
        costKnown ? costNanos : 0,
        costKnown ? 0 : 1,
        record.streamed ? 1 : 0,
        record.status >= 200 && record.status < 300 ? 0 : 1,
    };
    const QByteArray daySuffix = "usage:d:" + buckets.day;
    const QByteArray hourSuffix = "usage:h:" + buckets.hour;
    const qsizetype leaseCount = record.leaseReleases.size();
    const bool hasKey = !record.keyId.isEmpty();
    const bool hasAccount = !record.accountId.isEmpty();
    const qint64 tokens = usage.inputTokens + usage.outputTokens + usage.cacheCreation5mTokens +
                          usage.cacheCreation1hTokens + usage.cacheReadTokens;

    QList<QByteArray> out;
    out.reserve(3 + 2 * (UsageScript::KeysPerOwner + UsageScript::TopIndexesPerOwner) + 3 + 7 +
                UsageScript::FieldCount + 2 * leaseCount);
    out << QByteArrayLiteral("EVALSHA") << UsageScript::script().sha1() << QByteArray();
    if (hasKey) {
        out << keys.apiKey(record.keyId, "usage:total") << keys.apiKey(record.keyId, daySuffix)
            << keys.apiKey(record.keyId, hourSuffix) << keys.apiKey(record.keyId, "record");
    }
    if (hasAccount) {
        out << keys.account(record.accountId, "usage:total") << keys.account(record.accountId, daySuffix)
            << keys.account(record.accountId, hourSuffix) << keys.account(record.accountId, "record");
    }
    out << keys.global(daySuffix) << keys.global(hourSuffix);
    for (const UsageDimension dimension : {UsageDimension::Key, UsageDimension::Account}) {
        if (dimension == UsageDimension::Key ? !hasKey : !hasAccount)
            continue;
        for (const UsageMetric metric : {UsageMetric::Cost, UsageMetric::Requests, UsageMetric::Tokens})
            out << UsageIndex::dayTop(keys, buckets.day, dimension, metric);
    }
    if (hasKey)
        out << UsageIndex::keyLastUsed(keys);
    for (const LeaseRelease &release : record.leaseReleases)
        out << release.zsetKey;
    out[2] = QByteArray::number(out.size() - 3);

    static const QByteArray dayTtl = QByteArray::number(DayTtlSeconds);
    static const QByteArray hourTtl = QByteArray::number(HourTtlSeconds);
    out << QByteArray::number(int(hasKey) + int(hasAccount)) << "m:" + modelField(record.model()) + ':' << dayTtl
        << hourTtl << QByteArray::number(record.endMs);
    for (const qint64 delta : deltas)
        out << (delta > 0 ? QByteArray::number(delta) : QByteArrayLiteral("0"));
    out << (tokens > 0 ? QByteArray::number(tokens) : QByteArrayLiteral("0"))
        << (hasKey ? QByteArrayLiteral("1") : QByteArrayLiteral("0"));
    if (hasKey)
        out << record.keyId;
    if (hasAccount)
        out << record.accountId;
    for (const LeaseRelease &release : record.leaseReleases)
        out << release.member;
    return out;
}

} // namespace Relay::Usage
