// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/settingdescriptor.h"

#include "config/valueparsers.h"
#include "log/redaction.h"

#include <QDir>
#include <QThread>
#include <QTimeZone>
#include <QUrl>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace Relay::Config {

namespace {

constexpr double KiB = 1024;
constexpr double MiB = 1024 * KiB;
constexpr double GiB = 1024 * MiB;
constexpr double Second = 1000;
constexpr double Minute = 60 * Second;
constexpr double Hour = 60 * Minute;

QString homeDir(const QProcessEnvironment &env)
{
    const QString home = env.value(u"HOME"_s);
    return home.isEmpty() ? QDir::homePath() : home;
}

// XDG base directories from the injected environment, so tests never depend on the real home.
QString defaultDataDir(const QProcessEnvironment &env)
{
    const QString xdg = env.value(u"XDG_DATA_HOME"_s);
    return (xdg.isEmpty() ? homeDir(env) + u"/.local/share"_s : xdg) + u"/relaydeck"_s;
}

QString defaultConfigFile(const QProcessEnvironment &env)
{
    const QString xdg = env.value(u"XDG_CONFIG_HOME"_s);
    return (xdg.isEmpty() ? homeDir(env) + u"/.config"_s : xdg) + u"/relaydeck/relaydeck.conf"_s;
}

QString defaultSecretFile(const QProcessEnvironment &env)
{
    const QString xdg = env.value(u"XDG_CONFIG_HOME"_s);
    return (xdg.isEmpty() ? homeDir(env) + u"/.config"_s : xdg) + u"/relaydeck/secret.key"_s;
}

QString defaultWorkers(const QProcessEnvironment &)
{
    return QString::number(std::clamp(QThread::idealThreadCount(), 1, 64));
}

QString expandHome(const QString &path, const QProcessEnvironment &env)
{
    if (path == u"~")
        return homeDir(env);
    if (path.startsWith(u"~/"))
        return homeDir(env) + path.mid(1);
    return path;
}

QString formatNumber(double value)
{
    return QString::number(value, 'g', 15);
}

bool inRange(double value, double minimum, double maximum)
{
    return value >= minimum && value <= maximum;
}

// clang-format off
const QList<SettingDescriptor> table = {
    {.key = u"listen"_s, .type = SettingType::HostPort, .field = HostPortField{&Settings::listenHost, &Settings::listenPort}, .defaultValue = u"127.0.0.1:3000"_s, .description = u"Address and port the relay listens on"_s},
    {.key = u"workers"_s, .type = SettingType::Integer, .field = &Settings::workers, .defaultValue = {}, .description = u"Worker threads"_s, .minimum = 1, .maximum = 64, .computeDefault = defaultWorkers},
    {.key = u"redis"_s, .type = SettingType::RedisUrl, .field = &Settings::redisUrl, .defaultValue = {}, .description = u"Redis to use; empty starts a private redis-server in the data directory"_s, .secret = true, .allowEmpty = true},
    {.key = u"data-dir"_s, .type = SettingType::Path, .field = &Settings::dataDir, .defaultValue = {}, .description = u"Directory for the embedded Redis and other state"_s, .computeDefault = defaultDataDir},
    {.key = u"config"_s, .type = SettingType::Path, .field = &Settings::configFile, .defaultValue = {}, .description = u"Configuration file (a missing default file is ignored)"_s, .fileAllowed = false, .computeDefault = defaultConfigFile},
    {.key = u"key-prefix"_s, .type = SettingType::Text, .field = &Settings::keyPrefix, .defaultValue = u"rd:"_s, .description = u"Prefix of every Redis key"_s, .minimum = 1, .maximum = 64},
    {.key = u"secret-file"_s, .type = SettingType::Path, .field = &Settings::secretFile, .defaultValue = {}, .description = u"Server secret file (0600, created on first use); RELAYDECK_SECRET (64 hex characters) overrides it. Relays sharing one Redis need the same secret"_s, .computeDefault = defaultSecretFile},
    {.key = u"api-key-prefix"_s, .type = SettingType::Text, .field = &Settings::apiKeyPrefix, .defaultValue = u"rd_"_s, .description = u"Prefix of generated API keys"_s, .minimum = 1, .maximum = 32},
    {.key = u"body-limit"_s, .type = SettingType::Size, .field = &Settings::bodyLimit, .defaultValue = u"32M"_s, .description = u"Largest accepted request body"_s, .minimum = KiB, .maximum = GiB},
    {.key = u"header-limit"_s, .type = SettingType::Size, .field = &Settings::headerLimit, .defaultValue = u"64K"_s, .description = u"Largest accepted request head"_s, .minimum = KiB, .maximum = 16 * MiB},
    {.key = u"header-timeout"_s, .type = SettingType::Duration, .field = &Settings::headerTimeout, .defaultValue = u"10s"_s, .description = u"Time a client has to send the request head"_s, .minimum = 100, .maximum = Hour},
    {.key = u"idle-timeout"_s, .type = SettingType::Duration, .field = &Settings::idleTimeout, .defaultValue = u"75s"_s, .description = u"Keep-alive idle time before a client connection is closed"_s, .minimum = Second, .maximum = 24 * Hour},
    {.key = u"shutdown-grace"_s, .type = SettingType::Duration, .field = &Settings::shutdownGrace, .defaultValue = u"30s"_s, .description = u"Time running requests get to finish on shutdown"_s, .minimum = 0, .maximum = Hour},
    {.key = u"log.level"_s, .type = SettingType::Choice, .field = &Settings::logLevel, .defaultValue = u"info"_s, .description = u"Lowest level logged"_s, .choices = {u"trace"_s, u"debug"_s, u"info"_s, u"warn"_s, u"error"_s, u"critical"_s, u"off"_s}},
    {.key = u"log.file"_s, .type = SettingType::Path, .field = &Settings::logFile, .defaultValue = {}, .description = u"Log file, rotated by size; empty = no file"_s, .allowEmpty = true},
    {.key = u"log.max-size"_s, .type = SettingType::Size, .field = &Settings::logMaxSize, .defaultValue = u"10M"_s, .description = u"Size at which the log file is rotated"_s, .minimum = 64 * KiB, .maximum = 16 * GiB},
    {.key = u"log.max-files"_s, .type = SettingType::Integer, .field = &Settings::logMaxFiles, .defaultValue = u"5"_s, .description = u"Rotated log files kept"_s, .minimum = 1, .maximum = 1000},
    {.key = u"log.sample-rate"_s, .type = SettingType::Fraction, .field = &Settings::logSampleRate, .defaultValue = u"0.01"_s, .description = u"Fraction of per-request lines logged at info"_s, .minimum = 0, .maximum = 1},
    {.key = u"redis.command-timeout"_s, .type = SettingType::Duration, .field = &Settings::redisCommandTimeout, .defaultValue = u"2s"_s, .description = u"Time a Redis command may take before it fails"_s, .minimum = 10, .maximum = Minute},
    {.key = u"usage.flush-interval"_s, .type = SettingType::Duration, .field = &Settings::usageFlushInterval, .defaultValue = u"100ms"_s, .description = u"Usage of one key, account, model and hour is summed this long before it is written to Redis, as one write; 0 = one write per request. A request that releases a concurrency slot writes at once"_s, .minimum = 0, .maximum = 10 * Second},
    {.key = u"upstream.connect-timeout"_s, .type = SettingType::Duration, .field = &Settings::upstreamConnectTimeout, .defaultValue = u"10s"_s, .description = u"Time to connect to an upstream"_s, .minimum = 100, .maximum = 10 * Minute},
    {.key = u"upstream.first-byte-timeout"_s, .type = SettingType::Duration, .field = &Settings::upstreamFirstByteTimeout, .defaultValue = u"300s"_s, .description = u"Time to the first byte of an upstream answer"_s, .minimum = Second, .maximum = Hour},
    {.key = u"upstream.idle-timeout"_s, .type = SettingType::Duration, .field = &Settings::upstreamIdleTimeout, .defaultValue = u"300s"_s, .description = u"Longest silence within a streamed upstream answer"_s, .minimum = Second, .maximum = Hour},
    {.key = u"upstream.cleartext"_s, .type = SettingType::Choice, .field = &Settings::upstreamCleartext, .defaultValue = u"native"_s, .description = u"Protocol for http:// upstreams: native (HTTP/1.1 keep-alive on the worker thread's own sockets), http1 (HTTP/1.1 through Qt's network stack) or h2c (HTTP/2 with prior knowledge); https:// and proxied upstreams always go through Qt, https:// negotiating HTTP/2 itself"_s, .choices = {u"native"_s, u"http1"_s, u"h2c"_s}},
    {.key = u"upstream.failover-retries"_s, .type = SettingType::Integer, .field = &Settings::failoverRetries, .defaultValue = u"2"_s, .description = u"Further accounts tried when one fails before the first byte reaches the client"_s, .minimum = 0, .maximum = 10},
    {.key = u"max-tokens-policy"_s, .type = SettingType::Choice, .field = &Settings::maxTokensPolicy, .defaultValue = u"reject"_s, .description = u"A max_tokens above the model's output limit: reject (400 invalid_request_error) or clamp (lowered to the limit)"_s, .choices = {u"reject"_s, u"clamp"_s}},
    {.key = u"time-zone"_s, .type = SettingType::TimeZone, .field = &Settings::timeZone, .defaultValue = u"UTC"_s, .description = u"Time zone of daily/weekly limits, quotas and usage statistics (an IANA name)"_s},
    {.key = u"oauth.token-url"_s, .type = SettingType::HttpUrl, .field = &Settings::oauthTokenUrl, .defaultValue = u"https://console.anthropic.com/v1/oauth/token"_s, .description = u"Token endpoint that refreshes Claude OAuth accounts"_s},
    {.key = u"oauth.client-id"_s, .type = SettingType::Text, .field = &Settings::oauthClientId, .defaultValue = u"9d1c250a-e61b-44d9-88ed-5944d1962f5e"_s, .description = u"OAuth client id sent with refresh requests"_s, .minimum = 1, .maximum = 200},
    {.key = u"oauth.refresh-ahead"_s, .type = SettingType::Duration, .field = &Settings::oauthRefreshAhead, .defaultValue = u"5m"_s, .description = u"Refresh an OAuth access token this long before it expires"_s, .minimum = 10 * Second, .maximum = Hour},
    {.key = u"admin.access"_s, .type = SettingType::Choice, .field = &Settings::adminAccess, .defaultValue = u"loopback"_s, .description = u"Who may use the admin API (/admin/…): loopback (clients on this machine only), any (every address that reaches the listener: put TLS in front) or off"_s, .choices = {u"loopback"_s, u"any"_s, u"off"_s}},
    {.key = u"admin.listen"_s, .type = SettingType::HostPort, .field = HostPortField{&Settings::adminHost, &Settings::adminPort}, .defaultValue = {}, .description = u"A separate address and port for the admin API; empty = the relay's own listener under /admin/"_s, .allowEmpty = true},
    {.key = u"admin.password-file"_s, .type = SettingType::Path, .field = &Settings::adminPasswordFile, .defaultValue = {}, .description = u"Where the first start writes the generated admin password (0600); empty = admin-password in the data directory"_s, .allowEmpty = true},
    {.key = u"admin.session-idle"_s, .type = SettingType::Duration, .field = &Settings::adminSessionIdle, .defaultValue = u"30m"_s, .description = u"An admin session ends after this long without a request"_s, .minimum = Minute, .maximum = 7 * 24 * Hour},
    {.key = u"admin.session-lifetime"_s, .type = SettingType::Duration, .field = &Settings::adminSessionLifetime, .defaultValue = u"12h"_s, .description = u"An admin session ends this long after sign-in, used or not"_s, .minimum = Minute, .maximum = 30 * 24 * Hour},
    {.key = u"pricing-file"_s, .type = SettingType::Path, .field = &Settings::pricingFile, .defaultValue = {}, .description = u"Price table override in LiteLLM's JSON format, reloaded when it changes; empty = the built-in table"_s, .allowEmpty = true},
};
// clang-format on

} // namespace

QString SettingDescriptor::flagName() const
{
    return QString(key).replace(u'.', u'-');
}

QString SettingDescriptor::envName() const
{
    return u"RELAYDECK_"_s + key.toUpper().replace(u'.', u'_').replace(u'-', u'_');
}

QString SettingDescriptor::valueName() const
{
    switch (type) {
    case SettingType::Text:
        return u"TEXT"_s;
    case SettingType::Path:
        return u"PATH"_s;
    case SettingType::RedisUrl:
        return u"URL"_s;
    case SettingType::Integer:
        return u"N"_s;
    case SettingType::Fraction:
        return u"FRACTION"_s;
    case SettingType::Size:
        return u"SIZE"_s;
    case SettingType::Duration:
        return u"DURATION"_s;
    case SettingType::Choice:
        return key.section(u'.', -1).toUpper(); // "LEVEL"; the choices go into the description
    case SettingType::HostPort:
        return u"HOST:PORT"_s;
    case SettingType::TimeZone:
        return u"ZONE"_s;
    case SettingType::HttpUrl:
        return u"URL"_s;
    }
    return {};
}

QString SettingDescriptor::defaultFor(const QProcessEnvironment &env) const
{
    return computeDefault ? computeDefault(env) : defaultValue;
}

QString SettingDescriptor::allowedText() const
{
    switch (type) {
    case SettingType::Text:
        return u"must be %1 to %2 characters without spaces"_s.arg(formatNumber(minimum), formatNumber(maximum));
    case SettingType::Path:
        return allowEmpty ? u"must be a path or empty"_s : u"must be a path"_s;
    case SettingType::RedisUrl:
        return u"must be empty (start a private redis-server), redis://[user:password@]host[:port][/db], "
               "rediss://… or unix:///path/to/socket"_s;
    case SettingType::Integer:
        return u"must be an integer from %1 to %2"_s.arg(formatNumber(minimum), formatNumber(maximum));
    case SettingType::Fraction:
        return u"must be a number from %1 to %2"_s.arg(formatNumber(minimum), formatNumber(maximum));
    case SettingType::Size:
        return u"must be a size from %1 to %2, such as 512K, 32M, 32MiB or 1G (K, M, G, KiB, MiB, GiB are "
               "powers of 1024; KB, MB, GB powers of 1000)"_s.arg(formatSize(qint64(minimum)),
                                                                  formatSize(qint64(maximum)));
    case SettingType::Duration:
        return u"must be a duration from %1 to %2, such as 500ms, 10s, 5m or 1h (a plain number is seconds)"_s.arg(
            formatDuration(std::chrono::milliseconds(qint64(minimum))),
            formatDuration(std::chrono::milliseconds(qint64(maximum))));
    case SettingType::Choice:
        return u"must be one of: %1"_s.arg(choices.join(u", "_s));
    case SettingType::HostPort:
        return u"must be HOST:PORT with a port from 0 to 65535, e.g. 127.0.0.1:3000 or [::1]:3000"_s;
    case SettingType::TimeZone:
        return u"must be UTC or an IANA time zone such as Europe/Berlin or Asia/Shanghai"_s;
    case SettingType::HttpUrl:
        return u"must be an http:// or https:// URL with a host"_s;
    }
    return {};
}

bool SettingDescriptor::apply(Settings &settings, const QString &text, const QProcessEnvironment &env) const
{
    const QString trimmed = text.trimmed();
    switch (type) {
    case SettingType::Text: {
        if (trimmed.size() < minimum || trimmed.size() > maximum ||
            std::any_of(trimmed.cbegin(), trimmed.cend(), [](QChar c) { return c.isSpace(); }))
            return false;
        settings.*std::get<QString Settings::*>(field) = trimmed;
        return true;
    }
    case SettingType::Path:
        if (trimmed.isEmpty() && !allowEmpty)
            return false;
        settings.*std::get<QString Settings::*>(field) = expandHome(trimmed, env);
        return true;
    case SettingType::RedisUrl:
        if (!isValidRedisUrl(trimmed))
            return false;
        settings.*std::get<QString Settings::*>(field) = trimmed;
        return true;
    case SettingType::TimeZone:
        if (trimmed.isEmpty() || !QTimeZone(trimmed.toUtf8()).isValid())
            return false;
        settings.*std::get<QString Settings::*>(field) = trimmed;
        return true;
    case SettingType::HttpUrl: {
        const QUrl url(trimmed, QUrl::StrictMode);
        if (!url.isValid() || url.host().isEmpty() || (url.scheme() != u"http" && url.scheme() != u"https"))
            return false;
        settings.*std::get<QString Settings::*>(field) = trimmed;
        return true;
    }
    case SettingType::Integer: {
        bool ok = false;
        const int value = trimmed.toInt(&ok);
        if (!ok || !inRange(value, minimum, maximum))
            return false;
        settings.*std::get<int Settings::*>(field) = value;
        return true;
    }
    case SettingType::Fraction: {
        bool ok = false;
        const double value = trimmed.toDouble(&ok);
        if (!ok || !std::isfinite(value) || !inRange(value, minimum, maximum))
            return false;
        settings.*std::get<double Settings::*>(field) = value;
        return true;
    }
    case SettingType::Size: {
        const auto value = parseSize(trimmed);
        if (!value || !inRange(double(*value), minimum, maximum))
            return false;
        settings.*std::get<qint64 Settings::*>(field) = *value;
        return true;
    }
    case SettingType::Duration: {
        const auto value = parseDuration(trimmed);
        if (!value || !inRange(double(value->count()), minimum, maximum))
            return false;
        settings.*std::get<std::chrono::milliseconds Settings::*>(field) = *value;
        return true;
    }
    case SettingType::Choice: {
        const QString lower = trimmed.toLower();
        if (!choices.contains(lower))
            return false;
        settings.*std::get<QString Settings::*>(field) = lower;
        return true;
    }
    case SettingType::HostPort: {
        const auto &f = std::get<HostPortField>(field);
        if (trimmed.isEmpty() && allowEmpty) {
            settings.*f.host = QString();
            settings.*f.port = 0;
            return true;
        }
        const auto value = parseHostPort(trimmed);
        if (!value)
            return false;
        settings.*f.host = value->host;
        settings.*f.port = value->port;
        return true;
    }
    }
    return false;
}

QString SettingDescriptor::format(const Settings &settings) const
{
    switch (type) {
    case SettingType::Text:
    case SettingType::Path:
    case SettingType::RedisUrl:
    case SettingType::Choice:
    case SettingType::TimeZone:
    case SettingType::HttpUrl:
        return settings.*std::get<QString Settings::*>(field);
    case SettingType::Integer:
        return QString::number(settings.*std::get<int Settings::*>(field));
    case SettingType::Fraction:
        return formatNumber(settings.*std::get<double Settings::*>(field));
    case SettingType::Size:
        return formatSize(settings.*std::get<qint64 Settings::*>(field));
    case SettingType::Duration:
        return formatDuration(settings.*std::get<std::chrono::milliseconds Settings::*>(field));
    case SettingType::HostPort: {
        const auto &f = std::get<HostPortField>(field);
        if ((settings.*f.host).isEmpty() && allowEmpty)
            return {};
        return formatHostPort(settings.*f.host, settings.*f.port);
    }
    }
    return {};
}

QString SettingDescriptor::displayText(const QString &text) const
{
    if (!secret)
        return text;
    if (type == SettingType::RedisUrl)
        return Log::redactUrl(text);
    return Log::redactSecret(text.toUtf8());
}

const QList<SettingDescriptor> &settingDescriptors()
{
    return table;
}

const SettingDescriptor *findSetting(const QString &key)
{
    for (const SettingDescriptor &descriptor : table) {
        if (descriptor.key == key)
            return &descriptor;
    }
    return nullptr;
}

} // namespace Relay::Config
