// SPDX-License-Identifier: GPL-3.0-or-later
#include "usage/pricingservice.h"
#include "usage/pricingtable.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using Relay::Usage::Cost;
using Relay::Usage::PricingService;
using Relay::Usage::PricingTable;
using Relay::Usage::TokenUsage;

namespace {

TokenUsage usage(QByteArray model, qint64 input, qint64 output, qint64 write5m, qint64 write1h, qint64 read)
{
    TokenUsage u;
    u.model = std::move(model);
    u.inputTokens = input;
    u.outputTokens = output;
    u.cacheCreation5mTokens = write5m;
    u.cacheCreation1hTokens = write1h;
    u.cacheReadTokens = read;
    return u;
}

QByteArray priceFile(const char *model, double inputPerToken)
{
    return QByteArrayLiteral("{\"") + model + QByteArrayLiteral("\": {\"input_cost_per_token\": ") +
           QByteArray::number(inputPerToken, 'g', 17) +
           QByteArrayLiteral(", \"output_cost_per_token\": 1e-05, \"litellm_provider\": \"anthropic\"}}");
}

bool writeAtomically(const QString &path, const QByteArray &bytes)
{
    QSaveFile file(path); // write to a temporary file, then rename over the target, as editors do
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size() && file.commit();
}

bool writeInPlace(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

qint64 inputNanos(const PricingService &service, const char *model)
{
    return service.current()->cost(usage(model, 1, 0, 0, 0, 0)).nanos;
}

} // namespace

class TestPricing : public QObject
{
    Q_OBJECT

private:
    std::shared_ptr<const PricingTable> m_builtIn;

private Q_SLOTS:
    void initTestCase()
    {
        auto result = PricingService::loadBuiltIn();
        QVERIFY2(result.ok(), qPrintable(result.error));
        m_builtIn = result.table;
    }

    void pricesEveryTokenClassOfSonnet45()
    {
        // input 1000 x 3000 n = 3,000,000; output 500 x 15000 n = 7,500,000; 5m write 2000 x 3750 n = 7,500,000;
        // 1h write 1000 x 6000 n = 6,000,000; read 10000 x 300 n = 3,000,000; sum 27,000,000 n ($0.027)
        const Cost cost = m_builtIn->cost(usage("claude-sonnet-4-5-20250929", 1000, 500, 2000, 1000, 10000));
        QVERIFY(cost.known);
        QVERIFY(!cost.longContext);
        QCOMPARE(cost.nanos, qint64(27000000));
    }

    void pricesEveryTokenClassOfOpus41()
    {
        // input 123 x 15000 n = 1,845,000; output 45 x 75000 n = 3,375,000; 5m write 67 x 18750 n = 1,256,250;
        // 1h write 8 x 30000 n = 240,000; read 900 x 1500 n = 1,350,000; sum 8,066,250 n
        const Cost cost = m_builtIn->cost(usage("claude-opus-4-1-20250805", 123, 45, 67, 8, 900));
        QVERIFY(cost.known);
        QCOMPARE(cost.nanos, qint64(8066250));
    }

    void pricesEveryTokenClassOfHaiku45()
    {
        // input 7 x 1000 n = 7,000; output 3 x 5000 n = 15,000; 5m write 11 x 1250 n = 13,750;
        // 1h write 13 x 2000 n = 26,000; read 17 x 100 n = 1,700; sum 63,450 n
        const Cost cost = m_builtIn->cost(usage("claude-haiku-4-5-20251001", 7, 3, 11, 13, 17));
        QVERIFY(cost.known);
        QCOMPARE(cost.nanos, qint64(63450));
    }

    void roundsHalfUpPerTokenClass()
    {
        // input 3.125e-07 $/token = 312.5 n; no cache prices, so 5m = 1.25 x = 390.625 n, 1h = 2 x = 625 n,
        // read = 0.1 x = 31.25 n; output 1e-10 $/token = 0.1 n.
        // One token each: 312.5 -> 313, 390.625 -> 391, 625, 31.25 -> 31; 5 output tokens 0.5 -> 1: sum 1361
        // (rounding the sum instead would give 1360).
        auto result =
            PricingTable::fromJson(R"({"frac": {"input_cost_per_token": 3.125e-07, "output_cost_per_token": 1e-10}})");
        QVERIFY2(result.ok(), qPrintable(result.error));
        QCOMPARE(result.table->cost(usage("frac", 1, 5, 1, 1, 1)).nanos, qint64(1361));
        QCOMPARE(result.table->cost(usage("frac", 0, 4, 0, 0, 0)).nanos, qint64(0));   // 0.4 -> 0
        QCOMPARE(result.table->cost(usage("frac", 3, 0, 0, 0, 0)).nanos, qint64(938)); // 937.5 -> 938
    }

    void usesTwiceTheInputPriceForOneHourWritesWithoutAPrice()
    {
        // 1h price absent: 2 x 4e-06 = 8000 n per token; 10 tokens = 80,000 n
        auto result = PricingTable::fromJson(
            R"({"m": {"input_cost_per_token": 4e-06, "output_cost_per_token": 2e-05,
                      "cache_creation_input_token_cost": 5e-06}})");
        QVERIFY2(result.ok(), qPrintable(result.error));
        QCOMPARE(result.table->cost(usage("m", 0, 0, 0, 10, 0)).nanos, qint64(80000));
        QCOMPARE(result.table->cost(usage("m", 0, 0, 10, 0, 0)).nanos, qint64(50000)); // explicit 5m price
    }

    void appliesLongContextPricesAboveTheEdge_data()
    {
        QTest::addColumn<qint64>("input");
        QTest::addColumn<bool>("longContext");
        QTest::addColumn<qint64>("nanos");
        // Always 1000 output, 30000 5m writes, 10000 1h writes, 10000 reads: total input = input + 50000.
        // base: input x 3000 + 1000 x 15000 + 30000 x 3750 + 10000 x 6000 + 10000 x 300
        //     = input x 3000 + 15,000,000 + 112,500,000 + 60,000,000 + 3,000,000 = input x 3000 + 190,500,000
        // long: input x 6000 + 1000 x 22500 + 30000 x 7500 + 10000 x 12000 + 10000 x 600
        //     = input x 6000 + 22,500,000 + 225,000,000 + 120,000,000 + 6,000,000 = input x 6000 + 373,500,000
        QTest::newRow("below (199,999)") << qint64(149999) << false << qint64(449997000 + 190500000);
        QTest::newRow("at (200,000)") << qint64(150000) << false << qint64(450000000 + 190500000);
        QTest::newRow("above (200,001)") << qint64(150001) << true << qint64(900006000 + 373500000);
    }

    void appliesLongContextPricesAboveTheEdge()
    {
        QFETCH(qint64, input);
        QFETCH(bool, longContext);
        QFETCH(qint64, nanos);
        const Cost cost = m_builtIn->cost(usage("claude-sonnet-4-5-20250929", input, 1000, 30000, 10000, 10000));
        QCOMPARE(cost.longContext, longContext);
        QCOMPARE(cost.nanos, nanos);
    }

    void keepsBasePricesForModelsWithoutALongContextTier()
    {
        // Haiku 4.5 has no _above_200k_tokens prices: 300,000 x 1000 n = 300,000,000 n
        const Cost cost = m_builtIn->cost(usage("claude-haiku-4-5-20251001", 300000, 0, 0, 0, 0));
        QVERIFY(!cost.longContext);
        QCOMPARE(cost.nanos, qint64(300000000));
    }

    void normalisesOnlyByTheDocumentedRules_data()
    {
        QTest::addColumn<QByteArray>("model");
        QTest::addColumn<QByteArray>("normalized");
        QTest::newRow("dated") << QByteArray("claude-sonnet-4-5-20250929") << QByteArray("claude-sonnet-4-5");
        QTest::newRow("latest") << QByteArray("claude-3-5-haiku-latest") << QByteArray("claude-3-5-haiku");
        QTest::newRow("bedrock region") << QByteArray("us.anthropic.claude-sonnet-4-5-20250929-v1:0")
                                        << QByteArray("claude-sonnet-4-5");
        QTest::newRow("bedrock vendor") << QByteArray("anthropic.claude-haiku-4-5-20251001-v1:0")
                                        << QByteArray("claude-haiku-4-5");
        QTest::newRow("bedrock path") << QByteArray("bedrock/eu.anthropic.claude-opus-4-1-20250805-v1:0")
                                      << QByteArray("claude-opus-4-1");
        QTest::newRow("1m suffix") << QByteArray("claude-sonnet-4-5-20250929[1m]") << QByteArray("claude-sonnet-4-5");
        QTest::newRow("vertex") << QByteArray("claude-sonnet-4-5@20250929") << QByteArray("claude-sonnet-4-5");
        QTest::newRow("case") << QByteArray(" Claude-Opus-4-5 ") << QByteArray("claude-opus-4-5");
        QTest::newRow("near miss kept") << QByteArray("claude-sonnet-4-5-foo") << QByteArray("claude-sonnet-4-5-foo");
        QTest::newRow("short date kept") << QByteArray("claude-sonnet-4-5-2025")
                                         << QByteArray("claude-sonnet-4-5-2025");
    }

    void normalisesOnlyByTheDocumentedRules()
    {
        QFETCH(QByteArray, model);
        QFETCH(QByteArray, normalized);
        QCOMPARE(PricingTable::normalizeModel(model), normalized);
    }

    void findsNormalisedNames_data()
    {
        QTest::addColumn<QByteArray>("model");
        QTest::addColumn<qint64>("inputNanosPerToken"); // 0: must not match
        QTest::newRow("exact dated") << QByteArray("claude-opus-4-1-20250805") << qint64(15000);
        QTest::newRow("exact alias") << QByteArray("claude-sonnet-4-5") << qint64(3000);
        QTest::newRow("new date of a known model") << QByteArray("claude-haiku-4-5-20991231") << qint64(1000);
        QTest::newRow("-latest") << QByteArray("claude-haiku-4-5-latest") << qint64(1000);
        QTest::newRow("bedrock us.") << QByteArray("us.anthropic.claude-sonnet-4-5-20250929-v1:0") << qint64(3000);
        QTest::newRow("bedrock/ path") << QByteArray("bedrock/us.anthropic.claude-opus-4-5-20251101-v1:0")
                                       << qint64(5000);
        QTest::newRow("[1m]") << QByteArray("claude-sonnet-4-5-20250929[1m]") << qint64(3000);
        QTest::newRow("haiku 3.5 latest") << QByteArray("claude-3-5-haiku-latest") << qint64(800);
        QTest::newRow("near miss -foo") << QByteArray("claude-sonnet-4-5-foo") << qint64(0);
        QTest::newRow("near miss suffix") << QByteArray("claude-sonnet-4-5x") << qint64(0);
        QTest::newRow("near miss prefix") << QByteArray("my-claude-sonnet-4-5") << qint64(0);
        QTest::newRow("no family") << QByteArray("sonnet-4-5") << qint64(0);
        QTest::newRow("other vendor") << QByteArray("gpt-4o") << qint64(0);
        QTest::newRow("empty") << QByteArray() << qint64(0);
    }

    void findsNormalisedNames()
    {
        QFETCH(QByteArray, model);
        QFETCH(qint64, inputNanosPerToken);
        const Cost cost = m_builtIn->cost(usage(model, 1, 0, 0, 0, 0));
        QCOMPARE(cost.known, inputNanosPerToken != 0);
        QCOMPARE(cost.nanos, inputNanosPerToken);
    }

    void reportsUnknownModelsAsUnknown()
    {
        const Cost cost = m_builtIn->cost(usage("claude-mock-model", 1000, 1000, 0, 0, 0));
        QVERIFY(!cost.known);
        QCOMPARE(cost.nanos, qint64(0));
        QVERIFY(!m_builtIn->maxOutputTokens("claude-mock-model").has_value());
    }

    void rejectsBadJson_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("errorPart");
        QTest::newRow("syntax") << QByteArray("{\"m\": {") << QStringLiteral("invalid JSON");
        QTest::newRow("array") << QByteArray("[]") << QStringLiteral("JSON object");
        QTest::newRow("empty") << QByteArray("{}") << QStringLiteral("no model");
        QTest::newRow("string price")
            << QByteArray(R"({"m": {"input_cost_per_token": "cheap", "output_cost_per_token": 1e-05}})")
            << QStringLiteral("\"m\": input_cost_per_token");
        QTest::newRow("negative price") << QByteArray(
                                               R"({"m": {"input_cost_per_token": 1e-06, "output_cost_per_token": -1}})")
                                        << QStringLiteral("output_cost_per_token");
    }

    void rejectsBadJson()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, errorPart);
        const auto result = PricingTable::fromJson(json);
        QVERIFY(!result.ok());
        QVERIFY2(result.error.contains(errorPart), qPrintable(result.error));
    }

    void builtInTableHasTheMockUpstreamModels()
    {
        // tests/mock-upstream/README.md: GET /v1/models lists these four.
        for (const char *model : {"claude-opus-4-5-20251101", "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001",
                                  "claude-opus-4-1-20250805"}) {
            QVERIFY2(m_builtIn->contains(model), model);
            QVERIFY2(m_builtIn->maxOutputTokens(model).has_value(), model);
        }
        QCOMPARE(m_builtIn->maxOutputTokens("claude-opus-4-1-20250805").value_or(0), qint64(32000));
        QCOMPARE(m_builtIn->maxOutputTokens("claude-sonnet-4-5").value_or(0), qint64(64000));
        QVERIFY(m_builtIn->contains("claude-3-5-haiku-20241022"));
        QVERIFY(m_builtIn->contains("claude-sonnet-4-20250514"));
        QVERIFY(m_builtIn->contains("claude-opus-4-20250514"));
    }

    void serviceStartsWithTheBuiltInTable()
    {
        PricingService service;
        QVERIFY(service.lastError().isEmpty());
        QVERIFY(service.current()->contains("claude-sonnet-4-5-20250929"));
        QCOMPARE(service.current()->size(), m_builtIn->size());
    }

    void hotReloadsTheOverrideFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("prices.json"));
        QVERIFY(writeAtomically(path, priceFile("custom-model", 1e-06)));

        PricingService service;
        QSignalSpy reloaded(&service, &PricingService::reloaded);
        QVERIFY2(service.setOverridePath(path), qPrintable(service.lastError()));
        QCOMPARE(inputNanos(service, "custom-model"), qint64(1000));
        QVERIFY(!service.current()->contains("claude-sonnet-4-5")); // the override replaces the built-in table

        // An editor's save: new file renamed over the old one (new inode).
        QVERIFY(writeAtomically(path, priceFile("custom-model", 2e-06)));
        QTRY_COMPARE_WITH_TIMEOUT(inputNanos(service, "custom-model"), qint64(2000), 1000);
        // Still watched after the rename: an in-place write is seen too.
        QVERIFY(writeInPlace(path, priceFile("custom-model", 3e-06)));
        QTRY_COMPARE_WITH_TIMEOUT(inputNanos(service, "custom-model"), qint64(3000), 1000);
        QVERIFY(writeAtomically(path, priceFile("custom-model", 4e-06)));
        QTRY_COMPARE_WITH_TIMEOUT(inputNanos(service, "custom-model"), qint64(4000), 1000);
        QVERIFY(reloaded.count() >= 4);
    }

    void keepsThePreviousTableWhenTheOverrideBreaks()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("prices.json"));
        QVERIFY(writeAtomically(path, priceFile("custom-model", 1e-06)));
        PricingService service;
        QVERIFY(service.setOverridePath(path));
        const auto before = service.current();

        QSignalSpy failed(&service, &PricingService::reloadFailed);
        QVERIFY(writeAtomically(path, QByteArrayLiteral("{\"custom-model\": {\"input_cost_per_token\": ")));
        QVERIFY(failed.wait(2000));
        QVERIFY2(failed.constLast().constFirst().toString().contains(u"invalid JSON"),
                 qPrintable(failed.constLast().constFirst().toString()));
        QCOMPARE(service.current(), before);
        QCOMPARE(inputNanos(service, "custom-model"), qint64(1000));
        QVERIFY(!service.lastError().isEmpty());

        // Fixing the file recovers.
        QVERIFY(writeAtomically(path, priceFile("custom-model", 5e-06)));
        QTRY_COMPARE_WITH_TIMEOUT(inputNanos(service, "custom-model"), qint64(5000), 1000);
        QVERIFY(service.lastError().isEmpty());
    }

    void keepsTheBuiltInTableWhenTheOverrideIsMissing()
    {
        QTemporaryDir dir;
        PricingService service;
        QSignalSpy failed(&service, &PricingService::reloadFailed);
        QVERIFY(!service.setOverridePath(dir.filePath(QStringLiteral("absent.json"))));
        QCOMPARE(failed.count(), 1);
        QVERIFY(service.current()->contains("claude-sonnet-4-5"));
        // Created later: picked up through the directory watch.
        QVERIFY(writeAtomically(dir.filePath(QStringLiteral("absent.json")), priceFile("late-model", 1e-06)));
        QTRY_VERIFY_WITH_TIMEOUT(service.current()->contains("late-model"), 1000);
    }

    void accessorOutlivesTheService()
    {
        Relay::Usage::PricingAccessor accessor;
        {
            PricingService service;
            accessor = service.accessor();
            QCOMPARE(accessor(), service.current());
        }
        QVERIFY(accessor()->contains("claude-opus-4-5"));
    }
};

QTEST_GUILESS_MAIN(TestPricing)
#include "tst_pricing.moc"
