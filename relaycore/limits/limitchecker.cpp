// SPDX-License-Identifier: GPL-3.0-or-later
#include "limits/limitchecker.h"

namespace Relay::Limits {

namespace {

// KEYS[1] = window hash (unused when windowMs is 0), KEYS[1 + j] = counter hash j.
// ARGV = now, windowMs, window limits (requests, tokens, cost), window estimates (same order), then per counter:
// field, limit, estimate, ttlMs (0 = none).
// Returns {1, 0, 0, 0, windowStart} when admitted and reserved, or {0, refused, current, limit, windowStart} where
// refused is 1..3 for the window limits and 3 + j for counter j. Nothing is written when refused.
const Redis::Script &checkScript()
{
    static const Redis::Script script(QByteArrayLiteral(R"lua(
local now, windowMs = tonumber(ARGV[1]), tonumber(ARGV[2])
local fields = {'requests', 'tokens', 'cost_nanos'}
local start, fresh = now, false
if windowMs > 0 then
  local stored = redis.call('HMGET', KEYS[1], 'start', 'requests', 'tokens', 'cost_nanos')
  local s = tonumber(stored[1])
  if s and now < s + windowMs then
    start = s
    for i = 1, 3 do
      local limit = tonumber(ARGV[2 + i])
      local current = tonumber(stored[1 + i]) or 0
      if limit > 0 and current >= limit then
        return {0, i, current, limit, start}
      end
    end
  else
    fresh = true
  end
end
local counters = (#ARGV - 8) / 4
for j = 1, counters do
  local base = 9 + (j - 1) * 4
  local limit = tonumber(ARGV[base + 1])
  local current = tonumber(redis.call('HGET', KEYS[1 + j], ARGV[base])) or 0
  if current >= limit then
    return {0, 3 + j, current, limit, start}
  end
end
if windowMs > 0 then
  if fresh then
    redis.call('DEL', KEYS[1])
    redis.call('HSET', KEYS[1], 'start', ARGV[1])
    redis.call('PEXPIRE', KEYS[1], windowMs)
  end
  for i = 1, 3 do
    local estimate = tonumber(ARGV[5 + i])
    if tonumber(ARGV[2 + i]) > 0 and estimate ~= 0 then
      redis.call('HINCRBY', KEYS[1], fields[i], estimate)
    end
  end
end
for j = 1, counters do
  local base = 9 + (j - 1) * 4
  local estimate, ttl = tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3])
  if estimate ~= 0 then
    redis.call('HINCRBY', KEYS[1 + j], ARGV[base], estimate)
    if ttl > 0 and redis.call('PTTL', KEYS[1 + j]) < ttl then
      redis.call('PEXPIRE', KEYS[1 + j], ttl)
    end
  end
end
return {1, 0, 0, 0, start}
)lua"));
    return script;
}

// KEYS[1] = window hash (or any key of the owner when there is no window), KEYS[1 + j] = counter hash j.
// ARGV = window start (0 = no window), tokens delta, cost delta (for the window), then per counter: field, delta.
// Only a window that still has that start and counters that still exist are changed.
const Redis::Script &reconcileScript()
{
    static const Redis::Script script(QByteArrayLiteral(R"lua(
if ARGV[1] ~= '0' and redis.call('HGET', KEYS[1], 'start') == ARGV[1] then
  if ARGV[2] ~= '0' then redis.call('HINCRBY', KEYS[1], 'tokens', ARGV[2]) end
  if ARGV[3] ~= '0' then redis.call('HINCRBY', KEYS[1], 'cost_nanos', ARGV[3]) end
end
for j = 1, #KEYS - 1 do
  local field, delta = ARGV[2 + 2 * j], ARGV[3 + 2 * j]
  if delta ~= '0' and redis.call('EXISTS', KEYS[1 + j]) == 1 then
    redis.call('HINCRBY', KEYS[1 + j], field, delta)
  end
end
return 1
)lua"));
    return script;
}

struct Counter
{
    LimitKind kind;
    QByteArray key;
    QByteArray field;
    qint64 limit;
    qint64 ttlMs;
    qint64 resetMs;
};

} // namespace

LimitChecker::LimitChecker(Redis::Client *client, Redis::KeySpace keys, Redis::CommandOptions options)
    : m_client(client)
    , m_keys(std::move(keys))
    , m_options(options)
{}

QByteArray LimitChecker::windowKey(const QByteArray &keyId) const
{
    return m_keys.apiKey(keyId, "limits:window");
}

QByteArray LimitChecker::dailyKey(const QByteArray &keyId, const QByteArray &day) const
{
    return m_keys.apiKey(keyId, QByteArray("limits:d:" + day));
}

QByteArray LimitChecker::weeklyKey(const QByteArray &keyId, const QByteArray &week) const
{
    return m_keys.apiKey(keyId, QByteArray("limits:wk:" + week));
}

QByteArray LimitChecker::totalKey(const QByteArray &keyId) const
{
    return m_keys.apiKey(keyId, "limits:total");
}

const LimitPeriods &LimitChecker::periodsAt(qint64 nowMs, const QTimeZone &zone)
{
    if (m_periods.day.isEmpty() || !m_periods.contains(nowMs) || m_periodsZone != zone) {
        m_periods = LimitPeriods::at(nowMs, zone);
        m_periodsZone = zone;
    }
    return m_periods;
}

void LimitChecker::checkAndReserve(const QByteArray &keyId, const LimitPolicy &policy, const QByteArray &requestFamily,
                                   const Estimate &estimate, qint64 nowMs, QObject *context, Callback callback)
{
    if (!policy.appliesTo(requestFamily)) {
        if (callback)
            callback(CheckResult{{}, true, {}, {}});
        return;
    }
    if (!m_client) {
        if (callback)
            callback(CheckResult{QStringLiteral("Redis client is gone"), false, {}, {}});
        return;
    }

    QList<Counter> counters;
    const bool needsPeriods = policy.dailyCostNanos > 0 || policy.weeklyLimitFor(requestFamily) > 0;
    const LimitPeriods periods = needsPeriods ? periodsAt(nowMs, policy.timeZone) : LimitPeriods();
    if (policy.dailyCostNanos > 0) {
        counters.append({LimitKind::DailyCost, dailyKey(keyId, periods.day), QByteArrayLiteral("cost_nanos"),
                         policy.dailyCostNanos, periods.dayEndMs - nowMs + PeriodGraceMs, periods.dayEndMs});
    }
    if (policy.totalCostNanos > 0)
        counters.append(
            {LimitKind::TotalCost, totalKey(keyId), QByteArrayLiteral("cost_nanos"), policy.totalCostNanos, 0, 0});
    if (!requestFamily.isEmpty() && policy.weeklyLimitFor(requestFamily) > 0) {
        counters.append({LimitKind::WeeklyFamilyCost, weeklyKey(keyId, periods.week), "cost_nanos:" + requestFamily,
                         policy.weeklyLimitFor(requestFamily), periods.weekEndMs - nowMs + PeriodGraceMs,
                         periods.weekEndMs});
    }

    const bool window = policy.hasWindow();
    const qint64 windowMs = window ? policy.windowMinutes * 60000 : 0;
    Reservation reservation;
    reservation.reserved = estimate;
    if (window) {
        reservation.windowKey = windowKey(keyId);
        reservation.windowTokens = policy.windowTokens > 0;
        reservation.windowCost = policy.windowCostNanos > 0;
    }

    QList<QByteArray> keys{window ? reservation.windowKey : totalKey(keyId)};
    QList<QByteArray> args{QByteArray::number(nowMs),
                           QByteArray::number(windowMs),
                           QByteArray::number(window ? policy.windowRequests : 0),
                           QByteArray::number(window ? policy.windowTokens : 0),
                           QByteArray::number(window ? policy.windowCostNanos : 0),
                           QByteArray::number(estimate.requests),
                           QByteArray::number(estimate.tokens),
                           QByteArray::number(estimate.costNanos)};
    for (const Counter &counter : std::as_const(counters)) {
        keys.append(counter.key);
        args.append({counter.field, QByteArray::number(counter.limit), QByteArray::number(estimate.costNanos),
                     QByteArray::number(counter.ttlMs)});
        reservation.costCounterKeys.append(counter.key);
        reservation.costCounterFields.append(counter.field);
    }

    RefusalInfo base;
    base.nowMs = nowMs;
    base.timeZone = policy.timeZone;
    base.windowMinutes = policy.windowMinutes;
    base.family = requestFamily;
    m_client->evalScript(
        checkScript(), keys, args, context,
        [callback = std::move(callback), counters, reservation = std::move(reservation), base,
         windowMs](const Redis::Result &result) mutable {
            if (!callback)
                return;
            CheckResult out;
            const QList<Redis::Reply> &values = result.reply.elements();
            if (!result.isSuccess()) {
                out.error = result.errorMessage();
            } else if (values.size() != 5) {
                out.error = QStringLiteral("unexpected limit script reply %1")
                                .arg(QString::fromUtf8(result.reply.toDebugString()));
            }
            if (!out.ok()) {
                callback(out);
                return;
            }
            const qint64 windowStart = values.at(4).integer();
            if (values.at(0).integer() == 1) {
                out.allowed = true;
                out.reservation = std::move(reservation);
                if (windowMs > 0)
                    out.reservation.windowStartMs = windowStart;
                callback(out);
                return;
            }
            const qint64 refused = values.at(1).integer();
            out.refusal = base;
            out.refusal.current = values.at(2).integer();
            out.refusal.limit = values.at(3).integer();
            if (refused >= 1 && refused <= 3) {
                constexpr LimitKind WindowKinds[] = {LimitKind::WindowRequests, LimitKind::WindowTokens,
                                                     LimitKind::WindowCost};
                out.refusal.kind = WindowKinds[refused - 1];
                out.refusal.resetMs = windowStart + windowMs;
            } else if (refused - 4 >= 0 && refused - 4 < counters.size()) {
                const Counter &counter = counters.at(refused - 4);
                out.refusal.kind = counter.kind;
                out.refusal.resetMs = counter.resetMs;
            } else {
                out.error = QStringLiteral("limit script refused unknown limit %1").arg(refused);
            }
            if (out.refusal.kind != LimitKind::WeeklyFamilyCost)
                out.refusal.family.clear();
            callback(out);
        },
        m_options);
}

void LimitChecker::reconcile(const Reservation &reservation, const Actual &actual)
{
    if (!reservation.isActive() || !m_client)
        return;
    const qint64 costDelta = actual.costNanos - reservation.reserved.costNanos;
    const qint64 tokensDelta = actual.tokens - reservation.reserved.tokens;
    if (costDelta == 0 && (tokensDelta == 0 || !reservation.windowTokens))
        return;
    const bool window = !reservation.windowKey.isEmpty();
    QList<QByteArray> keys{window ? reservation.windowKey : reservation.costCounterKeys.first()};
    QList<QByteArray> args{QByteArray::number(window ? reservation.windowStartMs : 0),
                           QByteArray::number(reservation.windowTokens ? tokensDelta : 0),
                           QByteArray::number(reservation.windowCost ? costDelta : 0)};
    for (qsizetype i = 0; i < reservation.costCounterKeys.size(); ++i) {
        keys.append(reservation.costCounterKeys.at(i));
        args.append({reservation.costCounterFields.at(i), QByteArray::number(costDelta)});
    }
    m_client->evalScript(reconcileScript(), keys, args, nullptr, {}, m_options);
}

} // namespace Relay::Limits
