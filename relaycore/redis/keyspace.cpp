// SPDX-License-Identifier: GPL-3.0-or-later
#include "redis/keyspace.h"

namespace Relay::Redis {

KeySpace::KeySpace(QByteArrayView prefix)
{
    m_prefix.reserve(prefix.size());
    for (char c : prefix) {
        if (c != '{' && c != '}')
            m_prefix.append(c);
    }
}

QByteArray KeySpace::owned(QByteArrayView ownerKind, QByteArrayView id, QByteArrayView suffix) const
{
    QByteArray key;
    key.reserve(m_prefix.size() + ownerKind.size() + id.size() + suffix.size() + 5);
    key.append(m_prefix).append('{').append(ownerKind).append(':').append(escapeId(id)).append('}');
    if (!suffix.isEmpty())
        key.append(':').append(suffix);
    return key;
}

QByteArray KeySpace::global(QByteArrayView name) const
{
    return QByteArray(m_prefix).append(name);
}

QByteArray KeySpace::ownedPattern(QByteArrayView ownerKind, QByteArrayView suffix) const
{
    QByteArray pattern = escapeGlob(m_prefix) + '{' + escapeGlob(ownerKind) + ":*}";
    if (!suffix.isEmpty())
        pattern += ':' + escapeGlob(suffix);
    return pattern;
}

QByteArray KeySpace::allPattern() const
{
    return escapeGlob(m_prefix) + '*';
}

QByteArray KeySpace::escapeId(QByteArrayView id)
{
    QByteArray out;
    out.reserve(id.size());
    for (char c : id) {
        if (c == '%')
            out.append("%25");
        else if (c == '{')
            out.append("%7B");
        else if (c == '}')
            out.append("%7D");
        else
            out.append(c);
    }
    return out;
}

QByteArray KeySpace::escapeGlob(QByteArrayView text)
{
    QByteArray out;
    out.reserve(text.size());
    for (char c : text) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\')
            out.append('\\');
        out.append(c);
    }
    return out;
}

QByteArrayView KeySpace::hashTag(QByteArrayView key)
{
    const qsizetype open = key.indexOf('{');
    if (open < 0)
        return key;
    const qsizetype close = key.indexOf('}', open + 1);
    if (close < 0 || close == open + 1)
        return key;
    return key.sliced(open + 1, close - open - 1);
}

quint16 KeySpace::clusterSlot(QByteArrayView key)
{
    // CRC16-CCITT (XModem), as specified by Redis Cluster.
    const QByteArrayView tag = hashTag(key);
    quint16 crc = 0;
    for (char c : tag) {
        crc ^= quint16(quint8(c)) << 8;
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc & 0x8000) ? quint16((crc << 1) ^ 0x1021) : quint16(crc << 1);
    }
    return crc % 16384;
}

} // namespace Relay::Redis
