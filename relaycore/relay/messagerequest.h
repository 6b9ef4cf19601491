// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/request.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace Relay::Proxy {

// What the relay needs to know about a /v1/messages body, read without a full parse (see JsonPeek). The body itself
// is forwarded untouched.
struct MessageRequest
{
    QByteArray model;
    qsizetype modelOffset = -1; // where the model value (a JSON string, quotes included) sits, for model mapping
    qsizetype modelLength = 0;
    bool stream = false;
    std::optional<qint64> maxTokens;
    qsizetype maxTokensOffset = -1; // where the max_tokens value sits in the body, for clamping
    qsizetype maxTokensLength = 0;
    // Stable id of the conversation for sticky sessions; empty when the request gives nothing to derive it from.
    QByteArray sessionHash;
    // metadata.user_id as sent (unescaped), for client restrictions.
    QByteArray metadataUserId;

    // Empty on success, else a message for a 400 invalid_request_error.
    // countTokens: count_tokens bodies have no max_tokens and never stream.
    static QString parse(const Http::Request &request, bool countTokens, MessageRequest *out);

    // The session id inside metadata.user_id: the JSON form {"session_id":"…"} or the older
    // user_<hex>_account_<uuid?>_session_<uuid> form. Empty if neither.
    static QByteArray sessionFromUserId(QByteArrayView userId);
};

} // namespace Relay::Proxy
