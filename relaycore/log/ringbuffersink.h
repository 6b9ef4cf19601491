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
    QList<LogEntry> recent(int maxCount, spdlog::level::level_enum minLevel = spdlog::level::trace,
                           const QString &textFilter = {});
    // Entries with a sequence number greater than sequence, oldest first, at most maxCount (-1 = all):
    // a live tail calls since(lastSeenSequence) repeatedly.
    QList<LogEntry> since(quint64 sequence, int maxCount = -1);

protected:
    void sink_it_(const spdlog::details::log_msg &msg) override;
    void flush_() override {}

private:
    const int m_capacity;
    quint64 m_nextSequence = 1;
    std::deque<LogEntry> m_entries;
};

} // namespace Relay::Log
