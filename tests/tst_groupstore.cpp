// SPDX-License-Identifier: GPL-3.0-or-later
// Domain::GroupStore against a real redis-server: CRUD through the index set, membership kept on both sides
// (group member set and the account's group_ids), the "account <id>" publishes the relay depends on, and cleanup
// when a group or an account is deleted.
#include "domain/accountstore.h"
#include "domain/changefeed.h"
#include "domain/groupstore.h"
#include "domain/serversecret.h"
#include "domainwait.h"
#include "redis/client.h"
#include "redisserver.h"
#include "waitforcallback.h"

#include <QSignalSpy>
#include <QTest>

using namespace Relay;
using namespace Relay::Domain;

namespace {

constexpr int WaitMs = 15000;

using DomainWait::wait;
using DomainWait::waitDone;

} // namespace

class TstGroupStore : public QObject
{
    Q_OBJECT

private:
    RedisServer m_server;
    std::unique_ptr<Redis::Client> m_client;
    DomainKeys m_keys;

    GroupStore groups() const { return GroupStore(m_client.get(), m_keys); }
    AccountStore accounts() const
    {
        return AccountStore(m_client.get(), m_keys,
                            SecretBox(ServerSecret::fromBytes(QByteArray(ServerSecret::Size, 'g')).encryptionKey()));
    }
    AccountGroup createGroup(const QString &name, const QString &description = {})
    {
        const GroupStore store = groups();
        const auto r = wait<AccountGroup>([&](QObject *c, auto cb) { store.create(name, description, c, cb); });
        if (!r.ok())
            qWarning("group create failed: %s", qPrintable(r.error.message));
        return r.value;
    }
    QByteArray createAccount(const QString &name)
    {
        const AccountStore store = accounts();
        const auto r = wait<Account>(
            [&](QObject *c, auto cb) { store.create({.name = name, .secret = "s-" + name.toUtf8()}, c, cb); });
        return r.value.id;
    }
    QList<QByteArray> groupIdsOf(const QByteArray &accountId)
    {
        const AccountStore store = accounts();
        return wait<Account>([&](QObject *c, auto cb) { store.get(accountId, c, cb); }).value.groupIds;
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

    void createGetListRenameRemove()
    {
        const GroupStore store = groups();
        const AccountGroup b = createGroup(QStringLiteral("beta"), QStringLiteral("second"));
        const AccountGroup a = createGroup(QStringLiteral("  alpha "));
        QVERIFY(!a.id.isEmpty() && a.id != b.id);
        QCOMPARE(a.name, QStringLiteral("alpha"));
        QCOMPARE(m_server.command({"SCARD", m_keys.groupIndex()}).toInteger(), 2);
        QCOMPARE(m_server.command({"HGET", m_keys.groupRecord(b.id), "description"}).toByteArray(),
                 QByteArray("second"));

        const auto got = wait<AccountGroup>([&](QObject *c, auto cb) { store.get(b.id, c, cb); });
        QVERIFY2(got.ok(), qPrintable(got.error.message));
        QCOMPARE(got.value.name, QStringLiteral("beta"));
        QCOMPARE(got.value.description, QStringLiteral("second"));
        QVERIFY(got.value.memberIds.isEmpty());
        QVERIFY(got.value.createdAt > 0);

        m_server.command({"SADD", m_keys.groupIndex(), "dangling"}); // an index entry without a record is skipped
        auto listed = wait<QList<AccountGroup>>([&](QObject *c, auto cb) { store.list(c, cb); });
        QVERIFY2(listed.ok(), qPrintable(listed.error.message));
        QCOMPARE(listed.value.size(), 2);
        QCOMPARE(listed.value.at(0).id, a.id); // by name
        QCOMPARE(listed.value.at(1).id, b.id);

        QVERIFY(!waitDone(
            [&](QObject *c, auto cb) { store.rename(a.id, QStringLiteral("gamma"), QStringLiteral("third"), c, cb); }));
        const auto renamed = wait<AccountGroup>([&](QObject *c, auto cb) { store.get(a.id, c, cb); });
        QCOMPARE(renamed.value.name, QStringLiteral("gamma"));
        QCOMPARE(renamed.value.description, QStringLiteral("third"));
        QVERIFY(
            !waitDone([&](QObject *c, auto cb) { store.rename(a.id, QStringLiteral("delta"), std::nullopt, c, cb); }));
        QCOMPARE(wait<AccountGroup>([&](QObject *c, auto cb) { store.get(a.id, c, cb); }).value.description,
                 QStringLiteral("third"));

        QVERIFY(!waitDone([&](QObject *c, auto cb) { store.remove(a.id, c, cb); }));
        QCOMPARE(m_server.command({"EXISTS", m_keys.groupRecord(a.id)}).toInteger(), 0);
        QCOMPARE(m_server.command({"SISMEMBER", m_keys.groupIndex(), a.id}).toInteger(), 0);
        QCOMPARE(wait<AccountGroup>([&](QObject *c, auto cb) { store.get(a.id, c, cb); }).error.kind,
                 Error::Kind::NotFound);
        QCOMPARE(waitDone([&](QObject *c, auto cb) { store.remove(a.id, c, cb); }).kind, Error::Kind::NotFound);
        QCOMPARE(waitDone([&](QObject *c, auto cb) { store.rename(a.id, QStringLiteral("x"), {}, c, cb); }).kind,
                 Error::Kind::NotFound);
        QCOMPARE(m_server.command({"EXISTS", m_keys.groupRecord(a.id)}).toInteger(), 0); // not recreated
    }

    void invalidGroupsAreRejected()
    {
        const GroupStore store = groups();
        for (const QString &name : {QString(), QStringLiteral("   "), QString(101, u'x')}) {
            const auto r = wait<AccountGroup>([&](QObject *c, auto cb) { store.create(name, {}, c, cb); });
            QCOMPARE(r.error.kind, Error::Kind::InvalidArgument);
        }
        const auto longDescription = wait<AccountGroup>([&](QObject *c, auto cb) {
            store.create(QStringLiteral("n"), QString(GroupStore::MaxDescriptionLength + 1, u'd'), c, cb);
        });
        QCOMPARE(longDescription.error.kind, Error::Kind::InvalidArgument);
        QCOMPARE(m_server.command({"DBSIZE"}).toInteger(), 0);
    }

    void membershipIsKeptOnBothSidesAndPublished()
    {
        const GroupStore store = groups();
        const AccountGroup g1 = createGroup(QStringLiteral("g1"));
        const AccountGroup g2 = createGroup(QStringLiteral("g2"));
        const QByteArray a = createAccount(QStringLiteral("a"));
        const QByteArray b = createAccount(QStringLiteral("b"));
        ChangeFeed feed(*Redis::ConnectionOptions::fromUrl(m_server.url()), m_keys);
        QSignalSpy listening(&feed, &ChangeFeed::listening);
        QSignalSpy changed(&feed, &ChangeFeed::accountChanged);
        QVERIFY(listening.wait(WaitMs));

        QVERIFY(!waitDone([&](QObject *c, auto cb) { store.addMember(g1.id, a, c, cb); }));
        QVERIFY(!waitDone([&](QObject *c, auto cb) { store.addMember(g2.id, a, c, cb); }));
        QVERIFY(!waitDone([&](QObject *c, auto cb) { store.addMember(g1.id, b, c, cb); }));
        QVERIFY(!waitDone([&](QObject *c, auto cb) { store.addMember(g1.id, b, c, cb); })); // twice is fine
        QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 4, WaitMs);
        QCOMPARE(changed.at(0).at(0).toByteArray(), a);
        QCOMPARE(changed.at(2).at(0).toByteArray(), b);

        QList<QByteArray> both{g1.id, g2.id};
        std::sort(both.begin(), both.end());
        QCOMPARE(groupIdsOf(a), both);
        QCOMPARE(groupIdsOf(b), QList<QByteArray>{g1.id});
        QList<QByteArray> members{a, b};
        std::sort(members.begin(), members.end());
        QCOMPARE(wait<QList<QByteArray>>([&](QObject *c, auto cb) { store.members(g1.id, c, cb); }).value, members);

        QVERIFY(!waitDone([&](QObject *c, auto cb) { store.removeMember(g1.id, a, c, cb); }));
        QCOMPARE(groupIdsOf(a), QList<QByteArray>{g2.id});
        QCOMPARE(wait<QList<QByteArray>>([&](QObject *c, auto cb) { store.members(g1.id, c, cb); }).value,
                 QList<QByteArray>{b});
        QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 5, WaitMs);
        QCOMPARE(changed.at(4).at(0).toByteArray(), a);

        const Error notMember = waitDone([&](QObject *c, auto cb) { store.removeMember(g1.id, a, c, cb); });
        QCOMPARE(notMember.kind, Error::Kind::NotFound);
        QVERIFY2(notMember.message.contains(QStringLiteral("not a member")), qPrintable(notMember.message));
        QCOMPARE(waitDone([&](QObject *c, auto cb) { store.addMember(g1.id, "0123456789abcdef", c, cb); }).kind,
                 Error::Kind::NotFound);
        QCOMPARE(waitDone([&](QObject *c, auto cb) { store.addMember("0123456789abcdef", a, c, cb); }).kind,
                 Error::Kind::NotFound);
        QCOMPARE(m_server.command({"EXISTS", m_keys.groupMembers("0123456789abcdef")}).toInteger(), 0);
        QCOMPARE(m_server.command({"SISMEMBER", m_keys.groupMembers(g1.id), "0123456789abcdef"}).toInteger(), 0);
    }

    void deletingAGroupTakesItOutOfItsMembers()
    {
        const GroupStore store = groups();
        const AccountGroup g1 = createGroup(QStringLiteral("g1"));
        const AccountGroup g2 = createGroup(QStringLiteral("g2"));
        const QByteArray a = createAccount(QStringLiteral("a"));
        const QByteArray b = createAccount(QStringLiteral("b"));
        for (const QByteArray &id : {a, b})
            QVERIFY(!waitDone([&](QObject *c, auto cb) { store.addMember(g1.id, id, c, cb); }));
        QVERIFY(!waitDone([&](QObject *c, auto cb) { store.addMember(g2.id, a, c, cb); }));
        ChangeFeed feed(*Redis::ConnectionOptions::fromUrl(m_server.url()), m_keys);
        QSignalSpy listening(&feed, &ChangeFeed::listening);
        QSignalSpy changed(&feed, &ChangeFeed::accountChanged);
        QVERIFY(listening.wait(WaitMs));

        QVERIFY(!waitDone([&](QObject *c, auto cb) { store.remove(g1.id, c, cb); }));
        QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 2, WaitMs); // each member learns it
        QCOMPARE(groupIdsOf(a), QList<QByteArray>{g2.id});
        QVERIFY(groupIdsOf(b).isEmpty());
        QCOMPARE(m_server.command({"HEXISTS", m_keys.accountRecord(b), "group_ids"}).toInteger(), 0);
        QCOMPARE(m_server.command({"EXISTS", m_keys.groupMembers(g1.id)}).toInteger(), 0);
    }

    void deletingAnAccountLeavesItsGroups()
    {
        const GroupStore store = groups();
        const AccountGroup g = createGroup(QStringLiteral("g"));
        const QByteArray a = createAccount(QStringLiteral("a"));
        const QByteArray b = createAccount(QStringLiteral("b"));
        for (const QByteArray &id : {a, b})
            QVERIFY(!waitDone([&](QObject *c, auto cb) { store.addMember(g.id, id, c, cb); }));
        const AccountStore accountStore = accounts();
        QVERIFY(!waitDone([&](QObject *c, auto cb) { accountStore.remove(a, c, cb); }));
        QCOMPARE(wait<QList<QByteArray>>([&](QObject *c, auto cb) { store.members(g.id, c, cb); }).value,
                 QList<QByteArray>{b});
    }
};

QTEST_GUILESS_MAIN(TstGroupStore)
#include "tst_groupstore.moc"
