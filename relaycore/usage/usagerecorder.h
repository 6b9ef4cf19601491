// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "redis/command.h"
#include "redis/keyspace.h"
#include "usage/pricingservice.h"
#include "usage/timebuckets.h"
#include "usage/usagerecord.h"

#include <QObject>
#include <QPointer>
#include <QTimeZone>
#include <QTimer>

#include <atomic>
#include <deque>
#include <memory>
#include <vector>

namespace Relay::Redis {
class Client;
struct BatchResult;
} // namespace Relay::Redis

namespace Relay::Usage {

struct UsageRecorderOptions
{
    qsizetype maxBacklog = 10000; // records waiting for Redis; when full the oldest are dropped (and counted)
    int maxInFlight = 4;          // batches sent and not yet answered; records arriving meanwhile wait and go together
    int maxRecordsPerBatch = 100; // records (one EVALSHA each) in one pipelined batch
    int retryDelayMs = 500;       // after a failed batch, try again this soon if the client looks connected
    int commandTimeoutMs = -1;    // -1: the client's default
    QTimeZone timeZone = QTimeZone::utc(); // decides the day/hour buckets (the relay's `time-zone` setting)
};

// Counters of one recorder, readable from any thread (e.g. for /metrics).
struct UsageRecorderStats
{
    std::atomic<qint64> backlog{0};   // records accepted and not yet written (waiting + in flight)
    std::atomic<quint64> dropped{0};  // records dropped because the backlog was full
    std::atomic<quint64> written{0};  // records Redis confirmed
    std::atomic<quint64> retried{0};  // records queued again after a transport failure or a NOSCRIPT answer
    std::atomic<quint64> rejected{0}; // records Redis answered with an error (not retried)
};

// Writes usage records to Redis, one per worker thread, living in that worker's thread with its Redis client.
//
// record() prices the usage (with the table of that moment) and returns at once; the write happens after, off the
// response path, as ONE EVALSHA of the usage script (usage/usagescript.h) per record, which applies the record
// entirely or not at all: HINCRBY of each non-zero counter (fields below; an absent field reads as 0) on the key's,
// the account's and the relay's total/day/hour hashes (the relay has day/hour only), the same per model as
// `m:<model>:<field>` in the day hashes, EXPIRE of the day (40 d) and hour (8 d) hashes (by the record that creates
// them), HSET last_used_at on the key and account records when they exist (a deleted key or account is not brought
// back), the day's top indexes
// (ZINCRBY of the key's and the account's id by cost_nanos, requests and tokens in UsageIndex::dayTop ZSETs, with
// the day TTL), the key's last use in UsageIndex::keyLastUsed (ZADD GT, only while the key record exists), and ZREM
// of the lease releases (Redis deletes a ZSET when its last member goes). Days and hours are those of
// options.timeZone.
//
// Fields: requests input_tokens output_tokens cache_creation_5m_tokens cache_creation_1h_tokens cache_read_tokens
// cost_nanos cost_unknown streamed_requests error_requests (error: status outside 200..299).
//
// A record is sent at once while fewer than maxInFlight batches await an answer; otherwise it waits and goes with
// the others that waited, as one pipeline of up to maxRecordsPerBatch EVALSHAs (one round trip). The script is
// loaded (SCRIPT LOAD, at the head of a batch) on the first batch after each (re)connect and after a NOSCRIPT
// answer, whose records are sent again. While Redis is unreachable, records wait in a bounded queue and are written
// in order once the client reconnects. Delivery is at least once: a record whose reply is lost after Redis ran it
// (a command timeout) is written again.
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
    // The EVALSHA command of one record, for a known cost, its buckets' names and its model's modelField().
    static Redis::Command evalCommand(const UsageRecord &record, qint64 costNanos, bool costKnown,
                                      const Redis::KeySpace &keys, const BucketNames &names, QByteArrayView modelField);

private:
    struct Pending
    {
        quint64 sequence = 0;
        UsageRecord record;
        qint64 costNanos = 0;
        bool costKnown = false;
    };
    using PendingPtr = std::shared_ptr<Pending>;
    using Batch = std::vector<PendingPtr>;

    void enqueue(PendingPtr pending);
    void pump();
    void send(Batch batch);
    void finished(const Batch &batch, quint64 loadGeneration, bool loadedScript, const Redis::BatchResult &result);
    void updateBacklog();

    QPointer<Redis::Client> m_client;
    Redis::KeySpace m_keys;
    BucketNames m_names;    // of the last record's hour
    QByteArray m_lastModel; // the last record's model and its modelField(), usually the same for the next
    QByteArray m_lastModelField;
    PricingAccessor m_pricing;
    UsageRecorderOptions m_options;
    std::deque<PendingPtr> m_queue; // by sequence
    int m_inFlight = 0;             // batches
    qint64 m_inFlightRecords = 0;
    bool m_scriptLoaded = false;  // on the server of the current connection, as far as we know
    quint64 m_loadGeneration = 0; // SCRIPT LOADs sent so far
    quint64 m_nextSequence = 0;
    QTimer m_retryTimer;
    std::shared_ptr<UsageRecorderStats> m_stats = std::make_shared<UsageRecorderStats>();
};

} // namespace Relay::Usage
