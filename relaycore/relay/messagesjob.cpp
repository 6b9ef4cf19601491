// SPDX-License-Identifier: GPL-3.0-or-later
#include "relay/messagesjob.h"

#include "domain/apikey.h"
#include "domain/keyrules.h"
#include "http/clock.h"
#include "http/errors.h"
#include "http/exchange.h"
#include "http/writebatch.h"
#include "limits/refusalresponse.h"
#include "log/logger.h"
#include "metrics/shard.h"
#include "redis/client.h"
#include "relay/answerusage.h"
#include "relay/relaycontext.h"
#include "relay/workerrelay.h"
#include "upstream/forwardheaders.h"
#include "upstream/proxyurl.h"
#include "upstream/upstreamcall.h"
#include "upstream/upstreamclient.h"
#include "usage/pricingtable.h"
#include "usage/usagerecorder.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QVarLengthArray>

#include <algorithm>

namespace Relay::Proxy {

namespace {

constexpr qint64 ReadChunk = 64 * 1024;

// <base URL>/v1/messages (or /v1/messages/count_tokens). Kept per thread for the last base URL: building a QUrl
// path costs more than the rest of the upstream request, and an account's requests all share one.
QUrl upstreamUrl(const QUrl &base, bool countTokens)
{
    struct Cached
    {
        QUrl base;
        QUrl urls[2]; // messages, count_tokens
    };
    thread_local Cached cached;
    QUrl &url = cached.urls[countTokens ? 1 : 0];
    if (cached.base != base) {
        cached.base = base;
        cached.urls[0] = cached.urls[1] = QUrl();
    }
    if (url.isEmpty()) {
        QString path = base.path();
        while (path.endsWith(u'/'))
            path.chop(1);
        path += countTokens ? QStringLiteral("/v1/messages/count_tokens") : QStringLiteral("/v1/messages");
        url = base;
        url.setPath(path);
    }
    return url;
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QByteArray randomId()
{
    quint64 words[2];
    QRandomGenerator::global()->fillRange(words);
    return QByteArray(reinterpret_cast<const char *>(words), sizeof(words)).toHex();
}

QByteArray headerValue(const Upstream::HeaderList &headers, QByteArrayView name)
{
    for (const auto &h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

int outcomeIndex(Upstream::Classification::Kind kind)
{
    using K = Upstream::Classification::Kind;
    switch (kind) {
    case K::Ok:
        return ProxyMetrics::Ok;
    case K::RateLimited:
        return ProxyMetrics::RateLimited;
    case K::Overloaded:
        return ProxyMetrics::Overloaded;
    case K::ServerError:
        return ProxyMetrics::ServerError;
    case K::Unauthorized:
        return ProxyMetrics::Unauthorized;
    case K::Forbidden:
        return ProxyMetrics::Forbidden;
    case K::ClientError:
        return ProxyMetrics::ClientError;
    case K::Unreachable:
        return ProxyMetrics::Unreachable;
    }
    return ProxyMetrics::ServerError;
}

// The error type a request log entry shows when the upstream's own error answer was passed on.
QByteArrayView upstreamErrorName(Upstream::Classification::Kind kind)
{
    using K = Upstream::Classification::Kind;
    switch (kind) {
    case K::Ok:
        return {};
    case K::RateLimited:
        return "upstream_rate_limited";
    case K::Overloaded:
        return "upstream_overloaded";
    case K::ServerError:
        return "upstream_server_error";
    case K::Unauthorized:
        return "upstream_unauthorized";
    case K::Forbidden:
        return "upstream_forbidden";
    case K::ClientError:
        return "upstream_client_error";
    case K::Unreachable:
        return "upstream_unreachable";
    }
    return "upstream_error";
}

QByteArray sseError(QByteArrayView type, QByteArrayView message)
{
    QJsonObject error{{QStringLiteral("type"), QString::fromUtf8(type)},
                      {QStringLiteral("message"), QString::fromUtf8(message)}};
    QJsonObject root{{QStringLiteral("type"), QStringLiteral("error")}, {QStringLiteral("error"), error}};
    return "event: error\ndata: " + QJsonDocument(root).toJson(QJsonDocument::Compact) + "\n\n";
}

} // namespace

MessagesJob::MessagesJob(WorkerRelay &worker, Http::Exchange &exchange, bool countTokens)
    : QObject(&exchange)
    , m_worker(worker)
    , m_exchange(&exchange)
    , m_countTokens(countTokens)
    , m_requestId(randomId())
    , m_startedNs(exchange.startedNs())
    , m_authDoneNs(Http::monotonicNs())
{
    if (auto *auth = exchange.context<AuthContext>()) {
        m_key = std::make_shared<const Domain::ApiKey>(auth->key());
        m_roundTripsBeforeUpstream = auth->redisRoundTrips;
    }
    connect(&exchange, &Http::Exchange::clientGone, this, &MessagesJob::onClientGone);
    connect(&exchange, &Http::Exchange::writable, this, &MessagesJob::pump);
    m_leaseTimer.setInterval(int(worker.context().options().leaseRefreshMs));
    connect(&m_leaseTimer, &QTimer::timeout, this, &MessagesJob::refreshLeases);
}

MessagesJob::~MessagesJob()
{
    // Every way out releases what the request held (the exchange and this job die together).
    if (m_phase != Phase::Done)
        complete(499);
}

void MessagesJob::start()
{
    const QString error = MessageRequest::parse(m_exchange->request(), m_countTokens, &m_request);
    if (!error.isEmpty())
        return failClient(400, error.toUtf8());
    m_family = Limits::LimitPolicy::familyOfModel(m_request.model);
    if (m_key) {
        // What this key may do: endpoint, model, client. All in memory, from the cached record.
        using namespace Domain;
        const Endpoint endpoint = m_countTokens ? Endpoint::CountTokens : Endpoint::Messages;
        if (!KeyRules::hasPermission(*m_key, endpoint))
            return failClient(403, "This API key is not allowed to call " + m_exchange->request().path +
                                       "; ask the RelayDeck operator to grant it.");
        if (!KeyRules::isModelAllowed(*m_key, m_request.model))
            return failClient(403, "This API key is not allowed to use the model " + m_request.model +
                                       "; ask the RelayDeck operator which models it may use.");
        if (KeyRules::needsClientCheck(endpoint)) {
            const Http::Request &request = m_exchange->request();
            const QString refused = KeyRules::checkClient(
                *m_key, [&request](QByteArrayView name) { return request.header(name); }, m_request.metadataUserId);
            if (!refused.isEmpty())
                return failClient(403, refused.toUtf8());
        }
        if (m_key->needsActivation())
            m_worker.activateKey(m_key->id);
    }
    if (!m_countTokens && m_request.maxTokens) {
        const auto table = m_worker.context().pricing()();
        const auto limit = table ? table->maxOutputTokens(m_request.model) : std::nullopt;
        if (limit && *limit > 0 && *m_request.maxTokens > *limit && m_worker.context().options().clampMaxTokens) {
            // Lowered in place when the request goes out; everything else stays as the client sent it.
            m_clampedMaxTokens = *limit;
        } else if (limit && *limit > 0 && *m_request.maxTokens > *limit) {
            return failClient(400, "max_tokens: " + QByteArray::number(*m_request.maxTokens) + " > " +
                                       QByteArray::number(*limit) +
                                       ", which is the maximum allowed number of output "
                                       "tokens for " +
                                       m_request.model + '.');
        }
    }
    lookUpSticky(); // in parallel with the lease and limit checks: its answer is needed only after them
    acquireKeyLease();
}

void MessagesJob::acquireKeyLease()
{
    if (m_countTokens || !m_key || m_key->concurrencyLimit <= 0)
        return checkLimits();
    const QByteArray zset = m_worker.context().keys().keySpace().apiKey(m_key->id, "leases");
    if (!m_queued)
        countRoundTrip();
    QPointer<MessagesJob> self(this);
    Usage::Leases &leases = m_worker.leases();
    const QByteArray member = m_requestId;
    leases.acquire(zset, member, m_key->concurrencyLimit, m_worker.context().options().leaseMs, nowMs(), &m_worker,
                   [self, zset, member, &leases, this](const Usage::LeaseResult &r) {
                       if (!self) {
                           if (r.granted) // the client left while we waited: give the slot back at once
                               leases.release(zset, member, nullptr, [](const Usage::LeaseResult &) {});
                           return;
                       }
                       if (!r.ok())
                           return failClient(503, "RelayDeck cannot check this key's concurrency limit right now "
                                                  "(Redis unavailable); retry shortly.");
                       if (!r.granted) {
                           if (waitForSlot())
                               return;
                           m_worker.shard()->add(m_worker.context().metrics().concurrencyRejections);
                           const QByteArray waited =
                               m_key->concurrencyWaitMs > 0
                                   ? " (waited " + QByteArray::number(m_key->concurrencyWaitMs / 1000.0) + " s)"
                                   : QByteArray();
                           return failClient(429,
                                             "This API key already has " + QByteArray::number(r.count) +
                                                 " requests in progress, its concurrency limit is " +
                                                 QByteArray::number(m_key->concurrencyLimit) + waited +
                                                 "; retry when one of them finishes.",
                                             "rate_limit_error");
                       }
                       if (m_queued)
                           leaveQueue(ProxyMetrics::QueueAdmitted);
                       m_limitsDoneNs = Http::monotonicNs();
                       m_keyLease = zset;
                       m_leaseTimer.start();
                       checkLimits();
                   });
}

// At the concurrency limit with a wait allowed: try again shortly, until the key's wait is over. Polling (with
// jitter) rather than a wake-up, because the slot may be freed by another worker or another instance; the number
// of waiting requests per worker is bounded.
bool MessagesJob::waitForSlot()
{
    const qint64 now = nowMs();
    const ProxyMetrics &metrics = m_worker.context().metrics();
    if (m_key->concurrencyWaitMs <= 0)
        return false;
    if (!m_queued) {
        if (m_worker.queuedRequests() >= m_worker.context().options().maxQueuedPerWorker) {
            m_worker.shard()->add(metrics.queueWaits, ProxyMetrics::QueueFull);
            return false;
        }
        m_queued = true;
        m_queueDeadlineMs = now + m_key->concurrencyWaitMs;
        ++m_worker.queuedRequests();
        m_worker.shard()->add(metrics.queuedRequests, 0, 1);
    } else if (now >= m_queueDeadlineMs) {
        leaveQueue(ProxyMetrics::QueueTimedOut);
        return false;
    }
    const qint64 delay = std::min<qint64>(m_queueDeadlineMs - now, 50 + QRandomGenerator::global()->bounded(100));
    QTimer::singleShot(std::chrono::milliseconds(delay), this, &MessagesJob::acquireKeyLease);
    return true;
}

void MessagesJob::leaveQueue(int result)
{
    if (!m_queued)
        return;
    m_queued = false;
    --m_worker.queuedRequests();
    m_worker.shard()->add(m_worker.context().metrics().queuedRequests, 0, -1);
    if (result >= 0)
        m_worker.shard()->add(m_worker.context().metrics().queueWaits, result);
}

void MessagesJob::checkLimits()
{
    if (m_countTokens || !m_key || m_key->limits.isEmpty())
        return admitted();
    const Limits::LimitPolicy policy = m_key->effectiveLimits(m_worker.context().options().timeZone);
    const QByteArray &family = m_family;
    if (!policy.appliesTo(family))
        return admitted();
    countRoundTrip();
    m_worker.limits().checkAndReserve(
        m_key->id, policy, family, estimateUsage(), nowMs(), this, [this](const Limits::CheckResult &r) {
            m_limitsDoneNs = Http::monotonicNs();
            if (!r.ok())
                return failClient(503, "RelayDeck cannot check this key's limits right now (" + r.error.toUtf8() +
                                           "); retry shortly.");
            if (!r.allowed)
                return refuse(r.refusal);
            m_reservation = r.reservation;
            admitted();
        });
}

// What the request will probably use, reserved against the key's limits until the real usage is known: the
// prompt at about 4 bytes per token and the requested output, capped (most answers are far below max_tokens;
// reconcile() corrects either way).
Limits::Estimate MessagesJob::estimateUsage() const
{
    constexpr qint64 BytesPerToken = 4;
    constexpr qint64 MaxReservedOutput = 4096;
    Usage::TokenUsage usage;
    usage.inputTokens = m_exchange->request().body.size() / BytesPerToken;
    usage.outputTokens = std::min<qint64>(m_request.maxTokens.value_or(MaxReservedOutput), MaxReservedOutput);
    Limits::Estimate estimate;
    estimate.tokens = usage.inputTokens + usage.outputTokens;
    const auto table = m_worker.context().pricing()();
    if (table) {
        const Usage::Cost cost = table->cost(m_request.model, usage);
        estimate.costNanos = cost.known ? cost.nanos : 0;
    }
    return estimate;
}

void MessagesJob::refuse(const Limits::RefusalInfo &refusal)
{
    m_worker.shard()->add(m_worker.context().metrics().limitRefusals, int(refusal.kind));
    const Limits::RefusalResponse response = Limits::RefusalResponse::from(refusal);
    Http::HeaderList headers{{"x-relaydeck-request-id", m_requestId}};
    QByteArray type = "application/json";
    for (const auto &[name, value] : response.headers) {
        if (name.compare("content-type", Qt::CaseInsensitive) == 0)
            type = value;
        else
            headers.append({name, value});
    }
    const Http::WriteBatch batch; // as in onUpstreamFinished
    if (m_exchange && !m_clientStarted)
        m_exchange->respond(response.status, type, response.body, headers);
    complete(response.status);
}

void MessagesJob::admitted()
{
    m_admitted = true;
    if (m_stickyDone)
        chooseAccount(m_stickyId);
}

void MessagesJob::lookUpSticky()
{
    m_phase = Phase::Choosing;
    if (m_countTokens || m_request.sessionHash.isEmpty()) {
        m_stickyDone = true;
        return;
    }
    StickySessions &sessions = m_worker.stickySessions();
    m_stickyId = sessions.known(m_request.sessionHash, nowMs());
    if (!m_stickyId.isEmpty()) { // this worker served the conversation moments ago
        m_stickyDone = true;
        return;
    }
    if (!m_key || (m_key->concurrencyLimit <= 0 && m_key->limits.isEmpty()))
        countRoundTrip(); // otherwise it overlaps the lease / limit round trip
    sessions.lookUp(m_request.sessionHash, nowMs(), this, [this](const QByteArray &accountId) {
        m_stickyDone = true;
        m_stickyId = accountId;
        if (m_admitted && m_phase == Phase::Choosing)
            chooseAccount(m_stickyId);
    });
}

void MessagesJob::chooseAccount(const QByteArray &stickyId)
{
    const PickResult picked = pickAccount(stickyId);
    if (picked.id.isEmpty()) {
        const QString why = picked.unavailableReason.isEmpty()
                                ? QStringLiteral("all are disabled, cooling down or busy")
                                : picked.unavailableReason;
        return failClient(503,
                          "No upstream account is available right now (" + why.toUtf8() +
                              "); retry later or ask the operator to add or reset an account.",
                          "overloaded_error");
    }
    if (m_accountChosenNs == 0)
        m_accountChosenNs = Http::monotonicNs();
    const QByteArray &id = picked.id;
    m_stickyHit = !stickyId.isEmpty() && id == stickyId;
    if (!m_countTokens && !m_request.sessionHash.isEmpty() && !m_stickyHit) {
        // Written once per session (and again only if its account could not serve it), without waiting: the
        // request does not depend on it. A hit was renewed by its lookup (GETEX), here or within the local time.
        m_worker.stickySessions().assign(m_request.sessionHash, id, nowMs());
    }
    acquireAccountLease();
}

void MessagesJob::acquireAccountLease()
{
    if (m_countTokens || m_account.maxConcurrency <= 0)
        return sendUpstream();
    const QByteArray zset = m_worker.context().keys().keySpace().account(m_account.id, "leases");
    countRoundTrip();
    QPointer<MessagesJob> self(this);
    Usage::Leases &leases = m_worker.leases();
    const QByteArray member = m_requestId;
    leases.acquire(zset, member, m_account.maxConcurrency, m_worker.context().options().leaseMs, nowMs(), &m_worker,
                   [self, zset, member, &leases, this](const Usage::LeaseResult &r) {
                       if (!self) {
                           if (r.granted)
                               leases.release(zset, member, nullptr, [](const Usage::LeaseResult &) {});
                           return;
                       }
                       if (r.ok() && !r.granted) {
                           m_tried.insert(m_account.id); // busy: try the next account
                           return chooseAccount({});
                       }
                       if (r.granted) {
                           m_accountLease = zset;
                           m_leaseTimer.start();
                       }
                       sendUpstream(); // without Redis the account limit cannot be checked; do not fail for it
                   });
}

void MessagesJob::sendUpstream()
{
    m_phase = Phase::Upstream;
    ++m_attempts;
    m_tried.insert(m_account.id);
    holdAccount(m_account.id);
    m_firstByteNs = 0;
    const Http::Request &request = m_exchange->request();

    Upstream::UpstreamRequest up;
    up.url = upstreamUrl(m_account.baseUrl, m_countTokens);
    if (!request.query.isEmpty())
        up.url.setQuery(QString::fromUtf8(request.query));
    up.body = upstreamBody();
    up.timeouts = m_worker.context().options().timeouts;
    Upstream::AccountCredential credential;
    credential.kind =
        m_account.oauth ? Upstream::AccountCredential::Kind::OAuth : Upstream::AccountCredential::Kind::ApiKey;
    credential.secret = m_account.secret;
    up.headers = Upstream::forwardHeaders(request.headers, credential);
    if (!m_account.proxy.isEmpty()) {
        QString proxyError;
        up.proxy = Upstream::proxyFromUrl(m_account.proxy, &proxyError);
        if (!up.proxy) {
            // Never direct when the operator asked for a proxy: the account's traffic must not leak around it.
            Log::logger().warn("account {}: unusable proxy ({})", m_account.id, proxyError.toStdString());
            return retryOrFail({Upstream::Classification::Kind::Unreachable, 0, true, "unusable account proxy"}, 0, {},
                               {});
        }
    }

    if (m_roundTripsBeforeUpstream > 0 && m_attempts == 1)
        m_worker.shard()->add(m_worker.context().metrics().redisRoundTripsBeforeUpstream, 0,
                              quint64(m_roundTripsBeforeUpstream));
    m_streaming = m_request.stream && !m_countTokens;
    m_buffered.clear();
    m_upstreamStatus = 0;
    m_upstreamStartNs = Http::monotonicNs();
    // Prepared, connected, begun: no trip through the event loop before the request goes out.
    Upstream::UpstreamCall *call = m_worker.upstream()->prepare(up, this);
    m_call = call;
    connect(call, &Upstream::UpstreamCall::responseStarted, this,
            [this](int status, const Upstream::HeaderList &headers) {
                m_upstreamHeaders = headers;
                onResponseStarted(status);
            });
    connect(call, &Upstream::UpstreamCall::readyRead, this, &MessagesJob::pump);
    connect(call, &Upstream::UpstreamCall::finished, this, &MessagesJob::onUpstreamFinished);
    call->begin(); // may end the call (and start the next attempt) before it returns; nothing may follow it here
}

// The client's body, byte for byte, except where the relay must change a value: a clamped max_tokens and the
// account's model mapping. Each is replaced in place (later offsets first, so earlier ones stay valid).
QByteArray MessagesJob::upstreamBody() const
{
    const QByteArray &original = m_exchange->request().body;
    struct Edit
    {
        qsizetype offset;
        qsizetype length;
        QByteArray text;
    };
    QVarLengthArray<Edit, 2> edits;
    if (m_clampedMaxTokens)
        edits.append({m_request.maxTokensOffset, m_request.maxTokensLength, QByteArray::number(*m_clampedMaxTokens)});
    if (const auto mapped = m_account.modelMapping.constFind(m_request.model);
        mapped != m_account.modelMapping.constEnd() && m_request.modelOffset >= 0) {
        QByteArray quoted = QJsonDocument(QJsonArray{QString::fromUtf8(*mapped)}).toJson(QJsonDocument::Compact);
        edits.append({m_request.modelOffset, m_request.modelLength, quoted.sliced(1, quoted.size() - 2)});
    }
    if (edits.isEmpty())
        return original; // shared, not copied
    std::sort(edits.begin(), edits.end(), [](const Edit &a, const Edit &b) { return a.offset > b.offset; });
    QByteArray body = original;
    for (const Edit &e : edits)
        body.replace(e.offset, e.length, e.text);
    return body;
}

void MessagesJob::onResponseStarted(int status)
{
    m_upstreamStatus = status;
    m_firstByteNs = Http::monotonicNs();
    const ProxyMetrics &metrics = m_worker.context().metrics();
    m_worker.shard()->observe(metrics.upstreamFirstByte, 0, quint64((m_firstByteNs - m_upstreamStartNs) / 1000));
    if (status < 200 || status >= 300 || !m_streaming)
        return pump(); // buffered: a JSON answer or an error to classify first

    Http::HeaderList headers{{"content-type", headerValue(m_upstreamHeaders, "content-type").isEmpty()
                                                  ? QByteArray("text/event-stream; charset=utf-8")
                                                  : headerValue(m_upstreamHeaders, "content-type")},
                             {"cache-control", "no-cache"},
                             {"x-accel-buffering", "no"},
                             {"x-relaydeck-request-id", m_requestId}};
    if (const QByteArray id = headerValue(m_upstreamHeaders, "request-id"); !id.isEmpty())
        headers.append({"request-id", id});
    // What already arrived of the body goes out with the head, in one write.
    const QByteArray first = m_call->read(ReadChunk);
    m_sse.feed(first);
    m_exchange->beginStream(status, headers, first);
    m_clientStarted = true;
    m_phase = Phase::Streaming;
    m_worker.shard()->add(metrics.activeStreams, 0, 1);
    pump();
}

void MessagesJob::pump()
{
    if (!m_call || !m_exchange)
        return;
    if (m_clientStarted) {
        // Only as fast as the client reads: the upstream side holds back when we stop pulling.
        while (m_exchange->isWritable()) {
            const QByteArray chunk = m_call->read(ReadChunk);
            if (chunk.isEmpty())
                break;
            m_sse.feed(chunk);
            m_exchange->writeChunk(chunk);
        }
        return;
    }
    const QByteArray chunk = m_call->readAll();
    const bool success = m_upstreamStatus >= 200 && m_upstreamStatus < 300;
    const qint64 cap =
        success ? m_worker.context().options().maxNonStreamBody : m_worker.context().options().maxUpstreamErrorBody;
    if (m_buffered.size() + chunk.size() <= cap)
        m_buffered += chunk;
}

void MessagesJob::onUpstreamFinished(const Upstream::Outcome &outcome)
{
    // The answer's last bytes leave after complete() has logged the request, so a client that sends its next
    // request as soon as it has them always finds this one in the request log first.
    const Http::WriteBatch batch;
    m_upstreamNs += Http::monotonicNs() - m_upstreamStartNs;
    m_worker.shard()->observe(m_worker.context().metrics().upstreamDuration, 0,
                              quint64((Http::monotonicNs() - m_upstreamStartNs) / 1000));
    if (m_clientStarted)
        return finishStream(outcome);
    finishBuffered(outcome);
}

void MessagesJob::finishStream(const Upstream::Outcome &outcome)
{
    m_sse.finish();
    const ProxyMetrics &metrics = m_worker.context().metrics();
    if (!m_sse.isComplete() && !m_sse.error()) {
        // Cut off after the first byte: no other account can take over, so tell the client in the stream.
        m_worker.shard()->add(metrics.truncatedStreams);
        m_truncated = true;
        m_errorType.set(QByteArrayView("stream_truncated"));
        const QByteArray why =
            outcome.isOk() ? QByteArray("the upstream closed the stream early") : outcome.message.toUtf8();
        m_exchange->writeChunk(sseError("api_error", "The upstream response stream ended before message_stop (" + why +
                                                         "); the answer is incomplete, retry the request."));
        const auto classification = Upstream::classifyOutcome(outcome, nowMs());
        if (!outcome.isOk())
            applyHealth(classification);
    } else {
        if (m_sse.error())
            m_errorType.set(QByteArrayView("stream_error_event"));
        applyHealth(Upstream::Classification{});
    }
    m_worker.shard()->add(metrics.upstreamResponses, outcomeIndex(Upstream::Classification::Kind::Ok));
    m_exchange->endStream();
    complete(m_upstreamStatus);
}

void MessagesJob::finishBuffered(const Upstream::Outcome &outcome)
{
    const qint64 now = nowMs();
    if (!outcome.isOk() && (!outcome.responseStarted || m_upstreamStatus < 200 || m_upstreamStatus >= 300)) {
        const auto c = Upstream::classifyOutcome(outcome, now);
        m_worker.shard()->add(m_worker.context().metrics().upstreamResponses, outcomeIndex(c.kind));
        return retryOrFail(c, outcome.responseStarted ? m_upstreamStatus : 0, m_buffered, m_upstreamHeaders);
    }
    const auto c = Upstream::classifyResponse(m_upstreamStatus, m_upstreamHeaders, m_buffered, now);
    m_worker.shard()->add(m_worker.context().metrics().upstreamResponses, outcomeIndex(c.kind));
    if (!c.isOk())
        return retryOrFail(c, m_upstreamStatus, m_buffered, m_upstreamHeaders);
    if (!outcome.isOk())
        return retryOrFail(Upstream::classifyOutcome(outcome, now), 0, {}, {});

    applyHealth(c);
    Http::HeaderList headers{{"x-relaydeck-request-id", m_requestId}};
    if (const QByteArray id = headerValue(m_upstreamHeaders, "request-id"); !id.isEmpty())
        headers.append({"request-id", id});
    QByteArray type = headerValue(m_upstreamHeaders, "content-type");
    if (type.isEmpty())
        type = "application/json";
    m_exchange->respond(m_upstreamStatus, type, m_buffered, headers);
    complete(m_upstreamStatus);
}

void MessagesJob::retryOrFail(const Upstream::Classification &c, int status, const QByteArray &body,
                              const Upstream::HeaderList &headers)
{
    applyHealth(c);
    holdAccount({});
    if (m_call)
        m_call->deleteLater();
    m_call = nullptr;
    const bool canRetry =
        c.retryableOnAnotherAccount && !m_clientStarted && m_attempts <= m_worker.context().options().failoverRetries;
    if (canRetry) {
        // Give the account's slot back before trying the next one.
        if (!m_accountLease.isEmpty()) {
            m_worker.leases().release(std::exchange(m_accountLease, {}), m_requestId, nullptr,
                                      [](const Usage::LeaseResult &) {});
        }
        const QByteArray failed = m_account.id;
        if (const PickResult next = pickAccount({}); !next.id.isEmpty()) {
            m_worker.shard()->add(m_worker.context().metrics().failovers);
            Log::logger().info("request {}: account {} answered {} ({}); trying account {}", m_requestId, failed,
                               status, c.reason, next.id);
            return acquireAccountLease();
        }
    }
    if (status > 0) {
        // The upstream's own answer, status and body as it sent them (an Anthropic error in Anthropic's shape).
        Http::HeaderList out{{"x-relaydeck-request-id", m_requestId}};
        for (const char *name : {"retry-after", "request-id", "anthropic-ratelimit-unified-reset"}) {
            if (const QByteArray v = headerValue(headers, name); !v.isEmpty())
                out.append({name, v});
        }
        m_errorType.set(upstreamErrorName(c.kind));
        QByteArray type = headerValue(headers, "content-type");
        m_exchange->respond(status, type.isEmpty() ? QByteArray("application/json") : type, body, out);
        return complete(status);
    }
    const bool timeout = c.reason.contains("timeout");
    failClient(timeout ? 504 : 502,
               timeout ? "The upstream did not answer in time (" + c.reason + "); retry the request."
                       : "Could not reach the upstream (" + c.reason + "); retry the request.",
               timeout ? "timeout_error" : "api_error");
}

// The scheduler's choice for this request (binding, sticky, pool), loaded into m_account. A probe of a half-open
// account must report a verdict or end the probe (applyHealth / complete).
PickResult MessagesJob::pickAccount(const QByteArray &stickyId)
{
    PickRequest request;
    request.stickyId = stickyId;
    request.exclude = m_tried;
    request.family = m_family;
    if (m_key) {
        request.boundAccountId = m_key->boundAccountId;
        request.boundGroupId = m_key->boundGroupId;
    }
    request.nowMs = nowMs();
    AccountDirectory &accounts = m_worker.context().accounts();
    PickResult picked = accounts.pick(request);
    if (picked.id.isEmpty())
        return picked;
    const std::optional<AccountEntry> entry = accounts.find(picked.id);
    if (!entry) { // removed in between: give the probe back and report none
        accounts.endProbe(picked.id);
        return {};
    }
    m_account = *entry;
    m_probe = picked.probe;
    return picked;
}

// A cooldown from a 429 that names the request's model family (the upstream limits that family, e.g. a weekly
// Opus limit) rests the account for that family only; others keep it usable.
bool MessagesJob::isFamilyLimit(const Upstream::Classification &c) const
{
    if (c.kind != Upstream::Classification::Kind::RateLimited || m_family.isEmpty())
        return false;
    const QByteArray claim = headerValue(m_upstreamHeaders, "anthropic-ratelimit-unified-representative-claim");
    return claim.toLower().contains(m_family) || m_buffered.toLower().contains(m_family + " ") ||
           m_buffered.toLower().contains(m_family + "_");
}

void MessagesJob::applyHealth(const Upstream::Classification &c)
{
    using K = Upstream::Classification::Kind;
    if (m_account.id.isEmpty())
        return;
    const bool probe = std::exchange(m_probe, false);
    switch (c.kind) {
    case K::Ok:
        if (m_account.health != AccountHealth::Active || probe)
            m_worker.reportAccountHealth(m_account.id, AccountHealth::Active, 0,
                                         probe ? QStringLiteral("probe request succeeded")
                                               : QStringLiteral("served a request"));
        m_account.health = AccountHealth::Active;
        break;
    case K::RateLimited:
        if (isFamilyLimit(c)) {
            if (probe)
                m_worker.context().accounts().endProbe(m_account.id);
            m_worker.reportFamilyCooldown(m_account.id, m_family,
                                          c.cooldownUntilMs > 0 ? c.cooldownUntilMs
                                                                : nowMs() + Upstream::DefaultRateLimitCooldownMs,
                                          QString::fromUtf8(c.reason));
            break;
        }
        [[fallthrough]];
    case K::Overloaded:
    case K::ServerError:
    case K::Unreachable:
        m_worker.reportAccountHealth(m_account.id, AccountHealth::Cooling,
                                     c.cooldownUntilMs > 0 ? c.cooldownUntilMs : nowMs() + 10'000,
                                     QString::fromUtf8(c.reason));
        break;
    case K::Unauthorized:
        if (m_account.oauth && m_worker.requestTokenRefresh(m_account.id)) {
            // An OAuth access token may just have expired: the refresher (off the request path) gets a new one,
            // which makes the account active again; if the refresh fails it stays unauthorized with that reason.
            m_worker.reportAccountHealth(m_account.id, AccountHealth::Unauthorized, 0,
                                         QStringLiteral("access token rejected (401); refreshing it"));
            break;
        }
        m_worker.reportAccountHealth(m_account.id, AccountHealth::Unauthorized, 0, QString::fromUtf8(c.reason));
        break;
    case K::Forbidden:
        m_worker.reportAccountHealth(m_account.id, AccountHealth::Blocked, 0, QString::fromUtf8(c.reason));
        break;
    case K::ClientError:
        if (probe) // the request's fault, not the account's: the next request may probe again
            m_worker.context().accounts().endProbe(m_account.id);
        break;
    }
}

void MessagesJob::failClient(int status, const QByteArray &message, const QByteArray &errorType)
{
    const Http::WriteBatch batch; // as in onUpstreamFinished
    m_errorType.set(errorType.isEmpty() ? QByteArrayView(Http::anthropicErrorType(status)) : QByteArrayView(errorType));
    if (m_exchange && !m_clientStarted)
        m_exchange->respondError(status, message, errorType, {{"x-relaydeck-request-id", m_requestId}});
    complete(status);
}

void MessagesJob::onClientGone()
{
    m_worker.shard()->add(m_worker.context().metrics().clientAborts);
    m_clientAborted = true;
    if (m_call)
        m_call->abort();
    complete(499);
}

// Runs exactly once, however the request ended: usage (also partial usage of a cut stream), lease releases in the
// same pipelined batch, metrics.
void MessagesJob::complete(int status)
{
    if (m_phase == Phase::Done)
        return;
    const bool wasStreaming = m_phase == Phase::Streaming;
    m_phase = Phase::Done;
    m_leaseTimer.stop();
    leaveQueue(-1);
    holdAccount({});
    const qint64 endNs = Http::monotonicNs();
    if (wasStreaming)
        m_worker.shard()->add(m_worker.context().metrics().activeStreams, 0, -1);
    if (m_exchange) {
        const qint64 total = endNs - m_startedNs;
        m_worker.shard()->observe(m_worker.context().metrics().relayOverhead, 0,
                                  quint64(std::max<qint64>(0, total - m_upstreamNs) / 1000));
    }

    Usage::UsageRecord record;
    record.keyId = m_key ? m_key->id : QByteArray();
    record.accountId = m_attempts > 0 ? m_account.id : QByteArray();
    record.requestModel = m_request.model;
    record.endMs = nowMs();
    record.status = status;
    record.streamed = m_streaming;
    if (m_clientStarted)
        record.usage = m_sse.usage();
    else if (status >= 200 && status < 300 && !m_countTokens)
        record.usage = usageOfAnswer(m_buffered);
    if (!m_keyLease.isEmpty())
        record.leaseReleases.append({std::exchange(m_keyLease, {}), m_requestId});
    if (!m_accountLease.isEmpty())
        record.leaseReleases.append({std::exchange(m_accountLease, {}), m_requestId});

    if (Log::sampleRequest()) {
        // Sampled, and never a body or a secret: ids, model, outcome, sizes and timings only.
        Log::logger().info("request {} key={} account={} model={} status={} stream={} attempts={} in={} out={} "
                           "upstream_ms={}",
                           m_requestId, record.keyId, record.accountId, m_request.model, status, m_streaming,
                           m_attempts, record.usage.inputTokens, record.usage.outputTokens, m_upstreamNs / 1'000'000);
    }
    logTiming(status, endNs, record.endMs, record.accountId, record.usage);
    const ProxyMetrics &metrics = m_worker.context().metrics();
    const Usage::TokenUsage &u = record.usage;
    Metrics::Shard *shard = m_worker.shard();
    shard->add(metrics.tokens, ProxyMetrics::Input, quint64(u.inputTokens));
    shard->add(metrics.tokens, ProxyMetrics::Output, quint64(u.outputTokens));
    shard->add(metrics.tokens, ProxyMetrics::CacheCreation5m, quint64(u.cacheCreation5mTokens));
    shard->add(metrics.tokens, ProxyMetrics::CacheCreation1h, quint64(u.cacheCreation1hTokens));
    shard->add(metrics.tokens, ProxyMetrics::CacheRead, quint64(u.cacheReadTokens));
    Usage::Cost cost;
    if (!u.isEmpty()) {
        const auto table = m_worker.context().pricing()();
        cost = table ? table->cost(record.model(), u) : Usage::Cost{};
        if (cost.known)
            shard->add(metrics.costNanos, 0, quint64(cost.nanos));
        else
            shard->add(metrics.costUnknown);
    }
    if (m_probe) { // the request ended without a verdict on the account (the client left, say)
        m_probe = false;
        m_worker.context().accounts().endProbe(m_account.id);
    }
    if (cost.known && cost.nanos > 0 && !record.accountId.isEmpty())
        m_worker.context().accounts().addCost(record.accountId, cost.nanos); // quota, until the next Redis read
    if (m_reservation.isActive()) {
        // The estimate out, the real usage in (a refused or failed request gives its whole reservation back).
        m_worker.limits().reconcile(m_reservation, {u.inputTokens + u.outputTokens + u.cacheCreation5mTokens +
                                                        u.cacheCreation1hTokens + u.cacheReadTokens,
                                                    cost.known ? cost.nanos : 0});
        m_reservation = {};
    }
    // count_tokens is relayed without usage; a request that never reached an account only frees its lease.
    if (!m_countTokens && (m_attempts > 0 || !record.leaseReleases.isEmpty()))
        m_worker.recorder()->record(std::move(record));
    else if (!record.leaseReleases.isEmpty())
        for (const auto &l : record.leaseReleases)
            m_worker.leases().release(l.zsetKey, l.member, nullptr, [](const Usage::LeaseResult &) {});
}

// One fixed-size record on the stack, copied into this worker's ring: no allocation.
void MessagesJob::logTiming(int status, qint64 endNs, qint64 endMs, const QByteArray &accountId,
                            const Usage::TokenUsage &usage)
{
    const auto sinceStart = [this](qint64 ns) { return ns > 0 ? std::max<qint64>(0, (ns - m_startedNs) / 1000) : 0; };
    RequestTiming t;
    t.requestId.set(m_requestId);
    t.endUs = sinceStart(endNs);
    t.endedNs = endNs;
    t.startMs = endMs - t.endUs / 1000;
    if (m_key) {
        t.keyId.set(m_key->id);
        t.keyName.set(QStringView(m_key->name));
    }
    t.accountId.set(accountId);
    t.model.set(m_request.model);
    t.errorType = m_errorType;
    t.status = status;
    t.attempts = m_attempts;
    t.stream = m_request.stream && !m_countTokens;
    t.countTokens = m_countTokens;
    t.truncated = m_truncated;
    t.clientAborted = m_clientAborted;
    t.authUs = sinceStart(m_authDoneNs);
    t.limitsUs = sinceStart(m_limitsDoneNs);
    t.accountUs = sinceStart(m_accountChosenNs);
    t.upstreamSentUs = m_attempts > 0 ? sinceStart(m_upstreamStartNs) : 0;
    t.firstByteUs = sinceStart(m_firstByteNs);
    t.inputTokens = usage.inputTokens;
    t.outputTokens = usage.outputTokens;
    m_worker.context().requestLog().record(m_worker.index(), t);
}

// Moves this request's in-flight count to another account (or, with an empty id, ends it).
void MessagesJob::holdAccount(const QByteArray &accountId)
{
    if (m_busyAccount == accountId)
        return;
    RequestLog &log = m_worker.context().requestLog();
    if (!m_busyAccount.isEmpty())
        log.accountFinished(m_worker.index(), m_busyAccount);
    m_busyAccount = accountId;
    if (!accountId.isEmpty())
        log.accountStarted(m_worker.index(), accountId);
}

void MessagesJob::refreshLeases()
{
    const qint64 now = nowMs();
    const qint64 lease = m_worker.context().options().leaseMs;
    for (const QByteArray &zset : {m_keyLease, m_accountLease}) {
        if (!zset.isEmpty())
            m_worker.leases().refresh(zset, m_requestId, lease, now, nullptr, [](const Usage::LeaseResult &) {});
    }
}

} // namespace Relay::Proxy
