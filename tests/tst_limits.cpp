// SPDX-License-Identifier: GPL-3.0-or-later
#include "limits/limitchecker.h"
#include "limits/limitperiods.h"
#include "limits/limitpolicy.h"
#include "limits/refusalresponse.h"
#include "redis/client.h"

#include "redisserver.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>
#include <optional>

using Relay::Limits::Actual;
using Relay::Limits::CheckResult;
using Relay::Limits::Estimate;
using Relay::Limits::LimitChecker;
using Relay::Limits::LimitKind;
using Relay::Limits::LimitPeriods;
using Relay::Limits::LimitPolicy;
using Relay::Limits::RefusalInfo;
using Relay::Limits::RefusalResponse;
using Relay::Redis::Client;
using Relay::Redis::ConnectionOptions;

namespace {

qint64 at(int y, int mo, int d, int h, int mi, const char *zone)
{
    return QDateTime(QDate(y, mo, d), QTime(h, mi), QTimeZone(QByteArray(zone))).toMSecsSinceEpoch();
}

constexpr qint64 Hour = 3600000;

// Issues `count` checks at once from its own thread and its own Redis connection.
class CheckWorker : public QObject
{
public:
    std::atomic<int> granted{0};
    std::atomic<int> answered{0};
    std::atomic<int> errors{0};

    void start(const QString &url, LimitPolicy policy, Estimate estimate, int count, qint64 nowMs)
    {
        m_client = new Client(*ConnectionOptions::fromUrl(url), this);
        m_checker = std::make_unique<LimitChecker>(m_client);
        for (int i = 0; i < count; ++i) {
            m_checker->checkAndReserve("shared", policy, "opus", estimate, nowMs, this, [this](const CheckResult &r) {
                if (!r.ok())
                    ++errors;
                if (r.allowed)
                    ++granted;
                ++answered;
            });
        }
    }

private:
    Client *m_client = nullptr;
    std::unique_ptr<LimitChecker> m_checker;
};

} // namespace

class TestLimits : public QObject
{
    Q_OBJECT

private:
    RedisServer m_server;
    std::unique_ptr<Client> m_client;
    std::unique_ptr<LimitChecker> m_checker;

    CheckResult check(const QByteArray &keyId, const LimitPolicy &policy, const Estimate &estimate, qint64 nowMs,
                      const QByteArray &family = {})
    {
        std::optional<CheckResult> out;
        m_checker->checkAndReserve(keyId, policy, family, estimate, nowMs, this,
                                   [&](const CheckResult &r) { out = r; });
        if (!QTest::qWaitFor([&] { return out.has_value(); }, 5000))
            return CheckResult{QStringLiteral("no answer within 5 s"), false, {}, {}};
        return *out;
    }
    qint64 hget(const QByteArray &key, const QByteArray &field)
    {
        return m_server.command({"HGET", key, field}).toInteger();
    }
    // Waits until the fire-and-forget reconcile has run (a PING on the same connection answers after it).
    void drain()
    {
        bool done = false;
        m_client->ping(this, [&](const Relay::Redis::Error &, qint64) { done = true; });
        QTRY_VERIFY(done);
    }
    static LimitPolicy zoned(const char *zone)
    {
        LimitPolicy policy;
        policy.timeZone = QTimeZone(QByteArray(zone));
        return policy;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_server.start(), qPrintable(m_server.errorString()));
        m_client = std::make_unique<Client>(*ConnectionOptions::fromUrl(m_server.url()));
        QTRY_VERIFY(m_client->isConnected());
        m_checker = std::make_unique<LimitChecker>(m_client.get());
    }

    void init() { QVERIFY(!m_server.command({"FLUSHALL"}).isError()); }

    void windowRequestsAreRefusedAtTheLimitUntilTheWindowEnds()
    {
        LimitPolicy policy;
        policy.windowMinutes = 10;
        policy.windowRequests = 3;
        const qint64 t0 = at(2025, 3, 4, 10, 0, "UTC");
        for (int i = 0; i < 3; ++i) { // below the edge, up to it
            const CheckResult r = check("k", policy, {}, t0 + i * 1000);
            QVERIFY2(r.ok(), qPrintable(r.error));
            QVERIFY(r.allowed);
            QCOMPARE(r.reservation.windowStartMs, t0);
        }
        const CheckResult refused = check("k", policy, {}, t0 + 599999); // above it
        QVERIFY(refused.ok());
        QVERIFY(!refused.allowed);
        QCOMPARE(refused.refusal.kind, LimitKind::WindowRequests);
        QCOMPARE(refused.refusal.current, qint64(3));
        QCOMPARE(refused.refusal.limit, qint64(3));
        QCOMPARE(refused.refusal.resetMs, t0 + 600000); // exact: the fixed window started at the first request
        QCOMPARE(refused.refusal.secondsUntilReset(), qint64(1));
        QCOMPARE(hget(m_checker->windowKey("k"), "requests"), qint64(3)); // a refusal reserves nothing

        const CheckResult next = check("k", policy, {}, t0 + 600000); // the reset moment opens a new window
        QVERIFY(next.allowed);
        QCOMPARE(next.reservation.windowStartMs, t0 + 600000);
        QCOMPARE(hget(m_checker->windowKey("k"), "requests"), qint64(1));
        QCOMPARE(hget(m_checker->windowKey("k"), "start"), t0 + 600000);
    }

    void windowTokensAndCostOvershootByAtMostOneReservation()
    {
        LimitPolicy policy;
        policy.windowMinutes = 1;
        policy.windowTokens = 1000;
        const qint64 t0 = at(2025, 3, 4, 10, 0, "UTC");
        const Estimate estimate{1, 400, 0};
        QVERIFY(check("k", policy, estimate, t0).allowed); // 0 -> 400
        QVERIFY(check("k", policy, estimate, t0).allowed); // 400 -> 800
        QVERIFY(check("k", policy, estimate, t0).allowed); // 800 < 1000 -> 1200
        const CheckResult refused = check("k", policy, estimate, t0);
        QVERIFY(!refused.allowed);
        QCOMPARE(refused.refusal.kind, LimitKind::WindowTokens);
        QCOMPARE(refused.refusal.current, qint64(1200));
        QVERIFY(refused.refusal.current < policy.windowTokens + estimate.tokens);

        LimitPolicy cost;
        cost.windowMinutes = 1;
        cost.windowCostNanos = 1000;
        QVERIFY(check("c", cost, {1, 0, 999}, t0).allowed);
        QVERIFY(check("c", cost, {1, 0, 1}, t0).allowed); // 999 < 1000: at the edge now
        const CheckResult costRefused = check("c", cost, {1, 0, 0}, t0);
        QVERIFY(!costRefused.allowed);
        QCOMPARE(costRefused.refusal.kind, LimitKind::WindowCost);
        QCOMPARE(costRefused.refusal.current, qint64(1000));
        QVERIFY(
            !m_server.command({"HEXISTS", m_checker->windowKey("c"), "tokens"}).toInteger()); // unlimited: not counted
    }

    void dailyCostFollowsTheLocalDayOfShanghai()
    {
        LimitPolicy policy = zoned("Asia/Shanghai");
        policy.dailyCostNanos = 1000;
        const qint64 late = at(2025, 3, 4, 23, 59, "Asia/Shanghai"); // 15:59 UTC
        QVERIFY(check("k", policy, {1, 0, 999}, late).allowed);
        QVERIFY(check("k", policy, {1, 0, 1}, late).allowed);
        QCOMPARE(hget(m_checker->dailyKey("k", "2025-03-04"), "cost_nanos"), qint64(1000));
        const CheckResult refused = check("k", policy, {1, 0, 1}, late + 59999);
        QVERIFY(!refused.allowed);
        QCOMPARE(refused.refusal.kind, LimitKind::DailyCost);
        QCOMPARE(refused.refusal.current, qint64(1000));
        QCOMPARE(refused.refusal.limit, qint64(1000));
        QCOMPARE(refused.refusal.resetMs, at(2025, 3, 4, 16, 0, "UTC")); // local midnight, not UTC midnight
        QCOMPARE(RefusalResponse::resetIso(refused.refusal), QByteArray("2025-03-05T00:00:00+08:00"));

        const CheckResult nextDay = check("k", policy, {1, 0, 5}, at(2025, 3, 5, 0, 0, "Asia/Shanghai"));
        QVERIFY(nextDay.allowed);
        QCOMPARE(hget(m_checker->dailyKey("k", "2025-03-05"), "cost_nanos"), qint64(5));
    }

    void totalCostNeverResetsAndNeverExpires()
    {
        LimitPolicy policy;
        policy.totalCostNanos = 500;
        const qint64 t = at(2025, 3, 4, 10, 0, "UTC");
        QVERIFY(check("k", policy, {1, 0, 499}, t).allowed);
        QVERIFY(check("k", policy, {1, 0, 499}, t).allowed);
        const CheckResult refused = check("k", policy, {1, 0, 1}, t + 400 * 86400000LL);
        QVERIFY(!refused.allowed);
        QCOMPARE(refused.refusal.kind, LimitKind::TotalCost);
        QCOMPARE(refused.refusal.current, qint64(998));
        QCOMPARE(refused.refusal.resetMs, qint64(0));
        QCOMPARE(m_server.command({"PTTL", m_checker->totalKey("k")}).toInteger(), qint64(-1));
    }

    void weeklyFamilyCostInLosAngelesAcrossDaylightSaving()
    {
        LimitPolicy policy = zoned("America/Los_Angeles");
        policy.weeklyFamilyCostNanos.insert("opus", 500);
        // Sunday 2025-03-09, the day clocks go forward; the ISO week 2025-W10 began Monday 03-03 in PST.
        const qint64 sunday = at(2025, 3, 9, 12, 0, "America/Los_Angeles");
        QVERIFY(check("k", policy, {1, 0, 500}, sunday, "opus").allowed);
        const CheckResult refused = check("k", policy, {1, 0, 1}, sunday, "opus");
        QVERIFY(!refused.allowed);
        QCOMPARE(refused.refusal.kind, LimitKind::WeeklyFamilyCost);
        QCOMPARE(refused.refusal.family, QByteArray("opus"));
        QCOMPARE(refused.refusal.resetMs, at(2025, 3, 10, 7, 0, "UTC")); // Monday 00:00 PDT (-07:00)
        QCOMPARE(RefusalResponse::resetIso(refused.refusal), QByteArray("2025-03-10T00:00:00-07:00"));
        QCOMPARE(hget(m_checker->weeklyKey("k", "2025-W10"), "cost_nanos:opus"), qint64(500));

        // Another family is not limited (and costs no round trip); Monday starts a new week.
        QVERIFY(check("k", policy, {1, 0, 1}, sunday, "sonnet").allowed);
        QVERIFY(check("k", policy, {1, 0, 1}, at(2025, 3, 10, 0, 0, "America/Los_Angeles"), "opus").allowed);
        QCOMPARE(hget(m_checker->weeklyKey("k", "2025-W11"), "cost_nanos:opus"), qint64(1));
    }

    void periodsFollowTheZoneAndIsoWeekYear()
    {
        const QTimeZone la("America/Los_Angeles");
        const LimitPeriods spring = LimitPeriods::at(at(2025, 3, 9, 12, 0, "America/Los_Angeles"), la);
        QCOMPARE(spring.day, QByteArray("2025-03-09"));
        QCOMPARE(spring.dayEndMs - spring.dayStartMs, 23 * Hour);
        QCOMPARE(spring.weekEndMs - at(2025, 3, 3, 0, 0, "America/Los_Angeles"), 167 * Hour);
        const LimitPeriods autumn = LimitPeriods::at(at(2025, 11, 2, 12, 0, "America/Los_Angeles"), la);
        QCOMPARE(autumn.dayEndMs - autumn.dayStartMs, 25 * Hour);
        QCOMPARE(autumn.week, QByteArray("2025-W44"));

        const QTimeZone shanghai("Asia/Shanghai");
        // 2024-12-30 is in 2025-W01; in Shanghai it already is at 2024-12-29T16:00Z, in UTC not yet.
        QCOMPARE(LimitPeriods::at(at(2024, 12, 29, 16, 0, "UTC"), shanghai).week, QByteArray("2025-W01"));
        QCOMPARE(LimitPeriods::at(at(2024, 12, 29, 16, 0, "UTC"), QTimeZone::utc()).week, QByteArray("2024-W52"));
        QCOMPARE(LimitPeriods::at(at(2027, 1, 1, 12, 0, "UTC"), QTimeZone::utc()).week, QByteArray("2026-W53"));
        // A zone whose midnight does not exist on its DST day (Santiago, 2024-09-08 00:00 -> 01:00).
        const QTimeZone santiago("America/Santiago");
        const LimitPeriods gap = LimitPeriods::at(at(2024, 9, 7, 12, 0, "America/Santiago"), santiago);
        QCOMPARE(gap.dayEndMs, at(2024, 9, 8, 4, 0, "UTC"));
    }

    void concurrentChecksNeverOvershootBeyondOneReservation()
    {
        // 50 checks in flight at once from 5 threads with 5 connections, on one key.
        LimitPolicy policy;
        policy.windowMinutes = 60;
        policy.windowRequests = 40;
        policy.dailyCostNanos = 1000;
        policy.weeklyFamilyCostNanos.insert("opus", 100000);
        const Estimate estimate{1, 0, 150};
        const qint64 nowMs = at(2025, 3, 4, 10, 0, "UTC");
        std::vector<std::unique_ptr<QThread>> threads;
        std::vector<CheckWorker *> workers;
        for (int t = 0; t < 5; ++t) {
            auto thread = std::make_unique<QThread>();
            auto *worker = new CheckWorker;
            worker->moveToThread(thread.get());
            connect(thread.get(), &QThread::finished, worker, &QObject::deleteLater);
            thread->start();
            const QString url = m_server.url();
            QMetaObject::invokeMethod(worker, [=] { worker->start(url, policy, estimate, 10, nowMs); });
            workers.push_back(worker);
            threads.push_back(std::move(thread));
        }
        auto sum = [&](std::atomic<int> CheckWorker::*field) {
            int total = 0;
            for (CheckWorker *w : workers)
                total += (w->*field).load();
            return total;
        };
        QTRY_COMPARE_WITH_TIMEOUT(sum(&CheckWorker::answered), 50, 10000);
        QCOMPARE(sum(&CheckWorker::errors), 0);
        // Admitted while the day's cost was below 1000: 0, 150, ..., 900 -> 7 requests, 1050 reserved.
        QCOMPARE(sum(&CheckWorker::granted), 7);
        const qint64 daily = hget(m_checker->dailyKey("shared", "2025-03-04"), "cost_nanos");
        QCOMPARE(daily, qint64(1050));
        QVERIFY(daily < policy.dailyCostNanos + estimate.costNanos);
        QCOMPARE(hget(m_checker->windowKey("shared"), "requests"), qint64(7));
        for (auto &thread : threads) {
            thread->quit();
            thread->wait();
        }

        // Requests alone never overshoot at all.
        LimitPolicy requests;
        requests.windowMinutes = 60;
        requests.windowRequests = 13;
        int granted = 0;
        int answered = 0;
        for (int i = 0; i < 50; ++i) {
            m_checker->checkAndReserve("req", requests, {}, {}, nowMs, this, [&](const CheckResult &r) {
                granted += r.allowed ? 1 : 0;
                ++answered;
            });
        }
        QTRY_COMPARE(answered, 50);
        QCOMPARE(granted, 13);
    }

    void reconcileAdjustsByActualMinusReserved()
    {
        LimitPolicy policy = zoned("Asia/Shanghai");
        policy.windowMinutes = 5;
        policy.windowTokens = 100000;
        policy.windowCostNanos = 100000;
        policy.dailyCostNanos = 100000;
        policy.totalCostNanos = 100000;
        policy.weeklyFamilyCostNanos.insert("opus", 100000);
        const qint64 t = at(2025, 3, 4, 10, 0, "Asia/Shanghai");
        const CheckResult r = check("k", policy, {1, 100, 1000}, t, "opus");
        QVERIFY(r.allowed);
        const QByteArray window = m_checker->windowKey("k");
        const QByteArray day = m_checker->dailyKey("k", "2025-03-04");
        const QByteArray week = m_checker->weeklyKey("k", "2025-W10");
        const QByteArray total = m_checker->totalKey("k");

        m_checker->reconcile(r.reservation, Actual{250, 4000}); // up
        drain();
        QCOMPARE(hget(window, "tokens"), qint64(250));
        QCOMPARE(hget(window, "cost_nanos"), qint64(4000));
        QCOMPARE(hget(day, "cost_nanos"), qint64(4000));
        QCOMPARE(hget(week, "cost_nanos:opus"), qint64(4000));
        QCOMPARE(hget(total, "cost_nanos"), qint64(4000));

        const CheckResult second = check("k", policy, {1, 100, 1000}, t + 1000, "opus");
        QVERIFY(second.allowed);
        m_checker->reconcile(second.reservation, Actual{10, 0}); // down: a failed request costs nothing
        drain();
        QCOMPARE(hget(window, "tokens"), qint64(260));
        QCOMPARE(hget(window, "cost_nanos"), qint64(4000));
        QCOMPARE(hget(day, "cost_nanos"), qint64(4000));
        QCOMPARE(hget(total, "cost_nanos"), qint64(4000));
        QCOMPARE(m_server.command({"HEXISTS", window, "requests"}).toInteger(), qint64(0)); // no request limit

        // After the window rolled, an old reservation leaves the new window alone; an expired day is not recreated.
        const CheckResult rolled = check("k", policy, {1, 100, 1000}, t + 5 * 60000, "opus");
        QVERIFY(rolled.allowed);
        QVERIFY(m_server.command({"DEL", day}).toInteger() == 1);
        m_checker->reconcile(second.reservation, Actual{1000, 5000});
        drain();
        QCOMPARE(hget(window, "tokens"), qint64(100));
        QCOMPARE(m_server.command({"EXISTS", day}).toInteger(), qint64(0));
        QCOMPARE(hget(total, "cost_nanos"), qint64(9000)); // 5000 + (5000 - 1000)
    }

    void keyWithoutLimitsMakesNoRedisCall()
    {
        const auto stats = m_client->statistics();
        const quint64 before = stats->commandsSent.load();
        bool called = false;
        m_checker->checkAndReserve("k", LimitPolicy(), "opus", {}, 1000, this, [&](const CheckResult &r) {
            called = true;
            QVERIFY(r.allowed);
            QVERIFY(!r.reservation.isActive());
        });
        QVERIFY(called); // at once, inside the call
        LimitPolicy opusOnly;
        opusOnly.weeklyFamilyCostNanos.insert("opus", 10);
        called = false;
        m_checker->checkAndReserve("k", opusOnly, "haiku", {}, 1000, this,
                                   [&](const CheckResult &r) { called = r.allowed; });
        QVERIFY(called);
        m_checker->reconcile({}, Actual{100, 100});
        QTest::qWait(50);
        QCOMPARE(stats->commandsSent.load(), before);
    }

    void countersCarryTtlsThatCoverTheirPeriod()
    {
        LimitPolicy policy = zoned("Asia/Shanghai");
        policy.windowMinutes = 2;
        policy.windowRequests = 10;
        policy.dailyCostNanos = 10000;
        policy.weeklyFamilyCostNanos.insert("opus", 10000);
        const qint64 t = at(2025, 3, 4, 22, 0, "Asia/Shanghai");
        QVERIFY(check("k", policy, {1, 0, 10}, t, "opus").allowed);
        auto pttl = [&](const QByteArray &key) { return m_server.command({"PTTL", key}).toInteger(); };
        const qint64 window = pttl(m_checker->windowKey("k"));
        QVERIFY2(window > 110000 && window <= 120000, QByteArray::number(window).constData());
        const qint64 day = pttl(m_checker->dailyKey("k", "2025-03-04"));
        const qint64 dayExpected = 2 * Hour + LimitChecker::PeriodGraceMs;
        QVERIFY2(day > dayExpected - 10000 && day <= dayExpected, QByteArray::number(day).constData());
        const qint64 week = pttl(m_checker->weeklyKey("k", "2025-W10"));
        const qint64 weekExpected = at(2025, 3, 10, 0, 0, "Asia/Shanghai") - t + LimitChecker::PeriodGraceMs;
        QVERIFY2(week > weekExpected - 10000 && week <= weekExpected, QByteArray::number(week).constData());
    }

    void policyRoundTripsThroughHashAndJson()
    {
        LimitPolicy policy = zoned("America/Los_Angeles");
        policy.windowMinutes = 60;
        policy.windowRequests = 100;
        policy.windowTokens = 2000000;
        policy.windowCostNanos = 5000000000;
        policy.dailyCostNanos = 20000000000;
        policy.totalCostNanos = 900000000000;
        policy.weeklyFamilyCostNanos.insert("opus", 30000000000);

        QList<std::pair<QByteArray, QByteArray>> fields = policy.toHashFields();
        fields.append(std::pair<QByteArray, QByteArray>("name", "alice")); // a whole key record may be passed
        const auto fromHash = LimitPolicy::fromHashFields(fields);
        QVERIFY2(fromHash.ok(), qPrintable(fromHash.error));
        QVERIFY(fromHash.policy == policy);
        QVERIFY(fields.contains(std::pair<QByteArray, QByteArray>("limit_weekly_cost_nanos:opus", "30000000000")));

        // Through Redis and HGETALL.
        QList<QByteArray> hset{"HSET", "rec"};
        for (const auto &[f, v] : fields)
            hset << f << v;
        QVERIFY(!m_server.command(hset).isError());
        const auto fromRedis = LimitPolicy::fromFlatHash(m_server.command({"HGETALL", "rec"}).toList());
        QVERIFY2(fromRedis.ok(), qPrintable(fromRedis.error));
        QVERIFY(fromRedis.policy == policy);

        const QJsonObject json = policy.toJson();
        QCOMPARE(json.value(u"time_zone").toString(), QStringLiteral("America/Los_Angeles"));
        const auto fromJson = LimitPolicy::fromJson(json);
        QVERIFY2(fromJson.ok(), qPrintable(fromJson.error));
        QVERIFY(fromJson.policy == policy);
        QVERIFY(LimitPolicy::fromJson(QJsonObject()).policy.isEmpty());

        QVERIFY(!LimitPolicy::fromHashFields({{"limit_daily_cost_nanos", "-1"}}).ok());
        QVERIFY(!LimitPolicy::fromHashFields({{"limit_time_zone", "Mars/Olympus"}}).ok());
        QVERIFY(!LimitPolicy::fromHashFields({{"limit_weekly_cost_nanos:Op us", "5"}}).ok());
        QVERIFY(!LimitPolicy::fromJson(QJsonObject{{u"daily_cost_nanos"_qs, 1.5}}).ok());
        QVERIFY(
            LimitPolicy::fromJson(QJsonObject{{u"daily_cost_nanos"_qs, u"x"_qs}}).error.contains(u"daily_cost_nanos"));

        QCOMPARE(LimitPolicy::familyOfModel("claude-opus-4-1-20250805"), QByteArray("opus"));
        QCOMPARE(LimitPolicy::familyOfModel("Claude-3-5-Haiku"), QByteArray("haiku"));
        QCOMPARE(LimitPolicy::familyOfModel("gpt-4"), QByteArray());
    }

    void refusalResponseSaysWhichLimitAndWhenItResets()
    {
        RefusalInfo refusal;
        refusal.kind = LimitKind::DailyCost;
        refusal.current = 5000000000;
        refusal.limit = 5000000000;
        refusal.timeZone = QTimeZone("Asia/Shanghai");
        refusal.resetMs = at(2025, 3, 5, 0, 0, "Asia/Shanghai");
        refusal.nowMs = refusal.resetMs - 3600000 + 1;
        const RefusalResponse response = RefusalResponse::from(refusal);
        QCOMPARE(response.status, 429);
        const QJsonObject body = QJsonDocument::fromJson(response.body).object();
        QCOMPARE(body.value(u"type").toString(), QStringLiteral("error"));
        const QJsonObject error = body.value(u"error").toObject();
        QCOMPARE(error.value(u"type").toString(), QStringLiteral("rate_limit_error"));
        QCOMPARE(error.value(u"message").toString(),
                 QStringLiteral("Daily cost limit reached: $5.00 of $5.00 used; resets at 2025-03-05T00:00:00+08:00 "
                                "(Asia/Shanghai), in 3600 seconds."));
        const QJsonObject limit = body.value(u"limit").toObject();
        QCOMPARE(limit.value(u"name").toString(), QStringLiteral("daily_cost"));
        QCOMPARE(limit.value(u"reset_in_seconds").toInteger(), 3600);
        QVERIFY(response.headers.contains(std::pair<QByteArray, QByteArray>("retry-after", "3600")));
        QVERIFY(response.headers.contains(
            std::pair<QByteArray, QByteArray>("x-relaydeck-limit-reset", "2025-03-05T00:00:00+08:00")));

        RefusalInfo window;
        window.kind = LimitKind::WindowRequests;
        window.windowMinutes = 10;
        window.current = 3;
        window.limit = 3;
        window.nowMs = 1000;
        window.resetMs = 61500;
        QCOMPARE(RefusalResponse::message(window),
                 QByteArray("Rate limit of the 10-minute window reached: 3 requests of 3 requests used; resets at "
                            "1970-01-01T00:01:01Z (UTC), in 61 seconds."));

        RefusalInfo total;
        total.kind = LimitKind::TotalCost;
        total.current = 1234567891;
        total.limit = 1000000000;
        const RefusalResponse never = RefusalResponse::from(total);
        QVERIFY(never.body.contains("does not reset"));
        QVERIFY(never.body.contains("$1.234567891"));
        QVERIFY(never.headers.contains(std::pair<QByteArray, QByteArray>("x-should-retry", "false")));
        for (const auto &header : never.headers)
            QVERIFY(header.first != "retry-after");
        QCOMPARE(RefusalResponse::formatDollars(1500000000), QByteArray("$1.50"));
        QCOMPARE(RefusalResponse::formatDollars(0), QByteArray("$0.00"));
    }
};

QTEST_GUILESS_MAIN(TestLimits)
#include "tst_limits.moc"
