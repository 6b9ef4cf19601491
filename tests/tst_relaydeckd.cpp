// SPDX-License-Identifier: GPL-3.0-or-later
// The relaydeckd executable as a user runs it: flags, configuration errors, the embedded Redis default, signals.
#include "freeport.h"
#include "rawhttpclient.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

class TstRelaydeckd : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void printsVersion();
    void printsHelpWithEveryRequiredFlag();
    void badValueStopsStartupNamingSettingValueAndRange();
    void unknownCommandIsAnError();
    void printConfigMasksSecrets();
    void configFileErrorsNameFileAndLine();
    void embeddedDefaultServesHealthAndStopsOnSigterm();
    void secondInstanceOnSamePortIsRefused();

private:
    // Runs relaydeckd to completion with a private HOME so no real config file is read.
    int run(const QStringList &args, QByteArray *out = nullptr, QByteArray *err = nullptr);
    QProcess *launch(const QStringList &args);
    std::unique_ptr<QTemporaryDir> m_home;
};

void TstRelaydeckd::init()
{
    m_home = std::make_unique<QTemporaryDir>();
}

QProcess *TstRelaydeckd::launch(const QStringList &args)
{
    auto *p = new QProcess(this);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("HOME"), m_home->path());
    env.remove(QStringLiteral("XDG_CONFIG_HOME"));
    env.remove(QStringLiteral("XDG_DATA_HOME"));
    p->setProcessEnvironment(env);
    p->start(QStringLiteral(RELAYDECK_RELAYDECKD_PATH), args);
    return p;
}

int TstRelaydeckd::run(const QStringList &args, QByteArray *out, QByteArray *err)
{
    QProcess *p = launch(args);
    if (!p->waitForFinished(20000)) {
        p->kill();
        return -1;
    }
    if (out)
        *out = p->readAllStandardOutput();
    if (err)
        *err = p->readAllStandardError();
    const int code = p->exitStatus() == QProcess::NormalExit ? p->exitCode() : -2;
    p->deleteLater();
    return code;
}

void TstRelaydeckd::printsVersion()
{
    QByteArray out;
    QCOMPARE(run({QStringLiteral("--version")}, &out), 0);
    QVERIFY2(out.contains(RELAYDECK_VERSION), out.constData());
}

void TstRelaydeckd::printsHelpWithEveryRequiredFlag()
{
    QByteArray out;
    QCOMPARE(run({QStringLiteral("--help")}, &out), 0);
    for (const char *flag : {"--listen", "--workers", "--redis", "--data-dir", "--config", "--log-level", "--version",
                             "--print-config", "--help"})
        QVERIFY2(out.contains(flag), flag);
}

void TstRelaydeckd::badValueStopsStartupNamingSettingValueAndRange()
{
    QByteArray err;
    QCOMPARE(run({QStringLiteral("--workers"), QStringLiteral("0")}, nullptr, &err), 2);
    QVERIFY2(err.contains("--workers") && err.contains("\"0\"") && err.contains("1 to 64"), err.constData());

    QCOMPARE(run({QStringLiteral("--listen"), QStringLiteral("127.0.0.1:99999")}, nullptr, &err), 2);
    QVERIFY2(err.contains("--listen") && err.contains("99999"), err.constData());

    QCOMPARE(run({QStringLiteral("--log-level"), QStringLiteral("loud")}, nullptr, &err), 2);
    QVERIFY2(err.contains("--log-level") && err.contains("loud") && err.contains("debug"), err.constData());

    QCOMPARE(run({QStringLiteral("--redis"), QStringLiteral("http://x")}, nullptr, &err), 2);
    QVERIFY2(err.contains("--redis"), err.constData());
}

void TstRelaydeckd::unknownCommandIsAnError()
{
    QByteArray err;
    QCOMPARE(run({QStringLiteral("frobnicate")}, nullptr, &err), 2);
    QVERIFY2(err.contains("frobnicate"), err.constData());
}

void TstRelaydeckd::printConfigMasksSecrets()
{
    QByteArray out;
    QCOMPARE(run({QStringLiteral("--redis"), QStringLiteral("redis://:hunter2secret@127.0.0.1:6390/3"),
                  QStringLiteral("--print-config")},
                 &out),
             0);
    QVERIFY(!out.contains("hunter2secret"));
    QVERIFY2(out.contains("127.0.0.1:6390"), out.constData());
}

void TstRelaydeckd::configFileErrorsNameFileAndLine()
{
    const QString path = m_home->filePath(QStringLiteral("bad.conf"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("# comment\nlisten = 127.0.0.1:4000\nworkres = 3\n");
    f.close();
    QByteArray err;
    QCOMPARE(run({QStringLiteral("--config"), path}, nullptr, &err), 2);
    QVERIFY2(err.contains("bad.conf:3") && err.contains("workres"), err.constData());

    QCOMPARE(run({QStringLiteral("--config"), m_home->filePath(QStringLiteral("missing.conf"))}, nullptr, &err), 2);
    QVERIFY2(err.contains("missing.conf"), err.constData());
}

void TstRelaydeckd::embeddedDefaultServesHealthAndStopsOnSigterm()
{
    const quint16 port = freePort();
    const QString dataDir = m_home->filePath(QStringLiteral("data"));
    QProcess *p = launch({QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(port),
                          QStringLiteral("--data-dir"), dataDir, QStringLiteral("--workers"), QStringLiteral("2")});
    QVERIFY(p->waitForStarted());
    auto health = [port] {
        RawHttpClient c;
        return c.connectTo(port, 200) ? c.request("GET /health HTTP/1.1\r\nHost: t\r\n\r\n", 1000)
                                      : RawHttpClient::Response{};
    };
    QTRY_COMPARE_WITH_TIMEOUT(health().status, 200, 15000);
    QVERIFY(health().body.contains("\"embedded\":true"));
    QVERIFY(QFile::exists(dataDir + QStringLiteral("/redis.sock")));

    ::kill(pid_t(p->processId()), SIGTERM);
    QVERIFY(p->waitForFinished(10000));
    QCOMPARE(p->exitStatus(), QProcess::NormalExit);
    QCOMPARE(p->exitCode(), 0);
    // The private redis-server went with it.
    QVERIFY(!QFile::exists(dataDir + QStringLiteral("/redis.sock")));
    const QByteArray log = p->readAllStandardError();
    QVERIFY2(log.contains("stopped"), log.constData());
}

void TstRelaydeckd::secondInstanceOnSamePortIsRefused()
{
    const quint16 port = freePort();
    QProcess *first = launch({QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(port),
                              QStringLiteral("--data-dir"), m_home->filePath(QStringLiteral("a"))});
    QVERIFY(first->waitForStarted());
    QTRY_VERIFY_WITH_TIMEOUT(
        [port] {
            RawHttpClient c;
            return c.connectTo(port, 200);
        }(),
        15000);
    QByteArray err;
    QCOMPARE(run({QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--data-dir"),
                  m_home->filePath(QStringLiteral("b"))},
                 nullptr, &err),
             1);
    QVERIFY2(err.contains("already served by another RelayDeck"), err.constData());
    ::kill(pid_t(first->processId()), SIGTERM);
    QVERIFY(first->waitForFinished(10000));
}

QTEST_GUILESS_MAIN(TstRelaydeckd)
#include "tst_relaydeckd.moc"
