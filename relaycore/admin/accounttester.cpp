// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/accounttester.h"

#include "relay/accountdirectory.h"
#include "relay/accountsync.h"
#include "upstream/forwardheaders.h"
#include "upstream/proxyurl.h"
#include "upstream/responseclassification.h"
#include "upstream/upstreamcall.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QTimer>

#include <chrono>
#include <memory>

using namespace Qt::StringLiterals;

namespace Relay::Admin {

namespace {

// An answer to max_tokens 1 is tiny; anything beyond this is not kept (but still read, so the call can finish).
constexpr qsizetype MaxBodyKept = 256 * 1024;
constexpr qsizetype MaxMessageLength = 500;

qint64 steadyNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

QString kindName(Upstream::Classification::Kind kind)
{
    using K = Upstream::Classification::Kind;
    switch (kind) {
    case K::Ok:
        return {};
    case K::RateLimited:
        return u"rate_limited"_s;
    case K::Overloaded:
        return u"overloaded"_s;
    case K::ServerError:
        return u"server_error"_s;
    case K::Unauthorized:
        return u"unauthorized"_s;
    case K::Forbidden:
        return u"forbidden"_s;
    case K::ClientError:
        return u"client_error"_s;
    case K::Unreachable:
        return u"unreachable"_s;
    }
    return u"server_error"_s;
}

QJsonObject parseObject(const QByteArray &body)
{
    const QJsonDocument document = QJsonDocument::fromJson(body);
    return document.isObject() ? document.object() : QJsonObject();
}

// One test in progress.
struct Probe
{
    QPointer<Upstream::UpstreamCall> call;
    QTimer deadline;
    QByteArray body;
    AccountTestResult result;
    AccountTester::Callback callback;
    qint64 startNs = 0;
    bool done = false;
};

void complete(const std::shared_ptr<Probe> &probe)
{
    if (probe->done)
        return;
    probe->done = true;
    probe->deadline.stop();
    probe->deadline.disconnect(); // its slot holds the probe: let go of it
    if (probe->result.latencyMs < 0)
        probe->result.latencyMs = (steadyNs() - probe->startNs) / 1'000'000;
    if (probe->call) {
        probe->call->disconnect();
        probe->call->abort();
        probe->call->deleteLater();
    }
    const AccountTester::Callback callback = std::move(probe->callback);
    callback(probe->result);
}

void judge(Probe &probe, const Upstream::Outcome &outcome, const Upstream::HeaderList &headers)
{
    AccountTestResult &r = probe.result;
    r.status = outcome.status;
    if (outcome.timeToFirstByteNs >= 0)
        r.firstByteMs = outcome.timeToFirstByteNs / 1'000'000;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (outcome.kind == Upstream::Outcome::Kind::Timeout) {
        r.errorType = u"timeout"_s;
        r.errorMessage = u"no answer in time (%1)"_s.arg(QString::fromLatin1(timeoutPhaseName(outcome.timeoutPhase)));
        return;
    }
    if (!outcome.isOk()) {
        r.errorType = kindName(Upstream::classifyOutcome(outcome, now).kind);
        r.errorMessage = outcome.message.left(MaxMessageLength);
        return;
    }
    const Upstream::Classification c = Upstream::classifyResponse(outcome.status, headers, probe.body, now);
    const QJsonObject answer = parseObject(probe.body);
    if (!c.isOk()) {
        r.errorType = kindName(c.kind);
        const QJsonObject error = answer.value(u"error"_s).toObject();
        r.upstreamErrorType = error.value(u"type"_s).toString().left(100);
        r.errorMessage = error.value(u"message"_s).toString().left(MaxMessageLength);
        if (r.errorMessage.isEmpty())
            r.errorMessage = u"the upstream answered HTTP %1"_s.arg(outcome.status);
        return;
    }
    if (answer.value(u"type"_s).toString() != u"message") {
        r.errorType = u"invalid_response"_s;
        r.errorMessage = u"the upstream answered %1 without a readable Message"_s.arg(outcome.status);
        return;
    }
    r.ok = true;
    r.usage = answer.value(u"usage"_s).toObject();
    if (const QString model = answer.value(u"model"_s).toString(); !model.isEmpty())
        r.model = model;
}

} // namespace

QJsonObject AccountTestResult::toJson() const
{
    auto orNull = [](qint64 v) { return v >= 0 ? QJsonValue(v) : QJsonValue(); };
    auto textOrNull = [](const QString &s) { return s.isEmpty() ? QJsonValue() : QJsonValue(s); };
    return {{u"ok"_s, ok},
            {u"status"_s, status},
            {u"latency_ms"_s, orNull(latencyMs)},
            {u"first_byte_ms"_s, orNull(firstByteMs)},
            {u"error_type"_s, textOrNull(errorType)},
            {u"error_message"_s, textOrNull(errorMessage)},
            {u"upstream_error_type"_s, textOrNull(upstreamErrorType)},
            {u"model"_s, model},
            {u"usage"_s, ok ? QJsonValue(usage) : QJsonValue()}};
}

AccountTester::AccountTester(Upstream::ClientOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{}

AccountTester::~AccountTester()
{
    // The client must outlive its calls: end the running tests (silently) before it goes.
    const QList<Upstream::UpstreamCall *> calls = findChildren<Upstream::UpstreamCall *>(Qt::FindDirectChildrenOnly);
    qDeleteAll(calls);
    delete m_client;
}

Upstream::UpstreamClient *AccountTester::client()
{
    if (!m_client)
        m_client = new Upstream::UpstreamClient(m_options);
    return m_client;
}

void AccountTester::test(const Domain::Account &account, const AccountTestOptions &options, Callback callback)
{
    auto probe = std::make_shared<Probe>();
    probe->callback = std::move(callback);
    probe->startNs = steadyNs();
    ++m_running;
    // Wraps the callback so the count follows every way a test ends.
    probe->callback = [this, inner = std::move(probe->callback)](const AccountTestResult &r) {
        --m_running;
        inner(r);
    };

    // The relay's own view of the account: base URL, credential kind, proxy with its password, model mapping.
    const Proxy::AccountEntry entry = Proxy::AccountSync::entryFrom(account);
    const QString requested = options.model.isEmpty() ? DefaultModel.toString() : options.model;
    const QByteArray sent = entry.modelMapping.value(requested.toUtf8(), requested.toUtf8());
    probe->result.model = QString::fromUtf8(sent);

    auto finishLater = [this, probe](const QString &type, const QString &message) {
        probe->result.errorType = type;
        probe->result.errorMessage = message;
        QTimer::singleShot(0, this, [probe] { complete(probe); });
    };
    if (!account.secretError.isEmpty() || account.secret.isEmpty())
        return finishLater(u"secret_unreadable"_s, u"the account's secret cannot be decrypted"_s);

    Upstream::UpstreamRequest up;
    QUrl url = entry.baseUrl;
    QString path = url.path();
    while (path.endsWith(u'/'))
        path.chop(1);
    url.setPath(path + u"/v1/messages"_s);
    up.url = url;
    const int timeoutMs = qBound(MinTimeoutMs, options.timeoutMs, MaxTimeoutMs);
    up.timeouts = Upstream::Timeouts{timeoutMs, timeoutMs, timeoutMs};
    up.body = QJsonDocument(QJsonObject{{u"model"_s, QString::fromUtf8(sent)},
                                        {u"max_tokens"_s, 1},
                                        {u"messages"_s,
                                         QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, u"ping"_s}}}}})
                  .toJson(QJsonDocument::Compact);
    Upstream::AccountCredential credential;
    credential.kind =
        entry.oauth ? Upstream::AccountCredential::Kind::OAuth : Upstream::AccountCredential::Kind::ApiKey;
    credential.secret = entry.secret;
    up.headers = Upstream::forwardHeaders({}, credential);
    if (!entry.proxy.isEmpty()) {
        QString proxyError;
        up.proxy = Upstream::proxyFromUrl(entry.proxy, &proxyError);
        // Never direct when the account has a proxy: the test must leave from where the account's traffic does.
        if (!up.proxy)
            return finishLater(u"proxy_error"_s, u"unusable account proxy: %1"_s.arg(proxyError));
    }

    Upstream::UpstreamCall *call = client()->start(up, this);
    probe->call = call;
    probe->deadline.setSingleShot(true);
    connect(&probe->deadline, &QTimer::timeout, this, [probe] {
        probe->result.errorType = u"timeout"_s;
        probe->result.errorMessage = u"no complete answer within the time limit"_s;
        if (probe->call && probe->call->timing().headersNs > 0)
            probe->result.firstByteMs = (probe->call->timing().headersNs - probe->call->timing().startNs) / 1'000'000;
        complete(probe);
    });
    probe->deadline.start(timeoutMs);
    connect(call, &Upstream::UpstreamCall::readyRead, this, [probe] {
        if (!probe->call)
            return;
        const QByteArray bytes = probe->call->readAll();
        if (probe->body.size() < MaxBodyKept)
            probe->body.append(bytes.left(MaxBodyKept - probe->body.size()));
    });
    connect(call, &Upstream::UpstreamCall::finished, this, [probe](const Upstream::Outcome &outcome) {
        if (!probe->call)
            return;
        const Upstream::CallTiming timing = probe->call->timing();
        judge(*probe, outcome, probe->call->responseHeaders());
        if (timing.endNs > 0)
            probe->result.latencyMs = (timing.endNs - timing.startNs) / 1'000'000;
        complete(probe);
    });
}

} // namespace Relay::Admin
