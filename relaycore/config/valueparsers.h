// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>
#include <QStringView>
#include <QtGlobal>

#include <chrono>
#include <optional>

// Parsers and formatters for setting values. Each parser accepts surrounding spaces and returns nullopt when the
// text is not a value of its kind; range checks belong to the setting, not here.
namespace Relay::Config {

// "500ms", "10s", "5m", "1h", "1.5s"; a plain number means seconds ("30" = 30 s).
std::optional<std::chrono::milliseconds> parseDuration(QStringView text);
QString formatDuration(std::chrono::milliseconds value);

// "1048576", "512K", "32M", "1G" and "512KiB", "32MiB", "1GiB" are powers of 1024; "32KB", "32MB", "1GB" are powers
// of 1000; "B" is allowed as a suffix. Case-insensitive.
std::optional<qint64> parseSize(QStringView text);
QString formatSize(qint64 bytes);

struct HostPort
{
    QString host; // IPv6 without brackets
    quint16 port = 0;
};
// "127.0.0.1:3000", "localhost:3000", "[::1]:3000", "0.0.0.0:0"; port 0 means any free port.
std::optional<HostPort> parseHostPort(QStringView text);
QString formatHostPort(const QString &host, quint16 port);

// Empty, redis://[user:password@]host[:port][/db], rediss://… or unix:///absolute/path[?db=N].
bool isValidRedisUrl(const QString &text);

} // namespace Relay::Config
