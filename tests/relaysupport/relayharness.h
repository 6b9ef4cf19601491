// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/settings.h"
#include "domain/accountstore.h"
#include "domain/keystore.h"
#include "mockupstream.h"
#include "rawhttpclient.h"
#include "redis/client.h"
#include "redisserver.h"
#include "service/relayservice.h"

#include <QTemporaryDir>

#include <memory>

// A whole relay for tests: a real redis-server, the mock Anthropic upstream, a server secret in a temp dir, the
// key and account stores the CLI uses, and a RelayService on a free port. start() order: construct (Redis, mock,
// stores), create keys and accounts, then startRelay(). Everything stops in the destructor.
class RelayHarness
{
public:
    struct Options
    {
        int mockDeltas = 5;
        int workers = 2;
    };

    RelayHarness();
    explicit RelayHarness(Options options);
    ~RelayHarness();

    // Redis and the mock; false with errorString() on failure.
    bool start();
    QString errorString() const { return m_error; }

    // Blocking helpers (they spin the test's event loop); an empty result means failure (see errorString()).
    QByteArray createKey(const QString &name = QStringLiteral("test key"), int concurrency = 0,
                         QByteArray *id = nullptr);
    QByteArray createAccount(const QString &name, const QString &baseUrl, int priority = 50,
                             const QByteArray &secret = "sk-ant-api03-upstream-secret");

    // Settings for the relay; adjust before startRelay().
    Relay::Config::Settings &settings() { return m_settings; }
    // Where each setting came from, as relaydeckd passes it on; empty = all defaults.
    Relay::Config::SettingOrigins &settingOrigins() { return m_settingOrigins; }
    bool startRelay();

    RedisServer &redis() { return *m_redis; }
    MockUpstream &mock() { return *m_mock; }
    Relay::Domain::KeyStore &keys() { return *m_keys; }
    Relay::Domain::AccountStore &accounts() { return *m_accounts; }
    Relay::Service::RelayService &relay() { return *m_relay; }
    quint16 port() const { return m_relay ? m_relay->port() : 0; }
    QString baseUrl() const { return QStringLiteral("http://127.0.0.1:%1").arg(port()); }
    QString dataDir() const { return m_dir.path(); }

    // One request on a fresh connection.
    RawHttpClient::Response send(const QByteArray &raw, int timeoutMs = 10000);
    // A raw POST with a JSON body and optional x-api-key.
    static QByteArray post(const QByteArray &path, const QByteArray &key, const QByteArray &body,
                           const QByteArray &extraHeaders = {});

private:
    Options m_options;
    QTemporaryDir m_dir;
    QString m_error;
    std::unique_ptr<RedisServer> m_redis;
    std::unique_ptr<MockUpstream> m_mock;
    std::unique_ptr<Relay::Redis::Client> m_client;
    std::unique_ptr<Relay::Domain::KeyStore> m_keys;
    std::unique_ptr<Relay::Domain::AccountStore> m_accounts;
    Relay::Config::Settings m_settings;
    Relay::Config::SettingOrigins m_settingOrigins;
    std::unique_ptr<Relay::Service::RelayService> m_relay;
};
