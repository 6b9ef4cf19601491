// SPDX-License-Identifier: GPL-3.0-or-later
#include "domain/apikey.h"

#include "domain/crypto.h"
#include "domain/recordfields.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimeZone>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Relay::Domain {

namespace {

bool isHexChar(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

QByteArray encodeStrings(const QStringList &values)
{
    return QJsonDocument(QJsonArray::fromStringList(values)).toJson(QJsonDocument::Compact);
}

// A JSON array of strings; anything else (missing, corrupt) is an empty list.
QStringList decodeStrings(const QByteArray &json)
{
    QStringList out;
    for (const QJsonValue &value : QJsonDocument::fromJson(json).array()) {
        if (value.isString())
            out << value.toString();
    }
    return out;
}

QStringList toStrings(const QList<QByteArray> &values)
{
    QStringList out;
    for (const QByteArray &value : values)
        out << QString::fromUtf8(value);
    return out;
}

constexpr qsizetype MaxTags = 32;
constexpr qsizetype MaxTagLength = 64;
constexpr qsizetype MaxModels = 200;
constexpr qint64 MaxConcurrencyWaitMs = 600'000;

QString validateLimits(const Limits::LimitPolicy &limits)
{
    const qint64 values[] = {limits.windowMinutes,   limits.windowRequests, limits.windowTokens,
                             limits.windowCostNanos, limits.dailyCostNanos, limits.totalCostNanos};
    if (std::any_of(std::begin(values), std::end(values), [](qint64 v) { return v < 0; }))
        return u"a limit must not be negative"_s;
    if (limits.windowMinutes > 0 && limits.windowRequests == 0 && limits.windowTokens == 0 &&
        limits.windowCostNanos == 0)
        return u"a rate window needs a request, token or cost limit"_s;
    if (limits.windowMinutes == 0 &&
        (limits.windowRequests > 0 || limits.windowTokens > 0 || limits.windowCostNanos > 0))
        return u"a request, token or cost limit per window needs the window's length in minutes"_s;
    if (limits.windowMinutes > 60 * 24 * 31)
        return u"a rate window is at most 31 days"_s;
    for (auto it = limits.weeklyFamilyCostNanos.cbegin(); it != limits.weeklyFamilyCostNanos.cend(); ++it) {
        if (it.key() != "opus" && it.key() != "sonnet" && it.key() != "haiku")
            return u"weekly cost limits are per model family: opus, sonnet or haiku, not \"%1\""_s.arg(
                QString::fromUtf8(it.key()));
        if (it.value() < 0)
            return u"a limit must not be negative"_s;
    }
    return {};
}
constexpr qsizetype MaxModelLength = 200;

} // namespace

QByteArrayView endpointName(Endpoint endpoint)
{
    switch (endpoint) {
    case Endpoint::Messages:
        return "messages";
    case Endpoint::CountTokens:
        return "count_tokens";
    case Endpoint::Models:
        return "models";
    }
    return {};
}

std::optional<Endpoint> endpointFromName(QByteArrayView name)
{
    for (Endpoint endpoint : allEndpoints()) {
        if (endpointName(endpoint) == name)
            return endpoint;
    }
    return std::nullopt;
}

QList<Endpoint> allEndpoints()
{
    return {Endpoint::Messages, Endpoint::CountTokens, Endpoint::Models};
}

QByteArrayView modelRuleModeName(ModelRuleMode mode)
{
    switch (mode) {
    case ModelRuleMode::None:
        return "none";
    case ModelRuleMode::Allow:
        return "allow";
    case ModelRuleMode::Deny:
        return "deny";
    }
    return {};
}

std::optional<ModelRuleMode> modelRuleModeFromName(QByteArrayView name)
{
    for (ModelRuleMode mode : {ModelRuleMode::None, ModelRuleMode::Allow, ModelRuleMode::Deny}) {
        if (modelRuleModeName(mode) == name)
            return mode;
    }
    return std::nullopt;
}

QByteArrayView clientRestrictionName(ClientRestriction client)
{
    return client == ClientRestriction::ClaudeCode ? QByteArrayView("claude_code") : QByteArrayView("any");
}

std::optional<ClientRestriction> clientRestrictionFromName(QByteArrayView name)
{
    if (name == "any")
        return ClientRestriction::Any;
    if (name == "claude_code")
        return ClientRestriction::ClaudeCode;
    return std::nullopt;
}

QByteArray ApiKey::encodeTags(const QStringList &tags)
{
    return encodeStrings(tags);
}

QByteArray ApiKey::encodePermissions(const QList<Endpoint> &permissions)
{
    QStringList names;
    for (Endpoint endpoint : permissions)
        names << QString::fromLatin1(endpointName(endpoint));
    return encodeStrings(names);
}

QByteArray ApiKey::encodeModels(const QList<QByteArray> &models)
{
    return encodeStrings(toStrings(models));
}

QList<QByteArray> ApiKey::toRecordFields() const
{
    QList<QByteArray> fields{
        "id",
        id,
        "name",
        name.toUtf8(),
        "description",
        description.toUtf8(),
        "hash",
        hash,
        "hint",
        hint,
        "enabled",
        RecordFields::fromBool(enabled),
        "created_at",
        QByteArray::number(createdAt),
        "updated_at",
        QByteArray::number(updatedAt),
        "expires_at",
        QByteArray::number(expiresAt),
        "last_used_at",
        QByteArray::number(lastUsedAt),
        "concurrency_limit",
        QByteArray::number(concurrencyLimit),
        "tags",
        encodeTags(tags),
        "permissions",
        encodePermissions(permissions),
        "model_rule",
        modelRuleModeName(modelRule.mode).toByteArray(),
        "models",
        encodeModels(modelRule.models),
        "client",
        clientRestrictionName(client).toByteArray(),
        "expires_after_first_use_ms",
        QByteArray::number(expiresAfterFirstUseMs),
        "activated_at",
        QByteArray::number(activatedAt),
        "bound_account",
        boundAccountId,
        "bound_group",
        boundGroupId,
        "concurrency_wait_ms",
        QByteArray::number(concurrencyWaitMs),
    };
    fields.reserve(fields.size() + 20);
    for (const auto &[name, value] : limits.toHashFields()) {
        if (name == "limit_time_zone")
            continue; // written only when the key has its own zone
        fields << name << value;
    }
    if (!limitTimeZone.isEmpty())
        fields << "limit_time_zone" << limitTimeZone;
    return fields;
}

std::optional<ApiKey> ApiKey::fromRecord(const QList<QByteArray> &fieldsAndValues)
{
    const QHash<QByteArray, QByteArray> fields = RecordFields::toHash(fieldsAndValues);
    ApiKey key;
    key.id = fields.value("id");
    key.hash = fields.value("hash");
    if (key.id.isEmpty() || key.hash.isEmpty())
        return std::nullopt;
    key.name = QString::fromUtf8(fields.value("name"));
    key.description = QString::fromUtf8(fields.value("description"));
    key.hint = fields.value("hint");
    key.enabled = RecordFields::toBool(fields.value("enabled"), true);
    key.createdAt = fields.value("created_at").toLongLong();
    key.updatedAt = fields.value("updated_at").toLongLong();
    key.expiresAt = fields.value("expires_at").toLongLong();
    key.lastUsedAt = fields.value("last_used_at").toLongLong();
    key.concurrencyLimit = fields.value("concurrency_limit").toInt();
    key.tags = decodeStrings(fields.value("tags"));
    for (const QString &name : decodeStrings(fields.value("permissions"))) {
        if (const auto endpoint = endpointFromName(name.toUtf8()); endpoint && !key.permissions.contains(*endpoint))
            key.permissions << *endpoint;
    }
    key.modelRule.mode = modelRuleModeFromName(fields.value("model_rule")).value_or(ModelRuleMode::None);
    for (const QString &model : decodeStrings(fields.value("models")))
        key.modelRule.models << model.toUtf8();
    key.client = clientRestrictionFromName(fields.value("client")).value_or(ClientRestriction::Any);
    key.expiresAfterFirstUseMs = fields.value("expires_after_first_use_ms").toLongLong();
    key.activatedAt = fields.value("activated_at").toLongLong();
    key.boundAccountId = fields.value("bound_account");
    key.boundGroupId = fields.value("bound_group");
    key.concurrencyWaitMs = fields.value("concurrency_wait_ms").toLongLong();
    // A limit field that does not parse keeps the limits that do (logged by the caller's validation, not silently
    // dropped as a whole: a typo must not turn every limit off).
    key.limits = Limits::LimitPolicy::fromFlatHash(fieldsAndValues).policy;
    key.limitTimeZone = fields.value("limit_time_zone");
    return key;
}

QString validateApiKeySettings(const ApiKey &key)
{
    const QString name = key.name.trimmed();
    if (name.isEmpty() || name.size() > 100)
        return u"a key needs a name of 1 to 100 characters"_s;
    if (key.description.size() > 500)
        return u"the description is longer than 500 characters"_s;
    if (key.concurrencyLimit < 0)
        return u"the concurrency limit must not be negative"_s;
    if (key.tags.size() > MaxTags)
        return u"a key has at most %1 tags"_s.arg(MaxTags);
    for (const QString &tag : key.tags) {
        if (tag.trimmed().isEmpty() || tag.trimmed() != tag || tag.size() > MaxTagLength)
            return u"a tag is 1 to %1 characters without leading or trailing spaces"_s.arg(MaxTagLength);
    }
    if (key.modelRule.mode == ModelRuleMode::None && !key.modelRule.models.isEmpty())
        return u"a model list needs a rule (allow or deny)"_s;
    if (key.modelRule.mode != ModelRuleMode::None && key.modelRule.models.isEmpty())
        return u"an allow or deny model rule needs at least one model"_s;
    if (key.modelRule.models.size() > MaxModels)
        return u"a model rule lists at most %1 models"_s.arg(MaxModels);
    for (const QByteArray &model : key.modelRule.models) {
        if (model.trimmed().isEmpty() || model.size() > MaxModelLength)
            return u"a model name is 1 to %1 characters"_s.arg(MaxModelLength);
    }
    if (key.expiresAt < 0 || key.expiresAfterFirstUseMs < 0)
        return u"an expiry must not be negative"_s;
    if (key.expiresAfterFirstUseMs > 0 && key.expiresAt > 0 && key.activatedAt == 0)
        return u"a key expires either at a fixed time or after its first use, not both"_s;
    if (!key.boundAccountId.isEmpty() && !key.boundGroupId.isEmpty())
        return u"a key is bound to an account or to an account group, not both"_s;
    if (!key.boundAccountId.isEmpty() && !isValidId(key.boundAccountId))
        return u"the bound account id is not a valid id"_s;
    if (!key.boundGroupId.isEmpty() && !isValidId(key.boundGroupId))
        return u"the bound group id is not a valid id"_s;
    if (key.concurrencyWaitMs < 0 || key.concurrencyWaitMs > MaxConcurrencyWaitMs)
        return u"the concurrency wait is 0 to %1 seconds"_s.arg(MaxConcurrencyWaitMs / 1000);
    if (key.concurrencyWaitMs > 0 && key.concurrencyLimit <= 0)
        return u"a concurrency wait needs a concurrency limit"_s;
    if (!key.limitTimeZone.isEmpty() && !QTimeZone(key.limitTimeZone).isValid())
        return u"\"%1\" is not a time zone (use an IANA name such as Europe/Berlin)"_s.arg(
            QString::fromUtf8(key.limitTimeZone));
    if (const QString invalid = validateLimits(key.limits); !invalid.isEmpty())
        return invalid;
    return {};
}

bool validateKeyFormat(QByteArrayView key, QByteArrayView prefix)
{
    if (key.size() != prefix.size() + ApiKey::SecretHexLength || !key.startsWith(prefix))
        return false;
    for (char c : key.sliced(prefix.size())) {
        if (!isHexChar(c))
            return false;
    }
    return true;
}

QByteArray generateClearKey(QByteArrayView prefix)
{
    const std::optional<QByteArray> random = Crypto::randomBytes(ApiKey::SecretHexLength / 2);
    if (!random)
        return {};
    return prefix.toByteArray() + random->toHex();
}

QByteArray keyHint(QByteArrayView clearKey)
{
    if (clearKey.size() <= 11)
        return {};
    return clearKey.first(7).toByteArray() + "..." + clearKey.last(4).toByteArray();
}

QByteArray generateId()
{
    const std::optional<QByteArray> random = Crypto::randomBytes(8);
    return random ? random->toHex() : QByteArray();
}

bool isValidId(QByteArrayView id)
{
    if (id.isEmpty() || id.size() > 64)
        return false;
    for (char c : id) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

} // namespace Relay::Domain
