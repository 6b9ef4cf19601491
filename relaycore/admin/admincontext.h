// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/settings.h"
#include "domain/domainkeys.h"
#include "domain/serversecret.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QString>
#include <QTimeZone>

#include <functional>
#include <memory>

namespace Relay::Redis {
class Client;
struct Statistics;
} // namespace Relay::Redis
namespace Relay::Metrics {
class Registry;
}
namespace Relay::Service {
class RelayMetrics;
}
namespace Relay::Proxy {
class RelayContext;
class AccountSync;
} // namespace Relay::Proxy
namespace Relay::Domain {
class ChangeFeed;
}
namespace Relay::Log {
class RingBufferSink;
}
namespace Relay::Usage {
struct UsageRecorderStats;
}

namespace Relay::Admin {

class AuditLog;

// What the admin API's handlers may use. Everything here lives on the control thread (or is thread-safe, as the
// metrics registry and the log ring buffer are), so handlers, which run on the control thread, use it without
// locks. Pointers may be null in unit tests that do not need them.
struct AdminContext
{
    Config::Settings settings;
    Config::SettingOrigins settingOrigins; // where each setting came from; a key not listed is a default
    QString version;
    Redis::Client *redis = nullptr; // the control thread's connection
    Domain::DomainKeys keys;
    Domain::ServerSecret secret;
    QByteArray apiKeyPrefix; // of generated client keys
    QTimeZone timeZone;      // the relay's `time-zone` (usage days and hours)
    Metrics::Registry *registry = nullptr;
    const Service::RelayMetrics *relayMetrics = nullptr;
    Proxy::RelayContext *relay = nullptr; // account directory, proxy metrics, pricing
    Domain::ChangeFeed *changeFeed = nullptr;
    std::shared_ptr<Log::RingBufferSink> logs;
    AuditLog *audit = nullptr;
    // Usage write backlog etc., summed over workers (thread-safe snapshot).
    std::function<qint64()> usageBacklog;
    QElapsedTimer uptime;
    // Listener, Redis state and the like for GET /admin/status (merged into its answer).
    std::function<QJsonObject()> relayStatus;
};

} // namespace Relay::Admin
