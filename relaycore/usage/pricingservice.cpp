// SPDX-License-Identifier: GPL-3.0-or-later
#include "usage/pricingservice.h"

#include "log/logger.h"

#include <QFile>
#include <QFileInfo>

namespace Relay::Usage {

PricingService::PricingService(QObject *parent)
    : QObject(parent)
{
    m_reloadTimer.setSingleShot(true);
    m_reloadTimer.setInterval(ReloadDelayMs);
    connect(&m_reloadTimer, &QTimer::timeout, this, [this] { loadOverride(false); });
    connect(&m_watcher, &QFileSystemWatcher::fileChanged, this, [this] { m_reloadTimer.start(); });
    // An atomic-rename save drops the file from the watch; the directory tells when it is back.
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, [this] { m_reloadTimer.start(); });

    PricingTable::LoadResult builtIn = loadBuiltIn();
    if (builtIn.ok()) {
        install(std::move(builtIn.table));
    } else {
        // An empty table still answers every lookup with "unknown", which records cost_unknown.
        m_cell->table.store(std::make_shared<const PricingTable>());
        fail(builtIn.error);
    }
}

PricingService::~PricingService() = default;

PricingTable::LoadResult PricingService::loadBuiltIn()
{
    QFile file(builtInPath());
    if (!file.open(QIODevice::ReadOnly))
        return {nullptr, QStringLiteral("built-in price table %1 is missing").arg(builtInPath())};
    PricingTable::LoadResult result = PricingTable::fromJson(file.readAll());
    if (!result.ok())
        result.error = QStringLiteral("built-in price table: %1").arg(result.error);
    return result;
}

bool PricingService::setOverridePath(const QString &path)
{
    if (!m_watcher.files().isEmpty())
        m_watcher.removePaths(m_watcher.files());
    if (!m_watcher.directories().isEmpty())
        m_watcher.removePaths(m_watcher.directories());
    m_path = path;
    m_loadedBytes.clear();
    if (m_path.isEmpty())
        return reload();
    watch();
    return loadOverride(true);
}

std::shared_ptr<const PricingTable> PricingService::current() const
{
    return m_cell->table.load(std::memory_order_acquire);
}

PricingAccessor PricingService::accessor() const
{
    return [cell = m_cell] { return cell->table.load(std::memory_order_acquire); };
}

bool PricingService::reload()
{
    if (!m_path.isEmpty())
        return loadOverride(true);
    PricingTable::LoadResult builtIn = loadBuiltIn();
    if (!builtIn.ok()) {
        fail(builtIn.error);
        return false;
    }
    install(std::move(builtIn.table));
    return true;
}

bool PricingService::loadOverride(bool force)
{
    watch();
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (force || QFileInfo::exists(m_path))
            fail(QStringLiteral("price file %1: %2").arg(m_path, file.errorString()));
        return false; // absent between the unlink and the rename of a save: the directory watch brings it back
    }
    const QByteArray bytes = file.readAll();
    if (!force && bytes == m_loadedBytes)
        return true; // e.g. another file in the directory changed
    PricingTable::LoadResult result = PricingTable::fromJson(bytes);
    if (!result.ok()) {
        m_loadedBytes = bytes; // do not report the same broken content again for unrelated directory events
        fail(QStringLiteral("price file %1: %2").arg(m_path, result.error));
        return false;
    }
    m_loadedBytes = bytes;
    Log::logger().info("loaded {} model prices from {}", result.table->size(), m_path);
    install(std::move(result.table));
    return true;
}

void PricingService::install(std::shared_ptr<const PricingTable> table)
{
    m_cell->table.store(std::move(table), std::memory_order_release);
    m_lastError.clear();
    Q_EMIT reloaded();
}

void PricingService::fail(const QString &message)
{
    m_lastError = message;
    Log::logger().error("{} (keeping the previous price table)", message);
    Q_EMIT reloadFailed(message);
}

void PricingService::watch()
{
    if (m_path.isEmpty())
        return;
    const QFileInfo info(m_path);
    const QString directory = info.absolutePath();
    if (!m_watcher.directories().contains(directory))
        m_watcher.addPath(directory);
    if (info.exists() && !m_watcher.files().contains(m_path))
        m_watcher.addPath(m_path);
}

} // namespace Relay::Usage
