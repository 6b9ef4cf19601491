// SPDX-License-Identifier: GPL-3.0-or-later
// RequestLog: fixed-size records, per-writer rings merged newest first, filters, and concurrent writers.
#include "relay/requestlog.h"

#include <QSet>
#include <QTest>

#include <atomic>
#include <thread>

using namespace Relay::Proxy;

namespace {

// A record whose every field is derived from (writer, sequence), so a torn or mixed copy is detectable.
RequestTiming makeTiming(int writer, int sequence, qint64 startMs = 1'700'000'000'000)
{
    RequestTiming t;
    t.requestId.set(QByteArray::number(writer) + '-' + QByteArray::number(sequence));
    t.startMs = startMs + sequence;
    t.keyId.set("key" + QByteArray::number(writer));
    t.keyName.set(QStringLiteral("Key %1").arg(writer));
    t.accountId.set("acct" + QByteArray::number(sequence % 3));
    t.model.set("model-" + QByteArray::number(sequence));
    t.status = sequence % 5 == 0 ? 500 : 200;
    t.attempts = 1 + sequence % 2;
    t.authUs = sequence;
    t.accountUs = sequence + 1;
    t.firstByteUs = sequence + 2;
    t.endUs = sequence + 3;
    t.inputTokens = sequence * 7 + writer;
    t.outputTokens = sequence * 11 + writer;
    return t;
}

bool isIntact(const RequestTiming &t, int *writer, int *sequence)
{
    const QList<QByteArray> parts = t.requestId.view().toByteArray().split('-');
    if (parts.size() != 2)
        return false;
    *writer = parts[0].toInt();
    *sequence = parts[1].toInt();
    const RequestTiming expected = makeTiming(*writer, *sequence);
    return t.keyId.view() == expected.keyId.view() && t.keyName.view() == expected.keyName.view() &&
           t.accountId.view() == expected.accountId.view() && t.model.view() == expected.model.view() &&
           t.status == expected.status && t.attempts == expected.attempts && t.authUs == expected.authUs &&
           t.endUs == expected.endUs && t.inputTokens == expected.inputTokens &&
           t.outputTokens == expected.outputTokens && t.startMs == expected.startMs;
}

} // namespace

class TstRequestLog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fixedTextCutsOnCharacterBoundaries();
    void mergesWritersNewestFirstAndKeepsTheLastCapacityRecords();
    void filtersByStatusKeyAccountAndDuration();
    void findsARecordById();
    void countsInFlightPerAccountOverWriters();
    void concurrentWritersLoseNothingAndReadersSeeNoTornRecords();
    void recordSerializesTimingsAndFlags();
};

void TstRequestLog::fixedTextCutsOnCharacterBoundaries()
{
    FixedText<8> text;
    text.set(QByteArrayView("abcdefghij"));
    QCOMPARE(text.view(), QByteArrayView("abcdefgh"));
    // "é" is two bytes in UTF-8: 7 ASCII + é does not fit in 8, so the é is dropped whole.
    text.set(QStringLiteral("abcdefgé"));
    QCOMPARE(text.toString(), QStringLiteral("abcdefg"));
    text.set(QStringLiteral("ab\u00e9\u20ac"));
    QCOMPARE(text.toString(), QStringLiteral("ab\u00e9\u20ac"));                     // 2 + 2 + 3 bytes
    text.set(QString::fromUtf8("\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80")); // three 4-byte emoji
    QCOMPARE(text.size, quint8(8));
    QCOMPARE(text.toString(), QString::fromUtf8("\xF0\x9F\x98\x80\xF0\x9F\x98\x80"));
    const QByteArray utf8 = QString::fromUtf8("abcdefg\xC3\xA9").toUtf8();
    text.set(QByteArrayView(utf8));
    QCOMPARE(text.view(), QByteArrayView("abcdefg"));
    text.set(QByteArrayView());
    QVERIFY(text.isEmpty());
}

void TstRequestLog::mergesWritersNewestFirstAndKeepsTheLastCapacityRecords()
{
    RequestLog log(10);
    log.setWriterCount(2);
    for (int i = 0; i < 8; ++i) {
        log.record(0, makeTiming(0, 2 * i));     // even end times on writer 0
        log.record(1, makeTiming(1, 2 * i + 1)); // odd on writer 1
    }
    log.record(5, makeTiming(5, 99)); // no such writer: ignored
    QCOMPARE(log.recordedCount(), quint64(16));
    const auto all = log.records();
    QCOMPARE(all.size(), size_t(10));
    for (size_t i = 0; i < all.size(); ++i) {
        int writer = -1, sequence = -1;
        QVERIFY(isIntact(all[i], &writer, &sequence));
        QCOMPARE(sequence, 15 - int(i)); // newest first across both writers
    }
    // Each ring keeps `capacity` records: 20 more on writer 0 drop its oldest, never writer 1's newest.
    for (int i = 100; i < 120; ++i)
        log.record(0, makeTiming(0, i));
    const auto after = log.records();
    QCOMPARE(after.size(), size_t(10));
    int writer = -1, sequence = -1;
    QVERIFY(isIntact(after.front(), &writer, &sequence));
    QCOMPARE(sequence, 119);
    QVERIFY(isIntact(after.back(), &writer, &sequence));
    QCOMPARE(sequence, 110);
}

void TstRequestLog::filtersByStatusKeyAccountAndDuration()
{
    RequestLog log(100);
    log.setWriterCount(2);
    for (int i = 0; i < 30; ++i)
        log.record(i % 2, makeTiming(i % 2, i));
    RequestLog::Filter errors;
    errors.statusClass = 5;
    QCOMPARE(log.records(errors).size(), size_t(6)); // 0, 5, ..., 25
    RequestLog::Filter exact;
    exact.status = 200;
    QCOMPARE(log.records(exact).size(), size_t(24));
    RequestLog::Filter onlyErrors;
    onlyErrors.errorsOnly = true;
    QCOMPARE(log.records(onlyErrors).size(), size_t(6));
    RequestLog::Filter key;
    key.keyId = "key1";
    QCOMPARE(log.records(key).size(), size_t(15));
    RequestLog::Filter account;
    account.accountId = "acct2";
    QCOMPARE(log.records(account).size(), size_t(10));
    RequestLog::Filter slow;
    slow.minDurationUs = 20 + 3; // endUs = sequence + 3
    QCOMPARE(log.records(slow).size(), size_t(10));
    RequestLog::Filter combined;
    combined.keyId = "key0";
    combined.statusClass = 5;
    const auto found = log.records(combined);
    QCOMPARE(found.size(), size_t(3)); // 0, 10, 20
    QCOMPARE(found.front().requestId.view(), QByteArrayView("0-20"));
}

void TstRequestLog::findsARecordById()
{
    RequestLog log;
    log.setWriterCount(1);
    log.record(0, makeTiming(0, 1));
    log.record(0, makeTiming(0, 2));
    const auto found = log.find("0-1");
    QVERIFY(found);
    QCOMPARE(found->model.view(), QByteArrayView("model-1"));
    QVERIFY(!log.find("0-3"));
    QVERIFY(!log.find(""));
}

void TstRequestLog::countsInFlightPerAccountOverWriters()
{
    RequestLog log;
    log.setWriterCount(2);
    log.accountStarted(0, "a");
    log.accountStarted(0, "a");
    log.accountStarted(1, "a");
    log.accountStarted(1, "b");
    QCOMPARE(log.inFlight("a"), 3);
    QCOMPARE(log.inFlight("b"), 1);
    QCOMPARE(log.inFlight("c"), 0);
    log.accountFinished(0, "a");
    log.accountFinished(1, "b");
    log.accountFinished(1, "c"); // never started: nothing to end
    QCOMPARE(log.inFlight("a"), 2);
    QCOMPARE(log.inFlight("b"), 0);
    QCOMPARE(log.inFlight("c"), 0);
    // More accounts than slots: the extra ones are not counted, the others stay right.
    for (int i = 0; i < RequestLog::AccountSlots + 10; ++i)
        log.accountStarted(0, "many" + QByteArray::number(i));
    QCOMPARE(log.inFlight("a"), 2);
    int counted = 0;
    for (int i = 0; i < RequestLog::AccountSlots + 10; ++i)
        counted += log.inFlight("many" + QByteArray::number(i));
    QCOMPARE(counted, RequestLog::AccountSlots - 1); // writer 0's table also holds "a"
}

// Two writer threads and a reader thread at full speed: every record a reader sees is whole and consistent, a read
// never shows a record twice or a writer's records out of order, and at the end the newest records of each writer
// are all there.
void TstRequestLog::concurrentWritersLoseNothingAndReadersSeeNoTornRecords()
{
    constexpr int Capacity = 500;
    constexpr int PerWriter = 40'000;
    RequestLog log(Capacity);
    log.setWriterCount(2);
    std::atomic<int> writersDone{0};
    std::atomic<int> reads{0};
    std::atomic<int> problems{0};
    QString firstProblem;

    std::thread reader([&] {
        while (writersDone.load() < 2) {
            const auto records = log.records();
            if (records.size() > size_t(Capacity))
                problems.fetch_add(1);
            QSet<QByteArray> seen;
            int lastSequence[2] = {PerWriter + 1, PerWriter + 1};
            for (const RequestTiming &t : records) {
                int writer = -1, sequence = -1;
                const QByteArray id = t.requestId.view().toByteArray();
                if (!isIntact(t, &writer, &sequence) || writer < 0 || writer > 1 || seen.contains(id) ||
                    sequence >= lastSequence[writer]) {
                    if (problems.fetch_add(1) == 0)
                        firstProblem = QString::fromUtf8(id);
                    continue;
                }
                seen.insert(id);
                lastSequence[writer] = sequence;
            }
            reads.fetch_add(1);
        }
    });
    std::vector<std::thread> writers;
    for (int w = 0; w < 2; ++w) {
        writers.emplace_back([&log, &writersDone, w] {
            for (int i = 0; i < PerWriter; ++i) {
                log.accountStarted(w, "shared");
                log.record(w, makeTiming(w, i));
                log.accountFinished(w, "shared");
            }
            writersDone.fetch_add(1);
        });
    }
    for (auto &t : writers)
        t.join();
    reader.join();

    QVERIFY2(problems.load() == 0,
             qPrintable(QStringLiteral("%1 bad records, first %2").arg(problems.load()).arg(firstProblem)));
    QVERIFY(reads.load() > 0);
    QCOMPARE(log.recordedCount(), quint64(2 * PerWriter));
    QCOMPARE(log.inFlight("shared"), 0);
    // Both writers wrote the same start times, so the newest `Capacity` are the last Capacity/2 of each.
    const auto last = log.records();
    QCOMPARE(last.size(), size_t(Capacity));
    QSet<QByteArray> ids;
    for (const RequestTiming &t : last)
        ids.insert(t.requestId.view().toByteArray());
    for (int w = 0; w < 2; ++w) {
        for (int i = PerWriter - Capacity / 2; i < PerWriter; ++i)
            QVERIFY2(ids.contains(QByteArray::number(w) + '-' + QByteArray::number(i)), "a newest record is missing");
    }
}

void TstRequestLog::recordSerializesTimingsAndFlags()
{
    RequestTiming t = makeTiming(0, 42);
    t.stream = true;
    t.truncated = true;
    t.errorType.set(QByteArrayView("stream_truncated"));
    t.endUs = 123'456;
    const QJsonObject json = t.toJson();
    QCOMPARE(json.value(u"id").toString(), QStringLiteral("0-42"));
    QCOMPARE(json.value(u"key_name").toString(), QStringLiteral("Key 0"));
    QCOMPARE(json.value(u"stream").toBool(), true);
    QCOMPARE(json.value(u"truncated").toBool(), true);
    QCOMPARE(json.value(u"client_aborted").toBool(), false);
    QCOMPARE(json.value(u"endpoint").toString(), QStringLiteral("messages"));
    QCOMPARE(json.value(u"error_type").toString(), QStringLiteral("stream_truncated"));
    QCOMPARE(json.value(u"duration_ms").toDouble(), 123.4);
    QCOMPARE(json.value(u"timings_us").toObject().value(u"first_byte").toInteger(), 44);
    QCOMPARE(json.value(u"timings_us").toObject().value(u"limits").toInteger(), 0);
    QVERIFY(json.value(u"account_id").isString());
    t.accountId.set(QByteArrayView());
    QVERIFY(t.toJson().value(u"account_id").isNull());
}

QTEST_GUILESS_MAIN(TstRequestLog)
#include "tst_requestlog.moc"
