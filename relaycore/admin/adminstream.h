// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <functional>
#include <memory>

namespace Relay::Admin {

// A server-sent-events response held by the control thread (live metrics, log tail). Thread-safe: the bytes are
// handed to the worker that owns the connection. When the client goes, isOpen() turns false and the onClosed
// callback runs on the control thread; the handler then stops producing. Events are dropped, not queued without
// bound, while the client reads slower than the stream produces (droppedEvents() counts them).
class AdminStream
{
public:
    virtual ~AdminStream() = default;
    // Sends "event: <event>\ndata: <data>\n\n" (data must be one line, e.g. compact JSON). Empty event = no
    // event line.
    virtual void send(QByteArrayView event, QByteArrayView data) = 0;
    // A comment line (": …"), for keep-alive.
    virtual void comment(QByteArrayView text) = 0;
    // Ends the response.
    virtual void close() = 0;
    virtual bool isOpen() const = 0;
    virtual quint64 droppedEvents() const = 0;
    // Runs once on the control thread when the client disconnects or close() was called.
    virtual void setOnClosed(std::function<void()> onClosed) = 0;
};

using AdminStreamPtr = std::shared_ptr<AdminStream>;

} // namespace Relay::Admin
