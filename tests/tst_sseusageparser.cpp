// SPDX-License-Identifier: GPL-3.0-or-later
#include "mockupstream.h"
#include "upstream/sseusageparser.h"

#include <QRandomGenerator>
#include <QTest>

using Relay::Upstream::SseUsageParser;
using Relay::Usage::TokenUsage;

namespace {

// Shaped like a real Anthropic stream (current API: cumulative usage in message_delta, cache split by TTL).
const QByteArray RealShapedStream = QByteArrayLiteral(
    "event: message_start\n"
    "data: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-sonnet-4-5-20250929\",\"id\":\"msg_01X\","
    "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,"
    "\"usage\":{\"input_tokens\":12,\"cache_creation_input_tokens\":2048,\"cache_read_input_tokens\":31000,"
    "\"cache_creation\":{\"ephemeral_5m_input_tokens\":2000,\"ephemeral_1h_input_tokens\":48},"
    "\"output_tokens\":1,\"service_tier\":\"standard\"}}}\n\n"
    "event: content_block_start\n"
    "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
    "event: ping\n"
    "data: {\"type\": \"ping\"}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n"
    "event: content_block_delta\n"
    "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"\\r\\n "
    "event: message_delta data: {}\"}}\n\n"
    ": a comment line\n\n"
    "event: content_block_stop\n"
    "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
    "event: message_delta\n"
    "data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},"
    "\"usage\":{\"input_tokens\":12,\"cache_creation_input_tokens\":2048,\"cache_read_input_tokens\":31000,"
    "\"output_tokens\":321}}\n\n"
    "event: message_stop\n"
    "data: {\"type\":\"message_stop\"}\n\n");

struct Result
{
    TokenUsage usage;
    bool start = false;
    bool stop = false;
    QByteArray stopReason;
    QByteArray errorType;
    QByteArray errorMessage;
    qint64 events = 0;
    qint64 oversized = 0;

    bool operator==(const Result &o) const
    {
        return usage.inputTokens == o.usage.inputTokens && usage.outputTokens == o.usage.outputTokens &&
               usage.cacheCreation5mTokens == o.usage.cacheCreation5mTokens &&
               usage.cacheCreation1hTokens == o.usage.cacheCreation1hTokens &&
               usage.cacheReadTokens == o.usage.cacheReadTokens && usage.model == o.usage.model && start == o.start &&
               stop == o.stop && stopReason == o.stopReason && errorType == o.errorType &&
               errorMessage == o.errorMessage && events == o.events && oversized == o.oversized;
    }
};

char *describe(const Result &r)
{
    return qstrdup(
        QStringLiteral("in=%1 out=%2 c5m=%3 c1h=%4 read=%5 model=%6 start=%7 stop=%8 reason=%9 "
                       "error=%10/%11 events=%12 oversized=%13")
            .arg(r.usage.inputTokens)
            .arg(r.usage.outputTokens)
            .arg(r.usage.cacheCreation5mTokens)
            .arg(r.usage.cacheCreation1hTokens)
            .arg(r.usage.cacheReadTokens)
            .arg(QString::fromUtf8(r.usage.model))
            .arg(r.start)
            .arg(r.stop)
            .arg(QString::fromUtf8(r.stopReason), QString::fromUtf8(r.errorType), QString::fromUtf8(r.errorMessage))
            .arg(r.events)
            .arg(r.oversized)
            .toUtf8()
            .constData());
}

Result resultOf(const SseUsageParser &p)
{
    Result r;
    r.usage = p.usage();
    r.start = p.sawMessageStart();
    r.stop = p.sawMessageStop();
    r.stopReason = p.stopReason();
    if (p.error()) {
        r.errorType = p.error()->type;
        r.errorMessage = p.error()->message;
    }
    r.events = p.eventCount();
    r.oversized = p.oversizedEvents();
    return r;
}

Result parseWhole(const QByteArray &stream, qsizetype maxEventBytes = SseUsageParser::DefaultMaxEventBytes)
{
    SseUsageParser p(maxEventBytes);
    p.feed(stream);
    p.finish();
    return resultOf(p);
}

Result parseByteByByte(const QByteArray &stream, qsizetype maxEventBytes = SseUsageParser::DefaultMaxEventBytes)
{
    SseUsageParser p(maxEventBytes);
    for (qsizetype i = 0; i < stream.size(); ++i) {
        p.feed(QByteArrayView(stream.constData() + i, 1));
    }
    p.finish();
    return resultOf(p);
}

Result parseRandomSplits(const QByteArray &stream, quint32 seed,
                         qsizetype maxEventBytes = SseUsageParser::DefaultMaxEventBytes)
{
    QRandomGenerator random(seed);
    SseUsageParser p(maxEventBytes);
    qsizetype at = 0;
    while (at < stream.size()) {
        // Mostly small pieces, sometimes large ones, so every kind of boundary gets hit.
        const qsizetype n = random.bounded(8) == 0 ? random.bounded(1, 4096) : random.bounded(1, 40);
        const qsizetype take = qMin(n, stream.size() - at);
        p.feed(QByteArrayView(stream.constData() + at, take));
        at += take;
    }
    p.finish();
    Result r = resultOf(p);
    if (p.bytesFed() != stream.size()) {
        r.events = -1; // makes the comparison fail visibly
    }
    return r;
}

QByteArray withLineEndings(QByteArray stream, const QByteArray &ending)
{
    return stream.replace('\n', ending);
}

} // namespace

namespace QTest {
template <>
char *toString(const Result &r)
{
    return describe(r);
}
} // namespace QTest

class TstSseUsageParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void realShapedStreamGivesExactUsage();
    void anyChunkSplitGivesTheSameResult_data();
    void anyChunkSplitGivesTheSameResult();
    void cumulativeDeltaUsageIsNotDoubleCounted();
    void outputOnlyDeltaKeepsStartUsage();
    void undividedCacheCreationCountsAsFiveMinute();
    void errorEventIsReported();
    void oversizedEventIsSkippedAndCounted();
    void contentDeltasAreNeverBuffered();
    void multiLineDataIsJoined();
    void unnamedEventsAreRecognisedByType();
    void streamWithoutMessageStopIsIncomplete();
    void usageFromJsonReadsNonStreamBodies();

private:
    std::unique_ptr<MockUpstream> m_mock;
    QByteArray m_mockStream;
    QByteArray m_mockErrorStream;
    QByteArray m_mockJson;
};

void TstSseUsageParser::initTestCase()
{
    // Streams captured from the project's mock, whose usage formulas are exact (tests/mock-upstream/README.md).
    m_mock = std::make_unique<MockUpstream>();
    QVERIFY2(m_mock->start(), qPrintable(m_mock->errorString()));
    const QByteArray controls =
        R"("mock":{"input_tokens":1234,"cache_creation_5m":100,"cache_creation_1h":200,"cache_read":300,"deltas":25})";
    MockUpstream::Reply stream =
        m_mock->post(QStringLiteral("/v1/messages"), R"({"model":"claude-test-model","stream":true,)" + controls + "}");
    QCOMPARE(stream.status, 200);
    m_mockStream = stream.body;
    MockUpstream::Reply error = m_mock->post(QStringLiteral("/v1/messages"),
                                             R"({"stream":true,"mock":{"fault":"error_mid_stream","fault_after":3}})");
    QCOMPARE(error.status, 200);
    m_mockErrorStream = error.body;
    MockUpstream::Reply json =
        m_mock->post(QStringLiteral("/v1/messages"), R"({"model":"claude-test-model",)" + controls + "}");
    QCOMPARE(json.status, 200);
    m_mockJson = json.body;
}

void TstSseUsageParser::realShapedStreamGivesExactUsage()
{
    const Result r = parseWhole(RealShapedStream);
    QCOMPARE(r.usage.inputTokens, 12);
    QCOMPARE(r.usage.outputTokens, 321);
    QCOMPARE(r.usage.cacheCreation5mTokens, 2000);
    QCOMPARE(r.usage.cacheCreation1hTokens, 48);
    QCOMPARE(r.usage.cacheReadTokens, 31000);
    QCOMPARE(r.usage.model, QByteArray("claude-sonnet-4-5-20250929"));
    QVERIFY(r.start);
    QVERIFY(r.stop);
    QCOMPARE(r.stopReason, QByteArray("end_turn"));
    QVERIFY(r.errorType.isEmpty());
    QCOMPARE(r.events, 8); // the comment-only block is not an event

    const Result m = parseWhole(m_mockStream);
    QCOMPARE(m.usage.inputTokens, 1234);
    QCOMPARE(m.usage.outputTokens, 25);
    QCOMPARE(m.usage.cacheCreation5mTokens, 100);
    QCOMPARE(m.usage.cacheCreation1hTokens, 200);
    QCOMPARE(m.usage.cacheReadTokens, 300);
    QCOMPARE(m.usage.model, QByteArray("claude-test-model"));
    QVERIFY(m.stop);
    QCOMPARE(m.events, 6 + 25);
}

void TstSseUsageParser::anyChunkSplitGivesTheSameResult_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<qsizetype>("maxEventBytes");
    QTest::newRow("real-shaped LF") << RealShapedStream << SseUsageParser::DefaultMaxEventBytes;
    QTest::newRow("real-shaped CRLF") << withLineEndings(RealShapedStream, "\r\n")
                                      << SseUsageParser::DefaultMaxEventBytes;
    QTest::newRow("real-shaped CR") << withLineEndings(RealShapedStream, "\r") << SseUsageParser::DefaultMaxEventBytes;
    QTest::newRow("mock LF") << m_mockStream << SseUsageParser::DefaultMaxEventBytes;
    QTest::newRow("mock CRLF") << withLineEndings(m_mockStream, "\r\n") << SseUsageParser::DefaultMaxEventBytes;
    QTest::newRow("mock error") << m_mockErrorStream << SseUsageParser::DefaultMaxEventBytes;
    // A limit between the sizes of message_start and message_delta: the skip must not depend on the split.
    QTest::newRow("mock with tiny limit") << m_mockStream << qsizetype(300);
}

void TstSseUsageParser::anyChunkSplitGivesTheSameResult()
{
    QFETCH(QByteArray, stream);
    QFETCH(qsizetype, maxEventBytes);
    const Result whole = parseWhole(stream, maxEventBytes);
    QVERIFY(whole.start || maxEventBytes < 1000);
    QCOMPARE(parseByteByByte(stream, maxEventBytes), whole);
    for (quint32 seed = 1; seed <= 300; ++seed) {
        const Result split = parseRandomSplits(stream, seed, maxEventBytes);
        QVERIFY2(split == whole, qPrintable(QStringLiteral("seed %1").arg(seed)));
    }
}

void TstSseUsageParser::cumulativeDeltaUsageIsNotDoubleCounted()
{
    // The mock's message_delta repeats the input and cache totals, as the current API does.
    QVERIFY(m_mockStream.contains(R"("usage":{"input_tokens":1234,"cache_creation_input_tokens":300)"));
    const Result r = parseWhole(m_mockStream);
    QCOMPARE(r.usage.inputTokens, 1234);
    QCOMPARE(r.usage.cacheCreationTokens(), 300);
    QCOMPARE(r.usage.cacheReadTokens, 300);
    QCOMPARE(r.usage.totalInputTokens(), 1234 + 300 + 300);

    // A delta whose totals grew (server-side tool use) replaces them; a later delta does not add to them.
    const QByteArray stream = "event: message_start\ndata: "
                              R"({"type":"message_start","message":{"usage":{"input_tokens":10,"output_tokens":1}}})"
                              "\n\nevent: message_delta\ndata: "
                              R"({"type":"message_delta","delta":{},"usage":{"input_tokens":25,"output_tokens":7}})"
                              "\n\nevent: message_delta\ndata: "
                              R"({"type":"message_delta","delta":{},"usage":{"input_tokens":25,"output_tokens":9}})"
                              "\n\n";
    const Result grown = parseWhole(stream);
    QCOMPARE(grown.usage.inputTokens, 25);
    QCOMPARE(grown.usage.outputTokens, 9);
}

void TstSseUsageParser::outputOnlyDeltaKeepsStartUsage()
{
    const MockUpstream::Reply reply = m_mock->post(
        QStringLiteral("/v1/messages"),
        R"({"stream":true,"mock":{"input_tokens":77,"cache_creation_1h":5,"deltas":3,"delta_usage":"output"}})");
    QCOMPARE(reply.status, 200);
    const Result r = parseWhole(reply.body);
    QCOMPARE(r.usage.inputTokens, 77);
    QCOMPARE(r.usage.cacheCreation1hTokens, 5);
    QCOMPARE(r.usage.cacheCreation5mTokens, 0);
    QCOMPARE(r.usage.outputTokens, 3);
}

void TstSseUsageParser::undividedCacheCreationCountsAsFiveMinute()
{
    const QByteArray stream =
        "event: message_start\ndata: "
        R"({"type":"message_start","message":{"usage":{"input_tokens":3,"cache_creation_input_tokens":500}}})"
        "\n\nevent: message_delta\ndata: "
        R"({"type":"message_delta","delta":{},"usage":{"output_tokens":2,"cache_creation_input_tokens":500}})"
        "\n\n";
    const Result r = parseWhole(stream);
    QCOMPARE(r.usage.cacheCreation5mTokens, 500);
    QCOMPARE(r.usage.cacheCreation1hTokens, 0);

    // A later undivided total keeps the 1h part the split already gave.
    const QByteArray split =
        "event: message_start\ndata: "
        R"({"type":"message_start","message":{"usage":{"cache_creation_input_tokens":30,)"
        R"("cache_creation":{"ephemeral_5m_input_tokens":10,"ephemeral_1h_input_tokens":20}}}})"
        "\n\nevent: message_delta\ndata: "
        R"({"type":"message_delta","delta":{},"usage":{"output_tokens":2,"cache_creation_input_tokens":30}})"
        "\n\n";
    const Result s = parseWhole(split);
    QCOMPARE(s.usage.cacheCreation5mTokens, 10);
    QCOMPARE(s.usage.cacheCreation1hTokens, 20);
}

void TstSseUsageParser::errorEventIsReported()
{
    const Result r = parseWhole(m_mockErrorStream);
    QCOMPARE(r.errorType, QByteArray("overloaded_error"));
    QCOMPARE(r.errorMessage, QByteArray("Overloaded"));
    QVERIFY(r.start);
    QVERIFY(!r.stop);
    QVERIFY(r.stopReason.isEmpty());
}

void TstSseUsageParser::oversizedEventIsSkippedAndCounted()
{
    const QByteArray padding(8000, 'p');
    const QByteArray stream =
        "event: message_start\ndata: "
        R"({"type":"message_start","message":{"model":"m","usage":{"input_tokens":5,"output_tokens":1},"pad":")" +
        padding +
        R"("}})"
        "\n\nevent: message_delta\ndata: "
        R"({"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":4}})"
        "\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
    const Result r = parseWhole(stream, 4096);
    QCOMPARE(r.oversized, 1);
    QVERIFY(!r.start);
    QCOMPARE(r.usage.inputTokens, 0);
    QCOMPARE(r.usage.outputTokens, 4); // the events after it still count
    QCOMPARE(r.stopReason, QByteArray("max_tokens"));
    QVERIFY(r.stop);
    for (quint32 seed = 1; seed <= 50; ++seed) {
        QCOMPARE(parseRandomSplits(stream, seed, 4096), r);
    }
    // With the default limit the same event is read.
    QCOMPARE(parseWhole(stream).usage.inputTokens, 5);
}

void TstSseUsageParser::contentDeltasAreNeverBuffered()
{
    // Content deltas are skipped by name, so even huge ones neither count as oversized nor need memory.
    const QByteArray bigText(100'000, 'x');
    QByteArray stream = RealShapedStream;
    stream.insert(stream.indexOf("event: content_block_stop"),
                  "event: content_block_delta\ndata: "
                  R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":")" +
                      bigText + "\"}}\n\n");
    const Result r = parseWhole(stream, 4096);
    QCOMPARE(r.oversized, 0);
    QCOMPARE(r.usage.outputTokens, 321);
    QVERIFY(r.stop);
}

void TstSseUsageParser::multiLineDataIsJoined()
{
    const QByteArray stream = "event: message_start\n"
                              "data: {\"type\":\"message_start\",\n"
                              "data:\"message\":{\"model\":\"multi\",\n"
                              "data: \"usage\":{\"input_tokens\":42}}}\n"
                              "\n"
                              "event: message_stop\ndata: {}\n\n";
    const Result r = parseWhole(stream);
    QVERIFY(r.start);
    QCOMPARE(r.usage.inputTokens, 42);
    QCOMPARE(r.usage.model, QByteArray("multi"));
    QVERIFY(r.stop);
}

void TstSseUsageParser::unnamedEventsAreRecognisedByType()
{
    const QByteArray stream =
        "data: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":8}}}\n\n"
        "data: {\"type\":\"content_block_delta\",\"delta\":{\"text\":\"hi\"}}\n\n"
        "data: "
        "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_tokens\":6}}\n\n"
        "data: {\"type\":\"message_stop\"}\n\n";
    const Result r = parseWhole(stream);
    QCOMPARE(r.usage.inputTokens, 8);
    QCOMPARE(r.usage.outputTokens, 6);
    QCOMPARE(r.stopReason, QByteArray("tool_use"));
    QVERIFY(r.stop);
}

void TstSseUsageParser::streamWithoutMessageStopIsIncomplete()
{
    const qsizetype cut = m_mockStream.indexOf("event: message_delta");
    const Result r = parseWhole(m_mockStream.left(cut));
    QVERIFY(r.start);
    QVERIFY(!r.stop);
    QCOMPARE(r.usage.inputTokens, 1234);
    QCOMPARE(r.usage.outputTokens, 1); // message_start's count: the best known without message_delta

    // An event cut before its blank line is still dispatched by finish(); a cut inside its JSON is ignored.
    const QByteArray tail = m_mockStream.left(m_mockStream.indexOf("event: message_stop"));
    const QByteArray noBlankLine = tail.left(tail.size() - 1);
    SseUsageParser p;
    p.feed(noBlankLine);
    QCOMPARE(p.usage().outputTokens, 1);
    p.finish();
    QCOMPARE(p.usage().outputTokens, 25);
    SseUsageParser q;
    q.feed(tail.left(tail.size() - 10));
    q.finish();
    QCOMPARE(q.usage().outputTokens, 1);
}

void TstSseUsageParser::usageFromJsonReadsNonStreamBodies()
{
    QByteArray stopReason;
    const std::optional<TokenUsage> usage = Relay::Upstream::usageFromJson(m_mockJson, &stopReason);
    QVERIFY(usage);
    QCOMPARE(usage->inputTokens, 1234);
    QCOMPARE(usage->outputTokens, 25);
    QCOMPARE(usage->cacheCreation5mTokens, 100);
    QCOMPARE(usage->cacheCreation1hTokens, 200);
    QCOMPARE(usage->cacheReadTokens, 300);
    QCOMPARE(usage->model, QByteArray("claude-test-model"));
    QCOMPARE(stopReason, QByteArray("end_turn"));

    const auto undivided = Relay::Upstream::usageFromJson(
        R"({"model":"x","usage":{"input_tokens":1,"cache_creation_input_tokens":9,"output_tokens":2}})");
    QVERIFY(undivided);
    QCOMPARE(undivided->cacheCreation5mTokens, 9);
    QCOMPARE(undivided->cacheCreation1hTokens, 0);

    QVERIFY(!Relay::Upstream::usageFromJson(m_mockJson.left(m_mockJson.size() / 2))); // the bad_json fault's shape
    QVERIFY(!Relay::Upstream::usageFromJson(R"({"type":"error","error":{"type":"api_error"}})"));
    QVERIFY(!Relay::Upstream::usageFromJson("[]"));
}

QTEST_GUILESS_MAIN(TstSseUsageParser)
#include "tst_sseusageparser.moc"
