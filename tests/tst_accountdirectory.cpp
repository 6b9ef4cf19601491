// SPDX-License-Identifier: GPL-3.0-or-later
// Proxy::AccountDirectory (health state machine, scheduler) and Proxy::AccountSync against a real redis-server
// (records, groups, health state and daily costs reaching the directory through the change feed and the poll).
#include "domain/accountstore.h"
#include "domain/changefeed.h"
#include "domain/groupstore.h"
#include "domain/serversecret.h"
#include "redis/client.h"
#include "redisserver.h"
#include "relay/accountdirectory.h"
#include "relay/accountsync.h"
#include "waitforcallback.h"

#include <QSignalSpy>
#include <QTest>

using namespace Relay;
using namespace Relay::Proxy;

namespace {

constexpr int WaitMs = 15000;
constexpr qint64 T0 = 1'800'000'000'000; // a fixed "now" for the pure directory tests

AccountEntry account(const QByteArray &id, int priority = 50)
{
    AccountEntry e;
    e.id = id;
    e.name = QString::fromLatin1(id);
    e.secret = "secret-" + id;
    e.priority = priority;
    return e;
}

PickRequest at(qint64 nowMs)
{
    PickRequest r;
    r.nowMs = nowMs;
    return r;
}

Domain::Error waitDone(const std::function<void(QObject *, std::function<void(const Domain::Error &)>)> &call)
{
    return waitForCallback<Domain::Error>(call, WaitMs)
        .value_or(Domain::Error{Domain::Error::Kind::Redis, QStringLiteral("test gave up waiting")});
}

} // namespace

class TstAccountDirectory : public QObject
{
    Q_OBJECT

private:
    RedisServer m_server;
    std::unique_ptr<Redis::Client> m_client;
    Domain::DomainKeys m_keys;
    Domain::SecretBox m_box{
        Domain::ServerSecret::fromBytes(QByteArray(Domain::ServerSecret::Size, 'd')).encryptionKey()};

    Domain::AccountStore store() const { return Domain::AccountStore(m_client.get(), m_keys, m_box); }
    QByteArray createAccount(const Domain::NewAccount &request)
    {
        const Domain::AccountStore accounts = store();
        const auto r = waitForCallback<Domain::Result<Domain::Account>>(
            [&](QObject *c, auto cb) { accounts.create(request, c, cb); }, WaitMs);
        return r && r->ok() ? r->value.id : QByteArray();
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (RedisServer::executable().isEmpty())
            QFAIL("redis-server is not installed");
        QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
        m_client = std::make_unique<Redis::Client>(*Redis::ConnectionOptions::fromUrl(m_server.url()));
        QVERIFY(QTest::qWaitFor([&] { return m_client->isConnected(); }, WaitMs));
    }

    void init() { QCOMPARE(m_server.command({"FLUSHALL"}).toByteArray(), QByteArray("OK")); }

    void picksByPriorityThenLeastRecentlyUsed()
    {
        AccountDirectory d;
        d.replaceAll({account("a", 10), account("b", 10), account("c", 5)});
        QCOMPARE(d.pick(at(T0)).id, QByteArray("c"));
        QCOMPARE(d.pick(at(T0 + 1)).id, QByteArray("c")); // priority beats recency
        PickRequest skipC = at(T0 + 2);
        skipC.exclude = {"c"};
        QCOMPARE(d.pick(skipC).id, QByteArray("a")); // equal priority, never used: id order
        skipC.nowMs = T0 + 3;
        QCOMPARE(d.pick(skipC).id, QByteArray("b")); // a was used last
        skipC.nowMs = T0 + 4;
        QCOMPARE(d.pick(skipC).id, QByteArray("a"));
        // The old API still works.
        PickRequest skipCA = at(T0 + 5);
        skipCA.exclude = {"c", "a"};
        QCOMPARE(d.pick(skipCA).id, QByteArray("b"));
    }

    void stickyWinsWhileUsable()
    {
        AccountDirectory d;
        d.replaceAll({account("a", 1), account("b", 50)});
        PickRequest r = at(T0);
        r.stickyId = "b";
        QCOMPARE(d.pick(r).id, QByteArray("b"));
        r.exclude = {"b"};
        QCOMPARE(d.pick(r).id, QByteArray("a")); // excluded (already failed for this request)
        r.exclude.clear();
        QVERIFY(d.setHealth("b", AccountHealth::Cooling, T0 + 60'000, QStringLiteral("429")));
        QCOMPARE(d.pick(r).id, QByteArray("a"));
        r.stickyId = "gone";
        QCOMPARE(d.pick(r).id, QByteArray("a"));
    }

    void skipsDisabledUnschedulableAndSecretless()
    {
        AccountDirectory d;
        AccountEntry off = account("off", 1);
        off.enabled = false;
        AccountEntry paused = account("paused", 1);
        paused.schedulable = false;
        AccountEntry empty = account("empty", 1);
        empty.secret.clear();
        d.replaceAll({off, paused, empty, account("ok", 90)});
        QCOMPARE(d.pick(at(T0)).id, QByteArray("ok"));
        PickRequest r = at(T0);
        r.exclude = {"ok"};
        const PickResult none = d.pick(r);
        QVERIFY(none.id.isEmpty());
        QVERIFY2(none.unavailableReason.contains(QStringLiteral("3 disabled or paused")),
                 qPrintable(none.unavailableReason));
        QVERIFY(!none.unavailableReason.contains(QStringLiteral("paused (not"))); // no account names or details
    }

    void coolingBecomesHalfOpenWithASingleProbe()
    {
        AccountDirectory d;
        d.replaceAll({account("a", 1), account("b", 50)});
        const qint64 until = QDateTime::currentMSecsSinceEpoch() + 30'000;
        QVERIFY(d.setHealth("a", AccountHealth::Cooling, until, QStringLiteral("rate limited")));
        QVERIFY(!d.setHealth("a", AccountHealth::Cooling, until, QStringLiteral("rate limited"))); // no change
        QCOMPARE(d.find("a")->health, AccountHealth::Cooling);
        QVERIFY(d.find("a")->changedAtMs > 0);
        QCOMPARE(d.find("a")->effectiveHealth(until - 1), AccountHealth::Cooling);
        QCOMPARE(d.find("a")->effectiveHealth(until), AccountHealth::HalfOpen);

        QCOMPARE(d.pick(at(until - 1)).id, QByteArray("b"));
        const PickResult probe = d.pick(at(until + 1));
        QCOMPARE(probe.id, QByteArray("a"));
        QVERIFY(probe.probe);
        // While the probe is out, everyone else skips the account.
        for (int i = 2; i < 5; ++i) {
            const PickResult other = d.pick(at(until + i));
            QCOMPARE(other.id, QByteArray("b"));
            QVERIFY(!other.probe);
        }
        // The probe's success ends the cooldown.
        QVERIFY(d.setHealth("a", AccountHealth::Active, 0, QStringLiteral("served a request")));
        const PickResult after = d.pick(at(until + 10));
        QCOMPARE(after.id, QByteArray("a"));
        QVERIFY(!after.probe);
        QCOMPARE(d.find("a")->health, AccountHealth::Active);
    }

    void lateSuccessDoesNotEndARunningCooldown()
    {
        AccountDirectory d;
        d.replaceAll({account("a")});
        const qint64 until = QDateTime::currentMSecsSinceEpoch() + 60'000;
        QVERIFY(d.setHealth("a", AccountHealth::Cooling, until, QStringLiteral("429")));
        QVERIFY(!d.setHealth("a", AccountHealth::Active, 0, QStringLiteral("served a request")));
        QCOMPARE(d.find("a")->health, AccountHealth::Cooling);
    }

    void probeFailureCoolsAgainAndAStuckProbeTimesOut()
    {
        AccountDirectory d;
        d.replaceAll({account("a")});
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QVERIFY(d.setHealth("a", AccountHealth::Cooling, now - 1, QStringLiteral("overloaded")));
        QVERIFY(d.pick(at(now)).probe);
        PickResult blocked = d.pick(at(now + 1));
        QVERIFY(blocked.id.isEmpty());
        QVERIFY2(blocked.unavailableReason.contains(QStringLiteral("probe")), qPrintable(blocked.unavailableReason));
        // The probe failed: cooling again, and no probe until that ends.
        QVERIFY(d.setHealth("a", AccountHealth::Cooling, now + 120'000, QStringLiteral("overloaded again")));
        QVERIFY(d.pick(at(now + 2)).id.isEmpty());
        const PickResult probe = d.pick(at(now + 120'000));
        QVERIFY(probe.probe);
        // A probe that never reports stops blocking after ProbeTimeoutMs.
        QVERIFY(d.pick(at(now + 120'001)).id.isEmpty());
        const PickResult next = d.pick(at(now + 120'000 + AccountDirectory::ProbeTimeoutMs));
        QCOMPARE(next.id, QByteArray("a"));
        QVERIFY(next.probe);
        // endProbe (a request that said nothing about the account) lets the next probe go at once.
        d.endProbe("a");
        QVERIFY(d.pick(at(now + 120'000 + AccountDirectory::ProbeTimeoutMs + 1)).probe);
    }

    void unauthorizedAndBlockedNeedAnOperator()
    {
        AccountDirectory d;
        d.replaceAll({account("a"), account("b")});
        QVERIFY(d.setHealth("a", AccountHealth::Unauthorized, 0, QStringLiteral("401 invalid x-api-key")));
        QVERIFY(d.setHealth("b", AccountHealth::Blocked, 0, QStringLiteral("organization disabled")));
        for (AccountHealth h : {AccountHealth::Active, AccountHealth::Cooling, AccountHealth::HalfOpen}) {
            QVERIFY(!d.setHealth("a", h, T0 + 1000, QStringLiteral("x")));
            QVERIFY(!d.setHealth("b", h, T0 + 1000, QStringLiteral("x")));
        }
        const PickResult none = d.pick(at(QDateTime::currentMSecsSinceEpoch() + 86'400'000));
        QVERIFY(none.id.isEmpty());
        QVERIFY2(none.unavailableReason.contains(QStringLiteral("2 unauthorized or blocked")),
                 qPrintable(none.unavailableReason));
        PickRequest bound = at(T0);
        bound.boundAccountId = "a";
        QCOMPARE(d.pick(bound).unavailableReason,
                 QStringLiteral("the account bound to this key is unauthorized (401 invalid x-api-key); an operator "
                                "must reset it"));
        // The operator's reset reaches the directory as a reload of the state from Redis.
        AccountEntry reset = account("a");
        applyHealthState(reset, healthStateFields(AccountHealth::Active, 0, QStringLiteral("reset by operator"), T0));
        d.upsert(reset, false);
        QCOMPARE(d.pick(at(T0)).id, QByteArray("a"));
        QCOMPARE(d.find("a")->reason, QStringLiteral("reset by operator"));
    }

    void familyCooldownSkipsOnlyThatFamily()
    {
        AccountDirectory d;
        d.replaceAll({account("a", 1), account("b", 50)});
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QVERIFY(d.setFamilyCooldown("a", "opus", now + 3'600'000, QStringLiteral("opus weekly limit")));
        QVERIFY(!d.setFamilyCooldown("a", "opus", now + 3'600'000, QStringLiteral("opus weekly limit")));
        PickRequest r = at(now);
        r.family = "opus";
        QCOMPARE(d.pick(r).id, QByteArray("b"));
        r.family = "sonnet";
        QCOMPARE(d.pick(r).id, QByteArray("a"));
        r.family.clear();
        QCOMPARE(d.pick(r).id, QByteArray("a"));
        r.family = "opus";
        r.nowMs = now + 3'600'000; // over
        QCOMPARE(d.pick(r).id, QByteArray("a"));

        r.nowMs = now;
        r.boundAccountId = "a";
        const PickResult none = d.pick(r);
        QVERIFY(none.id.isEmpty());
        QVERIFY2(none.unavailableReason.startsWith(
                     QStringLiteral("the account bound to this key is cooling down for opus models until ")),
                 qPrintable(none.unavailableReason));
        QVERIFY2(none.unavailableReason.endsWith(QStringLiteral(" UTC (opus weekly limit)")),
                 qPrintable(none.unavailableReason));
        QVERIFY(d.setFamilyCooldown("a", "opus", 0, {}));
        QCOMPARE(d.pick(r).id, QByteArray("a"));
    }

    void bindingsRestrictTheChoice()
    {
        AccountDirectory d;
        AccountEntry g1 = account("g1", 50);
        g1.groupIds = {"grp"};
        AccountEntry g2 = account("g2", 40);
        g2.groupIds = {"grp", "other"};
        d.replaceAll({account("best", 1), g1, g2});

        PickRequest r = at(T0);
        r.boundAccountId = "g1";
        QCOMPARE(d.pick(r).id, QByteArray("g1"));
        r.boundAccountId = "missing";
        QCOMPARE(d.pick(r).unavailableReason, QStringLiteral("the account bound to this key does not exist"));

        r.boundAccountId.clear();
        r.boundGroupId = "grp";
        QCOMPARE(d.pick(r).id, QByteArray("g2"));
        r.stickyId = "best"; // a sticky account outside the group is not used
        QCOMPARE(d.pick(r).id, QByteArray("g2"));
        r.stickyId = "g1";
        QCOMPARE(d.pick(r).id, QByteArray("g1"));
        r.stickyId.clear();
        r.exclude = {"g1", "g2"};
        QCOMPARE(d.pick(r).unavailableReason,
                 QStringLiteral("the account group bound to this key has no accounts left to try"));
        r.exclude.clear();
        r.boundGroupId = "nobody";
        QVERIFY(d.pick(r).id.isEmpty());

        // Group members stay in the shared pool: a binding restricts keys, not accounts.
        PickRequest pool = at(T0);
        pool.exclude = {"best"};
        QCOMPARE(d.pick(pool).id, QByteArray("g2"));

        // A cooling bound account says until when, in UTC.
        const QDateTime until = QDateTime::currentDateTimeUtc().addSecs(600);
        QVERIFY(d.setHealth("g1", AccountHealth::Cooling, until.toMSecsSinceEpoch(), QStringLiteral("rate limited")));
        PickRequest bound = at(QDateTime::currentMSecsSinceEpoch());
        bound.boundAccountId = "g1";
        const QString expected = QStringLiteral("the account bound to this key is cooling down until %1 (rate limited)")
                                     .arg(until.toString(until.date() == QDateTime::currentDateTimeUtc().date()
                                                             ? QStringLiteral("HH:mm:ss 'UTC'")
                                                             : QStringLiteral("yyyy-MM-dd HH:mm:ss 'UTC'")));
        QCOMPARE(d.pick(bound).unavailableReason, expected);
    }

    void overQuotaAccountsAreSkipped()
    {
        AccountDirectory d;
        AccountEntry a = account("a", 1);
        a.dailyCostQuotaNanos = 5'000'000'000; // $5
        d.replaceAll({a, account("b", 50)});
        QCOMPARE(d.pick(at(T0)).id, QByteArray("a"));
        d.setDailyCost("a", 4'000'000'000);
        QCOMPARE(d.pick(at(T0)).id, QByteArray("a"));
        d.addCost("a", 999'999'999);
        QCOMPARE(d.dailyCost("a"), 4'999'999'999);
        QCOMPARE(d.pick(at(T0)).id, QByteArray("a"));
        d.addCost("a", 1);
        QCOMPARE(d.find("a")->dailyCostNanos, 5'000'000'000);
        QVERIFY(d.find("a")->isOverQuota());
        QCOMPARE(d.pick(at(T0)).id, QByteArray("b"));
        PickRequest bound = at(T0);
        bound.boundAccountId = "a";
        QCOMPARE(d.pick(bound).unavailableReason,
                 QStringLiteral("the account bound to this key has used its daily cost quota ($5.00 of $5.00)"));
        d.setDailyCosts({{"a", 1'000}}, "2026-01-01");
        d.setDailyCosts({{"a", 0}}, "2026-01-02"); // a new day
        QCOMPARE(d.pick(at(T0)).id, QByteArray("a"));
        // Within a day a stale read (sent before this process's last write landed) does not undo a local count.
        d.addCost("a", 5'000'000'000);
        d.setDailyCosts({{"a", 0}}, "2026-01-02");
        QCOMPARE(d.dailyCost("a"), 5'000'000'000);
        d.setDailyCosts({{"a", 6'000'000'000}}, "2026-01-02"); // another instance spent more
        QCOMPARE(d.dailyCost("a"), 6'000'000'000);
    }

    void healthStateFieldsRoundTrip()
    {
        QList<QByteArray> fields =
            healthStateFields(AccountHealth::Cooling, T0 + 5, QStringLiteral("429 rate limited"), T0);
        fields << familyCooldownFields("opus", {T0 + 99, QStringLiteral("weekly: opus"), T0 + 1});
        fields << "cooling:"
               << "junk"; // an empty family name is ignored
        AccountEntry e = account("a");
        applyHealthState(e, fields);
        QCOMPARE(e.health, AccountHealth::Cooling);
        QCOMPARE(e.coolingUntilMs, T0 + 5);
        QCOMPARE(e.reason, QStringLiteral("429 rate limited"));
        QCOMPARE(e.changedAtMs, T0);
        QCOMPARE(e.familyCooldowns.size(), 1);
        QCOMPARE(e.familyCooldowns.value("opus").untilMs, T0 + 99);
        QCOMPARE(e.familyCooldowns.value("opus").changedAtMs, T0 + 1);
        QCOMPARE(e.familyCooldowns.value("opus").reason, QStringLiteral("weekly: opus"));
        QCOMPARE(accountHealthFromName(accountHealthName(AccountHealth::HalfOpen)), AccountHealth::HalfOpen);
        QCOMPARE(accountHealthName(AccountHealth::HalfOpen), QByteArray("half_open"));
        applyHealthState(e, {});
        QCOMPARE(e.health, AccountHealth::Active);
        QVERIFY(e.familyCooldowns.isEmpty());
    }

    void syncFillsEntriesAndFollowsGroupsStateAndCosts()
    {
        const QByteArray a = createAccount({.name = QStringLiteral("a"),
                                            .type = Domain::AccountType::OAuth,
                                            .secret = "access",
                                            .refreshToken = "refresh",
                                            .tokenExpiresAt = T0,
                                            .proxyUrl = QStringLiteral("socks5://carol@127.0.0.1:1080"),
                                            .proxyPassword = "p@ss:word",
                                            .modelMapping = {{QStringLiteral("x"), QStringLiteral("y")}},
                                            .dailyCostQuotaNanos = 2'000'000'000});
        const QByteArray b = createAccount({.name = QStringLiteral("b"), .secret = "key-b"});
        QVERIFY(!a.isEmpty() && !b.isEmpty());
        m_server.command({"HSET", m_keys.accountState(b), "status", "cooling", "until", "99999999999999", "reason",
                          "429", "changed_at", "7", "cooling:opus", "99999999999999 7 opus limit"});

        AccountDirectory directory;
        AccountSync sync(m_client.get(), store(), m_keys, directory);
        const QTimeZone zone(QByteArrayLiteral("Pacific/Kiritimati")); // UTC+14: its day differs from UTC's
        QVERIFY(zone.isValid());
        sync.setTimeZone(zone);
        Domain::ChangeFeed feed(*Redis::ConnectionOptions::fromUrl(m_server.url()), m_keys);
        connect(&feed, &Domain::ChangeFeed::accountChanged, &sync, &AccountSync::reloadOne);
        QSignalSpy listening(&feed, &Domain::ChangeFeed::listening);
        QSignalSpy loaded(&sync, &AccountSync::loaded);
        QVERIFY(listening.wait(WaitMs));
        sync.reloadAll();
        QVERIFY(loaded.wait(WaitMs));
        QCOMPARE(loaded.at(0).at(0).toInt(), 2);

        const AccountEntry ea = *directory.find(a);
        QVERIFY(ea.oauth);
        QCOMPARE(ea.secret, QByteArray("access"));
        QCOMPARE(ea.refreshToken, QByteArray("refresh"));
        QCOMPARE(ea.tokenExpiresAtMs, T0);
        QCOMPARE(ea.proxy.scheme(), QStringLiteral("socks5"));
        QCOMPARE(ea.proxy.userName(), QStringLiteral("carol"));
        QCOMPARE(ea.proxy.password(), QStringLiteral("p@ss:word"));
        QCOMPARE(ea.proxy.port(), 1080);
        QCOMPARE(ea.modelMapping.value("x"), QByteArray("y"));
        QCOMPARE(ea.dailyCostQuotaNanos, 2'000'000'000);
        const AccountEntry eb = *directory.find(b);
        QCOMPARE(eb.health, AccountHealth::Cooling);
        QCOMPARE(eb.reason, QStringLiteral("429"));
        QCOMPARE(eb.changedAtMs, 7);
        QCOMPARE(eb.familyCooldowns.value("opus").reason, QStringLiteral("opus limit"));
        QVERIFY(eb.proxy.isEmpty());

        // A group membership reaches the directory through the change feed within a second.
        const Domain::GroupStore groups(m_client.get(), m_keys);
        const auto group = waitForCallback<Domain::Result<Domain::AccountGroup>>(
            [&](QObject *c, auto cb) { groups.create(QStringLiteral("team"), {}, c, cb); }, WaitMs);
        QVERIFY(group && group->ok());
        const QByteArray gid = group->value.id;
        QVERIFY(!waitDone([&](QObject *c, auto cb) { groups.addMember(gid, b, c, cb); }));
        QTRY_VERIFY_WITH_TIMEOUT(directory.find(b)->groupIds.contains(gid), 1000);
        QVERIFY(!waitDone([&](QObject *c, auto cb) { groups.remove(gid, c, cb); }));
        QTRY_VERIFY_WITH_TIMEOUT(directory.find(b)->groupIds.isEmpty(), 1000);

        // The operator's reset, too.
        const Domain::AccountStore accounts = store();
        QVERIFY(!waitDone([&](QObject *c, auto cb) { accounts.resetState(b, c, cb); }));
        QTRY_COMPARE_WITH_TIMEOUT(directory.find(b)->health, AccountHealth::Active, 1000);
        QVERIFY(directory.find(b)->familyCooldowns.isEmpty());

        // Today's cost of a quota account, read from the usage counters of the relay's day (the poll runs each
        // second; 2 s leaves room for the round trip on a busy machine).
        const QByteArray day = AccountSync::dayIn(zone, QDateTime::currentMSecsSinceEpoch());
        QCOMPARE(day, QDateTime::currentDateTime().toTimeZone(zone).date().toString(Qt::ISODate).toLatin1());
        m_server.command({"HSET", m_keys.keySpace().account(a, "usage:d:" + day), "cost_nanos", "2500000000"});
        QTRY_COMPARE_WITH_TIMEOUT(directory.dailyCost(a), 2'500'000'000, 2000);
        QVERIFY(directory.find(a)->isOverQuota());
        PickRequest boundToA = at(QDateTime::currentMSecsSinceEpoch());
        boundToA.boundAccountId = a;
        QCOMPARE(directory.pick(boundToA).unavailableReason,
                 QStringLiteral("the account bound to this key has used its daily cost quota ($2.50 of $2.00)"));
        // A raised quota is a record change: the feed brings it.
        Domain::AccountPatch raise;
        raise.dailyCostQuotaNanos = 10'000'000'000;
        QVERIFY(waitForCallback<Domain::Result<Domain::Account>>(
                    [&](QObject *c, auto cb) { accounts.update(a, raise, c, cb); }, WaitMs)
                    ->ok());
        QTRY_COMPARE_WITH_TIMEOUT(directory.find(a)->dailyCostQuotaNanos, 10'000'000'000, 1000);
        boundToA.nowMs = QDateTime::currentMSecsSinceEpoch();
        QCOMPARE(directory.pick(boundToA).id, a);

        // Deleting the account removes it.
        QVERIFY(!waitDone([&](QObject *c, auto cb) { accounts.remove(a, c, cb); }));
        QTRY_VERIFY_WITH_TIMEOUT(!directory.find(a).has_value(), 1000);
    }
};

QTEST_GUILESS_MAIN(TstAccountDirectory)
#include "tst_accountdirectory.moc"
