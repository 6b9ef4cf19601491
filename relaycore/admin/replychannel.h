// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "admin/adminresult.h"
#include "admin/adminstream.h"
#include "admin/mailbox.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>

#include <atomic>
#include <functional>
#include <memory>

namespace Relay::Http {
class Exchange;
}

namespace Relay::Admin {

class AdminCall;

// The way back from the control thread (where admin requests are handled) to the worker thread that owns the
// client's connection. The control side answers or streams through it; the worker side (AdminCall, a child of
// the exchange) detaches when the exchange ends, after which everything sent is dropped and onClosed runs on the
// control thread.
class ReplyChannel : public std::enable_shared_from_this<ReplyChannel>
{
public:
    ReplyChannel(AdminCall *call, std::shared_ptr<Mailbox> control);

    // Control thread.
    void respond(const AdminResult &result);
    void beginStream();
    void write(QByteArray bytes);
    void end();
    bool isOpen() const { return m_toWorker.isAttached(); }
    quint64 dropped() const { return m_dropped.load(std::memory_order_relaxed); }
    void setOnClosed(std::function<void()> onClosed);

    // Worker thread.
    void detach();
    void countDropped() { m_dropped.fetch_add(1, std::memory_order_relaxed); }

private:
    void fireClosed();

    AdminCall *const m_call; // dereferenced only inside calls posted to it (they are dropped once it is gone)
    Mailbox m_toWorker;
    std::shared_ptr<Mailbox> m_toControl;
    std::function<void()> m_onClosed; // control thread only
    bool m_closed = false;            // control thread only
    std::atomic<quint64> m_dropped{0};
};

// The worker-thread end: a child of the exchange, so it dies with it.
class AdminCall : public QObject
{
    Q_OBJECT
public:
    AdminCall(Http::Exchange *exchange, std::shared_ptr<Mailbox> control);
    ~AdminCall() override;

    std::shared_ptr<ReplyChannel> channel() const { return m_channel; }

    void respond(int status, const QByteArray &body, const QList<QPair<QByteArray, QByteArray>> &headers);
    void beginStream();
    void write(const QByteArray &bytes);
    void end();

private:
    Http::Exchange *m_exchange;
    std::shared_ptr<ReplyChannel> m_channel;
};

// AdminStream over a ReplyChannel (SSE framing).
class ChannelStream final : public AdminStream
{
public:
    explicit ChannelStream(std::shared_ptr<ReplyChannel> channel)
        : m_channel(std::move(channel))
    {}
    void send(QByteArrayView event, QByteArrayView data) override;
    void comment(QByteArrayView text) override;
    void close() override { m_channel->end(); }
    bool isOpen() const override { return m_channel->isOpen(); }
    quint64 droppedEvents() const override { return m_channel->dropped(); }
    void setOnClosed(std::function<void()> onClosed) override { m_channel->setOnClosed(std::move(onClosed)); }

private:
    std::shared_ptr<ReplyChannel> m_channel;
};

} // namespace Relay::Admin
