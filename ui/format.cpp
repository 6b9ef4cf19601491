// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/format.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLocale>
#include <QStringList>

#include <cmath>

namespace Console::Format {

QString integer(qint64 value)
{
    return QLocale().toString(value);
}

QString compact(double value)
{
    const double magnitude = std::abs(value);
    if (magnitude < 1000)
        return QLocale().toString(value, 'f', value == std::floor(value) ? 0 : 1);
    if (magnitude < 1e6)
        return QLocale().toString(value / 1e3, 'f', 1) + QLatin1Char('k');
    if (magnitude < 1e9)
        return QLocale().toString(value / 1e6, 'f', 1) + QLatin1Char('M');
    return QLocale().toString(value / 1e9, 'f', 1) + QLatin1Char('B');
}

QString tokens(qint64 value)
{
    return value < 10000 ? integer(value) : compact(double(value));
}

QString usd(double dollars)
{
    if (dollars == 0)
        return QStringLiteral("$0");
    const int decimals = std::abs(dollars) < 1 ? 4 : 2;
    return QLatin1Char('$') + QLocale().toString(dollars, 'f', decimals);
}

QString milliseconds(double ms)
{
    if (ms < 0)
        return QStringLiteral("–");
    if (ms < 10)
        return QCoreApplication::translate("Format", "%1 ms").arg(QLocale().toString(ms, 'f', 2));
    if (ms < 1000)
        return QCoreApplication::translate("Format", "%1 ms").arg(QLocale().toString(ms, 'f', 0));
    if (ms < 60000)
        return QCoreApplication::translate("Format", "%1 s").arg(QLocale().toString(ms / 1000, 'f', 1));
    return seconds(qint64(ms / 1000));
}

QString seconds(qint64 s)
{
    if (s < 60)
        return QCoreApplication::translate("Format", "%1 s").arg(s);
    if (s < 3600)
        return s % 60 ? QCoreApplication::translate("Format", "%1 min %2 s").arg(s / 60).arg(s % 60)
                      : QCoreApplication::translate("Format", "%1 min").arg(s / 60);
    if (s < 86400)
        return QCoreApplication::translate("Format", "%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
    return QCoreApplication::translate("Format", "%1 d %2 h").arg(s / 86400).arg((s % 86400) / 3600);
}

QString bytes(qint64 value)
{
    return QLocale().formattedDataSize(value, 1, QLocale::DataSizeIecFormat);
}

QString percent(double fraction)
{
    return QLocale().toString(fraction * 100, 'f', fraction < 0.1 ? 1 : 0) + QStringLiteral(" %");
}

QString dateTime(qint64 msSinceEpoch)
{
    if (msSinceEpoch <= 0)
        return QStringLiteral("–");
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString time(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch).toString(QStringLiteral("HH:mm:ss"));
}

QString ago(qint64 msSinceEpoch, qint64 nowMs)
{
    if (msSinceEpoch <= 0)
        return QCoreApplication::translate("Format", "never");
    const qint64 s = std::max<qint64>(0, (nowMs - msSinceEpoch) / 1000);
    return QCoreApplication::translate("Format", "%1 ago").arg(seconds(s));
}

QJsonValue value(const QJsonObject &object, const QString &path)
{
    const QStringList parts = path.split(QLatin1Char('.'));
    QJsonValue current = object;
    for (const QString &part : parts)
        current = current.toObject().value(part);
    return current;
}

} // namespace Console::Format
