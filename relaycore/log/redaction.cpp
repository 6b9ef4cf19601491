// SPDX-License-Identifier: GPL-3.0-or-later
#include "log/redaction.h"

#include <QByteArray>
#include <QStringList>

#include <algorithm>
#include <array>

namespace Relay::Log {

namespace {

constexpr std::array<QByteArrayView, 3> KnownPrefixes = {
    QByteArrayView("sk-ant-api03-"),
    QByteArrayView("sk-ant-oat01-"),
    QByteArrayView("rd_"),
};

constexpr qsizetype MaxVisible = 4;
const QString Masked = QStringLiteral("***");

QString lengthMarker(qsizetype length)
{
    return QStringLiteral("\u2026(%1)").arg(length);
}

bool isCredentialParameter(const QString &name)
{
    const QString n = name.toLower();
    static const QStringList words = {QStringLiteral("pass"), QStringLiteral("token"), QStringLiteral("secret"),
                                      QStringLiteral("key"), QStringLiteral("auth")};
    return std::any_of(words.cbegin(), words.cend(), [&n](const QString &w) { return n.contains(w); });
}

QString maskQuery(const QString &query)
{
    QStringList parts = query.split(u'&');
    for (QString &part : parts) {
        const qsizetype eq = part.indexOf(u'=');
        if (eq > 0 && isCredentialParameter(part.left(eq)))
            part = part.left(eq + 1) + Masked;
    }
    return parts.join(u'&');
}

} // namespace

QString redactSecret(QByteArrayView secret)
{
    if (secret.isEmpty())
        return {};
    QByteArrayView prefix;
    for (const QByteArrayView known : KnownPrefixes) {
        if (secret.startsWith(known)) {
            prefix = known;
            break;
        }
    }
    const QByteArrayView rest = secret.sliced(prefix.size());
    const qsizetype visible = std::min(MaxVisible, rest.size() / 4);
    return QString::fromLatin1(secret.first(prefix.size() + visible)) + lengthMarker(secret.size());
}

QString redactUrl(const QString &url)
{
    // Hand-parsed rather than through QUrl so the output keeps the operator's spelling and never re-encodes.
    const qsizetype schemeEnd = url.indexOf(QStringLiteral("://"));
    QString result = url;
    const qsizetype queryStart = result.indexOf(u'?');
    if (queryStart >= 0) {
        const qsizetype fragment = result.indexOf(u'#', queryStart);
        const qsizetype queryEnd = fragment < 0 ? result.size() : fragment;
        result = result.left(queryStart + 1) + maskQuery(result.mid(queryStart + 1, queryEnd - queryStart - 1)) +
                 result.mid(queryEnd);
    }
    if (schemeEnd < 0)
        return result;
    const qsizetype authorityStart = schemeEnd + 3;
    qsizetype authorityEnd = result.size();
    for (const QChar end : {u'/', u'?', u'#'}) {
        const qsizetype i = result.indexOf(end, authorityStart);
        if (i >= 0)
            authorityEnd = std::min(authorityEnd, i);
    }
    const qsizetype at = result.lastIndexOf(u'@', authorityEnd - 1);
    if (at < authorityStart)
        return result;
    const qsizetype colon = result.indexOf(u':', authorityStart);
    if (colon < 0 || colon > at)
        return result; // a user name alone is not a secret
    return result.left(colon + 1) + Masked + result.mid(at);
}

QString redactHeaderValue(QByteArrayView name, QByteArrayView value)
{
    const QByteArray lower = name.toByteArray().toLower();
    if (lower == "authorization" || lower == "proxy-authorization") {
        const QByteArrayView trimmed = value.trimmed();
        const qsizetype space = trimmed.indexOf(' ');
        if (space < 0)
            return redactSecret(trimmed);
        return QString::fromLatin1(trimmed.first(space + 1)) + redactSecret(trimmed.sliced(space + 1).trimmed());
    }
    if (lower == "x-api-key")
        return redactSecret(value.trimmed());
    if (lower == "cookie" || lower == "set-cookie")
        return lengthMarker(value.size());
    return QString::fromUtf8(value);
}

} // namespace Relay::Log
