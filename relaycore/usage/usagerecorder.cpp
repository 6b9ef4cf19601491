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
    QList<Redis::Command> commands;
    commands.reserve(qsizetype(batch.size()) + 1);
    if (loadScript) {
        // Commands on one connection run in order, so the load precedes this and every later EVALSHA.
        commands << Redis::Command::fromArgs(
            {QByteArrayLiteral("SCRIPT"), QByteArrayLiteral("LOAD"), UsageScript::script().source()});
        m_scriptLoaded = true;
        ++m_loadGeneration;
    }
    for (const PendingPtr &pending : batch) {
        const TimeBuckets buckets = bucketsFor(pending->record.endMs, m_options.timeZone);
        if (buckets.hour != m_names.buckets.hour || buckets.day != m_names.buckets.day)
            m_names = BucketNames::make(m_keys, buckets);
        const QByteArray &model = pending->record.model();
        if (model != m_lastModel || m_lastModelField.isEmpty()) {
            m_lastModel = model;
            m_lastModelField = modelField(model);
        }
        commands << evalCommand(pending->record, pending->costNanos, pending->costKnown, m_keys, m_names,
                                m_lastModelField);
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

UsageRecorder::BucketNames UsageRecorder::BucketNames::make(const Redis::KeySpace &keys, const TimeBuckets &buckets)
{
    BucketNames names;
    names.buckets = buckets;
    names.daySuffix = ":usage:d:" + buckets.day;
    names.hourSuffix = ":usage:h:" + buckets.hour;
    names.relayDay = keys.global(QByteArrayView(names.daySuffix).sliced(1));
    names.relayHour = keys.global(QByteArrayView(names.hourSuffix).sliced(1));
    constexpr UsageMetric Metrics[3] = {UsageMetric::Cost, UsageMetric::Requests, UsageMetric::Tokens};
    for (int i = 0; i < 3; ++i) {
        names.keyTops[i] = UsageIndex::dayTop(keys, buckets.day, UsageDimension::Key, Metrics[i]);
        names.accountTops[i] = UsageIndex::dayTop(keys, buckets.day, UsageDimension::Account, Metrics[i]);
    }
    names.keyLastUsed = UsageIndex::keyLastUsed(keys);
    return names;
}

Redis::Command UsageRecorder::evalCommand(const UsageRecord &record, qint64 costNanos, bool costKnown,
                                          const Redis::KeySpace &keys, const BucketNames &names,
                                          QByteArrayView modelField)
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
    const qsizetype leaseCount = record.leaseReleases.size();
    const bool hasKey = !record.keyId.isEmpty();
    const bool hasAccount = !record.accountId.isEmpty();
    const qint64 tokens = usage.inputTokens + usage.outputTokens + usage.cacheCreation5mTokens +
                          usage.cacheCreation1hTokens + usage.cacheReadTokens;
    const int owners = int(hasKey) + int(hasAccount);
    // Each owner's key names start with its hash-tagged name (escaped once), e.g. rd:{key:k1}.
    const QByteArray keyName = hasKey ? keys.apiKey(record.keyId, {}) : QByteArray();
    const QByteArray accountName = hasAccount ? keys.account(record.accountId, {}) : QByteArray();

    const qsizetype keyCount =
        owners * (UsageScript::KeysPerOwner + UsageScript::TopIndexesPerOwner) + 2 + int(hasKey) + leaseCount;
    const qsizetype argCount = 5 + UsageScript::FieldCount + 2 + owners + leaseCount;
    qsizetype size = 512 + 4 * (keyName.size() + accountName.size()) + modelField.size();
    for (const LeaseRelease &release : record.leaseReleases)
        size += release.zsetKey.size() + release.member.size() + 32;
    Redis::Command command(3 + keyCount + argCount, size);
    command.add("EVALSHA").add(UsageScript::script().sha1()).addNumber(keyCount);

    for (const QByteArray &owner : {keyName, accountName}) {
        if (owner.isEmpty())
            continue;
        command.addJoined({owner, ":usage:total"});
        command.addJoined({owner, names.daySuffix});
        command.addJoined({owner, names.hourSuffix});
        command.addJoined({owner, ":record"});
    }
    command.add(names.relayDay).add(names.relayHour);
    if (hasKey) {
        for (const QByteArray &top : names.keyTops)
            command.add(top);
    }
    if (hasAccount) {
        for (const QByteArray &top : names.accountTops)
            command.add(top);
    }
    if (hasKey)
        command.add(names.keyLastUsed);
    for (const LeaseRelease &release : record.leaseReleases)
        command.add(release.zsetKey);

    command.addNumber(owners)
        .addJoined({"m:", modelField, ":"})
        .addNumber(DayTtlSeconds)
        .addNumber(HourTtlSeconds)
        .addNumber(record.endMs);
    for (const qint64 delta : deltas)
        command.addNumber(std::max<qint64>(delta, 0));
    command.addNumber(std::max<qint64>(tokens, 0)).addNumber(hasKey ? 1 : 0);
    if (hasKey)
        command.add(record.keyId);
    if (hasAccount)
        command.add(record.accountId);
    for (const LeaseRelease &release : record.leaseReleases)
        command.add(release.member);
    Q_ASSERT(command.isComplete());
    return command;
}

} // namespace Relay::Usage
