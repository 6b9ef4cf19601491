// SPDX-License-Identifier: GPL-3.0-or-later
#include "upstream/oauthclient.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QTimer>

#include <memory>

namespace Relay::Upstream {

namespace {

using Failure = OAuthRefreshResult::Failure;

constexpr qsizetype MaxQuotedText = 200;

OAuthRefreshResult failed(Failure failure, int httpStatus, QString error)
{
    OAuthRefreshResult result;
    result.failure = failure;
    result.httpStatus = httpStatus;
    result.error = std::move(error);
    return result;
}

// Server text for a log line: printable, bounded.
QString quoted(const QString &text)
{
    QString out;
    for (const QChar c : text.left(MaxQuotedText)) {
        out.append(c.isPrint() ? c : u' ');
    }
    return out;
}

// "invalid_grant: Refresh token not found" from an OAuth error ({"error","error_description"}) or an Anthropic
// error ({"type":"error","error":{"type","message"}}); empty for anything else.
QString errorSummary(const QJsonObject &body)
{
    const QJsonValue error = body.value(u"error");
    if (error.isString()) {
        const QString description = body.value(u"error_description").toString();
        return quoted(description.isEmpty() ? error.toString() : error.toString() + QStringLiteral(": ") + description);
    }
    if (error.isObject()) {
        const QJsonObject e = error.toObject();
        return quoted(e.value(u"type").toString() + QStringLiteral(": ") + e.value(u"message").toString());
    }
    return {};
}

QString proxyKey(const std::optional<QNetworkProxy> &proxy)
{
    if (!proxy || proxy->type() == QNetworkProxy::NoProxy) {
        return {};
    }
    return QStringLiteral("%1|%2|%3|%4|%5")
        .arg(int(proxy->type()))
        .arg(proxy->hostName())
        .arg(proxy->port())
        .arg(proxy->user(), proxy->password());
}

} // namespace

OAuthClient::OAuthClient(QObject *parent)
    : QObject(parent)
{}

OAuthClient::~OAuthClient() = default;

QNetworkAccessManager *OAuthClient::managerFor(const std::optional<QNetworkProxy> &proxy)
{
    QNetworkAccessManager *&manager = m_managers[proxyKey(proxy)];
    if (!manager) {
        manager = new QNetworkAccessManager(this);
        manager->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
        const bool direct = !proxy || proxy->type() == QNetworkProxy::NoProxy;
        manager->setProxy(direct ? QNetworkProxy(QNetworkProxy::NoProxy) : *proxy);
    }
    return manager;
}

void OAuthClient::refresh(const OAuthRefreshRequest &request, QObject *context, Callback callback)
{
    const QPointer<QObject> guard(context);
    const bool hasContext = context != nullptr;
    auto deliver = [guard, hasContext, callback](const OAuthRefreshResult &result) {
        if (!hasContext || guard) {
            callback(result);
        }
    };
    if (!request.tokenUrl.isValid() || request.tokenUrl.host().isEmpty() || request.refreshToken.isEmpty() ||
        request.clientId.isEmpty()) {
        // Asynchronous like every other outcome, so callers never see their callback inside refresh().
        QTimer::singleShot(0, this, [deliver] {
            deliver(failed(Failure::Rejected, 0,
                           QStringLiteral("no token URL, client id or refresh token to refresh with")));
        });
        return;
    }

    QNetworkRequest networkRequest(request.tokenUrl);
    networkRequest.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    networkRequest.setRawHeader("accept", "application/json");
    networkRequest.setRawHeader("user-agent", UserAgent.toByteArray());
    networkRequest.setAttribute(QNetworkRequest::CookieLoadControlAttribute, QNetworkRequest::Manual);
    networkRequest.setAttribute(QNetworkRequest::CookieSaveControlAttribute, QNetworkRequest::Manual);
    networkRequest.setAttribute(QNetworkRequest::CacheLoadControlAttribute, QNetworkRequest::AlwaysNetwork);
    networkRequest.setAttribute(QNetworkRequest::CacheSaveControlAttribute, false);
    const QByteArray body =
        QJsonDocument(QJsonObject{{QStringLiteral("grant_type"), QStringLiteral("refresh_token")},
                                  {QStringLiteral("refresh_token"), QString::fromUtf8(request.refreshToken)},
                                  {QStringLiteral("client_id"), QString::fromUtf8(request.clientId)}})
            .toJson(QJsonDocument::Compact);

    QNetworkReply *reply = managerFor(request.proxy)->post(networkRequest, body);
    auto timer = new QTimer(reply);
    timer->setSingleShot(true);
    auto timedOut = std::make_shared<bool>(false);
    connect(timer, &QTimer::timeout, reply, [reply, timedOut] {
        *timedOut = true;
        reply->abort(); // finished() follows with OperationCanceledError
    });
    timer->start(qMax(1, request.timeoutMs));
    const QByteArray oldRefreshToken = request.refreshToken;
    const int timeoutMs = request.timeoutMs;
    connect(reply, &QNetworkReply::finished, this, [reply, timedOut, deliver, oldRefreshToken, timeoutMs] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (*timedOut) {
            deliver(failed(Failure::Transient, 0,
                           QStringLiteral("the token endpoint did not answer within %1 ms").arg(timeoutMs)));
            return;
        }
        if (status == 0) {
            deliver(failed(Failure::Transient, 0,
                           QStringLiteral("the token endpoint is unreachable: %1").arg(reply->errorString())));
            return;
        }
        deliver(parseAnswer(status, reply->readAll(), oldRefreshToken, QDateTime::currentMSecsSinceEpoch()));
    });
}

OAuthRefreshResult OAuthClient::parseAnswer(int httpStatus, const QByteArray &body, const QByteArray &oldRefreshToken,
                                            qint64 nowMs)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    const QJsonObject json = document.object();
    if (httpStatus != 200) {
        const bool refused = httpStatus == 400 || httpStatus == 401 || httpStatus == 403;
        const QString summary = errorSummary(json);
        return failed(refused ? Failure::Rejected : Failure::Transient, httpStatus,
                      summary.isEmpty()
                          ? QStringLiteral("the token endpoint answered HTTP %1").arg(httpStatus)
                          : QStringLiteral("the token endpoint answered HTTP %1 (%2)").arg(httpStatus).arg(summary));
    }
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        return failed(Failure::Transient, httpStatus,
                      QStringLiteral("the token endpoint's answer is not a JSON object"));
    }
    const QString accessToken = json.value(u"access_token").toString();
    if (accessToken.isEmpty()) {
        return failed(Failure::Transient, httpStatus,
                      QStringLiteral("the token endpoint's answer has no access_token"));
    }
    const double expiresIn = json.value(u"expires_in").toDouble(-1);
    if (expiresIn <= 0) {
        return failed(Failure::Transient, httpStatus,
                      QStringLiteral("the token endpoint's answer has no positive expires_in"));
    }
    OAuthRefreshResult result;
    result.httpStatus = httpStatus;
    result.tokens.accessToken = accessToken.toUtf8();
    const QString rotated = json.value(u"refresh_token").toString();
    result.tokens.refreshToken = rotated.isEmpty() ? oldRefreshToken : rotated.toUtf8();
    result.tokens.expiresAt = nowMs + qint64(expiresIn * 1000);
    return result;
}

} // namespace Relay::Upstream
