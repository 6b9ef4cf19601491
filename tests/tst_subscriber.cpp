// SPDX-License-Identifier: GPL-3.0-or-later
// Redis::Subscriber against a real redis-server: messages, reconnect after a restart, AUTH, Unix sockets.
#include "redis/subscriber.h"
#include "redisserver.h"

#include <QSignalSpy>
#include <QTest>

using namespace Relay::Redis;

namespace {

constexpr int WaitMs = 15000;

ConnectionOptions optionsFor(const QString &url)
{
    auto options = ConnectionOptions::fromUrl(url);
    if (!options)
        qFatal("bad test URL %s", qPrintable(url));
    options->reconnectInitialDelayMs = 20;
    options->reconnectMaxDelayMs = 200;
    return *options;
}

} // namespace

class TstSubscriber : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        if (RedisServer::executable().isEmpty())
            QFAIL("redis-server is not installed");
    }

    void deliversMessagesOfEverySubscribedChannel()
    {
        RedisServer server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        Subscriber subscriber(optionsFor(server.url()), {"chan:a", "chan:b"});
        QSignalSpy subscribed(&subscriber, &Subscriber::subscribed);
        QSignalSpy messages(&subscriber, &Subscriber::message);
        QVERIFY(subscribed.wait(WaitMs));
        QVERIFY(subscriber.isSubscribed());

        QCOMPARE(server.command({"PUBLISH", "chan:a", "one"}).toInteger(), 1);
        QCOMPARE(server.command({"PUBLISH", "chan:other", "ignored"}).toInteger(), 0);
        QCOMPARE(server.command({"PUBLISH", "chan:b", QByteArray("two\0bytes", 9)}).toInteger(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 2, WaitMs);
        QCOMPARE(messages.at(0).at(0).toByteArray(), QByteArray("chan:a"));
        QCOMPARE(messages.at(0).at(1).toByteArray(), QByteArray("one"));
        QCOMPARE(messages.at(1).at(0).toByteArray(), QByteArray("chan:b"));
        QCOMPARE(messages.at(1).at(1).toByteArray(), QByteArray("two\0bytes", 9));
    }

    void resubscribesAfterRedisRestartsAndMessagesFlowAgain()
    {
        RedisServer server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        Subscriber subscriber(optionsFor(server.url()), {"changes"});
        QSignalSpy subscribed(&subscriber, &Subscriber::subscribed);
        QSignalSpy resubscribed(&subscriber, &Subscriber::resubscribed);
        QSignalSpy lost(&subscriber, &Subscriber::connectionLost);
        QSignalSpy messages(&subscriber, &Subscriber::message);
        QVERIFY(subscribed.wait(WaitMs));

        server.stop();
        QVERIFY(lost.wait(WaitMs));
        QVERIFY(!subscriber.isSubscribed());
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        QVERIFY(resubscribed.wait(WaitMs));
        QCOMPARE(subscribed.size(), 1); // a reconnect is announced as resubscribed(), not subscribed()
        QVERIFY(subscriber.isSubscribed());

        QCOMPARE(server.command({"PUBLISH", "changes", "after restart"}).toInteger(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 1, WaitMs);
        QCOMPARE(messages.at(0).at(1).toByteArray(), QByteArray("after restart"));
    }

    void keepsRetryingWhileRedisIsDownAtStart()
    {
        RedisServer server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        const QString url = server.url();
        server.stop();
        Subscriber subscriber(optionsFor(url), {"changes"});
        QSignalSpy subscribed(&subscriber, &Subscriber::subscribed);
        QSignalSpy lost(&subscriber, &Subscriber::connectionLost);
        QVERIFY(lost.wait(WaitMs));
        QVERIFY(!subscriber.lastError().isEmpty());
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        QVERIFY(subscribed.wait(WaitMs));
    }

    void authenticatesOverUnixSocket()
    {
        RedisServer server({.tcp = false, .unixSocket = true, .password = "s3cret"});
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        Subscriber subscriber(optionsFor(server.unixUrl()), {"changes"});
        QSignalSpy subscribed(&subscriber, &Subscriber::subscribed);
        QSignalSpy messages(&subscriber, &Subscriber::message);
        QVERIFY(subscribed.wait(WaitMs));
        QCOMPARE(server.command({"PUBLISH", "changes", "hello"}).toInteger(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 1, WaitMs);
    }

    void wrongPasswordIsReportedAndNeverSubscribes()
    {
        RedisServer server({.tcp = true, .unixSocket = false, .password = "right"});
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        ConnectionOptions options = optionsFor(server.url());
        options.password = "wrong";
        Subscriber subscriber(options, {"changes"});
        QSignalSpy subscribed(&subscriber, &Subscriber::subscribed);
        QSignalSpy lost(&subscriber, &Subscriber::connectionLost);
        QVERIFY(lost.wait(WaitMs));
        QVERIFY2(lost.at(0).at(0).toString().contains(QStringLiteral("refused")),
                 qPrintable(lost.at(0).at(0).toString()));
        QCOMPARE(subscribed.size(), 0);
    }

    void destroyingWhileSubscribedIsSafe()
    {
        RedisServer server;
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        auto subscriber = std::make_unique<Subscriber>(optionsFor(server.url()), QList<QByteArray>{"changes"});
        QSignalSpy subscribed(subscriber.get(), &Subscriber::subscribed);
        QVERIFY(subscribed.wait(WaitMs));
        // Deleted from inside its own message signal: hiredis must not touch it afterwards.
        connect(subscriber.get(), &Subscriber::message, this, [&subscriber] { subscriber.reset(); });
        QCOMPARE(server.command({"PUBLISH", "changes", "bye"}).toInteger(), 1);
        QTRY_VERIFY_WITH_TIMEOUT(!subscriber, WaitMs);
        QCOMPARE(server.command({"PUBSUB", "NUMSUB", "changes"}).toList().value(1), QByteArray("0"));
    }
};

QTEST_GUILESS_MAIN(TstSubscriber)
#include "tst_subscriber.moc"
