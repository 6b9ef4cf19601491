// SPDX-License-Identifier: GPL-3.0-or-later
// ConfigFileWriter: edits keep comments, blank lines, other settings and sections; a key is replaced where it is
// set and added where SettingsLoader reads it; every edited file loads back through SettingsLoader.
#include "config/configfilewriter.h"
#include "config/settingdescriptor.h"
#include "config/settingsloader.h"

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using Relay::Config::ConfigFileWriter;

class TstConfigFileWriter : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    static ConfigFileWriter fromText(const QString &text)
    {
        ConfigFileWriter writer(u"/nonexistent/relaydeck.conf"_s);
        writer.setText(text);
        return writer;
    }

    // Loads path the way relaydeckd does (--config through the environment).
    Relay::Config::LoadResult loadBack(const QString &path)
    {
        QProcessEnvironment env;
        env.insert(u"HOME"_s, m_dir.path());
        env.insert(u"RELAYDECK_CONFIG"_s, path);
        Relay::Config::SettingsLoader loader(env);
        return loader.load({u"relaydeckd"_s});
    }

    static QString formatted(const Relay::Config::LoadResult &result, const QString &key)
    {
        return Relay::Config::findSetting(key)->format(result.settings);
    }

    // Neither group nor others may read or write it.
    static bool isPrivate(const QString &path)
    {
        const QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup |
                                                QFileDevice::ExeGroup | QFileDevice::ReadOther |
                                                QFileDevice::WriteOther | QFileDevice::ExeOther;
        const QFileDevice::Permissions permissions = QFile::permissions(path);
        return permissions.testFlag(QFileDevice::ReadOwner) && permissions.testFlag(QFileDevice::WriteOwner) &&
               !(permissions & others);
    }

    static QString writeFile(const QString &path, const QByteArray &content)
    {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return file.errorString();
        file.write(content);
        return {};
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void readsValuesAsTheLoaderDoes()
    {
        const ConfigFileWriter file = fromText(u"# top\n"
                                               "workers = 4   # four\n"
                                               "log.file = \"/var/log/a #1.log\"\n"
                                               "[log]\n"
                                               "level = debug\n"
                                               "not a setting line\n"
                                               "[redis]\n"
                                               "command-timeout = 3s ; short\n"
                                               "command-timeout = 5s\n"_s);
        QCOMPARE(file.value(u"workers"_s), std::optional<QString>(u"4"_s));
        QCOMPARE(file.lineOf(u"workers"_s), 2);
        QCOMPARE(file.value(u"log.file"_s), std::optional<QString>(u"/var/log/a #1.log"_s));
        QCOMPARE(file.value(u"log.level"_s), std::optional<QString>(u"debug"_s));
        QCOMPARE(file.value(u"redis.command-timeout"_s), std::optional<QString>(u"5s"_s)); // the last line wins
        QCOMPARE(file.lineOf(u"redis.command-timeout"_s), 9);
        QCOMPARE(file.value(u"redis"_s), std::nullopt);
        QCOMPARE(file.lineOf(u"redis"_s), 0);
    }

    void replacesAValueInPlaceKeepingEverythingElse()
    {
        ConfigFileWriter file = fromText(u"# RelayDeck\n"
                                         "\n"
                                         "workers = 4   # four cores\n"
                                         "listen = 127.0.0.1:3000\n"
                                         "\n"
                                         "; logging\n"
                                         "[log]\n"
                                         "  level = info\n"
                                         "max-files = 3\n"_s);
        QVERIFY(file.setValue(u"workers"_s, u"8"_s));
        QVERIFY(file.setValue(u"log.level"_s, u"debug"_s));
        QCOMPARE(file.text(), u"# RelayDeck\n"
                              "\n"
                              "workers = 8  # four cores\n"
                              "listen = 127.0.0.1:3000\n"
                              "\n"
                              "; logging\n"
                              "[log]\n"
                              "  level = debug\n"
                              "max-files = 3\n"_s);
    }

    void replacesTheKeyOfTheRightSection()
    {
        // "redis" (top level) and "command-timeout" under [redis] are different settings.
        ConfigFileWriter file = fromText(u"redis = redis://a:6379\n"
                                         "[redis]\n"
                                         "command-timeout = 2s\n"
                                         "[admin]\n"
                                         "access = loopback\n"_s);
        QVERIFY(file.setValue(u"redis"_s, u"redis://b:6379"_s));
        QVERIFY(file.setValue(u"redis.command-timeout"_s, u"4s"_s));
        QVERIFY(file.setValue(u"admin.access"_s, u"any"_s));
        QCOMPARE(file.text(), u"redis = redis://b:6379\n"
                              "[redis]\n"
                              "command-timeout = 4s\n"
                              "[admin]\n"
                              "access = any\n"_s);
    }

    void replacesADottedTopLevelLineInItsOwnForm()
    {
        ConfigFileWriter file = fromText(u"log.level = info\n[admin]\naccess = any\n"_s);
        QVERIFY(file.setValue(u"log.level"_s, u"warn"_s));
        QCOMPARE(file.text(), u"log.level = warn\n[admin]\naccess = any\n"_s);
    }

    void removesEarlierDuplicatesWhenReplacing()
    {
        ConfigFileWriter file = fromText(u"workers = 2\n# keep me\nworkers = 3\n"_s);
        QVERIFY(file.setValue(u"workers"_s, u"6"_s));
        QCOMPARE(file.text(), u"# keep me\nworkers = 6\n"_s);
        QCOMPARE(file.lineOf(u"workers"_s), 2);
    }

    void addsKeysWhereTheLoaderReadsThem()
    {
        ConfigFileWriter file = fromText(u"# RelayDeck\n"
                                         "workers = 4\n"
                                         "\n"
                                         "[log]\n"
                                         "level = info\n"
                                         "\n"
                                         "[admin]\n"
                                         "access = any\n"_s);
        QVERIFY(file.setValue(u"time-zone"_s, u"Europe/Berlin"_s));     // after the last top-level setting
        QVERIFY(file.setValue(u"log.sample-rate"_s, u"0.5"_s));         // into [log]
        QVERIFY(file.setValue(u"upstream.failover-retries"_s, u"3"_s)); // no [upstream]: dotted at the top level
        QCOMPARE(file.text(), u"# RelayDeck\n"
                              "workers = 4\n"
                              "time-zone = Europe/Berlin\n"
                              "upstream.failover-retries = 3\n"
                              "\n"
                              "[log]\n"
                              "level = info\n"
                              "sample-rate = 0.5\n"
                              "\n"
                              "[admin]\n"
                              "access = any\n"_s);
    }

    void addsTheFirstTopLevelKeyAboveTheSections()
    {
        ConfigFileWriter file = fromText(u"# RelayDeck\n\n# logging\n[log]\nlevel = info\n"_s);
        QVERIFY(file.setValue(u"workers"_s, u"2"_s));
        QCOMPARE(file.text(), u"# RelayDeck\n\nworkers = 2\n\n# logging\n[log]\nlevel = info\n"_s);
        QCOMPARE(file.value(u"workers"_s), std::optional<QString>(u"2"_s));

        ConfigFileWriter empty = fromText(QString());
        QVERIFY(empty.setValue(u"log.level"_s, u"debug"_s));
        QVERIFY(empty.setValue(u"workers"_s, u"2"_s));
        QCOMPARE(empty.text(), u"log.level = debug\nworkers = 2\n"_s);

        ConfigFileWriter noNewline = fromText(u"workers = 2"_s);
        QVERIFY(noNewline.setValue(u"listen"_s, u"127.0.0.1:4000"_s));
        QCOMPARE(noNewline.text(), u"workers = 2\nlisten = 127.0.0.1:4000"_s);
    }

    void removesEveryLineOfAKey()
    {
        ConfigFileWriter file = fromText(u"workers = 2\n# note\n[log]\nlevel = info\nlevel = warn\nfile = /x\n"_s);
        QVERIFY(file.remove(u"log.level"_s));
        QVERIFY(!file.remove(u"log.level"_s));
        QVERIFY(!file.remove(u"redis"_s));
        QCOMPARE(file.text(), u"workers = 2\n# note\n[log]\nfile = /x\n"_s);
        QCOMPARE(file.value(u"log.level"_s), std::nullopt);
    }

    void quotesWhatWouldReadAsAComment()
    {
        ConfigFileWriter file = fromText(QString());
        QVERIFY(file.setValue(u"log.file"_s, u"/tmp/a #1.log"_s));
        QVERIFY(file.setValue(u"pricing-file"_s, u""_s));
        QVERIFY(file.setValue(u"data-dir"_s, u"/srv/with\"quote"_s)); // needs no quotes: written as is
        QCOMPARE(file.text(), u"log.file = \"/tmp/a #1.log\"\npricing-file = \"\"\ndata-dir = /srv/with\"quote\n"_s);
        QCOMPARE(file.value(u"log.file"_s), std::optional<QString>(u"/tmp/a #1.log"_s));
        QCOMPARE(file.value(u"pricing-file"_s), std::optional<QString>(QString()));
    }

    void refusesValuesItCannotWrite()
    {
        QVERIFY(!ConfigFileWriter::writeProblem(u"a\nb"_s).isEmpty());
        QVERIFY(!ConfigFileWriter::writeProblem(u"a\rb"_s).isEmpty());
        QVERIFY(!ConfigFileWriter::writeProblem(u"a #\"b"_s).isEmpty());
        QVERIFY(ConfigFileWriter::writeProblem(u"a \"#\" b"_s).isEmpty()); // no " #": read as written
        QVERIFY(!ConfigFileWriter::writeProblem(u"\"x"_s).isEmpty());
        QVERIFY(ConfigFileWriter::writeProblem(u"/a b/c"_s).isEmpty());
        ConfigFileWriter file = fromText(u"workers = 2\n"_s);
        QVERIFY(!file.setValue(u"data-dir"_s, u"/a\nworkers = 64"_s));
        QCOMPARE(file.text(), u"workers = 2\n"_s);
    }

    void editedFileLoadsBackThroughSettingsLoader()
    {
        const QString path = m_dir.filePath(u"roundtrip.conf"_s);
        QCOMPARE(writeFile(path, "# RelayDeck test\n"
                                 "workers = 3  # three\n"
                                 "\n"
                                 "[log]\n"
                                 "level = info\n"
                                 "file = /tmp/old.log\n"
                                 "\n"
                                 "[admin]\n"
                                 "session-idle = 45m\n"),
                 QString());
        ConfigFileWriter file(path);
        QVERIFY(file.load());
        const QList<QPair<QString, QString>> edits{
            {u"workers"_s, u"7"_s},
            {u"log.level"_s, u"debug"_s},
            {u"log.sample-rate"_s, u"0.25"_s},
            {u"log.file"_s, u"/tmp/with space #2.log"_s},
            {u"redis"_s, u"redis://:p%40ss@127.0.0.1:6390/2"_s},
            {u"redis.command-timeout"_s, u"1500ms"_s},
            {u"listen"_s, u"[::1]:4100"_s},
            {u"admin.session-lifetime"_s, u"2h"_s},
            {u"upstream.cleartext"_s, u"h2c"_s},
            {u"pricing-file"_s, u""_s},
        };
        for (const auto &[key, value] : edits)
            QVERIFY2(file.setValue(key, value), qPrintable(key));
        QVERIFY(file.remove(u"admin.session-idle"_s));
        QVERIFY2(file.save(), qPrintable(file.errorString()));

        const auto result = loadBack(path);
        QVERIFY2(result.ok(), qPrintable(result.error));
        for (const auto &[key, value] : edits) {
            Relay::Config::Settings expected = result.settings;
            QVERIFY(Relay::Config::findSetting(key)->apply(expected, value, {}));
            QCOMPARE(formatted(result, key), Relay::Config::findSetting(key)->format(expected));
            QCOMPARE(result.origins.value(key).source, Relay::Config::Source::File);
            QCOMPARE(result.origins.value(key).where, u"%1:%2"_s.arg(path).arg(file.lineOf(key)));
        }
        QCOMPARE(result.settings.logFile, u"/tmp/with space #2.log"_s);
        QCOMPARE(result.settings.workers, 7);
        QCOMPARE(result.origins.value(u"admin.session-idle"_s).source, Relay::Config::Source::Default);
        QCOMPARE(formatted(result, u"admin.session-idle"_s), u"30m"_s);

        // Comments and the section layout are still there.
        QFile written(path);
        QVERIFY(written.open(QIODevice::ReadOnly));
        const QByteArray text = written.readAll();
        QVERIFY(text.startsWith("# RelayDeck test\nworkers = 7  # three\n"));
        QVERIFY(text.contains("[log]\nlevel = debug\n"));
        QVERIFY(text.contains("[admin]\n"));
        QVERIFY(!text.contains("session-idle"));
    }

    void savesAPrivateFileAndCreatesItsDirectory()
    {
        const QString path = m_dir.filePath(u"new/dir/relaydeck.conf"_s);
        ConfigFileWriter file(path);
        QVERIFY(file.load()); // missing: an empty file
        QCOMPARE(file.value(u"workers"_s), std::nullopt);
        QVERIFY(file.setValue(u"redis"_s, u"redis://:secret@127.0.0.1:6379"_s));
        QVERIFY2(file.save(), qPrintable(file.errorString()));
        QVERIFY(isPrivate(path));
        QVERIFY(loadBack(path).ok());

        // An existing readable file becomes private too when it is rewritten.
        const QString open = m_dir.filePath(u"open.conf"_s);
        QCOMPARE(writeFile(open, "workers = 2\n"), QString());
        QVERIFY(QFile::setPermissions(open, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup |
                                                QFileDevice::ReadOther));
        QVERIFY(!isPrivate(open));
        ConfigFileWriter existing(open);
        QVERIFY(existing.load());
        QVERIFY(existing.setValue(u"workers"_s, u"3"_s));
        QVERIFY(existing.save());
        QVERIFY(isPrivate(open));
        QCOMPARE(loadBack(open).settings.workers, 3);
    }

    void reportsAFileItCannotWrite()
    {
        const QString blocker = m_dir.filePath(u"blocker"_s);
        QCOMPARE(writeFile(blocker, "x"), QString());
        ConfigFileWriter file(blocker + u"/relaydeck.conf"_s); // a regular file where the directory should be
        QVERIFY(file.load());
        QVERIFY(file.setValue(u"workers"_s, u"2"_s));
        QVERIFY(!file.save());
        QVERIFY(!file.errorString().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TstConfigFileWriter)
#include "tst_configfilewriter.moc"
