// SPDX-License-Identifier: GPL-3.0-or-later
// Sticky sessions against a real redis-server: the mapping lives in Redis with its TTL; a worker remembers what it
// read or wrote for a bounded time and a bounded number of sessions.
#include "redis/client.h"
#include "redis/keyspace.h"
#include "relay/stickysessions.h"

#include "redisserver.h"

#include <QTest>

#include <memory>
#include <optional>

using Relay::Proxy::StickySessions;
using Relay::Redis::Client;
using Relay::Redis::ConnectionOptions;

class TestStickySessions : public QObject
{
    Q_OBJECT

private:
    RedisServer m_server;
    std::unique_ptr<Client> m_client;
    Relay::Redis::KeySpace m_keys;
    static constexpr qint64 T0 = 1'800'000'000'000;

    std::optional<QByteArray> lookUp(StickySessions &sessions, const QByteArray &hash, qint64 nowMs)
    {
        std::optional<QByteArray> out;
        sessions.lookUp(hash, nowMs, this, [&](const QByteArray &id) { out = id; });
        (void)QTest::qWaitFor([&] { return out.has_value(); }, 5000); // a missing answer fails the caller
        return out;
    }
    std::unique_ptr<StickySessions> make(StickySessions::Options options = {})
    {
        return std::make_unique<StickySessions>(m_client.get(), m_keys, options);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
        m_client = std::make_unique<Client>(*ConnectionOptions::fromUrl(m_server.url()));
        QTRY_VERIFY(m_client->isConnected());
    }

    void init() { QVERIFY(!m_server.command({"FLUSHALL"}).isError()); }

    void lookUpReadsAndRenewsTheMappingAndRemembersIt()
    {
        QVERIFY(!m_server.command({"SET", "rd:sticky:s1", "acct-a", "EX", "100"}).isError());
        auto sessions = make({.ttlSeconds = 3600, .localMs = 30'000});
        QCOMPARE(sessions->known("s1", T0), QByteArray());
        QCOMPARE(lookUp(*sessions, "s1", T0), std::optional<QByteArray>("acct-a"));
        QVERIFY(m_server.command({"TTL", "rd:sticky:s1"}).toInteger() > 3000); // renewed to the full TTL
        // Known locally from now on, until the local time is over.
        QCOMPARE(sessions->known("s1", T0 + 29'999), QByteArray("acct-a"));
        QCOMPARE(sessions->known("s1", T0 + 30'000), QByteArray());
        // Unknown sessions: no entry in Redis, nothing remembered.
        QCOMPARE(lookUp(*sessions, "s2", T0), std::optional<QByteArray>(QByteArray()));
        QCOMPARE(sessions->localCount(), 1);
    }

    void assignWritesRedisAndIsKnownAtOnce()
    {
        auto sessions = make({.ttlSeconds = 600, .localMs = 30'000});
        sessions->assign("s1", "acct-b", T0);
        QCOMPARE(sessions->known("s1", T0 + 1), QByteArray("acct-b"));
        QTRY_COMPARE(m_server.command({"GET", "rd:sticky:s1"}).toByteArray(), QByteArray("acct-b"));
        const qint64 ttl = m_server.command({"TTL", "rd:sticky:s1"}).toInteger();
        QVERIFY2(ttl > 590 && ttl <= 600, QByteArray::number(ttl));
        // Another worker (or instance) learns it from Redis.
        auto other = make({.ttlSeconds = 600});
        QCOMPARE(lookUp(*other, "s1", T0), std::optional<QByteArray>("acct-b"));
    }

    void aChangeElsewhereIsFollowedAfterTheLocalTime()
    {
        auto sessions = make({.ttlSeconds = 3600, .localMs = 1000});
        sessions->assign("s1", "acct-a", T0);
        QTRY_COMPARE(m_server.command({"GET", "rd:sticky:s1"}).toByteArray(), QByteArray("acct-a"));
        QVERIFY(!m_server.command({"SET", "rd:sticky:s1", "acct-b"}).isError()); // another instance moved it
        QCOMPARE(sessions->known("s1", T0 + 999), QByteArray("acct-a"));
        QCOMPARE(sessions->known("s1", T0 + 1000), QByteArray());
        QCOMPARE(lookUp(*sessions, "s1", T0 + 1000), std::optional<QByteArray>("acct-b"));
        QCOMPARE(sessions->known("s1", T0 + 1001), QByteArray("acct-b"));
    }

    void localTimeNeverOutlivesTheTtl()
    {
        auto sessions = make({.ttlSeconds = 10, .localMs = 30'000});
        sessions->assign("s1", "acct-a", T0);
        QCOMPARE(sessions->known("s1", T0 + 4'999), QByteArray("acct-a"));
        QCOMPARE(sessions->known("s1", T0 + 5'000), QByteArray()); // at most half the TTL
    }

    void memoryIsBounded()
    {
        auto sessions = make({.ttlSeconds = 3600, .localMs = 1000, .maxLocal = 3});
        sessions->assign("s1", "a", T0);
        sessions->assign("s2", "a", T0);
        sessions->assign("s3", "a", T0 + 500);
        // Full: the out-of-date entries (s1, s2) go first, the fresh one stays.
        sessions->assign("s4", "b", T0 + 1200);
        QCOMPARE(sessions->localCount(), 2);
        QCOMPARE(sessions->known("s3", T0 + 1200), QByteArray("a"));
        QCOMPARE(sessions->known("s4", T0 + 1200), QByteArray("b"));
        // Full of fresh entries: all are forgotten (Redis still has them) rather than growing.
        sessions->assign("s5", "c", T0 + 1200);
        sessions->assign("s6", "c", T0 + 1200);
        QVERIFY(sessions->localCount() <= 3);
        QCOMPARE(sessions->known("s6", T0 + 1200), QByteArray("c"));
        QTRY_COMPARE(m_server.command({"GET", "rd:sticky:s1"}).toByteArray(), QByteArray("a"));
    }

    void withoutRedisTheRequestGoesOnWithoutStickiness()
    {
        RedisServer down;
        QVERIFY2(down.start(), qPrintable(down.errorString()));
        Client client(*ConnectionOptions::fromUrl(down.url()));
        QTRY_VERIFY(client.isConnected());
        down.stop();
        QTRY_VERIFY(!client.isConnected());
        StickySessions offline(&client, m_keys, {});
        QCOMPARE(lookUp(offline, "s1", T0), std::optional<QByteArray>(QByteArray()));
        QCOMPARE(offline.localCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestStickySessions)
#include "tst_stickysessions.moc"
