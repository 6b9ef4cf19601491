// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/connection.h"

#include "http/clock.h"
#include "http/exchange.h"
#include "http/router.h"

#include <QTcpSocket>

#include <sys/socket.h>

namespace Relay::Http {

namespace {

constexpr qint64 ReadChunk = 64 * 1024;
constexpr qint64 LingerNs = 2'000'000'000; // how long to drain a rejected client's input before closing

Connection *self(http_parser *parser)
{
    return static_cast<Connection *>(parser->data);
}

bool equalsIgnoringCase(QByteArrayView a, QByteArrayView b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

} // namespace

const http_parser_settings &Connection::parserSettings()
{
    static const http_parser_settings settings = [] {
        http_parser_settings s;
        http_parser_settings_init(&s);
        s.on_message_begin = &Connection::onMessageBegin;
        s.on_url = &Connection::onUrl;
        s.on_header_field = &Connection::onHeaderField;
        s.on_header_value = &Connection::onHeaderValue;
        s.on_headers_complete = &Connection::onHeadersComplete;
        s.on_body = &Connection::onBody;
        s.on_message_complete = &Connection::onMessageComplete;
        return s;
    }();
    return settings;
}

Connection::Connection(QTcpSocket *socket, const ConnectionContext &context, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_context(context)
{
    m_socket->setParent(this);
    // Bounded read buffer: when the parser is paused the kernel's window, not our memory, holds the rest.
    m_socket->setReadBufferSize(ReadChunk);
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    http_parser_init(&m_parser, HTTP_REQUEST);
    m_parser.data = this;
    m_lastActivityNs = monotonicNs();

    connect(m_socket, &QTcpSocket::readyRead, this, &Connection::onReadyRead);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &Connection::onBytesWritten);
    connect(m_socket, &QTcpSocket::disconnected, this, &Connection::onDisconnected);
    if (m_context.observer)
        m_context.observer->connectionOpened(m_context.workerIndex);
    if (m_socket->bytesAvailable() > 0)
        onReadyRead();
}

Connection::~Connection()
{
    if (m_context.observer)
        m_context.observer->connectionClosed(m_context.workerIndex);
}

bool Connection::isIdle() const
{
    return m_queue.empty() && !m_inMessage;
}

void Connection::shutdown()
{
    m_noMoreRequests = true;
    for (Exchange *e : m_queue)
        e->m_closeAfter = true; // takes effect for every response not yet started

    if (isIdle())
        closeGracefully();
}

void Connection::abort()
{
    m_socket->abort();
    markGone();
}

void Connection::checkTimeouts(qint64 nowNs)
{
    if (m_gone)
        return;
    const ServerOptions &o = *m_context.options;
    if (m_lingering) {
        if (nowNs - m_lingerStartNs > LingerNs)
            abort();
        return;
    }
    const qint64 idleNs = nowNs - m_lastActivityNs;
    if (m_inMessage && !m_headersDone) {
        if (nowNs - m_messageStartNs > o.headerTimeoutMs * 1'000'000)
            reject(408, "The request headers were not received in time.");
    } else if (m_inMessage) {
        if (idleNs > o.idleTimeoutMs * 1'000'000)
            reject(408, "The request body stalled; send it without long pauses.");
    } else if (!m_queue.empty()) {
        // A handler is working; only a client that stopped reading our output is cut off here.
        if (m_socket->bytesToWrite() > 0 && idleNs > o.idleTimeoutMs * 1'000'000)
            abort();
    } else if (idleNs > o.idleTimeoutMs * 1'000'000) {
        closeGracefully();
    }
}

void Connection::onReadyRead()
{
    if (m_gone)
        return;
    m_lastActivityNs = monotonicNs();
    if (m_lingering || (m_noMoreRequests && !m_inMessage)) {
        // Nothing more will be answered on this connection: drop input instead of buffering it.
        m_socket->skip(m_socket->bytesAvailable());
        return;
    }
    if (m_parsingPaused)
        return; // stays in the socket buffer (bounded) until the queue shrinks
    while (!m_parsingPaused && (m_inMessage || !m_noMoreRequests) && m_socket->bytesAvailable() > 0) {
        const QByteArray data = m_socket->readAll(); // at most ReadChunk: the read buffer is bounded
        feed(data.constData(), data.size());
    }
    dispatchCompleted();
}

void Connection::feed(const char *data, qsizetype length)
{
    const size_t parsed = http_parser_execute(&m_parser, &parserSettings(), data, size_t(length));
    const auto error = HTTP_PARSER_ERRNO(&m_parser);
    if (error == HPE_PAUSED) {
        m_parsingPaused = true;
        m_unparsed.append(data + parsed, length - qsizetype(parsed));
        return;
    }
    if (error != HPE_OK) {
        if (m_rejectStatus != 0)
            reject(m_rejectStatus, m_rejectMessage);
        else if (error == HPE_HEADER_OVERFLOW)
            reject(431, "The request headers are too large.");
        else if (error == HPE_INVALID_VERSION)
            reject(505, "Only HTTP/1.0 and HTTP/1.1 are supported on this port.");
        else
            reject(400, QByteArray("Malformed HTTP request: ") + http_errno_description(error));
        return;
    }
    if (m_parser.upgrade) {
        reject(400, "Protocol upgrades are not supported.");
    }
}

void Connection::resumeParsing()
{
    if (!m_parsingPaused || m_gone)
        return;
    m_parsingPaused = false;
    http_parser_pause(&m_parser, 0);
    const QByteArray pending = std::exchange(m_unparsed, {});
    feed(pending.constData(), pending.size());
    if (!m_parsingPaused && m_socket->bytesAvailable() > 0)
        onReadyRead();
    else
        dispatchCompleted();
}

bool Connection::addHeaderBytes(size_t length)
{
    m_headerBytes += qint64(length);
    if (m_headerBytes <= m_context.options->headerLimit)
        return true;
    m_rejectStatus = 431;
    m_rejectMessage = "The request headers are too large.";
    return false;
}

int Connection::onMessageBegin(http_parser *parser)
{
    Connection *c = self(parser);
    c->m_request = Request{};
    c->m_request.headers.reserve(16); // SDK and Claude Code requests carry 10 to 20 headers
    c->m_field.clear();
    c->m_value.clear();
    c->m_inValue = false;
    c->m_inMessage = true;
    c->m_headersDone = false;
    c->m_continuePending = false;
    c->m_headerBytes = 0;
    c->m_messageStartNs = monotonicNs();
    return 0;
}

int Connection::onUrl(http_parser *parser, const char *at, size_t length)
{
    Connection *c = self(parser);
    c->m_request.target.append(at, qsizetype(length));
    return c->addHeaderBytes(length) ? 0 : 1;
}

void Connection::finishHeader()
{
    // Lowered and trimmed in place (rvalue overloads): no copy of either per header.
    if (!m_field.isEmpty())
        m_request.headers.append({std::move(m_field).toLower(), std::move(m_value).trimmed()});
    m_field.clear();
    m_value.clear();
    m_inValue = false;
}

int Connection::onHeaderField(http_parser *parser, const char *at, size_t length)
{
    Connection *c = self(parser);
    if (c->m_inValue)
        c->finishHeader();
    c->m_field.append(at, qsizetype(length));
    return c->addHeaderBytes(length) ? 0 : 1;
}

int Connection::onHeaderValue(http_parser *parser, const char *at, size_t length)
{
    Connection *c = self(parser);
    c->m_inValue = true;
    c->m_value.append(at, qsizetype(length));
    return c->addHeaderBytes(length) ? 0 : 1;
}

int Connection::onHeadersComplete(http_parser *parser)
{
    Connection *c = self(parser);
    c->finishHeader();
    c->m_headersDone = true;
    Request &r = c->m_request;
    r.method = http_method_str(http_method(parser->method));
    r.versionMajor = parser->http_major;
    r.versionMinor = parser->http_minor;
    r.keepAlive = http_should_keep_alive(parser) != 0;
    r.peerAddress = c->m_socket->peerAddress();
    const qsizetype q = r.target.indexOf('?');
    r.path = q < 0 ? r.target : r.target.left(q);
    r.query = q < 0 ? QByteArray() : r.target.mid(q + 1);

    const bool hasLength = (parser->flags & F_CONTENTLENGTH) != 0;
    const bool chunked = (parser->flags & F_CHUNKED) != 0;
    const qint64 limit = c->m_context.options->bodyLimit;
    if (hasLength && parser->content_length > quint64(limit)) {
        c->m_rejectStatus = 413;
        c->m_rejectMessage = "The request body is larger than this relay accepts (" + QByteArray::number(limit) +
                             " bytes); send a smaller request.";
        return 3; // any value above 2 makes the parser stop with an error
    }
    if (hasLength && parser->content_length > 0 && parser->content_length < 16 * 1024 * 1024)
        r.body.reserve(qsizetype(parser->content_length));

    const bool expectsBody = chunked || (hasLength && parser->content_length > 0);
    if (expectsBody && r.versionMinor >= 1 && equalsIgnoringCase(r.header("expect"), "100-continue")) {
        // Only the head of the pipeline may write an interim response; otherwise the client will send the body
        // after its own timeout anyway.
        if (c->m_queue.empty() && c->m_completed.empty())
            c->write("HTTP/1.1 100 Continue\r\n\r\n", true);
        else
            c->m_continuePending = true;
    }
    return 0;
}

int Connection::onBody(http_parser *parser, const char *at, size_t length)
{
    Connection *c = self(parser);
    c->m_continuePending = false; // the client did not wait for it
    Request &r = c->m_request;
    if (r.body.size() + qint64(length) > c->m_context.options->bodyLimit) {
        c->m_rejectStatus = 413;
        c->m_rejectMessage = "The request body is larger than this relay accepts (" +
                             QByteArray::number(c->m_context.options->bodyLimit) + " bytes); send a smaller request.";
        return 1;
    }
    r.body.append(at, qsizetype(length));
    return 0;
}

int Connection::onMessageComplete(http_parser *parser)
{
    Connection *c = self(parser);
    c->m_inMessage = false;
    const bool keepAlive = c->m_request.keepAlive;
    c->m_completed.push_back({std::move(c->m_request), c->m_messageStartNs});
    c->m_request = Request{};
    c->m_continuePending = false;
    if (!keepAlive || c->m_noMoreRequests) {
        // Anything the client pipelined after "Connection: close" is not answered.
        c->m_noMoreRequests = true;
        http_parser_pause(parser, 1);
    } else if (qsizetype(c->m_queue.size() + c->m_completed.size()) >= c->m_context.options->maxPipelineDepth) {
        http_parser_pause(parser, 1);
    }
    return 0;
}

void Connection::dispatchCompleted()
{
    if (m_dispatching)
        return;
    m_dispatching = true;
    while (!m_completed.empty() && !m_gone) {
        Completed next = std::move(m_completed.front());
        m_completed.pop_front();
        dispatch(std::move(next.request), next.startedNs);
    }
    m_dispatching = false;
    if (!m_gone && m_socket->bytesToWrite() > 0)
        m_socket->flush();
}

void Connection::dispatch(Request &&request, qint64 startedNs)
{
    const quint64 id = ++*m_context.nextExchangeId;
    auto *exchange = new Exchange(this, std::move(request), id, m_context.workerIndex, startedNs);
    exchange->m_closeAfter = !exchange->m_request.keepAlive || m_noMoreRequests;
    m_queue.push_back(exchange);
    exchange->m_isHead = m_queue.size() == 1;

    const Route *route = nullptr;
    const Request &r = exchange->request();
    const Router::Match match = m_context.router->match(r.method, r.path, &route);
    if (match == Router::Match::Found)
        exchange->m_route = route;
    // After routing, so that observers know the route from the start.
    if (m_context.observer)
        m_context.observer->requestStarted(*exchange);
    switch (match) {
    case Router::Match::Found:
        exchange->runStages();
        break;
    case Router::Match::MethodNotAllowed:
        exchange->respondError(405, "Method " + r.method + " is not allowed on " + r.path + ".", {},
                               {{"allow", m_context.router->allowedMethods(r.path)}});
        break;
    case Router::Match::NotFound:
        exchange->respondError(404, "No such endpoint: " + r.method + ' ' + r.path + '.');
        break;
    }
}

void Connection::reject(int status, QByteArrayView message)
{
    if (m_gone || m_rejectStatus == -1)
        return;
    m_noMoreRequests = true;
    m_rejectStatus = -1; // rejected: never parse again on this connection
    m_inMessage = false;
    m_completed.clear();
    Request request;
    request.method = m_request.method.isEmpty() ? QByteArray("-") : m_request.method;
    request.path = m_request.path;
    request.keepAlive = false;
    const quint64 id = ++*m_context.nextExchangeId;
    auto *exchange = new Exchange(this, std::move(request), id, m_context.workerIndex,
                                  m_messageStartNs ? m_messageStartNs : monotonicNs());
    exchange->m_closeAfter = true;
    m_queue.push_back(exchange);
    exchange->m_isHead = m_queue.size() == 1;
    if (m_context.observer)
        m_context.observer->requestStarted(*exchange);
    exchange->respondError(status, message);
}

void Connection::write(QByteArrayView bytes, bool flushNow)
{
    if (m_gone)
        return;
    m_socket->write(bytes.data(), bytes.size());
    if (flushNow && !m_dispatching && !WriteBatch::defer(this))
        m_socket->flush();
}

void Connection::flushBatched()
{
    if (!m_gone && m_socket->bytesToWrite() > 0)
        m_socket->flush();
}

qint64 Connection::bytesToWrite() const
{
    return m_gone ? 0 : m_socket->bytesToWrite();
}

void Connection::exchangeFinished(Exchange *exchange)
{
    if (!m_queue.empty() && m_queue.front() == exchange)
        advanceQueue();
}

// Pops every finished exchange at the front and hands the socket to the next one.
void Connection::advanceQueue()
{
    bool close = false;
    while (!m_queue.empty() && m_queue.front()->isFinished()) {
        Exchange *done = m_queue.front();
        m_queue.pop_front();
        close = close || done->m_closeAfter;
        if (m_context.observer)
            m_context.observer->requestFinished(*done);
        Q_EMIT done->finished();
        done->deleteLater();
        if (close)
            break;
        if (!m_queue.empty()) {
            Exchange *next = m_queue.front();
            next->m_isHead = true;
            if (!next->m_held.isEmpty()) {
                const QByteArray held = std::exchange(next->m_held, {});
                write(held, true);
            }
            if (!next->isFinished())
                Q_EMIT next->writable();
        }
    }
    m_lastActivityNs = monotonicNs();
    if (close) {
        // Pipelined after a close: never answered.
        for (Exchange *e : std::exchange(m_queue, {})) {
            e->m_clientGone = true;
            Q_EMIT e->clientGone();
            e->deleteLater();
        }
        if (m_rejectStatus == -1)
            startLingeringClose();
        else
            closeGracefully();
        return;
    }
    if (m_queue.empty() && m_continuePending) {
        m_continuePending = false;
        write("HTTP/1.1 100 Continue\r\n\r\n", true);
    }
    if (m_queue.empty() && m_noMoreRequests && !m_inMessage) {
        closeGracefully();
        return;
    }
    if (m_parsingPaused && !m_noMoreRequests && qsizetype(m_queue.size()) < m_context.options->maxPipelineDepth)
        resumeParsing();
}

void Connection::onBytesWritten()
{
    m_lastActivityNs = monotonicNs();
    if (m_lingering && m_socket->bytesToWrite() == 0) {
        ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
        return;
    }
    if (!m_queue.empty() && m_socket->bytesToWrite() < m_context.options->writeLowWatermark) {
        Exchange *head = m_queue.front();
        if (head->m_writeBlocked) {
            head->m_writeBlocked = false;
            Q_EMIT head->writable();
        }
    }
}

void Connection::closeGracefully()
{
    if (m_gone)
        return;
    m_noMoreRequests = true;
    m_socket->disconnectFromHost(); // flushes what is queued, then closes
}

// After an error the client may still be sending (a body we refused, say). Closing now would reset the
// connection and could destroy our error response before the client reads it, so half-close and drain
// for a bounded time instead.
void Connection::startLingeringClose()
{
    if (m_gone)
        return;
    m_lingering = true;
    m_lingerStartNs = monotonicNs();
    if (m_socket->bytesToWrite() == 0)
        ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
    m_socket->skip(m_socket->bytesAvailable());
}

void Connection::onDisconnected()
{
    markGone();
}

void Connection::markGone()
{
    if (m_gone)
        return;
    m_gone = true;
    const std::deque<Exchange *> pending = std::exchange(m_queue, {});
    for (Exchange *e : pending) {
        const bool wasRunning = !e->isFinished();
        e->m_clientGone = true;
        if (wasRunning)
            Q_EMIT e->clientGone();
        if (m_context.observer)
            m_context.observer->requestFinished(*e);
    }
    Q_EMIT closed();
    deleteLater();
}

} // namespace Relay::Http
