// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace Relay::Redis {

// Where and how a Client connects. Usually parsed from a URL:
//   redis://[[user]:password@]host[:port][/db]
//   unix:///path/to/redis.sock[?db=N&password=...&user=...]   (also redis+unix://)
// The user name and password may be percent-encoded.
struct ConnectionOptions
{
    enum class Transport { Tcp, Unix };

    Transport transport = Transport::Tcp;
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 6379;
    QString socketPath; // Unix transport only
    int database = 0;
    QByteArray user;     // ACL user; empty means AUTH <password> only
    QByteArray password; // empty means no AUTH

    // Default per-command timeout; a command without a reply after this long fails with Timeout.
    int commandTimeoutMs = 2000;
    // How long connecting plus AUTH/SELECT may take before the attempt is abandoned and retried.
    int connectTimeoutMs = 2000;
    // Commands that may wait for a reconnect (WhenDown::Queue); beyond this they fail with QueueFull.
    int maxQueuedCommands = 10000;
    // Reconnect backoff: first delay, doubling up to the maximum, with +-20% jitter.
    int reconnectInitialDelayMs = 100;
    int reconnectMaxDelayMs = 5000;

    // Parses a URL; on failure returns nullopt and, if errorMessage is given, says what is wrong.
    static std::optional<ConnectionOptions> fromUrl(const QString &url, QString *errorMessage = nullptr);

    // The URL of these options; the password is shown as "****" unless showPassword is set (for logs).
    QString toUrl(bool showPassword = false) const;
    // "127.0.0.1:6379" or the socket path, for messages.
    QString endpoint() const;
};

} // namespace Relay::Redis
