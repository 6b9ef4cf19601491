// SPDX-License-Identifier: GPL-3.0-or-later
#include "domain/account.h"

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

} // namespace Relay::Domain
