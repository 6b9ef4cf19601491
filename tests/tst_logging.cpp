// SPDX-License-Identifier: GPL-3.0-or-later
#include "log/logger.h"
#include "log/redaction.h"
#include "log/ringbuffersink.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <spdlog/logger.h>

#include <thread>
#include <vector>

using namespace Qt::StringLiterals;
using Relay::Log::LogEntry;
using Relay::Log::RingBufferSink;

class TstLogging : public QObject
{
    Q_OBJECT

private:
    static std::shared_ptr<spdlog::logger> loggerWith(const std::shared_ptr<RingBufferSink> &sink,
                                                      const std::string &name = "test")
    {
        auto logger = std::make_shared<spdlog::logger>(name, sink);
        logger->set_level(spdlog::level::trace);
        return logger;
    }

private Q_SLOTS:
    void cleanup() { Relay::Log::shutdown(); }

    void ringBufferKeepsNewestLinesInOrder()
    {
        auto sink = std::make_shared<RingBufferSink>(100);
        auto logger = loggerWith(sink);
        for (int i = 0; i < 250; ++i)
            logger->info("line {}", i);
        QCOMPARE(sink->size(), 100);
        QCOMPARE(sink->lastSequence(), quint64(250));
        const QList<LogEntry> entries = sink->recent(1000);
        QCOMPARE(entries.size(), 100);
        for (int i = 0; i < entries.size(); ++i) {
            QCOMPARE(entries.at(i).sequence, quint64(151 + i));
            QCOMPARE(entries.at(i).message, u"line %1"_s.arg(150 + i));
            QCOMPARE(entries.at(i).logger, u"test"_s);
            QCOMPARE(entries.at(i).level, spdlog::level::info);
            QVERIFY(entries.at(i).timeMsecsSinceEpoch > 0);
        }
        QCOMPARE(sink->recent(3).constFirst().message, u"line 247"_s);
    }

    void concurrentWritersKeepSequenceAndPerThreadOrder()
    {
        // Through the real async logger: four threads write while the backend thread fills the ring.
        Relay::Log::LogOptions options;
        options.toStderr = false;
        options.ringCapacity = 2000;
        QVERIFY(Relay::Log::init(options).ok());
        auto ring = Relay::Log::ringBuffer();
        QVERIFY(ring);
        constexpr int Threads = 4;
        constexpr int PerThread = 1000;
        std::vector<std::thread> threads;
        for (int t = 0; t < Threads; ++t) {
            threads.emplace_back([t] {
                for (int i = 0; i < PerThread; ++i)
                    Relay::Log::logger().info("writer {} line {}", t, i);
            });
        }
        for (auto &thread : threads)
            thread.join();
        Relay::Log::shutdown(); // drains the queue

        const QList<LogEntry> entries = ring->recent(Threads * PerThread);
        QCOMPARE(entries.size(), 2000);
        QCOMPARE(ring->lastSequence(), quint64(Threads * PerThread));
        std::vector<int> lastLine(Threads, -1);
        for (int i = 0; i < entries.size(); ++i) {
            if (i > 0)
                QCOMPARE(entries.at(i).sequence, entries.at(i - 1).sequence + 1);
            const QStringList parts = entries.at(i).message.split(u' ');
            QCOMPARE(parts.size(), 4);
            const int writer = parts.at(1).toInt();
            const int line = parts.at(3).toInt();
            QVERIFY2(line > lastLine[size_t(writer)], qPrintable(entries.at(i).message));
            lastLine[size_t(writer)] = line;
        }
        QCOMPARE(entries.constFirst().sequence, quint64(Threads * PerThread - 2000 + 1)); // oldest ones dropped
    }

    void recentFiltersByLevelAndText()
    {
        auto sink = std::make_shared<RingBufferSink>(50);
        auto logger = loggerWith(sink);
        auto redis = loggerWith(sink, "redis");
        logger->debug("connecting upstream");
        logger->info("Upstream ready");
        logger->warn("upstream slow");
        redis->error("connection lost");
        logger->critical("out of memory");

        QList<LogEntry> entries = sink->recent(10, spdlog::level::warn);
        QCOMPARE(entries.size(), 3);
        QCOMPARE(entries.at(0).message, u"upstream slow"_s);
        QCOMPARE(entries.at(2).message, u"out of memory"_s);

        entries = sink->recent(10, spdlog::level::trace, u"UPSTREAM"_s);
        QCOMPARE(entries.size(), 3);
        QCOMPARE(entries.at(0).level, spdlog::level::debug);

        entries = sink->recent(1, spdlog::level::info, u"upstream"_s);
        QCOMPARE(entries.size(), 1);
        QCOMPARE(entries.at(0).message, u"upstream slow"_s);

        entries = sink->recent(10, spdlog::level::trace, u"redis"_s); // matches the logger name
        QCOMPARE(entries.size(), 1);
        QCOMPARE(entries.at(0).message, u"connection lost"_s);
    }

    void sinceReturnsOnlyNewerEntries()
    {
        auto sink = std::make_shared<RingBufferSink>(5);
        auto logger = loggerWith(sink);
        QVERIFY(sink->since(0).isEmpty());
        logger->info("a");
        logger->info("b");
        const quint64 seen = sink->lastSequence();
        QVERIFY(sink->since(seen).isEmpty());
        logger->info("c");
        logger->info("d");
        logger->info("e");
        QList<LogEntry> tail = sink->since(seen);
        QCOMPARE(tail.size(), 3);
        QCOMPARE(tail.at(0).message, u"c"_s);
        QCOMPARE(sink->since(seen, 2).size(), 2);
        for (int i = 0; i < 10; ++i)
            logger->info("more {}", i);
        tail = sink->since(seen); // older than the buffer: everything retained
        QCOMPARE(tail.size(), 5);
        QCOMPARE(tail.constLast().message, u"more 9"_s);
    }

    void formatsQtStrings()
    {
        auto sink = std::make_shared<RingBufferSink>(5);
        auto logger = loggerWith(sink);
        logger->info("{} / {}", u"Grüße"_s, QByteArrayLiteral("bytes"));
        QCOMPARE(sink->recent(1).constFirst().message, u"Grüße / bytes"_s);
    }

    void levelNamesRoundTrip()
    {
        for (const QString &name :
             {u"trace"_s, u"debug"_s, u"info"_s, u"warn"_s, u"error"_s, u"critical"_s, u"off"_s}) {
            const auto level = Relay::Log::levelFromName(name);
            QVERIFY(level);
            QCOMPARE(Relay::Log::levelName(*level), name);
        }
        QCOMPARE(Relay::Log::levelFromName(u"WARNING"), spdlog::level::warn);
        QVERIFY(!Relay::Log::levelFromName(u"loud"));
    }

    void setLevelFiltersAllLoggers()
    {
        Relay::Log::LogOptions options;
        options.toStderr = false;
        options.level = spdlog::level::warn;
        QVERIFY(Relay::Log::init(options).ok());
        auto ring = Relay::Log::ringBuffer();
        auto named = Relay::Log::makeLogger("worker-1");
        Relay::Log::logger().info("dropped");
        named->warn("kept");
        Relay::Log::setLevel(spdlog::level::debug);
        named->debug("now kept");
        named.reset();
        Relay::Log::shutdown();
        const QList<LogEntry> entries = ring->recent(10);
        QCOMPARE(entries.size(), 2);
        QCOMPARE(entries.at(0).message, u"kept"_s);
        QCOMPARE(entries.at(0).logger, u"worker-1"_s);
        QCOMPARE(entries.at(1).message, u"now kept"_s);
    }

    void samplingLogsTheConfiguredFraction_data()
    {
        QTest::addColumn<double>("rate");
        QTest::addColumn<int>("expected"); // per 1000 calls per thread
        QTest::newRow("never") << 0.0 << 0;
        QTest::newRow("quarter") << 0.25 << 250;
        QTest::newRow("default") << 0.01 << 10;
        QTest::newRow("always") << 1.0 << 1000;
    }

    void samplingLogsTheConfiguredFraction()
    {
        QFETCH(double, rate);
        QFETCH(int, expected);
        Relay::Log::setSampleRate(rate);
        QCOMPARE(Relay::Log::sampleRate(), rate);
        // Fresh threads, so each starts its own count.
        std::vector<int> counts(4, 0);
        std::vector<std::thread> threads;
        for (size_t t = 0; t < counts.size(); ++t) {
            threads.emplace_back([&counts, t] {
                for (int i = 0; i < 1000; ++i)
                    counts[t] += Relay::Log::sampleRequest() ? 1 : 0;
            });
        }
        for (auto &thread : threads)
            thread.join();
        for (int count : counts)
            QCOMPARE(count, expected);
    }

    void quarterSamplingPicksExactlyOneInFour()
    {
        Relay::Log::setSampleRate(0.25);
        std::vector<bool> picks;
        std::thread([&picks] {
            for (int i = 0; i < 12; ++i)
                picks.push_back(Relay::Log::sampleRequest());
        }).join();
        for (size_t i = 0; i < picks.size(); ++i)
            QCOMPARE(bool(picks[i]), i % 4 == 3);
        Relay::Log::setSampleRate(0.01);
    }

    void redactSecretKeepsOnlyPrefixAndFourCharacters_data()
    {
        QTest::addColumn<QByteArray>("secret");
        QTest::addColumn<QString>("expected");
        const QByteArray body =
            "Xy7Qw9Lk2Zp4Rt6Vb8Nm1Cd3Fg5Hj0Ks-_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcdefghijklmnopqrstuvw";
        QTest::newRow("api key") << QByteArray("sk-ant-api03-" + body)
                                 << u"sk-ant-api03-Xy7Q\u2026(%1)"_s.arg(13 + body.size());
        QTest::newRow("oauth token") << QByteArray("sk-ant-oat01-" + body)
                                     << u"sk-ant-oat01-Xy7Q\u2026(%1)"_s.arg(13 + body.size());
        QTest::newRow("relay key") << QByteArray("rd_" + body.left(40)) << u"rd_Xy7Q\u2026(43)"_s;
        QTest::newRow("short relay key") << QByteArray("rd_abc") << u"rd_\u2026(6)"_s;
        QTest::newRow("unknown") << QByteArray("correcthorsebattery") << u"corr\u2026(19)"_s;
        QTest::newRow("tiny") << QByteArray("pw") << u"\u2026(2)"_s;
        QTest::newRow("empty") << QByteArray() << QString();
    }

    void redactSecretKeepsOnlyPrefixAndFourCharacters()
    {
        QFETCH(QByteArray, secret);
        QFETCH(QString, expected);
        const QString redacted = Relay::Log::redactSecret(secret);
        QCOMPARE(redacted, expected);
        // Nothing after the kept characters leaks: no 3-character run of the hidden part appears.
        const qsizetype kept = redacted.indexOf(u'\u2026');
        const QByteArray hidden = secret.mid(kept < 0 ? 0 : kept);
        for (qsizetype i = 0; i + 3 <= hidden.size(); ++i)
            QVERIFY2(!redacted.contains(QString::fromLatin1(hidden.mid(i, 3))), qPrintable(redacted));
    }

    void redactUrlMasksPasswordOnly_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("expected");
        QTest::newRow("user and password")
            << u"redis://relay:pa55word@db.local:6379/0"_s << u"redis://relay:***@db.local:6379/0"_s;
        QTest::newRow("password only") << u"rediss://:pa55word@db:6380"_s << u"rediss://:***@db:6380"_s;
        QTest::newRow("at in password") << u"redis://u:p@ss@db/1"_s << u"redis://u:***@db/1"_s;
        QTest::newRow("no password") << u"redis://relay@db:6379"_s << u"redis://relay@db:6379"_s;
        QTest::newRow("no credentials") << u"redis://db:6379/2"_s << u"redis://db:6379/2"_s;
        QTest::newRow("unix socket") << u"unix:///run/redis.sock?db=1"_s << u"unix:///run/redis.sock?db=1"_s;
        QTest::newRow("query password") << u"unix:///run/redis.sock?password=pa55word&db=1"_s
                                        << u"unix:///run/redis.sock?password=***&db=1"_s;
        QTest::newRow("proxy") << u"http://proxyuser:pa55word@proxy:8080/"_s << u"http://proxyuser:***@proxy:8080/"_s;
    }

    void redactUrlMasksPasswordOnly()
    {
        QFETCH(QString, url);
        QFETCH(QString, expected);
        const QString redacted = Relay::Log::redactUrl(url);
        QCOMPARE(redacted, expected);
        QVERIFY(!redacted.contains(u"pa55"_s));
    }

    void redactHeaderValueMasksCredentials()
    {
        const QByteArray token = "sk-ant-oat01-SecretTokenValue0123456789abcdefghij";
        QCOMPARE(Relay::Log::redactHeaderValue("Authorization", "Bearer " + token),
                 u"Bearer sk-ant-oat01-Secr\u2026(%1)"_s.arg(token.size()));
        QCOMPARE(Relay::Log::redactHeaderValue("proxy-authorization", "Basic dXNlcjpwYXNzd29yZA=="),
                 u"Basic dXNl\u2026(20)"_s);
        QCOMPARE(Relay::Log::redactHeaderValue("X-Api-Key", token), u"sk-ant-oat01-Secr\u2026(%1)"_s.arg(token.size()));
        QCOMPARE(Relay::Log::redactHeaderValue("Cookie", "session=abcdef"), u"\u2026(14)"_s);
        QCOMPARE(Relay::Log::redactHeaderValue("content-type", "application/json"), u"application/json"_s);
        QVERIFY(!Relay::Log::redactHeaderValue("authorization", "Bearer " + token).contains(u"TokenValue"_s));
    }

    void rotatingFileSinkWritesAndRotates()
    {
        QTemporaryDir dir;
        Relay::Log::LogOptions options;
        options.toStderr = false;
        options.filePath = dir.filePath(u"logs/relay.log"_s); // the directory is created
        options.maxFileSize = 64 * 1024;
        options.maxFiles = 2;
        const auto result = Relay::Log::init(options);
        QVERIFY2(result.ok(), qPrintable(result.error));
        const std::string padding(100, 'x');
        for (int i = 0; i < 1500; ++i)
            Relay::Log::logger().info("file line {} {}", i, padding);
        Relay::Log::shutdown();

        QFile current(options.filePath);
        QVERIFY(current.open(QIODevice::ReadOnly));
        const QByteArray text = current.readAll();
        QVERIFY(text.contains("file line 1499"));
        QVERIFY(text.size() <= options.maxFileSize);
        QVERIFY(QFile::exists(dir.filePath(u"logs/relay.1.log"_s)));
        QVERIFY(!QFile::exists(dir.filePath(u"logs/relay.3.log"_s)));
    }

    void unwritableLogFileIsAnError()
    {
        Relay::Log::LogOptions options;
        options.toStderr = false;
        options.filePath = u"/proc/relaydeck-no-such-dir/relay.log"_s;
        const auto result = Relay::Log::init(options);
        QVERIFY(!result.ok());
        QVERIFY2(result.error.contains(u"/proc/relaydeck-no-such-dir"_s), qPrintable(result.error));
        Relay::Log::logger().info("the fallback logger still works");
    }
};

QTEST_GUILESS_MAIN(TstLogging)
#include "tst_logging.moc"
