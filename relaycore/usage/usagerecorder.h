// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "redis/command.h"
#include "redis/keyspace.h"
#include "usage/pricingservice.h"
#include "usage/timebuckets.h"
#include "usage/usagerecord.h"
#include "usage/usagescript.h"

#include <QObject>
#include <QPointer>
#include <QTimeZone>
#include <QTimer>

#include <QHash>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <vector>

namespace Relay::Redis {
class Client;
struct BatchResult;
} // namespace Relay::Redis

namespace Relay::Usage {

struct UsageRecorderOptions
{
    qsizetype maxBacklog = 10000; // entries waiting for Redis; when full the oldest are dropped (and counted)
    int maxInFlight = 4;          // batches sent and not yet answered; entries arriving meanwhile wait and go together
    int maxRecordsPerBatch = 100; // entries (one EVALSHA each) in one pipelined batch
    // 0: each record is written at once, as its own entry. Above 0: records are summed per key, account, model and
    // hour for this long (from the first), then each sum is written as one entry; a record that releases a lease
    // sends its sum at once, so the slot is free for the next request.
    int flushIntervalMs = 0;
    int maxOpenEntries = 1000;             // sums kept open at most; one more sends them all at once
    int drainTimeoutMs = 3000;             // drain() waits at most this long for Redis to confirm
    int retryDelayMs = 500;                // after a failed batch, try again this soon if the client looks connected
    int commandTimeoutMs = -1;             // -1: the client's default
    QTimeZone timeZone = QTimeZone::utc(); // decides the day/hour buckets (the relay's `time-zone` setting)
};

// Counters of one recorder, readable from any thread (e.g. for /metrics).
struct UsageRecorderStats
{
    std::atomic<qint64> backlog{0};         // records accepted and not yet written (being summed + waiting + in flight)
    std::atomic<quint64> dropped{0};        // records dropped because the backlog was full
    std::atomic<quint64> written{0};        // records Redis confirmed
    std::atomic<quint64> entriesWritten{0}; // the EVALSHAs that carried them (one per record, or one per sum)
    std::atomic<quint64> retried{0};        // records queued again after a transport failure or a NOSCRIPT answer
    std::atomic<quint64> rejected{0};       // records Redis answered with an error (not retried)
};

// Writes usage records to Redis, one per worker thread, living in that worker's thread with its Redis client.
//
// record() prices the usage (with the table of that moment) and returns at once; the write happens after, off the
// response path. What is written is an entry: one record, or (with options.flushIntervalMs) the sum of the records of
// one key, account, model and hour that ended within that interval, which Redis then counts as that many requests.
// Each entry is ONE EVALSHA of the usage script (usage/usagescript.h), which applies it entirely or not at all: HINCRBY
// of each non-zero counter (fields below; an absent field reads as 0) on the key's, the account's and the relay's
// total/day/hour hashes (the relay has day/hour only), the same per model as `m:<model>:<field>` in the day hashes,
// EXPIRE of the day (40 d) and hour (8 d) hashes (by the record that creates them), HSET last_used_at on the key and
// account records when they exist (a deleted key or account is not brought back), the day's top indexes (ZINCRBY of the
// key's and the account's id by cost_nanos, requests and tokens in UsageIndex::dayTop ZSETs, with the day TTL), the
// key's last use in UsageIndex::keyLastUsed (ZADD GT, only while the key record exists), and ZREM of the lease releases
// (Redis deletes a ZSET when its last member goes). Days and hours are those of options.timeZone. An entry's
// last_used_at is its latest record's end.
//
// Fields: requests input_tokens output_tokens cache_creation_5m_tokens cache_creation_1h_tokens cache_read_tokens
// cost_nanos cost_unknown streamed_requests error_requests (error: status outside 200..299).
//
// An entry is sent at once while fewer than maxInFlight batches await an answer; otherwise it waits and goes with
// the others that waited, as one pipeline of up to maxRecordsPerBatch EVALSHAs (one round trip). The script is
// loaded (SCRIPT LOAD, at the head of a batch) on the first batch after each (re)connect and after a NOSCRIPT
// answer, whose entries are sent again. While Redis is unreachable, entries wait in a bounded queue and are written
// in order once the client reconnects. Delivery is at least once: an entry whose reply is lost after Redis ran it
// (a command timeout) is written again. drain() sends what is being summed and waits (bounded) for the answers, for
// a clean stop.
//
// The records' keys lie in several hash slots (key, account, relay), so this needs a single Redis instance, not a
// cluster (as the MULTI/EXEC batch it replaces did).
class UsageRecorder : public QObject
{
    Q_OBJECT

public:
    static constexpr qint64 DayTtlSeconds = 40 * 86400;
    static constexpr qint64 HourTtlSeconds = 8 * 86400;

    UsageRecorder(Redis::Client *client, Redis::KeySpace keys, PricingAccessor pricing,
                  UsageRecorderOptions options = {}, QObject *parent = nullptr);
    ~UsageRecorder() override;

    // Fire and forget. May be called from any thread (it is then posted to this object's thread).
    void record(UsageRecord record);
    // Sends the open sums now, then calls done (on this object's thread) once nothing is waiting or in flight, once
    // Redis is unreachable (what is left is lost and logged), or after options.drainTimeoutMs.
    void drain(std::function<void()> done);

    qint64 backlog() const { return m_stats->backlog.load(std::memory_order_relaxed); }
    quint64 dropped() const { return m_stats->dropped.load(std::memory_order_relaxed); }
    // Stays valid after the recorder is gone.
    std::shared_ptr<const UsageRecorderStats> statistics() const { return m_stats; }

    // The per-model field prefix's model part: the normalised model name, limited to [a-z0-9._-] and 100 characters.
    static QByteArray modelField(QByteArrayView model);
    // The key names and suffixes of one hour bucket that every record of that hour shares; they change once an
    // hour, so the recorder builds them once instead of per record.
    struct BucketNames
    {
        TimeBuckets buckets;
        QByteArray daySuffix;      // ":usage:d:<day>", after an owner's key
        QByteArray hourSuffix;     // ":usage:h:<hour>"
        QByteArray relayDay;       // the relay's day hash
        QByteArray relayHour;      // the relay's hour hash
        QByteArray keyTops[3];     // UsageIndex::dayTop of keys by cost, requests, tokens
        QByteArray accountTops[3]; // the same of accounts
        QByteArray keyLastUsed;    // UsageIndex::keyLastUsed
        static BucketNames make(const Redis::KeySpace &keys, const TimeBuckets &buckets);
    };
    // What one EVALSHA writes: one record, or the sum of records with the same key, account, model and hour.
    struct Entry
    {
        QByteArray keyId;
        QByteArray accountId;
        QByteArray modelField; // modelField() of the records' model
        TimeBuckets buckets;
        qint64 deltas[UsageScript::FieldCount] = {}; // in UsageScript::Fields order
        qint64 endMs = 0;                            // the latest record's
        qint64 records = 0;
        QList<LeaseRelease> leaseReleases;

        // An empty entry for the record's key, account and buckets; add() counts the record in.
        static Entry of(const UsageRecord &record, const QByteArray &modelField, TimeBuckets buckets);
        void add(const UsageRecord &record, qint64 costNanos, bool costKnown);
    };
    // The EVALSHA command of one entry, with its buckets' names.
    static Redis::Command evalCommand(const Entry &entry, const Redis::KeySpace &keys, const BucketNames &names);

private:
    struct Pending
    {
        quint64 sequence = 0;
        Entry entry;
    };
    using PendingPtr = std::shared_ptr<Pending>;
    using Batch = std::vector<PendingPtr>;

    void enqueue(PendingPtr pending);
    void enqueueEntry(Entry entry);
    void flushOpen();
    void pump();
    void send(Batch batch);
    void finished(const Batch &batch, quint64 loadGeneration, bool loadedScript, const Redis::BatchResult &result);
    void updateBacklog();
    void finishDrain();

    QPointer<Redis::Client> m_client;
    Redis::KeySpace m_keys;
    BucketNames m_names;    // of the last record's hour
    QByteArray m_lastModel; // the last record's model and its modelField(), usually the same for the next
    QByteArray m_lastModelField;
    PricingAccessor m_pricing;
    UsageRecorderOptions m_options;
    QHash<QByteArray, Entry> m_open; // sums being collected, by key, account, model and hour
    qint64 m_openRecords = 0;
    QTimer m_flushTimer;
    std::deque<PendingPtr> m_queue; // by sequence
    qint64 m_queuedRecords = 0;
    int m_inFlight = 0; // batches
    qint64 m_inFlightRecords = 0;
    std::vector<std::function<void()>> m_drainWaiters;
    QTimer m_drainTimer;
    bool m_scriptLoaded = false;  // on the server of the current connection, as far as we know
    quint64 m_loadGeneration = 0; // SCRIPT LOADs sent so far
    quint64 m_nextSequence = 0;
    QTimer m_retryTimer;
    std::shared_ptr<UsageRecorderStats> m_stats = std::make_shared<UsageRecorderStats>();
};

} // namespace Relay::Usage
