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

bool RingBufferSink::matches(const LogEntry &entry, spdlog::level::level_enum minLevel, const QString &textFilter)
{
    if (entry.level < minLevel)
        return false;
    return textFilter.isEmpty() || entry.message.contains(textFilter, Qt::CaseInsensitive) ||
           entry.logger.contains(textFilter, Qt::CaseInsensitive);
}

QList<LogEntry> RingBufferSink::recent(int maxCount, spdlog::level::level_enum minLevel, const QString &textFilter,
                                       quint64 *lastSequence)
{
    QList<LogEntry> result;
    std::lock_guard lock(mutex_);
    if (lastSequence)
        *lastSequence = m_nextSequence - 1;
    if (maxCount <= 0)
        return result;
    for (auto it = m_entries.rbegin(); it != m_entries.rend() && result.size() < maxCount; ++it) {
        if (matches(*it, minLevel, textFilter))
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

LogSlice RingBufferSink::sinceFiltered(quint64 sequence, int maxCount, spdlog::level::level_enum minLevel,
                                       const QString &textFilter)
{
    LogSlice slice;
    slice.scannedUpTo = sequence;
    std::lock_guard lock(mutex_);
    const quint64 last = m_nextSequence - 1;
    if (last <= sequence)
        return slice;
    // The oldest sequence still held; everything between `sequence` and it is gone (cleared or overwritten).
    const quint64 first = m_entries.empty() ? last + 1 : m_entries.front().sequence;
    if (first > sequence + 1)
        slice.missed = first - sequence - 1;
    slice.scannedUpTo = std::max(sequence, first - 1);
    const size_t start = sequence < first ? 0 : size_t(sequence - first + 1);
    for (size_t i = start; i < m_entries.size(); ++i) {
        if (maxCount >= 0 && slice.entries.size() >= maxCount)
            break;
        const LogEntry &entry = m_entries[i];
        slice.scannedUpTo = entry.sequence;
        if (matches(entry, minLevel, textFilter))
            slice.entries.append(entry);
    }
    return slice;
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
