// SPDX-License-Identifier: GPL-3.0-or-later
// Domain::KeyStore, ServerSecret and ChangeFeed against a real redis-server.
#include "domain/changefeed.h"
#include "domain/keyrules.h"
#include "domain/keystore.h"
#include "domain/secretcheck.h"
#include "domain/serversecret.h"
#include "domainwait.h"
#include "redis/client.h"
#include "redisserver.h"
#include "waitforcallback.h"

#include <QFile>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

#include <optional>

using namespace Relay;
using namespace Relay::Domain;

namespace {

constexpr int WaitMs = 15000;

ServerSecret testSecret(char fill = 'k')
{
    return ServerSecret::fromBytes(QByteArray(ServerSecret::Size, fill), QStringLiteral("test"));
}

using DomainWait::wait;
using DomainWait::waitDone;

} // namespace

class TstDomainKeys : public QObject
{
    Q_OBJECT

private:
    RedisServer m_server;
    std::unique_ptr<Redis::Client> m_client;
    DomainKeys m_keys;

    KeyStore store(ServerSecret secret = testSecret()) { return KeyStore(m_client.get(), m_keys, std::move(secret)); }

    CreatedApiKey create(const KeyStore &keys, NewApiKey request)
    {
        const auto r = wait<CreatedApiKey>([&](QObject *c, auto cb) { keys.create(request, c, cb); });
        if (!r.ok())
            qWarning("create failed: %s", qPrintable(r.error.message));
        return r.value;
    }

    // Every key name and every value in Redis, read with the type's own command.
    QByteArrayList everythingInRedis()
    {
        QByteArrayList out;
        QByteArray cursor = "0";
        do {
            const RedisServer::Reply page = m_server.command({"SCAN", cursor, "COUNT", "100"});
            cursor = page.elements.value(0).toByteArray();
            for (const QByteArray &key : page.elements.value(1).toList()) {
                out << key;
                const QByteArray type = m_server.command({"TYPE", key}).toByteArray();
                if (type == "string")
                    out << m_server.command({"GET", key}).toByteArray();
                else if (type == "hash")
                    out << m_server.command({"HGETALL", key}).toList();
                else if (type == "set")
                    out << m_server.command({"SMEMBERS", key}).toList();
                else if (type == "zset")
                    out << m_server.command({"ZRANGE", key, "0", "-1", "WITHSCORES"}).toList();
                else if (type == "list")
                    out << m_server.command({"LRANGE", key, "0", "-1"}).toList();
                else
                    out << "unexpected type " + type;
            }
        } while (cursor != "0");
        return out;
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

    void keyFormatIsPrefixPlus64Hex()
    {
        const QByteArray hex64(64, 'a');
        QVERIFY(validateKeyFormat("rd_" + hex64));
        QVERIFY(validateKeyFormat("rd_" + QByteArray(32, 'F') + QByteArray(32, '0')));
        QVERIFY(!validateKeyFormat("rd_" + QByteArray(63, 'a')));
        QVERIFY(!validateKeyFormat("rd_" + QByteArray(65, 'a')));
        QVERIFY(!validateKeyFormat("rd_" + QByteArray(63, 'a') + 'g'));
        QVERIFY(!validateKeyFormat("xx_" + hex64));
        QVERIFY(!validateKeyFormat(hex64));
        QVERIFY(!validateKeyFormat(""));
        QVERIFY(validateKeyFormat("sk-team-" + hex64, "sk-team-"));
        QVERIFY(!validateKeyFormat("rd_" + hex64, "sk-team-"));

        const QByteArray generated = generateClearKey("rd_");
        QVERIFY(validateKeyFormat(generated));
        QCOMPARE(generated, generated.toLower());
        QVERIFY(generated != generateClearKey("rd_"));
        QCOMPARE(keyHint(generated), generated.left(7) + "..." + generated.right(4));
    }

    void createThenFindByHashReturnsTheSameRecord()
    {
        const KeyStore keys = store();
        const CreatedApiKey created = create(keys, {.name = QStringLiteral("ci bot"),
                                                    .description = QStringLiteral("für CI"),
                                                    .concurrencyLimit = 3,
                                                    .expiresAt = 4102444800000});
        QVERIFY(validateKeyFormat(created.clearKey));
        QCOMPARE(created.key.id.size(), 16);
        QCOMPARE(created.key.hash, keys.hashKey(created.clearKey));
        QCOMPARE(created.key.hash.size(), 64);
        QVERIFY(created.key.enabled);
        QVERIFY(created.key.createdAt > 0);

        const auto byHash = wait<ApiKey>([&](QObject *c, auto cb) { keys.findByHash(created.key.hash, c, cb); });
        QVERIFY2(byHash.ok(), qPrintable(byHash.error.message));
        QCOMPARE(byHash.value.id, created.key.id);
        QCOMPARE(byHash.value.name, QStringLiteral("ci bot"));
        QCOMPARE(byHash.value.description, QStringLiteral("für CI"));
        QCOMPARE(byHash.value.concurrencyLimit, 3);
        QCOMPARE(byHash.value.expiresAt, qint64(4102444800000));
        QCOMPARE(byHash.value.createdAt, created.key.createdAt);
        QCOMPARE(byHash.value.hint, keyHint(created.clearKey));

        const auto byKey = wait<ApiKey>([&](QObject *c, auto cb) { keys.findByKey(created.clearKey, c, cb); });
        QVERIFY(byKey.ok());
        QCOMPARE(byKey.value.id, created.key.id);
        const auto byId = wait<ApiKey>([&](QObject *c, auto cb) { keys.get(created.key.id, c, cb); });
        QCOMPARE(byId.value.toRecordFields(), byHash.value.toRecordFields());

        // A key one character off, a malformed key and a key hashed with another secret are all unknown.
        QByteArray wrong = created.clearKey;
        wrong[wrong.size() - 1] = wrong.endsWith('0') ? '1' : '0';
        QCOMPARE(wait<ApiKey>([&](QObject *c, auto cb) { keys.findByKey(wrong, c, cb); }).error.kind,
                 Error::Kind::NotFound);
        QCOMPARE(wait<ApiKey>([&](QObject *c, auto cb) { keys.findByKey("rd_nothex", c, cb); }).error.kind,
                 Error::Kind::NotFound);
        const KeyStore otherSecret = store(testSecret('x'));
        QVERIFY(otherSecret.hashKey(created.clearKey) != created.key.hash);
        QCOMPARE(wait<ApiKey>([&](QObject *c, auto cb) { otherSecret.findByKey(created.clearKey, c, cb); }).error.kind,
                 Error::Kind::NotFound);
    }

    void clearKeyIsStoredNowhereInRedis()
    {
        const KeyStore keys = store();
        const CreatedApiKey created = create(keys, {.name = QStringLiteral("secret keeper")});
        QVERIFY(!created.clearKey.isEmpty());
        const QByteArray secretPart = created.clearKey.mid(3);
        const QByteArray middle = secretPart.mid(8, 48); // what the hint does not show
        const QByteArrayList everything = everythingInRedis();
        QVERIFY(everything.size() > 10);
        for (const QByteArray &value : everything) {
            QVERIFY2(!value.contains(middle), value.constData());
            QVERIFY2(!value.contains(secretPart.toUpper().mid(8, 48)), value.constData());
        }
        QVERIFY(everything.contains(created.key.hash));
    }

    void keysNeverGetATtl()
    {
        const CreatedApiKey created = create(store(), {.name = QStringLiteral("forever")});
        QCOMPARE(m_server.command({"TTL", m_keys.keyRecord(created.key.id)}).toInteger(), -1);
        QCOMPARE(m_server.command({"TTL", m_keys.keyHashIndex()}).toInteger(), -1);
        QCOMPARE(m_server.command({"TTL", m_keys.keyIndex()}).toInteger(), -1);
    }

    void listReadsEveryKeyThroughTheIndex()
    {
        const KeyStore keys = store();
        QList<QByteArray> ids;
        for (const char *name : {"first", "second", "third"})
            ids << create(keys, {.name = QString::fromLatin1(name)}).key.id;
        // An index entry whose record is gone is skipped, not an error.
        m_server.command({"SADD", m_keys.keyIndex(), "dangling"});
        const auto listed = wait<QList<ApiKey>>([&](QObject *c, auto cb) { keys.list(c, cb); });
        QVERIFY2(listed.ok(), qPrintable(listed.error.message));
        QCOMPARE(listed.value.size(), 3);
        QSet<QByteArray> listedIds;
        for (const ApiKey &key : listed.value)
            listedIds.insert(key.id);
        QCOMPARE(listedIds, QSet<QByteArray>(ids.begin(), ids.end()));
        QCOMPARE(m_server.command({"SCARD", m_keys.keyIndex()}).toInteger(), 4);
    }

    void disableAndEnableUpdateTheRecordAndPublish()
    {
        const KeyStore keys = store();
        const CreatedApiKey created = create(keys, {.name = QStringLiteral("toggle")});
        ChangeFeed feed(*Redis::ConnectionOptions::fromUrl(m_server.url()), m_keys);
        QSignalSpy listening(&feed, &ChangeFeed::listening);
        QSignalSpy changed(&feed, &ChangeFeed::keyChanged);
        QVERIFY(listening.wait(WaitMs));

        QVERIFY(!waitDone([&](QObject *c, auto cb) { keys.setEnabled(created.key.id, false, c, cb); }));
        QCOMPARE(m_server.command({"HGET", m_keys.keyRecord(created.key.id), "enabled"}).toByteArray(),
                 QByteArray("0"));
        QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 1, WaitMs);
        QCOMPARE(changed.at(0).at(0).toByteArray(), created.key.id);
        const auto disabled = wait<ApiKey>([&](QObject *c, auto cb) { keys.findByKey(created.clearKey, c, cb); });
        QVERIFY(disabled.ok());
        QVERIFY(!disabled.value.enabled);
        QVERIFY(!disabled.value.isUsable(QDateTime::currentMSecsSinceEpoch()));
        QVERIFY(disabled.value.updatedAt >= created.key.updatedAt);

        QVERIFY(!waitDone([&](QObject *c, auto cb) { keys.setEnabled(created.key.id, true, c, cb); }));
        QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 2, WaitMs);
        QVERIFY(wait<ApiKey>([&](QObject *c, auto cb) { keys.get(created.key.id, c, cb); }).value.enabled);
    }

    void changesToUnknownIdsFailWithoutCreatingRecords()
    {
        const KeyStore keys = store();
        const Error error = waitDone([&](QObject *c, auto cb) { keys.setEnabled("0123456789abcdef", false, c, cb); });
        QCOMPARE(error.kind, Error::Kind::NotFound);
        QCOMPARE(error.message, QStringLiteral("no API key with id 0123456789abcdef"));
        QCOMPARE(m_server.command({"EXISTS", m_keys.keyRecord("0123456789abcdef")}).toInteger(), 0);
        QCOMPARE(waitDone([&](QObject *c, auto cb) { keys.remove("0123456789abcdef", c, cb); }).kind,
                 Error::Kind::NotFound);
        QCOMPARE(wait<ApiKey>([&](QObject *c, auto cb) { keys.get("0123456789abcdef", c, cb); }).error.kind,
                 Error::Kind::NotFound);
    }

    void deleteRemovesRecordAndIndexEntriesAndPublishes()
    {
        const KeyStore keys = store();
        const CreatedApiKey kept = create(keys, {.name = QStringLiteral("kept")});
        const CreatedApiKey doomed = create(keys, {.name = QStringLiteral("doomed")});
        ChangeFeed feed(*Redis::ConnectionOptions::fromUrl(m_server.url()), m_keys);
        QSignalSpy listening(&feed, &ChangeFeed::listening);
        QSignalSpy changed(&feed, &ChangeFeed::keyChanged);
        QVERIFY(listening.wait(WaitMs));
        // Both were used; only the deleted one leaves the last-used index (the admin list and the CLI share this).
        for (const QByteArray &id : {kept.key.id, doomed.key.id})
            m_server.command({"ZADD", m_keys.keyLastUsedIndex(), "1000", id});

        QVERIFY(!waitDone([&](QObject *c, auto cb) { keys.remove(doomed.key.id, c, cb); }));
        QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 1, WaitMs);
        QCOMPARE(changed.at(0).at(0).toByteArray(), doomed.key.id);
        QCOMPARE(m_server.command({"EXISTS", m_keys.keyRecord(doomed.key.id)}).toInteger(), 0);
        QCOMPARE(m_server.command({"HEXISTS", m_keys.keyHashIndex(), doomed.key.hash}).toInteger(), 0);
        QCOMPARE(m_server.command({"SISMEMBER", m_keys.keyIndex(), doomed.key.id}).toInteger(), 0);
        QVERIFY(m_server.command({"ZSCORE", m_keys.keyLastUsedIndex(), doomed.key.id}).isNil());
        QCOMPARE(m_server.command({"ZSCORE", m_keys.keyLastUsedIndex(), kept.key.id}).toByteArray(), "1000");
        QCOMPARE(wait<ApiKey>([&](QObject *c, auto cb) { keys.findByKey(doomed.clearKey, c, cb); }).error.kind,
                 Error::Kind::NotFound);
        QVERIFY(wait<ApiKey>([&](QObject *c, auto cb) { keys.findByKey(kept.clearKey, c, cb); }).ok());
        QCOMPARE(m_server.command({"HLEN", m_keys.keyHashIndex()}).toInteger(), 1);
    }

    void invalidRequestsAreRejectedBeforeRedis()
    {
        const KeyStore keys = store();
        QCOMPARE(wait<CreatedApiKey>([&](QObject *c, auto cb) {
                     keys.create({.name = QStringLiteral("  ")}, c, cb);
                 }).error.kind,
                 Error::Kind::InvalidArgument);
        QCOMPARE(wait<CreatedApiKey>([&](QObject *c, auto cb) {
                     keys.create({.name = QStringLiteral("x"), .concurrencyLimit = -1}, c, cb);
                 }).error.kind,
                 Error::Kind::InvalidArgument);
        QCOMPARE(m_server.command({"DBSIZE"}).toInteger(), 0);
    }

    void customPrefixAndKeySpaceAreUsed()
    {
        const DomainKeys keysTeam{Redis::KeySpace("team:")};
        const KeyStore keys(m_client.get(), keysTeam, testSecret(), "sk-team-");
        const auto created =
            wait<CreatedApiKey>([&](QObject *c, auto cb) { keys.create({.name = QStringLiteral("t")}, c, cb); });
        QVERIFY(created.ok());
        QVERIFY(created.value.clearKey.startsWith("sk-team-"));
        QVERIFY(validateKeyFormat(created.value.clearKey, "sk-team-"));
        QCOMPARE(m_server.command({"EXISTS", "team:{key:" + created.value.key.id + "}:record"}).toInteger(), 1);
        QVERIFY(wait<ApiKey>([&](QObject *c, auto cb) { keys.findByKey(created.value.clearKey, c, cb); }).ok());
    }

    void newFieldsRoundTrip()
    {
        const KeyStore keys = store();
        const CreatedApiKey created =
            create(keys, {.name = QStringLiteral("full"),
                          .description = QStringLiteral("every field"),
                          .tags = {QStringLiteral("team-a"), QStringLiteral("ci, nightly")},
                          .permissions = {Endpoint::Messages, Endpoint::CountTokens},
                          .modelRule = {ModelRuleMode::Deny, {"claude-opus-4-1-20250805", "Claude-Opus-4-1"}},
                          .client = ClientRestriction::ClaudeCode,
                          .expiresAfterFirstUseMs = 7LL * 24 * 3600 * 1000,
                          .boundGroupId = "group-1"});
        QVERIFY(!created.key.id.isEmpty());
        const auto found = wait<ApiKey>([&](QObject *c, auto cb) { keys.findByKey(created.clearKey, c, cb); });
        QVERIFY2(found.ok(), qPrintable(found.error.message));
        const ApiKey &key = found.value;
        QCOMPARE(key.tags, (QStringList{QStringLiteral("team-a"), QStringLiteral("ci, nightly")}));
        QCOMPARE(key.permissions, (QList<Endpoint>{Endpoint::Messages, Endpoint::CountTokens}));
        QCOMPARE(key.modelRule.mode, ModelRuleMode::Deny);
        QCOMPARE(key.modelRule.models, QList<QByteArray>{"claude-opus-4-1"}); // normalised, duplicates dropped
        QCOMPARE(key.client, ClientRestriction::ClaudeCode);
        QCOMPARE(key.expiresAfterFirstUseMs, 7LL * 24 * 3600 * 1000);
        QCOMPARE(key.expiresAt, 0);
        QCOMPARE(key.activatedAt, 0);
        QVERIFY(key.needsActivation());
        QCOMPARE(key.boundGroupId, QByteArray("group-1"));
        QVERIFY(key.boundAccountId.isEmpty());
        QCOMPARE(key.toRecordFields(), created.key.toRecordFields());
        const QByteArray record = m_keys.keyRecord(created.key.id);
        QCOMPARE(m_server.command({"HGET", record, "client"}).toByteArray(), QByteArray("claude_code"));
        QCOMPARE(m_server.command({"HGET", record, "model_rule"}).toByteArray(), QByteArray("deny"));
        QCOMPARE(m_server.command({"HGET", record, "permissions"}).toByteArray(),
                 QByteArray(R"(["messages","count_tokens"])"));
    }

    void oldRecordWithoutNewFieldsLoads()
    {
        const KeyStore keys = store();
        const QByteArray clearKey = "rd_" + QByteArray(64, 'c');
        const QByteArray hash = keys.hashKey(clearKey);
        m_server.command({"HSET",
                          m_keys.keyRecord("0011223344556677"),
                          "id",
                          "0011223344556677",
                          "name",
                          "old",
                          "hash",
                          hash,
                          "hint",
                          keyHint(clearKey),
                          "enabled",
                          "1",
                          "created_at",
                          "1700000000000",
                          "updated_at",
                          "1700000000000",
                          "expires_at",
                          "0",
                          "concurrency_limit",
                          "2"});
        m_server.command({"HSET", m_keys.keyHashIndex(), hash, "0011223344556677"});
        m_server.command({"SADD", m_keys.keyIndex(), "0011223344556677"});
        const auto found = wait<ApiKey>([&](QObject *c, auto cb) { keys.findByKey(clearKey, c, cb); });
        QVERIFY2(found.ok(), qPrintable(found.error.message));
        QCOMPARE(found.value.name, QStringLiteral("old"));
        QCOMPARE(found.value.concurrencyLimit, 2);
        QVERIFY(found.value.tags.isEmpty());
        QVERIFY(found.value.permissions.isEmpty());
        QCOMPARE(found.value.modelRule, ModelRule());
        QCOMPARE(found.value.client, ClientRestriction::Any);
        QVERIFY(!found.value.needsActivation());
        QVERIFY(found.value.boundAccountId.isEmpty() && found.value.boundGroupId.isEmpty());

        // A field-level update adds only what it changes.
        ApiKeyChanges changes;
        changes.tags = QStringList{QStringLiteral("legacy")};
        const auto updated =
            wait<ApiKey>([&](QObject *c, auto cb) { keys.update("0011223344556677", changes, c, cb); });
        QVERIFY2(updated.ok(), qPrintable(updated.error.message));
        QCOMPARE(updated.value.tags, QStringList{QStringLiteral("legacy")});
        QCOMPARE(m_server.command({"HEXISTS", m_keys.keyRecord("0011223344556677"), "model_rule"}).toInteger(), 0);
    }

    void limitsRoundTripAndUpdateReplacesThePolicy()
    {
        const KeyStore keys = store();
        Limits::LimitPolicy limits;
        limits.windowMinutes = 60;
        limits.windowRequests = 100;
        limits.windowCostNanos = 5'000'000'000;
        limits.dailyCostNanos = 20'000'000'000;
        limits.weeklyFamilyCostNanos.insert("opus", 50'000'000'000);
        limits.weeklyFamilyCostNanos.insert("sonnet", 70'000'000'000);
        const CreatedApiKey created = create(keys, {.name = QStringLiteral("limited"),
                                                    .concurrencyLimit = 2,
                                                    .limits = limits,
                                                    .limitTimeZone = "Asia/Shanghai",
                                                    .concurrencyWaitMs = 30'000});
        QVERIFY(!created.key.id.isEmpty());
        const auto found = wait<ApiKey>([&](QObject *c, auto cb) { keys.get(created.key.id, c, cb); });
        QVERIFY2(found.ok(), qPrintable(found.error.message));
        QCOMPARE(found.value.limits.windowRequests, 100);
        QCOMPARE(found.value.limits.weeklyLimitFor("opus"), 50'000'000'000);
        QCOMPARE(found.value.limitTimeZone, QByteArray("Asia/Shanghai"));
        QCOMPARE(found.value.limits.timeZoneId(), QByteArray("Asia/Shanghai"));
        QCOMPARE(found.value.concurrencyWaitMs, 30'000);
        // The key's own zone wins over the relay's; a key without one follows the relay.
        QCOMPARE(found.value.effectiveLimits(QTimeZone("Europe/Berlin")).timeZoneId(), QByteArray("Asia/Shanghai"));

        ApiKeyChanges changes;
        Limits::LimitPolicy fewer;
        fewer.dailyCostNanos = 1'000'000'000;
        fewer.weeklyFamilyCostNanos.insert("opus", 9);
        changes.limits = fewer;
        changes.limitTimeZone = QByteArray();
        const auto updated = wait<ApiKey>([&](QObject *c, auto cb) { keys.update(created.key.id, changes, c, cb); });
        QVERIFY2(updated.ok(), qPrintable(updated.error.message));
        QCOMPARE(updated.value.limits.windowMinutes, 0);
        QCOMPARE(updated.value.limits.dailyCostNanos, 1'000'000'000);
        QCOMPARE(updated.value.limits.weeklyLimitFor("opus"), 9);
        QCOMPARE(updated.value.limits.weeklyLimitFor("sonnet"), 0); // removed, not left behind
        QVERIFY(updated.value.limitTimeZone.isEmpty());
        QCOMPARE(updated.value.effectiveLimits(QTimeZone("Europe/Berlin")).timeZoneId(), QByteArray("Europe/Berlin"));
        QCOMPARE(updated.value.concurrencyLimit, 2); // untouched

        // Nonsense is refused before Redis.
        ApiKeyChanges bad;
        Limits::LimitPolicy noWindow;
        noWindow.windowRequests = 5;
        bad.limits = noWindow;
        QCOMPARE(wait<ApiKey>([&](QObject *c, auto cb) { keys.update(created.key.id, bad, c, cb); }).error.kind,
                 Error::Kind::InvalidArgument);
        ApiKeyChanges badZone;
        badZone.limitTimeZone = "Mars/Olympus";
        QCOMPARE(wait<ApiKey>([&](QObject *c, auto cb) { keys.update(created.key.id, badZone, c, cb); }).error.kind,
                 Error::Kind::InvalidArgument);
        ApiKeyChanges badFamily;
        Limits::LimitPolicy gpt;
        gpt.weeklyFamilyCostNanos.insert("gpt", 1);
        badFamily.limits = gpt;
        QCOMPARE(wait<ApiKey>([&](QObject *c, auto cb) { keys.update(created.key.id, badFamily, c, cb); }).error.kind,
                 Error::Kind::InvalidArgument);
    }

    void updateWritesOnlyTheChangedFieldsAndPublishes()
    {
        const KeyStore keys = store();
        const CreatedApiKey created = create(keys, {.name = QStringLiteral("edit me"), .boundAccountId = "acct-1"});
        ChangeFeed feed(*Redis::ConnectionOptions::fromUrl(m_server.url()), m_keys);
        QSignalSpy listening(&feed, &ChangeFeed::listening);
        QSignalSpy changed(&feed, &ChangeFeed::keyChanged);
        QVERIFY(listening.wait(WaitMs));

        ApiKeyChanges changes;
        changes.modelRule = ModelRule{ModelRuleMode::Allow, {"claude-sonnet-4-5-20250929"}};
        changes.binding = ApiKeyChanges::Binding{};
        changes.expiresAfterFirstUseMs = 3600000;
        const auto updated = wait<ApiKey>([&](QObject *c, auto cb) { keys.update(created.key.id, changes, c, cb); });
        QVERIFY2(updated.ok(), qPrintable(updated.error.message));
        QCOMPARE(updated.value.modelRule.models, QList<QByteArray>{"claude-sonnet-4-5"});
        QCOMPARE(updated.value.name, QStringLiteral("edit me"));
        QVERIFY(updated.value.boundAccountId.isEmpty());
        QCOMPARE(m_server.command({"HEXISTS", m_keys.keyRecord(created.key.id), "bound_account"}).toInteger(), 0);
        QVERIFY(updated.value.needsActivation());
        QVERIFY(updated.value.updatedAt >= created.key.updatedAt);
        QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 1, WaitMs);

        // Invalid changes and unknown ids write nothing.
        ApiKeyChanges both;
        both.binding = ApiKeyChanges::Binding{"acct-1", "group-1"};
        QCOMPARE(wait<ApiKey>([&](QObject *c, auto cb) { keys.update(created.key.id, both, c, cb); }).error.kind,
                 Error::Kind::InvalidArgument);
        ApiKeyChanges emptyAllow;
        emptyAllow.modelRule = ModelRule{ModelRuleMode::Allow, {}};
        QCOMPARE(wait<ApiKey>([&](QObject *c, auto cb) { keys.update(created.key.id, emptyAllow, c, cb); }).error.kind,
                 Error::Kind::InvalidArgument);
        ApiKeyChanges rename;
        rename.name = QStringLiteral("x");
        QCOMPARE(wait<ApiKey>([&](QObject *c, auto cb) { keys.update("0123456789abcdef", rename, c, cb); }).error.kind,
                 Error::Kind::NotFound);
        QCOMPARE(m_server.command({"EXISTS", m_keys.keyRecord("0123456789abcdef")}).toInteger(), 0);
        QCOMPARE(m_server.command({"HGET", m_keys.keyRecord(created.key.id), "bound_group"}).toByteArray(),
                 QByteArray());
    }

    void concurrentUpdatesOfDifferentFieldsFromTwoClientsDoNotClobber()
    {
        const KeyStore first = store();
        Redis::Client otherClient(*Redis::ConnectionOptions::fromUrl(m_server.url()));
        QVERIFY(QTest::qWaitFor([&] { return otherClient.isConnected(); }, WaitMs));
        const KeyStore second(&otherClient, m_keys, testSecret());
        const CreatedApiKey created = create(first, {.name = QStringLiteral("shared")});

        constexpr int Rounds = 50;
        int done = 0;
        int failures = 0;
        QObject context;
        for (int i = 0; i < Rounds; ++i) {
            ApiKeyChanges a;
            a.description = QStringLiteral("from first %1").arg(i);
            ApiKeyChanges b;
            b.tags = QStringList{QStringLiteral("second-%1").arg(i)};
            ApiKeyChanges c;
            c.concurrencyLimit = i + 1;
            auto count = [&](const Result<ApiKey> &r) {
                ++done;
                failures += r.ok() ? 0 : 1;
            };
            first.update(created.key.id, a, &context, count);
            second.update(created.key.id, b, &context, count);
            second.update(created.key.id, c, &context, count);
        }
        QTRY_COMPARE_WITH_TIMEOUT(done, 3 * Rounds, WaitMs);
        QCOMPARE(failures, 0);
        const auto key = wait<ApiKey>([&](QObject *c, auto cb) { first.get(created.key.id, c, cb); });
        QCOMPARE(key.value.description, QStringLiteral("from first %1").arg(Rounds - 1));
        QCOMPARE(key.value.tags, QStringList{QStringLiteral("second-%1").arg(Rounds - 1)});
        QCOMPARE(key.value.concurrencyLimit, Rounds);
        QCOMPARE(key.value.name, QStringLiteral("shared"));
        QCOMPARE(key.value.hash, created.key.hash);
    }

    void regenerateInvalidatesTheOldKeyAtOnceAndPublishes()
    {
        const KeyStore keys = store();
        const CreatedApiKey created = create(keys, {.name = QStringLiteral("rotate"), .tags = {QStringLiteral("t")}});
        ChangeFeed feed(*Redis::ConnectionOptions::fromUrl(m_server.url()), m_keys);
        QSignalSpy listening(&feed, &ChangeFeed::listening);
        QSignalSpy changed(&feed, &ChangeFeed::keyChanged);
        QVERIFY(listening.wait(WaitMs));

        const auto rotated = wait<CreatedApiKey>([&](QObject *c, auto cb) { keys.regenerate(created.key.id, c, cb); });
        QVERIFY2(rotated.ok(), qPrintable(rotated.error.message));
        QVERIFY(validateKeyFormat(rotated.value.clearKey));
        QVERIFY(rotated.value.clearKey != created.clearKey);
        QCOMPARE(rotated.value.key.id, created.key.id);
        QCOMPARE(rotated.value.key.hash, keys.hashKey(rotated.value.clearKey));
        QCOMPARE(rotated.value.key.hint, keyHint(rotated.value.clearKey));
        QCOMPARE(rotated.value.key.tags, QStringList{QStringLiteral("t")});

        QCOMPARE(wait<ApiKey>([&](QObject *c, auto cb) { keys.findByHash(created.key.hash, c, cb); }).error.kind,
                 Error::Kind::NotFound);
        QCOMPARE(wait<ApiKey>([&](QObject *c, auto cb) { keys.findByKey(created.clearKey, c, cb); }).error.kind,
                 Error::Kind::NotFound);
        const auto found = wait<ApiKey>([&](QObject *c, auto cb) { keys.findByKey(rotated.value.clearKey, c, cb); });
        QVERIFY(found.ok());
        QCOMPARE(found.value.id, created.key.id);
        QCOMPARE(m_server.command({"HLEN", m_keys.keyHashIndex()}).toInteger(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(changed.size(), 1, WaitMs);
        QCOMPARE(changed.at(0).at(0).toByteArray(), created.key.id);
        QCOMPARE(m_server.command({"TTL", m_keys.keyRecord(created.key.id)}).toInteger(), -1);

        QCOMPARE(
            wait<CreatedApiKey>([&](QObject *c, auto cb) { keys.regenerate("0123456789abcdef", c, cb); }).error.kind,
            Error::Kind::NotFound);
        QCOMPARE(m_server.command({"HLEN", m_keys.keyHashIndex()}).toInteger(), 1);
    }

    void firstUseActivationSetsTheExpiryOnceUnderConcurrency()
    {
        const KeyStore first = store();
        Redis::Client otherClient(*Redis::ConnectionOptions::fromUrl(m_server.url()));
        QVERIFY(QTest::qWaitFor([&] { return otherClient.isConnected(); }, WaitMs));
        const KeyStore second(&otherClient, m_keys, testSecret());
        const qint64 week = 7LL * 24 * 3600 * 1000;
        const CreatedApiKey created = create(first, {.name = QStringLiteral("trial"), .expiresAfterFirstUseMs = week});

        constexpr int Calls = 40;
        const qint64 base = 1800000000000;
        QList<Activation> results;
        int failures = 0;
        QObject context;
        for (int i = 0; i < Calls; ++i) {
            const KeyStore &keys = i % 2 ? second : first;
            keys.activate(created.key.id, base + i, &context, [&](const Result<Activation> &r) {
                failures += r.ok() ? 0 : 1;
                results << r.value;
            });
        }
        QTRY_COMPARE_WITH_TIMEOUT(results.size(), Calls, WaitMs);
        QCOMPARE(failures, 0);
        int activations = 0;
        qint64 activatedExpiry = 0;
        for (const Activation &a : results) {
            if (a.activated) {
                ++activations;
                activatedExpiry = a.expiresAt;
            }
        }
        QCOMPARE(activations, 1);
        QVERIFY(activatedExpiry >= base + week && activatedExpiry < base + Calls + week);
        for (const Activation &a : results)
            QCOMPARE(a.expiresAt, activatedExpiry);
        const auto key = wait<ApiKey>([&](QObject *c, auto cb) { first.get(created.key.id, c, cb); });
        QCOMPARE(key.value.expiresAt, activatedExpiry);
        QCOMPARE(key.value.activatedAt, activatedExpiry - week);
        QVERIFY(!key.value.needsActivation());
        QVERIFY(key.value.isUsable(activatedExpiry - 1));
        QVERIFY(!key.value.isUsable(activatedExpiry));

        // A key without a first-use expiry is left alone; an unknown key is NotFound.
        const CreatedApiKey fixed = create(first, {.name = QStringLiteral("fixed"), .expiresAt = 4102444800000});
        const auto untouched =
            wait<Activation>([&](QObject *c, auto cb) { first.activate(fixed.key.id, base, c, cb); });
        QVERIFY(untouched.ok());
        QVERIFY(!untouched.value.activated);
        QCOMPARE(untouched.value.expiresAt, 4102444800000);
        QCOMPARE(m_server.command({"HGET", m_keys.keyRecord(fixed.key.id), "activated_at"}).toByteArray(),
                 QByteArray("0"));
        QCOMPARE(
            wait<Activation>([&](QObject *c, auto cb) { first.activate("0123456789abcdef", base, c, cb); }).error.kind,
            Error::Kind::NotFound);
    }

    void secretFileIsCreatedPrivateAndReusedAndEnvironmentWins()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("conf/relaydeck/secret.key"));
        const QProcessEnvironment noEnv;
        const auto first = ServerSecret::load(path, noEnv);
        QVERIFY2(first.ok(), qPrintable(first.error.message));
        QCOMPARE(QFileInfo(path).permissions() & 0x0077, QFileDevice::Permissions());
        QCOMPARE(QFile::permissions(path),
                 QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadUser | QFileDevice::WriteUser);
        QCOMPARE(QFile::permissions(dir.filePath(QStringLiteral("conf/relaydeck"))) & 0x0077,
                 QFileDevice::Permissions());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll().trimmed().size(), 64);

        const auto again = ServerSecret::load(path, noEnv);
        QVERIFY(again.ok());
        QCOMPARE(again.value.fingerprint(), first.value.fingerprint());
        QCOMPARE(again.value.hashApiKey("rd_x"), first.value.hashApiKey("rd_x"));
        QVERIFY(first.value.encryptionKey() != QByteArray::fromHex(first.value.hashApiKey("")));

        QProcessEnvironment env;
        env.insert(QStringLiteral("RELAYDECK_SECRET"), QString(64, u'7'));
        const auto fromEnv = ServerSecret::load(path, env);
        QVERIFY(fromEnv.ok());
        QVERIFY(fromEnv.value.fingerprint() != first.value.fingerprint());
        QCOMPARE(fromEnv.value.origin(), QStringLiteral("RELAYDECK_SECRET"));

        env.insert(QStringLiteral("RELAYDECK_SECRET"), QStringLiteral("abc"));
        const auto badEnv = ServerSecret::load(path, env);
        QVERIFY(!badEnv.ok());
        QVERIFY2(badEnv.error.message.contains(QStringLiteral("64 hex")), qPrintable(badEnv.error.message));

        QFile::setPermissions(path, QFile::permissions(path) | QFileDevice::ReadGroup | QFileDevice::ReadOther);
        const auto exposed = ServerSecret::load(path, noEnv);
        QVERIFY(!exposed.ok());
        QVERIFY2(exposed.error.message.contains(QStringLiteral("chmod 600")), qPrintable(exposed.error.message));
    }

    void redisRefusesASecondDifferentSecret()
    {
        const ServerSecret ours = testSecret('a');
        QVERIFY(!waitDone([&](QObject *c, auto cb) { SecretCheck::verify(m_client.get(), m_keys, ours, c, cb); }));
        QVERIFY(!waitDone([&](QObject *c, auto cb) { SecretCheck::verify(m_client.get(), m_keys, ours, c, cb); }));
        const Error other =
            waitDone([&](QObject *c, auto cb) { SecretCheck::verify(m_client.get(), m_keys, testSecret('b'), c, cb); });
        QCOMPARE(other.kind, Error::Kind::SecretMismatch);
        QCOMPARE(m_server.command({"GET", m_keys.secretCheck()}).toByteArray(), ours.fingerprint());
    }
};

QTEST_GUILESS_MAIN(TstDomainKeys)
#include "tst_domainkeys.moc"
