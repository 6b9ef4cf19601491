// SPDX-License-Identifier: GPL-3.0-or-later
#include "upstream/upstreamcall.h"

#include <QPointer>

#include <chrono>

namespace Relay::Upstream {

qint64 UpstreamCall::nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

UpstreamCall::UpstreamCall(const Timeouts &timeouts, qint64 readBufferSize, QObject *parent)
    : QObject(parent)
    , m_readBufferSize(readBufferSize)
    , m_timeouts(timeouts)
{
    m_timing.startNs = nowNs();
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &UpstreamCall::onTimer);
    if (m_timeouts.connectMs > 0) {
        armTimer(Outcome::Phase::Connect, m_timeouts.connectMs);
    } else {
        requestSent();
    }
}

UpstreamCall::~UpstreamCall() = default;

void UpstreamCall::endAsAborted()
{
    if (m_state != State::Done) {
        m_outcome.kind = Outcome::Kind::Aborted;
        m_state = State::Done;
    }
    m_timer.stop();
}

QByteArray UpstreamCall::responseHeader(QByteArrayView lowerName) const
{
    for (const auto &[name, value] : m_headers) {
        if (name == lowerName) {
            return value;
        }
    }
    return {};
}

qint64 UpstreamCall::bytesAvailable() const
{
    return m_state == State::Done ? 0 : bufferedBytes();
}

QByteArray UpstreamCall::read(qint64 maxBytes)
{
    if (m_state == State::Done) {
        return {};
    }
    QByteArray data = takeBytes(maxBytes);
    if (!data.isEmpty()) {
        m_bytesRead += data.size();
        m_lastProgressNs = nowNs(); // the upstream may have been held back by us until now
        if (m_state == State::Running) {
            bodyTaken();
        }
    }
    if (m_state == State::Draining && bufferedBytes() == 0 && !m_finishQueued) {
        // Not from inside the caller's read loop: the caller may delete us in its finished() slot.
        m_finishQueued = true;
        QMetaObject::invokeMethod(
            this,
            [this] {
                if (m_state == State::Draining) {
                    finishNow();
                }
            },
            Qt::QueuedConnection);
    }
    return data;
}

QByteArray UpstreamCall::readAll()
{
    return read(bytesAvailable());
}

void UpstreamCall::abort()
{
    if (m_state == State::Done) {
        return;
    }
    m_state = State::Done;
    m_outcome.kind = Outcome::Kind::Aborted;
    m_outcome.message = QStringLiteral("aborted by the relay");
    m_outcome.bytesReceived = m_bytesRead + bufferedBytes();
    m_timing.endNs = nowNs();
    m_timer.stop();
    releaseTransport();
}

void UpstreamCall::requestSent()
{
    if (m_phase == Outcome::Phase::Connect) {
        armTimer(Outcome::Phase::FirstByte, m_timeouts.firstByteMs);
    }
}

bool UpstreamCall::beginResponse(int status, HeaderList headers, bool http2)
{
    m_outcome.responseStarted = true;
    m_outcome.status = status;
    m_outcome.http2 = http2;
    m_timing.headersNs = nowNs();
    m_outcome.timeToFirstByteNs = m_timing.headersNs - m_timing.startNs;
    m_lastProgressNs = m_timing.headersNs;
    m_headers = std::move(headers);
    armTimer(Outcome::Phase::Idle, m_timeouts.idleMs);
    const QPointer<UpstreamCall> self(this);
    const HeaderList copy = m_headers; // a slot may delete us while it still reads its arguments
    Q_EMIT responseStarted(m_outcome.status, copy);
    return !self.isNull() && m_state != State::Done;
}

bool UpstreamCall::bodyArrived()
{
    if (m_timing.firstBodyByteNs == 0) {
        m_timing.firstBodyByteNs = nowNs();
    }
    m_lastProgressNs = nowNs();
    const QPointer<UpstreamCall> self(this);
    Q_EMIT readyRead();
    return !self.isNull() && m_state != State::Done;
}

void UpstreamCall::transportEnded(Outcome::Kind kind, const QString &message)
{
    if (m_state != State::Running) {
        return;
    }
    m_timer.stop();
    m_outcome.kind = kind;
    m_outcome.message = message;
    if (bufferedBytes() > 0) {
        m_state = State::Draining; // finished() once the caller has read the rest
        return;
    }
    finishNow();
}

void UpstreamCall::onTimer()
{
    if (m_state != State::Running) {
        return;
    }
    if (m_phase == Outcome::Phase::Idle) {
        const qint64 idleNs = static_cast<qint64>(m_timeouts.idleMs) * 1'000'000;
        const qint64 quietNs = nowNs() - m_lastProgressNs;
        if (bufferedBytes() > 0 || quietNs < idleNs) {
            // Data waits for the caller (its client is slow, not the upstream), or bytes moved since: wait on.
            const qint64 remainingMs = bufferedBytes() > 0 ? m_timeouts.idleMs : (idleNs - quietNs) / 1'000'000 + 1;
            m_timer.start(static_cast<int>(remainingMs));
            return;
        }
        fail(Outcome::Kind::Timeout, Outcome::Phase::Idle,
             QStringLiteral("no data from the upstream for %1 ms").arg(m_timeouts.idleMs));
    } else if (m_phase == Outcome::Phase::Connect) {
        fail(Outcome::Kind::Timeout, Outcome::Phase::Connect,
             QStringLiteral("could not send the request within %1 ms").arg(m_timeouts.connectMs));
    } else {
        fail(Outcome::Kind::Timeout, Outcome::Phase::FirstByte,
             QStringLiteral("no response headers within %1 ms").arg(m_timeouts.firstByteMs));
    }
}

void UpstreamCall::armTimer(Outcome::Phase phase, int ms)
{
    m_phase = phase;
    if (ms > 0) {
        m_timer.start(ms);
    } else {
        m_timer.stop();
    }
}

void UpstreamCall::fail(Outcome::Kind kind, Outcome::Phase phase, const QString &message)
{
    m_outcome.kind = kind;
    m_outcome.timeoutPhase = phase;
    m_outcome.message = message;
    finishNow();
}

void UpstreamCall::finishNow()
{
    if (m_state == State::Done) {
        return;
    }
    m_outcome.bytesReceived = m_bytesRead + bufferedBytes();
    m_state = State::Done;
    m_timing.endNs = nowNs();
    m_timer.stop();
    releaseTransport();
    const Outcome outcome = m_outcome; // a slot may delete us while it still reads its argument
    Q_EMIT finished(outcome);
}

} // namespace Relay::Upstream
