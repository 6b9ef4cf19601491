// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QTcpSocket>

// A blocking admin API client for tests (it keeps the test thread's event loop turning while it waits, because the
// relay's control thread, which handles admin requests, is the test thread): one connection per
// request, the session token sent as a bearer token once signed in.
class AdminClient
{
public:
    struct Response
    {
        bool ok = false; // a complete response arrived
        int status = 0;
        QByteArray body;
        QList<QPair<QByteArray, QByteArray>> headers;
        QJsonDocument json;
        QJsonObject object() const { return json.object(); }
        QJsonArray items() const { return json.object().value(QStringLiteral("items")).toArray(); }
        // error.code of an error answer
        QString errorCode() const;
        // error.fields of a validation error (field name -> what is wrong)
        QJsonObject fieldErrors() const;
        QByteArray header(QByteArrayView name) const;
    };

    explicit AdminClient(quint16 port = 0)
        : m_port(port)
    {}
    void setPort(quint16 port) { m_port = port; }
    quint16 port() const { return m_port; }

    // Signs in and keeps the token; false (with the answer in lastResponse()) when refused.
    bool login(const QString &user, const QString &password);
    // Signs in with the password the relay's first start wrote to <dataDir>/admin-password.
    bool loginInitial(const QString &dataDir);
    static QString initialPassword(const QString &dataDir);

    QByteArray token() const { return m_token; }
    void setToken(const QByteArray &token) { m_token = token; }
    const Response &lastResponse() const { return m_last; }

    Response get(const QByteArray &path);
    Response post(const QByteArray &path, const QJsonObject &body = {});
    Response put(const QByteArray &path, const QJsonObject &body);
    Response patch(const QByteArray &path, const QJsonObject &body);
    Response del(const QByteArray &path);
    // Any method and raw body (for malformed-input tests); extraHeaders end with \r\n each.
    Response request(const QByteArray &method, const QByteArray &path, const QByteArray &body = {},
                     const QByteArray &extraHeaders = {}, bool withToken = true);

private:
    quint16 m_port;
    QByteArray m_token;
    Response m_last;
};

// Reads a server-sent-events answer incrementally (chunked transfer), for /admin/metrics/live and log tails.
class AdminEventStream
{
public:
    struct Event
    {
        QByteArray event;
        QByteArray data;
        QJsonObject json() const { return QJsonDocument::fromJson(data).object(); }
    };

    // Sends GET path; true once a 200 text/event-stream head arrived.
    bool open(quint16 port, const QByteArray &path, const QByteArray &token, int timeoutMs = 5000);
    int status() const { return m_status; }
    // Waits until `count` events (comments excluded) are available or the timeout passes; returns what arrived.
    QList<Event> read(int count, int timeoutMs = 5000);
    // True once the server ended the stream (final chunk or close) within the timeout.
    bool waitForEnd(int timeoutMs = 5000);
    void close() { m_socket.abort(); }

private:
    bool pump(int timeoutMs);
    void parseChunks();
    void parseEvents();

    QTcpSocket m_socket;
    int m_status = 0;
    QByteArray m_raw; // bytes after the head, still chunk-framed
    QByteArray m_sse; // de-chunked SSE text not yet parsed
    bool m_ended = false;
    QList<Event> m_events;
};
