// SPDX-License-Identifier: GPL-3.0-or-later
#include "rawhttpclient.h"

#include <QDeadlineTimer>
#include <QHostAddress>

QByteArray RawHttpClient::Response::header(QByteArrayView name) const
{
    for (const auto &h : headers) {
        if (h.first == name)
            return h.second;
    }
    return {};
}

bool RawHttpClient::connectTo(quint16 port, int timeoutMs)
{
    m_socket.connectToHost(QHostAddress::LocalHost, port);
    return m_socket.waitForConnected(timeoutMs);
}

void RawHttpClient::send(QByteArrayView bytes)
{
    m_socket.write(bytes.data(), bytes.size());
    m_socket.waitForBytesWritten(5000);
}

bool RawHttpClient::fill(int timeoutMs)
{
    if (m_socket.bytesAvailable() == 0 && !m_socket.waitForReadyRead(timeoutMs))
        return false;
    m_buffer += m_socket.readAll();
    return true;
}

QByteArray RawHttpClient::takeLine(int timeoutMs, bool *ok)
{
    QDeadlineTimer deadline(timeoutMs);
    qsizetype end;
    while ((end = m_buffer.indexOf("\r\n")) < 0) {
        if (!fill(int(deadline.remainingTime()))) {
            *ok = false;
            return {};
        }
    }
    QByteArray line = m_buffer.left(end);
    m_buffer.remove(0, end + 2);
    *ok = true;
    return line;
}

QByteArray RawHttpClient::takeBytes(qsizetype n, int timeoutMs, bool *ok)
{
    QDeadlineTimer deadline(timeoutMs);
    while (m_buffer.size() < n) {
        if (!fill(int(deadline.remainingTime()))) {
            *ok = false;
            return {};
        }
    }
    QByteArray bytes = m_buffer.left(n);
    m_buffer.remove(0, n);
    *ok = true;
    return bytes;
}

QByteArray RawHttpClient::readRaw(qsizetype n, int timeoutMs)
{
    bool ok = false;
    return takeBytes(n, timeoutMs, &ok);
}

RawHttpClient::Response RawHttpClient::read(int timeoutMs, bool expectBody)
{
    Response r;
    bool ok = false;
    r.statusLine = takeLine(timeoutMs, &ok);
    if (!ok)
        return r;
    const QList<QByteArray> parts = r.statusLine.split(' ');
    r.status = parts.size() > 1 ? parts.at(1).toInt() : 0;
    for (;;) {
        const QByteArray line = takeLine(timeoutMs, &ok);
        if (!ok)
            return r;
        if (line.isEmpty())
            break;
        const qsizetype colon = line.indexOf(':');
        r.headers.append({line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed()});
    }
    if (!expectBody || r.status == 100 || r.status == 204 || r.status == 304) {
        r.ok = true;
        return r;
    }
    if (r.header("transfer-encoding") == "chunked") {
        for (;;) {
            const QByteArray sizeLine = takeLine(timeoutMs, &ok);
            if (!ok)
                return r;
            const qsizetype size = sizeLine.toLongLong(nullptr, 16);
            if (size == 0) {
                takeLine(timeoutMs, &ok);
                break;
            }
            r.body += takeBytes(size, timeoutMs, &ok);
            takeLine(timeoutMs, &ok);
            if (!ok)
                return r;
        }
    } else if (!r.header("content-length").isEmpty()) {
        r.body = takeBytes(r.header("content-length").toLongLong(), timeoutMs, &ok);
        if (!ok)
            return r;
    } else {
        while (fill(timeoutMs)) {
        }
        r.body = std::exchange(m_buffer, {});
    }
    r.ok = true;
    return r;
}

RawHttpClient::Response RawHttpClient::request(QByteArrayView bytes, int timeoutMs)
{
    send(bytes);
    return read(timeoutMs);
}

bool RawHttpClient::waitForClose(int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (m_socket.state() == QAbstractSocket::ConnectedState && !deadline.hasExpired()) {
        if (m_socket.waitForReadyRead(int(std::max<qint64>(1, deadline.remainingTime()))))
            m_buffer += m_socket.readAll();
    }
    return m_socket.state() != QAbstractSocket::ConnectedState;
}
