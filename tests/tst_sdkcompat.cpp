// SPDX-License-Identifier: GPL-3.0-or-later
// The official Anthropic TypeScript SDK (tests/sdk, pinned) against a real relay: stream and non-stream, key as
// API key and as auth token, count_tokens, and a typed authentication error. The SDK is installed by
// `scripts/dev.sh deps` (npm ci in tests/sdk).
#include "relayharness.h"

#include <QDir>
#include <QProcess>
#include <QTest>

class TstSdkCompat : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void officialTypeScriptSdkStreamsAndNonStreams();
};

void TstSdkCompat::officialTypeScriptSdkStreamsAndNonStreams()
{
    const QString sdkDir = QStringLiteral(RELAYDECK_SDK_DIR);
    QVERIFY2(QDir(sdkDir + QStringLiteral("/node_modules/@anthropic-ai/sdk")).exists(),
             "the Anthropic SDK is not installed: run scripts/dev.sh deps (npm ci in tests/sdk)");

    RelayHarness h;
    QVERIFY2(h.start(), qPrintable(h.errorString()));
    const QByteArray key = h.createKey();
    QVERIFY2(!key.isEmpty(), qPrintable(h.errorString()));
    QVERIFY(!h.createAccount(QStringLiteral("mock"), h.mock().baseUrl().toString()).isEmpty());
    QVERIFY2(h.startRelay(), qPrintable(h.errorString()));

    QProcess node;
    node.setWorkingDirectory(sdkDir);
    node.setProcessChannelMode(QProcess::MergedChannels);
    node.start(QStringLiteral("node"), {QStringLiteral("sdk-check.mjs"), h.baseUrl(), QString::fromLatin1(key)});
    QVERIFY2(node.waitForStarted(), "node is not installed");
    // The relay runs on its own threads; this thread only waits for the script.
    for (int waited = 0; node.state() != QProcess::NotRunning && waited < 60000; waited += 20)
        QTest::qWait(20);
    const QByteArray output = node.readAll();
    qInfo().noquote() << output;
    QCOMPARE(node.exitStatus(), QProcess::NormalExit);
    QVERIFY2(node.exitCode() == 0, output.constData());
    QVERIFY(output.contains(" passed, 0 failed"));
}

QTEST_GUILESS_MAIN(TstSdkCompat)
#include "tst_sdkcompat.moc"
