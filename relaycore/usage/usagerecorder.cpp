// SPDX-License-Identifier: GPL-3.0-or-later
#include "usage/usagerecorder.h"

#include "log/logger.h"
#include "redis/client.h"
#include "usage/timebuckets.h"
#include "usage/usagescript.h"

#include <QThread>

#include <algorithm>
#include <numeric>

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
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(std::max(0, m_options.flushIntervalMs));
    connect(&m_flushTimer, &QTimer::timeout, this, &UsageRecorder::flushOpen);
    m_drainTimer.setSingleShot(true);
    m_drainTimer.setInterval(std::max(0, m_options.drainTimeoutMs));
    connect(&m_drainTimer, &QTimer::timeout, this, &UsageRecorder::finishDrain);
    if (client) {
        connect(client, &Redis::Client::connected, this, [this] {
            m_scriptLoaded = false; // the server may be a new process with an empty script cache
            pump();
        });
        connect(client, &Redis::Client::disconnected, this, [this] {
            if (!m_drainWaiters.empty())
                finishDrain(); // nothing more can be written now
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
    qint64 costNanos = 0;
    bool costKnown = false;
    const std::shared_ptr<const PricingTable> table = m_pricing ? m_pricing() : nullptr;
    if (table) {
        const Cost cost = table->cost(record.model(), record.usage);
        costNanos = cost.nanos;
        costKnown = cost.known;
    }
    const QByteArray &model = record.model();
    if (model != m_lastModel || m_lastModelField.isEmpty()) {
        m_lastModel = model;
        m_lastModelField = modelField(model);
    }
    TimeBuckets buckets = bucketsFor(record.endMs, m_options.timeZone);
    const bool releasesLease = !record.leaseReleases.isEmpty();
    if (m_options.flushIntervalMs <= 0) {
        Entry entry = Entry::of(record, m_lastModelField, std::move(buckets));
        entry.add(record, costNanos, costKnown);
        enqueueEntry(std::move(entry));
        pump();
        return;
    }
    QByteArray group;
    group.reserve(record.keyId.size() + record.accountId.size() + m_lastModelField.size() + buckets.hour.size() + 3);
    group.append(record.keyId).append('\n').append(record.accountId).append('\n').append(m_lastModelField);
    group.append('\n').append(buckets.hour);
    auto open = m_open.find(group);
    if (open == m_open.end()) {
        if (m_open.size() >= m_options.maxOpenEntries)
            flushOpen();
        open = m_open.insert(group, Entry::of(record, m_lastModelField, std::move(buckets)));
    }
    open->add(record, costNanos, costKnown);
    ++m_openRecords;
    if (releasesLease) {
        // The slot must be free for the key's next request: this sum goes now, the others keep collecting.
        Entry entry = std::move(*open);
        m_open.erase(open);
        m_openRecords -= entry.records;
        enqueueEntry(std::move(entry));
        pump();
        return;
    }
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
    updateBacklog();
}

UsageRecorder::Entry UsageRecorder::Entry::of(const UsageRecord &record, const QByteArray &modelField,
                                              TimeBuckets buckets)
{
    Entry entry;
    entry.keyId = record.keyId;
    entry.accountId = record.accountId;
    entry.modelField = modelField;
    entry.buckets = std::move(buckets);
    return entry;
}

void UsageRecorder::Entry::add(const UsageRecord &record, qint64 costNanos, bool costKnown)
{
    const TokenUsage &usage = record.usage;
    const qint64 recordDeltas[UsageScript::FieldCount] = {
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
    for (int i = 0; i < UsageScript::FieldCount; ++i)
        deltas[i] += std::max<qint64>(recordDeltas[i], 0);
    endMs = std::max(endMs, record.endMs);
    ++records;
    leaseReleases.append(record.leaseReleases);
}

void UsageRecorder::enqueueEntry(Entry entry)
{
    auto pending = std::make_shared<Pending>();
    pending->sequence = m_nextSequence++;
    pending->entry = std::move(entry);
    enqueue(std::move(pending));
}

void UsageRecorder::flushOpen()
{
    m_flushTimer.stop();
    if (m_open.isEmpty())
        return;
    // In the order the sums last changed, so a key's or account's last_used_at ends at its latest record.
    std::vector<Entry> entries;
    entries.reserve(size_t(m_open.size()));
    for (auto it = m_open.begin(); it != m_open.end(); ++it)
        entries.push_back(std::move(it.value()));
    m_open.clear();
    m_openRecords = 0; // counted again as they are queued
    std::sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) { return a.endMs < b.endMs; });
    for (Entry &entry : entries)
        enqueueEntry(std::move(entry));
    pump();
}

void UsageRecorder::drain(std::function<void()> done)
{
    flushOpen();
    m_drainWaiters.push_back(std::move(done));
    if (backlog() == 0 || !m_client || !m_client->isConnected())
        return finishDrain();
    if (!m_drainTimer.isActive())
        m_drainTimer.start();
}

void UsageRecorder::finishDrain()
{
    m_drainTimer.stop();
    if (const qint64 left = backlog(); left > 0)
        Log::logger().warn("stopping with {} usage record(s) not written to Redis", left);
    for (auto &done : std::exchange(m_drainWaiters, {}))
        done();
}

void UsageRecorder::enqueue(PendingPtr pending)
{
    // Entries that failed in flight go back before the younger ones that queued meanwhile, so the order holds.
    auto position = std::upper_bound(m_queue.begin(), m_queue.end(), pending->sequence,
                                     [](quint64 sequence, const PendingPtr &p) { return sequence < p->sequence; });
    m_queuedRecords += pending->entry.records;
    m_queue.insert(position, std::move(pending));
    while (qsizetype(m_queue.size()) > m_options.maxBacklog) {
        const qint64 records = m_queue.front()->entry.records;
        m_queue.pop_front();
        m_queuedRecords -= records;
        m_stats->dropped.fetch_add(quint64(records), std::memory_order_relaxed);
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
            m_queuedRecords -= m_queue.front()->entry.records;
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
    qint64 records = 0;
    for (const PendingPtr &pending : batch) {
        const Entry &entry = pending->entry;
        if (entry.buckets.hour != m_names.buckets.hour || entry.buckets.day != m_names.buckets.day)
            m_names = BucketNames::make(m_keys, entry.buckets);
        commands << evalCommand(entry, m_keys, m_names);
        records += entry.records;
    }
    ++m_inFlight;
    m_inFlightRecords += records;
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
    for (const PendingPtr &pending : batch)
        m_inFlightRecords -= pending->entry.records;
    const qsizetype first = loadedScript ? 1 : 0;
    const Redis::Reply load = loadedScript ? result.replies.value(0) : Redis::Reply();
    const bool transportFailure = result.error && isTransportFailure(result.error);
    bool waitBeforeRetry = false;
    for (size_t i = 0; i < batch.size(); ++i) {
        const PendingPtr &pending = batch[i];
        const Redis::Reply reply = result.replies.value(first + qsizetype(i));
        const auto records = quint64(pending->entry.records);
        if (reply.isInteger() && reply.integer() == 1) {
            m_stats->written.fetch_add(records, std::memory_order_relaxed);
            m_stats->entriesWritten.fetch_add(1, std::memory_order_relaxed);
            continue;
        }
        if (reply.isError() && reply.bytes().startsWith("NOSCRIPT") && !load.isError()) {
            // The script cache was emptied (SCRIPT FLUSH, a restart): nothing ran; resend after a new load (unless
            // one went out after this batch, answering the NOSCRIPT of all batches sent before it).
            if (loadGeneration == m_loadGeneration)
                m_scriptLoaded = false;
            m_stats->retried.fetch_add(records, std::memory_order_relaxed);
            enqueue(pending);
            continue;
        }
        if (reply.isNil() && transportFailure) {
            m_stats->retried.fetch_add(records, std::memory_order_relaxed);
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
        m_stats->rejected.fetch_add(records, std::memory_order_relaxed);
        Log::logger().warn("usage of {} request(s) of key {} not written: {}", records, pending->entry.keyId, error);
    }
    if (waitBeforeRetry) {
        m_retryTimer.start(); // in case the reconnect was signalled before this failure arrived
        updateBacklog();
    } else {
        pump();
    }
    if (!m_drainWaiters.empty() && (backlog() == 0 || waitBeforeRetry))
        finishDrain();
}

void UsageRecorder::updateBacklog()
{
    m_stats->backlog.store(m_openRecords + m_queuedRecords + m_inFlightRecords, std::memory_order_relaxed);
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

Redis::Command UsageRecorder::evalCommand(const Entry &entry, const Redis::KeySpace &keys, const BucketNames &names)
{
    const qsizetype leaseCount = entry.leaseReleases.size();
    const bool hasKey = !entry.keyId.isEmpty();
    const bool hasAccount = !entry.accountId.isEmpty();
    const int owners = int(hasKey) + int(hasAccount);
    // Each owner's key names start with its hash-tagged name (escaped once), e.g. rd:{key:k1}.
    const QByteArray keyName = hasKey ? keys.apiKey(entry.keyId, {}) : QByteArray();
    const QByteArray accountName = hasAccount ? keys.account(entry.accountId, {}) : QByteArray();

    const qsizetype keyCount =
        owners * (UsageScript::KeysPerOwner + UsageScript::TopIndexesPerOwner) + 2 + int(hasKey) + leaseCount;
    const qsizetype argCount = 5 + UsageScript::FieldCount + 2 + owners + leaseCount;
    qsizetype size = 512 + 4 * (keyName.size() + accountName.size()) + entry.modelField.size();
    for (const LeaseRelease &release : entry.leaseReleases)
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
    for (const LeaseRelease &release : entry.leaseReleases)
        command.add(release.zsetKey);

    command.addNumber(owners)
        .addJoined({"m:", entry.modelField, ":"})
        .addNumber(DayTtlSeconds)
        .addNumber(HourTtlSeconds)
        .addNumber(entry.endMs);
    for (const qint64 delta : entry.deltas)
        command.addNumber(delta);
    // The tokens delta of the day's top index: the five token fields (deltas 1 to 5) summed.
    const qint64 tokens = std::accumulate(entry.deltas + 1, entry.deltas + 6, qint64(0));
    command.addNumber(tokens).addNumber(hasKey ? 1 : 0);
    if (hasKey)
        command.add(entry.keyId);
    if (hasAccount)
        command.add(entry.accountId);
    for (const LeaseRelease &release : entry.leaseReleases)
        command.add(release.member);
    Q_ASSERT(command.isComplete());
    return command;
}

} // namespace Relay::Usage
