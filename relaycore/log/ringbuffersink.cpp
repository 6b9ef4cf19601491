// SPDX-License-Identifier: GPL-3.0-or-later
#include "log/ringbuffersink.h"

#include <algorithm>
#include <chrono>

namespace Relay::Log {

RingBufferSink::RingBufferSink(int capacity)
    : m_capacity(std::max(1, capacity))
{}

int RingBufferSink::size()
{
    std::lock_guard lock(mutex_);
    return int(m_entries.size());
}

quint64 RingBufferSink::lastSequence()
{
    std::lock_guard lock(mutex_);
    return m_nextSequence - 1;
}

void RingBufferSink::clear()
{
    std::lock_guard lock(mutex_);
    m_entries.clear();
}

QList<LogEntry> RingBufferSink::recent(int maxCount, spdlog::level::level_enum minLevel, const QString &textFilter)
{
    QList<LogEntry> result;
    if (maxCount <= 0)
        return result;
    std::lock_guard lock(mutex_);
    for (auto it = m_entries.rbegin(); it != m_entries.rend() && result.size() < maxCount; ++it) {
        if (it->level < minLevel)
            continue;
        if (!textFilter.isEmpty() && !it->message.contains(textFilter, Qt::CaseInsensitive) &&
            !it->logger.contains(textFilter, Qt::CaseInsensitive))
            continue;
        result.append(*it);
    }
    std::reverse(result.begin(), result.end());
    return result;
}

QList<LogEntry> RingBufferSink::since(quint64 sequence, int maxCount)
{
    QList<LogEntry> result;
    std::lock_guard lock(mutex_);
    if (m_entries.empty())
        return result;
    // Sequence numbers in the buffer are consecutive, so the start index is a subtraction, not a search.
    const quint64 first = m_entries.front().sequence;
    const size_t start = sequence < first ? 0 : size_t(sequence - first + 1);
    for (size_t i = start; i < m_entries.size(); ++i) {
        if (maxCount >= 0 && result.size() >= maxCount)
            break;
        result.append(m_entries[i]);
    }
    return result;
}

void RingBufferSink::sink_it_(const spdlog::details::log_msg &msg)
{
    if (int(m_entries.size()) >= m_capacity)
        m_entries.pop_front();
    LogEntry entry;
    entry.sequence = m_nextSequence++;
    entry.timeMsecsSinceEpoch =
        std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
    entry.level = msg.level;
    entry.logger = QString::fromUtf8(msg.logger_name.data(), qsizetype(msg.logger_name.size()));
    entry.message = QString::fromUtf8(msg.payload.data(), qsizetype(msg.payload.size()));
    m_entries.push_back(std::move(entry));
}

} // namespace Relay::Log
