// SPDX-License-Identifier: GPL-3.0-or-later
#include "redis/connectionoptions.h"

#include <QUrl>
#include <QUrlQuery>

namespace Relay::Redis {

namespace {

std::optional<ConnectionOptions> fail(QString *errorMessage, const QString &message)
{
    if (errorMessage)
        *errorMessage = message;
    return std::nullopt;
}

std::optional<int> parseDatabase(const QString &text)
{
    bool ok = false;
    const int db = text.toInt(&ok);
    if (!ok || db < 0 || text.startsWith(u'+'))
        return std::nullopt;
    return db;
}

} // namespace

std::optional<ConnectionOptions> ConnectionOptions::fromUrl(const QString &text, QString *errorMessage)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return fail(errorMessage, QStringLiteral("Redis URL is empty"));

    const QUrl url(trimmed, QUrl::StrictMode);
    if (!url.isValid())
        return fail(errorMessage, QStringLiteral("Redis URL is not a valid URL: %1").arg(url.errorString()));

    ConnectionOptions options;
    const QString scheme = url.scheme().toLower();
    if (scheme == u"rediss")
        return fail(errorMessage, QStringLiteral("Redis URL scheme rediss:// (TLS) is not supported"));
    if (scheme == u"redis") {
        options.transport = Transport::Tcp;
        if (url.host().isEmpty())
            return fail(errorMessage, QStringLiteral("Redis URL has no host (expected redis://host[:port][/db])"));
        options.host = url.host();
        const int port = url.port(6379);
        if (port < 1 || port > 65535)
            return fail(errorMessage, QStringLiteral("Redis URL port must be 1-65535"));
        options.port = quint16(port);
        QString path = url.path();
        if (path.endsWith(u'/'))
            path.chop(1);
        if (!path.isEmpty()) {
            const auto db = parseDatabase(path.mid(1));
            if (!db)
                return fail(errorMessage,
                            QStringLiteral("Redis URL path must be a database number, got \"%1\"").arg(path));
            options.database = *db;
        }
    } else if (scheme == u"unix" || scheme == u"redis+unix") {
        options.transport = Transport::Unix;
        if (!url.host().isEmpty())
            return fail(errorMessage,
                        QStringLiteral("Redis Unix URL must have an empty host (unix:///path/to/redis.sock)"));
        if (url.port() != -1)
            return fail(errorMessage, QStringLiteral("Redis Unix URL cannot have a port"));
        options.socketPath = url.path();
        if (!options.socketPath.startsWith(u'/'))
            return fail(errorMessage, QStringLiteral("Redis Unix URL needs an absolute socket path"));
    } else if (scheme.isEmpty()) {
        return fail(errorMessage, QStringLiteral("Redis URL has no scheme (expected redis:// or unix://)"));
    } else {
        return fail(
            errorMessage,
            QStringLiteral("Redis URL scheme \"%1\" is not supported (expected redis:// or unix://)").arg(scheme));
    }

    options.user = url.userName(QUrl::FullyDecoded).toUtf8();
    options.password = url.password(QUrl::FullyDecoded).toUtf8();
    if (!options.user.isEmpty() && options.password.isEmpty())
        return fail(errorMessage, QStringLiteral("Redis URL has a user name but no password"));

    if (url.hasFragment())
        return fail(errorMessage, QStringLiteral("Redis URL cannot have a fragment"));

    const QUrlQuery query(url);
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded)) {
        if (key == u"db") {
            const auto db = parseDatabase(value);
            if (!db)
                return fail(errorMessage,
                            QStringLiteral("Redis URL db must be a database number, got \"%1\"").arg(value));
            options.database = *db;
        } else if (key == u"password") {
            options.password = value.toUtf8();
        } else if (key == u"user") {
            options.user = value.toUtf8();
        } else {
            return fail(errorMessage, QStringLiteral("Redis URL has an unknown parameter \"%1\"").arg(key));
        }
    }
    if (!options.user.isEmpty() && options.password.isEmpty())
        return fail(errorMessage, QStringLiteral("Redis URL has a user name but no password"));
    return options;
}

QString ConnectionOptions::toUrl(bool showPassword) const
{
    const QString password = showPassword
                                 ? QString::fromUtf8(QUrl::toPercentEncoding(QString::fromUtf8(this->password)))
                                 : QStringLiteral("****");
    const QString user = QString::fromUtf8(QUrl::toPercentEncoding(QString::fromUtf8(this->user)));
    if (transport == Transport::Unix) {
        QString url = QStringLiteral("unix://") + socketPath;
        QStringList params;
        if (database != 0)
            params << QStringLiteral("db=%1").arg(database);
        if (!this->user.isEmpty())
            params << QStringLiteral("user=") + user;
        if (!this->password.isEmpty())
            params << QStringLiteral("password=") + password;
        if (!params.isEmpty())
            url += u'?' + params.join(u'&');
        return url;
    }
    QString url = QStringLiteral("redis://");
    if (!this->password.isEmpty())
        url += user + u':' + password + u'@';
    url += host.contains(u':') ? u'[' + host + u']' : host;
    url += u':' + QString::number(port);
    if (database != 0)
        url += u'/' + QString::number(database);
    return url;
}

QString ConnectionOptions::endpoint() const
{
    if (transport == Transport::Unix)
        return socketPath;
    return (host.contains(u':') ? u'[' + host + u']' : host) + u':' + QString::number(port);
}

} // namespace Relay::Redis
