// SPDX-License-Identifier: GPL-3.0-or-later
#include "limits/limitpolicy.h"

#include <QJsonValue>

namespace Relay::Limits {

namespace {

struct ScalarField
{
    QByteArrayView hashField;
    qint64 LimitPolicy::*member;
};

constexpr ScalarField ScalarFields[] = {
    {"limit_window_minutes", &LimitPolicy::windowMinutes},
    {"limit_window_requests", &LimitPolicy::windowRequests},
    {"limit_window_tokens", &LimitPolicy::windowTokens},
    {"limit_window_cost_nanos", &LimitPolicy::windowCostNanos},
    {"limit_daily_cost_nanos", &LimitPolicy::dailyCostNanos},
    {"limit_total_cost_nanos", &LimitPolicy::totalCostNanos},
};
constexpr QByteArrayView TimeZoneField = "limit_time_zone";

bool parseLimit(QByteArrayView text, qint64 *out)
{
    if (text.isEmpty()) {
        *out = 0;
        return true;
    }
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < 0)
        return false;
    *out = value;
    return true;
}

bool isValidFamily(QByteArrayView family)
{
    if (family.isEmpty() || family.size() > 64)
        return false;
    for (char c : family) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
        if (!ok)
            return false;
    }
    return true;
}

QString badValue(QByteArrayView field, QByteArrayView value, const char *allowed)
{
    return QStringLiteral("%1: bad value \"%2\" (%3)")
        .arg(QString::fromUtf8(field), QString::fromUtf8(value.toByteArray().left(100)), QString::fromUtf8(allowed));
}

bool parseZone(QByteArrayView id, QTimeZone *zone)
{
    if (id.isEmpty() || id == "UTC") {
        *zone = QTimeZone::utc();
        return true;
    }
    QTimeZone parsed(id.toByteArray());
    if (!parsed.isValid())
        return false;
    *zone = parsed;
    return true;
}

// JSON numbers are doubles: accept whole, non-negative values that a double holds exactly.
bool jsonLimit(const QJsonValue &value, qint64 *out)
{
    if (value.isUndefined() || value.isNull()) {
        *out = 0;
        return true;
    }
    if (!value.isDouble())
        return false;
    const double d = value.toDouble();
    if (d < 0 || d > 9007199254740992.0 || d != double(qint64(d)))
        return false;
    *out = qint64(d);
    return true;
}

} // namespace

bool LimitPolicy::isEmpty() const
{
    if (hasWindow() || dailyCostNanos > 0 || totalCostNanos > 0)
        return false;
    for (qint64 limit : weeklyFamilyCostNanos) {
        if (limit > 0)
            return false;
    }
    return true;
}

bool LimitPolicy::appliesTo(const QByteArray &family) const
{
    return hasWindow() || dailyCostNanos > 0 || totalCostNanos > 0 || (!family.isEmpty() && weeklyLimitFor(family) > 0);
}

QByteArray LimitPolicy::timeZoneId() const
{
    return timeZone == QTimeZone::utc() ? QByteArrayLiteral("UTC") : timeZone.id();
}

QList<std::pair<QByteArray, QByteArray>> LimitPolicy::toHashFields() const
{
    QList<std::pair<QByteArray, QByteArray>> fields;
    for (const ScalarField &field : ScalarFields)
        fields.append({field.hashField.toByteArray(), QByteArray::number(this->*field.member)});
    for (auto it = weeklyFamilyCostNanos.cbegin(); it != weeklyFamilyCostNanos.cend(); ++it) {
        if (it.value() > 0)
            fields.append({WeeklyFieldPrefix.toByteArray() + it.key(), QByteArray::number(it.value())});
    }
    fields.append({TimeZoneField.toByteArray(), timeZoneId()});
    return fields;
}

LimitPolicyParse LimitPolicy::fromHashFields(const QList<std::pair<QByteArray, QByteArray>> &fields)
{
    LimitPolicyParse out;
    LimitPolicy &policy = out.policy;
    for (const auto &[name, value] : fields) {
        if (!name.startsWith("limit_"))
            continue;
        if (name == TimeZoneField) {
            if (!parseZone(value, &policy.timeZone))
                out.error = badValue(name, value, "an IANA time zone id such as Europe/Berlin, or UTC");
        } else if (name.startsWith(WeeklyFieldPrefix)) {
            const QByteArray family = name.mid(WeeklyFieldPrefix.size());
            qint64 limit = 0;
            if (!isValidFamily(family))
                out.error = badValue(name, family, "a lower-case model family such as opus");
            else if (!parseLimit(value, &limit))
                out.error = badValue(name, value, "a non-negative integer");
            else if (limit > 0)
                policy.weeklyFamilyCostNanos.insert(family, limit);
        } else {
            for (const ScalarField &field : ScalarFields) {
                if (name == field.hashField && !parseLimit(value, &(policy.*field.member)))
                    out.error = badValue(name, value, "a non-negative integer");
            }
        }
        if (!out.ok())
            return out;
    }
    return out;
}

LimitPolicyParse LimitPolicy::fromFlatHash(const QList<QByteArray> &flat)
{
    QList<std::pair<QByteArray, QByteArray>> fields;
    fields.reserve(flat.size() / 2);
    for (qsizetype i = 0; i + 1 < flat.size(); i += 2)
        fields.append({flat.at(i), flat.at(i + 1)});
    return fromHashFields(fields);
}

QJsonObject LimitPolicy::toJson() const
{
    QJsonObject json;
    if (windowMinutes > 0 || windowRequests > 0 || windowTokens > 0 || windowCostNanos > 0) {
        QJsonObject window;
        const std::pair<const char *, qint64> values[] = {{"minutes", windowMinutes},
                                                          {"requests", windowRequests},
                                                          {"tokens", windowTokens},
                                                          {"cost_nanos", windowCostNanos}};
        for (const auto &[name, value] : values) {
            if (value > 0)
                window.insert(QLatin1StringView(name), value);
        }
        json.insert(u"window", window);
    }
    if (dailyCostNanos > 0)
        json.insert(u"daily_cost_nanos", dailyCostNanos);
    if (totalCostNanos > 0)
        json.insert(u"total_cost_nanos", totalCostNanos);
    QJsonObject weekly;
    for (auto it = weeklyFamilyCostNanos.cbegin(); it != weeklyFamilyCostNanos.cend(); ++it) {
        if (it.value() > 0)
            weekly.insert(QString::fromUtf8(it.key()), it.value());
    }
    if (!weekly.isEmpty())
        json.insert(u"weekly_cost_nanos", weekly);
    json.insert(u"time_zone", QString::fromUtf8(timeZoneId()));
    return json;
}

LimitPolicyParse LimitPolicy::fromJson(const QJsonObject &json)
{
    LimitPolicyParse out;
    LimitPolicy &policy = out.policy;
    auto number = [&](const QJsonValue &value, const char *name, qint64 *target) {
        if (out.ok() && !jsonLimit(value, target))
            out.error = badValue(name, value.toVariant().toString().toUtf8(), "a non-negative whole number");
    };
    const QJsonValue windowValue = json.value(u"window");
    if (!windowValue.isUndefined() && !windowValue.isNull() && !windowValue.isObject())
        return {{}, QStringLiteral("window: must be an object")};
    const QJsonObject window = windowValue.toObject();
    number(window.value(u"minutes"), "window.minutes", &policy.windowMinutes);
    number(window.value(u"requests"), "window.requests", &policy.windowRequests);
    number(window.value(u"tokens"), "window.tokens", &policy.windowTokens);
    number(window.value(u"cost_nanos"), "window.cost_nanos", &policy.windowCostNanos);
    number(json.value(u"daily_cost_nanos"), "daily_cost_nanos", &policy.dailyCostNanos);
    number(json.value(u"total_cost_nanos"), "total_cost_nanos", &policy.totalCostNanos);
    const QJsonValue weeklyValue = json.value(u"weekly_cost_nanos");
    if (!weeklyValue.isUndefined() && !weeklyValue.isNull() && !weeklyValue.isObject())
        return {{}, QStringLiteral("weekly_cost_nanos: must be an object of family: nanodollars")};
    const QJsonObject weekly = weeklyValue.toObject();
    for (auto it = weekly.constBegin(); it != weekly.constEnd() && out.ok(); ++it) {
        const QByteArray family = it.key().toUtf8();
        qint64 limit = 0;
        if (!isValidFamily(family))
            out.error = badValue("weekly_cost_nanos", family, "a lower-case model family such as opus");
        else
            number(it.value(), "weekly_cost_nanos", &limit);
        if (out.ok() && limit > 0)
            policy.weeklyFamilyCostNanos.insert(family, limit);
    }
    const QJsonValue zone = json.value(u"time_zone");
    if (out.ok() && !zone.isUndefined() && !parseZone(zone.toString().toUtf8(), &policy.timeZone))
        out.error =
            badValue("time_zone", zone.toString().toUtf8(), "an IANA time zone id such as Europe/Berlin, or UTC");
    return out;
}

QByteArray LimitPolicy::familyOfModel(QByteArrayView model)
{
    const QByteArray lower = model.toByteArray().toLower();
    for (const char *family : {"opus", "sonnet", "haiku"}) {
        if (lower.contains(family))
            return QByteArray(family);
    }
    return {};
}

bool operator==(const LimitPolicy &a, const LimitPolicy &b)
{
    return a.windowMinutes == b.windowMinutes && a.windowRequests == b.windowRequests &&
           a.windowTokens == b.windowTokens && a.windowCostNanos == b.windowCostNanos &&
           a.dailyCostNanos == b.dailyCostNanos && a.totalCostNanos == b.totalCostNanos &&
           a.weeklyFamilyCostNanos == b.weeklyFamilyCostNanos && a.timeZoneId() == b.timeZoneId();
}

} // namespace Relay::Limits
