// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/exchange.h"

#include "http/clock.h"
#include "http/connection.h"
#include "http/errors.h"
#include "http/router.h"

namespace Relay::Http {

Exchange::Exchange(Connection *connection, Request &&request, quint64 id, int workerIndex, qint64 startedNs)
    : QObject(connection)
    , m_connection(connection)
    , m_request(std::move(request))
    , m_id(id)
    , m_workerIndex(workerIndex)
    , m_startedNs(startedNs)
{}

void Exchange::runStages()
{
    while (m_route && m_nextStage < m_route->stages.size()) {
        const StageResult result = m_route->stages.at(m_nextStage++)(*this);
        if (result != StageResult::Continue)
            return;
    }
    if (!m_answered)
        respondError(500, "The request was not answered by any stage of its route.");
}

void Exchange::resume()
{
    if (m_answered || m_clientGone)
        return;
    runStages();
}

void Exchange::setContext(QObject *context)
{
    if (m_context == context)
        return;
    delete m_context.data();
    m_context = context;
    if (context)
        context->setParent(this);
}

QByteArray Exchange::statusAndHeaders(int status, const HeaderList &headers) const
{
    QByteArray out;
    out.reserve(256);
    out += "HTTP/1.1 ";
    out += QByteArray::number(status);
    out += ' ';
    out += reasonPhrase(status);
    out += "\r\n";
    for (const auto &h : headers) {
        out += h.first;
        out += ": ";
        out += h.second;
        out += "\r\n";
    }
    if (m_closeAfter)
        out += "connection: close\r\n";
    else if (m_request.versionMinor == 0)
        out += "connection: keep-alive\r\n";
    return out;
}

void Exchange::respond(int status, QByteArrayView contentType, QByteArrayView body, const HeaderList &headers)
{
    if (m_answered || m_clientGone)
        return;
    m_answered = true;
    m_status = status;
    QByteArray out = statusAndHeaders(status, headers);
    if (!contentType.isEmpty()) {
        out += "content-type: ";
        out += contentType;
        out += "\r\n";
    }
    out += "content-length: ";
    out += QByteArray::number(body.size());
    out += "\r\n\r\n";
    if (!m_request.isHead()) {
        out += body;
        m_bodyBytes = body.size();
    }
    send(out);
    finish();
}

void Exchange::respondJson(int status, QByteArrayView json, const HeaderList &headers)
{
    respond(status, "application/json", json, headers);
}

void Exchange::respondError(int status, QByteArrayView message, QByteArrayView errorType, const HeaderList &headers)
{
    const QByteArray type = errorType.isEmpty() ? anthropicErrorType(status) : errorType.toByteArray();
    respondJson(status, anthropicErrorBody(type, message), headers);
}

void Exchange::beginStream(int status, const HeaderList &headers, QByteArrayView firstChunk)
{
    if (m_answered || m_clientGone)
        return;
    m_answered = true;
    m_status = status;
    m_state = State::Streaming;
    // HTTP/1.0 has no chunked encoding: the end of the body is the end of the connection.
    m_chunked = m_request.versionMinor >= 1;
    if (!m_chunked)
        m_closeAfter = true;
    QByteArray out = statusAndHeaders(status, headers);
    if (m_chunked)
        out += "transfer-encoding: chunked\r\n";
    out += "\r\n";
    if (!firstChunk.isEmpty() && !m_request.isHead()) {
        m_bodyBytes += firstChunk.size();
        appendChunk(out, firstChunk);
    }
    send(out);
}

void Exchange::writeChunk(QByteArrayView data)
{
    if (m_state != State::Streaming || m_clientGone || data.isEmpty() || m_request.isHead())
        return;
    m_bodyBytes += data.size();
    if (!m_chunked) {
        send(data);
        return;
    }
    QByteArray out;
    appendChunk(out, data);
    send(out);
}

// The body bytes as they go on the wire: one chunk on HTTP/1.1, the bytes themselves on HTTP/1.0.
void Exchange::appendChunk(QByteArray &out, QByteArrayView data) const
{
    if (!m_chunked) {
        out += data;
        return;
    }
    out.reserve(out.size() + data.size() + 16);
    out += QByteArray::number(data.size(), 16);
    out += "\r\n";
    out += data;
    out += "\r\n";
}

void Exchange::endStream()
{
    if (m_state != State::Streaming || m_clientGone)
        return;
    if (m_chunked && !m_request.isHead())
        send("0\r\n\r\n");
    finish();
}

bool Exchange::isWritable() const
{
    const qint64 queued = m_isHead ? m_connection->bytesToWrite() : m_held.size();
    const bool writable = queued < m_connection->m_context.options->writeHighWatermark;
    if (!writable)
        m_writeBlocked = true;
    return writable;
}

void Exchange::send(QByteArrayView bytes)
{
    if (m_clientGone)
        return;
    if (m_isHead)
        m_connection->write(bytes, true);
    else
        m_held.append(bytes.data(), bytes.size());
}

void Exchange::finish()
{
    m_state = State::Finished;
    m_finishedNs = monotonicNs();
    m_connection->exchangeFinished(this);
}

} // namespace Relay::Http
