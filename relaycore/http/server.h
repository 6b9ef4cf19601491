// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/router.h"
#include "http/serveroptions.h"

#include <QObject>
#include <QString>

#include <functional>
#include <memory>
#include <vector>

class QLockFile;

namespace Relay::Http {

class Worker;

// The relay's HTTP/1.1 server: N worker threads, each with its own event loop and its own SO_REUSEPORT listener on
// the same port, so the kernel spreads connections and no request crosses threads. A lock file per address:port
// keeps a second RelayDeck from silently sharing the port.
class Server : public QObject
{
    Q_OBJECT
public:
    // Runs on each worker thread right after it starts, before it accepts: the place to create per-worker objects
    // (Redis client, upstream client, metrics shard). `context` lives on that thread until the worker stops and is
    // a good parent for them.
    using WorkerSetup = std::function<void(int workerIndex, QObject *context)>;
    // Runs on each worker thread when it stops, after its last connection closed and before its event loop ends:
    // the place to finish work that outlives the requests (usage still to be written). The worker ends when `done`
    // is called, so the drain must bound its own time.
    using WorkerDrain = std::function<void(int workerIndex, std::function<void()> done)>;

    explicit Server(QObject *parent = nullptr);
    ~Server() override;

    void setOptions(const ServerOptions &options) { m_options = options; }
    const ServerOptions &options() const { return m_options; }
    // Must be complete before start(); workers read it without locks.
    Router &router() { return m_router; }
    void setObserver(ServerObserver *observer) { m_observer = observer; }
    void setWorkerSetup(WorkerSetup setup) { m_setup = std::move(setup); }
    void setWorkerDrain(WorkerDrain drain) { m_drain = std::move(drain); }

    // Binds all listeners and starts the workers; returns an empty string on success or a message for the user.
    QString start();
    quint16 port() const { return m_port; }
    bool isRunning() const { return m_running; }
    int workerCount() const { return int(m_workers.size()); }

    // Graceful stop: close the listeners, let in-flight requests finish, cut what remains after `graceMs`.
    // Emits stopped() when every worker thread has ended.
    void stop(qint64 graceMs);
    // For destructors and tests: stop and wait for the workers.
    void stopAndWait(qint64 graceMs);

Q_SIGNALS:
    void stopped();

private:
    void workerEnded();

    ServerOptions m_options;
    Router m_router;
    ServerObserver *m_observer = nullptr;
    WorkerSetup m_setup;
    WorkerDrain m_drain;
    std::vector<std::unique_ptr<Worker>> m_workers;
    std::unique_ptr<QLockFile> m_lock;
    quint16 m_port = 0;
    bool m_running = false;
    int m_workersRunning = 0;
};

} // namespace Relay::Http
