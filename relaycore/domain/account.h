// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QMap>
#include <QString>

#include <optional>

namespace Relay::Domain {

enum class AccountType {
    ApiKey, // an Anthropic API key, sent as x-api-key
    OAuth,  // an OAuth access token, sent as Authorization: Bearer
};

// "apikey" / "oauth", as stored and as the CLI spells them.
QByteArrayView accountTypeName(AccountType type);
std::optional<AccountType> accountTypeFromName(QByteArrayView name);

// An upstream account (rd:{acct:<id>}:record). `secret` is the decrypted API key or access token: it exists only in
// memory; Redis holds it encrypted (SecretBox). Times are milliseconds since the epoch.
struct Account
{
    static constexpr QStringView DefaultBaseUrl = u"https://api.anthropic.com";
    static constexpr int DefaultPriority = 50;
    static constexpr int MaxPriority = 1000;
    static constexpr qsizetype MaxNotesLength = 2000;
    static constexpr qsizetype MaxModelMappings = 200;
    static constexpr qsizetype MaxModelNameLength = 200;

    QByteArray id;
    QString name;
    AccountType type = AccountType::ApiKey;
    QString baseUrl = DefaultBaseUrl.toString();
    QByteArray secret;
    int priority = DefaultPriority; // lower is preferred
    bool schedulable = true;        // may get new requests (the relay clears it while an account is cooling down)
    bool enabled = true;            // switched by the operator
    int maxConcurrency = 0;         // 0 = no limit
    // OAuth accounts: the refresh token (decrypted, memory only) and when the access token (`secret`) expires.
    QByteArray refreshToken;
    qint64 tokenExpiresAt = 0; // 0 = unknown / never
    // Optional outbound proxy: "http://host:port" or "socks5://host:port", with an optional user name but never a
    // password in the URL; the password is stored encrypted on its own.
    QString proxyUrl;
    QByteArray proxyPassword;            // decrypted, memory only
    QMap<QString, QString> modelMapping; // requested model -> model sent upstream
    qint64 dailyCostQuotaNanos = 0;      // 0 = no quota; cost per day (relay time zone) in 10^-9 USD
    QString notes;
    QList<QByteArray> groupIds; // the account groups this account belongs to (written by GroupStore only)
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
    // Set (and `secret` empty) when the stored secret could not be decrypted; only AccountStore::list() returns
    // such accounts, so an operator can still see and delete them.
    QString secretError;

    // Enabled, schedulable and with a usable secret.
    bool isUsable() const { return enabled && schedulable && secretError.isEmpty() && !secret.isEmpty(); }
};

// What a successful OAuth refresh gives (AccountStore::setOAuthTokens writes all three at once).
struct OAuthTokens
{
    QByteArray accessToken;
    QByteArray refreshToken;
    qint64 expiresAt = 0; // ms since the epoch
};

// An http(s) URL with a host and without user info, query or fragment; the error text, or empty if valid.
QString validateBaseUrl(const QString &url);
// The URL without trailing slashes.
QString normalizeBaseUrl(const QString &url);
// "http://[user@]host:port" or "socks5://[user@]host:port" (an explicit port, no password, path, query or
// fragment); the error text, or empty if valid. An empty URL is valid (no proxy).
QString validateProxyUrl(const QString &url);
// Non-empty names without spaces on both sides, at most Account::MaxModelMappings entries; the error or empty.
QString validateModelMapping(const QMap<QString, QString> &mapping);
// The stored form of a model mapping (a compact JSON object) and back; an unreadable value gives an empty map.
QByteArray modelMappingToJson(const QMap<QString, QString> &mapping);
QMap<QString, QString> modelMappingFromJson(const QByteArray &json);

} // namespace Relay::Domain
