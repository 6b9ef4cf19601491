// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/request.h"
#include "http/serveroptions.h"
#include "http/writebatch.h"

#include <QObject>

#include <deque>
#include <http_parser.h>

class QTcpSocket;

namespace Relay::Http {

class Exchange;
class Router;

// What a worker shares with each of its connections. Everything here outlives the connections.
struct ConnectionContext
{
    const ServerOptions *options = nullptr;
    const Router *router = nullptr;
    ServerObserver *observer = nullptr;
    int workerIndex = 0;
    quint64 *nextExchangeId = nullptr; // per worker, so no atomics
};

// One client connection: HTTP/1.x parsing (the only code that knows http_parser), per-connection response
// ordering for pipelined requests, body and header limits, Expect: 100-continue, keep-alive / Connection: close /
// HTTP/1.0, timeouts and a lingering close after errors. Owned by its worker; deletes itself (deleteLater) after
// emitting closed().
class Connection : public QObject, public BatchedWriter
{
    Q_OBJECT
public:
    Connection(QTcpSocket *socket, const ConnectionContext &context, QObject *parent);
    ~Connection() override;

    // Graceful: finish what was received, answer it with Connection: close, then close.
    void shutdown();
    void abort();
    // Called by the worker's sweep timer with the monotonic clock in ns.
    void checkTimeouts(qint64 nowNs);
    bool isIdle() const;

Q_SIGNALS:
    void closed();

private:
    friend class Exchange;

    static int onMessageBegin(http_parser *parser);
    static int onUrl(http_parser *parser, const char *at, size_t length);
    static int onHeaderField(http_parser *parser, const char *at, size_t length);
    static int onHeaderValue(http_parser *parser, const char *at, size_t length);
    static int onHeadersComplete(http_parser *parser);
    static int onBody(http_parser *parser, const char *at, size_t length);
    static int onMessageComplete(http_parser *parser);
    static const http_parser_settings &parserSettings();

    void onReadyRead();
    void onBytesWritten();
    void onDisconnected();
    void feed(const char *data, qsizetype length);
    void resumeParsing();
    void dispatchCompleted();
    void dispatch(Request &&request, qint64 startedNs);
    void reject(int status, QByteArrayView message);
    bool addHeaderBytes(size_t length);
    void finishHeader();

    // Called by exchanges. flushNow: send now, or at the end of the open WriteBatch or dispatch.
    void write(QByteArrayView bytes, bool flushNow);
    void flushBatched() override;
    void exchangeFinished(Exchange *exchange);
    qint64 bytesToWrite() const;

    void advanceQueue();
    void closeGracefully();
    void startLingeringClose();
    void markGone();

    QTcpSocket *m_socket;
    ConnectionContext m_context;
    http_parser m_parser;

    // The request being parsed.
    Request m_request;
    QByteArray m_field;
    QByteArray m_value;
    bool m_inValue = false;
    bool m_inMessage = false;
    bool m_headersDone = false;
    bool m_continuePending = false; // owe a 100 Continue once earlier responses are out
    qint64 m_headerBytes = 0;
    qint64 m_messageStartNs = 0;
    int m_rejectStatus = 0;
    QByteArray m_rejectMessage;

    struct Completed
    {
        Request request;
        qint64 startedNs;
    };
    std::deque<Completed> m_completed; // parsed in this read, dispatched once the parser has returned
    std::deque<Exchange *> m_queue;    // in request order; front() writes to the socket
    QByteArray m_unparsed;             // input left over while parsing is paused
    bool m_parsingPaused = false;
    bool m_dispatching = false;
    bool m_noMoreRequests = false; // Connection: close seen, error, or shutting down
    bool m_lingering = false;
    bool m_gone = false;
    qint64 m_lastActivityNs = 0;
    qint64 m_lingerStartNs = 0;
};

} // namespace Relay::Http
