// SPDX-License-Identifier: GPL-3.0-or-later
#include "domain/changefeed.h"

#include "redis/subscriber.h"

namespace Relay::Domain {

ChangeFeed::ChangeFeed(Redis::ConnectionOptions options, const DomainKeys &keys, QObject *parent)
    : QObject(parent)
    , m_subscriber(new Redis::Subscriber(std::move(options), {keys.changesChannel()}, this))
{
    connect(m_subscriber, &Redis::Subscriber::subscribed, this, &ChangeFeed::listening);
    connect(m_subscriber, &Redis::Subscriber::resubscribed, this, &ChangeFeed::resyncNeeded);
    connect(m_subscriber, &Redis::Subscriber::message, this,
            [this](const QByteArray &, const QByteArray &payload) { dispatch(payload); });
}

ChangeFeed::~ChangeFeed() = default;

bool ChangeFeed::isListening() const
{
    return m_subscriber->isSubscribed();
}

void ChangeFeed::dispatch(const QByteArray &payload)
{
    const qsizetype space = payload.indexOf(' ');
    if (space <= 0 || space == payload.size() - 1)
        return; // not ours; other message kinds may be added later
    const QByteArrayView kind = QByteArrayView(payload).first(space);
    const QByteArray id = payload.mid(space + 1);
    if (kind == "key")
        Q_EMIT keyChanged(id);
    else if (kind == "account")
        Q_EMIT accountChanged(id);
}

} // namespace Relay::Domain
