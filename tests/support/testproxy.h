// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QTcpServer>
#include <QUrl>

#include <atomic>

// Small forwarding proxies on 127.0.0.1 for tests of per-account upstream proxies. Both run on the thread that
// creates them (its event loop must run while traffic flows, e.g. inside QSignalSpy::wait or QTRY_*), count what
// went through them, and close a connection when either side closes (no keep-alive towards the client).
//
// HttpProxy speaks HTTP/1.1 in both proxy forms: absolute-form requests (`GET http://host:port/path`) are forwarded
// to the origin with `Connection: close` and the answer is passed back byte for byte; `CONNECT host:port` opens a
// tunnel. With credentials set, a request without the right `Proxy-Authorization: Basic` gets 407 and the
// connection is closed.
class HttpProxy : public QObject
{
    Q_OBJECT
public:
    explicit HttpProxy(QObject *parent = nullptr);

    // Listens on 127.0.0.1 on a free port.
    bool listen();
    quint16 port() const { return m_server.serverPort(); }
    // http://127.0.0.1:<port>, without credentials.
    QUrl url() const;
    // Require these Basic credentials from now on (an empty user switches the check off).
    void setCredentials(const QByteArray &user, const QByteArray &password);

    int connections() const { return m_connections; }   // client connections accepted
    int requests() const { return m_requests; }         // absolute-form requests forwarded
    int tunnels() const { return m_tunnels; }           // CONNECT tunnels established
    int authFailures() const { return m_authFailures; } // 407 answers
    // "host:port" of every request or tunnel forwarded, in order.
    QList<QByteArray> targets() const { return m_targets; }
    void resetCounters();

private:
    void onNewConnection();
    void handleHead(class QTcpSocket *client, const QByteArray &head, const QByteArray &rest);
    bool authorized(const QByteArray &head) const;

    QTcpServer m_server;
    QByteArray m_expectedAuthorization; // "Basic <base64>", empty = no auth
    std::atomic<int> m_connections = 0;
    std::atomic<int> m_requests = 0;
    std::atomic<int> m_tunnels = 0;
    std::atomic<int> m_authFailures = 0;
    QList<QByteArray> m_targets;
};

// RFC 1928 SOCKS5 with the CONNECT command only (IPv4, IPv6 and domain-name targets), either without
// authentication or with RFC 1929 username/password when credentials are set.
class Socks5Proxy : public QObject
{
    Q_OBJECT
public:
    explicit Socks5Proxy(QObject *parent = nullptr);

    bool listen();
    quint16 port() const { return m_server.serverPort(); }
    // socks5://127.0.0.1:<port>, without credentials.
    QUrl url() const;
    void setCredentials(const QByteArray &user, const QByteArray &password);

    int connections() const { return m_connections; }   // client connections accepted
    int tunnels() const { return m_tunnels; }           // CONNECTs that reached their target
    int authFailures() const { return m_authFailures; } // refused greetings or wrong credentials
    QList<QByteArray> targets() const { return m_targets; }
    void resetCounters();

private:
    void onNewConnection();

    QTcpServer m_server;
    QByteArray m_user;
    QByteArray m_password;
    std::atomic<int> m_connections = 0;
    std::atomic<int> m_tunnels = 0;
    std::atomic<int> m_authFailures = 0;
    QList<QByteArray> m_targets;
};
