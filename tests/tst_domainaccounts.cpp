// SPDX-License-Identifier: GPL-3.0-or-later
// Domain::AccountStore and SecretBox against a real redis-server: encryption at rest, tampering, wrong secrets,
// listing, updates, deletion and change notification.
#include "domain/accountstore.h"
#include "domain/changefeed.h"
#include "domain/serversecret.h"
#include "domainwait.h"
#include "redis/client.h"
#include "redisserver.h"
#include "waitforcallback.h"

#include <QSignalSpy>
#include <QTest>

#include <optional>

using namespace Relay;
using namespace Relay::Domain;

namespace {

constexpr int WaitMs = 15000;
const QByteArray UpstreamKey = "sk-ant-api03-" + QByteArray(80, 'Q') + "-tail";

SecretBox boxFor(char fill)
{
    return SecretBox(ServerSecret::fromBytes(QByteArray(ServerSecret::Size, fill)).encryptionKey());
}

using DomainWait::wait;
using DomainWait::waitDone;

} // namespace

class TstDomainAccounts : public QObject
{
    Q_OBJECT

private:
    RedisServer m_server;
    std::unique_ptr<Redis::Client> m_client;
    DomainKeys m_keys;

    AccountStore store(char secret = 'a') { return AccountStore(m_client.get(), m_keys, boxFor(secret)); }

    Account create(const AccountStore &accounts, NewAccount request)
    {
        const auto r = wait<Account>([&](QObject *c, auto cb) { accounts.create(request, c, cb); });
        if (!r.ok())
            qWarning("create failed: %s", qPrintable(r.error.message));
        return r.value;
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

    void secretBoxRoundTripsAndUsesFreshNonces()
    {
        const SecretBox box = boxFor('a');
        const auto first = box.encrypt(UpstreamKey, "acct1");
        const auto second = box.encrypt(UpstreamKey, "acct1");
        QVERIFY(first.ok() && second.ok());
        QVERIFY(first.value.startsWith("v1:"));
        QVERIFY(first.value != second.value); // random nonce
        QVERIFY(!first.value.contains("sk-ant"));
        QCOMPARE(QByteArray::fromBase64(first.value.mid(3)).size(), 12 + UpstreamKey.size() + 16);
        QCOMPARE(box.decrypt(first.value, "acct1").value, UpstreamKey);
        QCOMPARE(box.decrypt(second.value, "acct1").value, UpstreamKey);
        QCOMPARE(box.decrypt(box.encrypt("", "x").value, "x").value, QByteArray());
    }

    void tamperingIsDetected()
    {
        const SecretBox box = boxFor('a');
        const QByteArray stored = box.encrypt(UpstreamKey, "acct1").value;
        QByteArray raw = QByteArray::fromBase64(stored.mid(3));
        for (const qsizetype at : {qsizetype(0), qsizetype(20), raw.size() - 1}) { // nonce, ciphertext, tag
            QByteArray changed = raw;
            changed[at] = char(changed[at] ^ 0x01);
            const auto opened = box.decrypt("v1:" + changed.toBase64(), "acct1");
            QVERIFY(!opened.ok());
            QCOMPARE(opened.error.kind, Error::Kind::Crypto);
        }
        QVERIFY(!box.decrypt(stored, "acct2").ok()); // moved to another account
        QVERIFY(!box.decrypt("v2:" + stored.mid(3), "acct1").ok());
        QVERIFY(!box.decrypt("v1:!!!not base64", "acct1").ok());
        QVERIFY(!box.decrypt("v1:" + raw.left(10).toBase64(), "acct1").ok()); // truncated
        QVERIFY(!box.decrypt("", "acct1").ok());
    }

    void createStoresTheSecretEncryptedAndGetDecryptsIt()
    {
        const AccountStore accounts = store();
        const Account created = create(accounts, {.name = QStringLiteral("main"),
                                                  .type = AccountType::OAuth,
                                                  .baseUrl = QStringLiteral("https://api.example.com/"),
                                                  .secret = UpstreamKey + "\n",
                                                  .priority = 10,
                                                  .maxConcurrency = 4});
        QVERIFY(!created.id.isEmpty());
        QCOMPARE(created.baseUrl, QStringLiteral("https://api.example.com"));

        const QByteArray record = m_keys.accountRecord(created.id);
        const QByteArrayList fields = m_server.command({"HGETALL", record}).toList();
        for (const QByteArray &value : fields)
            QVERIFY2(!value.contains(UpstreamKey.mid(13, 40)), value.constData());
        QVERIFY(m_server.command({"HGET", record, "secret"}).toByteArray().startsWith("v1:"));
        QCOMPARE(m_server.command({"HGET", record, "type"}).toByteArray(), QByteArray("oauth"));
        QCOMPARE(m_server.command({"SISMEMBER", m_keys.accountIndex(), created.id}).toInteger(), 1);
        QCOMPARE(m_server.command({"TTL", record}).toInteger(), -1);

        const auto got = wait<Account>([&](QObject *c, auto cb) { accounts.get(created.id, c, cb); });
        QVERIFY2(got.ok(), qPrintable(got.error.message));
        QCOMPARE(got.value.secret, UpstreamKey); // trimmed
        QCOMPARE(got.value.type, AccountType::OAuth);
        QCOMPARE(got.value.name, QStringLiteral("main"));
        QCOMPARE(got.value.priority, 10);
        QCOMPARE(got.value.maxConcurrency, 4);
        QVERIFY(got.value.enabled && got.value.schedulable && got.value.isUsable());
        QCOMPARE(got.value.createdAt, created.createdAt);
    }

    void wrongServerSecretFailsClearly()
    {
        const Account created = create(store('a'), {.name = QStringLiteral("x"), .secret = UpstreamKey});
        const AccountStore otherSecret = store('b');
        const auto got = wait<Account>([&](QObject *c, auto cb) { otherSecret.get(created.id, c, cb); });
        QVERIFY(!got.ok());
        QCOMPARE(got.error.kind, Error::Kind::Crypto);
        QVERIFY2(got.error.message.contains(QStringLiteral("server secret")), qPrintable(got.error.message));
        QVERIFY(!got.error.message.contains(QString::fromLatin1(UpstreamKey)));

        // Listing still shows it, flagged, so an operator can find and delete it.
        const auto listed = wait<QList<Account>>([&](QObject *c, auto cb) { otherSecret.list(c, cb); });
        QVERIFY(listed.ok());
        QCOMPARE(listed.value.size(), 1);
        QVERIFY(!listed.value.at(0).secretError.isEmpty());
        QVERIFY(listed.value.at(0).secret.isEmpty());
        QVERIFY(!listed.value.at(0).isUsable());
    }

    void secretCopiedIntoAnotherRecordDoesNotDecrypt()
    {
        const AccountStore accounts = store();
        const Account a = create(accounts, {.name = QStringLiteral("a"), .secret = "secret-a"});
        const Account b = create(accounts, {.name = QStringLiteral("b"), .secret = "secret-b"});
        const QByteArray stolen = m_server.command({"HGET", m_keys.accountRecord(a.id), "secret"}).toByteArray();
        m_server.command({"HSET", m_keys.accountRecord(b.id), "secret", stolen});
        QCOMPARE(wait<Account>([&](QObject *c, auto cb) { accounts.get(b.id, c, cb); }).error.kind,
                 Error::Kind::Crypto);
        QVERIFY(wait<Account>([&](QObject *c, auto cb) { accounts.get(a.id, c, cb); }).ok());
    }

    void listReturnsAccountsByPriority()
    {
        const AccountStore accounts = store();
        const Account low = create(accounts, {.name = QStringLiteral("low"), .secret = "s1", .priority = 90});
        const Account high = create(accounts, {.name = QStringLiteral("high"), .secret = "s2", .priority = 5});
        const Account mid = create(accounts, {.name = QStringLiteral("mid"), .secret = "s3"});
        m_server.command({"SADD", m_keys.accountIndex(), "dangling"});
        const auto listed = wait<QList<Account>>([&](QObject *c, auto cb) { accounts.list(c, cb); });
        QVERIFY2(listed.ok(), qPrintable(listed.error.message));
        QCOMPARE(listed.value.size(), 3);
        QCOMPARE(listed.value.at(0).id, high.id);
        QCOMPARE(listed.value.at(1).id, mid.id);
        QCOMPARE(listed.value.at(2).id, low.id);
        QCOMPARE(listed.value.at(0).secret, QByteArray("s2"));
    }

    void updatesAreFieldLevelAndPublished()
    {
        const AccountStore accounts = store();
        const Account created = create(accounts, {.name = QStringLiteral("u"), .secret = UpstreamKey});
        ChangeFeed feed(*Redis::ConnectionOptions::fromUrl(m_server.url()), m_keys);
        QSignalSpy listening(&feed, &ChangeFeed::listening);
        QSignalSpy changed(&feed, &ChangeFeed::accountChanged);
        QSignalSpy keyChanged(&feed, &ChangeFeed::keyChanged);
        QVERIFY(listening.wait(WaitMs));

        // A field another writer set meanwhile must survive an update (no whole-hash rewrite).
        m_server.command({"HSET", m_keys.accountRecord(created.id), "note", "kept"});
        QVERIFY(!waitDone([&](QObject *c, auto cb) { accounts.setSchedulable(created.id, false, c, cb); }));
        QVERIFY(!waitDone([&](QObject *c, auto cb) { accounts.setEnabled(created.id, false, c, cb); }));
        QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 2, WaitMs);
        QCOMPARE(changed.at(0).at(0).toByteArray(), created.id);
        QCOMPARE(keyChanged.size(), 0);
        QCOMPARE(m_server.command({"HGET", m_keys.accountRecord(created.id), "note"}).toByteArray(),
                 QByteArray("kept"));
        const auto got = wait<Account>([&](QObject *c, auto cb) { accounts.get(created.id, c, cb); });
        QVERIFY(!got.value.schedulable);
        QVERIFY(!got.value.enabled);
        QCOMPARE(got.value.secret, UpstreamKey);

        QVERIFY(!waitDone([&](QObject *c, auto cb) { accounts.setEnabled(created.id, true, c, cb); }));
        QVERIFY(wait<Account>([&](QObject *c, auto cb) { accounts.get(created.id, c, cb); }).value.enabled);
    }

    void deleteRemovesRecordAndIndexAndPublishes()
    {
        const AccountStore accounts = store();
        const Account created = create(accounts, {.name = QStringLiteral("d"), .secret = UpstreamKey});
        ChangeFeed feed(*Redis::ConnectionOptions::fromUrl(m_server.url()), m_keys);
        QSignalSpy listening(&feed, &ChangeFeed::listening);
        QSignalSpy changed(&feed, &ChangeFeed::accountChanged);
        QVERIFY(listening.wait(WaitMs));

        QVERIFY(!waitDone([&](QObject *c, auto cb) { accounts.remove(created.id, c, cb); }));
        QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 1, WaitMs);
        QCOMPARE(m_server.command({"EXISTS", m_keys.accountRecord(created.id)}).toInteger(), 0);
        QCOMPARE(m_server.command({"SCARD", m_keys.accountIndex()}).toInteger(), 0);
        const Error again = waitDone([&](QObject *c, auto cb) { accounts.remove(created.id, c, cb); });
        QCOMPARE(again.kind, Error::Kind::NotFound);
        QVERIFY(again.message.startsWith(QStringLiteral("no account with id ")));
        QCOMPARE(waitDone([&](QObject *c, auto cb) { accounts.setEnabled(created.id, true, c, cb); }).kind,
                 Error::Kind::NotFound);
        QCOMPARE(m_server.command({"EXISTS", m_keys.accountRecord(created.id)}).toInteger(), 0); // not recreated
    }

    void invalidAccountsAreRejected()
    {
        const AccountStore accounts = store();
        const QList<NewAccount> bad = {
            {.name = QString(), .secret = "s"},
            {.name = QStringLiteral("n"), .secret = "  \n"},
            {.name = QStringLiteral("n"), .baseUrl = QStringLiteral("ftp://example.com"), .secret = "s"},
            {.name = QStringLiteral("n"), .baseUrl = QStringLiteral("https://"), .secret = "s"},
            {.name = QStringLiteral("n"), .baseUrl = QStringLiteral("https://u:p@example.com"), .secret = "s"},
            {.name = QStringLiteral("n"), .baseUrl = QStringLiteral("not a url"), .secret = "s"},
            {.name = QStringLiteral("n"), .secret = "s", .priority = -1},
            {.name = QStringLiteral("n"), .secret = "s", .maxConcurrency = -2},
        };
        for (const NewAccount &request : bad) {
            const auto r = wait<Account>([&](QObject *c, auto cb) { accounts.create(request, c, cb); });
            QCOMPARE(r.error.kind, Error::Kind::InvalidArgument);
            QVERIFY(!r.error.message.contains(QStringLiteral("u:p")));
        }
        QCOMPARE(m_server.command({"DBSIZE"}).toInteger(), 0);
        QVERIFY(AccountStore::validate(
                    {.name = QStringLiteral("ok"), .baseUrl = QStringLiteral("http://127.0.0.1:9/"), .secret = "s"})
                    .isEmpty());
    }

    void newFieldsRoundTripEncryptedPerField()
    {
        const AccountStore accounts = store();
        const QMap<QString, QString> mapping{{QStringLiteral("claude-3-opus"), QStringLiteral("claude-opus-4-1")},
                                             {QStringLiteral("sonnet"), QStringLiteral("claude-sonnet-4-5")}};
        const QString notes = QStringLiteral("team A — shared");
        const Account created = create(accounts, {.name = QStringLiteral("oauth"),
                                                  .type = AccountType::OAuth,
                                                  .secret = "access-token-1",
                                                  .refreshToken = "refresh-token-1",
                                                  .tokenExpiresAt = 1'900'000'000'000,
                                                  .proxyUrl = QStringLiteral("socks5://alice@127.0.0.1:1080"),
                                                  .proxyPassword = "proxy-pass-1",
                                                  .modelMapping = mapping,
                                                  .dailyCostQuotaNanos = 12'500'000'000,
                                                  .notes = notes});
        QVERIFY(!created.id.isEmpty());
        const QByteArray record = m_keys.accountRecord(created.id);
        for (const QByteArray &value : m_server.command({"HGETALL", record}).toList()) {
            QVERIFY2(!value.contains("refresh-token-1"), value.constData());
            QVERIFY2(!value.contains("proxy-pass-1"), value.constData());
        }
        const QByteArray refresh = m_server.command({"HGET", record, "refresh_token"}).toByteArray();
        const QByteArray password = m_server.command({"HGET", record, "proxy_password"}).toByteArray();
        QVERIFY(refresh.startsWith("v1:") && password.startsWith("v1:"));
        QCOMPARE(m_server.command({"HGET", record, "proxy_url"}).toByteArray(),
                 QByteArray("socks5://alice@127.0.0.1:1080"));

        const auto got = wait<Account>([&](QObject *c, auto cb) { accounts.get(created.id, c, cb); });
        QVERIFY2(got.ok(), qPrintable(got.error.message));
        QCOMPARE(got.value.secret, QByteArray("access-token-1"));
        QCOMPARE(got.value.refreshToken, QByteArray("refresh-token-1"));
        QCOMPARE(got.value.tokenExpiresAt, 1'900'000'000'000);
        QCOMPARE(got.value.proxyUrl, QStringLiteral("socks5://alice@127.0.0.1:1080"));
        QCOMPARE(got.value.proxyPassword, QByteArray("proxy-pass-1"));
        QCOMPARE(got.value.modelMapping, mapping);
        QCOMPARE(got.value.dailyCostQuotaNanos, 12'500'000'000);
        QCOMPARE(got.value.notes, notes);
        QVERIFY(got.value.groupIds.isEmpty());

        // Each field has its own associated data: a refresh token moved into the proxy password does not open.
        m_server.command({"HSET", record, "proxy_password", refresh});
        const auto moved = wait<Account>([&](QObject *c, auto cb) { accounts.get(created.id, c, cb); });
        QCOMPARE(moved.error.kind, Error::Kind::Crypto);
        QVERIFY2(moved.error.message.contains(QStringLiteral("proxy_password")), qPrintable(moved.error.message));
    }

    void oldRecordsLoadWithDefaults()
    {
        const AccountStore accounts = store();
        const Account created = create(accounts, {.name = QStringLiteral("old"), .secret = UpstreamKey});
        const QByteArray record = m_keys.accountRecord(created.id);
        // What the first version of the store wrote: none of the new fields.
        for (const QByteArray &field : m_server.command({"HKEYS", record}).toList()) {
            static const QList<QByteArray> v1{"id",        "name",        "type",    "base_url",        "secret",
                                              "priority",  "schedulable", "enabled", "max_concurrency", "created_at",
                                              "updated_at"};
            QVERIFY2(v1.contains(field), field.constData());
        }
        const auto got = wait<Account>([&](QObject *c, auto cb) { accounts.get(created.id, c, cb); });
        QVERIFY(got.ok());
        QVERIFY(got.value.refreshToken.isEmpty());
        QCOMPARE(got.value.tokenExpiresAt, 0);
        QVERIFY(got.value.proxyUrl.isEmpty() && got.value.proxyPassword.isEmpty());
        QVERIFY(got.value.modelMapping.isEmpty());
        QCOMPARE(got.value.dailyCostQuotaNanos, 0);
        QVERIFY(got.value.notes.isEmpty() && got.value.groupIds.isEmpty());
        QVERIFY(got.value.isUsable());
    }

    void invalidNewFieldsAreRejected_data()
    {
        QTest::addColumn<QString>("proxy");
        QTest::addColumn<QByteArray>("password");
        QTest::addColumn<QString>("mapFrom");
        QTest::addColumn<qint64>("quota");
        QTest::addColumn<int>("notesLength");
        QTest::addColumn<QString>("message");
        QTest::newRow("password in proxy URL") << QStringLiteral("http://bob:secret@127.0.0.1:3128") << QByteArray()
                                               << QString() << qint64(0) << 0 << QStringLiteral("password");
        QTest::newRow("empty password in proxy URL") << QStringLiteral("http://bob:@127.0.0.1:3128") << QByteArray()
                                                     << QString() << qint64(0) << 0 << QStringLiteral("password");
        QTest::newRow("https proxy") << QStringLiteral("https://127.0.0.1:3128") << QByteArray() << QString()
                                     << qint64(0) << 0 << QStringLiteral("http:// or socks5://");
        QTest::newRow("proxy without port") << QStringLiteral("socks5://127.0.0.1") << QByteArray() << QString()
                                            << qint64(0) << 0 << QStringLiteral("port");
        QTest::newRow("proxy with path") << QStringLiteral("http://127.0.0.1:3128/x") << QByteArray() << QString()
                                         << qint64(0) << 0 << QStringLiteral("path");
        QTest::newRow("password without proxy")
            << QString() << QByteArray("pw") << QString() << qint64(0) << 0 << QStringLiteral("needs a proxy URL");
        QTest::newRow("empty model name")
            << QString() << QByteArray() << QStringLiteral(" ") << qint64(0) << 0 << QStringLiteral("model");
        QTest::newRow("negative quota") << QString() << QByteArray() << QString() << qint64(-1) << 0
                                        << QStringLiteral("quota");
        QTest::newRow("long notes") << QString() << QByteArray() << QString() << qint64(0)
                                    << int(Account::MaxNotesLength + 1) << QStringLiteral("notes");
    }

    void invalidNewFieldsAreRejected()
    {
        QFETCH(QString, proxy);
        QFETCH(QByteArray, password);
        QFETCH(QString, mapFrom);
        QFETCH(qint64, quota);
        QFETCH(int, notesLength);
        QFETCH(QString, message);
        NewAccount request{.name = QStringLiteral("n"), .secret = "s"};
        request.proxyUrl = proxy;
        request.proxyPassword = password;
        if (!mapFrom.isNull())
            request.modelMapping.insert(mapFrom, QStringLiteral("x"));
        request.dailyCostQuotaNanos = quota;
        request.notes = QString(notesLength, u'n');
        const auto r = wait<Account>([&](QObject *c, auto cb) { store().create(request, c, cb); });
        QCOMPARE(r.error.kind, Error::Kind::InvalidArgument);
        QVERIFY2(r.error.message.contains(message), qPrintable(r.error.message));
        QVERIFY(!r.error.message.contains(QStringLiteral("secret@")));
        QCOMPARE(m_server.command({"DBSIZE"}).toInteger(), 0);

        AccountPatch patch;
        patch.proxyUrl = proxy;
        if (!password.isEmpty())
            patch.proxyPassword = password;
        if (!mapFrom.isNull())
            patch.modelMapping = request.modelMapping;
        patch.dailyCostQuotaNanos = quota;
        patch.notes = request.notes;
        if (proxy.isEmpty() && password.isEmpty() && mapFrom.isNull() && quota == 0 && notesLength == 0)
            return;
        QVERIFY(!AccountStore::validatePatch(patch).isEmpty());
    }

    void concurrentUpdatesOfDifferentFieldsKeepBoth()
    {
        const AccountStore accounts = store();
        const Account created = create(accounts, {.name = QStringLiteral("c"), .secret = UpstreamKey});
        // A second connection, as a second operator or instance.
        Redis::Client other(*Redis::ConnectionOptions::fromUrl(m_server.url()));
        QVERIFY(QTest::qWaitFor([&] { return other.isConnected(); }, WaitMs));
        const AccountStore otherStore(&other, m_keys, boxFor('a'));

        QObject context;
        int done = 0;
        QList<Error> errors;
        auto count = [&](const Result<Account> &r) {
            errors << r.error;
            ++done;
        };
        for (int i = 0; i < 20; ++i) {
            AccountPatch notes;
            notes.notes = QStringLiteral("note %1").arg(i);
            AccountPatch priority;
            priority.priority = i;
            AccountPatch proxy;
            proxy.proxyUrl = QStringLiteral("http://127.0.0.1:%1").arg(3000 + i);
            proxy.proxyPassword = "pw" + QByteArray::number(i);
            accounts.update(created.id, notes, &context, count);
            otherStore.update(created.id, priority, &context, count);
            accounts.update(created.id, proxy, &context, count);
        }
        QTRY_COMPARE_WITH_TIMEOUT(done, 60, WaitMs);
        for (const Error &e : errors)
            QVERIFY2(!e, qPrintable(e.message));
        const auto got = wait<Account>([&](QObject *c, auto cb) { accounts.get(created.id, c, cb); });
        QVERIFY2(got.ok(), qPrintable(got.error.message));
        QCOMPARE(got.value.notes, QStringLiteral("note 19"));
        QCOMPARE(got.value.priority, 19);
        QCOMPARE(got.value.proxyUrl, QStringLiteral("http://127.0.0.1:3019"));
        QCOMPARE(got.value.proxyPassword, QByteArray("pw19"));
        QCOMPARE(got.value.name, QStringLiteral("c"));
        QCOMPARE(got.value.secret, UpstreamKey);
        QVERIFY(got.value.updatedAt >= created.updatedAt);
    }

    void updateWritesOnlyItsFieldsAndClears()
    {
        const AccountStore accounts = store();
        const Account created = create(accounts, {.name = QStringLiteral("u"),
                                                  .secret = UpstreamKey,
                                                  .proxyUrl = QStringLiteral("http://127.0.0.1:3128"),
                                                  .proxyPassword = "pw",
                                                  .modelMapping = {{QStringLiteral("a"), QStringLiteral("b")}},
                                                  .notes = QStringLiteral("n")});
        m_server.command({"HSET", m_keys.accountRecord(created.id), "last_used_at", "42"}); // another writer's field
        AccountPatch patch;
        patch.name = QStringLiteral("renamed");
        patch.secret = "new-secret";
        patch.proxyUrl = QString(); // no proxy: the password goes too
        patch.modelMapping = QMap<QString, QString>();
        patch.notes = QString();
        patch.dailyCostQuotaNanos = 5;
        patch.enabled = false;
        const auto r = wait<Account>([&](QObject *c, auto cb) { accounts.update(created.id, patch, c, cb); });
        QVERIFY2(r.ok(), qPrintable(r.error.message));
        QCOMPARE(r.value.name, QStringLiteral("renamed"));
        QCOMPARE(r.value.secret, QByteArray("new-secret"));
        QVERIFY(r.value.proxyUrl.isEmpty() && r.value.proxyPassword.isEmpty());
        QVERIFY(r.value.modelMapping.isEmpty() && r.value.notes.isEmpty());
        QCOMPARE(r.value.dailyCostQuotaNanos, 5);
        QVERIFY(!r.value.enabled);
        const QByteArray record = m_keys.accountRecord(created.id);
        for (const QByteArray field : {"proxy_url", "proxy_password", "model_mapping", "notes"})
            QCOMPARE(m_server.command({"HEXISTS", record, field}).toInteger(), 0);
        QCOMPARE(m_server.command({"HGET", record, "last_used_at"}).toByteArray(), QByteArray("42"));

        const auto missing =
            wait<Account>([&](QObject *c, auto cb) { accounts.update("0123456789abcdef", patch, c, cb); });
        QCOMPARE(missing.error.kind, Error::Kind::NotFound);
        QCOMPARE(m_server.command({"EXISTS", m_keys.accountRecord("0123456789abcdef")}).toInteger(), 0);
        const auto empty = wait<Account>([&](QObject *c, auto cb) { accounts.update(created.id, {}, c, cb); });
        QCOMPARE(empty.error.kind, Error::Kind::InvalidArgument);
    }

    void oauthTokensAreReplacedAtomicallyAndPublished()
    {
        const AccountStore accounts = store();
        const Account created = create(accounts, {.name = QStringLiteral("o"),
                                                  .type = AccountType::OAuth,
                                                  .secret = "old-access",
                                                  .refreshToken = "old-refresh",
                                                  .tokenExpiresAt = 1000});
        ChangeFeed feed(*Redis::ConnectionOptions::fromUrl(m_server.url()), m_keys);
        QSignalSpy listening(&feed, &ChangeFeed::listening);
        QSignalSpy changed(&feed, &ChangeFeed::accountChanged);
        QVERIFY(listening.wait(WaitMs));

        QVERIFY(!waitDone([&](QObject *c, auto cb) {
            accounts.setOAuthTokens(created.id, {"new-access", "new-refresh", 2'000'000'000'000}, c, cb);
        }));
        QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 1, WaitMs);
        QCOMPARE(changed.at(0).at(0).toByteArray(), created.id);
        auto got = wait<Account>([&](QObject *c, auto cb) { accounts.get(created.id, c, cb); });
        QVERIFY2(got.ok(), qPrintable(got.error.message));
        QCOMPARE(got.value.secret, QByteArray("new-access"));
        QCOMPARE(got.value.refreshToken, QByteArray("new-refresh"));
        QCOMPARE(got.value.tokenExpiresAt, 2'000'000'000'000);
        QVERIFY(got.value.updatedAt >= created.updatedAt);

        // A token endpoint that does not rotate the refresh token: the stored one stays.
        QVERIFY(!waitDone([&](QObject *c, auto cb) {
            accounts.setOAuthTokens(created.id, {"newer-access", {}, 2'100'000'000'000}, c, cb);
        }));
        got = wait<Account>([&](QObject *c, auto cb) { accounts.get(created.id, c, cb); });
        QCOMPARE(got.value.secret, QByteArray("newer-access"));
        QCOMPARE(got.value.refreshToken, QByteArray("new-refresh"));

        QCOMPARE(waitDone([&](QObject *c, auto cb) {
                     accounts.setOAuthTokens("0123456789abcdef", {"a", "r", 1}, c, cb);
                 }).kind,
                 Error::Kind::NotFound);
        QCOMPARE(m_server.command({"EXISTS", m_keys.accountRecord("0123456789abcdef")}).toInteger(), 0);
    }

    void resetStateReturnsToActiveAndDropsFamilyCooldowns()
    {
        const AccountStore accounts = store();
        const Account created = create(accounts, {.name = QStringLiteral("r"), .secret = UpstreamKey});
        const QByteArray state = m_keys.accountState(created.id);
        m_server.command({"HSET", state, "status", "unauthorized", "reason", "401", "until", "0", "changed_at", "5",
                          "cooling:opus", "99999999999999 5 weekly limit"});
        ChangeFeed feed(*Redis::ConnectionOptions::fromUrl(m_server.url()), m_keys);
        QSignalSpy listening(&feed, &ChangeFeed::listening);
        QSignalSpy changed(&feed, &ChangeFeed::accountChanged);
        QVERIFY(listening.wait(WaitMs));

        QVERIFY(!waitDone([&](QObject *c, auto cb) { accounts.resetState(created.id, c, cb); }));
        QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 1, WaitMs);
        QCOMPARE(m_server.command({"HGET", state, "status"}).toByteArray(), QByteArray("active"));
        QCOMPARE(m_server.command({"HGET", state, "reason"}).toByteArray(), QByteArray("reset by operator"));
        QVERIFY(m_server.command({"HGET", state, "changed_at"}).toInteger() > 5);
        QCOMPARE(m_server.command({"HEXISTS", state, "cooling:opus"}).toInteger(), 0);
        QCOMPARE(waitDone([&](QObject *c, auto cb) { accounts.resetState("0123456789abcdef", c, cb); }).kind,
                 Error::Kind::NotFound);
        QCOMPARE(m_server.command({"EXISTS", m_keys.accountState("0123456789abcdef")}).toInteger(), 0);

        // Deleting the account deletes its state.
        QVERIFY(!waitDone([&](QObject *c, auto cb) { accounts.remove(created.id, c, cb); }));
        QCOMPARE(m_server.command({"EXISTS", state}).toInteger(), 0);
    }

    void changeFeedAsksForResyncAfterRedisRestarts()
    {
        auto options = *Redis::ConnectionOptions::fromUrl(m_server.url());
        options.reconnectInitialDelayMs = 20;
        options.reconnectMaxDelayMs = 200;
        ChangeFeed feed(options, m_keys);
        QSignalSpy listening(&feed, &ChangeFeed::listening);
        QSignalSpy resync(&feed, &ChangeFeed::resyncNeeded);
        QVERIFY(listening.wait(WaitMs));
        m_server.stop();
        QVERIFY(m_server.start());
        QVERIFY(resync.wait(WaitMs));
        QVERIFY(feed.isListening());
        QVERIFY(QTest::qWaitFor([&] { return m_client->isConnected(); }, WaitMs));
    }
};

QTEST_GUILESS_MAIN(TstDomainAccounts)
#include "tst_domainaccounts.moc"
