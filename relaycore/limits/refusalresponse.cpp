// SPDX-License-Identifier: GPL-3.0-or-later
#include "limits/refusalresponse.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

namespace Relay::Limits {

namespace {

QByteArray formatValue(const RefusalInfo &refusal, qint64 value)
{
    if (isCostLimit(refusal.kind))
        return RefusalResponse::formatDollars(value);
    const char *unit = refusal.kind == LimitKind::WindowRequests ? " requests" : " tokens";
    return QByteArray::number(value) + unit;
}

QByteArray title(const RefusalInfo &refusal)
{
    switch (refusal.kind) {
    case LimitKind::WindowRequests:
    case LimitKind::WindowTokens:
    case LimitKind::WindowCost:
        return "Rate limit of the " + QByteArray::number(refusal.windowMinutes) + "-minute window reached";
    case LimitKind::DailyCost:
        return QByteArrayLiteral("Daily cost limit reached");
    case LimitKind::TotalCost:
        return QByteArrayLiteral("Total cost limit reached");
    case LimitKind::WeeklyFamilyCost:
        return "Weekly " + refusal.family + " cost limit reached";
    }
    return QByteArrayLiteral("Limit reached");
}

} // namespace

QByteArray RefusalResponse::formatDollars(qint64 nanos)
{
    const bool negative = nanos < 0;
    const quint64 magnitude = negative ? quint64(-(nanos + 1)) + 1 : quint64(nanos);
    char text[48];
    int length = std::snprintf(text, sizeof text, "%s$%llu.%09llu", negative ? "-" : "",
                               static_cast<unsigned long long>(magnitude / 1000000000ULL),
                               static_cast<unsigned long long>(magnitude % 1000000000ULL));
    // Keep at least the cents.
    const int minLength = length - 7;
    while (length > minLength && text[length - 1] == '0')
        --length;
    return QByteArray(text, length);
}

QByteArray RefusalResponse::resetIso(const RefusalInfo &refusal)
{
    if (!refusal.resets())
        return {};
    // UTC as "Z", other zones with their offset at that moment.
    const QDateTime reset = refusal.timeZone == QTimeZone::utc()
                                ? QDateTime::fromMSecsSinceEpoch(refusal.resetMs, Qt::UTC)
                                : QDateTime::fromMSecsSinceEpoch(refusal.resetMs, refusal.timeZone);
    return reset.toString(Qt::ISODate).toLatin1();
}

QByteArray RefusalResponse::message(const RefusalInfo &refusal)
{
    QByteArray text = title(refusal) + ": " + formatValue(refusal, refusal.current) + " of " +
                      formatValue(refusal, refusal.limit) + " used; ";
    if (!refusal.resets())
        return text + "this limit does not reset.";
    const QByteArray zone = refusal.timeZone == QTimeZone::utc() ? QByteArrayLiteral("UTC") : refusal.timeZone.id();
    return text + "resets at " + resetIso(refusal) + " (" + zone + "), in " +
           QByteArray::number(refusal.secondsUntilReset()) + " seconds.";
}

RefusalResponse RefusalResponse::from(const RefusalInfo &refusal)
{
    RefusalResponse response;
    const QByteArray name = limitName(refusal.kind);
    QJsonObject limit{
        {u"name"_qs, QString::fromLatin1(name)},
        {u"current"_qs, refusal.current},
        {u"limit"_qs, refusal.limit},
        {u"unit"_qs, isCostLimit(refusal.kind)
                         ? u"nanodollars"_qs
                         : (refusal.kind == LimitKind::WindowRequests ? u"requests"_qs : u"tokens"_qs)},
        {u"time_zone"_qs,
         QString::fromLatin1(refusal.timeZone == QTimeZone::utc() ? QByteArrayLiteral("UTC") : refusal.timeZone.id())},
    };
    if (!refusal.family.isEmpty())
        limit.insert(u"family"_qs, QString::fromUtf8(refusal.family));
    if (refusal.resets()) {
        limit.insert(u"reset_at"_qs, QString::fromLatin1(resetIso(refusal)));
        limit.insert(u"reset_in_seconds"_qs, refusal.secondsUntilReset());
    }
    const QJsonObject body{
        {u"type"_qs, u"error"_qs},
        {u"error"_qs,
         QJsonObject{{u"type"_qs, u"rate_limit_error"_qs}, {u"message"_qs, QString::fromUtf8(message(refusal))}}},
        {u"limit"_qs, limit},
    };
    response.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    response.headers.append({QByteArrayLiteral("content-type"), QByteArrayLiteral("application/json")});
    response.headers.append({QByteArrayLiteral("x-relaydeck-limit"), name});
    if (refusal.resets()) {
        response.headers.append({QByteArrayLiteral("retry-after"), QByteArray::number(refusal.secondsUntilReset())});
        response.headers.append({QByteArrayLiteral("x-relaydeck-limit-reset"), resetIso(refusal)});
    } else {
        response.headers.append({QByteArrayLiteral("x-should-retry"), QByteArrayLiteral("false")});
    }
    return response;
}

} // namespace Relay::Limits
