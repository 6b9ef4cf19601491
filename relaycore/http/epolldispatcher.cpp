// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/epolldispatcher.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QThread>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <limits>

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace Relay::Http {

namespace {

qint64 nowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// Never one of the events asked for, so a descriptor marked with it always differs from what is wanted.
constexpr quint32 UnsureOfKernel = EPOLLEXCLUSIVE;

quint32 eventsOf(const QSocketNotifier *const notifiers[])
{
    quint32 events = 0;
    if (notifiers[QSocketNotifier::Read])
        events |= EPOLLIN;
    if (notifiers[QSocketNotifier::Write])
        events |= EPOLLOUT;
    if (notifiers[QSocketNotifier::Exception])
        events |= EPOLLPRI;
    return events;
}

// Which notifier types an epoll result wakes, as Qt's poll() dispatcher maps revents.
bool wakes(int type, quint32 events)
{
    switch (type) {
    case QSocketNotifier::Read:
        return events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP);
    case QSocketNotifier::Write:
        return events & (EPOLLOUT | EPOLLERR);
    default:
        return events & EPOLLPRI;
    }
}

} // namespace

EpollDispatcher::EpollDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , m_epoll(epoll_create1(EPOLL_CLOEXEC))
    , m_wake(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK))
{
    if (m_epoll >= 0 && m_wake >= 0) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.fd = m_wake;
        if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wake, &ev) != 0) {
            close(m_wake);
            m_wake = -1;
        }
    }
}

EpollDispatcher::~EpollDispatcher()
{
    if (m_wake >= 0)
        close(m_wake);
    if (m_epoll >= 0)
        close(m_epoll);
}

void EpollDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    const int type = int(notifier->type());
    if (fd < 0 || type < 0 || type >= TypeCount)
        return;
    Watched &w = m_watched[fd];
    if (w.notifiers[type] && w.notifiers[type] != notifier) {
        // Qt warns about this too. Most likely the old socket was closed with its notifier still on, which took
        // the descriptor out of the set: make the next pass tell the kernel again rather than trust its view.
        qWarning("EpollDispatcher: a second socket notifier of the same type for descriptor %d", fd);
        w.inKernel |= UnsureOfKernel;
    }
    w.notifiers[type] = notifier;
    w.serials[type] = ++m_nextSerial;
    if (!w.dirty) {
        w.dirty = true;
        m_dirty.push_back(fd);
    }
}

void EpollDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    const int type = int(notifier->type());
    auto it = m_watched.find(fd);
    if (it == m_watched.end() || type < 0 || type >= TypeCount || it->notifiers[type] != notifier)
        return;
    it->notifiers[type] = nullptr;
    it->serials[type] = 0; // whatever this pass found ready for it is no longer delivered
    if (eventsOf(it->notifiers) == 0 && it->inKernel != 0) {
        // The last notifier of a descriptor goes when its socket closes. Out of the set now, before the number
        // can be reused: were it left for the next pass, a new socket with that number and the same events would
        // look unchanged there and never be added. (Closing removed it already if the close came first.)
        epoll_event ev{};
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, &ev);
        ++m_interestChanges;
        it->inKernel = 0;
    }
    if (!it->dirty) {
        it->dirty = true;
        m_dirty.push_back(fd);
    }
}

void EpollDispatcher::applyInterest()
{
    for (const int fd : m_dirty) {
        auto it = m_watched.find(fd);
        if (it == m_watched.end())
            continue;
        it->dirty = false;
        const quint32 wanted = eventsOf(it->notifiers);
        if (wanted == it->inKernel) {
            if (wanted == 0)
                m_watched.erase(it);
            continue;
        }
        epoll_event ev{};
        ev.events = wanted;
        ev.data.fd = fd;
        ++m_interestChanges;
        if (wanted == 0) {
            // The descriptor may already be closed (which took it out of the set): nothing to undo then.
            epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, &ev);
            m_watched.erase(it);
            continue;
        }
        // The set's view can be stale when a descriptor was closed and its number reused in between: a
        // modification then finds nothing (add instead), an addition finds a leftover (modify instead).
        int op = it->inKernel ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
        int rc = epoll_ctl(m_epoll, op, fd, &ev);
        if (rc != 0 && (errno == ENOENT || errno == EEXIST)) {
            op = op == EPOLL_CTL_MOD ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
            rc = epoll_ctl(m_epoll, op, fd, &ev);
        }
        if (rc != 0) {
            qWarning("EpollDispatcher: cannot watch descriptor %d (%s)", fd, strerror(errno));
            it->inKernel = 0;
            continue;
        }
        it->inKernel = wanted;
    }
    m_dirty.clear();
}

bool EpollDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted.store(false, std::memory_order_relaxed);
    Q_EMIT awake();
    QCoreApplication::sendPostedEvents();

    const bool includeTimers = !(flags & QEventLoop::X11ExcludeTimers);
    const bool includeNotifiers = !(flags & QEventLoop::ExcludeSocketNotifiers);
    const bool canWait = (flags & QEventLoop::WaitForMoreEvents) && !m_interrupted.load(std::memory_order_relaxed);
    if (canWait)
        Q_EMIT aboutToBlock();
    if (m_interrupted.load(std::memory_order_relaxed))
        return false;

    const qint64 timeoutMs = includeTimers ? waitTimeoutMs(canWait) : (canWait ? -1 : 0);
    const int timeout = int(std::min<qint64>(timeoutMs, std::numeric_limits<int>::max()));
    int handled = 0;
    if (includeNotifiers) {
        applyInterest();
        epoll_event events[MaxEvents];
        const int n = epoll_wait(m_epoll, events, MaxEvents, timeout);
        if (n > 0) {
            // On the stack: a handler may run a nested event loop, whose passes have their own.
            Ready ready[MaxEvents * TypeCount];
            int count = 0;
            for (int i = 0; i < n; ++i) {
                const int fd = events[i].data.fd;
                if (fd == m_wake) {
                    drainWake();
                    ++handled;
                    continue;
                }
                const auto it = m_watched.constFind(fd);
                if (it == m_watched.cend())
                    continue;
                for (int type = 0; type < TypeCount; ++type) {
                    if (it->notifiers[type] && wakes(type, events[i].events))
                        ready[count++] = {fd, type, it->notifiers[type], it->serials[type]};
                }
            }
            handled += deliverSockets(ready, count);
        } else if (n < 0 && errno != EINTR) {
            qWarning("EpollDispatcher: epoll_wait failed (%s)", strerror(errno));
        }
    } else {
        waitForWakeOnly(timeout);
    }
    if (includeTimers)
        handled += activateTimers();
    return handled > 0;
}

int EpollDispatcher::deliverSockets(const Ready *ready, int count)
{
    int delivered = 0;
    for (int i = 0; i < count; ++i) {
        const Ready &r = ready[i];
        // Still the registration this pass found ready? A notifier disabled, deleted or replaced since is skipped.
        const auto it = m_watched.constFind(r.fd);
        if (it == m_watched.cend() || it->notifiers[r.type] != r.notifier || it->serials[r.type] != r.serial)
            continue;
        QEvent event(QEvent::SockAct);
        QCoreApplication::sendEvent(r.notifier, &event);
        ++delivered;
    }
    return delivered;
}

void EpollDispatcher::waitForWakeOnly(int timeout)
{
    pollfd p{m_wake, POLLIN, 0};
    if (poll(&p, 1, timeout) > 0)
        drainWake();
}

void EpollDispatcher::drainWake()
{
    eventfd_t value;
    eventfd_read(m_wake, &value);
    // After the read: a wakeUp() from now on writes again, and whatever it announces is sent by the next pass,
    // which sends posted events before it waits.
    m_wakePending.store(false, std::memory_order_release);
}

void EpollDispatcher::wakeUp()
{
    if (!m_wakePending.exchange(true, std::memory_order_acq_rel))
        eventfd_write(m_wake, 1);
}

void EpollDispatcher::interrupt()
{
    m_interrupted.store(true, std::memory_order_relaxed);
    wakeUp();
}

qint64 EpollDispatcher::waitTimeoutMs(bool canWait) const
{
    if (!canWait)
        return 0;
    if (m_deadlines.empty())
        return -1;
    const qint64 left = m_deadlines.begin()->first.first - nowNs();
    return left <= 0 ? 0 : (left + 999'999) / 1'000'000; // rounded up: never wake before the deadline
}

void EpollDispatcher::scheduleTimer(int id, Timer &timer, qint64 deadlineNs)
{
    timer.deadlineNs = deadlineNs;
    m_deadlines.emplace(std::make_pair(deadlineNs, id), id);
}

void EpollDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object)
{
    if (timerId < 1 || interval < 0 || !object)
        return;
    unregisterTimer(timerId); // never twice
    Timer &timer = m_timers[timerId];
    timer = Timer{interval, timerType, object, 0, false};
    m_timersByObject.insert(object, timerId);
    scheduleTimer(timerId, timer, nowNs() + interval * 1'000'000);
}

void EpollDispatcher::removeTimer(QHash<int, Timer>::iterator it)
{
    m_deadlines.erase(std::make_pair(it->deadlineNs, it.key()));
    m_timersByObject.remove(it->object, it.key());
    m_timers.erase(it);
}

bool EpollDispatcher::unregisterTimer(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return false;
    removeTimer(it);
    return true;
}

bool EpollDispatcher::unregisterTimers(QObject *object)
{
    const QList<int> ids = m_timersByObject.values(object);
    for (const int id : ids) {
        const auto it = m_timers.find(id);
        if (it != m_timers.end())
            removeTimer(it);
    }
    return !ids.isEmpty();
}

QList<QAbstractEventDispatcher::TimerInfo> EpollDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> result;
    for (auto it = m_timersByObject.constFind(object); it != m_timersByObject.cend() && it.key() == object; ++it) {
        const Timer &timer = m_timers.value(it.value());
        result.append(TimerInfo(it.value(), int(timer.intervalMs), timer.type));
    }
    return result;
}

int EpollDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.constFind(timerId);
    if (it == m_timers.cend())
        return -1;
    const qint64 left = it->deadlineNs - nowNs();
    return left <= 0 ? 0 : int((left + 999'999) / 1'000'000);
}

int EpollDispatcher::activateTimers()
{
    if (m_deadlines.empty())
        return 0;
    const qint64 now = nowNs();
    // The timers due when the pass began, soonest first; each fires at most once in it.
    std::vector<int> due;
    for (auto it = m_deadlines.begin(); it != m_deadlines.end() && it->first.first <= now; ++it)
        due.push_back(it->second);
    int fired = 0;
    for (const int id : due) {
        auto it = m_timers.find(id);
        if (it == m_timers.end() || it->firing || it->deadlineNs > now)
            continue; // stopped, restarted or still running further up the stack (a nested event loop)
        m_deadlines.erase(std::make_pair(it->deadlineNs, id));
        // Next deadline one interval on; a timer that fell behind skips what it missed.
        qint64 next = it->deadlineNs + it->intervalMs * 1'000'000;
        if (next <= now)
            next = now + it->intervalMs * 1'000'000;
        scheduleTimer(id, *it, next);
        it->firing = true;
        QObject *object = it->object;
        QTimerEvent event(id);
        QCoreApplication::sendEvent(object, &event);
        ++fired;
        // The handler may have stopped it, or deleted its object (which unregisters its timers).
        it = m_timers.find(id);
        if (it != m_timers.end())
            it->firing = false;
    }
    return fired;
}

} // namespace Relay::Http
