// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

#include <atomic>

namespace Relay::Redis {

// Counters of one Client, written by its thread and readable from any thread without locks
// (relaxed atomics: each value is exact, but a set of values is not one consistent snapshot).
struct Statistics
{
    std::atomic<quint64> commandsSent{0};    // written to the socket
    std::atomic<quint64> replies{0};         // replies received (including error replies)
    std::atomic<quint64> errorReplies{0};    // replies of type Error
    std::atomic<quint64> timeouts{0};        // commands failed with Timeout
    std::atomic<quint64> failures{0};        // commands failed with Disconnected / QueueFull / Protocol
    std::atomic<quint64> reconnects{0};      // connections re-established after a loss
    std::atomic<quint64> connectFailures{0}; // connect or AUTH/SELECT attempts that failed
    std::atomic<qint64> inFlight{0};         // sent, reply outstanding
    std::atomic<qint64> queued{0};           // waiting for a connection
    std::atomic<bool> connected{false};
};

} // namespace Relay::Redis
