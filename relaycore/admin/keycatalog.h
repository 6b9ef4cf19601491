// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "admin/keyjson.h"
#include "domain/apikey.h"
#include "domain/domainerror.h"
#include "domain/domainkeys.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace Relay::Redis {
class Client;
class Reply;
} // namespace Relay::Redis
namespace Relay::Domain {
class ChangeFeed;
}

namespace Relay::Admin {

// How the key list is ordered.
enum class KeySort {
    LastUsed, // newest use first; never-used keys after, newest created first
    Name,     // case-insensitive, A first
    Created,  // newest first
};
QString keySortName(KeySort sort);
std::optional<KeySort> keySortFromName(const QString &name);

// Every API key record in memory, for the admin list: filtering, sorting and paging 10,000 keys takes a few
// milliseconds instead of 10,000 HGETALLs per page. Lives on the control thread.
//
// load() reads the whole key index (SSCAN + pipelined HGETALL per batch); follow() keeps the copy current from the
// change feed: "key <id>" reloads that one record, a resync reloads everything. Last use is not published (the
// usage script writes it on every request), so refreshLastUsed() reads the rd:key_last_used ZSET before a listing:
// incrementally (entries newer than the newest it has seen, minus a margin for late writers) and in full now and
// then, so a late write with an older score is picked up too.
class KeyCatalog : public QObject
{
    Q_OBJECT

public:
    struct Query
    {
        QString text; // case-insensitive substring of the name, or a prefix of the id
        QString tag;  // exact tag
        std::optional<KeyStatus> status;
        KeySort sort = KeySort::LastUsed;
        qint64 offset = 0;
        qint64 limit = 50;
        qint64 nowMs = 0; // for the expired status
    };
    struct Item
    {
        const Domain::ApiKey *key = nullptr; // valid until the catalog changes (return to the event loop)
        qint64 lastUsedAt = 0;
        QJsonObject recordJson; // KeyJson::recordJson(*key), kept with the record
    };
    struct Page
    {
        QList<Item> items;
        qint64 total = 0; // matching keys before paging
    };
    using DoneCallback = std::function<void(const Domain::Error &)>;

    KeyCatalog(Redis::Client *client, Domain::DomainKeys keys, QObject *parent = nullptr);
    ~KeyCatalog() override;

    // Reload one key on "key <id>" and everything on a resync. The feed must live on this thread.
    void follow(Domain::ChangeFeed *feed);
    // Starts a full load (again); a load already running is superseded.
    void load();
    bool isLoaded() const { return m_loaded; }
    bool isLoading() const { return bool(m_load); }
    // Wall time of the last completed full load, ms.
    qint64 lastLoadMs() const { return m_lastLoadMs; }
    qsizetype size() const { return m_keys.size(); }

    // Runs callback once the catalog is loaded (at once from the event loop if it is) and the last-used index
    // is fresh; an error when the load or the index read failed.
    void whenReady(QObject *context, DoneCallback callback);
    void refreshLastUsed(QObject *context, DoneCallback callback);

    // Synchronous, from memory.
    Page list(const Query &query) const;
    const Domain::ApiKey *find(const QByteArray &id) const;
    // The newest known use of a key: the last-used index or the record's field.
    qint64 lastUsedAt(const QByteArray &id) const;

    // What a route just wrote (so a GET right after sees it even before the change feed's reload).
    void apply(const Domain::ApiKey &key);
    void forget(const QByteArray &id);
    // Reads one record again (the change feed's "key <id>").
    void reload(const QByteArray &id);

Q_SIGNALS:
    void loaded();
    void loadFailed(const QString &message);
    // A key was added, changed or removed in the catalog.
    void keyChanged(const QByteArray &id);

private:
    struct LoadState;
    void finishLoad(const std::shared_ptr<LoadState> &state, const QString &error);
    void applyRecord(const QByteArray &id, const QList<QByteArray> &record);
    void settleWaiters(const Domain::Error &error);

    // A record and what sorting and searching by name compare (case-folded once, not per comparison).
    struct Entry
    {
        Domain::ApiKey key;
        QString foldedName;
        qint64 lastUsed = 0;            // the record's last_used_at or the index's score, whichever is newer
        mutable QJsonObject recordJson; // built when first listed
    };
    static Item itemOf(const Entry &entry);
    Entry entryOf(Domain::ApiKey key) const;
    // After m_lastUsed changed for these ids (all when null): the entries follow; true if an order changed.
    bool updateLastUsed(const QList<QByteArray> *ids);
    void applyScores(const Redis::Reply &reply, bool full);
    const std::vector<const Entry *> &sortedBy(KeySort sort) const;

    QPointer<Redis::Client> m_client;
    Domain::DomainKeys m_domainKeys;
    QHash<QByteArray, Entry> m_keys;
    QHash<QByteArray, qint64> m_lastUsed; // from the ZSET
    qint64 m_lastUsedHigh = 0;            // newest score seen
    QElapsedTimer m_sinceFullLastUsed;
    std::shared_ptr<LoadState> m_load;
    bool m_loaded = false;
    qint64 m_lastLoadMs = 0;
    // Every key in each order, rebuilt when m_version moved on (a key or a last use changed), so a page of an
    // unchanged catalog costs one filtering pass and no sort.
    quint64 m_version = 1;
    struct Sorted
    {
        quint64 version = 0;
        std::vector<const Entry *> order;
    };
    mutable Sorted m_sorted[3];
    struct Waiter
    {
        QPointer<QObject> context;
        DoneCallback callback;
    };
    QList<Waiter> m_waiters;
};

} // namespace Relay::Admin
