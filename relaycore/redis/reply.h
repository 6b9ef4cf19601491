// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>

namespace Relay::Redis {

// One Redis reply as a plain value. Server error replies (-ERR ...) are Replies of type Error, so a
// script's or command's error is visible to the caller; transport problems are reported as Error values instead.
class Reply
{
public:
    enum class Type { Nil, Status, Error, Integer, String, Array };

    Reply() = default; // Nil

    static Reply nil() { return {}; }
    static Reply status(QByteArray text) { return Reply(Type::Status, std::move(text)); }
    static Reply error(QByteArray message) { return Reply(Type::Error, std::move(message)); }
    static Reply string(QByteArray bytes) { return Reply(Type::String, std::move(bytes)); }
    static Reply integer(qint64 value);
    static Reply array(QList<Reply> elements);

    Type type() const { return m_type; }
    bool isNil() const { return m_type == Type::Nil; }
    bool isStatus() const { return m_type == Type::Status; }
    bool isError() const { return m_type == Type::Error; }
    bool isInteger() const { return m_type == Type::Integer; }
    bool isString() const { return m_type == Type::String; }
    bool isArray() const { return m_type == Type::Array; }
    // True for the +OK status reply.
    bool isOk() const;

    // The bytes of a String, Status or Error reply (empty otherwise).
    const QByteArray &bytes() const { return m_bytes; }
    // The value of an Integer reply (0 otherwise).
    qint64 integer() const { return m_integer; }
    // The elements of an Array reply (empty otherwise).
    const QList<Reply> &elements() const { return m_elements; }

    // String/Status/Error bytes, or an Integer in decimal; empty for Nil and Array.
    QByteArray toByteArray() const;
    // An Integer, or a String/Status holding a decimal number; *ok tells which.
    qint64 toInteger(bool *ok = nullptr) const;
    double toDouble(bool *ok = nullptr) const;
    // Array of strings (e.g. SMEMBERS) as a byte-array list; non-string elements give their toByteArray().
    QList<QByteArray> toByteArrayList() const;

    // A short readable rendering for tests and debug output, e.g. `[1, "a", (nil)]`.
    QByteArray toDebugString() const;

    friend bool operator==(const Reply &a, const Reply &b);

private:
    Reply(Type type, QByteArray bytes)
        : m_type(type)
        , m_bytes(std::move(bytes))
    {}

    Type m_type = Type::Nil;
    qint64 m_integer = 0;
    QByteArray m_bytes;
    QList<Reply> m_elements;
};

} // namespace Relay::Redis
