// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace Relay::Http {

// Reason phrase for a status code ("Not Found"); "Unknown" for codes we never send.
QByteArray reasonPhrase(int status);

// Anthropic's error type for an HTTP status (400 → invalid_request_error, 429 → rate_limit_error, ...).
QByteArray anthropicErrorType(int status);

// {"type":"error","error":{"type":<type>,"message":<message>}} with the message JSON-escaped.
QByteArray anthropicErrorBody(QByteArrayView errorType, QByteArrayView message);

} // namespace Relay::Http
