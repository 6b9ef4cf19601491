// SPDX-License-Identifier: GPL-3.0-or-later
#include "redis/keyspace.h"

#include <QTest>

using Relay::Redis::KeySpace;

class TstKeySpace : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void buildsOwnerKeysWithHashTags()
    {
        const KeySpace keys;
        QCOMPARE(keys.prefix(), QByteArray("rd:"));
        QCOMPARE(keys.apiKey("k1", "usage"), QByteArray("rd:{key:k1}:usage"));
        QCOMPARE(keys.account("a-7", "state"), QByteArray("rd:{acct:a-7}:state"));
        QCOMPARE(keys.owned("lease", "a1", "slots"), QByteArray("rd:{lease:a1}:slots"));
        QCOMPARE(keys.owned("key", "k1", {}), QByteArray("rd:{key:k1}"));
        QCOMPARE(keys.global("key_ids"), QByteArray("rd:key_ids"));
    }

    void usesConfiguredPrefix()
    {
        const KeySpace keys("test:");
        QCOMPARE(keys.apiKey("k1", "usage"), QByteArray("test:{key:k1}:usage"));
        QCOMPARE(keys.global("accounts"), QByteArray("test:accounts"));
        const KeySpace empty("");
        QCOMPARE(empty.global("x"), QByteArray("x"));
    }

    void dropsBracesFromPrefix()
    {
        // A brace in the prefix would become the hash tag of every key and put them all in one slot.
        const KeySpace keys("a{b}:");
        QCOMPARE(keys.prefix(), QByteArray("ab:"));
        QCOMPARE(KeySpace::hashTag(keys.apiKey("k1", "x")), QByteArrayView("key:k1"));
    }

    void escapesIdsSoTheyCannotBreakTheHashTag()
    {
        const KeySpace keys;
        QCOMPARE(keys.apiKey("a}b", "x"), QByteArray("rd:{key:a%7Db}:x"));
        QCOMPARE(keys.apiKey("{", "x"), QByteArray("rd:{key:%7B}:x"));
        QCOMPARE(keys.apiKey("50%", "x"), QByteArray("rd:{key:50%25}:x"));
        // Escaping stays unambiguous: distinct ids give distinct keys.
        QVERIFY(keys.apiKey("%7D", "x") != keys.apiKey("}", "x"));
    }

    void putsAnOwnersKeysInOneClusterSlot()
    {
        const KeySpace keys;
        const quint16 slot = KeySpace::clusterSlot(keys.apiKey("k1", "usage"));
        QCOMPARE(KeySpace::clusterSlot(keys.apiKey("k1", "limits")), slot);
        QCOMPARE(KeySpace::clusterSlot(keys.apiKey("k1", "cost:daily:2024-05-01")), slot);
        QCOMPARE(KeySpace::clusterSlot(keys.owned("key", "k1", {})), slot);
        // Different owners spread over slots (these two happen to differ; the check is deterministic).
        QVERIFY(KeySpace::clusterSlot(keys.apiKey("k2", "usage")) != slot);
        QCOMPARE(KeySpace::hashTag(keys.account("a1", "usage")), QByteArrayView("acct:a1"));
    }

    void computesRedisClusterSlots()
    {
        // Reference values from the Redis Cluster specification (the server's key-slot command agrees).
        QCOMPARE(KeySpace::clusterSlot("foo"), quint16(12182));
        QCOMPARE(KeySpace::clusterSlot("somekey"), quint16(11058));
        QCOMPARE(KeySpace::clusterSlot("{user1000}.following"), KeySpace::clusterSlot("{user1000}.followers"));
        QCOMPARE(KeySpace::hashTag("foo{}{bar}"), QByteArrayView("foo{}{bar}"));
        QCOMPARE(KeySpace::hashTag("foo{{bar}}zap"), QByteArrayView("{bar"));
        QCOMPARE(KeySpace::hashTag("foo{bar}{zap}"), QByteArrayView("bar"));
        QCOMPARE(KeySpace::hashTag("plain"), QByteArrayView("plain"));
    }

    void buildsScanPatterns()
    {
        const KeySpace keys;
        QCOMPARE(keys.ownedPattern("key", "usage"), QByteArray("rd:{key:*}:usage"));
        QCOMPARE(keys.allPattern(), QByteArray("rd:*"));
        const KeySpace odd("x*[1]?:");
        QCOMPARE(odd.allPattern(), QByteArray("x\\*\\[1\\]\\?:*"));
    }
};

QTEST_GUILESS_MAIN(TstKeySpace)
#include "tst_keyspace.moc"
