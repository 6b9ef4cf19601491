// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/accountjson.h"

#include <QJsonArray>
#include <QSet>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Relay::Admin {

namespace {

constexpr double NanosPerUsd = 1e9;

const QStringList &healthNames()
{
    static const QStringList names{u"active"_s, u"cooling"_s, u"half_open"_s, u"unauthorized"_s, u"blocked"_s};
    return names;
}

// Fields the API answers but never takes.
const QSet<QString> &readOnlyFields()
{
    static const QSet<QString> fields{u"id"_s,
                                      u"created_at"_s,
                                      u"updated_at"_s,
                                      u"last_used_at"_s,
                                      u"has_secret"_s,
                                      u"has_refresh_token"_s,
                                      u"has_proxy_password"_s,
                                      u"secret_readable"_s,
                                      u"secret_error"_s,
                                      u"health"_s,
                                      u"in_flight"_s,
                                      u"daily_cost_nanos"_s,
                                      u"daily_cost_usd"_s};
    return fields;
}

// Reads typed fields of a request body and collects one message per bad field.
class FieldReader
{
public:
    explicit FieldReader(const QJsonObject &body)
        : m_body(body)
    {}

    bool has(const QString &name) const { return m_body.contains(name); }
    bool isNull(const QString &name) const { return m_body.value(name).isNull(); }
    void fail(const QString &name, const QString &message)
    {
        if (!m_fields.contains(name))
            m_fields.insert(name, message);
    }
    bool failed(const QString &name) const { return m_fields.contains(name); }
    const QJsonObject &fields() const { return m_fields; }

    std::optional<QString> string(const QString &name, qsizetype maxLength)
    {
        const QJsonValue value = m_body.value(name);
        if (!value.isString()) {
            fail(name, u"must be a string"_s);
            return std::nullopt;
        }
        const QString text = value.toString();
        if (text.size() > maxLength) {
            fail(name, u"must be at most %1 characters"_s.arg(maxLength));
            return std::nullopt;
        }
        return text;
    }

    // A string or null (null reads as empty): for optional fields where empty means "none".
    std::optional<QString> clearableString(const QString &name, qsizetype maxLength)
    {
        if (isNull(name))
            return QString();
        return string(name, maxLength);
    }

    std::optional<qint64> integer(const QString &name, qint64 min, qint64 max)
    {
        const QJsonValue value = m_body.value(name);
        // toInteger answers its default for a fraction or a non-number: two defaults tell those apart.
        const qint64 a = value.toInteger(0);
        if (!value.isDouble() || a != value.toInteger(1) || a < min || a > max) {
            fail(name, u"must be an integer from %1 to %2"_s.arg(min).arg(max));
            return std::nullopt;
        }
        return a;
    }

    std::optional<bool> boolean(const QString &name)
    {
        const QJsonValue value = m_body.value(name);
        if (!value.isBool()) {
            fail(name, u"must be true or false"_s);
            return std::nullopt;
        }
        return value.toBool();
    }

    // An upstream secret: one line without spaces (as the CLI reads it from a file), surrounding white space
    // dropped. `allowEmpty`: an empty value (or null) clears the secret.
    std::optional<QByteArray> secret(const QString &name, bool allowEmpty)
    {
        if (allowEmpty && isNull(name))
            return QByteArray();
        const std::optional<QString> text = string(name, AccountJson::MaxSecretLength);
        if (!text)
            return std::nullopt;
        const QString trimmed = text->trimmed();
        if (trimmed.isEmpty() && !allowEmpty) {
            fail(name, u"must not be empty"_s);
            return std::nullopt;
        }
        for (const QChar c : trimmed) {
            if (c.isSpace() || c.unicode() < 0x20) {
                fail(name, u"must be a single line without spaces"_s);
                return std::nullopt;
            }
        }
        return trimmed.toUtf8();
    }

private:
    const QJsonObject &m_body;
    QJsonObject m_fields;
};

// The settings NewAccount and AccountPatch share, read into a patch (as the CLI does).
void readSettings(FieldReader &in, const QJsonObject &body, bool updating, Domain::AccountPatch &patch)
{
    if (in.has(u"name"_s)) {
        if (const auto name = in.string(u"name"_s, 1000)) {
            if (name->trimmed().isEmpty() || name->trimmed().size() > 100)
                in.fail(u"name"_s, u"must have 1 to 100 characters"_s);
            else
                patch.name = name->trimmed();
        }
    }
    if (in.has(u"base_url"_s)) {
        if (const auto url = in.string(u"base_url"_s, 2000)) {
            const QString normalized = Domain::normalizeBaseUrl(*url);
            if (const QString invalid = Domain::validateBaseUrl(normalized); !invalid.isEmpty())
                in.fail(u"base_url"_s, invalid);
            else
                patch.baseUrl = normalized;
        }
    }
    if (in.has(u"secret"_s)) {
        if (auto secret = in.secret(u"secret"_s, false))
            patch.secret = std::move(*secret);
    }
    if (in.has(u"refresh_token"_s)) {
        if (auto token = in.secret(u"refresh_token"_s, updating))
            patch.refreshToken = std::move(*token);
    }
    if (in.has(u"token_expires_at"_s)) {
        if (in.isNull(u"token_expires_at"_s))
            patch.tokenExpiresAt = 0;
        else if (const auto at = in.integer(u"token_expires_at"_s, 0, std::numeric_limits<qint64>::max()))
            patch.tokenExpiresAt = *at;
    }
    if (in.has(u"priority"_s)) {
        if (const auto priority = in.integer(u"priority"_s, 0, Domain::Account::MaxPriority))
            patch.priority = int(*priority);
    }
    if (in.has(u"max_concurrency"_s)) {
        if (const auto count = in.integer(u"max_concurrency"_s, 0, AccountJson::MaxConcurrency))
            patch.maxConcurrency = int(*count);
    }
    if (in.has(u"schedulable"_s)) {
        if (const auto value = in.boolean(u"schedulable"_s))
            patch.schedulable = *value;
    }
    if (in.has(u"proxy_url"_s)) {
        if (const auto url = in.clearableString(u"proxy_url"_s, 2000)) {
            if (const QString invalid = Domain::validateProxyUrl(url->trimmed()); !invalid.isEmpty())
                in.fail(u"proxy_url"_s, invalid);
            else
                patch.proxyUrl = url->trimmed();
        }
    }
    if (in.has(u"proxy_password"_s)) {
        // A password may contain spaces; it only has to be non-empty to be set.
        if (in.isNull(u"proxy_password"_s)) {
            patch.proxyPassword = QByteArray();
        } else if (const auto password = in.string(u"proxy_password"_s, 1024)) {
            if (password->isEmpty() && !updating)
                in.fail(u"proxy_password"_s, u"must not be empty"_s);
            else
                patch.proxyPassword = password->toUtf8();
        }
    }
    if (in.has(u"model_mapping"_s)) {
        const QJsonValue value = body.value(u"model_mapping"_s);
        if (value.isNull()) {
            patch.modelMapping = QMap<QString, QString>();
        } else if (!value.isObject()) {
            in.fail(u"model_mapping"_s, u"must be an object of requested model to upstream model"_s);
        } else {
            QMap<QString, QString> mapping;
            const QJsonObject object = value.toObject();
            for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
                if (!it.value().isString()) {
                    in.fail(u"model_mapping"_s, u"the value of \"%1\" must be a string"_s.arg(it.key().left(40)));
                    break;
                }
                mapping.insert(it.key(), it.value().toString());
            }
            if (!in.failed(u"model_mapping"_s)) {
                if (const QString invalid = Domain::validateModelMapping(mapping); !invalid.isEmpty())
                    in.fail(u"model_mapping"_s, invalid);
                else
                    patch.modelMapping = mapping;
            }
        }
    }
    const bool hasNanos = in.has(u"daily_cost_quota_nanos"_s);
    const bool hasUsd = in.has(u"daily_cost_quota_usd"_s);
    if (hasNanos && hasUsd) {
        in.fail(u"daily_cost_quota_usd"_s, u"give daily_cost_quota_nanos or daily_cost_quota_usd, not both"_s);
    } else if (hasNanos) {
        if (const auto nanos = in.integer(u"daily_cost_quota_nanos"_s, 0, std::numeric_limits<qint64>::max() / 2))
            patch.dailyCostQuotaNanos = *nanos;
    } else if (hasUsd) {
        const QJsonValue value = body.value(u"daily_cost_quota_usd"_s);
        const double usd = value.toDouble(-1);
        if (!value.isDouble() || !std::isfinite(usd) || usd < 0 || usd > 1e9)
            in.fail(u"daily_cost_quota_usd"_s, u"must be an amount in USD from 0 to 1000000000 (0 = no quota)"_s);
        else
            patch.dailyCostQuotaNanos = std::llround(usd * NanosPerUsd);
    }
    if (in.has(u"notes"_s)) {
        if (const auto notes = in.clearableString(u"notes"_s, Domain::Account::MaxNotesLength))
            patch.notes = *notes;
    }
}

// Unknown and read-only fields: one message each.
void refuseOthers(FieldReader &in, const QJsonObject &body, const QSet<QString> &accepted)
{
    for (auto it = body.constBegin(); it != body.constEnd(); ++it) {
        if (accepted.contains(it.key()))
            continue;
        if (it.key() == u"group_ids")
            in.fail(it.key(), u"change group membership with /admin/groups/{id}/members"_s);
        else if (readOnlyFields().contains(it.key()))
            in.fail(it.key(), u"is read-only"_s);
        else
            in.fail(it.key(), u"is not a known field"_s);
    }
}

QSet<QString> settingFields()
{
    return {u"name"_s,
            u"base_url"_s,
            u"secret"_s,
            u"refresh_token"_s,
            u"token_expires_at"_s,
            u"priority"_s,
            u"max_concurrency"_s,
            u"schedulable"_s,
            u"proxy_url"_s,
            u"proxy_password"_s,
            u"model_mapping"_s,
            u"daily_cost_quota_nanos"_s,
            u"daily_cost_quota_usd"_s,
            u"notes"_s};
}

QJsonObject type(const QString &name)
{
    return {{u"type"_s, name}};
}

QJsonObject describedType(const QString &name, const QString &description)
{
    return {{u"type"_s, name}, {u"description"_s, description}};
}

QJsonObject writableProperties()
{
    return {
        {u"name"_s, describedType(u"string"_s, u"1 to 100 characters"_s)},
        {u"base_url"_s,
         describedType(u"string"_s,
                       u"https:// (or http://) URL of the upstream, without user info, query or fragment"_s)},
        {u"secret"_s, describedType(u"string"_s, u"write-only: the API key (apikey) or OAuth access token (oauth)"_s)},
        {u"refresh_token"_s, describedType(u"string"_s, u"write-only, oauth accounts only; empty clears it"_s)},
        {u"token_expires_at"_s,
         describedType(u"integer"_s, u"when the access token expires, ms since the epoch (0 = unknown)"_s)},
        {u"priority"_s, describedType(u"integer"_s, u"0 to 1000, lower is preferred (default 50)"_s)},
        {u"max_concurrency"_s, describedType(u"integer"_s, u"concurrent requests, 0 = no limit"_s)},
        {u"schedulable"_s, type(u"boolean"_s)},
        {u"proxy_url"_s,
         describedType(u"string"_s, u"http://[user@]host:port or socks5://[user@]host:port; empty = direct"_s)},
        {u"proxy_password"_s, describedType(u"string"_s, u"write-only; needs proxy_url"_s)},
        {u"model_mapping"_s, QJsonObject{{u"type"_s, u"object"_s},
                                         {u"additionalProperties"_s, type(u"string"_s)},
                                         {u"description"_s, u"requested model -> model sent upstream"_s}}},
        {u"daily_cost_quota_nanos"_s, describedType(u"integer"_s, u"daily cost quota in 10^-9 USD, 0 = none"_s)},
        {u"daily_cost_quota_usd"_s, describedType(u"number"_s, u"the same quota in USD (instead of nanos)"_s)},
        {u"notes"_s, type(u"string"_s)},
    };
}

} // namespace

bool AccountJson::isHealthName(const QString &name)
{
    return healthNames().contains(name);
}

QJsonObject AccountJson::healthJson(const Proxy::AccountEntry &health, qint64 nowMs)
{
    QJsonObject families;
    for (auto it = health.familyCooldowns.cbegin(); it != health.familyCooldowns.cend(); ++it) {
        if (it->untilMs <= nowMs)
            continue;
        families.insert(
            QString::fromUtf8(it.key()),
            QJsonObject{{u"until"_s, it->untilMs}, {u"reason"_s, it->reason}, {u"changed_at"_s, it->changedAtMs}});
    }
    return {{u"status"_s, QString::fromLatin1(Proxy::accountHealthName(health.effectiveHealth(nowMs)))},
            {u"reason"_s, health.reason},
            {u"until"_s, health.health == Proxy::AccountHealth::Cooling ? health.coolingUntilMs : 0},
            {u"changed_at"_s, health.changedAtMs},
            {u"family_cooldowns"_s, families}};
}

QJsonObject AccountJson::toJson(const AccountView &view, qint64 nowMs)
{
    const Domain::Account &a = view.account;
    QJsonObject mapping;
    for (auto it = a.modelMapping.cbegin(); it != a.modelMapping.cend(); ++it)
        mapping.insert(it.key(), it.value());
    QJsonArray groups;
    for (const QByteArray &group : a.groupIds)
        groups.append(QString::fromLatin1(group));
    // Secrets are answered only as "set or not": a record whose secret cannot be decrypted still has one stored.
    const bool readable = a.secretError.isEmpty();
    QJsonObject out{
        {u"id"_s, QString::fromLatin1(a.id)},
        {u"name"_s, a.name},
        {u"type"_s, QString::fromLatin1(Domain::accountTypeName(a.type))},
        {u"base_url"_s, a.baseUrl},
        {u"priority"_s, a.priority},
        {u"enabled"_s, a.enabled},
        {u"schedulable"_s, a.schedulable},
        {u"max_concurrency"_s, a.maxConcurrency},
        {u"has_secret"_s, !readable || !a.secret.isEmpty()},
        {u"secret_readable"_s, readable},
        {u"has_refresh_token"_s, !a.refreshToken.isEmpty()},
        {u"token_expires_at"_s, a.tokenExpiresAt},
        {u"proxy_url"_s, a.proxyUrl},
        {u"has_proxy_password"_s, !a.proxyPassword.isEmpty()},
        {u"model_mapping"_s, mapping},
        {u"daily_cost_quota_nanos"_s, a.dailyCostQuotaNanos},
        {u"daily_cost_quota_usd"_s, double(a.dailyCostQuotaNanos) / NanosPerUsd},
        {u"notes"_s, a.notes},
        {u"group_ids"_s, groups},
        {u"created_at"_s, a.createdAt},
        {u"updated_at"_s, a.updatedAt},
        {u"last_used_at"_s, view.lastUsedAt},
        {u"health"_s, healthJson(view.health, nowMs)},
        {u"in_flight"_s, view.inFlight ? QJsonValue(*view.inFlight) : QJsonValue()},
    };
    if (!readable)
        out.insert(u"secret_error"_s, a.secretError);
    if (view.dailyCostNanos) {
        out.insert(u"daily_cost_nanos"_s, *view.dailyCostNanos);
        out.insert(u"daily_cost_usd"_s, double(*view.dailyCostNanos) / NanosPerUsd);
    }
    return out;
}

std::optional<Domain::NewAccount> AccountJson::newAccountFrom(const QJsonObject &body, AdminError *error)
{
    FieldReader in(body);
    Domain::AccountPatch settings;
    readSettings(in, body, false, settings);
    QSet<QString> accepted = settingFields();
    accepted << u"type"_s;
    refuseOthers(in, body, accepted);

    Domain::NewAccount account;
    std::optional<Domain::AccountType> type;
    if (!in.has(u"type"_s)) {
        in.fail(u"type"_s, u"is required: apikey or oauth"_s);
    } else if (const auto name = in.string(u"type"_s, 20)) {
        type = Domain::accountTypeFromName(name->toUtf8());
        if (!type)
            in.fail(u"type"_s, u"must be apikey or oauth"_s);
    }
    if (!in.has(u"name"_s))
        in.fail(u"name"_s, u"is required"_s);
    if (!in.has(u"secret"_s))
        in.fail(u"secret"_s, type == Domain::AccountType::OAuth ? u"is required: the OAuth access token"_s
                                                                : u"is required: the API key"_s);
    // An API key belongs to one upstream: it is named explicitly rather than defaulting to Anthropic's.
    if (type == Domain::AccountType::ApiKey && !in.has(u"base_url"_s))
        in.fail(u"base_url"_s, u"is required for apikey accounts"_s);
    if (type == Domain::AccountType::ApiKey && settings.refreshToken)
        in.fail(u"refresh_token"_s, u"applies to oauth accounts only"_s);
    if (settings.proxyPassword && settings.proxyUrl.value_or(QString()).isEmpty() && !in.failed(u"proxy_url"_s))
        in.fail(u"proxy_password"_s, u"needs proxy_url"_s);

    if (!in.fields().isEmpty()) {
        *error = AdminError::validation(in.fields());
        return std::nullopt;
    }
    account.type = *type;
    account.name = *settings.name;
    account.baseUrl = settings.baseUrl.value_or(account.baseUrl);
    account.secret = *settings.secret;
    account.priority = settings.priority.value_or(account.priority);
    account.maxConcurrency = settings.maxConcurrency.value_or(0);
    account.schedulable = settings.schedulable.value_or(true);
    account.refreshToken = settings.refreshToken.value_or(QByteArray());
    account.tokenExpiresAt = settings.tokenExpiresAt.value_or(0);
    account.proxyUrl = settings.proxyUrl.value_or(QString());
    account.proxyPassword = settings.proxyPassword.value_or(QByteArray());
    account.modelMapping = settings.modelMapping.value_or(QMap<QString, QString>());
    account.dailyCostQuotaNanos = settings.dailyCostQuotaNanos.value_or(0);
    account.notes = settings.notes.value_or(QString());
    // The store's own rules, in case they are stricter than the field checks above.
    if (const QString invalid = Domain::AccountStore::validate(account); !invalid.isEmpty()) {
        *error = AdminError::validation({}, invalid);
        return std::nullopt;
    }
    return account;
}

std::optional<Domain::AccountPatch> AccountJson::patchFrom(const QJsonObject &body, AdminError *error)
{
    FieldReader in(body);
    Domain::AccountPatch patch;
    readSettings(in, body, true, patch);
    if (in.has(u"enabled"_s)) {
        if (const auto value = in.boolean(u"enabled"_s))
            patch.enabled = *value;
    }
    QSet<QString> accepted = settingFields();
    accepted << u"enabled"_s;
    if (in.has(u"type"_s))
        in.fail(u"type"_s, u"cannot be changed: add a new account instead"_s);
    accepted << u"type"_s;
    refuseOthers(in, body, accepted);
    if (patch.proxyPassword && !patch.proxyPassword->isEmpty() && patch.proxyUrl && patch.proxyUrl->isEmpty())
        in.fail(u"proxy_password"_s, u"needs proxy_url"_s);

    if (!in.fields().isEmpty()) {
        *error = AdminError::validation(in.fields());
        return std::nullopt;
    }
    if (patch.isEmpty()) {
        *error = AdminError::badRequest(u"the body has no field to change"_s);
        return std::nullopt;
    }
    if (const QString invalid = Domain::AccountStore::validatePatch(patch); !invalid.isEmpty()) {
        *error = AdminError::validation({}, invalid);
        return std::nullopt;
    }
    return patch;
}

QJsonObject AccountJson::accountSchema()
{
    const QJsonObject integer = type(u"integer"_s);
    const QJsonObject boolean = type(u"boolean"_s);
    const QJsonObject string = type(u"string"_s);
    const QJsonObject cooldown{
        {u"type"_s, u"object"_s},
        {u"properties"_s, QJsonObject{{u"until"_s, integer}, {u"reason"_s, string}, {u"changed_at"_s, integer}}}};
    const QJsonObject health{
        {u"type"_s, u"object"_s},
        {u"properties"_s,
         QJsonObject{
             {u"status"_s,
              QJsonObject{{u"type"_s, u"string"_s}, {u"enum"_s, QJsonArray::fromStringList(healthNames())}}},
             {u"reason"_s, string},
             {u"until"_s, integer},
             {u"changed_at"_s, integer},
             {u"family_cooldowns"_s, QJsonObject{{u"type"_s, u"object"_s}, {u"additionalProperties"_s, cooldown}}}}}};
    QJsonObject properties = writableProperties();
    properties.remove(u"secret"_s);
    properties.remove(u"refresh_token"_s);
    properties.remove(u"proxy_password"_s);
    properties.insert(u"id"_s, string);
    properties.insert(u"type"_s,
                      QJsonObject{{u"type"_s, u"string"_s}, {u"enum"_s, QJsonArray{u"apikey"_s, u"oauth"_s}}});
    properties.insert(u"enabled"_s, boolean);
    properties.insert(u"has_secret"_s, boolean);
    properties.insert(u"secret_readable"_s, boolean);
    properties.insert(u"secret_error"_s, string);
    properties.insert(u"has_refresh_token"_s, boolean);
    properties.insert(u"has_proxy_password"_s, boolean);
    properties.insert(u"group_ids"_s, QJsonObject{{u"type"_s, u"array"_s}, {u"items"_s, string}});
    properties.insert(u"created_at"_s, integer);
    properties.insert(u"updated_at"_s, integer);
    properties.insert(u"last_used_at"_s, integer);
    properties.insert(u"health"_s, health);
    properties.insert(u"in_flight"_s,
                      describedType(u"integer"_s, u"held concurrency leases (null without max_concurrency)"_s));
    properties.insert(u"daily_cost_nanos"_s, describedType(u"integer"_s, u"today's cost as the relay counts it"_s));
    properties.insert(u"daily_cost_usd"_s, type(u"number"_s));
    return {{u"type"_s, u"object"_s}, {u"properties"_s, properties}};
}

QJsonObject AccountJson::createSchema()
{
    QJsonObject properties = writableProperties();
    properties.insert(u"type"_s,
                      QJsonObject{{u"type"_s, u"string"_s}, {u"enum"_s, QJsonArray{u"apikey"_s, u"oauth"_s}}});
    return {{u"type"_s, u"object"_s},
            {u"required"_s, QJsonArray{u"type"_s, u"name"_s, u"secret"_s}},
            {u"additionalProperties"_s, false},
            {u"properties"_s, properties}};
}

QJsonObject AccountJson::patchSchema()
{
    QJsonObject properties = writableProperties();
    properties.insert(u"enabled"_s, type(u"boolean"_s));
    return {{u"type"_s, u"object"_s}, {u"additionalProperties"_s, false}, {u"properties"_s, properties}};
}

} // namespace Relay::Admin
