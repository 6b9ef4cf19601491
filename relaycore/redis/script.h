// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>

namespace Relay::Redis {

// A Lua script and its SHA1, computed once; run it with Client::evalScript (EVALSHA, reloading on NOSCRIPT).
// Make scripts long-lived (e.g. static or members) so the hash is not recomputed per call.
class Script
{
public:
    Script() = default;
    explicit Script(QByteArray source);

    const QByteArray &source() const { return m_source; }
    // Lower-case hex SHA1 of the source, as SCRIPT LOAD returns it.
    const QByteArray &sha1() const { return m_sha1; }
    bool isNull() const { return m_source.isEmpty(); }

private:
    QByteArray m_source;
    QByteArray m_sha1;
};

} // namespace Relay::Redis
