// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "domain/apikey.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <functional>

// The pure rules of an API key: what it may call, which models and which clients. No I/O; the relay applies them
// on the request path and /v1/models filters its list with the same model rule.
namespace Relay::Domain::KeyRules {

// A request header by lower-case name, empty when absent (e.g. [&](auto n) { return request.header(n); }).
using HeaderLookup = std::function<QByteArray(QByteArrayView lowerName)>;

bool hasPermission(const ApiKey &key, Endpoint endpoint);

// The key's model rule applied to a requested model name (see ModelRule for the one semantics).
bool isModelAllowed(const ApiKey &key, QByteArrayView model);
// The ids the key may use, in their original order.
QList<QByteArray> filterModels(const ApiKey &key, const QList<QByteArray> &ids);
// A rule as it is stored: names normalised, duplicates dropped.
ModelRule normalizedRule(ModelRuleMode mode, const QList<QByteArray> &models);

// Only /v1/messages carries the client's identity; count_tokens and models are never refused by the client
// restriction (Claude Code's /context fires count_tokens without metadata).
bool needsClientCheck(Endpoint endpoint);
// Empty if the request may use the key, else a message for a 403 permission_error. For claude_code: a user-agent
// `claude-cli/<x.y.z>…`, a non-empty `x-app` header and a metadata.user_id in one of Claude Code's forms. The
// system prompt is never compared with templates (real Claude Code changes it with every release and mode).
QString checkClient(const ApiKey &key, const HeaderLookup &header, QByteArrayView metadataUserId);

// metadata.user_id as Claude Code sends it: the JSON string {"device_id":"<64 hex>","account_uuid":…,
// "session_id":"<uuid>"}, or the older user_<64 hex>_account_<uuid or empty>_session_<uuid>.
bool isClaudeCodeUserId(QByteArrayView userId);
// `claude-cli/<major>.<minor>.<patch>` optionally followed by a space and more.
bool isClaudeCodeUserAgent(QByteArrayView userAgent);

} // namespace Relay::Domain::KeyRules
