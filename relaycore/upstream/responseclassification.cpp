// SPDX-License-Identifier: GPL-3.0-or-later
#include "upstream/responseclassification.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QTimeZone>

#include <cmath>

namespace Relay::Upstream {

namespace {

QByteArray header(const HeaderList &headers, QByteArrayView lowerName)
{
    for (const auto &[name, value] : headers) {
        if (name.compare(lowerName, Qt::CaseInsensitive) == 0) {
            return value;
        }
    }
    return {};
}

// Phrases of 4xx answers that are about the account, not the request (Anthropic sends some of them as 400).
bool saysAccountUnusable(QByteArrayView body)
{
    if (body.isEmpty() || body.size() > 64 * 1024) {
        return false;
    }
    const QJsonObject error =
        QJsonDocument::fromJson(body.toByteArray()).object().value(QLatin1StringView("error")).toObject();
    const QString message = error.value(QLatin1StringView("message")).toString();
    return error.value(QLatin1StringView("type")).toString() == u"permission_error" ||
           message.contains(u"organization has been disabled", Qt::CaseInsensitive) ||
           message.contains(u"credit balance is too low", Qt::CaseInsensitive);
}

qint64 cooldownFromHeaders(const HeaderList &headers, qint64 nowMs, qint64 defaultMs)
{
    qint64 until = parseHttpTime(header(headers, "anthropic-ratelimit-unified-reset"), nowMs, false);
    if (until <= nowMs) {
        until = parseHttpTime(header(headers, "retry-after"), nowMs, true);
    }
    if (until <= nowMs) {
        until = nowMs + defaultMs;
    }
    return qMin(until, nowMs + MaxCooldownMs);
}

Classification make(Classification::Kind kind, bool retryable, QByteArray reason, qint64 cooldownUntilMs = 0)
{
    return Classification{kind, cooldownUntilMs, retryable, std::move(reason)};
}

} // namespace

qint64 parseHttpTime(QByteArrayView value, qint64 nowMs, bool relativeSeconds)
{
    const QByteArray text = value.toByteArray().trimmed();
    if (text.isEmpty()) {
        return -1;
    }
    bool isNumber = false;
    const double number = text.toDouble(&isNumber);
    if (isNumber) {
        if (!std::isfinite(number) || number < 0) {
            return -1;
        }
        return relativeSeconds ? nowMs + static_cast<qint64>(number * 1000.0) : static_cast<qint64>(number * 1000.0);
    }
    const QString string = QString::fromLatin1(text);
    QDateTime time = QDateTime::fromString(string, Qt::ISODateWithMs); // RFC 3339
    if (!time.isValid()) {
        // IMF-fixdate, the form HTTP requires: "Sun, 06 Nov 1994 08:49:37 GMT".
        time = QLocale::c().toDateTime(string, QStringLiteral("ddd, dd MMM yyyy HH:mm:ss 'GMT'"));
        time.setTimeZone(QTimeZone::utc());
    }
    if (!time.isValid()) {
        time = QDateTime::fromString(string, Qt::RFC2822Date);
    }
    return time.isValid() ? time.toMSecsSinceEpoch() : -1;
}

Classification classifyResponse(int status, const HeaderList &headers, QByteArrayView body, qint64 nowMs)
{
    using Kind = Classification::Kind;
    if (status >= 200 && status < 300) {
        return make(Kind::Ok, false, QByteArrayLiteral("ok"));
    }
    if (status == 429) {
        return make(Kind::RateLimited, true, QByteArrayLiteral("rate limited (429)"),
                    cooldownFromHeaders(headers, nowMs, DefaultRateLimitCooldownMs));
    }
    if (status == 529) {
        return make(Kind::Overloaded, true, QByteArrayLiteral("overloaded (529)"),
                    cooldownFromHeaders(headers, nowMs, DefaultOverloadCooldownMs));
    }
    if (status == 401) {
        return make(Kind::Unauthorized, true, QByteArrayLiteral("credential rejected (401)"));
    }
    if (status == 403) {
        return make(Kind::Forbidden, true, QByteArrayLiteral("account forbidden (403)"));
    }
    if (status == 408) {
        // The upstream gave up waiting for our request: not the client's fault.
        return make(Kind::ServerError, true, QByteArrayLiteral("upstream request timeout (408)"),
                    cooldownFromHeaders(headers, nowMs, DefaultServerErrorCooldownMs));
    }
    if (status >= 400 && status < 500) {
        if (saysAccountUnusable(body)) {
            return make(Kind::Forbidden, true, "account unusable (" + QByteArray::number(status) + ")");
        }
        return make(Kind::ClientError, false, "request rejected (" + QByteArray::number(status) + ")");
    }
    return make(Kind::ServerError, true, "upstream error (" + QByteArray::number(status) + ")",
                cooldownFromHeaders(headers, nowMs, DefaultServerErrorCooldownMs));
}

Classification classifyOutcome(const Outcome &outcome, qint64 nowMs)
{
    using Kind = Classification::Kind;
    if (outcome.kind == Outcome::Kind::Ok) {
        return classifyResponse(outcome.status, {}, {}, nowMs);
    }
    QByteArray reason = outcomeKindName(outcome.kind).toByteArray();
    if (outcome.kind == Outcome::Kind::Timeout) {
        reason += " (" + timeoutPhaseName(outcome.timeoutPhase).toByteArray() + ")";
    }
    if (outcome.kind == Outcome::Kind::Aborted) {
        // The client went away: nothing to say about the account.
        return make(Kind::Unreachable, false, reason);
    }
    const bool beforeResponse = !outcome.responseStarted;
    if (!beforeResponse) {
        reason += " after the response started";
    }
    return make(Kind::Unreachable, beforeResponse, reason, beforeResponse ? nowMs + DefaultServerErrorCooldownMs : 0);
}

QByteArrayView outcomeKindName(Outcome::Kind kind)
{
    switch (kind) {
    case Outcome::Kind::Ok:
        return "ok";
    case Outcome::Kind::ConnectFailed:
        return "connect failed";
    case Outcome::Kind::Timeout:
        return "timeout";
    case Outcome::Kind::Reset:
        return "reset";
    case Outcome::Kind::Aborted:
        return "aborted";
    }
    return "unknown";
}

QByteArrayView timeoutPhaseName(Outcome::Phase phase)
{
    switch (phase) {
    case Outcome::Phase::None:
        return "none";
    case Outcome::Phase::Connect:
        return "connect";
    case Outcome::Phase::FirstByte:
        return "first byte";
    case Outcome::Phase::Idle:
        return "idle";
    }
    return "unknown";
}

} // namespace Relay::Upstream
