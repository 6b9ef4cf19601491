// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/settingdescriptor.h"
#include "config/settingsloader.h"
#include "config/valueparsers.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace std::chrono_literals;
using Relay::Config::LoadResult;
using Relay::Config::SettingsLoader;
using Relay::Config::Source;

class TstSettings : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_home;

    // An environment with only HOME set, pointing into a temp dir, so the real user's config is never read.
    QProcessEnvironment environment(const QHash<QString, QString> &extra = {}) const
    {
        QProcessEnvironment env;
        env.insert(u"HOME"_s, m_home.path());
        for (auto it = extra.cbegin(); it != extra.cend(); ++it)
            env.insert(it.key(), it.value());
        return env;
    }

    QString writeFile(const QString &name, const QByteArray &content) const
    {
        const QString path = m_home.filePath(name);
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            qFatal("cannot write %s", qPrintable(path));
        file.write(content);
        return path;
    }

    static LoadResult load(const QProcessEnvironment &env, QStringList args)
    {
        SettingsLoader loader(env);
        args.prepend(u"relaydeckd"_s);
        return loader.load(args);
    }

private Q_SLOTS:
    void defaultsAreDocumentedValues()
    {
        const LoadResult r = load(environment(), {});
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.settings.listenHost, u"127.0.0.1"_s);
        QCOMPARE(r.settings.listenPort, quint16(3000));
        QVERIFY(r.settings.workers >= 1 && r.settings.workers <= 64);
        QCOMPARE(r.settings.redisUrl, QString());
        QCOMPARE(r.settings.dataDir, m_home.path() + u"/.local/share/relaydeck"_s);
        QCOMPARE(r.settings.configFile, m_home.path() + u"/.config/relaydeck/relaydeck.conf"_s);
        QCOMPARE(r.settings.keyPrefix, u"rd:"_s);
        QCOMPARE(r.settings.logLevel, u"info"_s);
        QCOMPARE(r.settings.logFile, QString());
        QCOMPARE(r.settings.logMaxSize, 10 * 1024 * 1024);
        QCOMPARE(r.settings.logMaxFiles, 5);
        QCOMPARE(r.settings.logSampleRate, 0.01);
        QCOMPARE(r.settings.bodyLimit, 32 * 1024 * 1024);
        QCOMPARE(r.settings.headerLimit, 64 * 1024);
        QCOMPARE(r.settings.headerTimeout, 10s);
        QCOMPARE(r.settings.idleTimeout, 75s);
        QCOMPARE(r.settings.shutdownGrace, 30s);
        QCOMPARE(r.settings.redisCommandTimeout, 2s);
        QCOMPARE(r.settings.upstreamConnectTimeout, 10s);
        QCOMPARE(r.settings.upstreamFirstByteTimeout, 300s);
        QCOMPARE(r.settings.upstreamIdleTimeout, 300s);
        for (const auto &d : Relay::Config::settingDescriptors())
            QCOMPARE(r.origins.value(d.key).source, Source::Default);
    }

    void xdgDirectoriesAreRespected()
    {
        QTemporaryDir xdg;
        QVERIFY(QDir().mkpath(xdg.filePath(u"config/relaydeck"_s)));
        QFile file(xdg.filePath(u"config/relaydeck/relaydeck.conf"_s));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("workers = 3\n");
        file.close();
        const LoadResult r = load(environment({{u"XDG_CONFIG_HOME"_s, xdg.filePath(u"config"_s)},
                                               {u"XDG_DATA_HOME"_s, xdg.filePath(u"data"_s)}}),
                                  {});
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.settings.workers, 3);
        QCOMPARE(r.settings.dataDir, xdg.filePath(u"data/relaydeck"_s));
        QCOMPARE(r.origins.value(u"workers"_s).source, Source::File);
    }

    void laterSourcesWin_data()
    {
        QTest::addColumn<bool>("useFile");
        QTest::addColumn<bool>("useEnv");
        QTest::addColumn<bool>("useFlag");
        QTest::addColumn<int>("workers");
        QTest::addColumn<QString>("level");
        QTest::addColumn<qint64>("idleMs");
        QTest::addColumn<int>("source");
        QTest::newRow("default") << false << false << false << -1 << u"info"_s << qint64(75'000)
                                 << int(Source::Default);
        QTest::newRow("file") << true << false << false << 3 << u"debug"_s << qint64(1'000) << int(Source::File);
        QTest::newRow("env over file") << true << true << false << 5 << u"warn"_s << qint64(2'000)
                                       << int(Source::Environment);
        QTest::newRow("flag over env") << true << true << true << 7 << u"error"_s << qint64(1'500)
                                       << int(Source::CommandLine);
        QTest::newRow("flag over file") << true << false << true << 7 << u"error"_s << qint64(1'500)
                                        << int(Source::CommandLine);
    }

    void laterSourcesWin()
    {
        QFETCH(bool, useFile);
        QFETCH(bool, useEnv);
        QFETCH(bool, useFlag);
        QFETCH(int, workers);
        QFETCH(QString, level);
        QFETCH(qint64, idleMs);
        QFETCH(int, source);

        const QString file = writeFile(u"precedence.conf"_s, "workers = 3\nidle-timeout = 1s\n[log]\nlevel = debug\n");
        QHash<QString, QString> extra;
        QStringList args;
        if (useFile)
            args << u"--config"_s << file;
        if (useEnv)
            extra = {{u"RELAYDECK_WORKERS"_s, u"5"_s},
                     {u"RELAYDECK_LOG_LEVEL"_s, u"warn"_s},
                     {u"RELAYDECK_IDLE_TIMEOUT"_s, u"2"_s}};
        if (useFlag)
            args << u"--workers"_s << u"7"_s << u"--log-level"_s << u"error"_s << u"--idle-timeout"_s << u"1500ms"_s;

        const LoadResult r = load(environment(extra), args);
        QVERIFY2(r.ok(), qPrintable(r.error));
        if (workers > 0)
            QCOMPARE(r.settings.workers, workers);
        QCOMPARE(r.settings.logLevel, level);
        QCOMPARE(r.settings.idleTimeout.count(), idleMs);
        for (const QString &key : {u"log.level"_s, u"idle-timeout"_s})
            QCOMPARE(int(r.origins.value(key).source), source);
    }

    void parsesDurations_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("ms"); // -1 = rejected
        QTest::newRow("ms") << u"500ms"_s << qint64(500);
        QTest::newRow("s") << u"10s"_s << qint64(10'000);
        QTest::newRow("m") << u"5m"_s << qint64(300'000);
        QTest::newRow("h") << u"1h"_s << qint64(3'600'000);
        QTest::newRow("plain is seconds") << u"30"_s << qint64(30'000);
        QTest::newRow("fraction") << u"1.5s"_s << qint64(1'500);
        QTest::newRow("spaces and case") << u" 2 S "_s << qint64(2'000);
        QTest::newRow("unknown unit") << u"10x"_s << qint64(-1);
        QTest::newRow("negative") << u"-1s"_s << qint64(-1);
        QTest::newRow("empty") << QString() << qint64(-1);
        QTest::newRow("unit only") << u"s"_s << qint64(-1);
    }

    void parsesDurations()
    {
        QFETCH(QString, text);
        QFETCH(qint64, ms);
        const auto value = Relay::Config::parseDuration(text);
        QCOMPARE(value.has_value(), ms >= 0);
        if (value)
            QCOMPARE(value->count(), ms);
    }

    void parsesSizes_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("bytes"); // -1 = rejected
        QTest::newRow("bytes") << u"100"_s << qint64(100);
        QTest::newRow("K") << u"512K"_s << qint64(512 * 1024);
        QTest::newRow("M") << u"32M"_s << qint64(32 * 1024 * 1024);
        QTest::newRow("MiB") << u"32MiB"_s << qint64(32 * 1024 * 1024);
        QTest::newRow("G") << u"1G"_s << qint64(1024 * 1024 * 1024);
        QTest::newRow("MB is decimal") << u"32MB"_s << qint64(32'000'000);
        QTest::newRow("lower case") << u"64k"_s << qint64(64 * 1024);
        QTest::newRow("fraction") << u"1.5K"_s << qint64(1536);
        QTest::newRow("B suffix") << u"10B"_s << qint64(10);
        QTest::newRow("unknown unit") << u"12Q"_s << qint64(-1);
        QTest::newRow("negative") << u"-1K"_s << qint64(-1);
        QTest::newRow("text") << u"big"_s << qint64(-1);
    }

    void parsesSizes()
    {
        QFETCH(QString, text);
        QFETCH(qint64, bytes);
        const auto value = Relay::Config::parseSize(text);
        QCOMPARE(value.has_value(), bytes >= 0);
        if (value)
            QCOMPARE(*value, bytes);
    }

    void parsesHostPort_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("valid");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::newRow("ipv4") << u"127.0.0.1:3000"_s << true << u"127.0.0.1"_s << 3000;
        QTest::newRow("ipv6") << u"[::1]:3000"_s << true << u"::1"_s << 3000;
        QTest::newRow("any v6") << u"[::]:8080"_s << true << u"::"_s << 8080;
        QTest::newRow("name, port 0") << u"localhost:0"_s << true << u"localhost"_s << 0;
        QTest::newRow("v6 without brackets") << u"::1:3000"_s << false << QString() << 0;
        QTest::newRow("no port") << u"localhost"_s << false << QString() << 0;
        QTest::newRow("port too big") << u"localhost:70000"_s << false << QString() << 0;
        QTest::newRow("brackets, no port") << u"[::1]"_s << false << QString() << 0;
        QTest::newRow("v4 in brackets") << u"[127.0.0.1]:3000"_s << false << QString() << 0;
        QTest::newRow("bad host") << u"bad_host:1"_s << false << QString() << 0;
        QTest::newRow("signed port") << u"localhost:+80"_s << false << QString() << 0;
    }

    void parsesHostPort()
    {
        QFETCH(QString, text);
        QFETCH(bool, valid);
        QFETCH(QString, host);
        QFETCH(int, port);
        const auto value = Relay::Config::parseHostPort(text);
        QCOMPARE(value.has_value(), valid);
        if (value) {
            QCOMPARE(value->host, host);
            QCOMPARE(int(value->port), port);
        }
    }

    void listenFlagAcceptsIpv6()
    {
        const LoadResult r = load(environment(), {u"--listen"_s, u"[::1]:4000"_s});
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.settings.listenHost, u"::1"_s);
        QCOMPARE(r.settings.listenPort, quint16(4000));
        QVERIFY(SettingsLoader::formatEffectiveConfig(r).contains(u"listen = [::1]:4000"_s));
    }

    void parsesEnumsFractionsAndUrls()
    {
        const LoadResult r = load(environment(), {u"--log-level"_s, u"DEBUG"_s, u"--log-sample-rate"_s, u"0.25"_s,
                                                  u"--redis"_s, u"unix:///run/redis/redis.sock"_s, u"--body-limit"_s,
                                                  u"512K"_s, u"--data-dir"_s, u"~/state"_s});
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.settings.logLevel, u"debug"_s);
        QCOMPARE(r.settings.logSampleRate, 0.25);
        QCOMPARE(r.settings.redisUrl, u"unix:///run/redis/redis.sock"_s);
        QCOMPARE(r.settings.bodyLimit, 512 * 1024);
        QCOMPARE(r.settings.dataDir, m_home.path() + u"/state"_s);
        for (const QString &url : {u"redis://localhost"_s, u"redis://:pw@10.0.0.1:6380/2"_s, u"rediss://h:6379"_s})
            QVERIFY2(Relay::Config::isValidRedisUrl(url), qPrintable(url));
        for (const QString &url : {u"http://localhost"_s, u"redis://"_s, u"redis://h/db"_s, u"unix://relative"_s})
            QVERIFY2(!Relay::Config::isValidRedisUrl(url), qPrintable(url));
    }

    void badValuesAreNamed_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("envName");
        QTest::addColumn<QString>("envValue");
        QTest::addColumn<QString>("expected");
        QTest::newRow("integer") << QStringList{u"--workers"_s, u"0"_s} << QString() << QString()
                                 << u"invalid --workers \"0\" (from command line): must be an integer from 1 to 64"_s;
        QTest::newRow("integer text") << QStringList() << u"RELAYDECK_WORKERS"_s << u"many"_s
                                      << u"invalid RELAYDECK_WORKERS \"many\" (from environment): must be an integer "
                                         "from 1 to 64"_s;
        QTest::newRow("size") << QStringList() << u"RELAYDECK_BODY_LIMIT"_s << u"12Q"_s
                              << u"invalid RELAYDECK_BODY_LIMIT \"12Q\" (from environment): must be a size from 1K to "
                                 "1G"_s;
        QTest::newRow("size range")
            << QStringList{u"--body-limit"_s, u"2G"_s} << QString() << QString()
            << u"invalid --body-limit \"2G\" (from command line): must be a size from 1K to 1G"_s;
        QTest::newRow("duration") << QStringList{u"--idle-timeout"_s, u"soon"_s} << QString() << QString()
                                  << u"invalid --idle-timeout \"soon\" (from command line): must be a duration from 1s "
                                     "to 24h, such as 500ms"_s;
        QTest::newRow("choice") << QStringList{u"--log-level"_s, u"loud"_s} << QString() << QString()
                                << u"invalid --log-level \"loud\" (from command line): must be one of: trace, debug, "
                                   "info, warn, error, critical, off"_s;
        QTest::newRow("fraction") << QStringList{u"--log-sample-rate"_s, u"1.5"_s} << QString() << QString()
                                  << u"invalid --log-sample-rate \"1.5\" (from command line): must be a number from 0 "
                                     "to 1"_s;
        QTest::newRow("host:port") << QStringList{u"--listen"_s, u"::1:3000"_s} << QString() << QString()
                                   << u"invalid --listen \"::1:3000\" (from command line): must be HOST:PORT"_s;
        QTest::newRow("text") << QStringList{u"--key-prefix"_s, u"rd :"_s} << QString() << QString()
                              << u"invalid --key-prefix \"rd :\" (from command line): must be 1 to 64 characters "
                                 "without spaces"_s;
        QTest::newRow("path") << QStringList{u"--data-dir"_s, QString()} << QString() << QString()
                              << u"invalid --data-dir \"\" (from command line): must be a path"_s;
        QTest::newRow("url") << QStringList{u"--redis"_s, u"http://db"_s} << QString() << QString()
                             << u"invalid --redis \"http://db\" (from command line): must be empty (start a private "
                                "redis-server), redis://"_s;
    }

    void badValuesAreNamed()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, envName);
        QFETCH(QString, envValue);
        QFETCH(QString, expected);
        QHash<QString, QString> extra;
        if (!envName.isEmpty())
            extra.insert(envName, envValue);
        const LoadResult r = load(environment(extra), args);
        QVERIFY(!r.ok());
        QVERIFY2(r.error.startsWith(expected), qPrintable(r.error));
    }

    void badFileValueNamesFileAndLine()
    {
        const QString path = writeFile(u"badvalue.conf"_s, "# comment\n[log]\nlevel = loud\n");
        const LoadResult r = load(environment(), {u"--config"_s, path});
        QCOMPARE(r.error, u"invalid log.level \"loud\" (from %1:3): must be one of: trace, debug, info, warn, error, "
                          "critical, off"_s.arg(path));
    }

    void badUrlDoesNotEchoPassword()
    {
        const LoadResult r = load(environment(), {u"--redis"_s, u"http://admin:hunter2secret@db:6379"_s});
        QVERIFY(!r.ok());
        QVERIFY2(r.error.contains(u"http://admin:***@db:6379"_s), qPrintable(r.error));
        QVERIFY(!r.error.contains(u"hunter2"_s));
    }

    void unknownFileKeyNamesFileLineAndKey()
    {
        const QString path = writeFile(u"unknown.conf"_s, "workers = 2\n\nworkerz = 4\n");
        LoadResult r = load(environment(), {u"--config"_s, path});
        QCOMPARE(r.error, u"%1:3: unknown setting \"workerz\""_s.arg(path));

        const QString sectioned = writeFile(u"section.conf"_s, "; log settings\n[log]\nlevl = debug\n");
        r = load(environment(), {u"--config"_s, sectioned});
        QCOMPARE(r.error, u"%1:3: unknown setting \"log.levl\""_s.arg(sectioned));

        const QString garbage = writeFile(u"garbage.conf"_s, "workers 4\n");
        r = load(environment(), {u"--config"_s, garbage});
        QVERIFY2(r.error.startsWith(garbage + u":1: expected \"key = value\""_s), qPrintable(r.error));
    }

    void fileSyntaxAcceptsSectionsDottedKeysQuotesAndComments()
    {
        const QString path = writeFile(u"syntax.conf"_s, "\xEF\xBB\xBF# RelayDeck\n"
                                                         "log.max-files = 9   # dotted key at top level\n"
                                                         "key-prefix = \"rd#1;\" ; quoted\n"
                                                         "[upstream]\n"
                                                         "  connect-timeout = 3s\n"
                                                         "[log]\n"
                                                         "file =\n");
        const LoadResult r = load(environment(), {u"--config"_s, path});
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.settings.logMaxFiles, 9);
        QCOMPARE(r.settings.keyPrefix, u"rd#1;"_s);
        QCOMPARE(r.settings.upstreamConnectTimeout, 3s);
        QCOMPARE(r.settings.logFile, QString());
        QCOMPARE(r.origins.value(u"upstream.connect-timeout"_s).where, path + u":5"_s);
    }

    void configFileCannotNameItself()
    {
        const QString path = writeFile(u"self.conf"_s, "config = /etc/other.conf\n");
        const LoadResult r = load(environment(), {u"--config"_s, path});
        QVERIFY2(r.error.startsWith(path + u":1: \"config\" cannot be set in a config file"_s), qPrintable(r.error));
    }

    void missingExplicitConfigFileIsAnError()
    {
        const QString missing = m_home.filePath(u"nope.conf"_s);
        LoadResult r = load(environment(), {u"--config"_s, missing});
        QCOMPARE(r.error, u"config file \"%1\" (--config) does not exist"_s.arg(missing));

        r = load(environment({{u"RELAYDECK_CONFIG"_s, missing}}), {});
        QCOMPARE(r.error, u"config file \"%1\" (RELAYDECK_CONFIG) does not exist"_s.arg(missing));
    }

    void missingDefaultConfigFileIsFine()
    {
        const LoadResult r = load(environment(), {});
        QVERIFY(!QFile::exists(r.settings.configFile));
        QVERIFY2(r.ok(), qPrintable(r.error));
    }

    void printConfigMasksPasswordAndShowsSources()
    {
        const QString path = writeFile(u"print.conf"_s, "[log]\nlevel = debug\n");
        const LoadResult r =
            load(environment({{u"RELAYDECK_WORKERS"_s, u"4"_s}}),
                 {u"--print-config"_s, u"--config"_s, path, u"--redis"_s, u"redis://relay:s3cretPassw0rd@db:6379/0"_s});
        QVERIFY2(r.ok(), qPrintable(r.error));
        QVERIFY(r.printConfigRequested);
        const QString text = SettingsLoader::formatEffectiveConfig(r);
        QVERIFY2(!text.contains(u"s3cret"_s), qPrintable(text));
        const QStringList lines = text.split(u'\n');
        auto line = [&lines](const QString &key) {
            for (const QString &l : lines) {
                if (l.startsWith(key + u" = "_s))
                    return l;
            }
            return QString();
        };
        QVERIFY2(line(u"redis"_s).contains(u"redis://relay:***@db:6379/0"_s), qPrintable(text));
        QVERIFY2(line(u"redis"_s).endsWith(u"# command line --redis"_s), qPrintable(text));
        QVERIFY2(line(u"workers"_s).endsWith(u"# environment RELAYDECK_WORKERS"_s), qPrintable(text));
        QVERIFY2(line(u"log.level"_s).endsWith(u"# file %1:2"_s.arg(path)), qPrintable(text));
        QVERIFY2(line(u"key-prefix"_s).endsWith(u"# default"_s), qPrintable(text));
        QCOMPARE(lines.count(), Relay::Config::settingDescriptors().size() + 2); // header + trailing newline
    }

    void printedConfigLoadsBackAsTheSameSettings()
    {
        const LoadResult first = load(environment(), {u"--workers"_s, u"6"_s, u"--log-sample-rate"_s, u"0.5"_s,
                                                      u"--listen"_s, u"[::1]:3100"_s, u"--idle-timeout"_s, u"90s"_s});
        QVERIFY2(first.ok(), qPrintable(first.error));
        const QString path = writeFile(u"printed.conf"_s, SettingsLoader::formatEffectiveConfig(first).toUtf8());
        const LoadResult second = load(environment(), {u"--config"_s, path});
        QVERIFY2(second.ok(), qPrintable(second.error));
        QCOMPARE(second.settings.workers, 6);
        QCOMPARE(second.settings.logSampleRate, 0.5);
        QCOMPARE(second.settings.listenHost, u"::1"_s);
        QCOMPARE(second.settings.idleTimeout, 90s);
        QCOMPARE(second.settings.bodyLimit, first.settings.bodyLimit);
    }

    void helpAndVersionReturnBeforeReadingConfig()
    {
        SettingsLoader loader(environment());
        LoadResult r = loader.load({u"relaydeckd"_s, u"--help"_s, u"--config"_s, u"/nonexistent/x.conf"_s});
        QVERIFY2(r.ok(), qPrintable(r.error));
        QVERIFY(r.helpRequested);
        const QString help = loader.helpText();
        QVERIFY(help.contains(u"--workers <N>"_s));
        QVERIFY(help.contains(u"RELAYDECK_WORKERS"_s));
        QVERIFY2(help.contains(u"--log-level <LEVEL>"_s), qPrintable(help));

        r = load(environment(), {u"--version"_s});
        QVERIFY(r.versionRequested);
        QVERIFY(SettingsLoader::versionText().contains(QStringLiteral(RELAYDECK_VERSION)));
    }

    void callerOptionsAndPositionalArgumentsAreKept()
    {
        SettingsLoader loader(environment());
        const QCommandLineOption name(u"name"_s, u"Key name"_s, u"NAME"_s);
        loader.parser().addOption(name);
        loader.parser().addPositionalArgument(u"command"_s, u"Subcommand"_s);
        const LoadResult r =
            loader.load({u"relaydeckd"_s, u"key"_s, u"create"_s, u"--name"_s, u"ci-bot"_s, u"--workers"_s, u"2"_s});
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.positionalArguments, (QStringList{u"key"_s, u"create"_s}));
        QCOMPARE(loader.parser().value(name), u"ci-bot"_s);
        QCOMPARE(r.settings.workers, 2);
    }

    void unknownFlagIsAnError()
    {
        const LoadResult r = load(environment(), {u"--wokers"_s, u"2"_s});
        QVERIFY(!r.ok());
        QVERIFY2(r.error.contains(u"wokers"_s), qPrintable(r.error));
    }

    void exampleConfigFileLoads()
    {
        const QString example = QFINDTESTDATA("../resources/relaydeck.conf.example");
        QVERIFY(!example.isEmpty());
        const LoadResult r = load(environment(), {u"--config"_s, example});
        QVERIFY2(r.ok(), qPrintable(r.error));
        QCOMPARE(r.origins.value(u"upstream.idle-timeout"_s).source, Source::File);
        QCOMPARE(r.settings.bodyLimit, SettingsLoader::defaults(environment()).bodyLimit);
    }

    void everyDescriptorHasConsistentNames()
    {
        QSet<QString> envNames;
        QSet<QString> flags;
        for (const auto &d : Relay::Config::settingDescriptors()) {
            QVERIFY2(!envNames.contains(d.envName()), qPrintable(d.key));
            QVERIFY2(!flags.contains(d.flagName()), qPrintable(d.key));
            envNames.insert(d.envName());
            flags.insert(d.flagName());
        }
        QVERIFY(envNames.contains(u"RELAYDECK_DATA_DIR"_s));
        QVERIFY(envNames.contains(u"RELAYDECK_LOG_SAMPLE_RATE"_s));
        QVERIFY(flags.contains(u"upstream-first-byte-timeout"_s));
    }
};

QTEST_GUILESS_MAIN(TstSettings)
#include "tst_settings.moc"
