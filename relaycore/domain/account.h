// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
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

    QByteArray id;
    QString name;
    AccountType type = AccountType::ApiKey;
    QString baseUrl = DefaultBaseUrl.toString();
    QByteArray secret;
    int priority = DefaultPriority; // lower is preferred
    bool schedulable = true;        // may get new requests (the relay clears it while an account is cooling down)
    bool enabled = true;            // switched by the operator
    int maxConcurrency = 0;         // 0 = no limit
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
    // Set (and `secret` empty) when the stored secret could not be decrypted; only AccountStore::list() returns
    // such accounts, so an operator can still see and delete them.
    QString secretError;

    // Enabled, schedulable and with a usable secret.
    bool isUsable() const { return enabled && schedulable && secretError.isEmpty() && !secret.isEmpty(); }
};

// An http(s) URL with a host and without user info, query or fragment; the error text, or empty if valid.
QString validateBaseUrl(const QString &url);
// The URL without trailing slashes.
QString normalizeBaseUrl(const QString &url);

} // namespace Relay::Domain
