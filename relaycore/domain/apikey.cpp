// SPDX-License-Identifier: GPL-3.0-or-later
#include "domain/apikey.h"

#include "domain/crypto.h"
#include "domain/recordfields.h"

#include <QHash>

namespace Relay::Domain {

namespace {

bool isHexChar(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

} // namespace

QList<QByteArray> ApiKey::toRecordFields() const
{
    return {
        "id",
        id,
        "name",
        name.toUtf8(),
        "description",
        description.toUtf8(),
        "hash",
        hash,
        "hint",
        hint,
        "enabled",
        RecordFields::fromBool(enabled),
        "created_at",
        QByteArray::number(createdAt),
        "updated_at",
        QByteArray::number(updatedAt),
        "expires_at",
        QByteArray::number(expiresAt),
        "last_used_at",
        QByteArray::number(lastUsedAt),
        "concurrency_limit",
        QByteArray::number(concurrencyLimit),
    };
}

std::optional<ApiKey> ApiKey::fromRecord(const QList<QByteArray> &fieldsAndValues)
{
    const QHash<QByteArray, QByteArray> fields = RecordFields::toHash(fieldsAndValues);
    ApiKey key;
    key.id = fields.value("id");
    key.hash = fields.value("hash");
    if (key.id.isEmpty() || key.hash.isEmpty())
        return std::nullopt;
    key.name = QString::fromUtf8(fields.value("name"));
    key.description = QString::fromUtf8(fields.value("description"));
    key.hint = fields.value("hint");
    key.enabled = RecordFields::toBool(fields.value("enabled"), true);
    key.createdAt = fields.value("created_at").toLongLong();
    key.updatedAt = fields.value("updated_at").toLongLong();
    key.expiresAt = fields.value("expires_at").toLongLong();
    key.lastUsedAt = fields.value("last_used_at").toLongLong();
    key.concurrencyLimit = fields.value("concurrency_limit").toInt();
    return key;
}

bool validateKeyFormat(QByteArrayView key, QByteArrayView prefix)
{
    if (key.size() != prefix.size() + ApiKey::SecretHexLength || !key.startsWith(prefix))
        return false;
    for (char c : key.sliced(prefix.size())) {
        if (!isHexChar(c))
            return false;
    }
    return true;
}

QByteArray generateClearKey(QByteArrayView prefix)
{
    const std::optional<QByteArray> random = Crypto::randomBytes(ApiKey::SecretHexLength / 2);
    if (!random)
        return {};
    return prefix.toByteArray() + random->toHex();
}

QByteArray keyHint(QByteArrayView clearKey)
{
    if (clearKey.size() <= 11)
        return {};
    return clearKey.first(7).toByteArray() + "..." + clearKey.last(4).toByteArray();
}

QByteArray generateId()
{
    const std::optional<QByteArray> random = Crypto::randomBytes(8);
    return random ? random->toHex() : QByteArray();
}

bool isValidId(QByteArrayView id)
{
    if (id.isEmpty() || id.size() > 64)
        return false;
    for (char c : id) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

} // namespace Relay::Domain
