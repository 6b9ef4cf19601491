// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "domain/domainkeys.h"
#include "redis/connectionoptions.h"

#include <QByteArray>
#include <QObject>

namespace Relay::Redis {
class Subscriber;
}

namespace Relay::Domain {

// Listens on the changes channel (rd:changes) and tells caches what to drop. Lives in the thread that created it;
// connect to it from other threads with queued connections.
//
//   auto *feed = new ChangeFeed(redisOptions, keys, this);
//   connect(feed, &ChangeFeed::keyChanged, cache, [cache](const QByteArray &id) { cache->dropKey(id); });
//   connect(feed, &ChangeFeed::resyncNeeded, cache, [cache] { cache->clear(); });
class ChangeFeed : public QObject
{
    Q_OBJECT

public:
    ChangeFeed(Redis::ConnectionOptions options, const DomainKeys &keys, QObject *parent = nullptr);
    ~ChangeFeed() override;

    // True while the subscription is live (changes are being heard).
    bool isListening() const;

Q_SIGNALS:
    // The subscription became live for the first time.
    void listening();
    void keyChanged(const QByteArray &id);
    void accountChanged(const QByteArray &id);
    // The subscription was lost and is back: changes may have been missed, drop every cached record.
    void resyncNeeded();

private:
    void dispatch(const QByteArray &payload);

    Redis::Subscriber *m_subscriber = nullptr;
};

} // namespace Relay::Domain
