// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/writebatch.h"

#include <QTest>
#include <QThread>

#include <memory>

using Relay::Http::BatchedWriter;
using Relay::Http::WriteBatch;

namespace {

// Counts its flushes; optionally deletes another writer from inside its flush, as a connection's flush may close
// another connection.
class CountingWriter : public BatchedWriter
{
public:
    int flushes = 0;
    std::unique_ptr<CountingWriter> *victim = nullptr;
    void flushBatched() override
    {
        ++flushes;
        if (victim)
            victim->reset();
    }
};

} // namespace

class TstWriteBatch : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void withoutABatchTheWriterFlushesItself()
    {
        CountingWriter w;
        QVERIFY(!WriteBatch::defer(&w));
        QCOMPARE(w.flushes, 0);
    }

    void theOutermostBatchFlushesEachWriterOnce()
    {
        CountingWriter a, b;
        {
            const WriteBatch outer;
            QVERIFY(WriteBatch::defer(&a));
            {
                const WriteBatch inner;
                QVERIFY(WriteBatch::defer(&a));
                QVERIFY(WriteBatch::defer(&b));
            }
            QCOMPARE(a.flushes, 0); // the inner batch's end is not the end
            QVERIFY(WriteBatch::defer(&a));
        }
        QCOMPARE(a.flushes, 1);
        QCOMPARE(b.flushes, 1);
        // The batch is over: the next write flushes by itself again, and a new batch starts from nothing.
        QVERIFY(!WriteBatch::defer(&a));
        {
            const WriteBatch again;
            QVERIFY(WriteBatch::defer(&b));
        }
        QCOMPARE(a.flushes, 1);
        QCOMPARE(b.flushes, 2);
    }

    void aWriterGoneBeforeTheEndIsNotFlushed()
    {
        CountingWriter kept;
        auto gone = std::make_unique<CountingWriter>();
        auto closedByAFlush = std::make_unique<CountingWriter>();
        CountingWriter closer;
        closer.victim = &closedByAFlush;
        {
            const WriteBatch batch;
            QVERIFY(WriteBatch::defer(gone.get()));
            QVERIFY(WriteBatch::defer(&kept));
            QVERIFY(WriteBatch::defer(closedByAFlush.get())); // queued before the closer, so flushed after it
            QVERIFY(WriteBatch::defer(&closer));
            gone.reset();
        }
        QCOMPARE(kept.flushes, 1);
        QCOMPARE(closer.flushes, 1);
        QVERIFY(!closedByAFlush);
    }

    void batchesArePerThread()
    {
        CountingWriter w;
        bool deferredElsewhere = true;
        const WriteBatch batch;
        std::unique_ptr<QThread> other(QThread::create([&] { deferredElsewhere = WriteBatch::defer(&w); }));
        other->start();
        QVERIFY(other->wait(5000));
        QVERIFY(!deferredElsewhere);
    }
};

QTEST_GUILESS_MAIN(TstWriteBatch)
#include "tst_writebatch.moc"
