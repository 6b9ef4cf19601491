// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "domain/apikey.h"
#include "limits/limitchecker.h"
#include "relay/accountdirectory.h"
#include "relay/messagerequest.h"
#include "relay/requestlog.h"
#include "upstream/outcome.h"
#include "upstream/responseclassification.h"
#include "upstream/sseusageparser.h"
#include "usage/usagerecord.h"

#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

namespace Relay::Http {
class Exchange;
}
namespace Relay::Upstream {
class UpstreamCall;
}

namespace Relay::Proxy {

class WorkerRelay;
class AuthContext;

// One /v1/messages (or count_tokens) request after authentication: concurrency lease, account choice with sticky
// sessions, the upstream call with failover before the first byte, streaming with backpressure both ways, usage on
// the side, and the clean-up that must happen however the request ends (leases released, partial usage recorded,
// account health updated). A child of its exchange.
class MessagesJob : public QObject
{
    Q_OBJECT
public:
    MessagesJob(WorkerRelay &worker, Http::Exchange &exchange, bool countTokens);
    ~MessagesJob() override;

    void start();

private:
    enum class Phase { Starting, Choosing, Upstream, Streaming, Done };

    void acquireKeyLease();
    bool waitForSlot();
    void leaveQueue(int result);
    void checkLimits();
    Limits::Estimate estimateUsage() const;
    void refuse(const Limits::RefusalInfo &refusal);
    void admitted();
    void lookUpSticky();
    void chooseAccount(const QByteArray &stickyId);
    PickResult pickAccount(const QByteArray &stickyId);
    bool isFamilyLimit(const Upstream::Classification &classification) const;
    void acquireAccountLease();
    void sendUpstream();
    QByteArray upstreamBody() const;
    void onResponseStarted(int status);
    void pump();
    void onUpstreamFinished(const Upstream::Outcome &outcome);
    void finishStream(const Upstream::Outcome &outcome);
    void finishBuffered(const Upstream::Outcome &outcome);
    void retryOrFail(const Upstream::Classification &classification, int status, const QByteArray &body,
                     const Upstream::HeaderList &headers);
    void applyHealth(const Upstream::Classification &classification);
    void failClient(int status, const QByteArray &message, const QByteArray &errorType = {});
    void onClientGone();
    void complete(int status);
    void refreshLeases();
    void countRoundTrip() { ++m_roundTripsBeforeUpstream; }
    void holdAccount(const QByteArray &accountId);
    void logTiming(int status, qint64 endNs, qint64 endMs, const QByteArray &accountId, const Usage::TokenUsage &usage);

    WorkerRelay &m_worker;
    QPointer<Http::Exchange> m_exchange;
    const bool m_countTokens;
    std::shared_ptr<const Domain::ApiKey> m_key;
    MessageRequest m_request;
    std::optional<qint64> m_clampedMaxTokens; // set when the relay lowers the client's max_tokens
    QByteArray m_requestId;
    Phase m_phase = Phase::Starting;

    QSet<QByteArray> m_tried;
    int m_attempts = 0;
    bool m_stickyHit = false;
    // The sticky lookup runs alongside the key's lease and limit checks; the account is chosen when both are done.
    bool m_stickyDone = false;
    bool m_admitted = false;
    QByteArray m_stickyId;
    qint64 m_queueDeadlineMs = 0; // waiting for a concurrency slot until then; 0 = not waiting
    bool m_queued = false;
    Limits::Reservation m_reservation;
    AccountEntry m_account;
    bool m_probe = false;      // this request is the half-open probe of m_account
    QByteArray m_family;       // the requested model's family, for weekly limits and family cooldowns
    QByteArray m_keyLease;     // zset key while held
    QByteArray m_accountLease; // zset key while held
    QTimer m_leaseTimer;

    QPointer<Upstream::UpstreamCall> m_call;
    Upstream::SseUsageParser m_sse;
    QByteArray m_buffered; // non-stream body or an error body
    bool m_streaming = false;
    bool m_clientStarted = false;
    int m_upstreamStatus = 0;
    Upstream::HeaderList m_upstreamHeaders;
    qint64 m_upstreamStartNs = 0;
    qint64 m_upstreamNs = 0; // summed over attempts
    int m_roundTripsBeforeUpstream = 0;
    bool m_recorded = false;

    // For the request log: monotonic ns of each stage (0 = not reached) and how the request ended.
    qint64 m_startedNs = 0;
    qint64 m_authDoneNs = 0;
    qint64 m_limitsDoneNs = 0;
    qint64 m_accountChosenNs = 0;
    qint64 m_firstByteNs = 0;
    QByteArray m_busyAccount; // counted as in flight on this account (RequestLog::accountStarted)
    FixedText<32> m_errorType;
    bool m_truncated = false;
    bool m_clientAborted = false;
};

} // namespace Relay::Proxy
