// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "usage/usage.h"

#include <QByteArray>
#include <QList>

namespace Relay::Usage {

// A concurrency lease to give back in the same batch as the usage (ZREM of member from zsetKey).
struct LeaseRelease
{
    QByteArray zsetKey;
    QByteArray member;
};

// What the relay records once a request has finished.
struct UsageRecord
{
    QByteArray keyId;     // RelayDeck API key id; empty: no per-key counters
    QByteArray accountId; // upstream account id; empty: no per-account counters
    QByteArray requestModel;
    TokenUsage usage;
    qint64 endMs = 0; // when the response ended, ms since the epoch; decides the day/hour buckets
    int status = 0;   // HTTP status sent to the client
    bool streamed = false;
    QList<LeaseRelease> leaseReleases;

    // The model the usage is counted and priced under: the upstream's answer, else the request's.
    const QByteArray &model() const { return usage.model.isEmpty() ? requestModel : usage.model; }
};

} // namespace Relay::Usage
