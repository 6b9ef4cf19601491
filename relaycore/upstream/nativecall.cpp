// SPDX-License-Identifier: GPL-3.0-or-later
#include "upstream/nativecall.h"

#include "upstream/nativepool.h"

#include "http/writebatch.h"

#include <QTcpSocket>

namespace Relay::Upstream {

namespace {

NativeCall *self(http_parser *parser)
{
    return static_cast<NativeCall *>(parser->data);
}

bool isHopHeader(QByteArrayView name)
{
    // Ours to write: framing and the connection belong to this hop, and bodies come back as sent (identity).
    for (const QByteArrayView hop :
         {QByteArrayView("host"), QByteArrayView("content-length"), QByteArrayView("transfer-encoding"),
          QByteArrayView("connection"), QByteArrayView("accept-encoding"), QByteArrayView("keep-alive"),
          QByteArrayView("expect"), QByteArrayView("upgrade")}) {
        // The length first: the case-insensitive comparison is the costly part, and most names differ in length.
        if (name.size() == hop.size() && name.compare(hop, Qt::CaseInsensitive) == 0) {
            return true;
        }
    }
    return false;
}

// "<target> HTTP/1.1\r\nhost: <host>\r\n" for a URL. An account's requests all go to the same URL, and the QUrl
// conversions cost more than the rest of the request head, so the last URL's line is kept per thread.
const QByteArray &targetAndHostLines(const QUrl &url)
{
    struct Cached
    {
        QUrl url;
        QByteArray lines;
    };
    thread_local Cached cached;
    if (!cached.lines.isEmpty() && cached.url == url) {
        return cached.lines;
    }
    QByteArray target = url.path(QUrl::FullyEncoded).toLatin1();
    if (target.isEmpty()) {
        target = "/";
    }
    if (url.hasQuery()) {
        target += '?' + url.query(QUrl::FullyEncoded).toLatin1();
    }
    QByteArray host = url.host(QUrl::FullyEncoded).toLatin1();
    if (host.contains(':')) {
        host = '[' + host + ']';
    }
    if (url.port() > 0 && url.port() != 80) {
        host += ':' + QByteArray::number(url.port());
    }
    cached.url = url;
    cached.lines = ' ' + target + " HTTP/1.1\r\nhost: " + host + "\r\n";
    return cached.lines;
}

QByteArray requestBytes(const UpstreamRequest &request)
{
    const QByteArray &targetAndHost = targetAndHostLines(request.url);
    QByteArray out;
    out.reserve(256 + request.body.size() + request.headers.size() * 64);
    // Appended piece by piece: each `a + b + c` would build a temporary array first.
    out.append(request.method).append(targetAndHost);
    if (!request.body.isEmpty() || (request.method != "GET" && request.method != "HEAD")) {
        out.append("content-length: ").append(QByteArray::number(request.body.size())).append("\r\n");
    }
    for (const auto &[name, value] : request.headers) {
        if (!isHopHeader(name)) {
            out.append(name).append(": ").append(value).append("\r\n");
        }
    }
    out.append("accept-encoding: identity\r\n\r\n");
    out.append(request.body);
    return out;
}

} // namespace

const http_parser_settings &NativeCall::parserSettings()
{
    static const http_parser_settings settings = [] {
        http_parser_settings s;
        http_parser_settings_init(&s);
        s.on_header_field = &NativeCall::onHeaderField;
        s.on_header_value = &NativeCall::onHeaderValue;
        s.on_headers_complete = &NativeCall::onHeadersComplete;
        s.on_body = &NativeCall::onBody;
        s.on_message_complete = &NativeCall::onMessageComplete;
        return s;
    }();
    return settings;
}

NativeCall::NativeCall(const UpstreamRequest &request, const QString &origin, NativePool *pool, qint64 readBufferSize,
                       QObject *parent)
    : UpstreamCall(request.timeouts, readBufferSize, parent)
    , m_origin(origin)
    , m_host(request.url.host().toLatin1())
    , m_port(quint16(request.url.port(80)))
    , m_requestBytes(requestBytes(request))
    , m_headRequest(request.method == "HEAD")
    , m_pool(pool)
{}

void NativeCall::begin()
{
    if (m_state == State::Running && !std::exchange(m_begun, true)) {
        start(true);
    }
}

NativeCall::~NativeCall()
{
    endAsAborted();
    releaseTransport();
}

void NativeCall::start(bool allowPooled)
{
    QTcpSocket *socket = allowPooled && m_pool ? m_pool->take(m_origin) : nullptr;
    m_reused = socket != nullptr;
    if (!socket) {
        socket = new QTcpSocket;
        if (m_pool) {
            m_pool->noteOpened();
        }
    }
    attach(socket);
    if (m_reused) {
        m_connected = true;
        sendRequest();
    } else {
        m_connected = false;
        socket->connectToHost(QString::fromLatin1(m_host), m_port);
    }
}

void NativeCall::attach(QTcpSocket *socket)
{
    socket->setParent(this);
    m_socket = socket;
    m_responseBytes = 0;
    m_sent = false;
    // Bounded: while our buffer is full Qt stops reading, and the kernel's window holds the upstream back.
    socket->setReadBufferSize(m_readBufferSize);
    connect(socket, &QTcpSocket::connected, this, [this] {
        m_connected = true;
        m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        sendRequest();
    });
    connect(socket, &QTcpSocket::bytesWritten, this, &NativeCall::onBytesWritten);
    connect(socket, &QTcpSocket::readyRead, this, &NativeCall::onReadyRead);
    connect(socket, &QTcpSocket::disconnected, this, &NativeCall::onSocketGone);
    connect(socket, &QTcpSocket::errorOccurred, this, &NativeCall::onSocketGone);
    http_parser_init(&m_parser, HTTP_RESPONSE);
    m_parser.data = this;
    m_field.clear();
    m_value.clear();
    m_inValue = false;
    m_parsedHeaders.clear();
    m_headersComplete = false;
    m_messageComplete = false;
    m_trailingBytes = false;
}

void NativeCall::sendRequest()
{
    const QPointer<NativeCall> alive(this);
    const QPointer<QTcpSocket> socket = m_socket;
    // One write: request line, headers and body leave together (Nagle is off).
    socket->write(m_requestBytes);
    socket->flush(); // may report a dead connection at once, through onSocketGone (which may delete us)
    if (alive && socket && socket == m_socket) {
        onBytesWritten();
    }
}

void NativeCall::onBytesWritten()
{
    if (!m_sent && m_socket && m_socket->bytesToWrite() == 0) {
        markSent();
    }
}

void NativeCall::markSent()
{
    m_sent = true;
    requestSent();
}

void NativeCall::onReadyRead()
{
    pump();
}

void NativeCall::bodyTaken()
{
    if (m_socket && m_socket->bytesAvailable() > 0) {
        schedulePump();
    }
}

void NativeCall::schedulePump()
{
    if (m_pumpQueued) {
        return;
    }
    // Not from inside the caller's read(): it may be in its readyRead slot, which must not be re-entered.
    m_pumpQueued = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_pumpQueued = false;
            pump();
        },
        Qt::QueuedConnection);
}

bool NativeCall::pump()
{
    const Http::WriteBatch batch; // what this read makes the caller write leaves in one write
    while (m_socket && m_state == State::Running && !m_messageComplete) {
        // Until the headers are in, no body is held, so a whole buffer's worth may be read.
        const qint64 room = m_headersComplete ? m_readBufferSize - bufferedBytes() : qMax<qint64>(m_readBufferSize, 1);
        if (room <= 0) {
            return true; // read() makes room, then bodyTaken() resumes
        }
        const QByteArray data = m_socket->read(room);
        if (data.isEmpty()) {
            return true;
        }
        m_responseBytes += data.size();
        if (!feed(data.constData(), data.size())) {
            return false;
        }
        if (!deliver()) {
            return false;
        }
    }
    return m_state == State::Running;
}

bool NativeCall::feed(const char *data, qsizetype length)
{
    const size_t parsed = http_parser_execute(&m_parser, &parserSettings(), data, size_t(length));
    const auto error = HTTP_PARSER_ERRNO(&m_parser);
    if (error == HPE_PAUSED) {
        // Paused at the end of the response: anything after it is unasked for, so the connection is not reused.
        m_trailingBytes = m_trailingBytes || parsed < size_t(length);
        return true;
    }
    if (error != HPE_OK) {
        endWithError(QStringLiteral("malformed HTTP response from the upstream: %1")
                         .arg(QLatin1StringView(http_errno_description(error))));
        return false;
    }
    return true;
}

bool NativeCall::deliver()
{
    if (m_headersComplete && !m_outcome.responseStarted) {
        if (!beginResponse(int(m_parser.status_code), std::exchange(m_parsedHeaders, {}), false)) {
            return false;
        }
    }
    if (m_bodyPending && bufferedBytes() > 0) {
        m_bodyPending = false;
        if (!bodyArrived()) {
            return false;
        }
    }
    if (m_messageComplete) {
        finishExchange();
        return false;
    }
    return true;
}

void NativeCall::finishExchange()
{
    if (m_state != State::Running) {
        return;
    }
    if (m_socket) {
        QTcpSocket *socket = m_socket;
        const bool reusable = m_pool && http_should_keep_alive(&m_parser) && !m_trailingBytes &&
                              socket->bytesAvailable() == 0 && socket->state() == QAbstractSocket::ConnectedState;
        if (reusable) {
            m_socket = nullptr;
            disconnect(socket, nullptr, this, nullptr);
            m_pool->giveBack(m_origin, socket);
        } else {
            closeSocket();
        }
    }
    transportEnded(Outcome::Kind::Ok, {});
}

void NativeCall::onSocketGone()
{
    if (m_state != State::Running || !m_socket) {
        return;
    }
    const QString message = m_socket->errorString();
    // What Qt read before the end is still there: parse it (ignoring the limit: at most Qt's bounded buffer),
    // then the end of input, which completes a body that runs until the connection closes.
    if (!m_messageComplete) {
        const QByteArray rest = m_socket->readAll();
        m_responseBytes += rest.size();
        if (!rest.isEmpty() && !feed(rest.constData(), rest.size())) {
            return;
        }
        if (!m_messageComplete && m_headersComplete) {
            http_parser_execute(&m_parser, &parserSettings(), nullptr, 0);
        }
    }
    closeSocket();
    if (!deliver()) {
        return;
    }
    if (!m_headersComplete && m_responseBytes == 0 && m_reused && !m_retried) {
        // The server closed the idle connection as we reused it: once more on a new one.
        m_retried = true;
        start(false);
        return;
    }
    transportEnded(m_connected ? Outcome::Kind::Reset : Outcome::Kind::ConnectFailed, message);
}

void NativeCall::endWithError(const QString &message)
{
    closeSocket();
    transportEnded(Outcome::Kind::Reset, message);
}

QByteArray NativeCall::takeBytes(qint64 maxBytes)
{
    const qsizetype available = m_body.size() - m_bodyOffset;
    const qsizetype n = qsizetype(qMin<qint64>(maxBytes, available));
    if (n <= 0) {
        return {};
    }
    if (m_bodyOffset == 0 && n == available) {
        return std::exchange(m_body, {});
    }
    QByteArray out = m_body.mid(m_bodyOffset, n);
    m_bodyOffset += n;
    if (m_bodyOffset == m_body.size()) {
        m_body.clear();
        m_bodyOffset = 0;
    } else if (m_bodyOffset > m_body.size() / 2) {
        m_body.remove(0, m_bodyOffset);
        m_bodyOffset = 0;
    }
    return out;
}

void NativeCall::releaseTransport()
{
    closeSocket();
}

void NativeCall::closeSocket()
{
    if (!m_socket) {
        return;
    }
    QTcpSocket *socket = m_socket;
    m_socket = nullptr;
    disconnect(socket, nullptr, this, nullptr);
    socket->abort();
    socket->deleteLater(); // we may be inside one of its signals
}

int NativeCall::onHeaderField(http_parser *parser, const char *at, size_t length)
{
    NativeCall *call = self(parser);
    if (call->m_inValue) {
        call->addParsedHeader();
    }
    call->m_field.append(at, qsizetype(length));
    return 0;
}

void NativeCall::addParsedHeader()
{
    if (m_parsedHeaders.isEmpty()) {
        m_parsedHeaders.reserve(24); // Anthropic answers carry about 20 headers
    }
    // Lowered in place (rvalue overload) and moved: no copy of either per header.
    m_parsedHeaders.append({std::move(m_field).toLower(), std::move(m_value)});
    m_field.clear();
    m_value.clear();
    m_inValue = false;
}

int NativeCall::onHeaderValue(http_parser *parser, const char *at, size_t length)
{
    NativeCall *call = self(parser);
    call->m_inValue = true;
    call->m_value.append(at, qsizetype(length));
    return 0;
}

int NativeCall::onHeadersComplete(http_parser *parser)
{
    NativeCall *call = self(parser);
    if (call->m_inValue) {
        call->addParsedHeader();
    }
    call->m_field.clear(); // a name without a value (malformed) must not leak into the next response's headers
    call->m_inValue = false;
    if (parser->status_code >= 100 && parser->status_code < 200) {
        call->m_parsedHeaders.clear(); // informational: the real response follows
        return 0;
    }
    call->m_headersComplete = true;
    return call->m_headRequest ? 1 : 0; // 1: no body follows
}

int NativeCall::onBody(http_parser *parser, const char *at, size_t length)
{
    NativeCall *call = self(parser);
    call->m_body.append(at, qsizetype(length));
    call->m_bodyPending = true;
    return 0;
}

int NativeCall::onMessageComplete(http_parser *parser)
{
    NativeCall *call = self(parser);
    if (!call->m_headersComplete) {
        return 0; // the end of an informational response
    }
    call->m_messageComplete = true;
    http_parser_pause(parser, 1);
    return 0;
}

} // namespace Relay::Upstream
