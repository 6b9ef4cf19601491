// SPDX-License-Identifier: GPL-3.0-or-later
#include "domain/account.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

using namespace Qt::StringLiterals;

namespace Relay::Domain {

QByteArrayView accountTypeName(AccountType type)
{
    switch (type) {
    case AccountType::ApiKey:
        return "apikey";
    case AccountType::OAuth:
        return "oauth";
    }
    return {};
}

std::optional<AccountType> accountTypeFromName(QByteArrayView name)
{
    if (name == "apikey")
        return AccountType::ApiKey;
    if (name == "oauth")
        return AccountType::OAuth;
    return std::nullopt;
}

QString validateBaseUrl(const QString &url)
{
    const QUrl parsed(url, QUrl::StrictMode);
    if (url.isEmpty() || !parsed.isValid())
        return u"\"%1\" is not a valid URL"_s.arg(url);
    if (parsed.scheme() != u"https" && parsed.scheme() != u"http")
        return u"\"%1\" must start with https:// (or http://)"_s.arg(url);
    if (parsed.host().isEmpty())
        return u"\"%1\" has no host"_s.arg(url);
    if (!parsed.userInfo().isEmpty())
        return u"the URL must not contain a user name or password"_s;
    if (parsed.hasQuery() || parsed.hasFragment())
        return u"\"%1\" must not have a query or fragment"_s.arg(url);
    return {};
}

QString normalizeBaseUrl(const QString &url)
{
    QString out = url.trimmed();
    while (out.endsWith(u'/'))
        out.chop(1);
    return out;
}

QString validateProxyUrl(const QString &url)
{
    if (url.isEmpty())
        return {};
    const QUrl parsed(url, QUrl::StrictMode);
    if (!parsed.isValid())
        return u"the proxy URL is not a valid URL"_s;
    if (parsed.scheme() != u"http" && parsed.scheme() != u"socks5")
        return u"the proxy URL must start with http:// or socks5://"_s;
    if (parsed.host().isEmpty())
        return u"the proxy URL has no host"_s;
    if (parsed.port() <= 0)
        return u"the proxy URL needs a port (e.g. socks5://127.0.0.1:1080)"_s;
    // A password in the URL would be stored in clear text; it has its own encrypted field.
    const qsizetype at = url.indexOf(u'@');
    if (!parsed.password().isEmpty() || (at >= 0 && url.left(at).count(u':') > 1))
        return u"the proxy URL must not contain a password: give it separately"_s;
    if ((!parsed.path().isEmpty() && parsed.path() != u"/") || parsed.hasQuery() || parsed.hasFragment())
        return u"the proxy URL must not have a path, query or fragment"_s;
    return {};
}

QString validateModelMapping(const QMap<QString, QString> &mapping)
{
    if (mapping.size() > Account::MaxModelMappings)
        return u"at most %1 model mappings are allowed"_s.arg(Account::MaxModelMappings);
    for (auto it = mapping.cbegin(); it != mapping.cend(); ++it) {
        for (const QString &name : {it.key(), it.value()}) {
            if (name.trimmed().isEmpty())
                return u"a model mapping needs a non-empty model name on both sides"_s;
            if (name != name.trimmed() || name.size() > Account::MaxModelNameLength)
                return u"the model name \"%1\" has surrounding spaces or is too long"_s.arg(name.left(40));
        }
    }
    return {};
}

QByteArray modelMappingToJson(const QMap<QString, QString> &mapping)
{
    QJsonObject object;
    for (auto it = mapping.cbegin(); it != mapping.cend(); ++it)
        object.insert(it.key(), it.value());
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QMap<QString, QString> modelMappingFromJson(const QByteArray &json)
{
    QMap<QString, QString> out;
    const QJsonObject object = QJsonDocument::fromJson(json).object();
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        if (it.value().isString())
            out.insert(it.key(), it.value().toString());
    }
    return out;
}

} // namespace Relay::Domain
