// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "limits/limitperiods.h"
#include "limits/limitpolicy.h"
#include "limits/refusalinfo.h"
#include "redis/client.h"
#include "redis/keyspace.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

#include <functional>

namespace Relay::Limits {

// What a request is expected to use, reserved when it is admitted.
struct Estimate
{
    qint64 requests = 1;
    qint64 tokens = 0;    // counted against the window's token limit
    qint64 costNanos = 0; // counted against every cost limit
};

// What the request really used, known after the response.
struct Actual
{
    qint64 tokens = 0;
    qint64 costNanos = 0;
};

// What checkAndReserve reserved and where, so reconcile() adjusts exactly those counters (the window and the
// day/week the request was admitted in, even if the response ends after the window rolled or after midnight).
struct Reservation
{
    Estimate reserved;
    qint64 windowStartMs = 0;            // the window the reservation went to; 0 = no window limit
    bool windowTokens = false;           // the window counts tokens
    bool windowCost = false;             // the window counts cost
    QByteArray windowKey;                // empty without a window limit
    QList<QByteArray> costCounterKeys;   // daily / total / weekly hashes
    QList<QByteArray> costCounterFields; // the field in each

    // False when nothing was reserved (a key without limits): reconcile() is then free.
    bool isActive() const { return !windowKey.isEmpty() || !costCounterKeys.isEmpty(); }
};

// What checkAndReserve answered.
struct CheckResult
{
    QString error; // transport failure or script error (allowed is then false; the caller decides)
    bool allowed = false;
    RefusalInfo refusal;     // when ok() and !allowed
    Reservation reservation; // when allowed

    bool ok() const { return error.isEmpty(); }
};

// Checks a key's limits and reserves a request's estimate, atomically, in ONE EVALSHA per request; one checker per
// worker thread, on that worker's Redis client.
//
// Only the limits the key has are checked, and a key without any limit that applies to the request (see
// LimitPolicy::appliesTo) costs no Redis call: its callback runs at once, inside checkAndReserve, allowed.
//
// Admission: every limit the key has must have current < limit (current counts the reservations of requests in
// flight); the estimate is then added to all of them in the same script. Concurrent requests therefore never go
// past a limit by more than one request's reservation (requests: never past the limit at all, their estimate is 1),
// plus whatever the estimate underestimated, which reconcile() then adds.
//
// Counters (all under the key's hash tag, so one script may touch them all on Redis Cluster; field-level HINCRBY):
//   <p>{key:<id>}:limits:window          HASH start requests tokens cost_nanos    PEXPIRE = window length
//   <p>{key:<id>}:limits:d:<YYYY-MM-DD>  HASH cost_nanos                          TTL = rest of the day + 1 day
//   <p>{key:<id>}:limits:wk:<YYYY-Www>   HASH cost_nanos:<family>                 TTL = rest of the week + 1 day
//   <p>{key:<id>}:limits:total           HASH cost_nanos                          no TTL (a lifetime limit)
// The day and the ISO week are those of the policy's time zone, the same the reset times use.
//
// The rate window is fixed and starts at the first request after the previous one ended (as the Node relay did, but
// atomic): it resets exactly at start + window, which is what a refusal reports.
class LimitChecker
{
public:
    using Callback = std::function<void(const CheckResult &)>;

    static constexpr qint64 PeriodGraceMs = 86400000;

    // The client must outlive the calls; callbacks run on the context's thread (see Redis::Client).
    explicit LimitChecker(Redis::Client *client, Redis::KeySpace keySpace = Redis::KeySpace(),
                          Redis::CommandOptions options = {});

    // requestFamily: LimitPolicy::familyOfModel(model) of the request, empty if none. nowMs: ms since the epoch.
    void checkAndReserve(const QByteArray &keyId, const LimitPolicy &policy, const QByteArray &requestFamily,
                         const Estimate &estimate, qint64 nowMs, QObject *context, Callback callback);

    // Adds (actual - reserved) to the counters the reservation went to: one EVALSHA, fire and forget. A window
    // that has rolled since is left alone (the adjustment belonged to the old window); a day or week counter that
    // has expired is not created again.
    void reconcile(const Reservation &reservation, const Actual &actual);

    // The counter key names (for tests, key-info and the admin API).
    QByteArray windowKey(const QByteArray &keyId) const;
    QByteArray dailyKey(const QByteArray &keyId, const QByteArray &day) const;
    QByteArray weeklyKey(const QByteArray &keyId, const QByteArray &week) const;
    QByteArray totalKey(const QByteArray &keyId) const;

private:
    const LimitPeriods &periodsAt(qint64 nowMs, const QTimeZone &zone);

    QPointer<Redis::Client> m_client;
    Redis::KeySpace m_keys;
    Redis::CommandOptions m_options;
    // The last day computed, reused while it lasts (periods in a zone take a QDateTime conversion or three).
    LimitPeriods m_periods;
    QTimeZone m_periodsZone;
};

} // namespace Relay::Limits
