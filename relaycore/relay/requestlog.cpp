// SPDX-License-Identifier: GPL-3.0-or-later
#include "relay/requestlog.h"

#include <QHashFunctions>
#include <QJsonValue>
#include <QMutexLocker>

namespace Relay::Proxy {

namespace {

// Records a reader copies per lock, so a writer waits for at most this many copies.
constexpr int ReadBatch = 32;

QJsonValue textOrNull(QByteArrayView text)
{
    return text.isEmpty() ? QJsonValue() : QJsonValue(QString::fromUtf8(text));
}

} // namespace

QJsonObject RequestTiming::toJson() const
{
    const QJsonObject timings{{QStringLiteral("auth"), authUs},
                              {QStringLiteral("limits"), limitsUs},
                              {QStringLiteral("account"), accountUs},
                              {QStringLiteral("upstream_sent"), upstreamSentUs},
                              {QStringLiteral("first_byte"), firstByteUs},
                              {QStringLiteral("end"), endUs}};
    return QJsonObject{
        {QStringLiteral("id"), QString::fromLatin1(requestId.view())},
        {QStringLiteral("started_at"), startMs},
        {QStringLiteral("key_id"), textOrNull(keyId.view())},
        {QStringLiteral("key_name"), textOrNull(keyName.view())},
        {QStringLiteral("account_id"), textOrNull(accountId.view())},
        {QStringLiteral("model"), textOrNull(model.view())},
        {QStringLiteral("endpoint"), countTokens ? QStringLiteral("count_tokens") : QStringLiteral("messages")},
        {QStringLiteral("stream"), stream},
        {QStringLiteral("status"), status},
        {QStringLiteral("error_type"), textOrNull(errorType.view())},
        {QStringLiteral("attempts"), attempts},
        {QStringLiteral("truncated"), truncated},
        {QStringLiteral("client_aborted"), clientAborted},
        {QStringLiteral("input_tokens"), inputTokens},
        {QStringLiteral("output_tokens"), outputTokens},
        {QStringLiteral("duration_ms"), double(endUs / 100) / 10.0},
        {QStringLiteral("timings_us"), timings},
    };
}

bool RequestLog::Filter::matches(const RequestTiming &t) const
{
    if (status != 0 && t.status != status)
        return false;
    if (statusClass != 0 && t.status / 100 != statusClass)
        return false;
    if (errorsOnly && t.status < 400)
        return false;
    if (!keyId.isEmpty() && t.keyId.view() != keyId)
        return false;
    if (!accountId.isEmpty() && t.accountId.view() != accountId)
        return false;
    if (!requestId.isEmpty() && t.requestId.view() != requestId)
        return false;
    return t.endUs >= minDurationUs;
}

RequestLog::RequestLog(int capacity)
    : m_capacity(std::max(1, capacity))
{}

RequestLog::~RequestLog() = default;

void RequestLog::setWriterCount(int count)
{
    m_rings.clear();
    for (int i = 0; i < count; ++i) {
        auto ring = std::make_unique<Ring>();
        ring->slots.resize(size_t(m_capacity));
        m_rings.push_back(std::move(ring));
    }
}

void RequestLog::record(int writer, const RequestTiming &timing)
{
    if (unsigned(writer) >= m_rings.size())
        return;
    Ring &ring = *m_rings[size_t(writer)];
    QMutexLocker lock(&ring.mutex);
    ring.slots[size_t(ring.written % quint64(m_capacity))] = timing;
    ++ring.written;
    ring.writtenCount.store(ring.written, std::memory_order_relaxed);
}

std::vector<RequestTiming> RequestLog::records(const Filter &filter) const
{
    std::vector<RequestTiming> out;
    const auto capacity = quint64(m_capacity);
    for (const auto &ringPtr : m_rings) {
        const Ring &ring = *ringPtr;
        quint64 next = 0; // the next record to read, counting down from the newest
        {
            QMutexLocker lock(&ring.mutex);
            next = ring.written;
        }
        bool overtaken = false;
        while (next > 0 && !overtaken) {
            QMutexLocker lock(&ring.mutex);
            // Records older than the last `capacity` ones have been overwritten since we started: stop there.
            const quint64 oldest = ring.written > capacity ? ring.written - capacity : 0;
            for (int n = 0; n < ReadBatch && next > 0; ++n) {
                if (next - 1 < oldest) {
                    overtaken = true;
                    break;
                }
                --next;
                const RequestTiming &timing = ring.slots[size_t(next % capacity)];
                if (filter.matches(timing))
                    out.push_back(timing);
            }
        }
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const RequestTiming &a, const RequestTiming &b) { return a.endedAfter(b); });
    if (out.size() > size_t(m_capacity))
        out.resize(size_t(m_capacity));
    return out;
}

std::vector<RequestTiming> RequestLog::records() const
{
    return records(Filter());
}

std::optional<RequestTiming> RequestLog::find(QByteArrayView requestId) const
{
    Filter filter;
    filter.requestId = requestId.toByteArray();
    if (filter.requestId.isEmpty())
        return std::nullopt;
    const std::vector<RequestTiming> found = records(filter);
    if (found.empty())
        return std::nullopt;
    return found.front();
}

quint64 RequestLog::recordedCount() const
{
    quint64 total = 0;
    for (const auto &ring : m_rings)
        total += ring->writtenCount.load(std::memory_order_relaxed);
    return total;
}

quint64 RequestLog::accountHash(QByteArrayView accountId)
{
    return quint64(qHash(accountId, 0)) | 1; // never 0, which marks a free slot
}

void RequestLog::accountDelta(int writer, QByteArrayView accountId, int delta)
{
    if (unsigned(writer) >= m_rings.size() || accountId.isEmpty())
        return;
    // Open addressing, written only by this ring's writer: a slot, once claimed, keeps its account.
    Ring &ring = *m_rings[size_t(writer)];
    const quint64 hash = accountHash(accountId);
    for (int probe = 0; probe < AccountSlots; ++probe) {
        AccountCount &slot = ring.accounts[size_t((hash + quint64(probe)) % AccountSlots)];
        const quint64 held = slot.hash.load(std::memory_order_relaxed);
        if (held == 0) {
            if (delta < 0)
                return; // never started here
            slot.hash.store(hash, std::memory_order_release);
        } else if (held != hash) {
            continue;
        }
        slot.count.store(slot.count.load(std::memory_order_relaxed) + delta, std::memory_order_relaxed);
        return;
    }
    // The table is full: this account is not counted on this writer (consistently, for start and end).
}

int RequestLog::inFlight(QByteArrayView accountId) const
{
    if (accountId.isEmpty())
        return 0;
    const quint64 hash = accountHash(accountId);
    int total = 0;
    for (const auto &ring : m_rings) {
        for (int probe = 0; probe < AccountSlots; ++probe) {
            const AccountCount &slot = ring->accounts[size_t((hash + quint64(probe)) % AccountSlots)];
            const quint64 held = slot.hash.load(std::memory_order_acquire);
            if (held == 0)
                break;
            if (held == hash) {
                total += slot.count.load(std::memory_order_relaxed);
                break;
            }
        }
    }
    return std::max(0, total);
}

} // namespace Relay::Proxy
