// SPDX-License-Identifier: GPL-3.0-or-later
// The body peeker and /v1/messages request facts (model, stream, max_tokens, sticky session) without a full parse.
#include "quotedjson.h"
#include "relay/answerusage.h"
#include "relay/jsonpeek.h"
#include "relay/messagerequest.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

#include "upstream/sseusageparser.h"

using namespace Relay;
using namespace Relay::Proxy;

namespace {

Http::Request requestWith(const QByteArray &body)
{
    Http::Request r;
    r.method = "POST";
    r.path = "/v1/messages";
    r.body = body;
    return r;
}

QJsonValue randomValue(QRandomGenerator &rng, int depth)
{
    switch (rng.bounded(depth > 3 ? 5 : 7)) {
    case 0:
        return QJsonValue(rng.bounded(2) == 1);
    case 1:
        return QJsonValue(double(rng.bounded(100000)) / 7.0);
    case 2:
        return QJsonValue();
    case 3:
        return QJsonValue(QStringLiteral("s\"\\/\n\t\u00e9\U0001F600-%1").arg(rng.bounded(1000)));
    case 4:
        return QJsonValue(qint64(rng.bounded(1000)) - 500);
    case 5: {
        QJsonArray a;
        for (int i = 0, n = int(rng.bounded(4)); i < n; ++i)
            a.append(randomValue(rng, depth + 1));
        return a;
    }
    default: {
        QJsonObject o;
        for (int i = 0, n = int(rng.bounded(4)); i < n; ++i)
            o.insert(QStringLiteral("k%1").arg(i), randomValue(rng, depth + 1));
        return o;
    }
    }
}

} // namespace

class TstMessageRequest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void answerUsageMatchesTheFullParser_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("plain") << j("{'id':'m','model':'claude-sonnet-4-5-20250929','content':[{'type':'text','text':"
                                    "'usage: {not this}'}],'usage':{'input_tokens':10,'output_tokens':3}}");
        QTest::newRow("split cache") << j("{'model':'claude-opus-4-1','usage':{'input_tokens':1000,"
                                          "'cache_creation_input_tokens':500,'cache_read_input_tokens':400,"
                                          "'cache_creation':{'ephemeral_5m_input_tokens':200,"
                                          "'ephemeral_1h_input_tokens':300},'output_tokens':7,"
                                          "'service_tier':'standard'}}");
        QTest::newRow("undivided cache") << j("{'usage':{'input_tokens':5,'cache_creation_input_tokens':50,"
                                              "'output_tokens':1},'model':'claude-haiku-4-5'}");
        QTest::newRow("only 1h") << j("{'usage':{'cache_creation':{'ephemeral_1h_input_tokens':9}}}");
        QTest::newRow("no usage") << j("{'type':'message','model':'x'}");
        QTest::newRow("usage not an object") << j("{'usage':42}");
        QTest::newRow("escaped model") << j("{'model':'claude-\\u0073onnet-4-5','usage':{'input_tokens':1}}");
    }
    void answerUsageMatchesTheFullParser()
    {
        QFETCH(QByteArray, body);
        const Usage::TokenUsage expected = Upstream::usageFromJson(body).value_or(Usage::TokenUsage{});
        const Usage::TokenUsage actual = usageOfAnswer(body);
        QCOMPARE(actual.inputTokens, expected.inputTokens);
        QCOMPARE(actual.outputTokens, expected.outputTokens);
        QCOMPARE(actual.cacheCreation5mTokens, expected.cacheCreation5mTokens);
        QCOMPARE(actual.cacheCreation1hTokens, expected.cacheCreation1hTokens);
        QCOMPARE(actual.cacheReadTokens, expected.cacheReadTokens);
        if (expected.inputTokens || expected.cacheCreation1hTokens)
            QCOMPARE(actual.model, expected.model);
    }

    void peekAgreesWithQtOnRandomDocuments();
    void peekRejectsMalformedJson_data();
    void peekRejectsMalformedJson();
    void readsModelStreamAndMaxTokens();
    void passesUnknownKeysAndSystemRoles();
    void rejectsMissingFieldsWithClearMessages_data();
    void rejectsMissingFieldsWithClearMessages();
    void derivesSessionFromBothUserIdForms();
    void fallsBackToHeaderThenSystemThenFirstMessage();
};

void TstMessageRequest::peekAgreesWithQtOnRandomDocuments()
{
    QRandomGenerator rng(42);
    for (int round = 0; round < 500; ++round) {
        QJsonObject o;
        for (int i = 0, n = int(rng.bounded(8)); i < n; ++i)
            o.insert(QStringLiteral("key%1").arg(i), randomValue(rng, 0));
        const QByteArray json = QJsonDocument(o).toJson(round % 2 ? QJsonDocument::Compact : QJsonDocument::Indented);
        JsonPeek peek;
        QVERIFY2(peek.parse(json), json.constData());
        QCOMPARE(peek.members().size(), o.size());
        for (const auto &m : peek.members()) {
            const QJsonDocument member = QJsonDocument::fromJson("[" + m.value.toByteArray() + "]");
            QVERIFY(member.isArray());
            QCOMPARE(member.array().at(0), o.value(QString::fromUtf8(m.key)));
        }
    }
}

void TstMessageRequest::peekRejectsMalformedJson_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("array") << QByteArray("[1,2]");
    QTest::newRow("unterminated string") << QByteArray(j("{'a':'b"));
    QTest::newRow("missing colon") << QByteArray(j("{'a' 1}"));
    QTest::newRow("trailing comma") << QByteArray(j("{'a':1,}"));
    QTest::newRow("trailing garbage") << QByteArray(j("{'a':1} x"));
    QTest::newRow("bad literal") << QByteArray(j("{'a':tru}"));
    QTest::newRow("unbalanced") << QByteArray(j("{'a':[1,{'b':2]}"));
    QTest::newRow("raw newline in string") << QByteArray("{\"a\":\"x\ny\"}");
    QTest::newRow("empty") << QByteArray("");
    QTest::newRow("deep") << QByteArray(2000, '[').prepend("{\"a\":");
}

void TstMessageRequest::peekRejectsMalformedJson()
{
    QFETCH(QByteArray, json);
    JsonPeek peek;
    QVERIFY(!peek.parse(json));
    QVERIFY(!peek.error().isEmpty());
}

void TstMessageRequest::readsModelStreamAndMaxTokens()
{
    MessageRequest m;
    QCOMPARE(MessageRequest::parse(requestWith(j("{'model':'claude-sonnet-4-5','max_tokens':32000,'stream':true,"
                                                 "'messages':[{'role':'user','content':'hi'}]}")),
                                   false, &m),
             QString());
    QCOMPARE(m.model, QByteArray("claude-sonnet-4-5"));
    QVERIFY(m.stream);
    QCOMPARE(m.maxTokens.value_or(0), 32000);
}

void TstMessageRequest::passesUnknownKeysAndSystemRoles()
{
    MessageRequest m;
    const QByteArray body =
        j("{'context_management':{'edits':[]},'output_config':{'x':1},'thinking':{'type':'adaptive'},"
          "'model':'claude-opus-4-1','max_tokens':64000,'messages':[{'role':'system','content':'x'},"
          "{'role':'user','content':[{'type':'text','text':'hi'}]}],'tools':[]}");
    QCOMPARE(MessageRequest::parse(requestWith(body), false, &m), QString());
    QVERIFY(!m.stream);
}

void TstMessageRequest::rejectsMissingFieldsWithClearMessages_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("expected");
    QTest::newRow("empty") << QByteArray() << QStringLiteral("empty");
    QTest::newRow("not json") << QByteArray("model=x") << QStringLiteral("JSON object");
    QTest::newRow("no model") << QByteArray(j("{'max_tokens':1,'messages':[{}]}")) << QStringLiteral("model:");
    QTest::newRow("model not string") << QByteArray(j("{'model':5,'max_tokens':1,'messages':[{}]}"))
                                      << QStringLiteral("model:");
    QTest::newRow("no messages") << QByteArray(j("{'model':'m','max_tokens':1}")) << QStringLiteral("messages:");
    QTest::newRow("empty messages") << QByteArray(j("{'model':'m','max_tokens':1,'messages':[ ]}"))
                                    << QStringLiteral("at least one");
    QTest::newRow("no max_tokens") << QByteArray(j("{'model':'m','messages':[{}]}")) << QStringLiteral("max_tokens:");
    QTest::newRow("bad max_tokens") << QByteArray(j("{'model':'m','max_tokens':'x','messages':[{}]}"))
                                    << QStringLiteral("max_tokens:");
    QTest::newRow("bad stream") << QByteArray(j("{'model':'m','max_tokens':1,'stream':'yes','messages':[{}]}"))
                                << QStringLiteral("stream:");
}

void TstMessageRequest::rejectsMissingFieldsWithClearMessages()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, expected);
    MessageRequest m;
    const QString error = MessageRequest::parse(requestWith(body), false, &m);
    QVERIFY2(error.contains(expected), qPrintable(error));
}

void TstMessageRequest::derivesSessionFromBothUserIdForms()
{
    const QByteArray uuid = "0b9c3a52-7f1e-4b8e-9f3a-2d6c1e5a8b7f";
    QCOMPARE(MessageRequest::sessionFromUserId(j("{'device_id':'ab','account_uuid':'','session_id':'") + uuid + "\"}"),
             uuid);
    QCOMPARE(MessageRequest::sessionFromUserId("user_" + QByteArray(64, 'a') + "_account__session_" + uuid), uuid);
    QCOMPARE(MessageRequest::sessionFromUserId("someone"), QByteArray());

    MessageRequest a, b;
    const QByteArray jsonForm =
        j("{'model':'m','max_tokens':1,'messages':[{'role':'user','content':'one'}],"
          "'metadata':{'user_id':'{\\'device_id\\':\\'ab\\',\\'account_uuid\\':\\'\\',\\'session_id\\':\\'") +
        uuid + j("\\'}'}}");
    const QByteArray oldForm = j("{'model':'m','max_tokens':1,'messages':[{'role':'user','content':'two'}],"
                                 "'metadata':{'user_id':'user_") +
                               QByteArray(64, 'a') + "_account__session_" + uuid + j("'}}");
    QCOMPARE(MessageRequest::parse(requestWith(jsonForm), false, &a), QString());
    QCOMPARE(MessageRequest::parse(requestWith(oldForm), false, &b), QString());
    QVERIFY(!a.sessionHash.isEmpty());
    QCOMPARE(a.sessionHash, b.sessionHash); // same session, different messages
}

void TstMessageRequest::fallsBackToHeaderThenSystemThenFirstMessage()
{
    Http::Request r = requestWith(j("{'model':'m','max_tokens':1,'system':'be brief',"
                                    "'messages':[{'role':'user','content':'x'},{'role':'assistant','content':'y'}]}"));
    MessageRequest withSystem;
    QCOMPARE(MessageRequest::parse(r, false, &withSystem), QString());
    QVERIFY(!withSystem.sessionHash.isEmpty());

    r.headers.append(qMakePair(QByteArray("x-claude-code-session-id"), QByteArray("abc")));
    MessageRequest withHeader;
    QCOMPARE(MessageRequest::parse(r, false, &withHeader), QString());
    QVERIFY(withHeader.sessionHash != withSystem.sessionHash);

    MessageRequest first1, first2;
    QCOMPARE(
        MessageRequest::parse(requestWith(j("{'model':'m','max_tokens':1,'messages':[{'role':'user','content':'x'}]}")),
                              false, &first1),
        QString());
    QCOMPARE(
        MessageRequest::parse(requestWith(j("{'model':'m','max_tokens':1,'messages':[{'role':'user','content':'x'},"
                                            "{'role':'assistant','content':'later'}]}")),
                              false, &first2),
        QString());
    QCOMPARE(first1.sessionHash, first2.sessionHash); // the conversation grows, its opening stays
}

QTEST_GUILESS_MAIN(TstMessageRequest)
#include "tst_messagerequest.moc"
