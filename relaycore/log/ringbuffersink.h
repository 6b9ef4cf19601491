// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>
#include <QtGlobal>

#include <spdlog/common.h>
#include <spdlog/sinks/base_sink.h>

#include <deque>
#include <mutex>

namespace Relay::Log {

// One log line as the admin console sees it: the message text without the sink pattern.
struct LogEntry
{
    quint64 sequence = 0; // strictly increasing, starts at 1, never reused while the process runs
    qint64 timeMsecsSinceEpoch = 0;
    spdlog::level::level_enum level = spdlog::level::info;
    QString logger;
    QString message;
};

// What RingBufferSink::sinceFiltered() found.
struct LogSlice
{
    QList<LogEntry> entries; // matching entries, oldest first
    quint64 scannedUpTo = 0; // sequence of the last entry examined: the next call continues after it
    quint64 missed = 0;      // entries after the given sequence that the ring had already dropped
};

// Keeps the last N log lines in memory so the admin console can show and tail them without reading files.
// spdlog calls sink_it_() under base_sink's mutex; the query methods take the same mutex.
class RingBufferSink final : public spdlog::sinks::base_sink<std::mutex>
{
public:
    static constexpr int DefaultCapacity = 2000;

    explicit RingBufferSink(int capacity = DefaultCapacity);

    int capacity() const { return m_capacity; }
    int size();
    quint64 lastSequence();
    void clear();

    // The newest maxCount entries at or above minLevel whose message or logger name contains textFilter
    // (case-insensitive), oldest first.
    // *lastSequence (if given) gets lastSequence() read under the same lock, so a tail can continue from it.
    QList<LogEntry> recent(int maxCount, spdlog::level::level_enum minLevel = spdlog::level::trace,
                           const QString &textFilter = {}, quint64 *lastSequence = nullptr);
    // Entries with a sequence number greater than sequence, oldest first, at most maxCount (-1 = all):
    // a live tail calls since(lastSeenSequence) repeatedly.
    QList<LogEntry> since(quint64 sequence, int maxCount = -1);
    // Like since() with recent()'s filters; stops after maxCount matches (-1 = no limit) and reports where it
    // stopped and how many lines after `sequence` were lost to the ring's wrap-around.
    LogSlice sinceFiltered(quint64 sequence, int maxCount, spdlog::level::level_enum minLevel,
                           const QString &textFilter);

protected:
    void sink_it_(const spdlog::details::log_msg &msg) override;
    void flush_() override {}

private:
    static bool matches(const LogEntry &entry, spdlog::level::level_enum minLevel, const QString &textFilter);

    const int m_capacity;
    quint64 m_nextSequence = 1;
    std::deque<LogEntry> m_entries;
};

} // namespace Relay::Log
