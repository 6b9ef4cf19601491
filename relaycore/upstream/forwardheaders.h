// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "upstream/upstreamrequest.h"

#include <QByteArray>

namespace Relay::Upstream {

// The secret of the upstream account a request goes out on.
struct AccountCredential
{
    enum class Kind { ApiKey, OAuth };
    Kind kind = Kind::ApiKey;
    QByteArray secret; // the API key or the OAuth access token
};

inline constexpr char OAuthBeta[] = "oauth-2025-04-20";
inline constexpr char DefaultAnthropicVersion[] = "2023-06-01";

// The headers to send upstream for a client request. An allow-list: anthropic-version, anthropic-beta (as sent),
// content-type, accept, accept-language, user-agent, x-app, x-stainless-*, anthropic-dangerous-direct-browser-access
// and x-claude-code-session-id pass; everything else (the client's own credentials, cookies, hop-by-hop and
// proxy headers, accept-encoding, ...) is dropped. Then the account credential is added: `x-api-key` for API-key
// accounts, `authorization: Bearer` for OAuth ones (whose anthropic-beta list gets oauth-2025-04-20 appended when
// missing), `anthropic-version: 2023-06-01` when the client sent none and `content-type: application/json` when
// absent (Qt would otherwise label a POST body as a form). Names come out lower-case; a header the client repeated
// is joined with ", " into one (QNetworkRequest keeps only one value per name).
HeaderList forwardHeaders(const HeaderList &clientHeaders, const AccountCredential &credential);

// Whether a (lower- or mixed-case) client header name is on the allow-list.
bool isForwardedHeader(QByteArrayView name);

} // namespace Relay::Upstream
