// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/eventstream.h"

#include "ui/adminclient.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <algorithm>

namespace Console {

namespace {
constexpr int MaxRetryDelayMs = 10000;
constexpr qsizetype MaxLineBytes = 4 * 1024 * 1024; // a runaway line must not grow memory without bound
} // namespace

EventStream::EventStream(AdminClient *client, QUrl url, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_url(std::move(url))
{
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &EventStream::open);
}

EventStream::~EventStream()
{
    close();
}

void EventStream::open()
{
    if (!m_client || m_reply)
        return;
    m_closed = false;
    QNetworkRequest request(m_url);
    request.setRawHeader("accept", "text/event-stream");
    request.setRawHeader("authorization", m_client->authorizationHeader());
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    m_buffer.clear();
    m_event.clear();
    m_data.clear();
    m_reply = m_client->streamNetwork()->get(request);
    connect(m_reply, &QNetworkReply::readyRead, this, &EventStream::onReadyRead);
    connect(m_reply, &QNetworkReply::finished, this, &EventStream::onFinished);
}

void EventStream::close()
{
    m_closed = true;
    m_retry.stop();
    if (m_reply) {
        QNetworkReply *reply = m_reply;
        m_reply = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
    setConnected(false);
}

void EventStream::onReadyRead()
{
    const int status = m_reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status != 200)
        return; // the error body is read in onFinished
    setConnected(true);
    m_retryDelayMs = 1000;
    m_buffer += m_reply->readAll();
    qsizetype start = 0;
    for (;;) {
        const qsizetype newline = m_buffer.indexOf('\n', start);
        if (newline < 0)
            break;
        QByteArray line = m_buffer.mid(start, newline - start);
        if (line.endsWith('\r'))
            line.chop(1);
        dispatchLine(line);
        start = newline + 1;
    }
    m_buffer.remove(0, start);
    if (m_buffer.size() > MaxLineBytes)
        m_buffer.clear();
}

void EventStream::dispatchLine(const QByteArray &line)
{
    if (line.isEmpty()) {
        if (!m_data.isEmpty() || !m_event.isEmpty())
            Q_EMIT eventReceived(m_event.isEmpty() ? QStringLiteral("message") : m_event, m_data);
        m_event.clear();
        m_data.clear();
        return;
    }
    if (line.startsWith(':'))
        return; // comment / keep-alive
    const qsizetype colon = line.indexOf(':');
    const QByteArray field = colon < 0 ? line : line.left(colon);
    QByteArray value = colon < 0 ? QByteArray() : line.mid(colon + 1);
    if (value.startsWith(' '))
        value.remove(0, 1);
    if (field == "event") {
        m_event = QString::fromUtf8(value);
    } else if (field == "data") {
        if (!m_data.isEmpty())
            m_data += '\n';
        m_data += value;
    }
}

void EventStream::onFinished()
{
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    reply->deleteLater();
    setConnected(false);
    if (m_closed)
        return;
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status >= 400) {
        Q_EMIT failed(status, QString::fromUtf8(reply->readAll()));
        return;
    }
    m_retry.start(m_retryDelayMs);
    m_retryDelayMs = std::min(m_retryDelayMs * 2, MaxRetryDelayMs);
}

void EventStream::setConnected(bool connected)
{
    if (connected == m_connected)
        return;
    m_connected = connected;
    Q_EMIT connectedChanged(connected);
}

} // namespace Console
