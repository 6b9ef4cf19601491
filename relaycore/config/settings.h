// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QHash>
#include <QString>
#include <QtGlobal>

#include <chrono>

namespace Relay::Config {

// The relay's effective settings: a plain value, copied into whatever needs it. SettingsLoader fills every field
// from defaults, the config file, RELAYDECK_* variables and command-line flags; the table in settingdescriptor.cpp
// lists each setting once with its default, limits and description.
struct Settings
{
    QString listenHost; // without brackets for IPv6 ("::1")
    quint16 listenPort = 0;
    int workers = 0;
    QString redisUrl; // redis://, rediss:// or unix:///path; empty = start the embedded redis-server
    QString dataDir;
    QString configFile;
    QString keyPrefix;
    QString secretFile;   // server secret (API-key hashing, secret encryption); RELAYDECK_SECRET overrides it
    QString apiKeyPrefix; // prefix of generated client API keys

    QString logLevel; // trace, debug, info, warn, error, critical or off (see Relay::Log::levelFromName)
    QString logFile;  // empty = no log file
    qint64 logMaxSize = 0;
    int logMaxFiles = 0;
    double logSampleRate = 0; // fraction of per-request lines logged at info

    qint64 bodyLimit = 0;   // bytes
    qint64 headerLimit = 0; // bytes
    std::chrono::milliseconds headerTimeout{0};
    std::chrono::milliseconds idleTimeout{0}; // keep-alive idle
    std::chrono::milliseconds shutdownGrace{0};
    std::chrono::milliseconds redisCommandTimeout{0};
    std::chrono::milliseconds usageFlushInterval{0}; // usage summed this long before it is written; 0 = each request
    std::chrono::milliseconds upstreamConnectTimeout{0};
    std::chrono::milliseconds upstreamFirstByteTimeout{0};
    std::chrono::milliseconds upstreamIdleTimeout{0};
    QString upstreamCleartext; // native (own HTTP/1.1 on the worker thread), http1 (QNAM pool) or h2c
    int failoverRetries = 0;
    QString pricingFile;     // empty = built-in prices
    QString maxTokensPolicy; // reject or clamp
    QString timeZone;        // IANA id of the day/week boundaries (limits, quotas, usage buckets)
    QString oauthTokenUrl;
    QString oauthClientId;
    std::chrono::milliseconds oauthRefreshAhead{0};

    QString adminAccess; // loopback, any or off
    QString adminHost;   // empty = the admin API shares the relay's listener
    quint16 adminPort = 0;
    QString adminPasswordFile; // empty = <dataDir>/admin-password
    std::chrono::milliseconds adminSessionIdle{0};
    std::chrono::milliseconds adminSessionLifetime{0};
};

enum class Source { Default, File, Environment, CommandLine };

// Where a setting's effective value came from: the file and line, the variable or the flag.
struct SettingOrigin
{
    Source source = Source::Default;
    QString where; // "/etc/relaydeck.conf:12", "RELAYDECK_WORKERS", "--workers"; empty for defaults
};

using SettingOrigins = QHash<QString, SettingOrigin>; // by setting key ("log.level")

} // namespace Relay::Config
