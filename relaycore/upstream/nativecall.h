// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "upstream/upstreamcall.h"

#include <QPointer>

#include <http_parser.h>

class QTcpSocket;

namespace Relay::Upstream {

class NativePool;

// An UpstreamCall over HTTP/1.1 on a QTcpSocket of the calling thread (CleartextMode::Native, direct http://
// only): no Qt network thread, no hop between threads. The connection comes from the pool when one is idle and
// goes back to it after a complete keep-alive response; abort, timeouts and errors close it. A request that fails
// on a reused connection before any response byte arrived (the server closed it while idle) is sent once more on a
// new connection.
class NativeCall final : public UpstreamCall
{
    Q_OBJECT
public:
    NativeCall(const UpstreamRequest &request, const QString &origin, NativePool *pool, qint64 readBufferSize,
               QObject *parent);
    ~NativeCall() override;

    void begin() override;

protected:
    qint64 bufferedBytes() const override { return m_body.size() - m_bodyOffset; }
    QByteArray takeBytes(qint64 maxBytes) override;
    void bodyTaken() override;
    void releaseTransport() override;

private:
    static const http_parser_settings &parserSettings();
    void addParsedHeader();
    static int onHeaderField(http_parser *parser, const char *at, size_t length);
    static int onHeaderValue(http_parser *parser, const char *at, size_t length);
    static int onHeadersComplete(http_parser *parser);
    static int onBody(http_parser *parser, const char *at, size_t length);
    static int onMessageComplete(http_parser *parser);

    void start(bool allowPooled);
    void attach(QTcpSocket *socket);
    void sendRequest();
    void onBytesWritten();
    void onReadyRead();
    void onSocketGone();
    void schedulePump();
    // Reads and parses what the buffer has room for, then delivers. False if the call ended or was deleted.
    bool pump();
    bool feed(const char *data, qsizetype length);
    bool deliver();
    void finishExchange();
    void markSent();
    void endWithError(const QString &message);
    void closeSocket();

    bool m_begun = false;
    QString m_origin;
    QByteArray m_host;
    quint16 m_port = 80;
    QByteArray m_requestBytes;
    bool m_headRequest = false;
    QPointer<NativePool> m_pool;
    QPointer<QTcpSocket> m_socket;
    bool m_reused = false;
    bool m_retried = false;
    bool m_connected = false;
    bool m_sent = false;
    bool m_pumpQueued = false;
    qint64 m_responseBytes = 0; // raw bytes from the current connection

    http_parser m_parser{};
    QByteArray m_field;
    QByteArray m_value;
    bool m_inValue = false;
    HeaderList m_parsedHeaders;
    bool m_headersComplete = false;
    bool m_messageComplete = false;
    bool m_trailingBytes = false;
    QByteArray m_body;
    qsizetype m_bodyOffset = 0;
    bool m_bodyPending = false; // bytes arrived since the last readyRead
};

} // namespace Relay::Upstream
