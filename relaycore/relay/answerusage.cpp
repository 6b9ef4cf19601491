// SPDX-License-Identifier: GPL-3.0-or-later
#include "relay/answerusage.h"

#include "relay/jsonpeek.h"
#include "upstream/sseusageparser.h"

namespace Relay::Proxy {

// The usage of a non-stream answer, read with the JSON peeker: a QJsonDocument of the answer (often many KB of text)
// cost more than the rest of the request path together. Same rules as Upstream::usageFromJson (the totals of a
// complete message; an undivided cache_creation_input_tokens counts as the 5-minute cache).
Usage::TokenUsage usageOfAnswer(const QByteArray &body)
{
    JsonPeek answer;
    JsonPeek usage;
    if (!answer.parse(body))
        return Upstream::usageFromJson(body).value_or(Usage::TokenUsage{}); // let the full parser judge it
    const auto usageValue = answer.value("usage");
    if (!usageValue || !usage.parse(*usageValue))
        return {};
    auto number = [](const JsonPeek &object, QByteArrayView key) -> std::optional<qint64> {
        const auto raw = object.value(key);
        return raw ? JsonPeek::toInteger(*raw) : std::nullopt;
    };
    Usage::TokenUsage out;
    out.inputTokens = number(usage, "input_tokens").value_or(0);
    out.outputTokens = number(usage, "output_tokens").value_or(0);
    out.cacheReadTokens = number(usage, "cache_read_input_tokens").value_or(0);
    JsonPeek split;
    const auto splitValue = usage.value("cache_creation");
    const bool hasSplit = splitValue && split.parse(*splitValue) &&
                          (number(split, "ephemeral_5m_input_tokens") || number(split, "ephemeral_1h_input_tokens"));
    if (hasSplit) {
        out.cacheCreation5mTokens = number(split, "ephemeral_5m_input_tokens").value_or(0);
        out.cacheCreation1hTokens = number(split, "ephemeral_1h_input_tokens").value_or(0);
    } else {
        out.cacheCreation5mTokens = number(usage, "cache_creation_input_tokens").value_or(0);
    }
    if (const auto model = answer.value("model"))
        out.model = JsonPeek::toString(*model).value_or(QByteArray());
    return out;
}

} // namespace Relay::Proxy
