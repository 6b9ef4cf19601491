// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "upstream/outcome.h"
#include "upstream/upstreamrequest.h"

#include <QObject>
#include <QTimer>

namespace Relay::Upstream {

// One request to the upstream, created by UpstreamClient::start(). Lives in the client's thread.
//
// Signals, in this order: responseStarted() once when the status and headers arrive; readyRead() when body bytes
// are waiting; finished() once, after the transport has ended AND every body byte has been read (a caller that
// holds data back delays it). Pull the body with read() only while the downstream can take it: after the first
// readyRead the call buffers at most readBufferSize (64 KiB) and the upstream socket is not read further until
// read() makes room, so a slow client slows the upstream instead of filling memory.
//
// Timeouts run from start: connect (until the request went out), first byte (until the headers), idle (no new
// body bytes while the caller has read everything; time the caller spends holding data back does not count).
// A timeout or error ends the call with finished(); abort() or deleting the call ends it silently. Any slot may
// delete the call (directly or with deleteLater()), including from inside its signals.
//
// This class holds the contract (state, timeouts, signals); a transport (QnamCall on QNetworkAccessManager,
// NativeCall on the worker thread's own sockets) feeds it through the protected helpers.
class UpstreamCall : public QObject
{
    Q_OBJECT
public:
    ~UpstreamCall() override;

    bool isResponseStarted() const { return m_outcome.responseStarted; }
    int status() const { return m_outcome.status; }
    const HeaderList &responseHeaders() const { return m_headers; }
    QByteArray responseHeader(QByteArrayView lowerName) const;
    bool usedHttp2() const { return m_outcome.http2; }

    // Body bytes that arrived and have not been read: what this call holds in memory.
    qint64 bytesAvailable() const;
    QByteArray read(qint64 maxBytes);
    QByteArray readAll();

    // finished() was emitted, or the call was aborted.
    bool isFinished() const { return m_state == State::Done; }
    const Outcome &outcome() const { return m_outcome; }
    const CallTiming &timing() const { return m_timing; }

    // Starts a call made by UpstreamClient::prepare(). Its signals (even finished(), for a connection refused at
    // once) may come from inside this call, so connect to them first. Calling it again does nothing.
    virtual void begin() {}

    // The client went away: stop the upstream request now (HTTP/2 stream reset or connection close). No signal
    // follows. outcome() then says Aborted.
    void abort();

Q_SIGNALS:
    void responseStarted(int status, const Relay::Upstream::HeaderList &headers);
    void readyRead();
    void finished(const Relay::Upstream::Outcome &outcome);

protected:
    enum class State { Running, Draining, Done };

    UpstreamCall(const Timeouts &timeouts, qint64 readBufferSize, QObject *parent);

    // The transport's side. bufferedBytes/takeBytes: the body bytes it holds for the caller. bodyTaken: the caller
    // made room (never called from inside a signal of ours, but maybe from inside the caller's read loop).
    // releaseTransport: stop and let go of the upstream request; idempotent; no signal may follow.
    virtual qint64 bufferedBytes() const = 0;
    virtual QByteArray takeBytes(qint64 maxBytes) = 0;
    virtual void bodyTaken() {}
    virtual void releaseTransport() = 0;

    // For the transport's destructor: ends a running call as Aborted, without a signal.
    void endAsAborted();
    // The request went out completely: the first-byte timeout starts.
    void requestSent();
    // The headers arrived: emits responseStarted. False if the slot deleted or aborted the call.
    bool beginResponse(int status, HeaderList headers, bool http2);
    // New body bytes wait: emits readyRead. False if the slot deleted or aborted the call.
    bool bodyArrived();
    // The transport ended (kind Ok for a complete exchange): finished() now or once the caller read the rest.
    void transportEnded(Outcome::Kind kind, const QString &message);
    void fail(Outcome::Kind kind, Outcome::Phase phase, const QString &message);
    static qint64 nowNs();

    qint64 m_readBufferSize;
    State m_state = State::Running;
    Outcome m_outcome;
    CallTiming m_timing;

private:
    void onTimer();
    void armTimer(Outcome::Phase phase, int ms);
    void finishNow();

    Timeouts m_timeouts;
    Outcome::Phase m_phase = Outcome::Phase::Connect;
    QTimer m_timer;
    bool m_finishQueued = false;
    qint64 m_lastProgressNs = 0;
    qint64 m_bytesRead = 0;
    HeaderList m_headers;
};

} // namespace Relay::Upstream
