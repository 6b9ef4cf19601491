// SPDX-License-Identifier: GPL-3.0-or-later
#include "redis/client.h"
#include "redis/keyspace.h"
#include "usage/leases.h"

#include "redisserver.h"

#include <QDateTime>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>
#include <optional>

using Relay::Redis::Client;
using Relay::Redis::ConnectionOptions;
using Relay::Usage::DualLeaseResult;
using Relay::Usage::LeaseResult;
using Relay::Usage::Leases;

namespace {

// Issues `count` acquires at once from its own thread and its own Redis connection.
class AcquireWorker : public QObject
{
public:
    std::atomic<int> granted{0};
    std::atomic<int> answered{0};
    std::atomic<int> errors{0};

    void start(const QString &url, const QByteArray &key, int count, int limit, qint64 nowMs)
    {
        m_client = new Client(*ConnectionOptions::fromUrl(url), this);
        Leases leases(m_client);
        for (int i = 0; i < count; ++i) {
            const QByteArray member = QByteArray::number(quintptr(this)) + '-' + QByteArray::number(i);
            leases.acquire(key, member, limit, 60000, nowMs, this, [this](const LeaseResult &result) {
                if (!result.ok())
                    ++errors;
                if (result.granted)
                    ++granted;
                ++answered;
            });
        }
    }

private:
    Client *m_client = nullptr;
};

} // namespace

class TestLeases : public QObject
{
    Q_OBJECT

private:
    RedisServer m_server;
    std::unique_ptr<Client> m_client;
    Relay::Redis::KeySpace m_keys;

    LeaseResult acquire(Leases &leases, const QByteArray &key, const QByteArray &member, qint64 limit, qint64 leaseMs,
                        qint64 nowMs)
    {
        std::optional<LeaseResult> out;
        leases.acquire(key, member, limit, leaseMs, nowMs, this, [&](const LeaseResult &r) { out = r; });
        return wait(out);
    }
    LeaseResult refresh(Leases &leases, const QByteArray &key, const QByteArray &member, qint64 leaseMs, qint64 nowMs)
    {
        std::optional<LeaseResult> out;
        leases.refresh(key, member, leaseMs, nowMs, this, [&](const LeaseResult &r) { out = r; });
        return wait(out);
    }
    LeaseResult release(Leases &leases, const QByteArray &key, const QByteArray &member)
    {
        std::optional<LeaseResult> out;
        leases.release(key, member, this, [&](const LeaseResult &r) { out = r; });
        return wait(out);
    }
    static LeaseResult wait(std::optional<LeaseResult> &out)
    {
        if (!QTest::qWaitFor([&] { return out.has_value(); }, 5000))
            return LeaseResult{QStringLiteral("no answer within 5 s")};
        return out.value_or(LeaseResult{QStringLiteral("no answer")});
    }
    static qint64 now() { return QDateTime::currentMSecsSinceEpoch(); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
        m_client = std::make_unique<Client>(*ConnectionOptions::fromUrl(m_server.url()));
        QTRY_VERIFY(m_client->isConnected());
    }

    void init() { QVERIFY(!m_server.command({"FLUSHALL"}).isError()); }

    void neverGrantsMoreThanTheLimitUnderConcurrency()
    {
        // 50 acquires in flight at once from 5 threads with 5 connections, limit 5.
        const QByteArray key = m_keys.apiKey("k-concurrent", "leases");
        const qint64 nowMs = now();
        std::vector<std::unique_ptr<QThread>> threads;
        std::vector<AcquireWorker *> workers;
        for (int t = 0; t < 5; ++t) {
            auto thread = std::make_unique<QThread>();
            auto *worker = new AcquireWorker;
            worker->moveToThread(thread.get());
            connect(thread.get(), &QThread::finished, worker, &QObject::deleteLater);
            thread->start();
            const QString url = m_server.url();
            QMetaObject::invokeMethod(worker, [=] { worker->start(url, key, 10, 5, nowMs); });
            workers.push_back(worker);
            threads.push_back(std::move(thread));
        }
        auto sum = [&](std::atomic<int> AcquireWorker::*field) {
            int total = 0;
            for (AcquireWorker *w : workers)
                total += (w->*field).load();
            return total;
        };
        QTRY_COMPARE_WITH_TIMEOUT(sum(&AcquireWorker::answered), 50, 10000);
        QCOMPARE(sum(&AcquireWorker::errors), 0);
        QCOMPARE(sum(&AcquireWorker::granted), 5);
        QCOMPARE(m_server.command({"ZCARD", key}).toInteger(), qint64(5));
        for (auto &thread : threads) {
            thread->quit();
            thread->wait();
        }
    }

    void releaseFreesASlot()
    {
        Leases leases(m_client.get());
        const QByteArray key = m_keys.apiKey("k1", "leases");
        const qint64 t = now();
        LeaseResult a = acquire(leases, key, "a", 1, 60000, t);
        QVERIFY2(a.ok(), qPrintable(a.error));
        QVERIFY(a.granted);
        QCOMPARE(a.count, qint64(1));
        QVERIFY(!acquire(leases, key, "b", 1, 60000, t).granted);
        // Acquiring a held member again extends it and takes no second slot.
        LeaseResult again = acquire(leases, key, "a", 1, 60000, t);
        QVERIFY(again.granted);
        QCOMPARE(again.count, qint64(1));

        LeaseResult released = release(leases, key, "a");
        QVERIFY(released.granted);
        QCOMPARE(released.count, qint64(0));
        QCOMPARE(m_server.command({"EXISTS", key}).toInteger(), qint64(0)); // the empty ZSET is gone
        QVERIFY(acquire(leases, key, "b", 1, 60000, t).granted);
        QVERIFY(!release(leases, key, "a").granted); // releasing twice is harmless
    }

    void expiredLeaseFreesItsSlot()
    {
        Leases leases(m_client.get());
        const QByteArray key = m_keys.account("acct1", "leases");
        const qint64 t = now();
        QVERIFY(acquire(leases, key, "crashed", 1, 100, t).granted); // its holder never releases it
        QVERIFY(!acquire(leases, key, "b", 1, 100, t + 50).granted);
        QVERIFY(!acquire(leases, key, "b", 1, 100, t + 99).granted);
        LeaseResult later = acquire(leases, key, "b", 1, 100, t + 100); // expiry t + 100 has passed
        QVERIFY(later.granted);
        QCOMPARE(later.count, qint64(1));
        QCOMPARE(m_server.command({"ZSCORE", key, "crashed"}).type, RedisServer::Reply::Type::Nil);
    }

    void leaseKeyExpiresAfterTheLastLease()
    {
        Leases leases(m_client.get(), 0); // no grace, so the key goes with the lease
        const QByteArray key = m_keys.apiKey("k-ttl", "leases");
        QVERIFY(acquire(leases, key, "a", 3, 300, now()).granted);
        const qint64 ttl = m_server.command({"PTTL", key}).toInteger();
        QVERIFY2(ttl > 0 && ttl <= 300, QByteArray::number(ttl).constData());
        QTRY_COMPARE_WITH_TIMEOUT(m_server.command({"EXISTS", key}).toInteger(), qint64(0), 3000);
    }

    void leaseKeyTtlCoversTheLongestLease()
    {
        Leases leases(m_client.get(), 1000);
        const QByteArray key = m_keys.apiKey("k-ttl2", "leases");
        const qint64 t = now();
        QVERIFY(acquire(leases, key, "long", 3, 60000, t).granted);
        QVERIFY(acquire(leases, key, "short", 3, 100, t).granted); // must not shorten the key's TTL
        const qint64 ttl = m_server.command({"PTTL", key}).toInteger();
        QVERIFY2(ttl > 55000 && ttl <= 61000, QByteArray::number(ttl).constData());
    }

    void refreshKeepsALeaseAlive()
    {
        Leases leases(m_client.get());
        const QByteArray key = m_keys.apiKey("k-refresh", "leases");
        const qint64 t = now();
        QVERIFY(acquire(leases, key, "a", 1, 100, t).granted);
        LeaseResult refreshed = refresh(leases, key, "a", 100, t + 80); // now expires at t + 180
        QVERIFY2(refreshed.ok(), qPrintable(refreshed.error));
        QVERIFY(refreshed.granted);
        QVERIFY(!acquire(leases, key, "b", 1, 100, t + 150).granted); // without the refresh this would pass
        QCOMPARE(m_server.command({"ZSCORE", key, "a"}).toInteger(), t + 180);
        // A lease that has already expired is not brought back.
        QVERIFY(!refresh(leases, key, "a", 100, t + 181).granted);
        QVERIFY(!refresh(leases, key, "never-held", 100, t).granted);
        QVERIFY(acquire(leases, key, "b", 1, 100, t + 181).granted);
    }

    void acquireBothGivesTheKeySlotBackWhenTheAccountIsFull()
    {
        Leases leases(m_client.get());
        const QByteArray keyZset = m_keys.apiKey("kb", "leases");
        const QByteArray accountZset = m_keys.account("ab", "leases");
        const qint64 t = now();
        QVERIFY(acquire(leases, accountZset, "other", 1, 60000, t).granted);

        std::optional<DualLeaseResult> out;
        leases.acquireBoth(keyZset, 5, accountZset, 1, "req", 60000, t, this,
                           [&](const DualLeaseResult &r) { out = r; });
        QTRY_VERIFY(out.has_value());
        QVERIFY2(out->ok(), qPrintable(out->error));
        QVERIFY(!out->granted);
        QCOMPARE(out->refusedBy, DualLeaseResult::Refused::Account);
        QTRY_COMPARE(m_server.command({"EXISTS", keyZset}).toInteger(), qint64(0));

        QVERIFY(release(leases, accountZset, "other").granted);
        out.reset();
        leases.acquireBoth(keyZset, 5, accountZset, 1, "req", 60000, t, this,
                           [&](const DualLeaseResult &r) { out = r; });
        QTRY_VERIFY(out.has_value());
        QVERIFY(out->granted);
        QCOMPARE(out->keyCount, qint64(1));
        QCOMPARE(out->accountCount, qint64(1));
        QCOMPARE(m_server.command({"ZCARD", keyZset}).toInteger(), qint64(1));
        QCOMPARE(m_server.command({"ZCARD", accountZset}).toInteger(), qint64(1));
    }

    void releaseCommandWorksInAPipeline()
    {
        Leases leases(m_client.get());
        const QByteArray key = m_keys.apiKey("k-pipe", "leases");
        QVERIFY(acquire(leases, key, "a", 2, 60000, now()).granted);
        QCOMPARE(m_server.command(Leases::releaseCommand(key, "a")).toInteger(), qint64(1));
        QCOMPARE(m_server.command({"EXISTS", key}).toInteger(), qint64(0));
    }
};

QTEST_GUILESS_MAIN(TestLeases)
#include "tst_leases.moc"
