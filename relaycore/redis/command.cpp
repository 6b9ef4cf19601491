// SPDX-License-Identifier: GPL-3.0-or-later
#include "redis/command.h"

#include <algorithm>
#include <cstring>

namespace Relay::Redis {

namespace {

// Room for a sign, 19 digits and CRLF.
constexpr qsizetype MaxNumberBytes = 24;

// Writes the decimal digits of `number` backwards ending at `end`; returns the first character.
char *writeDecimal(char *end, qint64 number)
{
    // Through unsigned, so the most negative value does not overflow.
    quint64 magnitude = number < 0 ? 0 - quint64(number) : quint64(number);
    char *p = end;
    do {
        *--p = char('0' + magnitude % 10);
        magnitude /= 10;
    } while (magnitude != 0);
    if (number < 0)
        *--p = '-';
    return p;
}

// Writes `number` and CRLF at `out`; returns the end.
char *writeLine(char *out, qint64 number)
{
    char digits[MaxNumberBytes];
    char *end = digits + sizeof digits;
    const char *first = writeDecimal(end, number);
    const size_t length = size_t(end - first);
    memcpy(out, first, length);
    out += length;
    *out++ = '\r';
    *out++ = '\n';
    return out;
}

} // namespace

Command::Command(qsizetype argumentCount, qsizetype reserveBytes)
    : m_bytes(std::max<qsizetype>(reserveBytes, 64 + argumentCount * 16), Qt::Uninitialized)
    , m_declared(argumentCount)
{
    put("*");
    putDecimal(argumentCount);
}

Command Command::fromArgs(const QList<QByteArray> &args)
{
    qsizetype size = 16;
    for (const QByteArray &arg : args)
        size += arg.size() + 16;
    Command command(args.size(), size);
    for (const QByteArray &arg : args)
        command.add(arg);
    return command;
}

Command &Command::add(QByteArrayView argument)
{
    return addJoined({argument});
}

Command &Command::addJoined(std::initializer_list<QByteArrayView> parts)
{
    Q_ASSERT(m_added < m_declared);
    ++m_added;
    qsizetype size = 0;
    for (const QByteArrayView part : parts)
        size += part.size();
    char *out = grow(MaxNumberBytes + size + 2);
    *out++ = '$';
    out = writeLine(out, size);
    for (const QByteArrayView part : parts) {
        memcpy(out, part.data(), size_t(part.size()));
        out += part.size();
    }
    *out++ = '\r';
    *out++ = '\n';
    *out = '\0';
    m_used = out - m_bytes.constData();
    return *this;
}

Command &Command::addNumber(qint64 number)
{
    char digits[MaxNumberBytes];
    char *end = digits + sizeof digits;
    const char *first = writeDecimal(end, number);
    return add(QByteArrayView(first, end - first));
}

// Room for `bytes` more and the terminating NUL that bytes() promises.
char *Command::grow(qsizetype bytes)
{
    if (m_used + bytes + 1 > m_bytes.size())
        m_bytes.resize(std::max(m_bytes.size() * 2, m_used + bytes + 1));
    return m_bytes.data() + m_used;
}

void Command::put(QByteArrayView part)
{
    char *out = grow(part.size());
    memcpy(out, part.data(), size_t(part.size()));
    out[part.size()] = '\0';
    m_used += part.size();
}

void Command::putDecimal(qint64 number)
{
    char *end = writeLine(grow(MaxNumberBytes), number);
    *end = '\0';
    m_used = end - m_bytes.constData();
}

} // namespace Relay::Redis
