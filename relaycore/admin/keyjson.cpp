// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/keyjson.h"

#include "domain/keyrules.h"

#include <QJsonArray>
#include <QSet>
#include <QTimeZone>

#include <cmath>
#include <functional>

using namespace Qt::StringLiterals;

namespace Relay::Admin {

namespace {

constexpr double MaxExactDouble = 9007199254740992.0; // 2^53
constexpr double MaxUsd = 1'000'000'000.0;
constexpr qint64 NanosPerUsd = 1'000'000'000;
constexpr qint64 MaxConcurrency = 100'000;
constexpr qint64 MaxConcurrencyWaitMs = 600'000;
constexpr qint64 MaxWindowMinutes = 60 * 24 * 31;
constexpr qint64 MaxWindowCount = 1'000'000'000'000;

const QStringList &readOnlyFields()
{
    static const QStringList fields{u"id"_s,           u"hint"_s,         u"status"_s, u"created_at"_s, u"updated_at"_s,
                                    u"last_used_at"_s, u"activated_at"_s, u"hash"_s,   u"key"_s};
    return fields;
}

const QStringList &writableFields()
{
    static const QStringList fields{u"name"_s,
                                    u"description"_s,
                                    u"enabled"_s,
                                    u"tags"_s,
                                    u"permissions"_s,
                                    u"model_rule"_s,
                                    u"models"_s,
                                    u"client"_s,
                                    u"concurrency_limit"_s,
                                    u"concurrency_wait_ms"_s,
                                    u"expires_at"_s,
                                    u"expires_after_first_use_ms"_s,
                                    u"bound_account"_s,
                                    u"bound_group"_s,
                                    u"limits"_s};
    return fields;
}

struct ScalarLimit
{
    const char16_t *name; // without the _usd / _nanos suffix for money
    qint64 Limits::LimitPolicy::*member;
    std::optional<qint64> LimitEdits::*edit;
    bool money;
    qint64 max; // counts only
};

const ScalarLimit ScalarLimits[] = {
    {u"window_minutes", &Limits::LimitPolicy::windowMinutes, &LimitEdits::windowMinutes, false, MaxWindowMinutes},
    {u"window_requests", &Limits::LimitPolicy::windowRequests, &LimitEdits::windowRequests, false, MaxWindowCount},
    {u"window_tokens", &Limits::LimitPolicy::windowTokens, &LimitEdits::windowTokens, false, MaxWindowCount},
    {u"window_cost", &Limits::LimitPolicy::windowCostNanos, &LimitEdits::windowCostNanos, true, 0},
    {u"daily_cost", &Limits::LimitPolicy::dailyCostNanos, &LimitEdits::dailyCostNanos, true, 0},
    {u"total_cost", &Limits::LimitPolicy::totalCostNanos, &LimitEdits::totalCostNanos, true, 0},
};

const QStringList &weeklyFamilies()
{
    static const QStringList families{u"opus"_s, u"sonnet"_s, u"haiku"_s};
    return families;
}

double usdOf(qint64 nanos)
{
    return double(nanos) / double(NanosPerUsd);
}

QJsonArray toJsonArray(const QList<QByteArray> &values)
{
    QJsonArray out;
    for (const QByteArray &value : values)
        out.append(QString::fromUtf8(value));
    return out;
}

// The domain's own rules for one setting, checked on an otherwise valid key, so each message names one field.
QString domainCheck(const std::function<void(Domain::ApiKey &)> &set)
{
    Domain::ApiKey probe;
    probe.name = u"probe"_s;
    set(probe);
    return Domain::validateApiKeySettings(probe);
}

// Reads the fields of a create or patch body, collecting one message per bad field.
class BodyParser
{
public:
    BodyParser(const QJsonObject &body, qint64 nowMs, bool creating)
        : m_body(body)
        , m_nowMs(nowMs)
        , m_creating(creating)
    {}

    QJsonObject errors;
    KeyPatch patch;

    void parse()
    {
        for (auto it = m_body.constBegin(); it != m_body.constEnd(); ++it) {
            if (readOnlyFields().contains(it.key()))
                fail(it.key(), u"is read-only"_s);
            else if (!writableFields().contains(it.key()) || (m_creating && it.key() == u"enabled"))
                fail(it.key(), m_creating && it.key() == u"enabled"
                                   ? u"a new key is enabled; disable it with POST /admin/keys/{id}/disable"_s
                                   : u"unknown field"_s);
        }
        Domain::ApiKeyChanges &c = patch.changes;
        if (has(u"name"_s))
            c.name = name();
        else if (m_creating)
            fail(u"name"_s, u"is required"_s);
        if (has(u"description"_s))
            c.description = description();
        if (has(u"enabled"_s) && !m_creating) {
            if (!value(u"enabled"_s).isBool())
                fail(u"enabled"_s, u"must be true or false"_s);
            else
                c.enabled = value(u"enabled"_s).toBool();
        }
        if (has(u"tags"_s))
            c.tags = tags();
        if (has(u"permissions"_s))
            c.permissions = permissions();
        if (has(u"model_rule"_s) || has(u"models"_s))
            c.modelRule = modelRule();
        if (has(u"client"_s))
            c.client = client();
        if (has(u"concurrency_limit"_s))
            c.concurrencyLimit = int(integer(u"concurrency_limit"_s, value(u"concurrency_limit"_s), MaxConcurrency));
        if (has(u"concurrency_wait_ms"_s))
            c.concurrencyWaitMs =
                integer(u"concurrency_wait_ms"_s, value(u"concurrency_wait_ms"_s), MaxConcurrencyWaitMs);
        expiry();
        binding();
        if (has(u"limits"_s))
            limits();
    }

private:
    bool has(const QString &field) const { return m_body.contains(field); }
    QJsonValue value(const QString &field) const { return m_body.value(field); }
    void fail(const QString &field, const QString &message)
    {
        if (!errors.contains(field))
            errors.insert(field, message);
    }

    QString name()
    {
        const QJsonValue v = value(u"name"_s);
        if (!v.isString()) {
            fail(u"name"_s, u"must be a string"_s);
            return {};
        }
        const QString name = v.toString().trimmed();
        if (const QString invalid = domainCheck([&](Domain::ApiKey &k) { k.name = name; }); !invalid.isEmpty())
            fail(u"name"_s, invalid);
        return name;
    }

    QString description()
    {
        const QJsonValue v = value(u"description"_s);
        if (v.isNull())
            return {};
        if (!v.isString()) {
            fail(u"description"_s, u"must be a string"_s);
            return {};
        }
        if (const QString invalid = domainCheck([&](Domain::ApiKey &k) { k.description = v.toString(); });
            !invalid.isEmpty())
            fail(u"description"_s, invalid);
        return v.toString();
    }

    // The string elements of a JSON array (null = empty) with their indexes; each other element is named as a bad
    // field "field[i]". nullopt when the value is not an array at all.
    std::optional<QList<std::pair<qsizetype, QString>>> strings(const QString &field)
    {
        const QJsonValue v = value(field);
        if (v.isNull())
            return QList<std::pair<qsizetype, QString>>();
        if (!v.isArray()) {
            fail(field, u"must be an array of strings"_s);
            return std::nullopt;
        }
        QList<std::pair<qsizetype, QString>> out;
        const QJsonArray array = v.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            if (array.at(i).isString())
                out.append({i, array.at(i).toString()});
            else
                fail(u"%1[%2]"_s.arg(field).arg(i), u"must be a string"_s);
        }
        return out;
    }

    QStringList tags()
    {
        const auto list = strings(u"tags"_s);
        if (!list)
            return {};
        QStringList out;
        for (const auto &[index, text] : *list) {
            const QString tag = text.trimmed(); // trimmed and de-duplicated like the CLI's --tag
            const QString field = u"tags[%1]"_s.arg(index);
            if (tag.isEmpty()) {
                fail(field, u"must not be empty"_s);
                continue;
            }
            if (const QString invalid = domainCheck([&](Domain::ApiKey &k) { k.tags = {tag}; }); !invalid.isEmpty())
                fail(field, invalid);
            else if (!out.contains(tag))
                out << tag;
        }
        if (const QString invalid = domainCheck([&](Domain::ApiKey &k) { k.tags = out; }); !invalid.isEmpty())
            fail(u"tags"_s, invalid);
        return out;
    }

    QList<Domain::Endpoint> permissions()
    {
        const auto list = strings(u"permissions"_s);
        QList<Domain::Endpoint> out;
        for (const auto &[index, name] : list.value_or(QList<std::pair<qsizetype, QString>>())) {
            const auto endpoint = Domain::endpointFromName(name.toUtf8());
            if (!endpoint)
                fail(u"permissions[%1]"_s.arg(index), u"must be one of messages, count_tokens, models"_s);
            else if (!out.contains(*endpoint))
                out << *endpoint;
        }
        return out;
    }

    Domain::ModelRule modelRule()
    {
        Domain::ModelRule rule;
        if (!has(u"model_rule"_s)) {
            fail(u"model_rule"_s, u"is required with models (none, allow or deny)"_s);
            return rule;
        }
        const QJsonValue mode = value(u"model_rule"_s);
        const auto parsed = mode.isString() ? Domain::modelRuleModeFromName(mode.toString().toUtf8()) : std::nullopt;
        if (!parsed) {
            fail(u"model_rule"_s, u"must be none, allow or deny"_s);
            return rule;
        }
        rule.mode = *parsed;
        if (has(u"models"_s)) {
            const auto models = strings(u"models"_s);
            if (!models)
                return rule;
            for (const auto &entry : *models)
                rule.models << entry.second.trimmed().toUtf8();
        }
        const Domain::ModelRule normalized = Domain::KeyRules::normalizedRule(rule.mode, rule.models);
        if (const QString invalid = domainCheck([&](Domain::ApiKey &k) { k.modelRule = normalized; });
            !invalid.isEmpty())
            fail(u"models"_s, invalid);
        return rule;
    }

    Domain::ClientRestriction client()
    {
        const QJsonValue v = value(u"client"_s);
        const auto parsed = v.isString() ? Domain::clientRestrictionFromName(v.toString().toUtf8()) : std::nullopt;
        if (!parsed) {
            fail(u"client"_s, u"must be any or claude_code"_s);
            return Domain::ClientRestriction::Any;
        }
        return *parsed;
    }

    // A whole number in [0, max]; null is 0.
    qint64 integer(const QString &field, const QJsonValue &v, qint64 max)
    {
        if (v.isNull())
            return 0;
        const double d = v.toDouble(-1);
        if (!v.isDouble() || d < 0 || d > double(max) || d > MaxExactDouble || d != std::floor(d)) {
            fail(field, u"must be a whole number from 0 to %1"_s.arg(max));
            return 0;
        }
        return qint64(d);
    }

    void expiry()
    {
        Domain::ApiKeyChanges &c = patch.changes;
        const bool fixed = has(u"expires_at"_s) && !value(u"expires_at"_s).isNull();
        const bool firstUse = has(u"expires_after_first_use_ms"_s) && !value(u"expires_after_first_use_ms"_s).isNull();
        if (fixed && firstUse) {
            const QString message = u"give either expires_at or expires_after_first_use_ms, not both"_s;
            fail(u"expires_at"_s, message);
            fail(u"expires_after_first_use_ms"_s, message);
            return;
        }
        if (has(u"expires_at"_s)) {
            const qint64 at = integer(u"expires_at"_s, value(u"expires_at"_s), qint64(MaxExactDouble));
            if (at > 0 && at <= m_nowMs)
                fail(u"expires_at"_s, u"is in the past"_s);
            c.expiresAt = at;
        }
        if (has(u"expires_after_first_use_ms"_s))
            c.expiresAfterFirstUseMs = integer(u"expires_after_first_use_ms"_s, value(u"expires_after_first_use_ms"_s),
                                               qint64(MaxExactDouble));
    }

    QByteArray boundId(const QString &field)
    {
        const QJsonValue v = value(field);
        if (v.isNull() || !has(field))
            return {};
        if (!v.isString()) {
            fail(field, u"must be an id string, or null for the shared pool"_s);
            return {};
        }
        const QByteArray id = v.toString().trimmed().toUtf8();
        if (!id.isEmpty() && !Domain::isValidId(id))
            fail(field, u"is not a valid id"_s);
        return id;
    }

    void binding()
    {
        if (!has(u"bound_account"_s) && !has(u"bound_group"_s))
            return;
        Domain::ApiKeyChanges::Binding binding{boundId(u"bound_account"_s), boundId(u"bound_group"_s)};
        if (!binding.accountId.isEmpty() && !binding.groupId.isEmpty()) {
            const QString message = u"a key is bound to an account or to an account group, not both"_s;
            fail(u"bound_account"_s, message);
            fail(u"bound_group"_s, message);
        }
        patch.changes.binding = binding;
    }

    // A money limit given as "<name>_usd" (number) or "<name>_nanos" (whole number), not both.
    std::optional<qint64> money(const QJsonObject &limits, const QString &name)
    {
        const QString usdField = name + u"_usd"_s;
        const QString nanosField = name + u"_nanos"_s;
        const bool hasUsd = limits.contains(usdField);
        const bool hasNanos = limits.contains(nanosField);
        if (hasUsd && hasNanos) {
            fail(u"limits."_s + usdField, u"give the limit in USD or in nanos, not both"_s);
            fail(u"limits."_s + nanosField, u"give the limit in USD or in nanos, not both"_s);
            return std::nullopt;
        }
        if (hasNanos)
            return integer(u"limits."_s + nanosField, limits.value(nanosField), qint64(MaxExactDouble));
        if (!hasUsd)
            return std::nullopt;
        return usd(u"limits."_s + usdField, limits.value(usdField));
    }

    qint64 usd(const QString &field, const QJsonValue &v)
    {
        if (v.isNull())
            return 0;
        const double d = v.toDouble(-1);
        if (!v.isDouble() || !std::isfinite(d) || d < 0 || d > MaxUsd) {
            fail(field, u"must be an amount in USD from 0 to %1 (0 = no limit)"_s.arg(qint64(MaxUsd)));
            return 0;
        }
        return qint64(std::llround(d * double(NanosPerUsd)));
    }

    void weekly(const QJsonObject &limits)
    {
        QSet<QString> seen;
        for (const QString &suffix : {u"_usd"_s, u"_nanos"_s}) {
            const QString field = u"weekly_cost"_s + suffix;
            if (!limits.contains(field) || limits.value(field).isNull())
                continue;
            const QString path = u"limits."_s + field;
            if (!limits.value(field).isObject()) {
                fail(path, u"must be an object of model family (opus, sonnet, haiku) to limit"_s);
                continue;
            }
            const QJsonObject families = limits.value(field).toObject();
            for (auto it = families.constBegin(); it != families.constEnd(); ++it) {
                const QString familyPath = path + u'.' + it.key();
                if (!weeklyFamilies().contains(it.key())) {
                    fail(familyPath, u"weekly cost limits are per model family: opus, sonnet or haiku"_s);
                    continue;
                }
                if (seen.contains(it.key())) {
                    fail(familyPath, u"give the limit in USD or in nanos, not both"_s);
                    continue;
                }
                seen.insert(it.key());
                const qint64 nanos = suffix == u"_usd" ? usd(familyPath, it.value())
                                                       : integer(familyPath, it.value(), qint64(MaxExactDouble));
                patch.limits.weeklyCostNanos.insert(it.key().toUtf8(), nanos);
            }
        }
    }

    void limits()
    {
        const QJsonValue v = value(u"limits"_s);
        if (!v.isObject()) {
            fail(u"limits"_s, u"must be an object"_s);
            return;
        }
        const QJsonObject limits = v.toObject();
        QStringList known{u"weekly_cost_usd"_s, u"weekly_cost_nanos"_s, u"time_zone"_s};
        for (const ScalarLimit &limit : ScalarLimits) {
            const QString name = QString::fromUtf16(limit.name);
            if (limit.money) {
                known << name + u"_usd"_s << name + u"_nanos"_s;
                if (const std::optional<qint64> nanos = money(limits, name))
                    patch.limits.*limit.edit = *nanos;
            } else {
                known << name;
                if (limits.contains(name))
                    patch.limits.*limit.edit = integer(u"limits."_s + name, limits.value(name), limit.max);
            }
        }
        for (auto it = limits.constBegin(); it != limits.constEnd(); ++it) {
            if (!known.contains(it.key()))
                fail(u"limits."_s + it.key(), u"unknown field"_s);
        }
        weekly(limits);
        if (limits.contains(u"time_zone"_s)) {
            const QJsonValue zone = limits.value(u"time_zone"_s);
            if (zone.isNull()) {
                patch.changes.limitTimeZone = QByteArray();
            } else if (!zone.isString()) {
                fail(u"limits.time_zone"_s, u"must be an IANA time zone id such as Europe/Berlin, or null"_s);
            } else {
                const QByteArray id = zone.toString().trimmed().toUtf8();
                if (!id.isEmpty() && !QTimeZone(id).isValid())
                    fail(u"limits.time_zone"_s,
                         u"\"%1\" is not a time zone (use an IANA name such as Europe/Berlin)"_s.arg(
                             QString::fromUtf8(id.left(100))));
                patch.changes.limitTimeZone = id;
            }
        }
    }

    const QJsonObject &m_body;
    qint64 m_nowMs;
    bool m_creating;
};

AdminError fieldErrors(const QJsonObject &errors)
{
    return AdminError::validation(
        errors, errors.size() == 1
                    ? u"invalid field %1: %2"_s.arg(errors.constBegin().key(), errors.constBegin().value().toString())
                    : u"the request has %1 invalid fields"_s.arg(errors.size()));
}

QJsonObject typeSchema(const QString &type)
{
    return QJsonObject{{u"type"_s, type}};
}

QJsonObject stringArraySchema()
{
    return QJsonObject{{u"type"_s, u"array"_s}, {u"items"_s, typeSchema(u"string"_s)}};
}

QJsonObject limitsSchema()
{
    QJsonObject properties;
    for (const ScalarLimit &limit : ScalarLimits) {
        const QString name = QString::fromUtf16(limit.name);
        if (limit.money) {
            properties.insert(name + u"_usd"_s, typeSchema(u"number"_s));
            properties.insert(name + u"_nanos"_s, typeSchema(u"integer"_s));
        } else {
            properties.insert(name, typeSchema(u"integer"_s));
        }
    }
    properties.insert(u"weekly_cost_usd"_s,
                      QJsonObject{{u"type"_s, u"object"_s}, {u"additionalProperties"_s, typeSchema(u"number"_s)}});
    properties.insert(u"weekly_cost_nanos"_s,
                      QJsonObject{{u"type"_s, u"object"_s}, {u"additionalProperties"_s, typeSchema(u"integer"_s)}});
    properties.insert(u"time_zone"_s, QJsonObject{{u"type"_s, u"string"_s}, {u"nullable"_s, true}});
    return QJsonObject{{u"type"_s, u"object"_s}, {u"properties"_s, properties}};
}

QJsonObject writableProperties(bool creating)
{
    QJsonObject properties{
        {u"name"_s, typeSchema(u"string"_s)},
        {u"description"_s, typeSchema(u"string"_s)},
        {u"tags"_s, stringArraySchema()},
        {u"permissions"_s, stringArraySchema()},
        {u"model_rule"_s,
         QJsonObject{{u"type"_s, u"string"_s}, {u"enum"_s, QJsonArray{u"none"_s, u"allow"_s, u"deny"_s}}}},
        {u"models"_s, stringArraySchema()},
        {u"client"_s, QJsonObject{{u"type"_s, u"string"_s}, {u"enum"_s, QJsonArray{u"any"_s, u"claude_code"_s}}}},
        {u"concurrency_limit"_s, typeSchema(u"integer"_s)},
        {u"concurrency_wait_ms"_s, typeSchema(u"integer"_s)},
        {u"expires_at"_s, typeSchema(u"integer"_s)},
        {u"expires_after_first_use_ms"_s, typeSchema(u"integer"_s)},
        {u"bound_account"_s, QJsonObject{{u"type"_s, u"string"_s}, {u"nullable"_s, true}}},
        {u"bound_group"_s, QJsonObject{{u"type"_s, u"string"_s}, {u"nullable"_s, true}}},
        {u"limits"_s, limitsSchema()},
    };
    if (!creating)
        properties.insert(u"enabled"_s, typeSchema(u"boolean"_s));
    return properties;
}

} // namespace

QString keyStatusName(KeyStatus status)
{
    switch (status) {
    case KeyStatus::Active:
        return u"active"_s;
    case KeyStatus::Disabled:
        return u"disabled"_s;
    case KeyStatus::Expired:
        return u"expired"_s;
    }
    return {};
}

std::optional<KeyStatus> keyStatusFromName(const QString &name)
{
    for (KeyStatus status : {KeyStatus::Active, KeyStatus::Disabled, KeyStatus::Expired}) {
        if (keyStatusName(status) == name)
            return status;
    }
    return std::nullopt;
}

KeyStatus keyStatusOf(const Domain::ApiKey &key, qint64 nowMs)
{
    if (!key.enabled)
        return KeyStatus::Disabled;
    return key.isExpired(nowMs) ? KeyStatus::Expired : KeyStatus::Active;
}

Limits::LimitPolicy LimitEdits::appliedTo(Limits::LimitPolicy policy) const
{
    for (const ScalarLimit &limit : ScalarLimits) {
        if (const std::optional<qint64> &edit = this->*limit.edit)
            policy.*limit.member = *edit;
    }
    for (auto it = weeklyCostNanos.cbegin(); it != weeklyCostNanos.cend(); ++it) {
        if (it.value() > 0)
            policy.weeklyFamilyCostNanos.insert(it.key(), it.value());
        else
            policy.weeklyFamilyCostNanos.remove(it.key());
    }
    return policy;
}

QJsonObject KeyJson::limitsToJson(const Domain::ApiKey &key)
{
    const Limits::LimitPolicy &policy = key.limits;
    QJsonObject json;
    for (const ScalarLimit &limit : ScalarLimits) {
        const QString name = QString::fromUtf16(limit.name);
        const qint64 value = policy.*limit.member;
        if (limit.money) {
            json.insert(name + u"_usd"_s, usdOf(value));
            json.insert(name + u"_nanos"_s, value);
        } else {
            json.insert(name, value);
        }
    }
    QJsonObject weeklyUsd;
    QJsonObject weeklyNanos;
    for (auto it = policy.weeklyFamilyCostNanos.cbegin(); it != policy.weeklyFamilyCostNanos.cend(); ++it) {
        weeklyUsd.insert(QString::fromUtf8(it.key()), usdOf(it.value()));
        weeklyNanos.insert(QString::fromUtf8(it.key()), it.value());
    }
    json.insert(u"weekly_cost_usd"_s, weeklyUsd);
    json.insert(u"weekly_cost_nanos"_s, weeklyNanos);
    json.insert(u"time_zone"_s,
                key.limitTimeZone.isEmpty() ? QJsonValue(QJsonValue::Null) : QString::fromUtf8(key.limitTimeZone));
    return json;
}

QJsonObject KeyJson::recordJson(const Domain::ApiKey &key)
{
    QJsonArray permissions;
    for (Domain::Endpoint endpoint : key.permissions)
        permissions.append(QString::fromLatin1(Domain::endpointName(endpoint)));
    return QJsonObject{
        {u"id"_s, QString::fromLatin1(key.id)},
        {u"name"_s, key.name},
        {u"description"_s, key.description},
        {u"hint"_s, QString::fromLatin1(key.hint)},
        {u"enabled"_s, key.enabled},
        {u"created_at"_s, key.createdAt},
        {u"updated_at"_s, key.updatedAt},
        {u"expires_at"_s, key.expiresAt},
        {u"expires_after_first_use_ms"_s, key.expiresAfterFirstUseMs},
        {u"activated_at"_s, key.activatedAt},
        {u"concurrency_limit"_s, key.concurrencyLimit},
        {u"concurrency_wait_ms"_s, key.concurrencyWaitMs},
        {u"tags"_s, QJsonArray::fromStringList(key.tags)},
        {u"permissions"_s, permissions},
        {u"model_rule"_s, QString::fromLatin1(Domain::modelRuleModeName(key.modelRule.mode))},
        {u"models"_s, toJsonArray(key.modelRule.models)},
        {u"client"_s, QString::fromLatin1(Domain::clientRestrictionName(key.client))},
        {u"bound_account"_s, QString::fromLatin1(key.boundAccountId)},
        {u"bound_group"_s, QString::fromLatin1(key.boundGroupId)},
        {u"limits"_s, limitsToJson(key)},
    };
}

QJsonObject KeyJson::withUse(QJsonObject json, const Domain::ApiKey &key, qint64 nowMs, qint64 lastUsedAt)
{
    json.insert(u"status"_s, keyStatusName(keyStatusOf(key, nowMs)));
    json.insert(u"last_used_at"_s, std::max(key.lastUsedAt, lastUsedAt));
    return json;
}

QJsonObject KeyJson::toJson(const Domain::ApiKey &key, qint64 nowMs, qint64 lastUsedAt)
{
    return withUse(recordJson(key), key, nowMs, lastUsedAt);
}

Domain::NewApiKey KeyJson::toNewKey(const QJsonObject &body, qint64 nowMs, AdminError *error)
{
    BodyParser parser(body, nowMs, true);
    parser.parse();
    const Domain::ApiKeyChanges &c = parser.patch.changes;
    Domain::NewApiKey key = Domain::newApiKeyFrom(c);
    key.limits = parser.patch.limits.appliedTo(Limits::LimitPolicy());
    QJsonObject errors = parser.errors;
    if (errors.isEmpty()) {
        // Rules between fields, named after the field that needs the other.
        if (key.concurrencyWaitMs > 0 && key.concurrencyLimit == 0)
            errors.insert(u"concurrency_wait_ms"_s, u"a concurrency wait needs a concurrency_limit"_s);
        else if (const QString invalid = domainCheck([&](Domain::ApiKey &k) { k.limits = key.limits; });
                 !invalid.isEmpty())
            errors.insert(u"limits"_s, invalid);
    }
    if (!errors.isEmpty() && error)
        *error = fieldErrors(errors);
    return key;
}

KeyPatch KeyJson::toPatch(const QJsonObject &body, qint64 nowMs, AdminError *error)
{
    BodyParser parser(body, nowMs, false);
    parser.parse();
    if (!parser.errors.isEmpty()) {
        if (error)
            *error = fieldErrors(parser.errors);
        return {};
    }
    if (parser.patch.changes.isEmpty() && parser.patch.limits.isEmpty() && error)
        *error = AdminError::badRequest(u"the body changes nothing: give at least one field"_s);
    return parser.patch;
}

QJsonObject KeyJson::recordSchema()
{
    QJsonObject properties = writableProperties(false);
    for (const QString &field : {u"id"_s, u"hint"_s})
        properties.insert(field, typeSchema(u"string"_s));
    properties.insert(u"status"_s, QJsonObject{{u"type"_s, u"string"_s},
                                               {u"enum"_s, QJsonArray{u"active"_s, u"disabled"_s, u"expired"_s}}});
    for (const QString &field : {u"created_at"_s, u"updated_at"_s, u"last_used_at"_s, u"activated_at"_s})
        properties.insert(field, typeSchema(u"integer"_s));
    return QJsonObject{{u"type"_s, u"object"_s}, {u"properties"_s, properties}};
}

QJsonObject KeyJson::createSchema()
{
    return QJsonObject{{u"type"_s, u"object"_s},
                       {u"required"_s, QJsonArray{u"name"_s}},
                       {u"additionalProperties"_s, false},
                       {u"properties"_s, writableProperties(true)}};
}

QJsonObject KeyJson::patchSchema()
{
    return QJsonObject{
        {u"type"_s, u"object"_s}, {u"additionalProperties"_s, false}, {u"properties"_s, writableProperties(false)}};
}

} // namespace Relay::Admin
