// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>

// Helpers for the string values of Redis hash records.
namespace Relay::Domain::RecordFields {

inline QByteArray fromBool(bool value)
{
    return value ? QByteArrayLiteral("1") : QByteArrayLiteral("0");
}

// "1"/"true" and "0"/"false"; anything else (including a missing field) gives the fallback.
inline bool toBool(const QByteArray &value, bool fallback)
{
    if (value == "1" || value == "true")
        return true;
    if (value == "0" || value == "false")
        return false;
    return fallback;
}

// An HGETALL reply (field, value, field, value, ...) as a hash.
inline QHash<QByteArray, QByteArray> toHash(const QList<QByteArray> &fieldsAndValues)
{
    QHash<QByteArray, QByteArray> out;
    for (qsizetype i = 0; i + 1 < fieldsAndValues.size(); i += 2)
        out.insert(fieldsAndValues.at(i), fieldsAndValues.at(i + 1));
    return out;
}

} // namespace Relay::Domain::RecordFields
