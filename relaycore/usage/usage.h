// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QtGlobal>

namespace Relay::Usage {

// Token usage of one upstream response, as Anthropic reports it (message_start + message_delta for streams, the
// `usage` object for JSON). Cache creation is split by TTL because the two are priced differently.
struct TokenUsage
{
    qint64 inputTokens = 0;
    qint64 outputTokens = 0;
    qint64 cacheCreation5mTokens = 0; // cache_creation.ephemeral_5m_input_tokens (or the undivided total)
    qint64 cacheCreation1hTokens = 0; // cache_creation.ephemeral_1h_input_tokens
    qint64 cacheReadTokens = 0;
    QByteArray model; // as the upstream reported it (may differ from the request's)

    bool isEmpty() const
    {
        return inputTokens == 0 && outputTokens == 0 && cacheCreation5mTokens == 0 && cacheCreation1hTokens == 0 &&
               cacheReadTokens == 0;
    }
    qint64 cacheCreationTokens() const { return cacheCreation5mTokens + cacheCreation1hTokens; }
    qint64 totalInputTokens() const { return inputTokens + cacheCreationTokens() + cacheReadTokens; }
};

} // namespace Relay::Usage
