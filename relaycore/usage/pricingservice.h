// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "usage/pricingtable.h"

#include <QByteArray>
#include <QFileSystemWatcher>
#include <QObject>
#include <QString>
#include <QTimer>

#include <atomic>
#include <functional>
#include <memory>

namespace Relay::Usage {

// Hands the current price table to any thread: one atomic shared_ptr copy per request, no file I/O.
using PricingAccessor = std::function<std::shared_ptr<const PricingTable>()>;

// Owns the relay's price table (control thread).
//
// Loads the built-in table (the Qt resource :/pricing/model_prices.json) on construction. With an override file set,
// that file is loaded instead and watched: a change (including an editor's save by atomic rename, which replaces
// the inode) reloads it on this object's thread, never on a request path. A file that cannot be read or parsed
// keeps the previous table and emits reloadFailed(); the watch stays, so fixing the file recovers.
class PricingService : public QObject
{
    Q_OBJECT

public:
    static constexpr int ReloadDelayMs = 100; // coalesces the several writes of one save

    explicit PricingService(QObject *parent = nullptr);
    ~PricingService() override;

    // The built-in table (never fails for a correct build; a failure names the problem).
    static PricingTable::LoadResult loadBuiltIn();
    static QString builtInPath() { return QStringLiteral(":/pricing/model_prices.json"); }

    // Uses the file instead of the built-in table and watches it; an empty path goes back to the built-in table.
    // Returns false (previous table kept, reloadFailed emitted) if the file cannot be loaded now.
    bool setOverridePath(const QString &path);
    QString overridePath() const { return m_path; }

    // Thread-safe.
    std::shared_ptr<const PricingTable> current() const;
    // A thread-safe accessor that stays valid after this service is destroyed (it then returns the last table).
    PricingAccessor accessor() const;
    // The last load error (empty after a successful load).
    QString lastError() const { return m_lastError; }

    // Reloads the override file now (or the built-in table without one).
    bool reload();

Q_SIGNALS:
    void reloaded();
    void reloadFailed(const QString &message);

private:
    struct Cell
    {
        std::atomic<std::shared_ptr<const PricingTable>> table;
    };

    bool loadOverride(bool force);
    void install(std::shared_ptr<const PricingTable> table);
    void fail(const QString &message);
    void watch();

    std::shared_ptr<Cell> m_cell = std::make_shared<Cell>();
    QFileSystemWatcher m_watcher;
    QTimer m_reloadTimer;
    QString m_path;
    QByteArray m_loadedBytes; // of the override file, to skip reloads that change nothing
    QString m_lastError;
};

} // namespace Relay::Usage
