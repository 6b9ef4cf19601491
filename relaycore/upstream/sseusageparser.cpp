// SPDX-License-Identifier: GPL-3.0-or-later
#include "upstream/sseusageparser.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <cstring>

namespace Relay::Upstream {

namespace {

constexpr qsizetype MaxUnparsedErrorBytes = 200;
constexpr qsizetype DecisionBytes = 5; // "data:"

bool hasNumber(const QJsonObject &object, QLatin1StringView key)
{
    return object.value(key).isDouble();
}

qint64 number(const QJsonObject &object, QLatin1StringView key)
{
    return object.value(key).toInteger();
}

// Applies an Anthropic `usage` object. The values are totals, never increments, so they replace what is there.
void applyUsage(const QJsonObject &u, Usage::TokenUsage &usage, bool fromMessageStart)
{
    if (hasNumber(u, QLatin1StringView("input_tokens"))) {
        usage.inputTokens = number(u, QLatin1StringView("input_tokens"));
    }
    if (hasNumber(u, QLatin1StringView("output_tokens"))) {
        usage.outputTokens = number(u, QLatin1StringView("output_tokens"));
    }
    if (hasNumber(u, QLatin1StringView("cache_read_input_tokens"))) {
        usage.cacheReadTokens = number(u, QLatin1StringView("cache_read_input_tokens"));
    }
    const QJsonObject split = u.value(QLatin1StringView("cache_creation")).toObject();
    const bool has5m = hasNumber(split, QLatin1StringView("ephemeral_5m_input_tokens"));
    const bool has1h = hasNumber(split, QLatin1StringView("ephemeral_1h_input_tokens"));
    if (has5m || has1h) {
        usage.cacheCreation5mTokens = number(split, QLatin1StringView("ephemeral_5m_input_tokens"));
        usage.cacheCreation1hTokens = number(split, QLatin1StringView("ephemeral_1h_input_tokens"));
    } else if (hasNumber(u, QLatin1StringView("cache_creation_input_tokens"))) {
        const qint64 total = number(u, QLatin1StringView("cache_creation_input_tokens"));
        if (fromMessageStart || usage.cacheCreation1hTokens > total) {
            // No split given: the undivided total is priced as the default 5-minute cache.
            usage.cacheCreation5mTokens = total;
            usage.cacheCreation1hTokens = 0;
        } else if (total != usage.cacheCreationTokens()) {
            // A later total without its split keeps the 1h part already known.
            usage.cacheCreation5mTokens = total - usage.cacheCreation1hTokens;
        }
    }
}

std::optional<QJsonObject> parseObject(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject()) {
        return std::nullopt;
    }
    return document.object();
}

QByteArray utf8(const QJsonValue &value)
{
    return value.isString() ? value.toString().toUtf8() : QByteArray();
}

} // namespace

SseUsageParser::SseUsageParser(qsizetype maxEventBytes)
    : m_maxEventBytes(maxEventBytes)
{}

void SseUsageParser::feed(QByteArrayView chunk)
{
    m_bytesFed += chunk.size();
    const char *p = chunk.data();
    const char *const end = p + chunk.size();
    while (p < end) {
        if (m_skipLf) {
            m_skipLf = false;
            if (*p == '\n') {
                ++p;
                continue;
            }
        }
        // Lines end with \n, \r\n or \r. memchr keeps skipped content deltas cheap.
        const auto *lf = static_cast<const char *>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
        const char *limit = lf ? lf : end;
        const auto *cr = static_cast<const char *>(std::memchr(p, '\r', static_cast<size_t>(limit - p)));
        const char *eol = cr ? cr : lf;
        if (eol == nullptr) {
            appendToLine(p, end);
            return;
        }
        appendToLine(p, eol);
        if (*eol == '\r') {
            m_skipLf = true;
        }
        p = eol + 1;
        endLine();
    }
}

void SseUsageParser::finish()
{
    if (m_lineLength > 0) {
        endLine();
    }
    if (m_eventHasLines || m_oversized) {
        dispatch();
    }
    m_skipLf = false;
}

void SseUsageParser::appendToLine(const char *begin, const char *end)
{
    qsizetype n = end - begin;
    if (n == 0) {
        return;
    }
    if (m_lineLength == 0) {
        m_lineIsComment = *begin == ':';
    }
    m_lineLength += n;
    if (m_oversized) {
        m_lineMode = LineMode::Discard;
    }
    if (m_lineMode == LineMode::Undecided) {
        // The first bytes tell whether the line is needed; until then it is never longer than that.
        const qsizetype head = qMin(n, DecisionBytes - m_line.size());
        m_line.append(begin, head);
        begin += head;
        n -= head;
        if (m_line.size() >= DecisionBytes) {
            decideLine();
        }
    }
    if (m_lineMode == LineMode::Discard || n == 0) {
        return;
    }
    if (m_data.size() + m_line.size() + n > m_maxEventBytes) {
        markOversized();
        return;
    }
    m_line.append(begin, n);
}

// A data line of an event whose JSON is never read is dropped as it streams by.
void SseUsageParser::decideLine()
{
    const bool isData = m_line.startsWith("data") && (m_line.size() == 4 || m_line.at(4) == ':');
    if (isData && !eventIsRead()) {
        m_lineMode = LineMode::Discard;
        m_line.resize(0);
    } else {
        m_lineMode = LineMode::Keep;
    }
}

bool SseUsageParser::eventIsRead() const
{
    return m_eventName.isEmpty() || m_eventName == "message_start" || m_eventName == "message_delta" ||
           m_eventName == "error" || m_eventName == "message_stop";
}

void SseUsageParser::endLine()
{
    if (m_lineLength == 0) {
        dispatch();
        return;
    }
    if (!m_lineIsComment) {
        m_eventHasLines = true;
    }
    if (m_lineMode == LineMode::Undecided && !m_oversized) {
        decideLine();
    }
    if (m_lineMode == LineMode::Keep && !m_oversized && !m_line.startsWith(':')) {
        const QByteArrayView line(m_line);
        const qsizetype colon = line.indexOf(':');
        const QByteArrayView name = colon < 0 ? line : line.first(colon);
        QByteArrayView value = colon < 0 ? QByteArrayView() : line.sliced(colon + 1);
        if (value.startsWith(' ')) {
            value = value.sliced(1);
        }
        if (name == "event") {
            m_eventName = value.toByteArray();
        } else if (name == "data") {
            if (m_hasData) {
                m_data.append('\n');
            }
            m_data.append(value);
            m_hasData = true;
        }
    }
    m_line.resize(0);
    m_lineLength = 0;
    m_lineMode = LineMode::Undecided;
}

void SseUsageParser::markOversized()
{
    m_oversized = true;
    m_line.clear();
    m_data.clear();
    m_lineMode = LineMode::Discard;
}

void SseUsageParser::dispatch()
{
    if (m_oversized) {
        ++m_oversizedEvents;
    } else if (m_eventHasLines) {
        ++m_eventCount;
        if (m_hasData || !m_eventName.isEmpty()) {
            handleEvent(m_eventName, m_data);
        }
    }
    resetEvent();
}

void SseUsageParser::resetEvent()
{
    m_eventName.resize(0);
    if (m_data.capacity() > 64 * 1024) {
        m_data.clear(); // do not keep a large event's buffer for the rest of the stream
    } else {
        m_data.resize(0);
    }
    m_hasData = false;
    m_eventHasLines = false;
    m_oversized = false;
}

void SseUsageParser::handleEvent(QByteArrayView type, const QByteArray &data)
{
    std::optional<QJsonObject> object;
    QByteArray typeFromJson;
    if (type.isEmpty()) {
        // An unnamed event: the JSON's own type field tells what it is.
        object = parseObject(data);
        if (!object) {
            return;
        }
        typeFromJson = utf8(object->value(QLatin1StringView("type")));
        type = typeFromJson;
    }
    if (type == "message_stop") {
        m_sawMessageStop = true;
        return;
    }
    const bool isStart = type == "message_start";
    const bool isDelta = type == "message_delta";
    const bool isError = type == "error";
    if (!isStart && !isDelta && !isError) {
        return;
    }
    if (!object) {
        object = parseObject(data);
    }
    if (!object) {
        if (isError) {
            m_error = StreamError{QByteArrayLiteral("unknown_error"), data.left(MaxUnparsedErrorBytes)};
        }
        return;
    }
    if (isStart) {
        const QJsonObject message = object->value(QLatin1StringView("message")).toObject();
        m_sawMessageStart = true;
        applyUsage(message.value(QLatin1StringView("usage")).toObject(), m_usage, true);
        const QByteArray model = utf8(message.value(QLatin1StringView("model")));
        if (!model.isEmpty()) {
            m_usage.model = model;
        }
    } else if (isDelta) {
        const QByteArray stopReason =
            utf8(object->value(QLatin1StringView("delta")).toObject().value(QLatin1StringView("stop_reason")));
        if (!stopReason.isEmpty()) {
            m_stopReason = stopReason;
        }
        applyUsage(object->value(QLatin1StringView("usage")).toObject(), m_usage, false);
    } else {
        const QJsonObject error = object->value(QLatin1StringView("error")).toObject();
        m_error =
            StreamError{utf8(error.value(QLatin1StringView("type"))), utf8(error.value(QLatin1StringView("message")))};
    }
}

std::optional<Usage::TokenUsage> usageFromJson(QByteArrayView body, QByteArray *stopReason)
{
    const std::optional<QJsonObject> object = parseObject(body.toByteArray());
    if (!object || !object->value(QLatin1StringView("usage")).isObject()) {
        return std::nullopt;
    }
    Usage::TokenUsage usage;
    applyUsage(object->value(QLatin1StringView("usage")).toObject(), usage, true);
    usage.model = utf8(object->value(QLatin1StringView("model")));
    if (stopReason) {
        *stopReason = utf8(object->value(QLatin1StringView("stop_reason")));
    }
    return usage;
}

} // namespace Relay::Upstream
