// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>

class QSocketNotifier;

namespace Relay::Service {

// Turns SIGTERM, SIGINT and SIGHUP into Qt signals on the thread that created the watcher (self-pipe: the
// handler only writes one byte, everything else runs in the event loop). One watcher per process.
class UnixSignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit UnixSignalWatcher(QObject *parent = nullptr);
    ~UnixSignalWatcher() override;

Q_SIGNALS:
    void terminationRequested(int signalNumber); // SIGTERM or SIGINT
    void reloadRequested();                      // SIGHUP

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace Relay::Service
