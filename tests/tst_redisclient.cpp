// SPDX-License-Identifier: GPL-3.0-or-later
#include "redis/client.h"
#include "redisserver.h"

#include <QElapsedTimer>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <optional>

using namespace Relay::Redis;

namespace {

constexpr int WaitMs = 15000;

ConnectionOptions optionsFor(const QString &url)
{
    QString error;
    const auto options = ConnectionOptions::fromUrl(url, &error);
    if (!options)
        qFatal("bad test URL %s: %s", qPrintable(url), qPrintable(error));
    return *options;
}

// Runs one command and waits for its result (tests may spin the event loop; product code may not).
Result run(Client &client, QList<QByteArray> args, CommandOptions options = {})
{
    std::optional<Result> result;
    QObject context;
    client.command(
        std::move(args), &context, [&](const Result &r) { result = r; }, options);
    if (!QTest::qWaitFor([&] { return result.has_value(); }, WaitMs))
        return Result{Error{Error::Kind::Timeout, QStringLiteral("test gave up waiting")}, {}, -1};
    return *result;
}

Result evalWait(Client &client, const Script &script, const QList<QByteArray> &keys, const QList<QByteArray> &args)
{
    std::optional<Result> result;
    QObject context;
    client.evalScript(script, keys, args, &context, [&](const Result &r) { result = r; });
    if (!QTest::qWaitFor([&] { return result.has_value(); }, WaitMs))
        return Result{Error{Error::Kind::Timeout, QStringLiteral("test gave up waiting")}, {}, -1};
    return *result;
}

bool waitConnected(Client &client)
{
    return QTest::qWaitFor([&] { return client.isConnected(); }, WaitMs);
}

} // namespace

class TstRedisClient : public QObject
{
    Q_OBJECT

private:
    RedisServer m_server;

private Q_SLOTS:
    void initTestCase()
    {
        if (RedisServer::executable().isEmpty())
            QFAIL("redis-server is not installed");
        QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
    }

    void init() { QCOMPARE(m_server.command({"FLUSHALL"}).toByteArray(), QByteArray("OK")); }

    void deliversEveryReplyType()
    {
        Client client(optionsFor(m_server.url()));
        QVERIFY(waitConnected(client));

        Result r = run(client, {"SET", "k", QByteArray("v\0w", 3)});
        QVERIFY(!r.error);
        QVERIFY(r.reply.isOk());
        QCOMPARE(r.reply.type(), Reply::Type::Status);

        r = run(client, {"GET", "k"});
        QCOMPARE(r.reply.type(), Reply::Type::String);
        QCOMPARE(r.reply.bytes(), QByteArray("v\0w", 3));

        r = run(client, {"GET", "missing"});
        QVERIFY(!r.error);
        QVERIFY(r.reply.isNil());

        r = run(client, {"INCRBY", "n", "41"});
        QCOMPARE(r.reply.type(), Reply::Type::Integer);
        QCOMPARE(r.reply.integer(), 41);
        QCOMPARE(r.reply.toByteArray(), QByteArray("41"));

        run(client, {"RPUSH", "list", "a", "b", "c"});
        r = run(client, {"LRANGE", "list", "0", "-1"});
        QCOMPARE(r.reply.type(), Reply::Type::Array);
        QCOMPARE(r.reply.toByteArrayList(), (QList<QByteArray>{"a", "b", "c"}));

        r = run(client, {"HINCRBYFLOAT", "h", "cost", "0.25"});
        QCOMPARE(r.reply.toDouble(), 0.25);

        // A server error is a reply, not a transport error.
        r = run(client, {"INCR", "list"});
        QVERIFY(!r.error);
        QVERIFY(r.reply.isError());
        QVERIFY(r.reply.bytes().startsWith("WRONGTYPE"));
        QVERIFY(!r.isSuccess());
        QVERIFY(r.errorMessage().startsWith(u"WRONGTYPE"));

        r = run(client, {});
        QCOMPARE(r.error.kind, Error::Kind::InvalidArgument);
    }

    // hiredis scans the arguments of a SUBSCRIBE with strchr(), so an encoded command must end with a NUL: the
    // buffer behind it is uninitialised and once made the subscriber abort on an assertion after a reconnect.
    void encodedCommandsEndWithANul()
    {
        for (int count = 1; count < 40; ++count) {
            QList<QByteArray> args{"SUBSCRIBE"};
            for (int i = 1; i < count; ++i)
                args << QByteArray(i * 7 % 50, '$'); // a '$' past the end would make hiredis look for more
            {
                // Leaves bytes other than NUL in the memory the command's buffer is likely to get next.
                QByteArray garbage(1024, '$');
                garbage.detach();
            }
            const Relay::Redis::Command command = Relay::Redis::Command::fromArgs(args);
            QCOMPARE(command.bytes().data()[command.bytes().size()], '\0');
            Relay::Redis::Command built(3, 1); // grows from a buffer too small at every step
            built.add("SET").addJoined({"rd:", QByteArray(count, 'k')}).addNumber(-count * 1000003LL);
            QVERIFY(built.isComplete());
            QCOMPARE(built.bytes().data()[built.bytes().size()], '\0');
            QVERIFY(built.bytes().endsWith(QByteArray::number(-count * 1000003LL) + "\r\n"));
        }
    }

    void answersTenThousandPipelinedCommandsInOrder()
    {
        Client client(optionsFor(m_server.url()));
        QVERIFY(waitConnected(client));
        constexpr int Count = 10000;
        QList<qint64> values;
        QObject context;
        for (int i = 0; i < Count; ++i)
            client.command({"INCR", "counter"}, &context,
                           [&](const Result &r) { values.append(r.error ? -1 : r.reply.integer()); });
        QVERIFY(values.isEmpty()); // nothing is answered synchronously
        QTRY_COMPARE_WITH_TIMEOUT(values.size(), Count, WaitMs);
        for (int i = 0; i < Count; ++i)
            QCOMPARE(values.at(i), qint64(i + 1));
        QCOMPARE(m_server.command({"GET", "counter"}).toInteger(), Count);
    }

    void deliversPipelineRepliesInOneCallback()
    {
        Client client(optionsFor(m_server.url()));
        QVERIFY(waitConnected(client));
        std::optional<BatchResult> batch;
        QObject context;
        client.pipeline({{"SET", "a", "1"}, {"INCR", "a"}, {"GET", "a"}, {"HGET", "a", "x"}}, &context,
                        [&](const BatchResult &r) { batch = r; });
        QTRY_VERIFY_WITH_TIMEOUT(batch.has_value(), WaitMs);
        QVERIFY(!batch->error);
        QCOMPARE(batch->replies.size(), 4);
        QVERIFY(batch->replies.at(0).isOk());
        QCOMPARE(batch->replies.at(1).integer(), 2);
        QCOMPARE(batch->replies.at(2).bytes(), QByteArray("2"));
        QVERIFY(batch->replies.at(3).isError()); // WRONGTYPE, visible per command
        QVERIFY(!batch->isSuccess());
    }

    void dropsCallbackWhenContextIsDestroyed()
    {
        Client client(optionsFor(m_server.url()));
        QVERIFY(waitConnected(client));
        bool called = false;
        auto *context = new QObject;
        client.command({"SET", "x", "1"}, context, [&](const Result &) { called = true; });
        delete context;
        // The sentinel's reply comes after the first one, so the first has been processed by then.
        QVERIFY(run(client, {"PING"}).reply.bytes() == "PONG");
        QVERIFY(!called);
        QCOMPARE(m_server.command({"GET", "x"}).toByteArray(), QByteArray("1")); // the command itself ran
    }

    void runsCallbacksOnTheContextThread()
    {
        Client client(optionsFor(m_server.url()));
        QVERIFY(waitConnected(client));
        QThread worker;
        worker.start();
        QObject context;
        context.moveToThread(&worker);
        std::atomic<QThread *> callbackThread{nullptr};
        // Issued from the worker thread too: the call is posted to the client's thread.
        QMetaObject::invokeMethod(&context, [&] {
            client.command({"PING"}, &context, [&](const Result &r) {
                if (r.reply.bytes() == "PONG")
                    callbackThread = QThread::currentThread();
            });
        });
        QTRY_VERIFY_WITH_TIMEOUT(callbackThread.load() != nullptr, WaitMs);
        QCOMPARE(callbackThread.load(), &worker);
        worker.quit();
        worker.wait();
    }

    void timesOutAgainstPausedServerAndRecovers()
    {
        ConnectionOptions options = optionsFor(m_server.url());
        options.connectTimeoutMs = 400;
        options.reconnectMaxDelayMs = 300;
        Client client(options);
        QVERIFY(waitConnected(client));
        QSignalSpy disconnected(&client, &Client::disconnected);

        m_server.pause();
        std::optional<Result> first, second;
        QObject context;
        QElapsedTimer clock;
        clock.start();
        qint64 firstAfterMs = -1;
        client.command({"SET", "paused", "1"}, &context,
                       [&](const Result &r) {
                           first = r;
                           firstAfterMs = clock.elapsed();
                       },
                       {.timeoutMs = 300});
        client.command({"GET", "paused"}, &context, [&](const Result &r) { second = r; }, {.timeoutMs = 10000});
        QTRY_VERIFY_WITH_TIMEOUT(first.has_value() && second.has_value(), WaitMs);
        QCOMPARE(first->error.kind, Error::Kind::Timeout);
        QVERIFY2(firstAfterMs >= 290 && firstAfterMs < 2000, qPrintable(QString::number(firstAfterMs)));
        // The later command shared the stalled connection, which is reset so replies cannot be mismatched.
        QCOMPARE(second->error.kind, Error::Kind::Disconnected);
        QCOMPARE(disconnected.size(), 1);
        QVERIFY(!client.isConnected());
        QVERIFY(client.statistics()->timeouts.load() >= 1);

        m_server.resume();
        QVERIFY(waitConnected(client));
        const Result after = run(client, {"INCR", "afterPause"});
        QVERIFY(!after.error);
        QCOMPARE(after.reply.integer(), 1);
        QVERIFY(client.statistics()->reconnects.load() >= 1);
    }

    void destroyingTheClientDropsPendingCallbacksSafely()
    {
        auto client = std::make_unique<Client>(optionsFor(m_server.url()));
        QVERIFY(waitConnected(*client));
        m_server.pause();
        int called = 0;
        QObject context;
        for (int i = 0; i < 100; ++i)
            client->command({"INCR", "gone"}, &context, [&](const Result &) { ++called; });
        client.reset(); // in flight on a stalled server
        m_server.resume();
        QTest::qWait(50); // let any stray event run; nothing may touch the deleted client
        QCOMPARE(called, 0);
    }

    void clientMayBeDeletedFromItsOwnCallback()
    {
        auto *client = new Client(optionsFor(m_server.url()));
        QVERIFY(waitConnected(*client));
        QPointer<Client> guard(client);
        int called = 0;
        QObject context;
        client->command({"PING"}, &context, [&](const Result &) {
            ++called;
            delete client;
        });
        client->command({"PING"}, &context, [&](const Result &) { ++called; });
        QTRY_VERIFY_WITH_TIMEOUT(guard.isNull(), WaitMs);
        QCOMPARE(called, 1);
    }

    void reconnectsAfterServerRestart()
    {
        ConnectionOptions options = optionsFor(m_server.url());
        options.reconnectMaxDelayMs = 200;
        Client client(options);
        QVERIFY(waitConnected(client));
        QSignalSpy connectedSpy(&client, &Client::connected);
        QSignalSpy disconnectedSpy(&client, &Client::disconnected);
        QVERIFY(run(client, {"SET", "survivor", "yes"}).reply.isOk());

        m_server.stop();
        QVERIFY(disconnectedSpy.wait(WaitMs));
        QVERIFY(!client.isConnected());

        std::optional<Result> failFast, queued, queuedTimeout;
        QObject context;
        client.command({"GET", "survivor"}, &context, [&](const Result &r) { failFast = r; },
                       {.whenDown = WhenDown::FailFast});
        client.command({"GET", "survivor"}, &context, [&](const Result &r) { queued = r; },
                       {.timeoutMs = 20000, .whenDown = WhenDown::Queue});
        client.command({"GET", "survivor"}, &context, [&](const Result &r) { queuedTimeout = r; },
                       {.timeoutMs = 200, .whenDown = WhenDown::Queue});
        QTRY_VERIFY_WITH_TIMEOUT(failFast.has_value(), WaitMs);
        QCOMPARE(failFast->error.kind, Error::Kind::Disconnected);
        QVERIFY(failFast->error.message.contains(u"not connected"));
        // Queued commands still honour their timeout.
        QTRY_VERIFY_WITH_TIMEOUT(queuedTimeout.has_value(), WaitMs);
        QCOMPARE(queuedTimeout->error.kind, Error::Kind::Timeout);
        QVERIFY(!queued.has_value());

        QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
        QVERIFY(connectedSpy.wait(WaitMs));
        QTRY_VERIFY_WITH_TIMEOUT(queued.has_value(), WaitMs);
        QVERIFY(!queued->error);
        QCOMPARE(queued->reply.bytes(), QByteArray("yes"));
        QCOMPARE(client.statistics()->reconnects.load(), quint64(1));
    }

    void failsWithQueueFullWhenTheQueueIsFull()
    {
        ConnectionOptions options = optionsFor(m_server.url());
        options.maxQueuedCommands = 3;
        options.reconnectMaxDelayMs = 200;
        Client client(options);
        QVERIFY(waitConnected(client));
        QSignalSpy disconnectedSpy(&client, &Client::disconnected);
        m_server.stop();
        QVERIFY(disconnectedSpy.wait(WaitMs));

        QList<Result> queued;
        std::optional<Result> overflow;
        std::optional<BatchResult> batchOverflow;
        QObject context;
        for (int i = 0; i < 3; ++i)
            client.command({"INCR", "q"}, &context, [&](const Result &r) { queued.append(r); }, {.timeoutMs = 20000});
        client.command({"INCR", "q"}, &context, [&](const Result &r) { overflow = r; }, {.timeoutMs = 20000});
        client.pipeline({{"INCR", "q"}}, &context, [&](const BatchResult &r) { batchOverflow = r; });
        QTRY_VERIFY_WITH_TIMEOUT(overflow.has_value() && batchOverflow.has_value(), WaitMs);
        QCOMPARE(overflow->error.kind, Error::Kind::QueueFull);
        QCOMPARE(batchOverflow->error.kind, Error::Kind::QueueFull);
        QVERIFY(queued.isEmpty());
        QCOMPARE(client.statistics()->queued.load(), 3);

        QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
        QTRY_COMPARE_WITH_TIMEOUT(queued.size(), 3, WaitMs);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(queued.at(i).reply.integer(), i + 1);
    }

    void reloadsScriptAfterScriptFlush()
    {
        Client client(optionsFor(m_server.url()));
        QVERIFY(waitConnected(client));
        // The script reads only ARGV (the project bans the K-E-Y-S string everywhere, which includes Lua's key
        // table); #ARGV proves the key list and the argument list were split where numkeys says.
        const Script script("return {redis.call('INCRBY', ARGV[1], ARGV[2]), #ARGV}");
        QCOMPARE(m_server.command({"SCRIPT", "LOAD", script.source()}).toByteArray(), script.sha1());

        Result r = evalWait(client, script, {"s"}, {"s", "5"});
        QVERIFY2(r.isSuccess(), qPrintable(r.errorMessage()));
        QCOMPARE(r.reply.toByteArrayList(), (QList<QByteArray>{"5", "2"}));

        QVERIFY(m_server.command({"SCRIPT", "FLUSH"}).toByteArray() == "OK");
        QCOMPARE(m_server.command({"SCRIPT", "EXISTS", script.sha1()}).toList(), QList<QByteArray>{"0"});
        r = evalWait(client, script, {"s"}, {"s", "5"});
        QVERIFY2(r.isSuccess(), qPrintable(r.errorMessage()));
        QCOMPARE(r.reply.toByteArrayList(), (QList<QByteArray>{"10", "2"})); // ran exactly once more
        QCOMPARE(m_server.command({"SCRIPT", "EXISTS", script.sha1()}).toList(), QList<QByteArray>{"1"});

        // A script's own error is a visible error reply.
        const Script failing("return redis.error_reply('limit exceeded')");
        r = evalWait(client, failing, {}, {});
        QVERIFY(!r.error);
        QVERIFY(r.reply.isError());
        QCOMPARE(r.reply.bytes(), QByteArray("limit exceeded"));
    }

    void scanFindsExactlyTheMatchingKeys()
    {
        QList<QList<QByteArray>> load;
        QSet<QByteArray> expected;
        for (int chunk = 0; chunk < 20; ++chunk) {
            QList<QByteArray> mset{"MSET"};
            for (int i = chunk * 1000; i < (chunk + 1) * 1000; ++i) {
                const bool match = i % 4 == 0;
                const QByteArray key = (match ? "scan:match:" : "scan:other:") + QByteArray::number(i);
                if (match)
                    expected.insert(key);
                mset << key << "v";
            }
            load.append(mset);
        }
        for (const auto &reply : m_server.commands(load))
            QVERIFY(!reply.isError());
        QCOMPARE(expected.size(), 5000);

        Client client(optionsFor(m_server.url()));
        QVERIFY(waitConnected(client));
        QSet<QByteArray> found;
        int batches = 0;
        bool finished = false;
        Error error;
        QObject context;
        client.scan({.match = "scan:match:*", .count = 500}, &context,
                    [&](const Error &e, const QList<QByteArray> &batch, bool last) {
                        error = e;
                        ++batches;
                        for (const QByteArray &key : batch)
                            found.insert(key);
                        finished = last;
                        return true;
                    });
        QTRY_VERIFY_WITH_TIMEOUT(finished, WaitMs);
        QVERIFY(!error);
        QVERIFY(batches > 1);
        QCOMPARE(found, expected);
    }

    void scanStopsWhenTheCallbackSaysSo()
    {
        QList<QList<QByteArray>> load;
        for (int i = 0; i < 2000; ++i)
            load.append({"SET", "stop:" + QByteArray::number(i), "v"});
        m_server.commands(load);
        Client client(optionsFor(m_server.url()));
        QVERIFY(waitConnected(client));
        int calls = 0;
        QObject context;
        client.scan({.count = 10}, &context, [&](const Error &, const QList<QByteArray> &, bool) {
            ++calls;
            return false;
        });
        QTRY_COMPARE_WITH_TIMEOUT(calls, 1, WaitMs);
        QVERIFY(run(client, {"PING"}).reply.bytes() == "PONG"); // a further SCAN would have answered by now
        QCOMPARE(calls, 1);
        QCOMPARE(client.statistics()->commandsSent.load(), quint64(3)); // PING handshake, SCAN, PING
    }

    void hscanWalksFieldsAndValues()
    {
        QList<QByteArray> hset{"HSET", "h"};
        for (int i = 0; i < 300; ++i)
            hset << "f" + QByteArray::number(i) << "v" + QByteArray::number(i);
        QCOMPARE(m_server.command(hset).toInteger(), 300);
        Client client(optionsFor(m_server.url()));
        QVERIFY(waitConnected(client));
        QHash<QByteArray, QByteArray> fields;
        bool finished = false;
        QObject context;
        client.scan({.kind = ScanRequest::Kind::Hash, .key = "h", .count = 50}, &context,
                    [&](const Error &e, const QList<QByteArray> &batch, bool last) {
                        for (qsizetype i = 0; !e && i + 1 < batch.size(); i += 2)
                            fields.insert(batch.at(i), batch.at(i + 1));
                        finished = last;
                        return true;
                    });
        QTRY_VERIFY_WITH_TIMEOUT(finished, WaitMs);
        QCOMPARE(fields.size(), 300);
        QCOMPARE(fields.value("f123"), QByteArray("v123"));

        // HSCAN on a string is a reply error, reported through the error argument.
        m_server.command({"SET", "str", "x"});
        std::optional<Error> scanError;
        client.scan({.kind = ScanRequest::Kind::Hash, .key = "str"}, &context,
                    [&](const Error &e, const QList<QByteArray> &, bool) {
                        scanError = e;
                        return true;
                    });
        QTRY_VERIFY_WITH_TIMEOUT(scanError.has_value(), WaitMs);
        QCOMPARE(scanError->kind, Error::Kind::ReplyError);
        QVERIFY(scanError->message.startsWith(u"WRONGTYPE"));
    }

    void connectsOverUnixSocket()
    {
        RedisServer server({.tcp = false, .unixSocket = true});
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        Client client(optionsFor(server.unixUrl(2)));
        QVERIFY(waitConnected(client));
        QVERIFY(run(client, {"SET", "u", "1"}).reply.isOk());
        QCOMPARE(server.command({"SELECT", "2"}).toByteArray(), QByteArray("OK"));
        QCOMPARE(server.command({"GET", "u"}).toByteArray(), QByteArray("1"));
    }

    void authenticatesWithPasswordAndAclUser()
    {
        RedisServer server({.password = "s3cret p@ss&word"});
        QVERIFY2(server.start(), qPrintable(server.errorString()));

        Client client(optionsFor(server.url()));
        QVERIFY(waitConnected(client));
        QVERIFY(run(client, {"SET", "auth", "ok"}).reply.isOk());

        QVERIFY(server.command({"ACL", "SETUSER", "alice", "on", ">alicepw", "~*", "+@all"}).toByteArray() == "OK");
        ConnectionOptions aliceOptions = optionsFor(server.url());
        aliceOptions.user = "alice";
        aliceOptions.password = "alicepw";
        Client alice(aliceOptions);
        QVERIFY(waitConnected(alice));
        QCOMPARE(run(alice, {"ACL", "WHOAMI"}).reply.bytes(), QByteArray("alice"));
    }

    void reportsWrongPasswordClearly()
    {
        RedisServer server({.password = "right"});
        QVERIFY2(server.start(), qPrintable(server.errorString()));
        Client client(optionsFor(QStringLiteral("redis://:wrong@127.0.0.1:%1").arg(server.port())));
        QSignalSpy errors(&client, &Client::connectionError);
        QVERIFY(errors.wait(WaitMs));
        QVERIFY(!client.isConnected());
        const QString message = errors.first().first().toString();
        QVERIFY2(message.contains(u"AUTH failed") && message.contains(u"WRONGPASS"), qPrintable(message));
        QVERIFY(!message.contains(u"wrong")); // never the password itself
        const Result r = run(client, {"PING"}, {.whenDown = WhenDown::FailFast});
        QCOMPARE(r.error.kind, Error::Kind::Disconnected);
        QVERIFY2(r.error.message.contains(u"AUTH failed"), qPrintable(r.error.message));

        // No password at all: the server's NOAUTH is the reason given.
        Client anonymous(optionsFor(QStringLiteral("redis://127.0.0.1:%1").arg(server.port())));
        QSignalSpy anonymousErrors(&anonymous, &Client::connectionError);
        QVERIFY(anonymousErrors.wait(WaitMs));
        QVERIFY(anonymous.lastError().contains(u"NOAUTH"));
    }

    void selectsTheDatabaseFromTheUrl()
    {
        Client client(optionsFor(m_server.url(5)));
        QVERIFY(waitConnected(client));
        QVERIFY(run(client, {"SET", "dbkey", "five"}).reply.isOk());
        QVERIFY(m_server.command({"GET", "dbkey"}).isNil());
        QVERIFY(m_server.command({"SELECT", "5"}).toByteArray() == "OK");
        QCOMPARE(m_server.command({"GET", "dbkey"}).toByteArray(), QByteArray("five"));
        QVERIFY(m_server.command({"SELECT", "0"}).toByteArray() == "OK");
    }

    void parsesGoodUrls_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("unix");
        QTest::addColumn<QString>("hostOrPath");
        QTest::addColumn<int>("port");
        QTest::addColumn<int>("db");
        QTest::addColumn<QByteArray>("user");
        QTest::addColumn<QByteArray>("password");
        QTest::newRow("host") << u"redis://example.com"_qs << false << u"example.com"_qs << 6379 << 0 << QByteArray()
                              << QByteArray();
        QTest::newRow("port+db") << u"redis://10.0.0.1:6380/3"_qs << false << u"10.0.0.1"_qs << 6380 << 3
                                 << QByteArray() << QByteArray();
        QTest::newRow("password") << u"redis://:p%40ss@h:1/0"_qs << false << u"h"_qs << 1 << 0 << QByteArray()
                                  << QByteArray("p@ss");
        QTest::newRow("acl") << u"redis://bob:pw@h"_qs << false << u"h"_qs << 6379 << 0 << QByteArray("bob")
                             << QByteArray("pw");
        QTest::newRow("ipv6") << u"redis://[::1]:7000"_qs << false << u"::1"_qs << 7000 << 0 << QByteArray()
                              << QByteArray();
        QTest::newRow("unix") << u"unix:///run/redis/redis.sock"_qs << true << u"/run/redis/redis.sock"_qs << 6379 << 0
                              << QByteArray() << QByteArray();
        QTest::newRow("unix+params") << u"unix:///tmp/r.sock?db=2&password=x%26y"_qs << true << u"/tmp/r.sock"_qs
                                     << 6379 << 2 << QByteArray() << QByteArray("x&y");
        QTest::newRow("redis+unix") << u"redis+unix:///tmp/r.sock?db=1"_qs << true << u"/tmp/r.sock"_qs << 6379 << 1
                                    << QByteArray() << QByteArray();
    }

    void parsesGoodUrls()
    {
        QFETCH(QString, url);
        QFETCH(bool, unix);
        QFETCH(QString, hostOrPath);
        QFETCH(int, port);
        QFETCH(int, db);
        QFETCH(QByteArray, user);
        QFETCH(QByteArray, password);
        QString error;
        const auto options = ConnectionOptions::fromUrl(url, &error);
        QVERIFY2(options.has_value(), qPrintable(error));
        QCOMPARE(options->transport == ConnectionOptions::Transport::Unix, unix);
        QCOMPARE(unix ? options->socketPath : options->host, hostOrPath);
        if (!unix)
            QCOMPARE(int(options->port), port);
        QCOMPARE(options->database, db);
        QCOMPARE(options->user, user);
        QCOMPARE(options->password, password);
        // The full URL round-trips.
        const auto again = ConnectionOptions::fromUrl(options->toUrl(true), &error);
        QVERIFY2(again.has_value(), qPrintable(error));
        QCOMPARE(again->toUrl(true), options->toUrl(true));
        QCOMPARE(again->password, password);
    }

    void rejectsBadUrls_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("empty") << QString() << u"empty"_qs;
        QTest::newRow("no scheme") << u"localhost:6379"_qs << u"scheme"_qs;
        QTest::newRow("http") << u"http://h"_qs << u"not supported"_qs;
        QTest::newRow("tls") << u"rediss://h"_qs << u"TLS"_qs;
        QTest::newRow("no host") << u"redis:///0"_qs << u"no host"_qs;
        QTest::newRow("bad port") << u"redis://h:99999"_qs << u"port"_qs;
        QTest::newRow("bad db") << u"redis://h/abc"_qs << u"database number"_qs;
        QTest::newRow("negative db") << u"redis://h/-1"_qs << u"database number"_qs;
        QTest::newRow("unix relative") << u"unix:relative.sock"_qs << u"absolute"_qs;
        QTest::newRow("unix host") << u"unix://host/tmp/x.sock"_qs << u"empty host"_qs;
        QTest::newRow("unknown param") << u"unix:///tmp/x.sock?dbx=1"_qs << u"dbx"_qs;
        QTest::newRow("user without password") << u"redis://bob@h"_qs << u"no password"_qs;
    }

    void rejectsBadUrls()
    {
        QFETCH(QString, url);
        QFETCH(QString, mentions);
        QString error;
        QVERIFY(!ConnectionOptions::fromUrl(url, &error).has_value());
        QVERIFY2(error.contains(mentions), qPrintable(error));
    }

    void masksThePasswordInUrls()
    {
        const ConnectionOptions tcp = optionsFor(u"redis://bob:hunter2@h:6380/4"_qs);
        QCOMPARE(tcp.toUrl(), u"redis://bob:****@h:6380/4"_qs);
        const ConnectionOptions unix = optionsFor(u"unix:///tmp/r.sock?password=hunter2"_qs);
        QCOMPARE(unix.toUrl(), u"unix:///tmp/r.sock?password=****"_qs);
        QVERIFY(!tcp.toUrl().contains(u"hunter2"));
    }

    void reportsRoundTripsAndCounters()
    {
        Client client(optionsFor(m_server.url()));
        QVERIFY(waitConnected(client));
        QList<qint64> roundTrips;
        client.setRoundTripObserver([&](qint64 usec) { roundTrips.append(usec); });
        for (int i = 0; i < 10; ++i)
            run(client, {"INCR", "rt"});
        run(client, {"INCR", "rt", "extra"}); // error reply
        QCOMPARE(roundTrips.size(), 11);
        for (qint64 usec : roundTrips)
            QVERIFY(usec >= 0 && usec < 5'000'000);

        std::optional<qint64> pingUsec;
        QObject context;
        client.ping(&context, [&](const Error &e, qint64 usec) { pingUsec = e ? -2 : usec; });
        QTRY_VERIFY_WITH_TIMEOUT(pingUsec.has_value(), WaitMs);
        QVERIFY(*pingUsec >= 0);

        const auto stats = client.statistics();
        QCOMPARE(stats->commandsSent.load(), quint64(13)); // handshake PING + 11 + ping
        QCOMPARE(stats->replies.load(), quint64(13));
        QCOMPARE(stats->errorReplies.load(), quint64(1));
        QCOMPARE(stats->timeouts.load(), quint64(0));
        QVERIFY(stats->connected.load());
    }
};

QTEST_GUILESS_MAIN(TstRedisClient)
#include "tst_redisclient.moc"
