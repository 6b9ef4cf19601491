// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/metrictypes.h"

#include <cmath>

namespace Relay::Metrics {

QList<quint64> defaultBucketBoundsUsec()
{
    return {500,     1'000,   2'500,     5'000,     10'000,    25'000,     50'000,     100'000,
            250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000, 30'000'000, 60'000'000};
}

const FamilySnapshot *MetricsSnapshot::find(const QByteArray &name) const
{
    for (const FamilySnapshot &family : families) {
        if (family.name == name)
            return &family;
    }
    return nullptr;
}

QJsonObject PercentileSummary::toJson() const
{
    return QJsonObject{{QStringLiteral("windowSeconds"), windowSeconds},
                       {QStringLiteral("count"), qint64(count)},
                       {QStringLiteral("p50Us"), qint64(std::llround(p50))},
                       {QStringLiteral("p95Us"), qint64(std::llround(p95))},
                       {QStringLiteral("p99Us"), qint64(std::llround(p99))}};
}

} // namespace Relay::Metrics
