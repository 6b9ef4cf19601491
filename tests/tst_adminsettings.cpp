// SPDX-License-Identifier: GPL-3.0-or-later
// The admin API's settings resource over real HTTP against a whole relay (real Redis, mock upstream): the list with
// sources and file values, validation of every value before the file is touched, a written file that SettingsLoader
// loads back, removal, overrides by variables and flags, live log level and sample rate, masking and the audit trail.
#include "adminclient.h"
#include "config/settingdescriptor.h"
#include "config/settingsloader.h"
#include "log/logger.h"
#include "relayharness.h"

#include <QFile>
#include <QJsonArray>
#include <QtTest>

#include <functional>
#include <memory>

using namespace Relay;
using namespace Qt::StringLiterals;

class TstAdminSettings : public QObject
{
    Q_OBJECT

private:
    struct TestRelay
    {
        std::unique_ptr<RelayHarness> harness;
        AdminClient admin;
        QString configFile;
    };

    // A relay whose config file is <data dir>/conf/relaydeck.conf (written first when content is given).
    std::unique_ptr<TestRelay> startRelay(const QByteArray &content = {},
                                          const std::function<void(RelayHarness &, const QString &)> &adjust = {})
    {
        auto relay = std::make_unique<TestRelay>();
        relay->harness = std::make_unique<RelayHarness>();
        if (!relay->harness->start()) {
            qWarning("%s", qPrintable(relay->harness->errorString()));
            return nullptr;
        }
        relay->configFile = QDir(relay->harness->dataDir()).filePath(u"conf/relaydeck.conf"_s);
        if (!content.isEmpty()) {
            QDir().mkpath(QFileInfo(relay->configFile).absolutePath());
            QFile file(relay->configFile);
            if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
                return nullptr;
        }
        relay->harness->settings().configFile = relay->configFile;
        if (adjust)
            adjust(*relay->harness, relay->configFile);
        if (!relay->harness->startRelay()) {
            qWarning("%s", qPrintable(relay->harness->errorString()));
            return nullptr;
        }
        relay->admin.setPort(relay->harness->port());
        if (!relay->admin.loginInitial(relay->harness->dataDir()))
            return nullptr;
        return relay;
    }

    static QJsonObject item(const AdminClient::Response &list, const QString &key)
    {
        for (const QJsonValue &value : list.items()) {
            if (value.toObject().value(u"key"_s).toString() == key)
                return value.toObject();
        }
        return {};
    }

    static QStringList strings(const QJsonValue &value)
    {
        QStringList list;
        for (const QJsonValue &item : value.toArray())
            list << item.toString();
        return list;
    }

    static AdminClient::Response putValues(AdminClient &admin, const QJsonObject &values)
    {
        return admin.put("/admin/settings", QJsonObject{{u"values"_s, values}});
    }

    static QByteArray readFile(const QString &path)
    {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    // The file as relaydeckd would load it at its next start.
    static Config::LoadResult loadBack(const QString &path, const QString &home)
    {
        QProcessEnvironment env;
        env.insert(u"HOME"_s, home);
        env.insert(u"RELAYDECK_CONFIG"_s, path);
        Config::SettingsLoader loader(env);
        return loader.load({u"relaydeckd"_s});
    }

private Q_SLOTS:
    void cleanup()
    {
        Log::setLevel(spdlog::level::info);
        Log::setSampleRate(0.01);
    }

    void listsEverySettingWithWhereItCameFrom()
    {
        auto relay =
            startRelay("# test relay\nworkers = 2\n\n[upstream]\nfailover-retries = 1\n", [](RelayHarness &h,
                                                                                             const QString &file) {
                h.settingOrigins().insert(u"workers"_s, {Config::Source::File, file + u":2"_s});
                h.settingOrigins().insert(u"upstream.failover-retries"_s,
                                          {Config::Source::Environment, u"RELAYDECK_UPSTREAM_FAILOVER_RETRIES"_s});
                h.settingOrigins().insert(u"time-zone"_s, {Config::Source::CommandLine, u"--time-zone"_s});
            });
        QVERIFY(relay);
        const auto list = relay->admin.get("/admin/settings");
        QCOMPARE(list.status, 200);
        QCOMPARE(list.object().value(u"config_file"_s).toString(), relay->configFile);

        // Every descriptor, in the table's order.
        const QList<Config::SettingDescriptor> &descriptors = Config::settingDescriptors();
        QCOMPARE(list.items().size(), descriptors.size());
        for (qsizetype i = 0; i < descriptors.size(); ++i) {
            const QJsonObject entry = list.items().at(i).toObject();
            QCOMPARE(entry.value(u"key"_s).toString(), descriptors.at(i).key);
            QCOMPARE(entry.value(u"allowed"_s).toString(), descriptors.at(i).allowedText());
            QCOMPARE(entry.value(u"editable"_s).toBool(), descriptors.at(i).fileAllowed);
            for (const char *field : {"type", "value", "default", "description", "choices", "minimum", "maximum",
                                      "secret", "source", "where", "file_value", "restart_required", "overridden"})
                QVERIFY2(entry.contains(QString::fromLatin1(field)), field);
        }

        const QJsonObject workers = item(list, u"workers"_s);
        QCOMPARE(workers.value(u"type"_s).toString(), u"integer"_s);
        QCOMPARE(workers.value(u"value"_s).toString(), u"2"_s);
        QCOMPARE(workers.value(u"source"_s).toString(), u"file"_s);
        QCOMPARE(workers.value(u"where"_s).toString(), relay->configFile + u":2"_s);
        QCOMPARE(workers.value(u"file_value"_s).toString(), u"2"_s);
        QCOMPARE(workers.value(u"minimum"_s).toDouble(), 1.0);
        QCOMPARE(workers.value(u"maximum"_s).toDouble(), 64.0);
        QCOMPARE(workers.value(u"restart_required"_s).toBool(), true);
        QCOMPARE(workers.value(u"overridden"_s).toBool(), false);

        const QJsonObject retries = item(list, u"upstream.failover-retries"_s);
        QCOMPARE(retries.value(u"source"_s).toString(), u"environment"_s);
        QCOMPARE(retries.value(u"where"_s).toString(), u"RELAYDECK_UPSTREAM_FAILOVER_RETRIES"_s);
        QCOMPARE(retries.value(u"file_value"_s).toString(), u"1"_s);
        QCOMPARE(retries.value(u"overridden"_s).toBool(), true);

        const QJsonObject zone = item(list, u"time-zone"_s);
        QCOMPARE(zone.value(u"source"_s).toString(), u"command_line"_s);
        QCOMPARE(zone.value(u"where"_s).toString(), u"--time-zone"_s);
        QVERIFY(zone.value(u"file_value"_s).isNull());
        QCOMPARE(zone.value(u"overridden"_s).toBool(), true);

        const QJsonObject level = item(list, u"log.level"_s);
        QCOMPARE(level.value(u"type"_s).toString(), u"choice"_s);
        QCOMPARE(level.value(u"source"_s).toString(), u"default"_s);
        QCOMPARE(level.value(u"where"_s).toString(), QString());
        QCOMPARE(level.value(u"default"_s).toString(), u"info"_s);
        QCOMPARE(strings(level.value(u"choices"_s)),
                 (QStringList{u"trace"_s, u"debug"_s, u"info"_s, u"warn"_s, u"error"_s, u"critical"_s, u"off"_s}));
        QVERIFY(level.value(u"minimum"_s).isNull());
        QCOMPARE(level.value(u"restart_required"_s).toBool(), false);
        QCOMPARE(item(list, u"log.sample-rate"_s).value(u"restart_required"_s).toBool(), false);

        QCOMPARE(item(list, u"config"_s).value(u"editable"_s).toBool(), false);
        QCOMPARE(item(list, u"redis"_s).value(u"secret"_s).toBool(), true);
        QCOMPARE(item(list, u"body-limit"_s).value(u"unit"_s).toString(), u"bytes"_s);

        // Documented for the console's client.
        const auto spec = relay->admin.get("/admin/openapi.json");
        const QJsonObject path = spec.object().value(u"paths"_s).toObject().value(u"/admin/settings"_s).toObject();
        QVERIFY(path.contains(u"get"_s));
        QVERIFY(path.contains(u"put"_s));
        QCOMPARE(path.value(u"put"_s).toObject().value(u"tags"_s).toArray().first().toString(), u"settings"_s);
    }

    void putNamesEveryBadValueAndWritesNothing()
    {
        const QByteArray original = "# keep\nworkers = 2\n";
        auto relay = startRelay(original);
        QVERIFY(relay);
        const auto r = putValues(relay->admin, QJsonObject{{u"workers"_s, u"100"_s},
                                                           {u"log.level"_s, u"loud"_s},
                                                           {u"no.such-setting"_s, u"1"_s},
                                                           {u"config"_s, u"/tmp/other.conf"_s},
                                                           {u"listen"_s, u"nowhere"_s},
                                                           {u"body-limit"_s, 5},
                                                           {u"log.file"_s, u"/tmp/a\nworkers = 64"_s},
                                                           {u"time-zone"_s, u"Europe/Berlin"_s}});
        QCOMPARE(r.status, 422);
        QCOMPARE(r.errorCode(), u"validation_failed"_s);
        const QJsonObject fields = r.fieldErrors();
        QCOMPARE(fields.size(), 7); // all but the valid time zone
        QCOMPARE(fields.value(u"workers"_s).toString(), Config::findSetting(u"workers"_s)->allowedText());
        QVERIFY(fields.value(u"log.level"_s).toString().contains(u"debug"_s));
        QVERIFY(fields.value(u"no.such-setting"_s).toString().contains(u"unknown"_s));
        QVERIFY(fields.value(u"config"_s).toString().contains(u"--config"_s));
        QCOMPARE(fields.value(u"listen"_s).toString(), Config::findSetting(u"listen"_s)->allowedText());
        QVERIFY(fields.contains(u"body-limit"_s));
        QVERIFY(fields.value(u"log.file"_s).toString().contains(u"line break"_s));
        QCOMPARE(readFile(relay->configFile), original);

        QCOMPARE(relay->admin.put("/admin/settings", QJsonObject{{u"values"_s, u"workers=4"_s}}).status, 400);
        QCOMPARE(relay->admin.request("PUT", "/admin/settings", "{not json").status, 400);
        QCOMPARE(readFile(relay->configFile), original);
    }

    void putWritesAFileThatLoadsBackAndNullRemovesALine()
    {
        auto relay = startRelay(); // no file yet, nor its directory
        QVERIFY(relay);
        const QString password = u"hunter2-redis-password"_s;
        const QJsonObject values{{u"workers"_s, u"5"_s},
                                 {u"listen"_s, u"127.0.0.1:4555"_s},
                                 {u"redis"_s, u"redis://:%1@127.0.0.1:6399/1"_s.arg(password)},
                                 {u"log.file"_s, u"/tmp/relay #1.log"_s},
                                 {u"redis.command-timeout"_s, u"3s"_s},
                                 {u"admin.session-idle"_s, u"45m"_s},
                                 {u"pricing-file"_s, u"~/prices.json"_s}};
        auto r = putValues(relay->admin, values);
        QCOMPARE(r.status, 200);
        QCOMPARE(r.object().value(u"config_file"_s).toString(), relay->configFile);
        QStringList changed = strings(r.object().value(u"changed"_s));
        changed.sort();
        QStringList keys = values.keys();
        keys.sort();
        QCOMPARE(changed, keys);
        QCOMPARE(strings(r.object().value(u"restart_required"_s)).size(), values.size());
        QVERIFY(strings(r.object().value(u"applied"_s)).isEmpty());
        QVERIFY(!r.body.contains(password.toUtf8()));

        const QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup |
                                                QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                                QFileDevice::WriteOther | QFileDevice::ExeOther;
        QVERIFY(QFile::exists(relay->configFile));
        QVERIFY(!(QFile::permissions(relay->configFile) & others));

        // The next start reads exactly these values.
        auto loaded = loadBack(relay->configFile, relay->harness->dataDir());
        QVERIFY2(loaded.ok(), qPrintable(loaded.error));
        QCOMPARE(loaded.settings.workers, 5);
        QCOMPARE(loaded.settings.listenPort, quint16(4555));
        QCOMPARE(loaded.settings.redisUrl, values.value(u"redis"_s).toString());
        QCOMPARE(loaded.settings.logFile, u"/tmp/relay #1.log"_s);
        QCOMPARE(loaded.settings.redisCommandTimeout, std::chrono::milliseconds(3000));
        QCOMPARE(loaded.settings.adminSessionIdle, std::chrono::minutes(45));
        QCOMPARE(loaded.settings.pricingFile, relay->harness->dataDir() + u"/prices.json"_s);

        // The list shows what the file says (masked) next to the running value, which a restart would change.
        auto list = relay->admin.get("/admin/settings");
        QCOMPARE(list.status, 200);
        QVERIFY(!list.body.contains(password.toUtf8()));
        QCOMPARE(item(list, u"workers"_s).value(u"file_value"_s).toString(), u"5"_s);
        QCOMPARE(item(list, u"workers"_s).value(u"value"_s).toString(), u"2"_s);
        QCOMPARE(item(list, u"workers"_s).value(u"pending_restart"_s).toBool(), true);
        QCOMPARE(item(list, u"pricing-file"_s).value(u"file_value"_s).toString(), u"~/prices.json"_s);
        const QString maskedRedis = item(list, u"redis"_s).value(u"file_value"_s).toString();
        QVERIFY2(maskedRedis.startsWith(u"redis://"_s) && maskedRedis.contains(u"127.0.0.1:6399"_s),
                 qPrintable(maskedRedis));

        // The same value again changes nothing; null takes the line out (back to the default).
        r = putValues(relay->admin, QJsonObject{{u"workers"_s, u"5"_s}});
        QCOMPARE(r.status, 200);
        QVERIFY(strings(r.object().value(u"changed"_s)).isEmpty());
        r = putValues(relay->admin, QJsonObject{{u"workers"_s, QJsonValue()}, {u"time-zone"_s, QJsonValue()}});
        QCOMPARE(r.status, 200);
        QCOMPARE(strings(r.object().value(u"changed"_s)), QStringList{u"workers"_s});
        QVERIFY(!readFile(relay->configFile).contains("workers"));
        loaded = loadBack(relay->configFile, relay->harness->dataDir());
        QVERIFY2(loaded.ok(), qPrintable(loaded.error));
        QCOMPARE(loaded.origins.value(u"workers"_s).source, Config::Source::Default);
        QCOMPARE(loaded.settings.listenPort, quint16(4555));
        QVERIFY(item(relay->admin.get("/admin/settings"), u"workers"_s).value(u"file_value"_s).isNull());
    }

    void overriddenSettingsAreNotChangedByTheFile()
    {
        auto relay = startRelay({}, [](RelayHarness &h, const QString &) {
            h.settingOrigins().insert(u"log.level"_s, {Config::Source::CommandLine, u"--log-level"_s});
            h.settingOrigins().insert(u"idle-timeout"_s, {Config::Source::Environment, u"RELAYDECK_IDLE_TIMEOUT"_s});
        });
        QVERIFY(relay);
        const auto r =
            putValues(relay->admin, QJsonObject{{u"log.level"_s, u"trace"_s}, {u"idle-timeout"_s, u"20s"_s}});
        QCOMPARE(r.status, 200);
        QStringList overridden = strings(r.object().value(u"overridden"_s));
        overridden.sort();
        QCOMPARE(overridden, (QStringList{u"idle-timeout"_s, u"log.level"_s}));
        QVERIFY(strings(r.object().value(u"applied"_s)).isEmpty());
        QVERIFY(strings(r.object().value(u"restart_required"_s)).isEmpty());
        QCOMPARE(Log::logger().level(), spdlog::level::info);

        const auto list = relay->admin.get("/admin/settings");
        const QJsonObject level = item(list, u"log.level"_s);
        QCOMPARE(level.value(u"overridden"_s).toBool(), true);
        QCOMPARE(level.value(u"source"_s).toString(), u"command_line"_s);
        QCOMPARE(level.value(u"value"_s).toString(), u"info"_s);
        QCOMPARE(level.value(u"file_value"_s).toString(), u"trace"_s);
        QCOMPARE(level.value(u"pending_restart"_s).toBool(), false);
        QCOMPARE(item(list, u"idle-timeout"_s).value(u"source"_s).toString(), u"environment"_s);
        QCOMPARE(item(list, u"idle-timeout"_s).value(u"overridden"_s).toBool(), true);
    }

    void logLevelAndSampleRateApplyAtOnce()
    {
        auto relay = startRelay("[log]\nlevel = info\n");
        QVERIFY(relay);
        QCOMPARE(Log::logger().level(), spdlog::level::info);
        auto r = putValues(relay->admin, QJsonObject{{u"log.level"_s, u"debug"_s},
                                                     {u"log.sample-rate"_s, u"0.5"_s},
                                                     {u"shutdown-grace"_s, u"5s"_s}});
        QCOMPARE(r.status, 200);
        QStringList applied = strings(r.object().value(u"applied"_s));
        applied.sort();
        QCOMPARE(applied, (QStringList{u"log.level"_s, u"log.sample-rate"_s}));
        QCOMPARE(strings(r.object().value(u"restart_required"_s)), QStringList{u"shutdown-grace"_s});
        QCOMPARE(Log::logger().level(), spdlog::level::debug);
        QCOMPARE(Log::sampleRate(), 0.5);
        QVERIFY(
            readFile(relay->configFile).startsWith("shutdown-grace = 5s\n\n[log]\nlevel = debug\nsample-rate = 0.5\n"));

        auto list = relay->admin.get("/admin/settings");
        QJsonObject level = item(list, u"log.level"_s);
        QCOMPARE(level.value(u"value"_s).toString(), u"debug"_s);
        QCOMPARE(level.value(u"source"_s).toString(), u"file"_s);
        QCOMPARE(level.value(u"where"_s).toString(), relay->configFile + u":4"_s);
        QCOMPARE(level.value(u"pending_restart"_s).toBool(), false);
        QCOMPARE(item(list, u"log.sample-rate"_s).value(u"value"_s).toString(), u"0.5"_s);

        // Removing the line goes back to the default level at once.
        r = putValues(relay->admin, QJsonObject{{u"log.level"_s, QJsonValue()}});
        QCOMPARE(strings(r.object().value(u"applied"_s)), QStringList{u"log.level"_s});
        QCOMPARE(Log::logger().level(), spdlog::level::info);
        level = item(relay->admin.get("/admin/settings"), u"log.level"_s);
        QCOMPARE(level.value(u"source"_s).toString(), u"default"_s);
        QCOMPARE(level.value(u"value"_s).toString(), u"info"_s);
    }

    void putIsAuditedWithoutItsValues()
    {
        auto relay = startRelay();
        QVERIFY(relay);
        const QString password = u"audit-redis-password-42"_s;
        QCOMPARE(
            putValues(relay->admin, QJsonObject{{u"redis"_s, u"redis://:%1@127.0.0.1:6398"_s.arg(password)}}).status,
            200);
        QCOMPARE(putValues(relay->admin, QJsonObject{{u"workers"_s, u"0"_s}}).status, 422);
        const auto audit = relay->admin.get("/admin/audit?limit=20");
        QCOMPARE(audit.status, 200);
        QList<int> statuses;
        for (const QJsonValue &value : audit.items()) {
            const QJsonObject entry = value.toObject();
            if (entry.value(u"action"_s).toString() == u"settings.update") {
                QCOMPARE(entry.value(u"path"_s).toString(), u"/admin/settings"_s);
                statuses << entry.value(u"status"_s).toInt();
            }
        }
        QCOMPARE(statuses, (QList<int>{422, 200})); // newest first
        QVERIFY(!audit.body.contains(password.toUtf8()));
        QVERIFY(!relay->admin.get("/admin/settings").body.contains(password.toUtf8()));
    }
};

QTEST_GUILESS_MAIN(TstAdminSettings)
#include "tst_adminsettings.moc"
