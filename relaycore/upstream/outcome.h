// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>
#include <QtGlobal>

namespace Relay::Upstream {

// How an upstream call ended at the transport level. An HTTP error status is still Ok here: the exchange
// completed and classifyResponse() judges the status. A stream is complete only if its events say so
// (SseUsageParser::isComplete()): Qt 6.4 may report an HTTP/1.1 reset inside a chunked body as Ok.
struct Outcome
{
    enum class Kind {
        Ok,
        ConnectFailed, // no connection (refused, DNS, TLS handshake, proxy)
        Timeout,       // see phase
        Reset,         // the connection or stream broke (before or after the headers)
        Aborted,       // abort() or deletion; never delivered through finished()
    };
    enum class Phase { None, Connect, FirstByte, Idle };

    Kind kind = Kind::Ok;
    Phase timeoutPhase = Phase::None; // for Timeout
    QString message;                  // Qt's error text or ours; never contains secrets
    int status = 0;                   // HTTP status, 0 if no response started
    bool responseStarted = false;     // headers arrived (responseStarted() was emitted)
    bool http2 = false;
    qint64 bytesReceived = 0;      // body bytes that arrived from the upstream
    qint64 timeToFirstByteNs = -1; // start to response headers, -1 if none

    bool isOk() const { return kind == Kind::Ok; }
};

// Monotonic nanoseconds (std::chrono::steady_clock, the clock of Relay::Http::monotonicNs()); 0 = not yet.
struct CallTiming
{
    qint64 startNs = 0;
    qint64 headersNs = 0;
    qint64 firstBodyByteNs = 0;
    qint64 endNs = 0;
};

QByteArrayView outcomeKindName(Outcome::Kind kind);
QByteArrayView timeoutPhaseName(Outcome::Phase phase);

} // namespace Relay::Upstream
