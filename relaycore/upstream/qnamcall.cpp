// SPDX-License-Identifier: GPL-3.0-or-later
#include "upstream/qnamcall.h"

#include "http/writebatch.h"

#include <QNetworkReply>

namespace Relay::Upstream {

namespace {

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

QnamCall::QnamCall(QNetworkReply *reply, const Timeouts &timeouts, qint64 readBufferSize, QObject *parent)
    : UpstreamCall(timeouts, readBufferSize, parent)
    , m_reply(reply)
{
    connect(reply, &QNetworkReply::metaDataChanged, this, [this] { startResponse(); });
    connect(reply, &QNetworkReply::readyRead, this, &QnamCall::onReadyRead);
    connect(reply, &QNetworkReply::requestSent, this, &QnamCall::requestSent);
    connect(reply, &QNetworkReply::finished, this, &QnamCall::onReplyFinished);
}

QnamCall::~QnamCall()
{
    endAsAborted();
    releaseTransport();
}

qint64 QnamCall::bufferedBytes() const
{
    return m_reply ? m_reply->bytesAvailable() : 0;
}

QByteArray QnamCall::takeBytes(qint64 maxBytes)
{
    return m_reply ? m_reply->read(maxBytes) : QByteArray();
}

bool QnamCall::startResponse()
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
    const QList<QNetworkReply::RawHeaderPair> &raw = m_reply->rawHeaderPairs();
    HeaderList headers;
    headers.reserve(raw.size());
    for (const auto &[name, value] : raw) {
        headers.append({name.toLower(), value});
    }
    applyReadBufferSize();
    return beginResponse(status.toInt(), std::move(headers),
                         m_reply->attribute(QNetworkRequest::Http2WasUsedAttribute).toBool());
}

void QnamCall::applyReadBufferSize()
{
    // Qt 6.4 drops a read buffer size set before its HTTP thread has created the response (so not right after
    // post()); from the headers on it sticks. Set again on the first readyRead in case the headers came with it.
    m_reply->setReadBufferSize(m_readBufferSize);
}

void QnamCall::onReadyRead()
{
    const Http::WriteBatch batch; // what this read makes the caller write leaves in one write
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
    bodyArrived();
}

void QnamCall::onReplyFinished()
{
    const Http::WriteBatch batch;
    if (!startResponse()) {
        return;
    }
    const QNetworkReply::NetworkError error = m_reply->error();
    if (!m_outcome.responseStarted) {
        m_reply->readAll(); // no response for the caller, so no body either
    }
    if (error == QNetworkReply::NoError || (isHttpStatusError(error) && m_outcome.status >= 400)) {
        transportEnded(Outcome::Kind::Ok, {});
    } else if (!m_outcome.responseStarted && isConnectFailure(error)) {
        transportEnded(Outcome::Kind::ConnectFailed, m_reply->errorString());
    } else {
        transportEnded(Outcome::Kind::Reset, m_reply->errorString());
    }
}

void QnamCall::releaseTransport()
{
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
