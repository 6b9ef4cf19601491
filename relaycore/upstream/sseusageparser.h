// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "usage/usage.h"

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

namespace Relay::Upstream {

// An `event: error` that arrived inside a stream (Anthropic sends one instead of a status once a 200 has started).
struct StreamError
{
    QByteArray type;    // error.type, e.g. overloaded_error
    QByteArray message; // error.message
};

// Incremental Server-Sent Events parser that extracts what the relay needs from an Anthropic stream while the bytes
// go to the client untouched: usage, model, stop_reason, completeness and an in-stream error.
//
// feed() takes chunks split anywhere (inside a line ending, a field name or the JSON). Only the current partial
// event is kept, and only for the events whose JSON is read (message_start, message_delta, error and unnamed
// events); content deltas are skipped by their `event:` name without being buffered. An event larger than
// maxEventBytes is dropped whole and counted in oversizedEvents().
//
// Usage rules: message_start.message.usage sets every field (and message.model); message_delta.usage then replaces
// output_tokens and, when present, the input/cache fields, which current API versions report cumulatively, so
// nothing is ever added twice. Without message_delta the output count is message_start's (usually 1).
class SseUsageParser
{
public:
    static constexpr qsizetype DefaultMaxEventBytes = 1024 * 1024;

    explicit SseUsageParser(qsizetype maxEventBytes = DefaultMaxEventBytes);

    void feed(QByteArrayView chunk);
    // The stream has ended: an event without its trailing blank line is still dispatched, as browsers do not but
    // as a cut stream deserves for accounting (the JSON must then be complete to count).
    void finish();

    const Usage::TokenUsage &usage() const { return m_usage; }
    bool sawMessageStart() const { return m_sawMessageStart; }
    bool sawMessageStop() const { return m_sawMessageStop; }
    // message_stop arrived: the stream is complete (a transport error or its absence does not tell, see README).
    bool isComplete() const { return m_sawMessageStop; }
    const std::optional<StreamError> &error() const { return m_error; }
    QByteArray stopReason() const { return m_stopReason; }
    qint64 eventCount() const { return m_eventCount; }
    qint64 oversizedEvents() const { return m_oversizedEvents; }
    qint64 bytesFed() const { return m_bytesFed; }

private:
    enum class LineMode { Undecided, Keep, Discard };

    void appendToLine(const char *begin, const char *end);
    void endLine();
    void decideLine();
    void dispatch();
    void resetEvent();
    void markOversized();
    bool eventIsRead() const;
    void handleEvent(QByteArrayView type, const QByteArray &data);

    qsizetype m_maxEventBytes;
    Usage::TokenUsage m_usage;
    std::optional<StreamError> m_error;
    QByteArray m_stopReason;
    bool m_sawMessageStart = false;
    bool m_sawMessageStop = false;
    qint64 m_eventCount = 0;
    qint64 m_oversizedEvents = 0;
    qint64 m_bytesFed = 0;

    // Current line and event.
    QByteArray m_line;
    qsizetype m_lineLength = 0; // bytes seen on this line, kept or not
    LineMode m_lineMode = LineMode::Undecided;
    bool m_lineIsComment = false;
    bool m_skipLf = false; // the previous chunk ended with '\r': a leading '\n' belongs to that line ending
    QByteArray m_eventName;
    QByteArray m_data;
    bool m_hasData = false;
    bool m_eventHasLines = false;
    bool m_oversized = false;
};

// The usage of a non-streamed Message body (its `usage` object and `model`), or nothing if the body is not a JSON
// object with a usage object. stopReason is filled when given.
std::optional<Usage::TokenUsage> usageFromJson(QByteArrayView body, QByteArray *stopReason = nullptr);

} // namespace Relay::Upstream
