// SPDX-License-Identifier: GPL-3.0-or-later
#include "relay/messagerequest.h"

#include "domain/crypto.h"
#include "relay/jsonpeek.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace Relay::Proxy {

namespace {

QByteArray shortHash(QByteArrayView bytes)
{
    // Only the first 16 bytes are used, so only they are hex-encoded.
    const QByteArray digest = Domain::Crypto::sha256(bytes);
    return QByteArray::fromRawData(digest.constData(), qMin(digest.size(), qsizetype(16))).toHex();
}

} // namespace

QByteArray MessageRequest::sessionFromUserId(QByteArrayView userId)
{
    if (userId.startsWith('{')) {
        const QJsonObject o = QJsonDocument::fromJson(userId.toByteArray()).object();
        return o.value(u"session_id").toString().toUtf8();
    }
    const qsizetype at = userId.lastIndexOf("_session_");
    if (at < 0)
        return {};
    return userId.sliced(at + 9).toByteArray();
}

QString MessageRequest::parse(const Http::Request &request, bool countTokens, MessageRequest *out)
{
    JsonPeek peek;
    if (request.body.isEmpty())
        return QStringLiteral("The request body is empty; send a JSON object with model and messages.");
    if (!peek.parse(request.body))
        return peek.error() + u'.';

    const auto model = peek.value("model");
    const auto modelName = model ? JsonPeek::toString(*model) : std::nullopt;
    if (!modelName || modelName->isEmpty())
        return QStringLiteral("model: Field required (a model name string such as \"claude-sonnet-4-5\").");
    out->model = *modelName;
    out->modelOffset = model->data() - request.body.constData();
    out->modelLength = model->size();

    const auto messages = peek.value("messages");
    if (!messages || !messages->startsWith('['))
        return QStringLiteral("messages: Field required (an array of messages).");
    if (messages->sliced(1).trimmed().startsWith(']'))
        return QStringLiteral("messages: at least one message is required.");

    if (!countTokens) {
        if (const auto stream = peek.value("stream")) {
            const auto flag = JsonPeek::toBool(*stream);
            if (!flag && *stream != "null")
                return QStringLiteral("stream: Input should be a valid boolean.");
            out->stream = flag.value_or(false);
        }
        if (const auto maxTokens = peek.value("max_tokens")) {
            const auto n = JsonPeek::toInteger(*maxTokens);
            if (!n || *n < 1)
                return QStringLiteral("max_tokens: Input should be a positive integer.");
            out->maxTokens = n;
            out->maxTokensOffset = maxTokens->data() - request.body.constData();
            out->maxTokensLength = maxTokens->size();
        } else {
            return QStringLiteral("max_tokens: Field required.");
        }
    }

    // Sticky session: the client's own session id when it has one, else a hash of what opens the conversation.
    if (const auto metadata = peek.value("metadata"); metadata && metadata->startsWith('{')) {
        JsonPeek meta;
        if (meta.parse(*metadata)) {
            if (const auto userId = meta.value("user_id")) {
                out->metadataUserId = JsonPeek::toString(*userId).value_or(QByteArray());
                const QByteArray session = sessionFromUserId(out->metadataUserId);
                if (!session.isEmpty())
                    out->sessionHash = shortHash(session);
            }
        }
    }
    if (out->sessionHash.isEmpty()) {
        const QByteArray header = request.header("x-claude-code-session-id");
        if (!header.isEmpty())
            out->sessionHash = shortHash(header);
    }
    if (out->sessionHash.isEmpty()) {
        if (const auto system = peek.value("system"); system && system->size() > 2)
            out->sessionHash = shortHash(*system);
    }
    if (out->sessionHash.isEmpty()) {
        // The first message: skip to the end of the first array element.
        const QByteArrayView all = *messages;
        const qsizetype end = JsonPeek::skipValue(all, 1);
        if (end > 1)
            out->sessionHash = shortHash(all.sliced(1, end - 1));
    }
    return {};
}

} // namespace Relay::Proxy
