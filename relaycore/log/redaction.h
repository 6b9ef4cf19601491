// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>
#include <QString>

// Masking for anything that might carry a secret before it reaches a log line, an error message or --print-config.
namespace Relay::Log {

// Keeps a recognised non-secret prefix (sk-ant-api03-, sk-ant-oat01-, rd_) plus at most 4 further characters
// (fewer for short values, never more than a quarter of the rest), then "…(N)" with the total length.
// "sk-ant-api03-AbCdEf…" -> "sk-ant-api03-AbCd…(108)". Unrecognised values keep no prefix.
QString redactSecret(QByteArrayView secret);

// Replaces the password of scheme://user:password@host/... with "***"; the rest is kept as written.
// Query parameters that look like credentials (password, pass, token, secret, key, auth) are masked too.
QString redactUrl(const QString &url);

// authorization / proxy-authorization keep their scheme ("Bearer ") and redact the credential; x-api-key is
// redacted; cookie / set-cookie are fully masked. Other headers are returned unchanged.
QString redactHeaderValue(QByteArrayView name, QByteArrayView value);

} // namespace Relay::Log
