// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/settings.h"
#include "http/server.h"
#include "metrics/registry.h"
#include "redis/connectionoptions.h"
#include "service/relaymetrics.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QMutex>
#include <QObject>
#include <QTimer>

#include <atomic>
#include <memory>
#include <vector>

namespace Relay::Embedded {
class EmbeddedRedis;
}
namespace Relay::Redis {
class Client;
struct Statistics;
} // namespace Relay::Redis
namespace Relay::Domain {
class ChangeFeed;
class DomainKeys;
class ServerSecret;
} // namespace Relay::Domain
namespace Relay::Proxy {
class AccountSync;
class TokenRefresher;
class RelayContext;
} // namespace Relay::Proxy
namespace Relay::Admin {
class AdminApi;
}
namespace Relay::Usage {
class PricingService;
struct UsageRecorderStats;
} // namespace Relay::Usage

namespace Relay::Service {

// What /health reports, written by the control thread's health check and read by the workers without locks.
struct HealthState
{
    std::atomic<bool> redisUp{false};
    std::atomic<qint64> redisRoundTripUs{-1};
    std::atomic<qint64> lastCheckMs{0}; // on the service's uptime clock
};

// The relay process: the embedded or external Redis, the HTTP workers with their per-worker state, the metrics
// registry and the control-thread jobs (Redis health check). relaydeckd and the console's bundled relay both run
// one of these; it lives on the thread that created it (the control thread).
class RelayService : public QObject
{
    Q_OBJECT
public:
    explicit RelayService(Config::Settings settings, QObject *parent = nullptr);
    ~RelayService() override;

    // Where each setting came from (SettingsLoader's LoadResult::origins), for the admin API's settings page. Call
    // before start(); without it every setting is reported as a default.
    void setSettingOrigins(Config::SettingOrigins origins) { m_settingOrigins = std::move(origins); }

    // Starts Redis (embedded unless a URL is configured), then the HTTP workers; emits started() or
    // startFailed(message) once done (never from inside the call).
    void start();
    // Graceful stop within the configured grace period; emits stopped() when done.
    void stop();
    void stopAndWait();

    bool isRunning() const { return m_server.isRunning(); }
    quint16 port() const { return m_server.port(); }
    const Config::Settings &settings() const { return m_settings; }
    // The Redis in use, password masked ("unix:///…/redis.sock (embedded)").
    QString redisDescription() const;
    const HealthState &health() const { return m_health; }
    Metrics::Registry &metricsRegistry() { return m_registry; }
    // The data plane's shared state and the process metric families (null before Redis is up).
    Proxy::RelayContext *relayContext() const { return m_relay.get(); }
    const RelayMetrics *relayMetrics() const { return m_metrics.get(); }
    // The admin API (null when admin.access is off or before start()); lives on this thread.
    Admin::AdminApi *admin() const { return m_admin; }
    // The admin API's own port when admin.listen is set, else 0 (it is then under /admin/ on port()).
    quint16 adminPort() const { return m_adminServer.port(); }

    // What /metrics answers (Prometheus text); also readable after stop(), e.g. the usage written by the drain.
    QByteArray metricsText() const;

Q_SIGNALS:
    void started();
    void startFailed(const QString &message);
    void stopped();
    void redisAvailabilityChanged(bool up);
    // The first start created the admin user; the password is also in passwordFile (0600). Shown once to the
    // person starting the relay, never logged.
    void adminPasswordCreated(const QString &user, const QString &password, const QString &passwordFile);

private:
    struct WorkerState
    {
        Metrics::Shard *shard = nullptr;
        Redis::Client *redis = nullptr; // lives on the worker thread
    };
    class Observer;

    void startWithRedis(const QString &redisUrl);
    void startServing();
    void fail(const QString &message);
    void buildRoutes();
    void setUpAdmin(const Domain::DomainKeys &keys, const Domain::ServerSecret &secret);
    QJsonObject statusJson() const;
    void setUpWorker(int index, QObject *context);
    void checkRedis();
    void setRedisUp(bool up, qint64 roundTripUs);
    QByteArray healthJson(int *status) const;

    Config::Settings m_settings;
    Config::SettingOrigins m_settingOrigins;
    QString m_version;
    QElapsedTimer m_uptime;
    std::unique_ptr<Embedded::EmbeddedRedis> m_embeddedRedis;
    Redis::ConnectionOptions m_redisOptions;
    Redis::Client *m_controlRedis = nullptr;
    QTimer m_healthTimer;
    HealthState m_health;

    Metrics::Registry m_registry;
    std::unique_ptr<RelayMetrics> m_metrics;
    Metrics::Shard *m_controlShard = nullptr;
    std::vector<WorkerState> m_workers;
    std::unique_ptr<Observer> m_observer;
    mutable QMutex m_redisStatsMutex;
    std::vector<std::shared_ptr<const Redis::Statistics>> m_redisStats;

    std::unique_ptr<Usage::PricingService> m_pricing;
    std::unique_ptr<Proxy::RelayContext> m_relay;
    Domain::ChangeFeed *m_changeFeed = nullptr;
    Proxy::AccountSync *m_accountSync = nullptr;
    Proxy::TokenRefresher *m_tokenRefresher = nullptr;
    std::vector<std::shared_ptr<const Usage::UsageRecorderStats>> m_recorderStats; // under m_redisStatsMutex

    Admin::AdminApi *m_admin = nullptr;

    Http::Server m_server;
    Http::Server m_adminServer; // only with admin.listen
};

} // namespace Relay::Service
