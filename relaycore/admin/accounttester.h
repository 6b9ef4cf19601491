// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "domain/account.h"
#include "upstream/upstreamclient.h"

#include <QJsonObject>
#include <QObject>
#include <QString>

#include <functional>

namespace Relay::Admin {

struct AccountTestOptions
{
    QString model;          // empty: AccountTester::DefaultModel (the account's model mapping applies)
    int timeoutMs = 30'000; // for the whole test
};

// What one test request found. errorType is empty on success, otherwise one of: "timeout", "unreachable" (no
// connection or the connection broke), "unauthorized" (401), "forbidden" (403 or a disabled organisation),
// "rate_limited" (429), "overloaded" (529), "server_error" (other 5xx), "client_error" (other 4xx),
// "invalid_response" (a 200 that is not a Message), "proxy_error" (the account's proxy cannot be used),
// "secret_unreadable" (the stored secret cannot be decrypted).
struct AccountTestResult
{
    bool ok = false;
    int status = 0;          // the upstream's HTTP status, 0 without a response
    qint64 latencyMs = -1;   // start to the end of the answer
    qint64 firstByteMs = -1; // start to the response headers; -1 without a response
    QString errorType;
    QString errorMessage;      // the upstream's error.message or the transport's text; never a secret
    QString upstreamErrorType; // the upstream's error.type ("authentication_error", ...), if it sent one
    QString model;             // the model the request asked the upstream for (after the account's mapping)
    QJsonObject usage;         // the answer's usage, on success

    QJsonObject toJson() const;
};

// Sends one tiny Messages request (max_tokens 1, "ping") through an upstream account, with its credential, base
// URL and proxy, the way the relay would (forwardHeaders() adds the credential and, for OAuth, the beta header),
// and reports status and timings. It neither changes the account's health nor records usage. Lives on the control
// thread with an UpstreamClient of its own, created on first use.
class AccountTester : public QObject
{
    Q_OBJECT
public:
    static constexpr QStringView DefaultModel = u"claude-3-5-haiku-20241022";
    static constexpr int MinTimeoutMs = 100;
    static constexpr int MaxTimeoutMs = 120'000;
    using Callback = std::function<void(const AccountTestResult &)>;

    explicit AccountTester(Upstream::ClientOptions options = {}, QObject *parent = nullptr);
    ~AccountTester() override;

    // The callback runs once, on this object's thread, never inside the call; not at all if the tester is deleted
    // first.
    void test(const Domain::Account &account, const AccountTestOptions &options, Callback callback);

    // Tests in progress.
    int running() const { return m_running; }

private:
    Upstream::UpstreamClient *client();

    Upstream::ClientOptions m_options;
    Upstream::UpstreamClient *m_client = nullptr;
    int m_running = 0;
};

} // namespace Relay::Admin
