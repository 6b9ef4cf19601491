// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "admin/adminresult.h"
#include "domain/account.h"
#include "domain/accountstore.h"
#include "relay/accountdirectory.h"

#include <QJsonObject>

#include <optional>

namespace Relay::Admin {

// One upstream account as the admin API shows it: the record, its health (rd:{acct:<id>}:state) and what the
// relay knows about its use.
struct AccountView
{
    Domain::Account account;
    Proxy::AccountEntry health; // only the health fields (health, coolingUntilMs, reason, changedAtMs, families)
    qint64 lastUsedAt = 0;
    std::optional<qint64> inFlight;       // held concurrency leases; only for accounts with max_concurrency
    std::optional<qint64> dailyCostNanos; // today's cost as this relay counts it; only with a relay
};

// The admin API's JSON for upstream accounts, both ways. Output never contains a secret (the API key or access
// token, the refresh token, the proxy password): only whether each is set. Input is checked field by field (422
// with one entry per bad field; unknown fields are refused); the secrets are write-only fields.
class AccountJson
{
public:
    static QJsonObject toJson(const AccountView &view, qint64 nowMs);
    // {status (effective: a cooldown that has ended reads as half_open), reason, until, changed_at,
    // family_cooldowns: {family: {until, reason, changed_at}}} with the family cooldowns still running.
    static QJsonObject healthJson(const Proxy::AccountEntry &health, qint64 nowMs);

    // POST /admin/accounts. Sets *error (422 with fields) and returns nullopt when the body is not acceptable.
    static std::optional<Domain::NewAccount> newAccountFrom(const QJsonObject &body, AdminError *error);
    // PATCH /admin/accounts/{id}: only the fields present. An empty string (or null) clears refresh_token,
    // proxy_url, proxy_password and notes; {} or null clears model_mapping.
    static std::optional<Domain::AccountPatch> patchFrom(const QJsonObject &body, AdminError *error);

    // Whether a health status name is one the API knows ("active", "cooling", "half_open", "unauthorized",
    // "blocked").
    static bool isHealthName(const QString &name);

    // OpenAPI schemas.
    static QJsonObject accountSchema();
    static QJsonObject createSchema();
    static QJsonObject patchSchema();

    static constexpr qsizetype MaxSecretLength = 64 * 1024;
    static constexpr int MaxConcurrency = 100000;
};

} // namespace Relay::Admin
