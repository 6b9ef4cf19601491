// SPDX-License-Identifier: GPL-3.0-or-later
#include "relayharness.h"

#include "config/settingsloader.h"
#include "domain/secretbox.h"
#include "domain/serversecret.h"

#include <QSignalSpy>
#include <QTest>

using namespace Relay;

namespace {

// Spins the event loop until `done` or the timeout.
template <typename Predicate>
bool waitFor(Predicate done, int timeoutMs = 10000)
{
    for (int waited = 0; !done() && waited < timeoutMs; waited += 10)
        QTest::qWait(10);
    return done();
}

} // namespace

RelayHarness::RelayHarness()
    : RelayHarness(Options{})
{}

RelayHarness::RelayHarness(Options options)
    : m_options(options)
{}

RelayHarness::~RelayHarness()
{
    if (m_redis && m_redis->isPaused())
        m_redis->resume();
    m_relay.reset();
    m_accounts.reset();
    m_keys.reset();
    m_client.reset();
}

bool RelayHarness::start()
{
    m_redis = std::make_unique<RedisServer>();
    if (!m_redis->start()) {
        m_error = m_redis->errorString();
        return false;
    }
    MockUpstream::Options mo;
    mo.deltas = m_options.mockDeltas;
    m_mock = std::make_unique<MockUpstream>(mo);
    if (!m_mock->start()) {
        m_error = m_mock->errorString();
        return false;
    }
    const QString secretFile = m_dir.filePath(QStringLiteral("secret.key"));
    const auto secret = Domain::ServerSecret::loadFile(secretFile, true);
    if (!secret.ok()) {
        m_error = secret.error.message;
        return false;
    }
    m_client = std::make_unique<Redis::Client>(*Redis::ConnectionOptions::fromUrl(m_redis->url()));
    const Domain::DomainKeys keys;
    m_keys = std::make_unique<Domain::KeyStore>(m_client.get(), keys, secret.value);
    m_accounts =
        std::make_unique<Domain::AccountStore>(m_client.get(), keys, Domain::SecretBox(secret.value.encryptionKey()));

    QProcessEnvironment env;
    env.insert(QStringLiteral("HOME"), m_dir.path());
    m_settings = Config::SettingsLoader::defaults(env);
    m_settings.listenHost = QStringLiteral("127.0.0.1");
    m_settings.listenPort = 0;
    m_settings.workers = m_options.workers;
    m_settings.redisUrl = m_redis->url();
    m_settings.dataDir = m_dir.path();
    m_settings.secretFile = secretFile;
    m_settings.shutdownGrace = std::chrono::milliseconds(1000);
    m_settings.upstreamFirstByteTimeout = std::chrono::milliseconds(3000);
    m_settings.upstreamIdleTimeout = std::chrono::milliseconds(3000);
    return true;
}

QByteArray RelayHarness::createKey(const QString &name, int concurrency, QByteArray *id)
{
    Domain::NewApiKey request;
    request.name = name;
    request.concurrencyLimit = concurrency;
    std::optional<Domain::Result<Domain::CreatedApiKey>> result;
    m_keys->create(request, nullptr, [&](const Domain::Result<Domain::CreatedApiKey> &r) { result = r; });
    if (!waitFor([&] { return result.has_value(); }) || !result->ok()) {
        m_error = result ? result->error.message : QStringLiteral("key creation timed out");
        return {};
    }
    if (id)
        *id = result->value.key.id;
    return result->value.clearKey;
}

QByteArray RelayHarness::createAccount(const QString &name, const QString &baseUrl, int priority,
                                       const QByteArray &secret)
{
    Domain::NewAccount request;
    request.name = name;
    request.baseUrl = baseUrl;
    request.secret = secret;
    request.priority = priority;
    std::optional<Domain::Result<Domain::Account>> result;
    m_accounts->create(request, nullptr, [&](const Domain::Result<Domain::Account> &r) { result = r; });
    if (!waitFor([&] { return result.has_value(); }) || !result->ok()) {
        m_error = result ? result->error.message : QStringLiteral("account creation timed out");
        return {};
    }
    return result->value.id;
}

bool RelayHarness::startRelay()
{
    m_relay = std::make_unique<Service::RelayService>(m_settings);
    m_relay->setSettingOrigins(m_settingOrigins);
    QSignalSpy started(m_relay.get(), &Service::RelayService::started);
    QSignalSpy failed(m_relay.get(), &Service::RelayService::startFailed);
    m_relay->start();
    waitFor([&] { return !started.isEmpty() || !failed.isEmpty(); });
    if (!failed.isEmpty())
        m_error = failed.first().first().toString();
    else if (started.isEmpty())
        m_error = QStringLiteral("the relay did not start in time");
    return !started.isEmpty();
}

RawHttpClient::Response RelayHarness::send(const QByteArray &raw, int timeoutMs)
{
    RawHttpClient c;
    if (!c.connectTo(port()))
        return {};
    return c.request(raw, timeoutMs);
}

QByteArray RelayHarness::post(const QByteArray &path, const QByteArray &key, const QByteArray &body,
                              const QByteArray &extraHeaders)
{
    return "POST " + path +
           " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nanthropic-version: 2023-06-01\r\n" +
           (key.isEmpty() ? QByteArray() : "x-api-key: " + key + "\r\n") + extraHeaders +
           "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}
