// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "upstream/outcome.h"
#include "upstream/upstreamrequest.h"

#include <QByteArray>
#include <QByteArrayView>

namespace Relay::Upstream {

// What an upstream answer means for the account it went out on and for the request.
struct Classification
{
    enum class Kind {
        Ok,
        RateLimited,  // 429
        Overloaded,   // 529
        ServerError,  // other 5xx (and unexpected 1xx/3xx)
        Unauthorized, // 401: credential invalid or expired
        Forbidden,    // 403, or an organisation disabled / out of credit: the account cannot serve
        ClientError,  // 4xx caused by the request itself (400, 404, 413, ...): never the account's fault
        Unreachable,  // transport failure: no connection, reset or timeout (see classifyOutcome)
    };
    Kind kind = Kind::Ok;
    qint64 cooldownUntilMs = 0;             // ms since the epoch until the account should rest; 0 = no cooldown
    bool retryableOnAnotherAccount = false; // the same request may go to another account
    QByteArray reason;                      // short, for logs and account status; no secrets, no body text

    bool isOk() const { return kind == Kind::Ok; }
};

inline constexpr qint64 DefaultRateLimitCooldownMs = 60'000;
inline constexpr qint64 DefaultOverloadCooldownMs = 30'000;
inline constexpr qint64 DefaultServerErrorCooldownMs = 10'000;
inline constexpr qint64 MaxCooldownMs = 7LL * 24 * 3600 * 1000; // a bad header must not bench an account forever

// Classifies a response from its status, headers (lower-case names) and body (an error JSON is looked into for
// "organization has been disabled" and similar account-level failures). The cooldown comes from
// anthropic-ratelimit-unified-reset (unix seconds or RFC 3339), else retry-after (seconds or an HTTP date), else a
// default per class (60 s for 429, 30 s for 529, 10 s for other 5xx); 401/403/4xx get none.
Classification classifyResponse(int status, const HeaderList &headers, QByteArrayView body, qint64 nowMs);

// Classifies a call that ended without a usable response: a connect failure or a timeout/reset before the
// response headers is retryable on another account; one after the headers is not (bytes may have reached the
// client). An Ok outcome is classified from its status via classifyResponse without headers or body.
Classification classifyOutcome(const Outcome &outcome, qint64 nowMs);

// An HTTP time value: unix seconds (integer or decimal), RFC 3339, or an IMF-fixdate / RFC 850 / asctime date.
// Returns ms since the epoch, or -1. `relativeSeconds` reads a bare number as seconds from now (retry-after).
qint64 parseHttpTime(QByteArrayView value, qint64 nowMs, bool relativeSeconds);

} // namespace Relay::Upstream
