// SPDX-License-Identifier: GPL-3.0-or-later
#include "redis/reply.h"

namespace Relay::Redis {

Reply Reply::integer(qint64 value)
{
    Reply r;
    r.m_type = Type::Integer;
    r.m_integer = value;
    return r;
}

Reply Reply::array(QList<Reply> elements)
{
    Reply r;
    r.m_type = Type::Array;
    r.m_elements = std::move(elements);
    return r;
}

bool Reply::isOk() const
{
    return m_type == Type::Status && m_bytes == "OK";
}

QByteArray Reply::toByteArray() const
{
    switch (m_type) {
    case Type::String:
    case Type::Status:
    case Type::Error:
        return m_bytes;
    case Type::Integer:
        return QByteArray::number(m_integer);
    case Type::Nil:
    case Type::Array:
        break;
    }
    return {};
}

qint64 Reply::toInteger(bool *ok) const
{
    if (m_type == Type::Integer) {
        if (ok)
            *ok = true;
        return m_integer;
    }
    if (m_type == Type::String || m_type == Type::Status)
        return m_bytes.toLongLong(ok);
    if (ok)
        *ok = false;
    return 0;
}

double Reply::toDouble(bool *ok) const
{
    if (m_type == Type::Integer) {
        if (ok)
            *ok = true;
        return double(m_integer);
    }
    if (m_type == Type::String || m_type == Type::Status)
        return m_bytes.toDouble(ok);
    if (ok)
        *ok = false;
    return 0;
}

QList<QByteArray> Reply::toByteArrayList() const
{
    QList<QByteArray> out;
    out.reserve(m_elements.size());
    for (const Reply &e : m_elements)
        out.append(e.toByteArray());
    return out;
}

QByteArray Reply::toDebugString() const
{
    switch (m_type) {
    case Type::Nil:
        return QByteArrayLiteral("(nil)");
    case Type::Status:
        return m_bytes;
    case Type::Error:
        return QByteArrayLiteral("(error) ") + m_bytes;
    case Type::Integer:
        return QByteArrayLiteral("(integer) ") + QByteArray::number(m_integer);
    case Type::String:
        return '"' + m_bytes + '"';
    case Type::Array:
        break;
    }
    QByteArray out = "[";
    for (qsizetype i = 0; i < m_elements.size(); ++i) {
        if (i)
            out += ", ";
        out += m_elements.at(i).toDebugString();
    }
    return out + ']';
}

bool operator==(const Reply &a, const Reply &b)
{
    return a.m_type == b.m_type && a.m_integer == b.m_integer && a.m_bytes == b.m_bytes && a.m_elements == b.m_elements;
}

} // namespace Relay::Redis
