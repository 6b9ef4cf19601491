// SPDX-License-Identifier: GPL-3.0-or-later
#include "redis/keyspace.h"

#include <algorithm>
#include <cstring>

namespace Relay::Redis {

KeySpace::KeySpace(QByteArrayView prefix)
{
    m_prefix.reserve(prefix.size());
    for (char c : prefix) {
        if (c != '{' && c != '}')
            m_prefix.append(c);
    }
}

// Built with one allocation and plain copies: the usage record alone names a dozen keys per request.
QByteArray KeySpace::owned(QByteArrayView ownerKind, QByteArrayView id, QByteArrayView suffix) const
{
    const bool plain = std::none_of(id.begin(), id.end(), [](char c) { return c == '%' || c == '{' || c == '}'; });
    const QByteArray escaped = plain ? QByteArray() : escapeId(id);
    const QByteArrayView owner = plain ? id : QByteArrayView(escaped);
    const qsizetype size =
        m_prefix.size() + 1 + ownerKind.size() + 1 + owner.size() + 1 + (suffix.isEmpty() ? 0 : 1 + suffix.size());
    QByteArray key(size, Qt::Uninitialized);
    char *out = key.data();
    auto put = [&out](QByteArrayView part) {
        memcpy(out, part.data(), size_t(part.size()));
        out += part.size();
    };
    put(m_prefix);
    *out++ = '{';
    put(ownerKind);
    *out++ = ':';
    put(owner);
    *out++ = '}';
    if (!suffix.isEmpty()) {
        *out++ = ':';
        put(suffix);
    }
    return key;
}

QByteArray KeySpace::global(QByteArrayView name) const
{
    QByteArray key(m_prefix.size() + name.size(), Qt::Uninitialized);
    memcpy(key.data(), m_prefix.constData(), size_t(m_prefix.size()));
    memcpy(key.data() + m_prefix.size(), name.data(), size_t(name.size()));
    return key;
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
