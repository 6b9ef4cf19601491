// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>

#include <initializer_list>

namespace Relay::Redis {

// One Redis command encoded once as RESP (an array of bulk strings), ready for the wire.
//
// Encoding here instead of in hiredis (redisAsyncCommandArgv) saves its sdscatfmt per argument and a copy: the
// usage record's EVALSHA alone has ~40 arguments per request. The arguments are appended in order after the count
// was declared; the count must match (checked in debug builds).
class Command
{
public:
    Command() = default;
    // `reserveBytes`: a guess of the encoded size, so the buffer is allocated once.
    explicit Command(qsizetype argumentCount, qsizetype reserveBytes = 0);
    static Command fromArgs(const QList<QByteArray> &args);

    Command &add(QByteArrayView argument);
    Command &addNumber(qint64 number);
    // One argument made of the parts one after the other (a key name from its prefix and suffix), without
    // building it first.
    Command &addJoined(std::initializer_list<QByteArrayView> parts);

    bool isEmpty() const { return m_used == 0; }
    qsizetype argumentCount() const { return m_declared; }
    bool isComplete() const { return m_added == m_declared; }
    // The encoded command, followed by a NUL that is not part of it: hiredis scans a SUBSCRIBE's arguments with
    // strchr() and would otherwise read past the end.
    QByteArrayView bytes() const { return QByteArrayView(m_bytes.constData(), m_used); }

private:
    char *grow(qsizetype bytes);
    void put(QByteArrayView part);
    void putDecimal(qint64 number);

    // Written through a pointer with memcpy: QByteArray::append costs ~100 instructions a call in Qt 6.4, and an
    // argument takes four of them. m_bytes is sized to its capacity; m_used bytes of it are the command, then a NUL.
    QByteArray m_bytes;
    qsizetype m_used = 0;
    qsizetype m_declared = 0;
    qsizetype m_added = 0;
};

} // namespace Relay::Redis
