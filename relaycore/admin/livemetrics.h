// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "admin/admincontext.h"
#include "metrics/histogramsnapshot.h"
#include "metrics/metrictypes.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QTimer>

#include <array>
#include <vector>

namespace Relay::Admin {

// The operator console's live view: once a second one snapshot of the relay (rates from counter deltas,
// percentiles from the registry's sliding windows, gauges, account health), kept as history for the last hour at
// 1 s and the last 24 h at 1 min. Lives on the control thread; reads only thread-safe sources (the metrics
// registry, the account directory snapshot, the request log's in-flight counts, the usage backlog function).
//
// Request and error rates count the relay's HTTP routes except the admin API's, so the console watching the relay
// does not show up as traffic.
//
// Minute points: counts are summed (rates are count / interval), percentiles come from the minute's merged
// histogram (exact to the bucket layout's 1/32, not a max of second p99s), gauges are the minute's maximum.
class LiveMetrics : public QObject
{
    Q_OBJECT
public:
    static constexpr int SecondPoints = 3600; // 1 h at 1 s
    static constexpr int MinutePoints = 1440; // 24 h at 1 min
    static constexpr int TickMs = 1000;

    // One history point. Second points cover the interval since the previous tick; minute points the ticks whose
    // time falls in that minute.
    struct Point
    {
        qint64 t = 0;          // ms since the epoch: tick time (second points), start of the minute (minute points)
        qint64 intervalMs = 0; // time the counts cover
        quint32 requests = 0;
        quint32 status4xx = 0;
        quint32 status5xx = 0;
        quint32 clientAborts = 0;
        quint32 upstreamFailures = 0; // upstream answers other than ok
        quint32 failovers = 0;
        quint32 latencyCount = 0; // messages requests in the percentile window
        quint32 p50Us = 0;        // total latency of the messages route
        quint32 p95Us = 0;
        quint32 p99Us = 0;
        quint32 firstByteP50Us = 0;
        quint32 firstByteP95Us = 0;
        quint32 firstByteP99Us = 0;
        quint32 overheadP50Us = 0;
        quint32 overheadP95Us = 0;
        quint32 overheadP99Us = 0;
        quint32 redisP99Us = 0;
        qint32 activeStreams = 0; // gauges: the value at the tick (minute: maximum)
        qint32 inFlight = 0;
        qint32 queued = 0;
        qint32 connections = 0;
        qint64 usageBacklog = 0;

        double rate(quint32 count) const { return intervalMs > 0 ? double(count) * 1000.0 / double(intervalMs) : 0; }
    };

    // `context.registry` is required; relayMetrics and relay may be null (their parts stay empty) and may be set
    // later by the service, since they exist only once Redis is up.
    explicit LiveMetrics(const AdminContext &context, QObject *parent = nullptr);
    ~LiveMetrics() override;

    void setRelayMetrics(const Service::RelayMetrics *metrics);
    void setRelay(Proxy::RelayContext *relay);

    // Takes a first sample now (the baseline for rates), then one every TickMs.
    void start();
    void stop();
    bool isRunning() const { return m_timer.isActive(); }

    // One sample at `nowMs` (ms since the epoch): the timer calls it with the wall clock; tests call it directly.
    // Windows are those of the registry's clock.
    void tick(qint64 nowMs);

    QJsonObject latestSnapshot() const { return m_latest; }
    QByteArray latestSnapshotJson() const { return m_latestJson; } // compact, for SSE
    // The last `count` points, oldest first.
    QList<Point> secondPoints(int count = SecondPoints) const;
    // The last `count` completed minutes, oldest first, plus the minute in progress when includeCurrent.
    QList<Point> minutePoints(int count = MinutePoints, bool includeCurrent = true) const;

    // {"window_s":…,"resolution_s":1|60,"fields":[…],"points":[[…],…]}: windows up to an hour at 1 s, longer
    // ones at 1 min (at most 24 h).
    QJsonObject history(int windowSeconds) const;
    static QStringList pointFields();
    static QJsonArray pointJson(const Point &point);

Q_SIGNALS:
    void snapshotReady(const QJsonObject &snapshot);

private:
    struct Counters
    {
        quint64 requests = 0;
        quint64 status4xx = 0;
        quint64 status5xx = 0;
        quint64 clientAborts = 0;
        std::array<quint64, 8> upstream{}; // ProxyMetrics::UpstreamOutcome
        quint64 failovers = 0;
        std::array<quint64, 3> queueWaits{}; // ProxyMetrics::QueueResult
        quint64 inputTokens = 0;
        quint64 outputTokens = 0;
    };
    template <typename T>
    class Ring
    {
    public:
        explicit Ring(int capacity)
            : m_items(size_t(capacity))
        {}
        void push(const T &item)
        {
            m_items[m_next] = item;
            m_next = (m_next + 1) % m_items.size();
            m_size = std::min(m_size + 1, m_items.size());
        }
        // The last `count` items, oldest first.
        QList<T> last(int count) const;

    private:
        std::vector<T> m_items;
        size_t m_next = 0;
        size_t m_size = 0;
    };

    Counters readCounters() const;
    int messagesSeries();
    QJsonArray accountsJson(qint64 nowMs) const;
    void addToMinute(const Point &second, const Metrics::HistogramSnapshot *fresh);
    Point currentMinute() const;

    AdminContext m_context;
    QTimer m_timer;
    int m_messagesSeries = -2; // -2: not looked up yet; -1: no such route (all routes then)
    int m_adminRoute = -1;     // the admin API's route, left out of the request and error rates

    bool m_haveBaseline = false;
    qint64 m_lastTickMs = 0;
    qint64 m_lastRegistrySecond = 0;
    Counters m_last;

    QJsonObject m_latest;
    QByteArray m_latestJson;
    Ring<Point> m_seconds{SecondPoints};
    Ring<Point> m_minutes{MinutePoints};

    // The minute in progress: its summed second points and merged histograms.
    qint64 m_minuteStartMs = -1;
    Point m_minute;
    enum Histogram { Total, FirstByte, Overhead, Redis, HistogramCount };
    std::array<Metrics::HistogramSnapshot, HistogramCount> m_minuteHistograms;
};

} // namespace Relay::Admin
