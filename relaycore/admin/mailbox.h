// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QMetaObject>
#include <QMutex>
#include <QObject>

#include <functional>

namespace Relay::Admin {

// Runs functions on a QObject's thread from any other thread, safely even while that object is being destroyed:
// the owner calls detach() in its destructor (on its own thread), after which post() does nothing. A call already
// queued when the object dies is dropped by Qt with the object's posted events.
class Mailbox
{
public:
    explicit Mailbox(QObject *target)
        : m_target(target)
    {}
    Q_DISABLE_COPY_MOVE(Mailbox)

    // False when the target is gone.
    bool post(std::function<void()> f)
    {
        QMutexLocker lock(&m_mutex);
        if (!m_target)
            return false;
        QMetaObject::invokeMethod(m_target, std::move(f), Qt::QueuedConnection);
        return true;
    }
    void detach()
    {
        QMutexLocker lock(&m_mutex);
        m_target = nullptr;
    }
    bool isAttached() const
    {
        QMutexLocker lock(&m_mutex);
        return m_target != nullptr;
    }

private:
    mutable QMutex m_mutex;
    QObject *m_target;
};

} // namespace Relay::Admin
