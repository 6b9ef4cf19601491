// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/valueparsers.h"

#include <QHostAddress>
#include <QRegularExpression>
#include <QUrl>

#include <cmath>
#include <limits>

namespace Relay::Config {

namespace {

struct Unit
{
    QStringView suffix;
    double factor;
};

std::optional<double> parseNumberWithUnit(QStringView text, const Unit *units, int unitCount, double plainFactor)
{
    static const QRegularExpression pattern(QStringLiteral(R"(^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$)"));
    const QRegularExpressionMatch match = pattern.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    bool ok = false;
    const double number = match.capturedView(1).toDouble(&ok);
    if (!ok)
        return std::nullopt;
    const QStringView suffix = match.capturedView(2);
    if (suffix.isEmpty())
        return number * plainFactor;
    for (int i = 0; i < unitCount; ++i) {
        if (suffix.compare(units[i].suffix, Qt::CaseInsensitive) == 0)
            return number * units[i].factor;
    }
    return std::nullopt;
}

std::optional<qint64> toInteger(double value)
{
    // Beyond 2^53 doubles are no longer exact; no setting needs values that large.
    if (!std::isfinite(value) || value < 0 || value > 9.0e15)
        return std::nullopt;
    return qint64(std::llround(value));
}

bool isHostName(QStringView host)
{
    static const QRegularExpression pattern(QStringLiteral(
        R"(^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$)"));
    return host.size() <= 253 && pattern.match(host).hasMatch();
}

} // namespace

std::optional<std::chrono::milliseconds> parseDuration(QStringView text)
{
    static constexpr Unit units[] = {{u"ms", 1}, {u"s", 1000}, {u"m", 60'000}, {u"h", 3'600'000}};
    const auto value = parseNumberWithUnit(text, units, int(std::size(units)), 1000);
    if (!value)
        return std::nullopt;
    const auto ms = toInteger(*value);
    if (!ms)
        return std::nullopt;
    return std::chrono::milliseconds(*ms);
}

QString formatDuration(std::chrono::milliseconds value)
{
    const qint64 ms = value.count();
    if (ms != 0 && ms % 3'600'000 == 0)
        return QString::number(ms / 3'600'000) + u'h';
    if (ms != 0 && ms % 60'000 == 0)
        return QString::number(ms / 60'000) + u'm';
    if (ms % 1000 == 0)
        return QString::number(ms / 1000) + u's';
    return QString::number(ms) + QStringLiteral("ms");
}

std::optional<qint64> parseSize(QStringView text)
{
    static constexpr double Ki = 1024.0;
    static constexpr Unit units[] = {
        {u"B", 1},         {u"K", Ki},   {u"KiB", Ki},         {u"KB", 1e3},           {u"M", Ki * Ki},
        {u"MiB", Ki * Ki}, {u"MB", 1e6}, {u"G", Ki * Ki * Ki}, {u"GiB", Ki * Ki * Ki}, {u"GB", 1e9},
    };
    const auto value = parseNumberWithUnit(text, units, int(std::size(units)), 1);
    if (!value)
        return std::nullopt;
    return toInteger(*value);
}

QString formatSize(qint64 bytes)
{
    constexpr qint64 Ki = 1024;
    if (bytes != 0 && bytes % (Ki * Ki * Ki) == 0)
        return QString::number(bytes / (Ki * Ki * Ki)) + u'G';
    if (bytes != 0 && bytes % (Ki * Ki) == 0)
        return QString::number(bytes / (Ki * Ki)) + u'M';
    if (bytes != 0 && bytes % Ki == 0)
        return QString::number(bytes / Ki) + u'K';
    return QString::number(bytes);
}

std::optional<HostPort> parseHostPort(QStringView text)
{
    const QStringView trimmed = text.trimmed();
    QStringView host;
    QStringView port;
    if (trimmed.startsWith(u'[')) {
        const qsizetype close = trimmed.indexOf(u']');
        if (close < 0 || close + 1 >= trimmed.size() || trimmed.at(close + 1) != u':')
            return std::nullopt;
        host = trimmed.sliced(1, close - 1);
        port = trimmed.sliced(close + 2);
        QHostAddress address;
        if (!address.setAddress(host.toString()) || address.protocol() != QAbstractSocket::IPv6Protocol)
            return std::nullopt;
    } else {
        const qsizetype colon = trimmed.lastIndexOf(u':');
        if (colon <= 0 || trimmed.first(colon).contains(u':'))
            return std::nullopt; // an IPv6 address needs brackets
        host = trimmed.first(colon);
        port = trimmed.sliced(colon + 1);
        QHostAddress address;
        if (!address.setAddress(host.toString()) && !isHostName(host))
            return std::nullopt;
    }
    if (port.isEmpty() || port.size() > 5)
        return std::nullopt;
    for (const QChar c : port) {
        if (!c.isDigit())
            return std::nullopt;
    }
    const int number = port.toInt();
    if (number > 65535)
        return std::nullopt;
    return HostPort{host.toString(), quint16(number)};
}

QString formatHostPort(const QString &host, quint16 port)
{
    if (host.contains(u':'))
        return QStringLiteral("[%1]:%2").arg(host).arg(port);
    return QStringLiteral("%1:%2").arg(host).arg(port);
}

bool isValidRedisUrl(const QString &text)
{
    if (text.isEmpty())
        return true;
    const QUrl url(text, QUrl::StrictMode);
    if (!url.isValid())
        return false;
    const QString scheme = url.scheme();
    if (scheme == u"unix")
        return url.host().isEmpty() && url.path().startsWith(u'/') && url.path().size() > 1;
    if (scheme != u"redis" && scheme != u"rediss")
        return false;
    if (url.host().isEmpty() || url.port() == 0)
        return false;
    const QString path = url.path();
    if (path.isEmpty() || path == u"/")
        return true;
    static const QRegularExpression database(QStringLiteral(R"(^/\d{1,5}$)"));
    return database.match(path).hasMatch();
}

} // namespace Relay::Config
