// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractEventDispatcher>
#include <QHash>
#include <QMultiHash>

#include <atomic>
#include <map>
#include <utility>
#include <vector>

class QSocketNotifier;

namespace Relay::Http {

// An event dispatcher for the relay's worker threads built on epoll, so that a pass of the event loop costs what
// is ready rather than what is open. Qt 6.4's own Unix dispatcher rebuilds and poll()s the list of every socket
// notifier on each pass: at c100 × 10 pipelined that was about 11 % of the relay's CPU (sock_poll, fdget,
// tcp_poll), and every idle keep-alive connection made each pass at one connection slower.
//
// Same contract as Qt's dispatcher, through public API only:
// - posted events are sent at the start of each pass; a post from any thread wakes a blocked pass (eventfd);
// - socket notifiers get QEvent::SockAct, read on readable, hang-up or error, write on writable or error,
//   exception on priority data; a notifier disabled or deleted during a pass gets nothing more from it, and a
//   new notifier on a reused descriptor nothing meant for the old one;
// - timers fire at most once per pass, in deadline order, never re-entered from a nested loop, and catch up by
//   skipping (a late repeating timer's next deadline is one interval after it fired);
// - interrupt() makes the current or next pass return at once.
// Interest changes are applied to the epoll set just before it is waited on, so a notifier that is enabled and
// disabled again within a pass (a socket's write notifier around a flush) costs no system call. Every timer is
// treated as precise (deadlines in milliseconds, rounded up when waiting).
class EpollDispatcher : public QAbstractEventDispatcher
{
    Q_OBJECT
public:
    explicit EpollDispatcher(QObject *parent = nullptr);
    ~EpollDispatcher() override;

    // False when the kernel refused an epoll instance or an eventfd; the thread must then keep Qt's dispatcher.
    bool isValid() const { return m_epoll >= 0 && m_wake >= 0; }

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

    // For tests: epoll_ctl calls made so far.
    quint64 interestChanges() const { return m_interestChanges; }

private:
    static constexpr int TypeCount = 3; // QSocketNotifier::Read, Write, Exception
    static constexpr int MaxEvents = 256;

    struct Watched
    {
        QSocketNotifier *notifiers[TypeCount] = {nullptr, nullptr, nullptr};
        quint64 serials[TypeCount] = {0, 0, 0}; // which registration a notifier slot holds
        quint32 inKernel = 0;                   // the events the epoll set has for this descriptor
        bool dirty = false;
    };
    struct Ready // left uninitialised in a pass's array until filled
    {
        int fd;
        int type;
        QSocketNotifier *notifier;
        quint64 serial;
    };
    struct Timer
    {
        qint64 intervalMs;
        Qt::TimerType type;
        QObject *object;
        qint64 deadlineNs;
        bool firing = false;
    };

    void applyInterest();
    int deliverSockets(const Ready *ready, int count);
    int activateTimers();
    qint64 waitTimeoutMs(bool canWait) const;
    void waitForWakeOnly(int timeoutMs);
    void drainWake();
    void scheduleTimer(int id, Timer &timer, qint64 deadlineNs);
    void removeTimer(QHash<int, Timer>::iterator it);

    int m_epoll = -1;
    int m_wake = -1;
    std::atomic<bool> m_wakePending{false};
    std::atomic<bool> m_interrupted{false};

    QHash<int, Watched> m_watched;
    std::vector<int> m_dirty;
    quint64 m_nextSerial = 0;
    quint64 m_interestChanges = 0;

    QHash<int, Timer> m_timers;
    QMultiHash<QObject *, int> m_timersByObject;
    std::map<std::pair<qint64, int>, int> m_deadlines; // (deadline, id) → id, soonest first
};

} // namespace Relay::Http
