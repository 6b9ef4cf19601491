// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>
#include <QUrlQuery>

#include <functional>

class QNetworkAccessManager;
class QNetworkReply;

namespace Console {

class EventStream;

// One answer of the admin API: the HTTP status (0 when the relay could not be reached) and the parsed JSON body.
struct AdminReply
{
    int status = 0;
    QJsonValue json;
    QString errorCode;       // the API's stable code ("validation_failed"), or "network" / "timeout"
    QString errorMessage;    // the API's message, or the network error
    QJsonObject fieldErrors; // 422: {"field": "what is wrong"}

    bool ok() const { return status >= 200 && status < 300; }
    QJsonObject object() const { return json.toObject(); }
    // Paginated lists: {"items":[...],"total":N,...}
    QJsonArray items() const { return json.toObject().value(QLatin1String("items")).toArray(); }
    qint64 total() const { return json.toObject().value(QLatin1String("total")).toInteger(); }
    // One line for a person: the message, and the field errors when there are some.
    QString errorText() const;
};

using ReplyHandler = std::function<void(const AdminReply &reply)>;

// The console's only way to a relay: the JSON admin API over HTTP, asynchronous (the GUI thread never waits).
// Every call takes a context object; when it is destroyed before the answer, the handler is not called.
//
//   client->get(u"/admin/keys"_s, {{u"limit"_s, u"50"_s}}, this, [this](const AdminReply &reply) { ... });
class AdminClient : public QObject
{
    Q_OBJECT
public:
    explicit AdminClient(QObject *parent = nullptr);
    ~AdminClient() override;

    // The relay's base URL ("http://127.0.0.1:3000"); paths start with /admin/.
    void setBaseUrl(const QUrl &url);
    QUrl baseUrl() const { return m_baseUrl; }
    // A bearer token from a sign-in (or from the bundled relay).
    void setSession(const QByteArray &token, const QString &user);
    QString user() const { return m_user; }
    bool isSignedIn() const { return !m_token.isEmpty(); }
    // Per-request time limit (not for event streams).
    void setTimeoutMs(int ms) { m_timeoutMs = ms; }

    void signIn(const QString &user, const QString &password, QObject *context, ReplyHandler handler);
    // Ends the session on the relay (best effort) and forgets it.
    void signOut();

    void get(const QString &path, const QUrlQuery &query, QObject *context, ReplyHandler handler);
    void post(const QString &path, const QJsonObject &body, QObject *context, ReplyHandler handler);
    void patch(const QString &path, const QJsonObject &body, QObject *context, ReplyHandler handler);
    void put(const QString &path, const QJsonObject &body, QObject *context, ReplyHandler handler);
    void remove(const QString &path, QObject *context, ReplyHandler handler);
    void request(const QByteArray &method, const QString &path, const QUrlQuery &query, const QJsonValue &body,
                 QObject *context, ReplyHandler handler);

    // A server-sent event stream (e.g. /admin/metrics/live); owned by `parent`, reconnects until closed.
    EventStream *openStream(const QString &path, const QUrlQuery &query, QObject *parent);
    QNetworkAccessManager *streamNetwork() const { return m_streamNetwork; }
    QByteArray authorizationHeader() const { return "Bearer " + m_token; }

    // Requests waiting for an answer (the status bar shows a busy indicator while > 0).
    int pendingCount() const { return m_pending; }

Q_SIGNALS:
    void pendingCountChanged(int count);
    void sessionChanged(const QString &user);
    // A signed-in request got 401: the session ended (expired, password changed, relay restarted elsewhere).
    void sessionExpired();
    // The relay could not be reached at all (connection refused, timeout); cleared by the next answer.
    void reachabilityChanged(bool reachable);

private:
    QUrl urlFor(const QString &path, const QUrlQuery &query) const;
    void finish(QNetworkReply *reply, bool authenticated, const QPointer<QObject> &context,
                const ReplyHandler &handler);
    void setPending(int pending);
    void setReachable(bool reachable);

    QNetworkAccessManager *m_network;
    QNetworkAccessManager *m_streamNetwork; // long-lived streams must not take the request pool's connections
    QUrl m_baseUrl;
    QByteArray m_token;
    QString m_user;
    int m_timeoutMs = 20000;
    int m_pending = 0;
    bool m_reachable = true;
};

} // namespace Console
