// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/livemetrics.h"

#include "metrics/registry.h"
#include "relay/accountdirectory.h"
#include "relay/proxymetrics.h"
#include "relay/relaycontext.h"
#include "service/relaymetrics.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>

namespace Relay::Admin {

namespace {

constexpr int StatusClass4xx = 3; // indexes into RelayMetrics::statusClasses()
constexpr int StatusClass5xx = 4;
constexpr int StatusClassClientGone = 5;

const char *const OutcomeNames[] = {"ok",           "rate_limited", "overloaded",   "server_error",
                                    "unauthorized", "forbidden",    "client_error", "unreachable"};
const char *const QueueResultNames[] = {"admitted", "timed_out", "queue_full"};

quint32 delta32(quint64 now, quint64 before)
{
    return now > before ? quint32(std::min<quint64>(now - before, 0xFFFFFFFFu)) : 0;
}

quint32 micros32(double usec)
{
    return quint32(std::clamp(std::llround(usec), 0LL, 0xFFFFFFFFLL));
}

double rounded(double value)
{
    return std::round(value * 1000.0) / 1000.0;
}

QJsonObject percentileJson(int windowSeconds, const Metrics::HistogramSnapshot &h)
{
    return QJsonObject{{QStringLiteral("window_s"), windowSeconds},
                       {QStringLiteral("count"), qint64(h.count())},
                       {QStringLiteral("p50_us"), qint64(micros32(h.percentile(0.50)))},
                       {QStringLiteral("p95_us"), qint64(micros32(h.percentile(0.95)))},
                       {QStringLiteral("p99_us"), qint64(micros32(h.percentile(0.99)))}};
}

} // namespace

template <typename T>
QList<T> LiveMetrics::Ring<T>::last(int count) const
{
    const size_t n = std::min(m_size, size_t(std::max(0, count)));
    QList<T> out;
    out.reserve(qsizetype(n));
    for (size_t i = n; i > 0; --i)
        out.append(m_items[(m_next + m_items.size() - i) % m_items.size()]);
    return out;
}

LiveMetrics::LiveMetrics(const AdminContext &context, QObject *parent)
    : QObject(parent)
    , m_context(context)
{
    m_timer.setInterval(TickMs);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, [this] { tick(QDateTime::currentMSecsSinceEpoch()); });
}

LiveMetrics::~LiveMetrics() = default;

void LiveMetrics::setRelayMetrics(const Service::RelayMetrics *metrics)
{
    m_context.relayMetrics = metrics;
    m_messagesSeries = -2;
}

void LiveMetrics::setRelay(Proxy::RelayContext *relay)
{
    m_context.relay = relay;
}

void LiveMetrics::start()
{
    tick(QDateTime::currentMSecsSinceEpoch());
    m_timer.start();
}

void LiveMetrics::stop()
{
    m_timer.stop();
}

// The series of the messages route in the request duration histogram (one series per route, in route order),
// looked up by label once, and the admin API's route with it.
int LiveMetrics::messagesSeries()
{
    if (m_messagesSeries != -2)
        return m_messagesSeries;
    m_messagesSeries = Metrics::Registry::AllSeries;
    m_adminRoute = -1;
    const Metrics::MetricsSnapshot all = m_context.registry->collect();
    if (const Metrics::FamilySnapshot *family = all.find("relaydeck_http_request_duration_seconds")) {
        for (qsizetype i = 0; i < family->series.size(); ++i) {
            if (family->series.at(i).labelValues.value(0) == "messages")
                m_messagesSeries = int(i);
            else if (family->series.at(i).labelValues.value(0) == "admin")
                m_adminRoute = int(i);
        }
    }
    return m_messagesSeries;
}

LiveMetrics::Counters LiveMetrics::readCounters() const
{
    Counters c;
    const Metrics::Registry &r = *m_context.registry;
    if (const Service::RelayMetrics *rm = m_context.relayMetrics) {
        const int routes = rm->requests.dimensionSizes[0];
        const int statusClasses = rm->requests.dimensionSizes[1];
        for (int route = 0; route < routes; ++route) {
            if (route == m_adminRoute)
                continue;
            for (int status = 0; status < statusClasses; ++status)
                c.requests += r.counterValue(rm->requests, rm->requests.series({route, status}));
            c.status4xx += r.counterValue(rm->requests, rm->requests.series({route, StatusClass4xx}));
            c.status5xx += r.counterValue(rm->requests, rm->requests.series({route, StatusClass5xx}));
            c.clientAborts += r.counterValue(rm->requests, rm->requests.series({route, StatusClassClientGone}));
        }
    }
    if (const Proxy::RelayContext *relay = m_context.relay) {
        const Proxy::ProxyMetrics &pm = relay->metrics();
        for (int o = 0; o < Proxy::ProxyMetrics::OutcomeCount; ++o)
            c.upstream[size_t(o)] = r.counterValue(pm.upstreamResponses, o);
        c.failovers = r.counterValue(pm.failovers);
        for (int q = 0; q < Proxy::ProxyMetrics::QueueResultCount; ++q)
            c.queueWaits[size_t(q)] = r.counterValue(pm.queueWaits, q);
        c.inputTokens = r.counterValue(pm.tokens, Proxy::ProxyMetrics::Input);
        c.outputTokens = r.counterValue(pm.tokens, Proxy::ProxyMetrics::Output);
    }
    return c;
}

void LiveMetrics::tick(qint64 nowMs)
{
    if (!m_context.registry)
        return;
    const Metrics::Registry &r = *m_context.registry;
    if (m_context.relayMetrics)
        (void)messagesSeries(); // the admin route, before the counters
    const Counters now = readCounters();
    const qint64 registrySecond = r.clock().nowSeconds();
    // Registry seconds completed since the last tick: normally 1; 0 when the timer fired twice within one second,
    // more after a stall. The minute histograms take exactly those seconds, so none is counted twice or skipped.
    int fresh = 1;
    Point p;
    p.t = nowMs;
    p.intervalMs = TickMs;
    if (m_haveBaseline) {
        p.intervalMs = std::max<qint64>(0, nowMs - m_lastTickMs);
        fresh = int(std::clamp<qint64>(registrySecond - m_lastRegistrySecond, 0, 60));
        p.requests = delta32(now.requests, m_last.requests);
        p.status4xx = delta32(now.status4xx, m_last.status4xx);
        p.status5xx = delta32(now.status5xx, m_last.status5xx);
        p.clientAborts = delta32(now.clientAborts, m_last.clientAborts);
        for (size_t o = 1; o < now.upstream.size(); ++o)
            p.upstreamFailures += delta32(now.upstream[o], m_last.upstream[o]);
        p.failovers = delta32(now.failovers, m_last.failovers);
    }

    // Percentile sources: total latency of the messages route, upstream first byte, relay overhead, Redis.
    struct Source
    {
        Metrics::HistogramHandle handle;
        int series = Metrics::Registry::AllSeries;
        bool present = false;
    };
    std::array<Source, HistogramCount> sources;
    if (const Service::RelayMetrics *rm = m_context.relayMetrics) {
        sources[Total] = {rm->duration, messagesSeries(), true};
        sources[Redis] = {rm->redisRoundTrip, 0, true}; // the workers' clients: the request path's Redis
    }
    if (const Proxy::RelayContext *relay = m_context.relay) {
        sources[FirstByte] = {relay->metrics().upstreamFirstByte, Metrics::Registry::AllSeries, true};
        sources[Overhead] = {relay->metrics().relayOverhead, Metrics::Registry::AllSeries, true};
    }
    std::array<QJsonArray, HistogramCount> windows;
    std::array<Metrics::HistogramSnapshot, HistogramCount> lastSecond;
    std::array<Metrics::HistogramSnapshot, HistogramCount> freshSeconds;
    for (int i = 0; i < HistogramCount; ++i) {
        const Source &s = sources[size_t(i)];
        if (!s.present)
            continue;
        lastSecond[size_t(i)] = r.histogram(s.handle, s.series, 1);
        if (fresh == 1)
            freshSeconds[size_t(i)] = lastSecond[size_t(i)];
        else if (fresh > 1)
            freshSeconds[size_t(i)] = r.histogram(s.handle, s.series, fresh);
        windows[size_t(i)].append(percentileJson(1, lastSecond[size_t(i)]));
        for (const int window : {10, 60})
            windows[size_t(i)].append(percentileJson(window, r.histogram(s.handle, s.series, window)));
    }
    const Metrics::HistogramSnapshot &total = lastSecond[Total];
    p.latencyCount = quint32(total.count());
    p.p50Us = micros32(total.percentile(0.50));
    p.p95Us = micros32(total.percentile(0.95));
    p.p99Us = micros32(total.percentile(0.99));
    p.firstByteP50Us = micros32(lastSecond[FirstByte].percentile(0.50));
    p.firstByteP95Us = micros32(lastSecond[FirstByte].percentile(0.95));
    p.firstByteP99Us = micros32(lastSecond[FirstByte].percentile(0.99));
    p.overheadP50Us = micros32(lastSecond[Overhead].percentile(0.50));
    p.overheadP95Us = micros32(lastSecond[Overhead].percentile(0.95));
    p.overheadP99Us = micros32(lastSecond[Overhead].percentile(0.99));
    p.redisP99Us = micros32(lastSecond[Redis].percentile(0.99));

    qint64 queued = 0;
    if (const Service::RelayMetrics *rm = m_context.relayMetrics) {
        p.inFlight = qint32(r.gaugeValue(rm->inFlight));
        p.connections = qint32(r.gaugeValue(rm->connections));
    }
    if (const Proxy::RelayContext *relay = m_context.relay) {
        p.activeStreams = qint32(r.gaugeValue(relay->metrics().activeStreams));
        queued = r.gaugeValue(relay->metrics().queuedRequests);
        p.queued = qint32(queued);
    }
    p.usageBacklog = m_context.usageBacklog ? m_context.usageBacklog() : 0;

    // The snapshot.
    const auto perSecond = [&p](quint64 nowValue, quint64 before) {
        return rounded(p.rate(delta32(nowValue, before)));
    };
    const bool baseline = m_haveBaseline;
    QJsonObject upstream;
    for (size_t o = 1; o < now.upstream.size(); ++o)
        upstream.insert(QLatin1String(OutcomeNames[o]), baseline ? perSecond(now.upstream[o], m_last.upstream[o]) : 0);
    QJsonObject queueWaits;
    for (size_t q = 0; q < now.queueWaits.size(); ++q)
        queueWaits.insert(QLatin1String(QueueResultNames[q]),
                          baseline ? perSecond(now.queueWaits[q], m_last.queueWaits[q]) : 0);
    const QJsonObject errors{{QStringLiteral("status_4xx"), rounded(p.rate(p.status4xx))},
                             {QStringLiteral("status_5xx"), rounded(p.rate(p.status5xx))},
                             {QStringLiteral("client_aborts"), rounded(p.rate(p.clientAborts))},
                             {QStringLiteral("upstream_failures"), rounded(p.rate(p.upstreamFailures))},
                             {QStringLiteral("upstream"), upstream}};
    const QJsonObject tokens{
        {QStringLiteral("input"), baseline ? perSecond(now.inputTokens, m_last.inputTokens) : 0},
        {QStringLiteral("output"), baseline ? perSecond(now.outputTokens, m_last.outputTokens) : 0}};
    const QJsonObject latency{{QStringLiteral("total"), windows[Total]},
                              {QStringLiteral("upstream_first_byte"), windows[FirstByte]},
                              {QStringLiteral("relay_overhead"), windows[Overhead]}};
    m_latest = QJsonObject{{QStringLiteral("time"), nowMs},
                           {QStringLiteral("interval_ms"), p.intervalMs},
                           {QStringLiteral("requests_total"), qint64(now.requests)},
                           {QStringLiteral("requests_per_s"), rounded(p.rate(p.requests))},
                           {QStringLiteral("errors_per_s"), errors},
                           {QStringLiteral("failovers_per_s"), rounded(p.rate(p.failovers))},
                           {QStringLiteral("tokens_per_s"), tokens},
                           {QStringLiteral("latency_us"), latency},
                           {QStringLiteral("redis_round_trip_us"), windows[Redis]},
                           {QStringLiteral("active_streams"), p.activeStreams},
                           {QStringLiteral("in_flight"), p.inFlight},
                           {QStringLiteral("queued_requests"), queued},
                           {QStringLiteral("queue_waits_per_s"), queueWaits},
                           {QStringLiteral("connections"), p.connections},
                           {QStringLiteral("usage_backlog"), p.usageBacklog},
                           {QStringLiteral("accounts"), accountsJson(nowMs)}};
    m_latestJson = QJsonDocument(m_latest).toJson(QJsonDocument::Compact);

    m_seconds.push(p);
    addToMinute(p, freshSeconds.data());

    m_haveBaseline = true;
    m_last = now;
    m_lastTickMs = nowMs;
    m_lastRegistrySecond = registrySecond;
    Q_EMIT snapshotReady(m_latest);
}

QJsonArray LiveMetrics::accountsJson(qint64 nowMs) const
{
    QJsonArray out;
    Proxy::RelayContext *relay = m_context.relay;
    if (!relay)
        return out;
    const Proxy::AccountDirectory::Snapshot snapshot = relay->accounts().snapshot();
    if (!snapshot)
        return out;
    QList<const Proxy::AccountEntry *> entries;
    for (const Proxy::AccountEntry &entry : *snapshot)
        entries.append(&entry);
    std::sort(entries.begin(), entries.end(), [](const Proxy::AccountEntry *a, const Proxy::AccountEntry *b) {
        return a->priority != b->priority ? a->priority < b->priority
                                          : (a->name != b->name ? a->name < b->name : a->id < b->id);
    });
    for (const Proxy::AccountEntry *a : std::as_const(entries)) {
        const Proxy::AccountHealth health = a->effectiveHealth(nowMs);
        out.append(QJsonObject{
            {QStringLiteral("id"), QString::fromLatin1(a->id)},
            {QStringLiteral("name"), a->name},
            {QStringLiteral("health"), QString::fromLatin1(Proxy::accountHealthName(health))},
            {QStringLiteral("reason"), a->reason},
            {QStringLiteral("cooling_until"),
             health == Proxy::AccountHealth::Cooling ? QJsonValue(a->coolingUntilMs) : QJsonValue()},
            {QStringLiteral("enabled"), a->enabled},
            {QStringLiteral("schedulable"), a->schedulable},
            {QStringLiteral("in_flight"), relay->requestLog().inFlight(a->id)},
        });
    }
    return out;
}

void LiveMetrics::addToMinute(const Point &second, const Metrics::HistogramSnapshot *fresh)
{
    const qint64 minuteStart = second.t - (second.t % 60'000 + 60'000) % 60'000;
    if (m_minuteStartMs != minuteStart) {
        if (m_minuteStartMs >= 0)
            m_minutes.push(currentMinute());
        m_minuteStartMs = minuteStart;
        m_minute = Point{};
        m_minute.t = minuteStart;
        for (auto &h : m_minuteHistograms)
            h = Metrics::HistogramSnapshot();
    }
    Point &m = m_minute;
    m.intervalMs += second.intervalMs;
    m.requests += second.requests;
    m.status4xx += second.status4xx;
    m.status5xx += second.status5xx;
    m.clientAborts += second.clientAborts;
    m.upstreamFailures += second.upstreamFailures;
    m.failovers += second.failovers;
    m.activeStreams = std::max(m.activeStreams, second.activeStreams);
    m.inFlight = std::max(m.inFlight, second.inFlight);
    m.queued = std::max(m.queued, second.queued);
    m.connections = std::max(m.connections, second.connections);
    m.usageBacklog = std::max(m.usageBacklog, second.usageBacklog);
    for (int i = 0; i < HistogramCount; ++i)
        m_minuteHistograms[size_t(i)].merge(fresh[i]);
}

LiveMetrics::Point LiveMetrics::currentMinute() const
{
    Point m = m_minute;
    const auto &h = m_minuteHistograms;
    m.latencyCount = quint32(h[Total].count());
    m.p50Us = micros32(h[Total].percentile(0.50));
    m.p95Us = micros32(h[Total].percentile(0.95));
    m.p99Us = micros32(h[Total].percentile(0.99));
    m.firstByteP50Us = micros32(h[FirstByte].percentile(0.50));
    m.firstByteP95Us = micros32(h[FirstByte].percentile(0.95));
    m.firstByteP99Us = micros32(h[FirstByte].percentile(0.99));
    m.overheadP50Us = micros32(h[Overhead].percentile(0.50));
    m.overheadP95Us = micros32(h[Overhead].percentile(0.95));
    m.overheadP99Us = micros32(h[Overhead].percentile(0.99));
    m.redisP99Us = micros32(h[Redis].percentile(0.99));
    return m;
}

QList<LiveMetrics::Point> LiveMetrics::secondPoints(int count) const
{
    return m_seconds.last(count);
}

QList<LiveMetrics::Point> LiveMetrics::minutePoints(int count, bool includeCurrent) const
{
    const bool current = includeCurrent && m_minuteStartMs >= 0 && count > 0;
    QList<Point> out = m_minutes.last(current ? count - 1 : count);
    if (current)
        out.append(currentMinute());
    return out;
}

QStringList LiveMetrics::pointFields()
{
    return {QStringLiteral("t"),
            QStringLiteral("interval_ms"),
            QStringLiteral("requests_per_s"),
            QStringLiteral("status_4xx_per_s"),
            QStringLiteral("status_5xx_per_s"),
            QStringLiteral("client_aborts_per_s"),
            QStringLiteral("upstream_failures_per_s"),
            QStringLiteral("failovers_per_s"),
            QStringLiteral("latency_count"),
            QStringLiteral("p50_us"),
            QStringLiteral("p95_us"),
            QStringLiteral("p99_us"),
            QStringLiteral("first_byte_p50_us"),
            QStringLiteral("first_byte_p95_us"),
            QStringLiteral("first_byte_p99_us"),
            QStringLiteral("overhead_p50_us"),
            QStringLiteral("overhead_p95_us"),
            QStringLiteral("overhead_p99_us"),
            QStringLiteral("redis_p99_us"),
            QStringLiteral("active_streams"),
            QStringLiteral("in_flight"),
            QStringLiteral("queued"),
            QStringLiteral("connections"),
            QStringLiteral("usage_backlog")};
}

QJsonArray LiveMetrics::pointJson(const Point &p)
{
    return QJsonArray{p.t,
                      p.intervalMs,
                      rounded(p.rate(p.requests)),
                      rounded(p.rate(p.status4xx)),
                      rounded(p.rate(p.status5xx)),
                      rounded(p.rate(p.clientAborts)),
                      rounded(p.rate(p.upstreamFailures)),
                      rounded(p.rate(p.failovers)),
                      qint64(p.latencyCount),
                      qint64(p.p50Us),
                      qint64(p.p95Us),
                      qint64(p.p99Us),
                      qint64(p.firstByteP50Us),
                      qint64(p.firstByteP95Us),
                      qint64(p.firstByteP99Us),
                      qint64(p.overheadP50Us),
                      qint64(p.overheadP95Us),
                      qint64(p.overheadP99Us),
                      qint64(p.redisP99Us),
                      p.activeStreams,
                      p.inFlight,
                      p.queued,
                      p.connections,
                      p.usageBacklog};
}

QJsonObject LiveMetrics::history(int windowSeconds) const
{
    windowSeconds = std::clamp(windowSeconds, 1, MinutePoints * 60);
    const bool seconds = windowSeconds <= SecondPoints;
    const QList<Point> points = seconds ? secondPoints(windowSeconds) : minutePoints((windowSeconds + 59) / 60);
    QJsonArray rows;
    for (const Point &p : points)
        rows.append(pointJson(p));
    return QJsonObject{{QStringLiteral("window_s"), windowSeconds},
                       {QStringLiteral("resolution_s"), seconds ? 1 : 60},
                       {QStringLiteral("fields"), QJsonArray::fromStringList(pointFields())},
                       {QStringLiteral("points"), rows}};
}

} // namespace Relay::Admin
