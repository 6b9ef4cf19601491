// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/replychannel.h"

#include "http/exchange.h"

namespace Relay::Admin {

ReplyChannel::ReplyChannel(AdminCall *call, std::shared_ptr<Mailbox> control)
    : m_call(call)
    , m_toWorker(call)
    , m_toControl(std::move(control))
{}

void ReplyChannel::respond(const AdminResult &result)
{
    auto headers = result.headers;
    headers.append({QByteArrayLiteral("cache-control"), QByteArrayLiteral("no-store")});
    const int status = result.ok() ? result.status : result.error.status;
    QByteArray body = status == 204 ? QByteArray() : result.toJson();
    m_toWorker.post([call = m_call, status, body = std::move(body), headers = std::move(headers)] {
        call->respond(status, body, headers);
    });
}

void ReplyChannel::beginStream()
{
    m_toWorker.post([call = m_call] { call->beginStream(); });
}

void ReplyChannel::write(QByteArray bytes)
{
    m_toWorker.post([call = m_call, bytes = std::move(bytes)] { call->write(bytes); });
}

void ReplyChannel::end()
{
    m_toWorker.post([call = m_call] { call->end(); });
}

void ReplyChannel::setOnClosed(std::function<void()> onClosed)
{
    if (m_closed) {
        if (onClosed)
            onClosed();
        return;
    }
    m_onClosed = std::move(onClosed);
}

void ReplyChannel::detach()
{
    m_toWorker.detach();
    m_toControl->post([self = shared_from_this()] { self->fireClosed(); });
}

void ReplyChannel::fireClosed()
{
    if (m_closed)
        return;
    m_closed = true;
    if (auto onClosed = std::exchange(m_onClosed, {}))
        onClosed();
}

AdminCall::AdminCall(Http::Exchange *exchange, std::shared_ptr<Mailbox> control)
    : QObject(exchange)
    , m_exchange(exchange)
    , m_channel(std::make_shared<ReplyChannel>(this, std::move(control)))
{}

AdminCall::~AdminCall()
{
    m_channel->detach();
}

void AdminCall::respond(int status, const QByteArray &body, const QList<QPair<QByteArray, QByteArray>> &headers)
{
    if (status == 204)
        m_exchange->respond(status, {}, {}, headers);
    else
        m_exchange->respondJson(status, body, headers);
}

void AdminCall::beginStream()
{
    m_exchange->beginStream(200, {{QByteArrayLiteral("content-type"), QByteArrayLiteral("text/event-stream")},
                                  {QByteArrayLiteral("cache-control"), QByteArrayLiteral("no-store")},
                                  {QByteArrayLiteral("x-accel-buffering"), QByteArrayLiteral("no")}});
}

void AdminCall::write(const QByteArray &bytes)
{
    // A reader slower than the stream loses events instead of growing memory without bound.
    if (!m_exchange->isWritable()) {
        m_channel->countDropped();
        return;
    }
    m_exchange->writeChunk(bytes);
}

void AdminCall::end()
{
    m_exchange->endStream();
}

void ChannelStream::send(QByteArrayView event, QByteArrayView data)
{
    QByteArray out;
    out.reserve(event.size() + data.size() + 16);
    if (!event.isEmpty()) {
        out += "event: ";
        out += event;
        out += '\n';
    }
    out += "data: ";
    out += data;
    out += "\n\n";
    m_channel->write(std::move(out));
}

void ChannelStream::comment(QByteArrayView text)
{
    QByteArray out = ": " + text.toByteArray() + "\n\n";
    m_channel->write(std::move(out));
}

} // namespace Relay::Admin
