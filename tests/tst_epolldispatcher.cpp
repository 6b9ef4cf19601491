// SPDX-License-Identifier: GPL-3.0-or-later
// The worker threads' epoll event dispatcher, on a real thread with real descriptors: posted events and wake-ups
// from other threads, socket notifiers (including the ones disabled, deleted or replaced during a pass), timers
// (order, intervals, single shots, stopping inside a handler, remaining time) and a TCP echo through Qt's sockets.
#include "http/epolldispatcher.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QPointer>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>

#include <sys/socket.h>
#include <unistd.h>

using Relay::Http::EpollDispatcher;

namespace {

// A thread running the epoll dispatcher, and a context object living on it.
class DispatcherThread
{
public:
    DispatcherThread()
    {
        dispatcher = new EpollDispatcher;
        thread.setEventDispatcher(dispatcher);
        thread.start();
        context.moveToThread(&thread);
    }
    ~DispatcherThread()
    {
        thread.quit();
        thread.wait();
    }
    // Runs f on the thread and waits for it.
    void run(const std::function<void()> &f) { QMetaObject::invokeMethod(&context, f, Qt::BlockingQueuedConnection); }

    QThread thread;
    QObject context;
    EpollDispatcher *dispatcher = nullptr;
};

class SocketPair
{
public:
    SocketPair() { socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds); }
    ~SocketPair()
    {
        close(fds[0]);
        close(fds[1]);
    }
    int fds[2] = {-1, -1};
};

} // namespace

class TstEpollDispatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void isInstalledAndValid();
    void postedEventsFromAnotherThreadWakeABlockedPass();
    void readNotifierFiresWhileDataWaitsAndStopsWhenDisabled();
    void writeNotifierAndReadNotifierShareADescriptor();
    void notifierDeletedByAnEarlierHandlerInThePassGetsNothing();
    void newNotifierOnAReusedDescriptorGetsNothingMeantForTheOld();
    void enablingAndDisablingWithinAPassCostsNoSystemCall();
    void timersFireInDeadlineOrderAndRepeat();
    void singleShotAndStopInsideTheHandler();
    void remainingTimeAndRegisteredTimers();
    void objectDeletedWithRunningTimersStopsThem();
    void tcpEchoThroughQtSockets();
    void quitFromAnotherThreadEndsABlockedLoop();
};

void TstEpollDispatcher::isInstalledAndValid()
{
    DispatcherThread t;
    QVERIFY(t.dispatcher->isValid());
    QAbstractEventDispatcher *seen = nullptr;
    t.run([&] { seen = QAbstractEventDispatcher::instance(); });
    QCOMPARE(seen, t.dispatcher);
}

void TstEpollDispatcher::postedEventsFromAnotherThreadWakeABlockedPass()
{
    DispatcherThread t;
    std::atomic<int> ran{0};
    QElapsedTimer clock;
    clock.start();
    for (int i = 0; i < 1000; ++i)
        QMetaObject::invokeMethod(
            &t.context, [&] { ++ran; }, Qt::QueuedConnection);
    QTRY_COMPARE_WITH_TIMEOUT(ran.load(), 1000, 5000);
    // One at a time, each waking a thread that is blocked with nothing else to do.
    for (int i = 0; i < 50; ++i) {
        QThread::msleep(2);
        QMetaObject::invokeMethod(
            &t.context, [&] { ++ran; }, Qt::QueuedConnection);
        QTRY_COMPARE_WITH_TIMEOUT(ran.load(), 1001 + i, 1000);
    }
    QVERIFY(clock.elapsed() < 5000);
}

void TstEpollDispatcher::readNotifierFiresWhileDataWaitsAndStopsWhenDisabled()
{
    DispatcherThread t;
    SocketPair pair;
    std::atomic<int> activations{0};
    QSocketNotifier *notifier = nullptr;
    t.run([&] {
        notifier = new QSocketNotifier(pair.fds[0], QSocketNotifier::Read, &t.context);
        QObject::connect(notifier, &QSocketNotifier::activated, notifier, [&, notifier] {
            ++activations;
            char byte;
            if (read(pair.fds[0], &byte, 1) == 1 && byte == 'x') // 'x': stop listening
                notifier->setEnabled(false);
        });
    });
    QCOMPARE(write(pair.fds[1], "ab", 2), 2);
    QTRY_COMPARE_WITH_TIMEOUT(activations.load(), 2, 2000); // level-triggered: once per byte read
    QCOMPARE(write(pair.fds[1], "xyz", 3), 3);
    QTRY_COMPARE_WITH_TIMEOUT(activations.load(), 3, 2000);
    QTest::qWait(100);
    QCOMPARE(activations.load(), 3); // "yz" waits, unread: the notifier is off
    t.run([&] { notifier->setEnabled(true); });
    QTRY_COMPARE_WITH_TIMEOUT(activations.load(), 5, 2000);
    t.run([&] { delete notifier; });
}

void TstEpollDispatcher::writeNotifierAndReadNotifierShareADescriptor()
{
    DispatcherThread t;
    SocketPair pair;
    std::atomic<int> reads{0};
    std::atomic<int> writes{0};
    t.run([&] {
        auto *r = new QSocketNotifier(pair.fds[0], QSocketNotifier::Read, &t.context);
        auto *w = new QSocketNotifier(pair.fds[0], QSocketNotifier::Write, &t.context);
        QObject::connect(r, &QSocketNotifier::activated, r, [&] {
            char buffer[16];
            while (read(pair.fds[0], buffer, sizeof buffer) > 0) {
            }
            ++reads;
        });
        QObject::connect(w, &QSocketNotifier::activated, w, [&, w] {
            ++writes;
            w->setEnabled(false); // writable at once; one report is enough
        });
    });
    QTRY_COMPARE_WITH_TIMEOUT(writes.load(), 1, 2000);
    QCOMPARE(reads.load(), 0);
    QCOMPARE(write(pair.fds[1], "hello", 5), 5);
    QTRY_COMPARE_WITH_TIMEOUT(reads.load(), 1, 2000);
    QCOMPARE(writes.load(), 1);
    t.run([&] { qDeleteAll(t.context.findChildren<QSocketNotifier *>()); });
}

void TstEpollDispatcher::notifierDeletedByAnEarlierHandlerInThePassGetsNothing()
{
    // Two descriptors ready in the same pass; whichever handler runs first deletes the other's notifier.
    DispatcherThread t;
    SocketPair a;
    SocketPair b;
    std::atomic<int> activations{0};
    QPointer<QSocketNotifier> na;
    QPointer<QSocketNotifier> nb;
    t.run([&] {
        na = new QSocketNotifier(a.fds[0], QSocketNotifier::Read, &t.context);
        nb = new QSocketNotifier(b.fds[0], QSocketNotifier::Read, &t.context);
        const auto handler = [&](int fd) {
            ++activations;
            char byte;
            (void)read(fd, &byte, 1);
            delete na.data();
            delete nb.data();
        };
        const int fa = a.fds[0];
        const int fb = b.fds[0];
        QObject::connect(na, &QSocketNotifier::activated, na, [handler, fa] { handler(fa); });
        QObject::connect(nb, &QSocketNotifier::activated, nb, [handler, fb] { handler(fb); });
        // Both readable before the thread's next pass looks.
        QCOMPARE(write(a.fds[1], "1", 1), 1);
        QCOMPARE(write(b.fds[1], "1", 1), 1);
    });
    QTRY_VERIFY_WITH_TIMEOUT(na.isNull() && nb.isNull(), 2000);
    QTest::qWait(50);
    QCOMPARE(activations.load(), 1);
}

void TstEpollDispatcher::newNotifierOnAReusedDescriptorGetsNothingMeantForTheOld()
{
    // In one pass: the first handler closes a ready descriptor, opens a new one that gets the same number and
    // watches it. The event found for the old descriptor must not reach the new notifier.
    DispatcherThread t;
    SocketPair trigger;
    int victim[2];
    QVERIFY(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, victim) == 0);
    std::atomic<int> newActivations{0};
    std::atomic<bool> replaced{false};
    int fresh[2] = {-1, -1};
    t.run([&] {
        auto *first = new QSocketNotifier(trigger.fds[0], QSocketNotifier::Read, &t.context);
        auto *old = new QSocketNotifier(victim[0], QSocketNotifier::Read, &t.context);
        QObject::connect(old, &QSocketNotifier::activated, old, [] {});
        QObject::connect(first, &QSocketNotifier::activated, first, [&, first, old] {
            char byte;
            (void)read(trigger.fds[0], &byte, 1);
            first->setEnabled(false);
            if (replaced)
                return;
            replaced = true;
            delete old;
            close(victim[0]);
            // The lowest free number: the one just closed.
            if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fresh) != 0 || fresh[0] != victim[0])
                return;
            auto *renewed = new QSocketNotifier(fresh[0], QSocketNotifier::Read, &t.context);
            QObject::connect(renewed, &QSocketNotifier::activated, renewed, [&] { ++newActivations; });
        });
        // In this order, so that epoll lists the trigger first.
        QCOMPARE(write(trigger.fds[1], "t", 1), 1);
        QCOMPARE(write(victim[1], "v", 1), 1);
    });
    QTRY_VERIFY_WITH_TIMEOUT(replaced.load(), 2000);
    if (fresh[0] != victim[0])
        QSKIP("the new socket did not get the closed descriptor's number");
    QTest::qWait(100);
    QCOMPARE(newActivations.load(), 0); // nothing was written to the new socket
    QCOMPARE(write(fresh[1], "n", 1), 1);
    QTRY_COMPARE_WITH_TIMEOUT(newActivations.load() > 0, true, 2000);
    t.run([&] { qDeleteAll(t.context.findChildren<QSocketNotifier *>()); });
    close(victim[1]);
    close(fresh[0]);
    close(fresh[1]);
}

void TstEpollDispatcher::enablingAndDisablingWithinAPassCostsNoSystemCall()
{
    // A connected socket's pattern: its read notifier stays on, its write notifier goes on and off around writes.
    DispatcherThread t;
    SocketPair pair;
    quint64 before = 0;
    quint64 after = 0;
    QSocketNotifier *r = nullptr;
    QSocketNotifier *w = nullptr;
    t.run([&] {
        r = new QSocketNotifier(pair.fds[0], QSocketNotifier::Read, &t.context);
        w = new QSocketNotifier(pair.fds[0], QSocketNotifier::Write, &t.context);
        w->setEnabled(false);
    });
    t.run([&] { before = t.dispatcher->interestChanges(); }); // a pass later: the read notifier is in the set
    QCOMPARE(before, 1u);
    t.run([&] {
        for (int i = 0; i < 100; ++i) {
            w->setEnabled(true);
            w->setEnabled(false);
        }
    });
    t.run([&] { after = t.dispatcher->interestChanges(); });
    QCOMPARE(after, before);
    t.run([&] {
        delete w;
        delete r; // the descriptor's last notifier: out of the set at once
        after = t.dispatcher->interestChanges();
    });
    QCOMPARE(after, before + 1);
}

void TstEpollDispatcher::timersFireInDeadlineOrderAndRepeat()
{
    DispatcherThread t;
    QList<int> order;
    QList<std::pair<qint64, int>> deadlines; // when each was due, as started (a busy machine may pause between)
    std::atomic<int> ticks{0};
    QTimer *repeating = nullptr;
    t.run([&] {
        QElapsedTimer since;
        since.start();
        for (const int ms : {60, 20, 40}) {
            auto *timer = new QTimer(&t.context);
            timer->setSingleShot(true);
            timer->setTimerType(Qt::PreciseTimer);
            QObject::connect(timer, &QTimer::timeout, timer, [&order, ms] { order.append(ms); });
            deadlines.append({since.nsecsElapsed() + ms * 1'000'000LL, ms});
            timer->start(ms);
        }
        repeating = new QTimer(&t.context);
        repeating->setTimerType(Qt::PreciseTimer);
        QObject::connect(repeating, &QTimer::timeout, repeating, [&] { ++ticks; });
        repeating->start(10);
    });
    QElapsedTimer clock;
    clock.start();
    QTRY_COMPARE_WITH_TIMEOUT(ticks.load() >= 10, true, 3000);
    const qint64 elapsed = clock.elapsed();
    QVERIFY2(elapsed >= 90, qPrintable(QString::number(elapsed))); // never early
    QList<int> seen;
    t.run([&] {
        repeating->stop();
        seen = order;
    });
    std::sort(deadlines.begin(), deadlines.end());
    QList<int> expected;
    for (const auto &[deadline, ms] : deadlines)
        expected.append(ms);
    QCOMPARE(seen, expected); // {20, 40, 60} unless the thread was held up while starting them
    const int stopped = ticks.load();
    QTest::qWait(60);
    QCOMPARE(ticks.load(), stopped);
}

void TstEpollDispatcher::singleShotAndStopInsideTheHandler()
{
    DispatcherThread t;
    std::atomic<int> single{0};
    std::atomic<int> selfStopping{0};
    std::atomic<int> zero{0};
    t.run([&] {
        QTimer::singleShot(15, &t.context, [&] { ++single; });
        auto *timer = new QTimer(&t.context);
        QObject::connect(timer, &QTimer::timeout, timer, [&, timer] {
            if (++selfStopping == 3)
                timer->stop();
        });
        timer->start(5);
        // A zero-interval timer runs once per pass without starving the others.
        auto *idle = new QTimer(&t.context);
        QObject::connect(idle, &QTimer::timeout, idle, [&, idle] {
            if (++zero == 50)
                idle->stop();
        });
        idle->start(0);
    });
    QTRY_COMPARE_WITH_TIMEOUT(single.load(), 1, 2000);
    QTRY_COMPARE_WITH_TIMEOUT(selfStopping.load(), 3, 2000);
    QTRY_COMPARE_WITH_TIMEOUT(zero.load(), 50, 2000);
    QTest::qWait(50);
    QCOMPARE(single.load(), 1);
    QCOMPARE(selfStopping.load(), 3);
    QCOMPARE(zero.load(), 50);
}

void TstEpollDispatcher::remainingTimeAndRegisteredTimers()
{
    DispatcherThread t;
    t.run([&] {
        auto *timer = new QTimer(&t.context);
        timer->start(500);
        const int left = timer->remainingTime();
        QVERIFY2(left > 400 && left <= 500, qPrintable(QString::number(left)));
        const auto infos = t.dispatcher->registeredTimers(timer);
        QCOMPARE(infos.size(), 1);
        QCOMPARE(infos.first().interval, 500);
        QCOMPARE(infos.first().timerId, timer->timerId());
        timer->stop();
        QCOMPARE(t.dispatcher->registeredTimers(timer).size(), 0);
        QCOMPARE(t.dispatcher->remainingTime(12345), -1);
        delete timer;
    });
}

void TstEpollDispatcher::objectDeletedWithRunningTimersStopsThem()
{
    DispatcherThread t;
    std::atomic<int> fired{0};
    t.run([&] {
        auto *owner = new QObject(&t.context);
        for (int i = 0; i < 3; ++i) {
            auto *timer = new QTimer(owner);
            QObject::connect(timer, &QTimer::timeout, &t.context, [&] { ++fired; });
            timer->start(20);
        }
        owner->startTimer(20); // a bare QObject timer: unregistered by the object's destructor
        delete owner;
    });
    QTest::qWait(100);
    QCOMPARE(fired.load(), 0);
}

void TstEpollDispatcher::tcpEchoThroughQtSockets()
{
    DispatcherThread t;
    quint16 port = 0;
    QTcpServer *server = nullptr;
    t.run([&] {
        server = new QTcpServer(&t.context);
        QVERIFY(server->listen(QHostAddress::LocalHost));
        port = server->serverPort();
        QObject::connect(server, &QTcpServer::newConnection, server, [server] {
            while (QTcpSocket *s = server->nextPendingConnection()) {
                QObject::connect(s, &QTcpSocket::readyRead, s, [s] { s->write(s->readAll()); });
                QObject::connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
    });
    // A client on the same dispatcher too: many round trips, a large payload in pieces, then a close.
    std::atomic<qint64> echoed{0};
    std::atomic<bool> closed{false};
    QByteArray payload(1 << 20, 'p');
    for (int i = 0; i < payload.size(); i += 4096)
        payload[i] = char('a' + (i / 4096) % 26);
    QByteArray received;
    t.run([&] {
        auto *client = new QTcpSocket(&t.context);
        QObject::connect(client, &QTcpSocket::connected, client, [client, &payload] { client->write(payload); });
        QObject::connect(client, &QTcpSocket::readyRead, client, [&, client] {
            received += client->readAll();
            echoed = received.size();
            if (received.size() == payload.size())
                client->disconnectFromHost();
        });
        QObject::connect(client, &QTcpSocket::disconnected, client, [&] { closed = true; });
        client->connectToHost(QHostAddress::LocalHost, port);
    });
    QTRY_VERIFY_WITH_TIMEOUT(closed.load(), 10000);
    t.run([&] { QVERIFY(received == payload); });
}

void TstEpollDispatcher::quitFromAnotherThreadEndsABlockedLoop()
{
    DispatcherThread t;
    std::atomic<bool> entered{false};
    std::atomic<bool> left{false};
    QEventLoop *loop = nullptr;
    QMetaObject::invokeMethod(
        &t.context,
        [&] {
            QEventLoop nested;
            loop = &nested;
            entered = true;
            nested.exec(); // blocks in epoll_wait with nothing to do
            left = true;
        },
        Qt::QueuedConnection);
    QTRY_VERIFY_WITH_TIMEOUT(entered.load(), 2000);
    QThread::msleep(20);
    loop->quit(); // from this thread: sets the flag and interrupts the blocked pass
    QTRY_VERIFY_WITH_TIMEOUT(left.load(), 2000);
}

QTEST_GUILESS_MAIN(TstEpollDispatcher)
#include "tst_epolldispatcher.moc"
