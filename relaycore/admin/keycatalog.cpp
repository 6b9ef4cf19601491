// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/keycatalog.h"

#include "domain/changefeed.h"
#include "log/logger.h"
#include "redis/client.h"

#include <QStringMatcher>
#include <QTimer>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Relay::Admin {

namespace {

constexpr int ScanBatch = 1000;
// Incremental reads of the last-used index also take entries this much older than the newest seen: writers on
// other workers or instances stamp a use shortly before their ZADD lands.
constexpr qint64 LastUsedMarginMs = 10'000;
// A full read of the index now and then catches a write that landed later than the margin (a usage backlog
// flushed after a Redis outage).
constexpr qint64 FullLastUsedEveryMs = 30'000;
constexpr int RetryLoadMs = 5'000;

// ZRANGE ... WITHSCORES: member, score, member, score, ...
void mergeScores(const Redis::Reply &reply, QHash<QByteArray, qint64> &into, qint64 &high)
{
    const QList<Redis::Reply> &elements = reply.elements();
    into.reserve(into.size() + elements.size() / 2);
    for (qsizetype i = 0; i + 1 < elements.size(); i += 2) {
        const qint64 score = qint64(elements.at(i + 1).toDouble());
        into.insert(elements.at(i).bytes(), score);
        high = std::max(high, score);
    }
}

} // namespace

struct KeyCatalog::LoadState
{
    QHash<QByteArray, Entry> keys;
    QHash<QByteArray, qint64> lastUsed;
    qint64 lastUsedHigh = 0;
    int pendingBatches = 0;
    bool scanDone = false;
    bool finished = false;
    QElapsedTimer timer;
};

QString keySortName(KeySort sort)
{
    switch (sort) {
    case KeySort::LastUsed:
        return u"last_used"_s;
    case KeySort::Name:
        return u"name"_s;
    case KeySort::Created:
        return u"created"_s;
    }
    return {};
}

std::optional<KeySort> keySortFromName(const QString &name)
{
    for (KeySort sort : {KeySort::LastUsed, KeySort::Name, KeySort::Created}) {
        if (keySortName(sort) == name)
            return sort;
    }
    return std::nullopt;
}

KeyCatalog::KeyCatalog(Redis::Client *client, Domain::DomainKeys keys, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_domainKeys(std::move(keys))
{}

KeyCatalog::~KeyCatalog() = default;

KeyCatalog::Entry KeyCatalog::entryOf(Domain::ApiKey key) const
{
    Entry entry;
    entry.foldedName = key.name.toCaseFolded();
    entry.lastUsed = std::max(key.lastUsedAt, m_lastUsed.value(key.id, 0));
    entry.key = std::move(key);
    return entry;
}

bool KeyCatalog::updateLastUsed(const QList<QByteArray> *ids)
{
    bool changed = false;
    auto update = [&](Entry &entry) {
        const qint64 lastUsed = std::max(entry.key.lastUsedAt, m_lastUsed.value(entry.key.id, 0));
        if (entry.lastUsed != lastUsed) {
            entry.lastUsed = lastUsed;
            changed = true;
        }
    };
    if (!ids) {
        for (Entry &entry : m_keys)
            update(entry);
    } else {
        for (const QByteArray &id : *ids) {
            if (const auto it = m_keys.find(id); it != m_keys.end())
                update(*it);
        }
    }
    if (changed)
        ++m_version;
    return changed;
}

void KeyCatalog::applyScores(const Redis::Reply &reply, bool full)
{
    if (full) {
        QHash<QByteArray, qint64> fresh;
        qint64 high = 0;
        mergeScores(reply, fresh, high);
        m_lastUsed = std::move(fresh);
        m_lastUsedHigh = high;
        updateLastUsed(nullptr);
        return;
    }
    QList<QByteArray> ids;
    const QList<Redis::Reply> &elements = reply.elements();
    for (qsizetype i = 0; i + 1 < elements.size(); i += 2) {
        const QByteArray &id = elements.at(i).bytes();
        const qint64 score = qint64(elements.at(i + 1).toDouble());
        m_lastUsedHigh = std::max(m_lastUsedHigh, score);
        auto it = m_lastUsed.find(id);
        if (it == m_lastUsed.end())
            m_lastUsed.insert(id, score);
        else if (*it != score)
            *it = score;
        else
            continue; // re-read inside the margin, unchanged
        ids.append(id);
    }
    if (!ids.isEmpty())
        updateLastUsed(&ids);
}

void KeyCatalog::follow(Domain::ChangeFeed *feed)
{
    connect(feed, &Domain::ChangeFeed::keyChanged, this, [this](const QByteArray &id) { reload(id); });
    connect(feed, &Domain::ChangeFeed::resyncNeeded, this, [this] { load(); });
}

void KeyCatalog::load()
{
    if (!m_client) {
        settleWaiters({Domain::Error::Kind::Redis, u"no Redis client"_s});
        return;
    }
    auto state = std::make_shared<LoadState>();
    state->timer.start();
    m_load = state;
    Redis::ScanRequest request;
    request.kind = Redis::ScanRequest::Kind::Set;
    request.key = m_domainKeys.keyIndex();
    request.count = ScanBatch;
    QPointer<Redis::Client> client = m_client;
    m_client->scan(request, this,
                   [this, state, client](const Redis::Error &error, const QList<QByteArray> &ids, bool finished) {
                       if (state != m_load)
                           return false; // superseded by a newer load
                       if (error) {
                           finishLoad(state, u"cannot list API keys: %1"_s.arg(error.message));
                           return false;
                       }
                       if (!ids.isEmpty() && client) {
                           QList<QList<QByteArray>> reads;
                           reads.reserve(ids.size());
                           for (const QByteArray &id : ids)
                               reads.append({"HGETALL", m_domainKeys.keyRecord(id)});
                           ++state->pendingBatches;
                           client->pipeline(reads, this, [this, state, ids](const Redis::BatchResult &batch) {
                               if (state != m_load)
                                   return;
                               --state->pendingBatches;
                               if (batch.error || batch.replies.size() != ids.size())
                                   return finishLoad(state, u"cannot read API keys: %1"_s.arg(batch.error.message));
                               for (qsizetype i = 0; i < ids.size(); ++i) {
                                   if (std::optional<Domain::ApiKey> key =
                                           Domain::ApiKey::fromRecord(batch.replies.at(i).toByteArrayList())) {
                                       const QByteArray id = key->id; // before the move below
                                       Entry entry;
                                       entry.foldedName = key->name.toCaseFolded();
                                       entry.key = std::move(*key);
                                       state->keys.insert(id, std::move(entry));
                                   }
                               }
                               if (state->scanDone && state->pendingBatches == 0)
                                   finishLoad(state, {});
                           });
                       }
                       if (finished) {
                           state->scanDone = true;
                           if (state->pendingBatches == 0)
                               finishLoad(state, {});
                       }
                       return true;
                   });
}

void KeyCatalog::finishLoad(const std::shared_ptr<LoadState> &state, const QString &error)
{
    if (state != m_load || state->finished)
        return;
    if (error.isEmpty() && !m_client)
        return finishLoad(state, u"no Redis client"_s);
    if (!error.isEmpty()) {
        state->finished = true;
        m_load.reset();
        Log::logger().warn("admin: key catalog load failed: {}", error);
        // Keep serving the old copy if there is one; try again later either way (a resync means it is stale).
        QTimer::singleShot(RetryLoadMs, this, [this] {
            if (!m_load)
                load();
        });
        Q_EMIT loadFailed(error);
        settleWaiters({Domain::Error::Kind::Redis, error});
        return;
    }
    // The records are in; the last-used index completes the load (in full, so old entries are right too).
    state->finished = true;
    m_client->command({"ZRANGE", m_domainKeys.keyLastUsedIndex(), "0", "-1", "WITHSCORES"}, this,
                      [this, state](const Redis::Result &result) {
                          if (state != m_load)
                              return;
                          if (!result.isSuccess()) {
                              state->finished = false;
                              return finishLoad(
                                  state, u"cannot read the key last-used index: %1"_s.arg(result.errorMessage()));
                          }
                          mergeScores(result.reply, state->lastUsed, state->lastUsedHigh);
                          m_keys = std::move(state->keys);
                          m_lastUsed = std::move(state->lastUsed);
                          m_lastUsedHigh = state->lastUsedHigh;
                          updateLastUsed(nullptr);
                          ++m_version;
                          m_sinceFullLastUsed.start();
                          m_lastLoadMs = state->timer.elapsed();
                          m_load.reset();
                          m_loaded = true;
                          Log::logger().info("admin: key catalog loaded {} keys in {} ms", m_keys.size(), m_lastLoadMs);
                          Q_EMIT loaded();
                          settleWaiters({});
                      });
}

void KeyCatalog::settleWaiters(const Domain::Error &error)
{
    const QList<Waiter> waiters = std::exchange(m_waiters, {});
    for (const Waiter &waiter : waiters) {
        if (waiter.context)
            waiter.callback(error);
    }
}

void KeyCatalog::whenReady(QObject *context, DoneCallback callback)
{
    if (m_loaded && !m_load)
        return refreshLastUsed(context, std::move(callback));
    // Loading (or never loaded): answer when the load ends, which leaves the last-used index fresh.
    m_waiters.append({context, std::move(callback)});
    if (!m_load)
        load();
}

void KeyCatalog::refreshLastUsed(QObject *context, DoneCallback callback)
{
    if (!m_client) {
        QTimer::singleShot(0, context, [callback] { callback({Domain::Error::Kind::Redis, u"no Redis client"_s}); });
        return;
    }
    const bool full = !m_sinceFullLastUsed.isValid() || m_sinceFullLastUsed.elapsed() >= FullLastUsedEveryMs;
    QList<QByteArray> command =
        full ? QList<QByteArray>{"ZRANGE", m_domainKeys.keyLastUsedIndex(), "0", "-1", "WITHSCORES"}
             : QList<QByteArray>{"ZRANGEBYSCORE", m_domainKeys.keyLastUsedIndex(),
                                 QByteArray::number(std::max<qint64>(0, m_lastUsedHigh - LastUsedMarginMs)), "+inf",
                                 "WITHSCORES"};
    if (full)
        m_sinceFullLastUsed.start();
    QPointer<QObject> guard(context);
    m_client->command(std::move(command), this, [this, full, guard, callback](const Redis::Result &result) {
        if (result.isSuccess())
            applyScores(result.reply, full);
        else if (full) {
            m_sinceFullLastUsed.invalidate();
        }
        if (!guard)
            return;
        callback(result.isSuccess()
                     ? Domain::Error{}
                     : Domain::Error{Domain::Error::Kind::Redis,
                                     u"cannot read the key last-used index: %1"_s.arg(result.errorMessage())});
    });
}

qint64 KeyCatalog::lastUsedAt(const QByteArray &id) const
{
    const auto it = m_keys.constFind(id);
    return it == m_keys.constEnd() ? m_lastUsed.value(id, 0) : it->lastUsed;
}

const Domain::ApiKey *KeyCatalog::find(const QByteArray &id) const
{
    const auto it = m_keys.constFind(id);
    return it == m_keys.constEnd() ? nullptr : &it->key;
}

const std::vector<const KeyCatalog::Entry *> &KeyCatalog::sortedBy(KeySort sort) const
{
    Sorted &sorted = m_sorted[int(sort)];
    if (sorted.version == m_version)
        return sorted.order;
    sorted.order.clear();
    sorted.order.reserve(size_t(m_keys.size()));
    for (const Entry &entry : m_keys)
        sorted.order.push_back(&entry);
    auto newerCreated = [](const Entry *a, const Entry *b) {
        if (a->key.createdAt != b->key.createdAt)
            return a->key.createdAt > b->key.createdAt;
        return a->key.id < b->key.id;
    };
    switch (sort) {
    case KeySort::LastUsed:
        std::sort(sorted.order.begin(), sorted.order.end(), [&](const Entry *a, const Entry *b) {
            return a->lastUsed != b->lastUsed ? a->lastUsed > b->lastUsed : newerCreated(a, b);
        });
        break;
    case KeySort::Name:
        std::sort(sorted.order.begin(), sorted.order.end(), [](const Entry *a, const Entry *b) {
            const int order = a->foldedName.compare(b->foldedName);
            return order != 0 ? order < 0 : a->key.id < b->key.id;
        });
        break;
    case KeySort::Created:
        std::sort(sorted.order.begin(), sorted.order.end(), newerCreated);
        break;
    }
    sorted.version = m_version;
    return sorted.order;
}

KeyCatalog::Item KeyCatalog::itemOf(const Entry &entry)
{
    if (entry.recordJson.isEmpty())
        entry.recordJson = KeyJson::recordJson(entry.key);
    return {&entry.key, entry.lastUsed, entry.recordJson};
}

KeyCatalog::Page KeyCatalog::list(const Query &query) const
{
    const QString folded = query.text.trimmed().toCaseFolded();
    const QStringMatcher nameMatcher(folded);
    const QByteArray idPrefix = query.text.trimmed().toUtf8();
    const bool filtered = !folded.isEmpty() || !query.tag.isEmpty() || query.status;
    const std::vector<const Entry *> &order = sortedBy(query.sort);
    Page page;
    const qint64 limit = std::max<qint64>(query.limit, 0);
    if (!filtered) {
        page.total = qint64(order.size());
        for (qint64 i = query.offset; i < page.total && i < query.offset + limit; ++i)
            page.items.append(itemOf(*order[size_t(i)]));
        return page;
    }
    // One pass in order: count every match, keep the page's.
    for (const Entry *entry : order) {
        const Domain::ApiKey &key = entry->key;
        // Cheapest test first.
        if (query.status && keyStatusOf(key, query.nowMs) != *query.status)
            continue;
        if (!query.tag.isEmpty() && !key.tags.contains(query.tag))
            continue;
        if (!folded.isEmpty() && nameMatcher.indexIn(entry->foldedName) < 0 && !key.id.startsWith(idPrefix))
            continue;
        if (page.total >= query.offset && page.total < query.offset + limit)
            page.items.append(itemOf(*entry));
        ++page.total;
    }
    return page;
}

void KeyCatalog::apply(const Domain::ApiKey &key)
{
    if (m_load)
        m_load->keys.insert(key.id, entryOf(key));
    m_keys.insert(key.id, entryOf(key));
    ++m_version;
    Q_EMIT keyChanged(key.id);
}

void KeyCatalog::forget(const QByteArray &id)
{
    if (m_load)
        m_load->keys.remove(id);
    m_keys.remove(id);
    m_lastUsed.remove(id);
    ++m_version;
    Q_EMIT keyChanged(id);
}

void KeyCatalog::reload(const QByteArray &id)
{
    if (!m_client)
        return;
    // One connection answers in order, so this read is newer than any load batch sent before it and older than
    // any sent after: applying results as they come keeps the newest.
    m_client->command({"HGETALL", m_domainKeys.keyRecord(id)}, this, [this, id](const Redis::Result &result) {
        if (!result.isSuccess()) {
            Log::logger().warn("admin: cannot reload API key {}: {}", id, result.errorMessage());
            return;
        }
        applyRecord(id, result.reply.toByteArrayList());
    });
}

void KeyCatalog::applyRecord(const QByteArray &id, const QList<QByteArray> &record)
{
    if (std::optional<Domain::ApiKey> key = Domain::ApiKey::fromRecord(record); key && key->id == id)
        apply(*key);
    else
        forget(id);
}

} // namespace Relay::Admin
