// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/adminclient.h"

#include "ui/eventstream.h"

#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

using namespace Qt::StringLiterals;

namespace Console {

QString AdminReply::errorText() const
{
    QString text = errorMessage.isEmpty() ? AdminClient::tr("HTTP status %1").arg(status) : errorMessage;
    QStringList fields;
    for (auto it = fieldErrors.begin(); it != fieldErrors.end(); ++it)
        fields.append(u"%1: %2"_s.arg(it.key(), it.value().toString()));
    if (!fields.isEmpty())
        text += u" ("_s + fields.join(u"; "_s) + u")"_s;
    return text;
}

AdminClient::AdminClient(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
    , m_streamNetwork(new QNetworkAccessManager(this))
{}

AdminClient::~AdminClient() = default;

void AdminClient::setBaseUrl(const QUrl &url)
{
    m_baseUrl = url;
    m_baseUrl.setPath(QString());
}

void AdminClient::setSession(const QByteArray &token, const QString &user)
{
    m_token = token;
    m_user = user;
    Q_EMIT sessionChanged(user);
}

void AdminClient::signIn(const QString &user, const QString &password, QObject *context, ReplyHandler handler)
{
    m_token.clear();
    request("POST", u"/admin/login"_s, {}, QJsonObject{{u"user"_s, user}, {u"password"_s, password}}, context,
            [this, user, handler](const AdminReply &reply) {
                if (reply.ok())
                    setSession(reply.object().value(u"token"_s).toString().toLatin1(), user);
                handler(reply);
            });
}

void AdminClient::signOut()
{
    if (m_token.isEmpty())
        return;
    request("POST", u"/admin/logout"_s, {}, QJsonObject{}, this, [](const AdminReply &) {});
    setSession({}, {});
}

void AdminClient::get(const QString &path, const QUrlQuery &query, QObject *context, ReplyHandler handler)
{
    request("GET", path, query, QJsonValue::Undefined, context, std::move(handler));
}

void AdminClient::post(const QString &path, const QJsonObject &body, QObject *context, ReplyHandler handler)
{
    request("POST", path, {}, body, context, std::move(handler));
}

void AdminClient::patch(const QString &path, const QJsonObject &body, QObject *context, ReplyHandler handler)
{
    request("PATCH", path, {}, body, context, std::move(handler));
}

void AdminClient::put(const QString &path, const QJsonObject &body, QObject *context, ReplyHandler handler)
{
    request("PUT", path, {}, body, context, std::move(handler));
}

void AdminClient::remove(const QString &path, QObject *context, ReplyHandler handler)
{
    request("DELETE", path, {}, QJsonValue::Undefined, context, std::move(handler));
}

QUrl AdminClient::urlFor(const QString &path, const QUrlQuery &query) const
{
    QUrl url = m_baseUrl;
    url.setPath(path);
    if (!query.isEmpty())
        url.setQuery(query);
    return url;
}

void AdminClient::request(const QByteArray &method, const QString &path, const QUrlQuery &query, const QJsonValue &body,
                          QObject *context, ReplyHandler handler)
{
    QNetworkRequest request(urlFor(path, query));
    request.setTransferTimeout(m_timeoutMs);
    request.setRawHeader("accept", "application/json");
    const bool authenticated = !m_token.isEmpty();
    if (authenticated)
        request.setRawHeader("authorization", authorizationHeader());
    QByteArray payload;
    if (!body.isUndefined()) {
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        payload = body.isArray() ? QJsonDocument(body.toArray()).toJson(QJsonDocument::Compact)
                                 : QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact);
    }
    QNetworkReply *reply = body.isUndefined() ? m_network->sendCustomRequest(request, method)
                                              : m_network->sendCustomRequest(request, method, payload);
    setPending(m_pending + 1);
    const QPointer<QObject> guard(context);
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, authenticated, guard, handler] { finish(reply, authenticated, guard, handler); });
}

void AdminClient::finish(QNetworkReply *reply, bool authenticated, const QPointer<QObject> &context,
                         const ReplyHandler &handler)
{
    reply->deleteLater();
    setPending(m_pending - 1);
    AdminReply result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QByteArray body = reply->readAll();
    if (result.status == 0) {
        const bool timedOut =
            reply->error() == QNetworkReply::OperationCanceledError || reply->error() == QNetworkReply::TimeoutError;
        result.errorCode = timedOut ? u"timeout"_s : u"network"_s;
        result.errorMessage =
            timedOut ? tr("The relay did not answer in time.")
                     : tr("Cannot reach the relay at %1: %2").arg(m_baseUrl.toDisplayString(), reply->errorString());
        setReachable(false);
    } else {
        setReachable(true);
        QJsonParseError parseError{};
        const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
        result.json = document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object());
        if (!result.ok()) {
            const QJsonObject error = document.object().value(u"error"_s).toObject();
            result.errorCode = error.value(u"code"_s).toString();
            result.errorMessage = error.value(u"message"_s).toString();
            result.fieldErrors = error.value(u"fields"_s).toObject();
            if (result.errorMessage.isEmpty())
                result.errorMessage = tr("The relay answered HTTP %1.").arg(result.status);
        }
    }
    if (result.status == 401 && authenticated && !m_token.isEmpty()) {
        m_token.clear();
        Q_EMIT sessionExpired();
    }
    if (context)
        handler(result);
}

EventStream *AdminClient::openStream(const QString &path, const QUrlQuery &query, QObject *parent)
{
    auto *stream = new EventStream(this, urlFor(path, query), parent);
    stream->open();
    return stream;
}

void AdminClient::setPending(int pending)
{
    if (pending == m_pending)
        return;
    m_pending = pending;
    Q_EMIT pendingCountChanged(pending);
}

void AdminClient::setReachable(bool reachable)
{
    if (reachable == m_reachable)
        return;
    m_reachable = reachable;
    Q_EMIT reachabilityChanged(reachable);
}

} // namespace Console
