// SPDX-License-Identifier: GPL-3.0-or-later
#include "upstream/upstreamcall.h"

#include <QNetworkReply>

#include <chrono>

namespace Relay::Upstream {

namespace {

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

constexpr int ProxyAuthenticationRequired = 407;

bool isHttpStatusError(QNetworkReply::NetworkError error)
{
    // Qt maps 4xx/5xx statuses to the content (2xx) and server (4xx) error ranges, and 400 to a protocol error.
    return error == QNetworkReply::ProtocolInvalidOperationError ||
           error == QNetworkReply::ProxyAuthenticationRequiredError ||
           (error >= QNetworkReply::ContentAccessDenied && error <= QNetworkReply::UnknownContentError) ||
           (error >= QNetworkReply::InternalServerError && error <= QNetworkReply::UnknownServerError);
}

bool isConnectFailure(QNetworkReply::NetworkError error)
{
    switch (error) {
    case QNetworkReply::ConnectionRefusedError:
    case QNetworkReply::HostNotFoundError:
    case QNetworkReply::SslHandshakeFailedError:
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
    case QNetworkReply::TimeoutError:
        return true;
    default:
        // 101-199: proxy errors.
        return error >= QNetworkReply::ProxyConnectionRefusedError && error <= QNetworkReply::UnknownProxyError;
    }
}

} // namespace

UpstreamCall::UpstreamCall(QNetworkReply *reply, const Timeouts &timeouts, qint64 readBufferSize, QObject *parent)
    : QObject(parent)
    , m_reply(reply)
    , m_timeouts(timeouts)
    , m_readBufferSize(readBufferSize)
{
    m_timing.startNs = nowNs();
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &UpstreamCall::onTimer);
    connect(reply, &QNetworkReply::metaDataChanged, this, [this] { startResponse(); });
    connect(reply, &QNetworkReply::readyRead, this, &UpstreamCall::onReadyRead);
    connect(reply, &QNetworkReply::requestSent, this, &UpstreamCall::onRequestSent);
    connect(reply, &QNetworkReply::finished, this, &UpstreamCall::onReplyFinished);
    if (m_timeouts.connectMs > 0) {
        armTimer(Outcome::Phase::Connect, m_timeouts.connectMs);
    } else {
        onRequestSent();
    }
}

UpstreamCall::~UpstreamCall()
{
    if (m_state != State::Done) {
        m_outcome.kind = Outcome::Kind::Aborted;
        m_state = State::Done;
    }
    releaseReply();
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
    return m_reply ? m_reply->bytesAvailable() : 0;
}

QByteArray UpstreamCall::read(qint64 maxBytes)
{
    if (!m_reply || m_state == State::Done) {
        return {};
    }
    QByteArray data = m_reply->read(maxBytes);
    if (!data.isEmpty()) {
        m_bytesRead += data.size();
        m_lastProgressNs = nowNs(); // the upstream may have been held back by us until now
    }
    if (m_state == State::Draining && m_reply->bytesAvailable() == 0 && !m_finishQueued) {
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
    m_outcome.bytesReceived = m_bytesRead + bytesAvailable();
    m_timing.endNs = nowNs();
    releaseReply();
}

bool UpstreamCall::startResponse()
{
    if (!m_reply) {
        return false;
    }
    if (m_outcome.responseStarted) {
        return true;
    }
    const QVariant status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute);
    if (!status.isValid() || status.toInt() == ProxyAuthenticationRequired) {
        // A 407 is the account's proxy refusing its credentials, not an upstream answer: the call ends as a
        // connect failure (see onReplyFinished) and no response is started.
        return true;
    }
    m_outcome.responseStarted = true;
    m_outcome.status = status.toInt();
    m_outcome.http2 = m_reply->attribute(QNetworkRequest::Http2WasUsedAttribute).toBool();
    m_timing.headersNs = nowNs();
    m_outcome.timeToFirstByteNs = m_timing.headersNs - m_timing.startNs;
    m_lastProgressNs = m_timing.headersNs;
    const QList<QNetworkReply::RawHeaderPair> &raw = m_reply->rawHeaderPairs();
    m_headers.reserve(raw.size());
    for (const auto &[name, value] : raw) {
        m_headers.append({name.toLower(), value});
    }
    applyReadBufferSize();
    armTimer(Outcome::Phase::Idle, m_timeouts.idleMs);
    const QPointer<UpstreamCall> self(this);
    const HeaderList headers = m_headers; // a slot may delete us while it still reads its arguments
    Q_EMIT responseStarted(m_outcome.status, headers);
    return !self.isNull() && m_state != State::Done;
}

void UpstreamCall::applyReadBufferSize()
{
    // Qt 6.4 drops a read buffer size set before its HTTP thread has created the response (so not right after
    // post()); from the headers on it sticks. Set again on the first readyRead in case the headers came with it.
    m_reply->setReadBufferSize(m_readBufferSize);
}

void UpstreamCall::onRequestSent()
{
    if (m_phase == Outcome::Phase::Connect) {
        armTimer(Outcome::Phase::FirstByte, m_timeouts.firstByteMs);
    }
}

void UpstreamCall::onReadyRead()
{
    if (!startResponse()) {
        return;
    }
    if (!m_outcome.responseStarted) {
        return; // the body of a proxy's 407, dropped in onReplyFinished
    }
    if (!m_sawReadyRead) {
        m_sawReadyRead = true;
        applyReadBufferSize();
    }
    if (m_timing.firstBodyByteNs == 0) {
        m_timing.firstBodyByteNs = nowNs();
    }
    m_lastProgressNs = nowNs();
    Q_EMIT readyRead();
}

void UpstreamCall::onReplyFinished()
{
    if (!startResponse()) {
        return;
    }
    m_timer.stop();
    const QNetworkReply::NetworkError error = m_reply->error();
    if (error == QNetworkReply::NoError || (isHttpStatusError(error) && m_outcome.status >= 400)) {
        m_outcome.kind = Outcome::Kind::Ok;
    } else if (!m_outcome.responseStarted && isConnectFailure(error)) {
        m_outcome.kind = Outcome::Kind::ConnectFailed;
        m_outcome.message = m_reply->errorString();
    } else {
        m_outcome.kind = Outcome::Kind::Reset;
        m_outcome.message = m_reply->errorString();
    }
    if (!m_outcome.responseStarted) {
        m_reply->readAll(); // no response for the caller, so no body either
    }
    if (m_reply->bytesAvailable() > 0) {
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
        if (bytesAvailable() > 0 || quietNs < idleNs) {
            // Data waits for the caller (its client is slow, not the upstream), or bytes moved since: wait on.
            const qint64 remainingMs = bytesAvailable() > 0 ? m_timeouts.idleMs : (idleNs - quietNs) / 1'000'000 + 1;
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
    m_outcome.bytesReceived = m_bytesRead + bytesAvailable();
    releaseReply();
    finishNow();
}

void UpstreamCall::finishNow()
{
    if (m_state == State::Done) {
        return;
    }
    m_state = State::Done;
    if (m_reply) {
        m_outcome.bytesReceived = m_bytesRead + m_reply->bytesAvailable();
    }
    m_timing.endNs = nowNs();
    releaseReply();
    const Outcome outcome = m_outcome; // a slot may delete us while it still reads its argument
    Q_EMIT finished(outcome);
}

void UpstreamCall::releaseReply()
{
    m_timer.stop();
    if (!m_reply) {
        return;
    }
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    disconnect(reply, nullptr, this, nullptr);
    if (!reply->isFinished()) {
        reply->abort();
    }
    // Later: we may be inside one of the reply's own signals.
    reply->deleteLater();
}

} // namespace Relay::Upstream
