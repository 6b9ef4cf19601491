// SPDX-License-Identifier: GPL-3.0-or-later
// The relaydeckd key/account/group/admin commands as a user runs them: the real binary against a real redis-server.
#include "admin/adminauth.h"
#include "domain/apikey.h"
#include "domain/changefeed.h"
#include "domain/secretbox.h"
#include "domain/serversecret.h"
#include "redis/client.h"
#include "redisserver.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <optional>

using namespace Relay;

namespace {

constexpr int WaitMs = 20000;

struct Run
{
    int code = -1;
    QByteArray out;
    QByteArray err;
};

struct SignIn
{
    Admin::AdminError error;
    QByteArray token;
};

} // namespace

class TstCli : public QObject
{
    Q_OBJECT

private:
    RedisServer m_server;
    std::unique_ptr<QTemporaryDir> m_home;
    QString m_secretFile;
    Domain::DomainKeys m_keys;

    Run run(const QStringList &args, const QByteArray &input = {}, bool withRedis = true,
            const QProcessEnvironment &extraEnv = {})
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), m_home->path());
        for (const char *name : {"XDG_CONFIG_HOME", "XDG_DATA_HOME", "RELAYDECK_SECRET", "RELAYDECK_REDIS"})
            env.remove(QString::fromLatin1(name));
        for (const QString &name : extraEnv.keys())
            env.insert(name, extraEnv.value(name));
        process.setProcessEnvironment(env);
        QStringList all = args;
        all << QStringLiteral("--secret-file") << m_secretFile;
        if (withRedis)
            all << QStringLiteral("--redis") << m_server.url();
        process.start(QStringLiteral(RELAYDECK_RELAYDECKD_PATH), all);
        if (!process.waitForStarted(WaitMs))
            return {};
        process.write(input);
        process.closeWriteChannel();
        if (!process.waitForFinished(WaitMs)) {
            process.kill();
            process.waitForFinished();
            return {};
        }
        return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2, process.readAllStandardOutput(),
                process.readAllStandardError()};
    }

    QByteArray createKey(const QString &name)
    {
        const Run r = run({QStringLiteral("key"), QStringLiteral("create"), QStringLiteral("--name"), name});
        if (r.code != 0)
            qWarning("key create failed: %s", r.err.constData());
        return r.out.trimmed();
    }

    // Signs in the way the relay's admin API does: an AdminAuth of the test's own on the same Redis.
    SignIn signIn(const QString &user, const QString &password)
    {
        Redis::Client client(*Redis::ConnectionOptions::fromUrl(m_server.url()));
        Admin::AdminAuth auth(&client, m_keys.keySpace(), Admin::AdminAuthOptions());
        std::optional<SignIn> result;
        auth.login(user, password, QHostAddress(QHostAddress::LocalHost),
                   [&](const QByteArray &token, const Admin::AdminSession &, const Admin::AdminError &error) {
                       result = SignIn{error, token};
                   });
        if (!QTest::qWaitFor([&] { return result.has_value(); }, WaitMs))
            return {Admin::AdminError::unavailable(QStringLiteral("no answer from AdminAuth::login")), {}};
        return *result;
    }

    // Whether a session token still works (as the admin API checks every request).
    bool sessionAlive(const QByteArray &token)
    {
        Redis::Client client(*Redis::ConnectionOptions::fromUrl(m_server.url()));
        Admin::AdminAuth auth(&client, m_keys.keySpace(), Admin::AdminAuthOptions());
        std::optional<bool> alive;
        auth.verify("Bearer " + token,
                    [&](const Admin::AdminSession &, const Admin::AdminError &error) { alive = !error.isError(); });
        if (!QTest::qWaitFor([&] { return alive.has_value(); }, WaitMs))
            qFatal("no answer from AdminAuth::verify");
        return *alive;
    }

    Run setAdminPassword(const QString &user, const QByteArray &password)
    {
        return run({u"admin"_qs, u"set-password"_qs, u"--user"_qs, user}, password + '\n');
    }

    QByteArray adminKey(const QByteArray &name) const { return m_keys.keySpace().global("admin:" + name); }

    QString writeFile(const QString &name, const QByteArray &content)
    {
        const QString path = m_home->filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            qFatal("cannot write %s", qPrintable(path));
        file.write(content);
        return path;
    }

private Q_SLOTS:
    void initTestCase()
    {
        if (RedisServer::executable().isEmpty())
            QFAIL("redis-server is not installed");
        QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
    }

    void init()
    {
        QCOMPARE(m_server.command({"FLUSHALL"}).toByteArray(), QByteArray("OK"));
        m_home = std::make_unique<QTemporaryDir>();
        m_secretFile = m_home->filePath(QStringLiteral("config/secret.key"));
    }

    void keyCreatePrintsTheKeyOnceAndListNeverShowsIt()
    {
        const Run created = run({QStringLiteral("key"), QStringLiteral("create"), QStringLiteral("--name"),
                                 QStringLiteral("ci-bot"), QStringLiteral("--concurrency"), QStringLiteral("2"),
                                 QStringLiteral("--expires-in"), QStringLiteral("30d")});
        QVERIFY2(created.code == 0, created.err.constData());
        const QByteArrayList lines = created.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 1);
        const QByteArray key = lines.at(0);
        QVERIFY2(Domain::validateKeyFormat(key), key.constData());
        QVERIFY(!created.err.contains(key));
        QVERIFY2(created.err.contains("Created API key"), created.err.constData());

        // The relay (same secret file) finds the key by its HMAC.
        const auto secret = Domain::ServerSecret::loadFile(m_secretFile, false);
        QVERIFY2(secret.ok(), qPrintable(secret.error.message));
        const QByteArray id =
            m_server.command({"HGET", m_keys.keyHashIndex(), secret.value.hashApiKey(key)}).toByteArray();
        QCOMPARE(id.size(), 16);
        QVERIFY(created.err.contains(id));
        const qint64 expires = m_server.command({"HGET", m_keys.keyRecord(id), "expires_at"}).toInteger();
        QVERIFY(qAbs(expires - QDateTime::currentMSecsSinceEpoch() - 30LL * 24 * 3600 * 1000) < 60000);
        QCOMPARE(m_server.command({"HGET", m_keys.keyRecord(id), "concurrency_limit"}).toByteArray(), QByteArray("2"));

        const Run listed = run({QStringLiteral("key"), QStringLiteral("list")});
        QCOMPARE(listed.code, 0);
        QVERIFY(listed.out.contains(id));
        QVERIFY(listed.out.contains("ci-bot"));
        QVERIFY(listed.out.contains(Domain::keyHint(key)));
        QVERIFY(!listed.out.contains(key.mid(7, 53)));

        const Run json = run({QStringLiteral("key"), QStringLiteral("list"), QStringLiteral("--json")});
        QCOMPARE(json.code, 0);
        const QJsonArray array = QJsonDocument::fromJson(json.out).array();
        QCOMPARE(array.size(), 1);
        QCOMPARE(array.at(0)[QStringLiteral("id")].toString().toLatin1(), id);
        QCOMPARE(array.at(0)[QStringLiteral("enabled")].toBool(), true);
        QVERIFY(!json.out.contains(key.mid(7, 53)));
    }

    void keyCreateJsonCarriesKeyAndId()
    {
        const Run r = run({QStringLiteral("key"), QStringLiteral("create"), QStringLiteral("--name"),
                           QStringLiteral("j"), QStringLiteral("--json")});
        QCOMPARE(r.code, 0);
        const QJsonObject object = QJsonDocument::fromJson(r.out).object();
        QVERIFY(Domain::validateKeyFormat(object[QStringLiteral("key")].toString().toLatin1()));
        QCOMPARE(object[QStringLiteral("name")].toString(), QStringLiteral("j"));
        QCOMPARE(m_server.command({"SISMEMBER", m_keys.keyIndex(), object[QStringLiteral("id")].toString().toLatin1()})
                     .toInteger(),
                 1);
    }

    void keyCreateAndUpdateTakeTheNewSettings()
    {
        const Run created = run({u"key"_qs,
                                 u"create"_qs,
                                 u"--name"_qs,
                                 u"team"_qs,
                                 u"--tag"_qs,
                                 u"alpha"_qs,
                                 u"--tag"_qs,
                                 u"beta"_qs,
                                 u"--permissions"_qs,
                                 u"messages,count_tokens"_qs,
                                 u"--allow-models"_qs,
                                 u"claude-sonnet-4-5-20250929, claude-haiku-4-5"_qs,
                                 u"--client"_qs,
                                 u"claude_code"_qs,
                                 u"--expires-after-first-use"_qs,
                                 u"7d"_qs,
                                 u"--bind-group"_qs,
                                 u"grp-1"_qs,
                                 u"--description"_qs,
                                 u"for the team"_qs,
                                 u"--json"_qs});
        QVERIFY2(created.code == 0, created.err.constData());
        const QJsonObject object = QJsonDocument::fromJson(created.out).object();
        const QByteArray id = object[u"id"_qs].toString().toLatin1();
        QCOMPARE(object[u"tags"_qs].toArray(), (QJsonArray{u"alpha"_qs, u"beta"_qs}));
        QCOMPARE(object[u"permissions"_qs].toArray(), (QJsonArray{u"messages"_qs, u"count_tokens"_qs}));
        QCOMPARE(object[u"model_rule"_qs].toString(), u"allow"_qs);
        QCOMPARE(object[u"models"_qs].toArray(), (QJsonArray{u"claude-sonnet-4-5"_qs, u"claude-haiku-4-5"_qs}));
        QCOMPARE(object[u"client"_qs].toString(), u"claude_code"_qs);
        QCOMPARE(object[u"bound_group"_qs].toString(), u"grp-1"_qs);
        const QByteArray record = m_keys.keyRecord(id);
        QCOMPARE(m_server.command({"HGET", record, "expires_after_first_use_ms"}).toInteger(), 7LL * 24 * 3600 * 1000);
        QCOMPARE(m_server.command({"HGET", record, "expires_at"}).toInteger(), 0);

        Run listed = run({u"key"_qs, u"list"_qs});
        QCOMPARE(listed.code, 0);
        QVERIFY2(listed.out.contains("alpha,beta"), listed.out.constData());
        QVERIFY2(listed.out.contains("7d after first use"), listed.out.constData());

        // Another writer changes the description meanwhile: update keeps it, since it writes only its own fields.
        m_server.command({"HSET", record, "description", "changed elsewhere"});
        const Run updated = run({u"key"_qs, u"update"_qs, QString::fromLatin1(id), u"--deny-models"_qs,
                                 u"claude-opus-4-1"_qs, u"--expires-at"_qs, u"2099-01-02T03:04:05Z"_qs,
                                 u"--bind-account"_qs, u"acct-9"_qs, u"--tag"_qs, u"gamma"_qs});
        QVERIFY2(updated.code == 0, updated.err.constData());
        QVERIFY(updated.out.contains("updated"));
        QCOMPARE(m_server.command({"HGET", record, "model_rule"}).toByteArray(), QByteArray("deny"));
        QCOMPARE(m_server.command({"HGET", record, "models"}).toByteArray(), QByteArray(R"(["claude-opus-4-1"])"));
        QCOMPARE(m_server.command({"HGET", record, "expires_at"}).toInteger(),
                 QDateTime(QDate(2099, 1, 2), QTime(3, 4, 5), Qt::UTC).toMSecsSinceEpoch());
        QCOMPARE(m_server.command({"HEXISTS", record, "expires_after_first_use_ms"}).toInteger(), 0);
        QCOMPARE(m_server.command({"HGET", record, "bound_account"}).toByteArray(), QByteArray("acct-9"));
        QCOMPARE(m_server.command({"HEXISTS", record, "bound_group"}).toInteger(), 0);
        QCOMPARE(m_server.command({"HGET", record, "description"}).toByteArray(), QByteArray("changed elsewhere"));
        QCOMPARE(m_server.command({"HGET", record, "client"}).toByteArray(), QByteArray("claude_code"));
        QCOMPARE(m_server.command({"HGET", record, "tags"}).toByteArray(), QByteArray(R"(["gamma"])"));
        listed = run({u"key"_qs, u"list"_qs});
        QVERIFY2(listed.out.contains("2099-01-02 03:04Z"), listed.out.constData());
    }

    void keyLimitOptionsAreStoredAndUpdateChangesOnlyTheGivenLimit()
    {
        const Run created = run({u"key"_qs,
                                 u"create"_qs,
                                 u"--name"_qs,
                                 u"limited"_qs,
                                 u"--window"_qs,
                                 u"60"_qs,
                                 u"--window-requests"_qs,
                                 u"100"_qs,
                                 u"--window-cost"_qs,
                                 u"2.5"_qs,
                                 u"--daily-cost"_qs,
                                 u"20"_qs,
                                 u"--weekly-cost"_qs,
                                 u"opus=50"_qs,
                                 u"--weekly-cost"_qs,
                                 u"sonnet=70.25"_qs,
                                 u"--limit-time-zone"_qs,
                                 u"Asia/Shanghai"_qs,
                                 u"--concurrency"_qs,
                                 u"2"_qs,
                                 u"--queue-wait"_qs,
                                 u"30s"_qs,
                                 u"--json"_qs});
        QVERIFY2(created.code == 0, created.err.constData());
        const QJsonObject object = QJsonDocument::fromJson(created.out).object();
        const QByteArray id = object[u"id"_qs].toString().toLatin1();
        const QJsonObject limits = object[u"limits"_qs].toObject();
        QCOMPARE(limits[u"window"_qs].toObject()[u"requests"_qs].toInteger(), 100);
        QCOMPARE(limits[u"daily_cost_nanos"_qs].toInteger(), 20'000'000'000);
        QCOMPARE(object[u"limit_time_zone"_qs].toString(), u"Asia/Shanghai"_qs);
        QCOMPARE(object[u"concurrency_wait_ms"_qs].toInteger(), 30'000);
        const QByteArray record = m_keys.keyRecord(id);
        QCOMPARE(m_server.command({"HGET", record, "limit_window_cost_nanos"}).toInteger(), 2'500'000'000);
        QCOMPARE(m_server.command({"HGET", record, "limit_weekly_cost_nanos:sonnet"}).toInteger(), 70'250'000'000);

        // One limit changes; the window, the weekly limits and the zone stay. opus=0 removes that limit.
        const Run updated = run({u"key"_qs, u"update"_qs, QString::fromLatin1(id), u"--daily-cost"_qs, u"5"_qs,
                                 u"--weekly-cost"_qs, u"opus=0"_qs});
        QVERIFY2(updated.code == 0, updated.err.constData());
        QCOMPARE(m_server.command({"HGET", record, "limit_daily_cost_nanos"}).toInteger(), 5'000'000'000);
        QCOMPARE(m_server.command({"HGET", record, "limit_window_requests"}).toInteger(), 100);
        QCOMPARE(m_server.command({"HEXISTS", record, "limit_weekly_cost_nanos:opus"}).toInteger(), 0);
        QCOMPARE(m_server.command({"HGET", record, "limit_weekly_cost_nanos:sonnet"}).toInteger(), 70'250'000'000);
        QCOMPARE(m_server.command({"HGET", record, "limit_time_zone"}).toByteArray(), QByteArray("Asia/Shanghai"));

        // A window limit without the window's length is refused, and nothing is written.
        const Run refused = run({u"key"_qs, u"update"_qs, QString::fromLatin1(id), u"--window"_qs, u"0"_qs});
        QCOMPARE(refused.code, 2);
        QVERIFY2(refused.err.contains("window"), refused.err.constData());
        QCOMPARE(m_server.command({"HGET", record, "limit_window_minutes"}).toInteger(), 60);
    }

    void keyRegeneratePrintsANewKeyOnceAndTheOldStopsWorking()
    {
        const QByteArray oldKey = createKey(QStringLiteral("rotating"));
        const auto secret = Domain::ServerSecret::loadFile(m_secretFile, false);
        QVERIFY(secret.ok());
        const QByteArray id =
            m_server.command({"HGET", m_keys.keyHashIndex(), secret.value.hashApiKey(oldKey)}).toByteArray();
        QCOMPARE(id.size(), 16);
        const Run r = run({u"key"_qs, u"regenerate"_qs, QString::fromLatin1(id)});
        QVERIFY2(r.code == 0, r.err.constData());
        const QByteArray newKey = r.out.trimmed();
        QVERIFY2(Domain::validateKeyFormat(newKey), newKey.constData());
        QVERIFY(newKey != oldKey);
        QVERIFY(!r.err.contains(newKey));
        QVERIFY(r.err.contains("old key no longer works"));
        QCOMPARE(m_server.command({"HEXISTS", m_keys.keyHashIndex(), secret.value.hashApiKey(oldKey)}).toInteger(), 0);
        QCOMPARE(m_server.command({"HGET", m_keys.keyHashIndex(), secret.value.hashApiKey(newKey)}).toByteArray(), id);
        const Run unknown = run({u"key"_qs, u"regenerate"_qs, u"0123456789abcdef"_qs});
        QCOMPARE(unknown.code, 1);
        QVERIFY(unknown.err.contains("no API key with id 0123456789abcdef"));
    }

    void accountAddReadsTheSecretFromFileOrStdin()
    {
        const QByteArray fileSecret = "sk-ant-api03-FROMFILE-" + QByteArray(40, 'f');
        const QByteArray stdinSecret = "sk-ant-oat01-FROMSTDIN-" + QByteArray(40, 's');
        const QByteArray pipedSecret = "sk-ant-api03-PIPED-" + QByteArray(40, 'p');
        const QString file = writeFile(QStringLiteral("upstream.key"), fileSecret + "\n");

        Run r =
            run({QStringLiteral("account"), QStringLiteral("add"), QStringLiteral("--type"), QStringLiteral("apikey"),
                 QStringLiteral("--name"), QStringLiteral("from-file"), QStringLiteral("--api-key-file"), file,
                 QStringLiteral("--priority"), QStringLiteral("10"), QStringLiteral("--json")});
        QVERIFY2(r.code == 0, r.err.constData());
        const QByteArray fileId = QJsonDocument::fromJson(r.out).object()[QStringLiteral("id")].toString().toLatin1();
        r = run({QStringLiteral("account"), QStringLiteral("add"), QStringLiteral("--type"), QStringLiteral("oauth"),
                 QStringLiteral("--name"), QStringLiteral("from-stdin"), QStringLiteral("--api-key-file"),
                 QStringLiteral("-"), QStringLiteral("--base-url"), QStringLiteral("https://proxy.example.com/"),
                 QStringLiteral("--max-concurrency"), QStringLiteral("3")},
                stdinSecret + "\n");
        QVERIFY2(r.code == 0, r.err.constData());
        r = run({QStringLiteral("account"), QStringLiteral("add"), QStringLiteral("--type"), QStringLiteral("apikey"),
                 QStringLiteral("--name"), QStringLiteral("piped")},
                pipedSecret);
        QVERIFY2(r.code == 0, r.err.constData());

        const Run listed = run({QStringLiteral("account"), QStringLiteral("list"), QStringLiteral("--json")});
        QCOMPARE(listed.code, 0);
        for (const QByteArray &secret : {fileSecret, stdinSecret, pipedSecret})
            QVERIFY(!listed.out.contains(secret.left(20)));
        const QJsonArray array = QJsonDocument::fromJson(listed.out).array();
        QCOMPARE(array.size(), 3);
        QCOMPARE(array.at(0)[QStringLiteral("id")].toString().toLatin1(), fileId); // priority 10 first
        QJsonObject stdinAccount;
        for (const QJsonValue &v : array) {
            if (v[QStringLiteral("name")].toString() == QStringLiteral("from-stdin"))
                stdinAccount = v.toObject();
            QVERIFY(v[QStringLiteral("secret_readable")].toBool());
        }
        QCOMPARE(stdinAccount[QStringLiteral("type")].toString(), QStringLiteral("oauth"));
        QCOMPARE(stdinAccount[QStringLiteral("base_url")].toString(), QStringLiteral("https://proxy.example.com"));
        QCOMPARE(stdinAccount[QStringLiteral("max_concurrency")].toInt(), 3);

        // Stored encrypted; the relay's AccountStore (same secret) would decrypt it.
        const QByteArray stored = m_server.command({"HGET", m_keys.accountRecord(fileId), "secret"}).toByteArray();
        QVERIFY(stored.startsWith("v1:"));
        const auto secret = Domain::ServerSecret::loadFile(m_secretFile, false);
        QCOMPARE(Domain::SecretBox(secret.value.encryptionKey()).decrypt(stored, fileId).value, fileSecret);

        const Run text = run({QStringLiteral("account"), QStringLiteral("list")});
        QCOMPARE(text.code, 0);
        QVERIFY(text.out.contains("from-file"));
        QVERIFY(!text.out.contains("FROMFILE"));
    }

    void accountOptionsAreStoredAndShowHidesSecrets()
    {
        const QString access = writeFile(QStringLiteral("access"), "sk-ant-oat01-ACCESS-" + QByteArray(30, 'a'));
        const QString refresh = writeFile(QStringLiteral("refresh"), "sk-ant-ort01-REFRESH-" + QByteArray(30, 'r'));
        const QString proxyPassword = writeFile(QStringLiteral("proxy-pw"), "PROXYPW-secret\n");
        Run r = run({u"account"_qs,
                     u"add"_qs,
                     u"--type"_qs,
                     u"oauth"_qs,
                     u"--name"_qs,
                     u"max"_qs,
                     u"--api-key-file"_qs,
                     access,
                     u"--refresh-token-file"_qs,
                     refresh,
                     u"--token-expires-at"_qs,
                     u"2030-01-02T03:04:05Z"_qs,
                     u"--proxy"_qs,
                     u"socks5://dave@127.0.0.1:1080"_qs,
                     u"--proxy-password-file"_qs,
                     proxyPassword,
                     u"--model-map"_qs,
                     u"claude-3-opus=claude-opus-4-1"_qs,
                     u"--model-map"_qs,
                     u"haiku = claude-haiku-4-5"_qs,
                     u"--daily-quota"_qs,
                     u"12.5"_qs,
                     u"--notes"_qs,
                     u"shared by team A"_qs,
                     u"--json"_qs});
        QVERIFY2(r.code == 0, r.err.constData());
        const QByteArray id = QJsonDocument::fromJson(r.out).object()[u"id"_qs].toString().toLatin1();
        QCOMPARE(id.size(), 16);
        const QByteArray record = m_keys.accountRecord(id);
        QCOMPARE(m_server.command({"HGET", record, "daily_cost_quota_nanos"}).toByteArray(), QByteArray("12500000000"));
        QCOMPARE(m_server.command({"HGET", record, "token_expires_at"}).toInteger(),
                 QDateTime(QDate(2030, 1, 2), QTime(3, 4, 5), Qt::UTC).toMSecsSinceEpoch());
        QVERIFY(m_server.command({"HGET", record, "refresh_token"}).toByteArray().startsWith("v1:"));
        QVERIFY(m_server.command({"HGET", record, "proxy_password"}).toByteArray().startsWith("v1:"));

        const Run json = run({u"account"_qs, u"show"_qs, QString::fromLatin1(id), u"--json"_qs});
        QVERIFY2(json.code == 0, json.err.constData());
        const Run text = run({u"account"_qs, u"show"_qs, QString::fromLatin1(id)});
        QVERIFY2(text.code == 0, text.err.constData());
        for (const Run *shown : {static_cast<const Run *>(&r), &json, &text}) {
            for (const char *secret : {"ACCESS", "REFRESH", "PROXYPW"})
                QVERIFY2(!shown->out.contains(secret), shown->out.constData());
        }
        const QJsonObject object = QJsonDocument::fromJson(json.out).object();
        QCOMPARE(object[u"secret"_qs].toString(), u"set"_qs);
        QCOMPARE(object[u"refresh_token"_qs].toString(), u"set"_qs);
        QCOMPARE(object[u"proxy_password"_qs].toString(), u"set"_qs);
        QCOMPARE(object[u"proxy"_qs].toString(), u"socks5://dave@127.0.0.1:1080"_qs);
        QCOMPARE(object[u"model_mapping"_qs].toObject()[u"haiku"_qs].toString(), u"claude-haiku-4-5"_qs);
        QCOMPARE(object[u"daily_cost_quota_nanos"_qs].toInteger(), 12'500'000'000);
        QCOMPARE(object[u"notes"_qs].toString(), u"shared by team A"_qs);
        QCOMPARE(object[u"health"_qs].toObject()[u"status"_qs].toString(), u"active"_qs);
        QVERIFY2(text.out.contains("Refresh token:   set"), text.out.constData());
        QVERIFY2(text.out.contains("Daily quota:     $12.50"), text.out.constData());
        QVERIFY2(text.out.contains("claude-3-opus -> claude-opus-4-1"), text.out.constData());

        // Update writes only what is given: the proxy goes (with its password), the rest stays.
        r = run({u"account"_qs, u"update"_qs, QString::fromLatin1(id), u"--proxy"_qs, QString(), u"--daily-quota"_qs,
                 u"0"_qs, u"--schedulable"_qs, u"false"_qs, u"--priority"_qs, u"7"_qs});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(r.out, QByteArray("Account " + id + " updated.\n"));
        const QJsonObject updated =
            QJsonDocument::fromJson(run({u"account"_qs, u"show"_qs, QString::fromLatin1(id), u"--json"_qs}).out)
                .object();
        QCOMPARE(updated[u"proxy"_qs].toString(), QString());
        QCOMPARE(updated[u"proxy_password"_qs].toString(), u"not set"_qs);
        QCOMPARE(updated[u"daily_cost_quota_nanos"_qs].toInteger(), 0);
        QCOMPARE(updated[u"schedulable"_qs].toBool(), false);
        QCOMPARE(updated[u"priority"_qs].toInt(), 7);
        QCOMPARE(updated[u"refresh_token"_qs].toString(), u"set"_qs);
        QCOMPARE(updated[u"notes"_qs].toString(), u"shared by team A"_qs);
        QCOMPARE(updated[u"name"_qs].toString(), u"max"_qs);
    }

    void accountListShowsHealthAndResetClearsIt()
    {
        Run r = run({u"account"_qs, u"add"_qs, u"--type"_qs, u"apikey"_qs, u"--name"_qs, u"banned"_qs, u"--json"_qs},
                    "sk-ant-api03-x");
        QVERIFY2(r.code == 0, r.err.constData());
        const QByteArray id = QJsonDocument::fromJson(r.out).object()[u"id"_qs].toString().toLatin1();
        m_server.command({"HSET", m_keys.accountState(id), "status", "blocked", "reason", "organization disabled",
                          "until", "0", "changed_at", "1000"});
        Run list = run({u"account"_qs, u"list"_qs});
        QVERIFY2(list.code == 0, list.err.constData());
        QVERIFY2(list.out.contains("HEALTH") && list.out.contains("blocked") &&
                     list.out.contains("organization disabled"),
                 list.out.constData());
        const QJsonArray json = QJsonDocument::fromJson(run({u"account"_qs, u"list"_qs, u"--json"_qs}).out).array();
        QCOMPARE(json.at(0)[u"health"_qs][u"status"_qs].toString(), u"blocked"_qs);

        r = run({u"account"_qs, u"reset"_qs, QString::fromLatin1(id)});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(r.out, QByteArray("Account " + id + " reset to active.\n"));
        list = run({u"account"_qs, u"list"_qs});
        QVERIFY2(list.out.contains("reset by operator") && !list.out.contains("blocked"), list.out.constData());
    }

    void groupCommandsManageMembership()
    {
        Run r = run({u"account"_qs, u"add"_qs, u"--type"_qs, u"apikey"_qs, u"--name"_qs, u"member"_qs, u"--json"_qs},
                    "sk-ant-api03-y");
        QVERIFY2(r.code == 0, r.err.constData());
        const QString account = QJsonDocument::fromJson(r.out).object()[u"id"_qs].toString();
        r = run({u"group"_qs, u"create"_qs, u"--name"_qs, u"team-a"_qs, u"--description"_qs, u"the A team"_qs,
                 u"--json"_qs});
        QVERIFY2(r.code == 0, r.err.constData());
        const QString group = QJsonDocument::fromJson(r.out).object()[u"id"_qs].toString();
        QCOMPARE(group.size(), 16);

        r = run({u"group"_qs, u"add-member"_qs, group, account});
        QVERIFY2(r.code == 0, r.err.constData());
        QCOMPARE(QString::fromUtf8(r.out), u"Account %1 added to group %2.\n"_qs.arg(account, group));
        const QJsonArray groups = QJsonDocument::fromJson(run({u"group"_qs, u"list"_qs, u"--json"_qs}).out).array();
        QCOMPARE(groups.size(), 1);
        QCOMPARE(groups.at(0)[u"name"_qs].toString(), u"team-a"_qs);
        QCOMPARE(groups.at(0)[u"members"_qs].toArray().at(0).toString(), account);
        const Run text = run({u"group"_qs, u"list"_qs});
        QVERIFY2(text.out.contains("team-a") && text.out.contains(account.toLatin1()), text.out.constData());
        QCOMPARE(QJsonDocument::fromJson(run({u"account"_qs, u"show"_qs, account, u"--json"_qs}).out)
                     .object()[u"group_ids"_qs]
                     .toArray()
                     .at(0)
                     .toString(),
                 group);

        r = run({u"group"_qs, u"remove-member"_qs, group, account});
        QVERIFY2(r.code == 0, r.err.constData());
        r = run({u"group"_qs, u"remove-member"_qs, group, account});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("is not a member"), r.err.constData());
        QVERIFY(!run({u"group"_qs, u"add-member"_qs, group, account}).code);
        r = run({u"group"_qs, u"delete"_qs, group});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(QJsonDocument::fromJson(run({u"account"_qs, u"show"_qs, account, u"--json"_qs}).out)
                    .object()[u"group_ids"_qs]
                    .toArray()
                    .isEmpty());
        QCOMPARE(run({u"group"_qs, u"delete"_qs, group}).code, 1);
    }

    void badInputExitsNonZeroWithAMessage_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("message");
        const QString emptyFile = QStringLiteral("@empty");
        QTest::newRow("unknown subcommand")
            << QStringList{u"key"_qs, u"rotate"_qs} << QByteArray() << 2 << u"unknown subcommand \"key rotate\""_qs;
        QTest::newRow("no subcommand") << QStringList{u"account"_qs} << QByteArray() << 2 << u"needs a subcommand"_qs;
        QTest::newRow("missing name") << QStringList{u"key"_qs, u"create"_qs} << QByteArray() << 2
                                      << u"needs --name NAME"_qs;
        QTest::newRow("bad concurrency") << QStringList{u"key"_qs, u"create"_qs,        u"--name"_qs,
                                                        u"x"_qs,   u"--concurrency"_qs, u"-1"_qs}
                                         << QByteArray() << 2 << u"--concurrency"_qs;
        QTest::newRow("bad weekly family")
            << QStringList{u"key"_qs, u"create"_qs, u"--name"_qs, u"x"_qs, u"--weekly-cost"_qs, u"gpt=5"_qs}
            << QByteArray() << 2 << u"--weekly-cost must be FAMILY=USD"_qs;
        QTest::newRow("bad time zone")
            << QStringList{u"key"_qs, u"create"_qs, u"--name"_qs, u"x"_qs, u"--limit-time-zone"_qs, u"Mars/Base"_qs}
            << QByteArray() << 2 << u"is not a time zone"_qs;
        QTest::newRow("window limit without window")
            << QStringList{u"key"_qs, u"create"_qs, u"--name"_qs, u"x"_qs, u"--window-requests"_qs, u"5"_qs}
            << QByteArray() << 2 << u"needs the window's length"_qs;
        QTest::newRow("bad expiry") << QStringList{u"key"_qs, u"create"_qs,       u"--name"_qs,
                                                   u"x"_qs,   u"--expires-in"_qs, u"soon"_qs}
                                    << QByteArray() << 2 << u"--expires-in"_qs;
        const QStringList create{u"key"_qs, u"create"_qs, u"--name"_qs, u"x"_qs};
        QTest::newRow("allow and deny models")
            << create + QStringList{u"--allow-models"_qs, u"a"_qs, u"--deny-models"_qs, u"b"_qs} << QByteArray() << 2
            << u"exclude each other"_qs;
        QTest::newRow("empty allow list") << create + QStringList{u"--allow-models"_qs, u" , "_qs} << QByteArray() << 2
                                          << u"--allow-models needs at least one model"_qs;
        QTest::newRow("unknown permission") << create + QStringList{u"--permissions"_qs, u"messages,batches"_qs}
                                            << QByteArray() << 2 << u"unknown permission \"batches\""_qs;
        QTest::newRow("unknown client") << create + QStringList{u"--client"_qs, u"cursor"_qs} << QByteArray() << 2
                                        << u"--client must be any or claude_code"_qs;
        QTest::newRow("two expiries") << create + QStringList{u"--expires-in"_qs, u"30d"_qs,
                                                              u"--expires-after-first-use"_qs, u"7d"_qs}
                                      << QByteArray() << 2 << u"only one of --expires-in"_qs;
        QTest::newRow("bad expires-at") << create + QStringList{u"--expires-at"_qs, u"next week"_qs} << QByteArray()
                                        << 2 << u"--expires-at must be an ISO 8601 time"_qs;
        QTest::newRow("past expires-at") << create + QStringList{u"--expires-at"_qs, u"2001-01-01"_qs} << QByteArray()
                                         << 2 << u"is in the past"_qs;
        QTest::newRow("bad first-use expiry") << create + QStringList{u"--expires-after-first-use"_qs, u"0d"_qs}
                                              << QByteArray() << 2 << u"--expires-after-first-use must be"_qs;
        QTest::newRow("account and group")
            << create + QStringList{u"--bind-account"_qs, u"a"_qs, u"--bind-group"_qs, u"g"_qs} << QByteArray() << 2
            << u"--bind-account and --bind-group exclude"_qs;
        QTest::newRow("bad bound id") << create + QStringList{u"--bind-account"_qs, u"a b"_qs} << QByteArray() << 2
                                      << u"is not a valid id"_qs;
        QTest::newRow("update without changes") << QStringList{u"key"_qs, u"update"_qs, u"0123456789abcdef"_qs}
                                                << QByteArray() << 2 << u"needs at least one setting"_qs;
        QTest::newRow("update of an unknown key")
            << QStringList{u"key"_qs, u"update"_qs, u"0123456789abcdef"_qs, u"--tag"_qs, u"t"_qs} << QByteArray() << 1
            << u"no API key with id 0123456789abcdef"_qs;
        QTest::newRow("regenerate without id")
            << QStringList{u"key"_qs, u"regenerate"_qs} << QByteArray() << 2 << u"needs the id"_qs;
        QTest::newRow("any-model on create")
            << create + QStringList{u"--any-model"_qs} << QByteArray() << 2 << u"--any-model does not apply"_qs;
        QTest::newRow("account update without settings")
            << QStringList{u"account"_qs, u"update"_qs, u"0123456789abcdef"_qs} << QByteArray() << 2
            << u"needs at least one setting"_qs;
        const QStringList addAccount{u"account"_qs, u"add"_qs, u"--type"_qs, u"apikey"_qs, u"--name"_qs, u"a"_qs};
        QTest::newRow("password in proxy URL")
            << addAccount + QStringList{u"--proxy"_qs, u"http://u:pw@127.0.0.1:3128"_qs} << QByteArray("s") << 2
            << u"must not contain a password"_qs;
        QTest::newRow("proxy without port") << addAccount + QStringList{u"--proxy"_qs, u"socks5://127.0.0.1"_qs}
                                            << QByteArray("s") << 2 << u"needs a port"_qs;
        QTest::newRow("proxy password without proxy")
            << addAccount + QStringList{u"--proxy-password-file"_qs, u"@empty"_qs} << QByteArray("s") << 2
            << u"--proxy-password-file needs --proxy"_qs;
        QTest::newRow("bad daily quota") << addAccount + QStringList{u"--daily-quota"_qs, u"-3"_qs} << QByteArray("s")
                                         << 2 << u"--daily-quota must be an amount in USD"_qs;
        QTest::newRow("model map without =") << addAccount + QStringList{u"--model-map"_qs, u"opus"_qs}
                                             << QByteArray("s") << 2 << u"--model-map needs FROM=TO"_qs;
        QTest::newRow("bad token expiry") << addAccount + QStringList{u"--token-expires-at"_qs, u"later"_qs}
                                          << QByteArray("s") << 2 << u"--token-expires-at"_qs;
        QTest::newRow("two secrets on stdin")
            << addAccount + QStringList{u"--api-key-file"_qs, u"-"_qs, u"--refresh-token-file"_qs, u"-"_qs}
            << QByteArray("abc") << 2 << u"only one secret can be read from stdin"_qs;
        QTest::newRow("bad schedulable") << QStringList{u"account"_qs, u"update"_qs, u"0123456789abcdef"_qs,
                                                        u"--schedulable"_qs, u"maybe"_qs}
                                         << QByteArray() << 2 << u"--schedulable must be true or false"_qs;
        QTest::newRow("account update of unknown id")
            << QStringList{u"account"_qs, u"update"_qs, u"0123456789abcdef"_qs, u"--notes"_qs, u"n"_qs} << QByteArray()
            << 1 << u"no account with id 0123456789abcdef"_qs;
        QTest::newRow("show unknown account") << QStringList{u"account"_qs, u"show"_qs, u"0123456789abcdef"_qs}
                                              << QByteArray() << 1 << u"no account with id"_qs;
        QTest::newRow("reset unknown account") << QStringList{u"account"_qs, u"reset"_qs, u"0123456789abcdef"_qs}
                                               << QByteArray() << 1 << u"no account with id"_qs;
        QTest::newRow("group without subcommand")
            << QStringList{u"group"_qs} << QByteArray() << 2 << u"\"group\" needs a subcommand"_qs;
        QTest::newRow("group create without name")
            << QStringList{u"group"_qs, u"create"_qs} << QByteArray() << 2 << u"needs --name NAME"_qs;
        QTest::newRow("add-member without account")
            << QStringList{u"group"_qs, u"add-member"_qs, u"0123456789abcdef"_qs} << QByteArray() << 2
            << u"needs the group id and the account id"_qs;
        QTest::newRow("add-member to unknown group")
            << QStringList{u"group"_qs, u"add-member"_qs, u"0123456789abcdef"_qs, u"fedcba9876543210"_qs}
            << QByteArray() << 1 << u"no account group with id 0123456789abcdef"_qs;
        QTest::newRow("account option on group") << QStringList{u"group"_qs, u"list"_qs, u"--notes"_qs, u"x"_qs}
                                                 << QByteArray() << 2 << u"--notes does not apply"_qs;
        QTest::newRow("option of another command") << QStringList{u"key"_qs, u"list"_qs, u"--priority"_qs, u"3"_qs}
                                                   << QByteArray() << 2 << u"--priority does not apply"_qs;
        QTest::newRow("missing type") << QStringList{u"account"_qs, u"add"_qs, u"--name"_qs, u"a"_qs} << QByteArray("s")
                                      << 2 << u"--type"_qs;
        QTest::newRow("bad base url") << QStringList{u"account"_qs,    u"add"_qs,
                                                     u"--type"_qs,     u"apikey"_qs,
                                                     u"--name"_qs,     u"a"_qs,
                                                     u"--base-url"_qs, u"ftp://example.com"_qs}
                                      << QByteArray("s") << 2 << u"bad --base-url"_qs;
        QTest::newRow("empty secret file") << QStringList{u"account"_qs, u"add"_qs, u"--type"_qs,         u"apikey"_qs,
                                                          u"--name"_qs,  u"a"_qs,   u"--api-key-file"_qs, emptyFile}
                                           << QByteArray() << 2 << u"is empty"_qs;
        QTest::newRow("empty stdin") << QStringList{u"account"_qs, u"add"_qs,    u"--type"_qs,
                                                    u"apikey"_qs,  u"--name"_qs, u"a"_qs}
                                     << QByteArray("\n") << 2 << u"the secret from stdin is empty"_qs;
        QTest::newRow("missing secret file")
            << QStringList{u"account"_qs, u"add"_qs, u"--type"_qs,         u"apikey"_qs,
                           u"--name"_qs,  u"a"_qs,   u"--api-key-file"_qs, u"/nonexistent/key"_qs}
            << QByteArray() << 2 << u"cannot read --api-key-file"_qs;
        QTest::newRow("missing id") << QStringList{u"key"_qs, u"disable"_qs} << QByteArray() << 2 << u"needs the id"_qs;
        QTest::newRow("unknown key id") << QStringList{u"key"_qs, u"disable"_qs, u"0123456789abcdef"_qs} << QByteArray()
                                        << 1 << u"no API key with id 0123456789abcdef"_qs;
        QTest::newRow("unknown account id") << QStringList{u"account"_qs, u"delete"_qs, u"0123456789abcdef"_qs}
                                            << QByteArray() << 1 << u"no account with id 0123456789abcdef"_qs;
        QTest::newRow("short admin password") << QStringList{u"admin"_qs, u"set-password"_qs} << QByteArray("short1\n")
                                              << 2 << u"must have at least 12 characters"_qs;
        QTest::newRow("empty admin password") << QStringList{u"admin"_qs, u"set-password"_qs} << QByteArray("\n") << 2
                                              << u"password from stdin is empty"_qs;
        QTest::newRow("two-line admin password")
            << QStringList{u"admin"_qs, u"set-password"_qs} << QByteArray("long enough password\nanother line\n") << 2
            << u"must be a single line"_qs;
        QTest::newRow("bad admin user name")
            << QStringList{u"admin"_qs, u"set-password"_qs, u"--user"_qs, u"a b"_qs, u"--generate"_qs} << QByteArray()
            << 2 << u"--user must be 1 to 64 letters"_qs;
        QTest::newRow("admin without subcommand")
            << QStringList{u"admin"_qs} << QByteArray() << 2 << u"\"admin\" needs a subcommand"_qs;
        QTest::newRow("unknown admin subcommand")
            << QStringList{u"admin"_qs, u"reset"_qs} << QByteArray() << 2 << u"unknown subcommand \"admin reset\""_qs;
        QTest::newRow("admin delete without user")
            << QStringList{u"admin"_qs, u"delete"_qs} << QByteArray() << 2 << u"needs --user NAME"_qs;
        QTest::newRow("admin user as argument") << QStringList{u"admin"_qs, u"delete"_qs, u"ops"_qs} << QByteArray()
                                                << 2 << u"unexpected argument \"ops\""_qs;
        QTest::newRow("generate on admin list") << QStringList{u"admin"_qs, u"list"_qs, u"--generate"_qs}
                                                << QByteArray() << 2 << u"--generate does not apply"_qs;
        QTest::newRow("key option on admin")
            << QStringList{u"admin"_qs, u"set-password"_qs, u"--name"_qs, u"x"_qs}
            << QByteArray("long enough password\n") << 2 << u"--name does not apply to \"admin set-password\""_qs;
        QTest::newRow("command option without command")
            << QStringList{u"--name"_qs, u"x"_qs} << QByteArray() << 2 << u"--name belongs to"_qs;
    }

    void badInputExitsNonZeroWithAMessage()
    {
        QFETCH(QStringList, args);
        QFETCH(QByteArray, input);
        QFETCH(int, code);
        QFETCH(QString, message);
        const QString empty = writeFile(QStringLiteral("empty.key"), QByteArray());
        args.replaceInStrings(QStringLiteral("@empty"), empty);
        const Run r = run(args, input);
        QVERIFY2(r.code == code, r.err.constData());
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
        QVERIFY(r.out.isEmpty());
        QCOMPARE(m_server.command({"EXISTS", m_keys.keyIndex(), m_keys.accountIndex(), adminKey("users")}).toInteger(),
                 0);
    }

    void adminSetPasswordFromStdinSignsInAndEndsSessions()
    {
        const QByteArray first = "correct horse battery";
        Run r = setAdminPassword(u"admin"_qs, first);
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.out.contains("Created admin user \"admin\""), r.out.constData());
        QVERIFY(!r.out.contains(first) && !r.err.contains(first));
        const SignIn session = signIn(u"admin"_qs, QString::fromUtf8(first));
        QVERIFY2(!session.error, qPrintable(session.error.message));
        QVERIFY(sessionAlive(session.token));

        // Spaces belong to the password; only the line end is dropped.
        const QByteArray second = " another  passphrase ";
        r = setAdminPassword(u"admin"_qs, second);
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.out.contains("Password of admin user \"admin\" set; its sessions have ended."), r.out.constData());
        QVERIFY(!sessionAlive(session.token));
        QCOMPARE(signIn(u"admin"_qs, QString::fromUtf8(first)).error.code, u"invalid_credentials"_qs);
        QCOMPARE(signIn(u"admin"_qs, QString::fromUtf8(second.trimmed())).error.code, u"invalid_credentials"_qs);
        const SignIn again = signIn(u"admin"_qs, QString::fromUtf8(second));
        QVERIFY2(!again.error, qPrintable(again.error.message));
    }

    void adminSetPasswordGeneratePrintsAWorkingPasswordOnce()
    {
        // The first start's password file holds a password that stops working: it is removed.
        const QString dataDir = m_home->filePath(u"data"_qs);
        QVERIFY(QDir().mkpath(dataDir));
        const QString passwordFile = dataDir + u"/admin-password"_qs;
        QFile file(passwordFile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("user: admin\npassword: first-start-password\n");
        file.close();

        Run r = run({u"admin"_qs, u"set-password"_qs, u"--generate"_qs, u"--data-dir"_qs, dataDir});
        QVERIFY2(r.code == 0, r.err.constData());
        const QByteArrayList lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 1);
        const QByteArray password = lines.at(0);
        QCOMPARE(password.size(), 24);
        QVERIFY(!r.err.contains(password));
        QVERIFY2(r.err.contains("it is not shown again"), r.err.constData());
        QVERIFY2(r.err.contains("Removed " + passwordFile.toUtf8()), r.err.constData());
        QVERIFY(!QFile::exists(passwordFile));
        const SignIn session = signIn(u"admin"_qs, QString::fromLatin1(password));
        QVERIFY2(!session.error, qPrintable(session.error.message));

        r = run({u"admin"_qs, u"set-password"_qs, u"--generate"_qs, u"--user"_qs, u"ops"_qs, u"--json"_qs});
        QVERIFY2(r.code == 0, r.err.constData());
        const QJsonObject object = QJsonDocument::fromJson(r.out).object();
        QCOMPARE(object[u"user"_qs].toString(), u"ops"_qs);
        QCOMPARE(object[u"created"_qs].toBool(), true);
        const QString opsPassword = object[u"password"_qs].toString();
        QCOMPARE(opsPassword.size(), 24);
        QVERIFY(!signIn(u"ops"_qs, opsPassword).error);
        QVERIFY(sessionAlive(session.token)); // another user's reset leaves admin's sessions alone
    }

    void adminListShowsUsersWithoutHashes()
    {
        QCOMPARE(setAdminPassword(u"ops"_qs, "operations password").code, 0);
        QCOMPARE(setAdminPassword(u"admin"_qs, "administrator password").code, 0);
        const QByteArray hash = m_server.command({"HGET", adminKey("user:ops"), "hash"}).toByteArray();
        const QByteArray salt = m_server.command({"HGET", adminKey("user:ops"), "salt"}).toByteArray();
        QCOMPARE(hash.size(), 64);

        Run r = run({u"admin"_qs, u"list"_qs});
        QVERIFY2(r.code == 0, r.err.constData());
        const QByteArrayList lines = r.out.trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        QVERIFY2(lines.at(0).contains("PASSWORD CHANGED"), r.out.constData());
        QVERIFY(lines.at(1).startsWith("admin "));
        QVERIFY(lines.at(2).startsWith("ops "));
        QVERIFY(!r.out.contains(hash) && !r.out.contains(salt));

        r = run({u"admin"_qs, u"list"_qs, u"--json"_qs});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(!r.out.contains(hash) && !r.out.contains(salt));
        const QJsonArray users = QJsonDocument::fromJson(r.out).array();
        QCOMPARE(users.size(), 2);
        const QJsonObject ops = users.at(1).toObject();
        QCOMPARE(ops.keys(), (QStringList{u"created_at"_qs, u"name"_qs, u"password_changed_at"_qs}));
        QCOMPARE(ops[u"name"_qs].toString(), u"ops"_qs);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QVERIFY(qAbs(ops[u"created_at"_qs].toInteger() - now) < 60000);
        QVERIFY(ops[u"password_changed_at"_qs].toInteger() >= ops[u"created_at"_qs].toInteger());
    }

    void adminDeleteRefusesTheLastUserAndRemovesAnother()
    {
        QCOMPARE(setAdminPassword(u"admin"_qs, "administrator password").code, 0);
        QCOMPARE(setAdminPassword(u"ops"_qs, "operations password").code, 0);
        const SignIn ops = signIn(u"ops"_qs, u"operations password"_qs);
        QVERIFY2(!ops.error, qPrintable(ops.error.message));
        const SignIn admin = signIn(u"admin"_qs, u"administrator password"_qs);
        QVERIFY(!admin.error);

        Run r = run({u"admin"_qs, u"delete"_qs, u"--user"_qs, u"ops"_qs});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.out.contains("Admin user \"ops\" deleted"), r.out.constData());
        QVERIFY(!sessionAlive(ops.token));
        QVERIFY(sessionAlive(admin.token));
        QCOMPARE(m_server.command({"EXISTS", adminKey("user:ops"), adminKey("user_sessions:ops")}).toInteger(), 0);
        QCOMPARE(m_server.command({"SMEMBERS", adminKey("users")}).toList(), QByteArrayList{"admin"});
        QCOMPARE(signIn(u"ops"_qs, u"operations password"_qs).error.code, u"invalid_credentials"_qs);

        r = run({u"admin"_qs, u"delete"_qs, u"--user"_qs, u"ops"_qs});
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("no admin user \"ops\""), r.err.constData());

        r = run({u"admin"_qs, u"delete"_qs, u"--user"_qs, u"admin"_qs});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains("last admin user"), r.err.constData());
        QVERIFY(r.out.isEmpty());
        QVERIFY(sessionAlive(admin.token));
        QVERIFY(!signIn(u"admin"_qs, u"administrator password"_qs).error);
    }

    void changesReachAnotherProcess()
    {
        const QByteArray key = createKey(QStringLiteral("watched"));
        const Run json = run({QStringLiteral("key"), QStringLiteral("list"), QStringLiteral("--json")});
        const QByteArray id =
            QJsonDocument::fromJson(json.out).array().at(0)[QStringLiteral("id")].toString().toLatin1();
        QCOMPARE(id.size(), 16);

        Domain::ChangeFeed feed(*Redis::ConnectionOptions::fromUrl(m_server.url()), m_keys);
        QSignalSpy listening(&feed, &Domain::ChangeFeed::listening);
        QSignalSpy keyChanged(&feed, &Domain::ChangeFeed::keyChanged);
        QSignalSpy accountChanged(&feed, &Domain::ChangeFeed::accountChanged);
        QVERIFY(listening.wait(WaitMs));

        Run r = run({QStringLiteral("key"), QStringLiteral("disable"), QString::fromLatin1(id)});
        QVERIFY2(r.code == 0, r.err.constData());
        QTRY_COMPARE_WITH_TIMEOUT(keyChanged.size(), 1, WaitMs);
        QCOMPARE(keyChanged.at(0).at(0).toByteArray(), id);
        r = run({QStringLiteral("key"), QStringLiteral("list")});
        QVERIFY(r.out.contains("disabled"));

        r = run({QStringLiteral("key"), QStringLiteral("enable"), QString::fromLatin1(id)});
        QCOMPARE(r.code, 0);
        r = run({QStringLiteral("key"), QStringLiteral("delete"), QString::fromLatin1(id)});
        QCOMPARE(r.code, 0);
        QTRY_COMPARE_WITH_TIMEOUT(keyChanged.size(), 3, WaitMs);
        QCOMPARE(m_server.command({"HLEN", m_keys.keyHashIndex()}).toInteger(), 0);

        r = run({QStringLiteral("account"), QStringLiteral("add"), QStringLiteral("--type"), QStringLiteral("apikey"),
                 QStringLiteral("--name"), QStringLiteral("a")},
                "sk-x");
        QCOMPARE(r.code, 0);
        QTRY_COMPARE_WITH_TIMEOUT(accountChanged.size(), 1, WaitMs);
        QVERIFY(!key.isEmpty());
    }

    void anotherServerSecretIsRefused()
    {
        QVERIFY(!createKey(QStringLiteral("first")).isEmpty());
        QProcessEnvironment env;
        env.insert(QStringLiteral("RELAYDECK_SECRET"), QString(64, u'e'));
        const Run r =
            run({QStringLiteral("key"), QStringLiteral("create"), QStringLiteral("--name"), QStringLiteral("second")},
                {}, true, env);
        QCOMPARE(r.code, 1);
        QVERIFY2(r.err.contains("different server secret"), r.err.constData());
        QCOMPARE(m_server.command({"SCARD", m_keys.keyIndex()}).toInteger(), 1);
    }

    void withoutRedisTheEmbeddedRedisIsStartedAndKeepsData()
    {
        const QString dataDir = m_home->filePath(QStringLiteral("data"));
        const QStringList where{QStringLiteral("--data-dir"), dataDir};
        Run r = run(QStringList{QStringLiteral("key"), QStringLiteral("create"), QStringLiteral("--name"),
                                QStringLiteral("local")} +
                        where,
                    {}, false);
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(Domain::validateKeyFormat(r.out.trimmed()));
        r = run(QStringList{QStringLiteral("key"), QStringLiteral("list")} + where, {}, false);
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY(r.out.contains("local"));
        QVERIFY(!QFile::exists(dataDir + QStringLiteral("/redis.sock"))); // stopped again
        QCOMPARE(m_server.command({"DBSIZE"}).toInteger(), 0);            // the test server was not used
    }
};

QTEST_GUILESS_MAIN(TstCli)
#include "tst_cli.moc"
