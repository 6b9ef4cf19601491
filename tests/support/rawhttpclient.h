// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>
#include <QTcpSocket>

// A deliberately low-level blocking HTTP/1.1 client for tests: it writes exactly the bytes it is given (so tests
// can pipeline, send malformed requests or trickle headers) and parses responses strictly (Content-Length,
// chunked, or close-delimited). Use it from the test thread while the server runs on its own worker threads.
class RawHttpClient
{
public:
    struct Response
    {
        bool ok = false; // a complete response was read
        int status = 0;
        QByteArray statusLine;
        QList<QPair<QByteArray, QByteArray>> headers; // names lower-cased
        QByteArray body;
        QByteArray header(QByteArrayView name) const;
    };

    bool connectTo(quint16 port, int timeoutMs = 5000);
    void send(QByteArrayView bytes);
    // Reads one response; `expectBody` false for answers to HEAD.
    Response read(int timeoutMs = 5000, bool expectBody = true);
    Response request(QByteArrayView bytes, int timeoutMs = 5000);
    // True once the server closed the connection (waits up to timeoutMs).
    bool waitForClose(int timeoutMs = 5000);
    // Reads exactly n raw bytes (for 100 Continue checks).
    QByteArray readRaw(qsizetype n, int timeoutMs = 5000);
    QTcpSocket &socket() { return m_socket; }

private:
    bool fill(int timeoutMs);
    QByteArray takeLine(int timeoutMs, bool *ok);
    QByteArray takeBytes(qsizetype n, int timeoutMs, bool *ok);

    QTcpSocket m_socket;
    QByteArray m_buffer;
};
