// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "upstream/upstreamcall.h"

#include <QPointer>

class QNetworkReply;

namespace Relay::Upstream {

// An UpstreamCall on a QNetworkReply (https://, h2c, proxied requests, and HTTP/1.1 in Http1 mode).
class QnamCall final : public UpstreamCall
{
    Q_OBJECT
public:
    QnamCall(QNetworkReply *reply, const Timeouts &timeouts, qint64 readBufferSize, QObject *parent);
    ~QnamCall() override;

protected:
    qint64 bufferedBytes() const override;
    QByteArray takeBytes(qint64 maxBytes) override;
    void releaseTransport() override;

private:
    bool startResponse();
    void onReadyRead();
    void onReplyFinished();
    void applyReadBufferSize();

    QPointer<QNetworkReply> m_reply;
    bool m_sawReadyRead = false;
};

} // namespace Relay::Upstream
