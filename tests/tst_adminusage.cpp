// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/admincontext.h"
#include "admin/adminrouter.h"
#include "admin/usagequery.h"
#include "admin/usageroutes.h"
#include "redis/client.h"
#include "usage/pricingservice.h"
#include "usage/timebuckets.h"
#include "usage/usagerecorder.h"

#include "redisserver.h"
#include "waitforcallback.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QTest>
#include <QTimeZone>
#include <QUrl>

#include <algorithm>
#include <memory>

using namespace Relay::Admin;
using Relay::Domain::DomainKeys;
using Relay::Domain::Result;
using Relay::Redis::Client;
using Relay::Redis::ConnectionOptions;
using Relay::Usage::PricingService;
using Relay::Usage::UsageMetric;
using Relay::Usage::UsageRecord;
using Relay::Usage::UsageRecorder;
using Relay::Usage::UsageRecorderOptions;

using namespace Qt::StringLiterals;

namespace {

qint64 utcMs(int y, int mo, int d, int h, int mi)
{
    return QDateTime(QDate(y, mo, d), QTime(h, mi), QTimeZone::utc()).toMSecsSinceEpoch();
}

// 10:30 on 2025-03-10 in Shanghai (+08:00), the "now" of the query tests.
const qint64 NowMs = utcMs(2025, 3, 10, 2, 30);

// One record as the recorder counts it, with what the test expects of it.
struct Written
{
    UsageRecord record;
    UsageCounters counters;
    QByteArray day;  // Shanghai
    QByteArray hour; // Shanghai
};

UsageRecord makeRecord(const QByteArray &key, const QByteArray &account, const QByteArray &model, qint64 endMs,
                       qint64 seed)
{
    UsageRecord record;
    record.keyId = key;
    record.accountId = account;
    record.requestModel = model;
    record.usage.model = model;
    record.usage.inputTokens = 1000 * seed + 17;
    record.usage.outputTokens = 300 + seed;
    record.usage.cacheCreation5mTokens = seed % 2 ? 2000 : 0;
    record.usage.cacheCreation1hTokens = seed % 3 ? 0 : 700;
    record.usage.cacheReadTokens = 5000 * (seed % 4);
    record.endMs = endMs;
    record.status = seed % 5 == 0 ? 500 : 200;
    record.streamed = seed % 2 == 0;
    return record;
}

using Ranking = QList<QPair<QByteArray, qint64>>;

Ranking ranked(const QMap<QByteArray, qint64> &sums)
{
    Ranking out;
    for (auto it = sums.constBegin(); it != sums.constEnd(); ++it)
        out.append({it.key(), it.value()});
    std::stable_sort(out.begin(), out.end(), [](const auto &a, const auto &b) { return a.second > b.second; });
    return out;
}

} // namespace

class TestAdminUsage : public QObject
{
    Q_OBJECT

private:
    RedisServer m_server;
    std::unique_ptr<Client> m_client;
    std::unique_ptr<PricingService> m_pricing;
    DomainKeys m_keys;
    QTimeZone m_zone{"Asia/Shanghai"};
    QList<Written> m_written;

    // Writes the records through the real recorder (Shanghai days and hours) and remembers what each adds.
    // `remember`: false for the records of the real clock, which the fixed-time expectations leave out.
    void record(const QList<UsageRecord> &records, bool remember = true)
    {
        UsageRecorderOptions options;
        options.timeZone = m_zone;
        UsageRecorder recorder(m_client.get(), m_keys.keySpace(), m_pricing->accessor(), options);
        const auto table = m_pricing->current();
        for (const UsageRecord &record : records) {
            const auto cost = table->cost(record.model(), record.usage);
            Written written{record, {}, {}, {}};
            const qint64 deltas[] = {1,
                                     record.usage.inputTokens,
                                     record.usage.outputTokens,
                                     record.usage.cacheCreation5mTokens,
                                     record.usage.cacheCreation1hTokens,
                                     record.usage.cacheReadTokens,
                                     cost.known ? cost.nanos : 0,
                                     cost.known ? 0 : 1,
                                     record.streamed ? 1 : 0,
                                     record.status == 200 ? 0 : 1};
            std::copy(std::begin(deltas), std::end(deltas), written.counters.values.begin());
            const QDateTime local = QDateTime::fromMSecsSinceEpoch(record.endMs, m_zone);
            written.day = local.toString(u"yyyy-MM-dd"_s).toLatin1();
            written.hour = local.toString(u"yyyy-MM-dd'T'HH"_s).toLatin1();
            if (remember)
                m_written << written;
            recorder.record(record);
        }
        QTRY_COMPARE_WITH_TIMEOUT(recorder.backlog(), qint64(0), 10000);
        QCOMPARE(recorder.statistics()->rejected.load(), quint64(0));
    }

    template <typename Filter>
    UsageCounters expected(Filter filter) const
    {
        UsageCounters sum;
        for (const Written &written : m_written) {
            if (filter(written))
                sum += written.counters;
        }
        return sum;
    }

    // Sums per key / account id / model over the days from `firstDay` on.
    QMap<QByteArray, qint64> sums(UsageTopDimension dimension, UsageMetric metric, const QByteArray &firstDay) const
    {
        QMap<QByteArray, qint64> out;
        for (const Written &written : m_written) {
            if (written.day < firstDay)
                continue;
            const QByteArray id = dimension == UsageTopDimension::Keys       ? written.record.keyId
                                  : dimension == UsageTopDimension::Accounts ? written.record.accountId
                                                                             : written.record.model();
            if (!id.isEmpty())
                out[id] += written.counters.metric(metric);
        }
        return out;
    }

    UsageQuery query() const { return UsageQuery(m_client.get(), m_keys, m_zone); }

    Result<UsageSummary> summary(UsageScope scope, const QByteArray &id)
    {
        const UsageQuery q = query();
        auto result = waitForCallback<Result<UsageSummary>>(
            [&](QObject *context, auto callback) { q.summary(scope, id, NowMs, context, callback); }, 5000);
        return result.value_or(Result<UsageSummary>::failure(Relay::Domain::Error::Kind::Redis, u"timeout"_s));
    }
    Result<UsageTrend> trend(UsageScope scope, const QByteArray &id, UsageGranularity granularity, int count)
    {
        const UsageQuery q = query();
        auto result = waitForCallback<Result<UsageTrend>>(
            [&](QObject *context, auto callback) { q.trend(scope, id, granularity, count, NowMs, context, callback); },
            5000);
        return result.value_or(Result<UsageTrend>::failure(Relay::Domain::Error::Kind::Redis, u"timeout"_s));
    }
    Result<UsageTop> top(UsageTopQuery topQuery)
    {
        const UsageQuery q = query();
        auto result = waitForCallback<Result<UsageTop>>(
            [&](QObject *context, auto callback) { q.top(topQuery, NowMs, context, callback); }, 5000);
        return result.value_or(Result<UsageTop>::failure(Relay::Domain::Error::Kind::Redis, u"timeout"_s));
    }

    // A GET through a router holding only the usage routes, as the admin API would dispatch it.
    AdminResult get(const AdminRouter &router, const QString &target)
    {
        const QUrl url(target);
        AdminRequest request;
        request.method = "GET";
        request.path = url.path().toUtf8();
        request.query = QUrlQuery(url);
        request.user = u"admin"_s;
        const AdminRouter::Route *route = nullptr;
        if (router.match(request.method, request.path, &route, &request.params) != AdminRouter::Match::Found)
            return AdminResult::failure(AdminError::notFound(u"no route"_s));
        auto result =
            waitForCallback<AdminResult>([&](QObject *, auto callback) { route->handler(request, callback); }, 5000);
        return result.value_or(AdminResult::failure(AdminError::internal(u"no answer"_s)));
    }

    AdminContext context()
    {
        AdminContext context;
        context.redis = m_client.get();
        context.keys = m_keys;
        context.timeZone = m_zone;
        return context;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_zone.isValid());
        QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
        m_client = std::make_unique<Client>(*ConnectionOptions::fromUrl(m_server.url()));
        QTRY_VERIFY(m_client->isConnected());
        m_pricing = std::make_unique<PricingService>();

        for (const auto &[id, name] : {std::pair{"key-a", "Alpha"}, {"key-b", "Beta"}, {"key-d", "Delta"}})
            QVERIFY(!m_server.command({"HSET", m_keys.keyRecord(id), "id", id, "name", name}).isError());
        for (const auto &[id, name] : {std::pair{"acct-1", "Primary"}, {"acct-2", "Backup"}})
            QVERIFY(!m_server.command({"HSET", m_keys.accountRecord(id), "id", id, "name", name}).isError());

        const QByteArray sonnet = "claude-sonnet-4-5", haiku = "claude-haiku-4-5", opus = "claude-opus-4-1";
        QList<UsageRecord> records{
            makeRecord("key-a", "acct-1", sonnet, utcMs(2025, 3, 10, 2, 10), 1), // 10:10 today
            makeRecord("key-a", "acct-2", opus, utcMs(2025, 3, 10, 2, 20), 40),  // 10:20 today, costly
            makeRecord("key-a", "acct-1", haiku, utcMs(2025, 3, 9, 16, 30), 2),  // 00:30 today (yesterday in UTC)
            makeRecord("key-b", "acct-2", sonnet, utcMs(2025, 3, 9, 15, 30), 3), // 23:30 yesterday
            makeRecord("key-a", {}, sonnet, utcMs(2025, 3, 10, 1, 0), 4),        // 09:00 today, no account
            makeRecord("key-c", "acct-2", sonnet, utcMs(2025, 3, 5, 1, 0), 5),   // 5 days ago; key-c has no record
            makeRecord("key-a", "acct-2", opus, utcMs(2025, 2, 28, 4, 0), 6),    // 10 days ago
            makeRecord("key-b", "acct-1", haiku, utcMs(2025, 2, 3, 4, 0), 7),    // 35 days ago: lifetime only
            makeRecord("key-d", "acct-1", "claude-mock-model", utcMs(2025, 3, 10, 0, 5), 8), // unpriced
        };
        // key-b: many cheap requests 3 days ago (it leads by requests, key-a by cost).
        for (int i = 0; i < 6; ++i)
            records << makeRecord("key-b", "acct-1", haiku, utcMs(2025, 3, 7, 5, i), 10 + i);
        record(records);

        // The routes read the real clock: records of minutes and days ago are within their windows whatever the
        // date is now.
        QVERIFY(!m_server.command({"HSET", m_keys.keyRecord("key-now"), "id", "key-now", "name", "Now"}).isError());
        QVERIFY(
            !m_server.command({"HSET", m_keys.accountRecord("acct-now"), "id", "acct-now", "name", "Now"}).isError());
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        record({makeRecord("key-now", "acct-now", sonnet, now - 60000, 1),
                makeRecord("key-now", "acct-now", haiku, now - 120000, 2),
                makeRecord("key-now", {}, haiku, now - 3 * 86400000LL, 3)},
               false);
    }

    void summarisesTodayWeekMonthAndLifetimeInTheRelayZone()
    {
        const auto since = [](const QByteArray &firstDay) {
            return [firstDay](const Written &w) { return w.day >= firstDay; };
        };
        const Result<UsageSummary> relay = summary(UsageScope::Relay, {});
        QVERIFY2(relay.ok(), qPrintable(relay.error.message));
        QCOMPARE(relay.value.date, QByteArray("2025-03-10"));
        QCOMPARE(relay.value.today.values, expected(since("2025-03-10")).values);
        QCOMPARE(relay.value.last7Days.values, expected(since("2025-03-04")).values);
        QCOMPARE(relay.value.last30Days.values, expected(since("2025-02-09")).values);
        // Shanghai's today holds the 16:30Z record of the UTC 9th and not the 15:30Z one.
        QCOMPARE(relay.value.today.requests(), qint64(5));
        QVERIFY(relay.value.today.values[7] == 1); // cost_unknown of the unpriced model

        const Result<UsageSummary> key = summary(UsageScope::Key, "key-b");
        QVERIFY(key.ok());
        QVERIFY(key.value.exists);
        QCOMPARE(key.value.name, u"Beta"_s);
        const auto ofKey = [](const QByteArray &id, const QByteArray &firstDay) {
            return [id, firstDay](const Written &w) { return w.record.keyId == id && w.day >= firstDay; };
        };
        QCOMPARE(key.value.today.requests(), qint64(0));
        QCOMPARE(key.value.last7Days.values, expected(ofKey("key-b", "2025-03-04")).values);
        QCOMPARE(key.value.last7Days.requests(), qint64(7));
        QCOMPARE(key.value.last30Days.values, expected(ofKey("key-b", "2025-02-09")).values);
        QCOMPARE(key.value.lifetime.values, expected(ofKey("key-b", "0000")).values);
        QCOMPARE(key.value.lifetime.requests(), qint64(8));

        const Result<UsageSummary> account = summary(UsageScope::Account, "acct-2");
        QVERIFY(account.ok());
        QCOMPARE(account.value.name, u"Backup"_s);
        QCOMPARE(account.value.last30Days.values,
                 expected([](const Written &w) { return w.record.accountId == "acct-2"; }).values);

        // A key without a record (deleted) still has its usage; the summary says it is gone.
        const Result<UsageSummary> gone = summary(UsageScope::Key, "key-c");
        QVERIFY(gone.ok());
        QVERIFY(!gone.value.exists);
        QCOMPARE(gone.value.last7Days.requests(), qint64(1));
    }

    void hourTrendUsesLocalHoursOldestFirst()
    {
        const Result<UsageTrend> result = trend(UsageScope::Relay, {}, UsageGranularity::Hour, 24);
        QVERIFY2(result.ok(), qPrintable(result.error.message));
        const QList<UsagePoint> &points = result.value.points;
        QCOMPARE(points.size(), 24);
        QCOMPARE(points.first().bucket, QByteArray("2025-03-09T11"));
        QCOMPARE(points.last().bucket, QByteArray("2025-03-10T10"));
        QMap<QByteArray, qint64> requests;
        for (const UsagePoint &point : points) {
            requests[point.bucket] = point.counters.requests();
            QVERIFY(point.models.isEmpty());
        }
        QCOMPARE(requests.value("2025-03-09T23"), qint64(1));
        QCOMPARE(requests.value("2025-03-10T00"), qint64(1));
        QCOMPARE(requests.value("2025-03-10T08"), qint64(1)); // 00:05Z, the unpriced one
        QCOMPARE(requests.value("2025-03-10T09"), qint64(1));
        QCOMPARE(requests.value("2025-03-10T10"), qint64(2));
        qint64 total = 0;
        for (const qint64 value : requests)
            total += value;
        QCOMPARE(total, qint64(6));
        // Local midnight in Shanghai is 16:00Z.
        const auto midnight =
            std::find_if(points.begin(), points.end(), [](const UsagePoint &p) { return p.bucket == "2025-03-10T00"; });
        QCOMPARE(midnight->startMs, utcMs(2025, 3, 9, 16, 0));
        QCOMPARE(midnight->counters.values,
                 expected([](const Written &w) { return w.hour == "2025-03-10T00"; }).values);

        // Per key.
        const Result<UsageTrend> key = trend(UsageScope::Key, "key-a", UsageGranularity::Hour, 3);
        QVERIFY(key.ok());
        QCOMPARE(key.value.points.size(), 3);
        QCOMPARE(key.value.points.at(1).bucket, QByteArray("2025-03-10T09"));
        QCOMPARE(key.value.points.at(1).counters.requests(), qint64(1));
        QCOMPARE(key.value.points.at(2).counters.requests(), qint64(2));
        QCOMPARE(key.value.points.at(0).counters.requests(), qint64(0));
    }

    void dayTrendHasEveryCounterAndAPerModelBreakdown()
    {
        const Result<UsageTrend> result = trend(UsageScope::Account, "acct-1", UsageGranularity::Day, 40);
        QVERIFY2(result.ok(), qPrintable(result.error.message));
        const QList<UsagePoint> &points = result.value.points;
        QCOMPARE(points.size(), 40);
        QCOMPARE(points.last().bucket, QByteArray("2025-03-10"));
        QCOMPARE(points.first().bucket, QByteArray("2025-01-30"));
        QCOMPARE(points.last().startMs, utcMs(2025, 3, 9, 16, 0));
        for (const UsagePoint &point : points) {
            const QByteArray day = point.bucket;
            QCOMPARE(point.counters.values, expected([day](const Written &w) {
                                                return w.record.accountId == "acct-1" && w.day == day;
                                            }).values);
            for (const auto &[model, counters] : point.models) {
                QCOMPARE(counters.values, expected([day, model](const Written &w) {
                                              return w.record.accountId == "acct-1" && w.day == day &&
                                                     Relay::Usage::UsageRecorder::modelField(w.record.model()) == model;
                                          }).values);
            }
        }
        // Today: sonnet and haiku of key-a and the unpriced model of key-d, ranked by cost.
        QCOMPARE(points.last().models.size(), 3);
        QCOMPARE(points.last().models.last().first, QByteArray("claude-mock-model"));
        QVERIFY(points.last().models.at(0).second.costNanos() >= points.last().models.at(1).second.costNanos());
        const auto threeDaysAgo = points.at(points.size() - 4);
        QCOMPARE(threeDaysAgo.bucket, QByteArray("2025-03-07"));
        QCOMPARE(threeDaysAgo.models.size(), 1);
        QCOMPARE(threeDaysAgo.models.first().first, QByteArray("claude-haiku-4-5"));
        QCOMPARE(threeDaysAgo.counters.requests(), qint64(6));
        // 35 days ago is within the 40 the day hashes keep.
        QCOMPARE(points.at(points.size() - 36).counters.requests(), qint64(1));
    }

    void topListsRankByTheMetricWithNames_data()
    {
        QTest::addColumn<int>("dimension");
        QTest::addColumn<int>("metric");
        QTest::addColumn<int>("days");
        for (const int dimension : {0, 1, 2}) {
            for (const int metric : {0, 1, 2}) {
                for (const int days : {1, 7, 30}) {
                    QTest::addRow("%s-%s-%d",
                                  dimension == 0   ? "api_keys"
                                  : dimension == 1 ? "accounts"
                                                   : "models",
                                  metric == 0   ? "cost"
                                  : metric == 1 ? "requests"
                                                : "tokens",
                                  days)
                        << dimension << metric << days;
                }
            }
        }
    }
    void topListsRankByTheMetricWithNames()
    {
        QFETCH(int, dimension);
        QFETCH(int, metric);
        QFETCH(int, days);
        UsageTopQuery topQuery;
        topQuery.dimension = UsageTopDimension(dimension);
        topQuery.metric = UsageMetric(metric);
        topQuery.days = days;
        const Result<UsageTop> result = top(topQuery);
        QVERIFY2(result.ok(), qPrintable(result.error.message));
        const QByteArray firstDay = QDate(2025, 3, 10).addDays(1 - days).toString(u"yyyy-MM-dd"_s).toLatin1();
        QCOMPARE(result.value.from, firstDay);
        QCOMPARE(result.value.to, QByteArray("2025-03-10"));
        const Ranking want = ranked(sums(topQuery.dimension, topQuery.metric, firstDay));
        QCOMPARE(result.value.total, qint64(want.size()));
        Ranking got;
        for (const UsageTopItem &item : result.value.items) {
            got.append({item.id, topQuery.dimension == UsageTopDimension::Models ? item.counters.metric(topQuery.metric)
                                 : topQuery.metric == UsageMetric::Cost          ? item.costNanos
                                 : topQuery.metric == UsageMetric::Requests      ? item.requests
                                                                                 : item.tokens});
        }
        // Equal scores may come in either order; the scores in rank order and the members must match.
        QCOMPARE(got.size(), want.size());
        for (qsizetype i = 0; i < got.size(); ++i) {
            QCOMPARE(got.at(i).second, want.at(i).second);
            QVERIFY(want.contains(got.at(i)));
        }
        // All three sums for keys and accounts, whatever the ranking metric.
        if (topQuery.dimension != UsageTopDimension::Models) {
            for (const UsageTopItem &item : result.value.items) {
                QCOMPARE(item.costNanos, sums(topQuery.dimension, UsageMetric::Cost, firstDay).value(item.id));
                QCOMPARE(item.requests, sums(topQuery.dimension, UsageMetric::Requests, firstDay).value(item.id));
                QCOMPARE(item.tokens, sums(topQuery.dimension, UsageMetric::Tokens, firstDay).value(item.id));
            }
        }
    }

    void topListsNameOwnersFlagDeletedOnesAndPage()
    {
        UsageTopQuery byCost;
        byCost.days = 7;
        const Result<UsageTop> keys = top(byCost);
        QVERIFY(keys.ok());
        QMap<QByteArray, QPair<QString, bool>> names;
        for (const UsageTopItem &item : keys.value.items)
            names.insert(item.id, {item.name, item.deleted});
        QCOMPARE(names.value("key-a"), qMakePair(u"Alpha"_s, false));
        QCOMPARE(names.value("key-b"), qMakePair(u"Beta"_s, false));
        QCOMPARE(names.value("key-c"), qMakePair(QString(), true));
        QCOMPARE(keys.value.items.first().id, QByteArray("key-a")); // opus and sonnet beat six haiku requests

        UsageTopQuery byRequests = byCost;
        byRequests.metric = UsageMetric::Requests;
        const Result<UsageTop> busiest = top(byRequests);
        QVERIFY(busiest.ok());
        QCOMPARE(busiest.value.items.first().id, QByteArray("key-b")); // the ranking follows the metric

        UsageTopQuery accounts = byCost;
        accounts.dimension = UsageTopDimension::Accounts;
        const Result<UsageTop> byAccount = top(accounts);
        QVERIFY(byAccount.ok());
        for (const UsageTopItem &item : byAccount.value.items)
            QCOMPARE(item.name, item.id == "acct-1" ? u"Primary"_s : u"Backup"_s);

        // Pages: offset and limit over the same ranking, total unchanged.
        byCost.limit = 2;
        const Result<UsageTop> first = top(byCost);
        byCost.offset = 2;
        const Result<UsageTop> second = top(byCost);
        QVERIFY(first.ok() && second.ok());
        QCOMPARE(first.value.total, keys.value.total);
        QCOMPARE(second.value.total, keys.value.total);
        QCOMPARE(first.value.items.size(), 2);
        QCOMPARE(first.value.items.at(0).id, keys.value.items.at(0).id);
        QCOMPARE(first.value.items.at(1).id, keys.value.items.at(1).id);
        QCOMPARE(second.value.items.size(), qsizetype(keys.value.total - 2));
        QCOMPARE(second.value.items.at(0).id, keys.value.items.at(2).id);
        byCost.offset = 100;
        QCOMPARE(top(byCost).value.items.size(), 0);

        // The scratch ZSET of the top script never outlives the call.
        QCOMPARE(m_server.command({"EXISTS", m_keys.keySpace().global("usage:top_scratch")}).toInteger(), qint64(0));
    }

    void indexesHaveTheDayTtlAndTheSharedLastUsedName()
    {
        for (const QByteArray &day : {QByteArray("2025-03-10"), QByteArray("2025-02-03")}) {
            for (const auto dimension : {Relay::Usage::UsageDimension::Key, Relay::Usage::UsageDimension::Account}) {
                for (const UsageMetric metric : {UsageMetric::Cost, UsageMetric::Requests, UsageMetric::Tokens}) {
                    const QByteArray index = m_keys.usageDayTopIndex(day, dimension, metric);
                    QVERIFY2(index.startsWith("rd:usage:d:" + day + ":top:"), index.constData());
                    const qint64 ttl = m_server.command({"TTL", index}).toInteger();
                    QVERIFY2(ttl > UsageRecorder::DayTtlSeconds - 120 && ttl <= UsageRecorder::DayTtlSeconds,
                             index.constData());
                }
            }
        }
        // The recorder writes the index the key list reads, under the one name both use.
        QCOMPARE(Relay::Usage::UsageIndex::keyLastUsed(m_keys.keySpace()), m_keys.keyLastUsedIndex());
        QCOMPARE(m_keys.keyLastUsedIndex(), QByteArray("rd:key_last_used"));
        const QList<QByteArray> lastUsed =
            m_server.command({"ZRANGEBYSCORE", m_keys.keyLastUsedIndex(), "0", QByteArray::number(NowMs), "WITHSCORES"})
                .toList();
        QCOMPARE(lastUsed, (QList<QByteArray>{"key-b", QByteArray::number(utcMs(2025, 3, 9, 15, 30)), "key-d",
                                              QByteArray::number(utcMs(2025, 3, 10, 0, 5)), "key-a",
                                              QByteArray::number(utcMs(2025, 3, 10, 2, 20))}));
    }

    void lastHoursFollowDstChanges()
    {
        const UsageQuery newYork(nullptr, m_keys, QTimeZone("America/New_York"));
        // Spring forward on 2025-03-09: 01:59 EST is followed by 03:00 EDT, so there is no 02 bucket.
        QCOMPARE(
            newYork.lastHours(utcMs(2025, 3, 9, 8, 30), 5),
            (QList<QByteArray>{"2025-03-08T23", "2025-03-09T00", "2025-03-09T01", "2025-03-09T03", "2025-03-09T04"}));
        // Fall back on 2025-11-02: the two 01 hours are one bucket.
        QCOMPARE(newYork.lastHours(utcMs(2025, 11, 2, 7, 30), 4),
                 (QList<QByteArray>{"2025-11-01T23", "2025-11-02T00", "2025-11-02T01", "2025-11-02T02"}));
        const UsageQuery lordHowe(nullptr, m_keys, QTimeZone("Australia/Lord_Howe")); // 30-minute DST shift
        const QList<QByteArray> hours = lordHowe.lastHours(utcMs(2025, 4, 5, 18, 0), 48);
        QCOMPARE(hours.size(), 48);
        for (qsizetype i = 1; i < hours.size(); ++i)
            QVERIFY(hours.at(i - 1) < hours.at(i));
        QCOMPARE(newYork.lastDays(utcMs(2025, 3, 1, 4, 0), 3),
                 (QList<QByteArray>{"2025-02-26", "2025-02-27", "2025-02-28"})); // 23:00 EST on the 28th
    }

    void routesAnswerSummaryTrendAndTop()
    {
        AdminRouter router;
        QObject owner;
        registerUsageRoutes(router, context(), &owner);

        const AdminResult summary = get(router, u"/admin/usage/summary"_s);
        QVERIFY2(summary.ok(), summary.toJson().constData());
        const QJsonObject body = summary.body.toObject();
        QCOMPARE(body.value(u"scope"_s).toString(), u"relay"_s);
        QCOMPARE(body.value(u"time_zone"_s).toString(), u"Asia/Shanghai"_s);
        for (const QString &period : {u"today"_s, u"last_7_days"_s, u"last_30_days"_s}) {
            const QJsonObject counters = body.value(period).toObject();
            for (const char *field : Relay::Usage::UsageScript::Fields)
                QVERIFY2(counters.contains(QLatin1StringView(field)), field);
            QVERIFY(counters.contains(u"cost_usd"_s) && counters.contains(u"tokens"_s));
        }
        QVERIFY(!body.contains(u"lifetime"_s));

        const AdminResult keySummary = get(router, u"/admin/usage/summary?scope=key&id=key-c"_s);
        QVERIFY(keySummary.ok());
        QCOMPARE(keySummary.body[u"deleted"_s].toBool(), true);
        QCOMPARE(keySummary.body[u"lifetime"_s][u"requests"_s].toInteger(), qint64(1));

        const AdminResult hours = get(router, u"/admin/usage/trend?granularity=hour&count=5&scope=account&id=acct-1"_s);
        QVERIFY2(hours.ok(), hours.toJson().constData());
        QCOMPARE(hours.body[u"points"_s].toArray().size(), 5);
        QCOMPARE(hours.body[u"granularity"_s].toString(), u"hour"_s);
        QVERIFY(!hours.body[u"points"_s][0].toObject().contains(u"models"_s));

        const AdminResult days = get(router, u"/admin/usage/trend"_s);
        QVERIFY(days.ok());
        QCOMPARE(days.body[u"points"_s].toArray().size(), 30);
        QVERIFY(days.body[u"points"_s][29].toObject().contains(u"models"_s));

        const AdminResult topModels =
            get(router, u"/admin/usage/top?dimension=models&days=30&metric=requests&limit=1"_s);
        QVERIFY2(topModels.ok(), topModels.toJson().constData());
        QCOMPARE(topModels.body[u"limit"_s].toInteger(), qint64(1));
        QCOMPARE(topModels.body[u"items"_s].toArray().size(), 1);
        QCOMPARE(topModels.body[u"items"_s][0][u"rank"_s].toInteger(), qint64(1));
        QCOMPARE(topModels.body[u"items"_s][0][u"model"_s].toString(), u"claude-haiku-4-5"_s);
        QCOMPARE(topModels.body[u"items"_s][0][u"requests"_s].toInteger(), qint64(2));
        QCOMPARE(topModels.body[u"total"_s].toInteger(), qint64(2));

        const AdminResult topKeys = get(router, u"/admin/usage/top?days=30&metric=tokens"_s);
        QVERIFY(topKeys.ok());
        QCOMPARE(topKeys.body[u"items"_s].toArray().size(), 1);
        const QJsonObject item = topKeys.body[u"items"_s][0].toObject();
        QCOMPARE(item.value(u"rank"_s).toInteger(), qint64(1));
        QCOMPARE(item.value(u"name"_s).toString(), u"Now"_s);
        QCOMPARE(item.value(u"requests"_s).toInteger(), qint64(3));
        for (const QString &field :
             {u"id"_s, u"name"_s, u"deleted"_s, u"requests"_s, u"tokens"_s, u"cost_nanos"_s, u"cost_usd"_s})
            QVERIFY2(item.contains(field), qPrintable(field));

        // Every route is documented for /admin/openapi.json.
        const QJsonObject paths = router.openApi(u"test"_s).value(u"paths"_s).toObject();
        for (const QString &path : {u"/admin/usage/summary"_s, u"/admin/usage/trend"_s, u"/admin/usage/top"_s,
                                    u"/admin/keys/{id}/usage"_s, u"/admin/accounts/{id}/usage"_s})
            QVERIFY2(paths.contains(path), qPrintable(path));
    }

    void routesRejectBadParametersFieldByField_data()
    {
        QTest::addColumn<QString>("target");
        QTest::addColumn<QStringList>("fields");
        QTest::newRow("scope") << u"/admin/usage/summary?scope=team"_s << QStringList{u"scope"_s};
        QTest::newRow("id missing") << u"/admin/usage/summary?scope=key"_s << QStringList{u"id"_s};
        QTest::newRow("id with relay") << u"/admin/usage/summary?id=key-a"_s << QStringList{u"id"_s};
        QTest::newRow("id malformed") << u"/admin/usage/trend?scope=account&id=a%7Bb"_s << QStringList{u"id"_s};
        QTest::newRow("granularity and count")
            << u"/admin/usage/trend?granularity=week&count=0"_s << QStringList{u"granularity"_s, u"count"_s};
        QTest::newRow("hours beyond 8 days")
            << u"/admin/usage/trend?granularity=hour&count=193"_s << QStringList{u"count"_s};
        QTest::newRow("days beyond 40") << u"/admin/usage/trend?count=41"_s << QStringList{u"count"_s};
        QTest::newRow("top everything") << u"/admin/usage/top?dimension=teams&metric=joy&days=31&limit=0&offset=-1"_s
                                        << QStringList{u"dimension"_s, u"metric"_s, u"days"_s, u"limit"_s, u"offset"_s};
        QTest::newRow("top days not a number") << u"/admin/usage/top?days=week"_s << QStringList{u"days"_s};
    }
    void routesRejectBadParametersFieldByField()
    {
        QFETCH(QString, target);
        QFETCH(QStringList, fields);
        AdminRouter router;
        QObject owner;
        registerUsageRoutes(router, context(), &owner);
        const AdminResult result = get(router, target);
        QCOMPARE(result.status, 422);
        QCOMPARE(result.error.code, u"validation_failed"_s);
        QStringList got = result.error.fields.keys();
        got.sort();
        fields.sort();
        QCOMPARE(got, fields);
    }

    void perIdRoutesAnswerOneKeyOrAccountAnd404ForUnknownOnes()
    {
        AdminRouter router;
        QObject owner;
        registerUsageRoutes(router, context(), &owner);
        const AdminResult key = get(router, u"/admin/keys/key-now/usage"_s);
        QVERIFY2(key.ok(), key.toJson().constData());
        QCOMPARE(key.body[u"id"_s].toString(), u"key-now"_s);
        QCOMPARE(key.body[u"name"_s].toString(), u"Now"_s);
        QCOMPARE(key.body[u"last_30_days"_s][u"requests"_s].toInteger(), qint64(3));
        QCOMPARE(key.body[u"lifetime"_s][u"requests"_s].toInteger(), qint64(3));
        const QJsonArray daily = key.body[u"daily"_s].toArray();
        QCOMPARE(daily.size(), 30);
        qint64 requests = 0;
        for (const QJsonValue &point : daily)
            requests += point[u"requests"_s].toInteger();
        QCOMPARE(requests, qint64(3));

        const AdminResult account = get(router, u"/admin/accounts/acct-now/usage"_s);
        QVERIFY(account.ok());
        QCOMPARE(account.body[u"scope"_s].toString(), u"account"_s);
        QCOMPARE(account.body[u"last_30_days"_s][u"requests"_s].toInteger(), qint64(2));

        for (const QString &target :
             {u"/admin/keys/no-such-key/usage"_s, u"/admin/accounts/no-such/usage"_s,
              u"/admin/keys/key-c/usage"_s /* usage left, record deleted */, u"/admin/keys/bad%7Bid/usage"_s}) {
            const AdminResult missing = get(router, target);
            QCOMPARE(missing.status, 404);
            QCOMPARE(missing.error.code, u"not_found"_s);
        }
    }

    void answers503WhenRedisDoesNotAnswer()
    {
        ConnectionOptions options = *ConnectionOptions::fromUrl(m_server.url());
        options.commandTimeoutMs = 300;
        Client client(options);
        QTRY_VERIFY(client.isConnected());
        AdminContext slow = context();
        slow.redis = &client;
        AdminRouter router;
        QObject owner;
        registerUsageRoutes(router, slow, &owner);
        m_server.pause();
        const AdminResult summary = get(router, u"/admin/usage/summary"_s);
        const AdminResult top = get(router, u"/admin/usage/top"_s);
        m_server.resume();
        QCOMPARE(summary.status, 503);
        QCOMPARE(summary.error.code, u"unavailable"_s);
        QCOMPARE(top.status, 503);
    }
};

QTEST_GUILESS_MAIN(TestAdminUsage)
#include "tst_adminusage.moc"
