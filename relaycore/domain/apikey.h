// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <optional>

namespace Relay::Domain {

// A client API key as stored in Redis (rd:{key:<id>}:record). The clear key itself is never stored: only its
// HMAC (`hash`) and a display hint. Times are milliseconds since the epoch; 0 means "never" / "not set".
struct ApiKey
{
    static constexpr QByteArrayView DefaultPrefix = "rd_";
    static constexpr qsizetype SecretHexLength = 64;

    QByteArray id;
    QString name;
    QString description;
    QByteArray hint; // first 7 and last 4 characters of the clear key, e.g. "rd_1a2b...9f0e"
    bool enabled = true;
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
    qint64 expiresAt = 0; // 0 = never
    qint64 lastUsedAt = 0;
    int concurrencyLimit = 0; // 0 = no limit
    QByteArray hash;          // HMAC-SHA256(server secret, clear key), lower-case hex

    bool isExpired(qint64 nowMs) const { return expiresAt > 0 && nowMs >= expiresAt; }
    // Enabled and not expired: may authenticate a request.
    bool isUsable(qint64 nowMs) const { return enabled && !isExpired(nowMs); }

    // Field/value pairs for HSET of the whole record (all fields).
    QList<QByteArray> toRecordFields() const;
    // From an HGETALL reply (field, value, ...); nullopt if it is empty or has no id or hash.
    static std::optional<ApiKey> fromRecord(const QList<QByteArray> &fieldsAndValues);
};

// True if key is prefix + exactly 64 lower- or upper-case hex characters.
bool validateKeyFormat(QByteArrayView key, QByteArrayView prefix = ApiKey::DefaultPrefix);
// A new clear key: prefix + 64 lower-case hex characters from the CSPRNG; empty if the generator fails.
QByteArray generateClearKey(QByteArrayView prefix = ApiKey::DefaultPrefix);
// What may be shown of a key: its first 7 and last 4 characters.
QByteArray keyHint(QByteArrayView clearKey);
// A new record id: 16 lower-case hex characters from the CSPRNG; empty if the generator fails.
QByteArray generateId();
// True for ids this module generates or accepts from the outside (1..64 characters of [A-Za-z0-9_-]).
bool isValidId(QByteArrayView id);

} // namespace Relay::Domain
