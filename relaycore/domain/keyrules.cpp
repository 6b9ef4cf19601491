// SPDX-License-Identifier: GPL-3.0-or-later
#include "domain/keyrules.h"

#include "usage/pricingtable.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace Relay::Domain::KeyRules {

namespace {

QByteArray normalize(QByteArrayView model)
{
    return Usage::PricingTable::normalizeModel(model);
}

bool isHex(QByteArrayView text, qsizetype length)
{
    if (text.size() != length)
        return false;
    for (char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

bool isUuid(const QString &text)
{
    static const QRegularExpression uuid(
        u"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"_s);
    return uuid.match(text).hasMatch();
}

} // namespace

bool hasPermission(const ApiKey &key, Endpoint endpoint)
{
    return key.permissions.isEmpty() || key.permissions.contains(endpoint);
}

bool isModelAllowed(const ApiKey &key, QByteArrayView model)
{
    if (key.modelRule.mode == ModelRuleMode::None)
        return true;
    const QByteArray wanted = normalize(model);
    bool listed = false;
    for (const QByteArray &entry : key.modelRule.models) {
        if (normalize(entry) == wanted) {
            listed = true;
            break;
        }
    }
    return key.modelRule.mode == ModelRuleMode::Allow ? listed : !listed;
}

QList<QByteArray> filterModels(const ApiKey &key, const QList<QByteArray> &ids)
{
    QList<QByteArray> out;
    for (const QByteArray &id : ids) {
        if (isModelAllowed(key, id))
            out << id;
    }
    return out;
}

ModelRule normalizedRule(ModelRuleMode mode, const QList<QByteArray> &models)
{
    ModelRule rule{mode, {}};
    for (const QByteArray &model : models) {
        const QByteArray name = normalize(model);
        if (!name.isEmpty() && !rule.models.contains(name))
            rule.models << name;
    }
    return rule;
}

bool needsClientCheck(Endpoint endpoint)
{
    return endpoint == Endpoint::Messages;
}

QString checkClient(const ApiKey &key, const HeaderLookup &header, QByteArrayView metadataUserId)
{
    if (key.client == ClientRestriction::Any)
        return {};
    const QString only = u"This API key only accepts requests from Claude Code"_s;
    if (!isClaudeCodeUserAgent(header("user-agent")))
        return only + u": the user-agent is not claude-cli/<version>."_s;
    if (header("x-app").trimmed().isEmpty())
        return only + u": the x-app header is missing."_s;
    if (!isClaudeCodeUserId(metadataUserId))
        return only + u": metadata.user_id is missing or not in Claude Code's form."_s;
    return {};
}

bool isClaudeCodeUserId(QByteArrayView userId)
{
    if (userId.startsWith("{")) {
        const QJsonObject object = QJsonDocument::fromJson(userId.toByteArray()).object();
        const QJsonValue device = object.value(u"device_id"_s);
        const QJsonValue session = object.value(u"session_id"_s);
        return device.isString() && isHex(device.toString().toLatin1(), 64) && session.isString() &&
               isUuid(session.toString());
    }
    static const QRegularExpression legacy(
        u"^user_[0-9a-fA-F]{64}_account_([0-9a-fA-F-]{36})?_session_[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
        "[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"_s);
    return legacy.match(QString::fromLatin1(userId)).hasMatch();
}

bool isClaudeCodeUserAgent(QByteArrayView userAgent)
{
    static const QRegularExpression pattern(u"^claude-cli/\\d+\\.\\d+\\.\\d+([ ;(].*)?$"_s);
    return pattern.match(QString::fromLatin1(userAgent)).hasMatch();
}

} // namespace Relay::Domain::KeyRules
