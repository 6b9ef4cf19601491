// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "admin/adminstream.h"

#include <QByteArray>
#include <QList>

#include <functional>

// An AdminStream that records what a route handler sends, for testing event-stream routes without HTTP. Closing it
// runs the handler's close callback once; events sent after that are counted, not recorded.
class RecordingAdminStream : public Relay::Admin::AdminStream
{
public:
    struct Event
    {
        QByteArray event;
        QByteArray data;
    };

    void send(QByteArrayView event, QByteArrayView data) override
    {
        if (m_open)
            m_events.append({event.toByteArray(), data.toByteArray()});
        else
            ++m_sentAfterClose;
    }
    void comment(QByteArrayView text) override { m_comments.append(text.toByteArray()); }
    void close() override
    {
        if (!m_open)
            return;
        m_open = false;
        if (m_onClosed)
            m_onClosed();
    }
    bool isOpen() const override { return m_open; }
    quint64 droppedEvents() const override { return 0; }
    void setOnClosed(std::function<void()> onClosed) override { m_onClosed = std::move(onClosed); }

    const QList<Event> &events() const { return m_events; }
    const QList<QByteArray> &comments() const { return m_comments; }
    int sentAfterClose() const { return m_sentAfterClose; }

private:
    bool m_open = true;
    QList<Event> m_events;
    QList<QByteArray> m_comments;
    std::function<void()> m_onClosed;
    int m_sentAfterClose = 0;
};
