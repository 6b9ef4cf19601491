// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "upstream/outcome.h"
#include "upstream/upstreamrequest.h"

#include <QObject>
#include <QPointer>
#include <QTimer>

class QNetworkReply;

namespace Relay::Upstream {

// One request to the upstream, created by UpstreamClient::start(). Lives in the client's thread.
//
// Signals, in this order: responseStarted() once when the status and headers arrive; readyRead() when body bytes
// are waiting; finished() once, after the transport has ended AND every body byte has been read (a caller that
// holds data back delays it). Pull the body with read() only while the downstream can take it: after the first
// readyRead the reply buffers at most readBufferSize (64 KiB) and Qt stops reading the upstream socket until
// read() makes room, so a slow client slows the upstream instead of filling memory.
//
// Timeouts run from start: connect (until the request went out), first byte (until the headers), idle (no new
// body bytes while the caller has read everything; time the caller spends holding data back does not count).
// A timeout or error ends the call with finished(); abort() or deleting the call ends it silently. Any slot may
// delete the call (directly or with deleteLater()), including from inside its signals.
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

    // The client went away: stop the upstream request now (HTTP/2 stream reset or connection close). No signal
    // follows. outcome() then says Aborted.
    void abort();

Q_SIGNALS:
    void responseStarted(int status, const Relay::Upstream::HeaderList &headers);
    void readyRead();
    void finished(const Relay::Upstream::Outcome &outcome);

private:
    friend class UpstreamClient;
    enum class State { Running, Draining, Done };

    UpstreamCall(QNetworkReply *reply, const Timeouts &timeouts, qint64 readBufferSize, QObject *parent);

    bool startResponse();
    void onReadyRead();
    void onRequestSent();
    void applyReadBufferSize();
    void onReplyFinished();
    void onTimer();
    void armTimer(Outcome::Phase phase, int ms);
    void fail(Outcome::Kind kind, Outcome::Phase phase, const QString &message);
    void finishNow();
    void releaseReply();

    QPointer<QNetworkReply> m_reply;
    Timeouts m_timeouts;
    qint64 m_readBufferSize;
    State m_state = State::Running;
    Outcome::Phase m_phase = Outcome::Phase::Connect;
    QTimer m_timer;
    bool m_sawReadyRead = false;
    bool m_finishQueued = false;
    qint64 m_lastProgressNs = 0;
    qint64 m_bytesRead = 0;
    HeaderList m_headers;
    Outcome m_outcome;
    CallTiming m_timing;
};

} // namespace Relay::Upstream
