// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

namespace Relay::Http {

class Exchange;

// Called on the worker thread that owns the connection. Implementations keep per-worker state indexed by
// workerIndex, so nothing here needs a lock.
class ServerObserver
{
public:
    virtual ~ServerObserver() = default;
    virtual void connectionOpened(int workerIndex) { Q_UNUSED(workerIndex) }
    virtual void connectionClosed(int workerIndex) { Q_UNUSED(workerIndex) }
    virtual void requestStarted(const Exchange &exchange) { Q_UNUSED(exchange) }
    virtual void requestFinished(const Exchange &exchange) { Q_UNUSED(exchange) }
};

struct ServerOptions
{
    QString host = QStringLiteral("127.0.0.1");
    quint16 port = 0; // 0 picks a free port; every worker then shares that one
    int workers = 1;
    qint64 bodyLimit = 32 * 1024 * 1024;
    qint64 headerLimit = 64 * 1024;
    qint64 headerTimeoutMs = 10'000; // from the first byte of a request to the end of its headers
    qint64 idleTimeoutMs = 75'000;   // keep-alive idle, stalled body upload, or stalled client read
    int maxPipelineDepth = 16;       // parsed requests in flight per connection before reading pauses
    qint64 writeHighWatermark = 256 * 1024;
    qint64 writeLowWatermark = 64 * 1024;
    // Where the port lock lives; empty = the system temp dir.
    QString lockDirectory;
};

} // namespace Relay::Http
