// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "limits/limitpolicy.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Relay::Domain {

// What a key may call. Stored by name (endpointName); a key with an empty permission list may call everything.
enum class Endpoint { Messages, CountTokens, Models };
QByteArrayView endpointName(Endpoint endpoint);
std::optional<Endpoint> endpointFromName(QByteArrayView name);
QList<Endpoint> allEndpoints();

// Which models a key may use. One semantics: None = every model; Allow = only the listed models; Deny = every model
// except the listed ones. Names are compared after Usage::PricingTable::normalizeModel on both sides, so
// "claude-sonnet-4-5" also covers "claude-sonnet-4-5-20250929" and "us.anthropic.claude-sonnet-4-5-v1:0"
// (the same normalisation the prices use); there is no prefix or substring matching.
enum class ModelRuleMode { None, Allow, Deny };
QByteArrayView modelRuleModeName(ModelRuleMode mode);
std::optional<ModelRuleMode> modelRuleModeFromName(QByteArrayView name);

struct ModelRule
{
    ModelRuleMode mode = ModelRuleMode::None;
    QList<QByteArray> models; // normalised names

    bool operator==(const ModelRule &) const = default;
};

// Which clients may use a key. ClaudeCode: see KeyRules::checkClient.
enum class ClientRestriction { Any, ClaudeCode };
QByteArrayView clientRestrictionName(ClientRestriction client);
std::optional<ClientRestriction> clientRestrictionFromName(QByteArrayView name);

// A client API key as stored in Redis (rd:{key:<id>}:record). The clear key itself is never stored: only its
// HMAC (`hash`) and a display hint. Times are milliseconds since the epoch; 0 means "never" / "not set".
struct ApiKey
{
    static constexpr QByteArrayView DefaultPrefix = "rd_";
    static constexpr qsizetype SecretHexLength = 64;

    QByteArray id;
    QString name;
    QString description;
    QByteArray hint; // first 7 and last 4 characters of the clear key, e.g. "rd_1a2b...9f0e"
    bool enabled = true;
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
    qint64 expiresAt = 0; // 0 = never (or, with expiresAfterFirstUseMs, not activated yet)
    qint64 lastUsedAt = 0;
    int concurrencyLimit = 0; // 0 = no limit
    QByteArray hash;          // HMAC-SHA256(server secret, clear key), lower-case hex
    QStringList tags;
    QList<Endpoint> permissions; // empty = every endpoint
    ModelRule modelRule;
    ClientRestriction client = ClientRestriction::Any;
    // Expiry counted from the first use: KeyStore::activate sets activatedAt and expiresAt once.
    qint64 expiresAfterFirstUseMs = 0; // 0 = not used
    qint64 activatedAt = 0;            // 0 = not activated yet
    // Dedicated upstream: one account or one account group (at most one of them); both empty = the shared pool.
    QByteArray boundAccountId;
    QByteArray boundGroupId;
    // Rate window and cost limits (Limits::LimitChecker enforces them, atomically, per request). limitTimeZone is the
    // key's own zone for day/week boundaries; empty = the relay's time-zone setting.
    Limits::LimitPolicy limits;
    QByteArray limitTimeZone;
    // At the concurrency limit: wait up to this long for a slot before answering 429 (0 = answer at once).
    qint64 concurrencyWaitMs = 0;

    // The key's limits with the day/week zone resolved (the key's own, else relayZone).
    Limits::LimitPolicy effectiveLimits(const QTimeZone &relayZone) const
    {
        Limits::LimitPolicy policy = limits;
        if (limitTimeZone.isEmpty())
            policy.timeZone = relayZone;
        return policy;
    }

    // True when the first authenticated request must call KeyStore::activate to start the expiry clock.
    bool needsActivation() const { return expiresAfterFirstUseMs > 0 && activatedAt == 0; }
    bool isExpired(qint64 nowMs) const { return expiresAt > 0 && nowMs >= expiresAt; }
    // Enabled and not expired: may authenticate a request.
    bool isUsable(qint64 nowMs) const { return enabled && !isExpired(nowMs); }

    // Field/value pairs for HSET of the whole record (all fields).
    QList<QByteArray> toRecordFields() const;
    // From an HGETALL reply (field, value, ...); nullopt if it is empty or has no id or hash. Fields added later
    // (tags, permissions, model rule, ...) take their defaults when absent, so older records still load.
    static std::optional<ApiKey> fromRecord(const QList<QByteArray> &fieldsAndValues);

    // The stored form of the list and rule fields (see docs/redis-schema.md).
    static QByteArray encodeTags(const QStringList &tags);
    static QByteArray encodePermissions(const QList<Endpoint> &permissions);
    static QByteArray encodeModels(const QList<QByteArray> &models);
};

// Why a key's settings are not acceptable, or empty. Checks what create() and update() store: name, description,
// tags, model rule, limits, expiry and binding.
QString validateApiKeySettings(const ApiKey &key);

// True if key is prefix + exactly 64 lower- or upper-case hex characters.
bool validateKeyFormat(QByteArrayView key, QByteArrayView prefix = ApiKey::DefaultPrefix);
// A new clear key: prefix + 64 lower-case hex characters from the CSPRNG; empty if the generator fails.
QByteArray generateClearKey(QByteArrayView prefix = ApiKey::DefaultPrefix);
// What may be shown of a key: its first 7 and last 4 characters.
QByteArray keyHint(QByteArrayView clearKey);
// A new record id: 16 lower-case hex characters from the CSPRNG; empty if the generator fails.
QByteArray generateId();
// True for ids this module generates or accepts from the outside (1..64 characters of [A-Za-z0-9_-]).
bool isValidId(QByteArrayView id);

} // namespace Relay::Domain
