// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/request.h"

#include <QObject>
#include <QPointer>

#include <functional>

namespace Relay::Http {

class Connection;
class Exchange;
struct Route;

// What a request stage decided: hand over to the next stage, the response is under way, or the stage will call
// Exchange::resume() later (after a Redis reply, say).
enum class StageResult { Continue, Answered, Paused };
using Stage = std::function<StageResult(Exchange &)>;

// One request and its response on a connection. Lives on the worker thread, as a child of its connection, and is
// deleted once its response is complete or the client has gone. Objects that serve the request (an upstream call,
// say) should be its children so they die with it; anything that outlives a callback holds a QPointer<Exchange>.
//
// Responses are written in request order: while an earlier pipelined request is still being answered, this
// exchange's output is held in memory (counted against the same write watermark as the socket), so handlers never
// need to know whether they are at the head of the pipeline.
class Exchange : public QObject
{
    Q_OBJECT
public:
    enum class State { Running, Streaming, Finished };

    const Request &request() const { return m_request; }
    quint64 id() const { return m_id; }
    int workerIndex() const { return m_workerIndex; }
    const Route *route() const { return m_route; }
    State state() const { return m_state; }
    bool isFinished() const { return m_state == State::Finished; }
    bool isClientGone() const { return m_clientGone; }
    int status() const { return m_status; }
    qint64 bytesSent() const { return m_bodyBytes; }
    // Monotonic nanoseconds (QElapsedTimer clock) when the first byte of the request arrived.
    qint64 startedNs() const { return m_startedNs; }
    qint64 finishedNs() const { return m_finishedNs; }

    // A whole response with Content-Length. Ignored once a response has started or the client has gone.
    void respond(int status, QByteArrayView contentType, QByteArrayView body, const HeaderList &headers = {});
    void respondJson(int status, QByteArrayView json, const HeaderList &headers = {});
    // Anthropic's error shape, type derived from the status unless given.
    void respondError(int status, QByteArrayView message, QByteArrayView errorType = {},
                      const HeaderList &headers = {});

    // A streamed response: chunked on HTTP/1.1, close-delimited on HTTP/1.0. A first chunk that is already at hand
    // leaves in the same write as the head (one segment for the client instead of two).
    void beginStream(int status, const HeaderList &headers, QByteArrayView firstChunk = {});
    void writeChunk(QByteArrayView data);
    void endStream();

    // Backpressure: false while this response has more than the high watermark queued; writable() fires once it
    // has drained below the low watermark.
    bool isWritable() const;

    // Continue the stage chain after a stage returned Paused.
    void resume();

    // What earlier stages found out (the authenticated key, say), for the later ones. The object becomes a child
    // of the exchange; setting another one deletes the previous one.
    void setContext(QObject *context);
    template <typename T>
    T *context() const
    {
        return qobject_cast<T *>(m_context.data());
    }

Q_SIGNALS:
    void writable();
    // The client closed or reset the connection before the response finished.
    void clientGone();
    void finished();

private:
    friend class Connection;
    Exchange(Connection *connection, Request &&request, quint64 id, int workerIndex, qint64 startedNs);

    void runStages();
    void send(QByteArrayView bytes);
    void finish();
    QByteArray statusAndHeaders(int status, const HeaderList &headers) const;
    void appendChunk(QByteArray &out, QByteArrayView data) const;

    Connection *m_connection;
    Request m_request;
    quint64 m_id;
    int m_workerIndex;
    const Route *m_route = nullptr;
    qsizetype m_nextStage = 0;
    State m_state = State::Running;
    bool m_clientGone = false;
    bool m_chunked = false;
    bool m_closeAfter = false;
    bool m_isHead = false; // at the front of the connection's queue: writes go straight to the socket
    bool m_answered = false;
    mutable bool m_writeBlocked = false;
    int m_status = 0;
    qint64 m_bodyBytes = 0;
    qint64 m_startedNs = 0;
    qint64 m_finishedNs = 0;
    QByteArray m_held; // output held back while an earlier exchange is still answering
    QPointer<QObject> m_context;
};

} // namespace Relay::Http
