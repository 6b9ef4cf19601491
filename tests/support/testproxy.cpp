// SPDX-License-Identifier: GPL-3.0-or-later
#include "testproxy.h"

#include <QHostAddress>
#include <QNetworkProxy>
#include <QPointer>
#include <QTcpSocket>

#include <memory>

namespace {

constexpr qsizetype MaxHeadBytes = 64 * 1024;

QTcpSocket *outboundSocket(QObject *parent)
{
    auto *socket = new QTcpSocket(parent);
    socket->setProxy(QNetworkProxy::NoProxy); // a test proxy never chains to another one
    return socket;
}

// Passes bytes both ways until one side closes, then closes the other once its pending bytes are written. Both
// sockets delete themselves when disconnected.
void splice(QTcpSocket *a, QTcpSocket *b)
{
    const auto oneWay = [](QTcpSocket *from, QTcpSocket *to) {
        QObject::connect(from, &QTcpSocket::readyRead, to, [from, to] { to->write(from->readAll()); });
        QObject::connect(from, &QTcpSocket::disconnected, to, [from, to] {
            if (from->bytesAvailable() > 0)
                to->write(from->readAll());
            to->disconnectFromHost();
        });
    };
    oneWay(a, b);
    oneWay(b, a);
    for (QTcpSocket *socket : {a, b}) {
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        if (socket->bytesAvailable() > 0)
            (socket == a ? b : a)->write(socket->readAll());
    }
    // A side that closed before the splice existed will not signal again.
    for (QTcpSocket *socket : {a, b}) {
        if (socket->state() == QAbstractSocket::UnconnectedState) {
            (socket == a ? b : a)->disconnectFromHost();
            socket->deleteLater();
        }
    }
}

void answerAndClose(QTcpSocket *client, const QByteArray &statusLine)
{
    client->write("HTTP/1.1 " + statusLine + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    client->disconnectFromHost();
}

// The trimmed value of a header in a request head (name in lower case), empty if absent.
QByteArray headerValue(const QByteArray &head, QByteArrayView lowerName)
{
    const QList<QByteArray> lines = head.split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.left(colon).trimmed().toLower() == lowerName)
            return line.mid(colon + 1).trimmed();
    }
    return {};
}

// "host:port" (IPv6 hosts in brackets) -> host and port; false if malformed.
bool splitHostPort(const QByteArray &hostPort, QString *host, quint16 *port)
{
    const qsizetype colon = hostPort.lastIndexOf(':');
    if (colon <= 0)
        return false;
    bool ok = false;
    const uint value = hostPort.mid(colon + 1).toUInt(&ok);
    if (!ok || value == 0 || value > 65535)
        return false;
    QByteArray name = hostPort.left(colon);
    if (name.startsWith('[') && name.endsWith(']'))
        name = name.mid(1, name.size() - 2);
    *host = QString::fromLatin1(name);
    *port = quint16(value);
    return true;
}

// Connects to host:port; on success runs onConnected(outbound), on failure onFailed(). Either way only while the
// client is still there; the outbound socket is the proxy's child until spliced.
template <typename Connected, typename Failed>
void connectOut(QObject *owner, QTcpSocket *client, const QString &host, quint16 port, Connected onConnected,
                Failed onFailed)
{
    QTcpSocket *outbound = outboundSocket(owner);
    const QPointer<QTcpSocket> guard(client);
    auto settled = std::make_shared<bool>(false);
    QObject::connect(outbound, &QTcpSocket::connected, owner, [=] {
        if (std::exchange(*settled, true))
            return;
        if (!guard) {
            outbound->abort();
            outbound->deleteLater();
            return;
        }
        onConnected(outbound);
    });
    QObject::connect(outbound, &QTcpSocket::errorOccurred, owner, [=] {
        if (std::exchange(*settled, true))
            return;
        outbound->deleteLater();
        if (guard)
            onFailed();
    });
    outbound->connectToHost(host, port);
}

} // namespace

// ---------------------------------------------------------------------------------------------------------------

HttpProxy::HttpProxy(QObject *parent)
    : QObject(parent)
    , m_server(this) // a child, so moveToThread() takes the listener along
{
    connect(&m_server, &QTcpServer::newConnection, this, &HttpProxy::onNewConnection);
}

bool HttpProxy::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QUrl HttpProxy::url() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port()));
}

void HttpProxy::setCredentials(const QByteArray &user, const QByteArray &password)
{
    m_expectedAuthorization = user.isEmpty() ? QByteArray() : "Basic " + (user + ':' + password).toBase64();
}

void HttpProxy::resetCounters()
{
    m_connections = 0;
    m_requests = 0;
    m_tunnels = 0;
    m_authFailures = 0;
    m_targets.clear();
}

void HttpProxy::onNewConnection()
{
    while (QTcpSocket *client = m_server.nextPendingConnection()) {
        ++m_connections;
        connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
        struct Reader
        {
            QByteArray buffer;
            qint64 skip = 0; // body bytes of a refused request still to discard
            QMetaObject::Connection connection;
        };
        auto reader = std::make_shared<Reader>();
        reader->connection = connect(client, &QTcpSocket::readyRead, this, [this, client, reader] {
            reader->buffer.append(client->readAll());
            while (true) {
                if (reader->skip > 0) {
                    const qsizetype n = qsizetype(qMin<qint64>(reader->skip, reader->buffer.size()));
                    reader->buffer.remove(0, n);
                    reader->skip -= n;
                    if (reader->skip > 0)
                        return;
                }
                const qsizetype end = reader->buffer.indexOf("\r\n\r\n");
                if (end < 0) {
                    if (reader->buffer.size() > MaxHeadBytes) {
                        disconnect(reader->connection);
                        answerAndClose(client, "431 Request Header Fields Too Large");
                    }
                    return;
                }
                const QByteArray head = reader->buffer.left(end + 4);
                reader->buffer.remove(0, end + 4);
                if (!authorized(head)) {
                    // Refused on a kept-alive connection, as real proxies do: clients send their credentials on
                    // the same connection after the challenge.
                    ++m_authFailures;
                    const qint64 length = headerValue(head, "content-length").toLongLong();
                    const bool chunked = !headerValue(head, "transfer-encoding").isEmpty();
                    const QByteArray answer = "HTTP/1.1 407 Proxy Authentication Required\r\n"
                                              "Proxy-Authenticate: Basic realm=\"relaydeck-test\"\r\n"
                                              "Content-Length: 0\r\n";
                    if (chunked) {
                        disconnect(reader->connection);
                        client->write(answer + "Connection: close\r\n\r\n");
                        client->disconnectFromHost();
                        return;
                    }
                    client->write(answer + "\r\n");
                    reader->skip = length;
                    continue;
                }
                disconnect(reader->connection);
                handleHead(client, head, reader->buffer);
                return;
            }
        });
    }
}

bool HttpProxy::authorized(const QByteArray &head) const
{
    return m_expectedAuthorization.isEmpty() || headerValue(head, "proxy-authorization") == m_expectedAuthorization;
}

void HttpProxy::handleHead(QTcpSocket *client, const QByteArray &head, const QByteArray &rest)
{
    const QList<QByteArray> lines = head.split('\n');
    const QList<QByteArray> requestLine = lines.value(0).trimmed().split(' ');
    if (requestLine.size() != 3 || !requestLine[2].startsWith("HTTP/1.")) {
        answerAndClose(client, "400 Bad Request");
        return;
    }
    const QByteArray &method = requestLine[0];
    const QByteArray &target = requestLine[1];

    QString host;
    quint16 port = 0;
    if (method == "CONNECT") {
        if (!splitHostPort(target, &host, &port)) {
            answerAndClose(client, "400 Bad Request");
            return;
        }
        connectOut(
            this, client, host, port,
            [this, client, target, rest](QTcpSocket *outbound) {
                ++m_tunnels;
                m_targets.append(target);
                client->write("HTTP/1.1 200 Connection established\r\n\r\n");
                outbound->write(rest);
                splice(client, outbound);
            },
            [client] { answerAndClose(client, "502 Bad Gateway"); });
        return;
    }

    // Absolute form: http://host[:port][/path][?query] -> origin form towards host:port.
    if (!target.startsWith("http://")) {
        answerAndClose(client, "400 Bad Request");
        return;
    }
    const qsizetype pathStart = target.indexOf('/', 7);
    const QByteArray authority = target.mid(7, pathStart < 0 ? -1 : pathStart - 7);
    const QByteArray originTarget = pathStart < 0 ? QByteArray("/") : target.mid(pathStart);
    if (!splitHostPort(authority.contains(':') ? authority : authority + ":80", &host, &port)) {
        answerAndClose(client, "400 Bad Request");
        return;
    }
    QByteArray forwarded = method + ' ' + originTarget + " HTTP/1.1\r\n";
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        if (name == "proxy-authorization" || name == "proxy-connection" || name == "connection" || name == "keep-alive")
            continue;
        forwarded += line + "\r\n";
    }
    forwarded += "Connection: close\r\n\r\n" + rest;
    connectOut(
        this, client, host, port,
        [this, client, authority, forwarded](QTcpSocket *outbound) {
            ++m_requests;
            m_targets.append(authority);
            outbound->write(forwarded);
            splice(client, outbound);
        },
        [client] { answerAndClose(client, "502 Bad Gateway"); });
}

// ---------------------------------------------------------------------------------------------------------------

namespace {

enum class SocksStage { Greeting, Auth, Request, Connecting };

QByteArray socksReply(quint8 code, quint16 boundPort = 0)
{
    QByteArray reply("\x05\x00\x00\x01\x7f\x00\x00\x01", 8);
    reply[1] = char(code);
    reply.append(char(boundPort >> 8));
    reply.append(char(boundPort & 0xff));
    return reply;
}

} // namespace

Socks5Proxy::Socks5Proxy(QObject *parent)
    : QObject(parent)
    , m_server(this) // a child, so moveToThread() takes the listener along
{
    connect(&m_server, &QTcpServer::newConnection, this, &Socks5Proxy::onNewConnection);
}

bool Socks5Proxy::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QUrl Socks5Proxy::url() const
{
    return QUrl(QStringLiteral("socks5://127.0.0.1:%1").arg(port()));
}

void Socks5Proxy::setCredentials(const QByteArray &user, const QByteArray &password)
{
    m_user = user;
    m_password = password;
}

void Socks5Proxy::resetCounters()
{
    m_connections = 0;
    m_tunnels = 0;
    m_authFailures = 0;
    m_targets.clear();
}

void Socks5Proxy::onNewConnection()
{
    while (QTcpSocket *client = m_server.nextPendingConnection()) {
        ++m_connections;
        connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
        auto buffer = std::make_shared<QByteArray>();
        auto stage = std::make_shared<SocksStage>(SocksStage::Greeting);
        auto reading = std::make_shared<QMetaObject::Connection>();
        const auto refuse = [client](const QByteArray &reply) {
            client->write(reply);
            client->disconnectFromHost();
        };
        *reading = connect(client, &QTcpSocket::readyRead, this, [=, this] {
            buffer->append(client->readAll());
            const auto byte = [&](qsizetype i) { return quint8(buffer->at(i)); };
            // Each stage waits until its whole message is buffered (the client may send it in pieces).
            while (true) {
                if (*stage == SocksStage::Greeting) {
                    if (buffer->size() < 2 || buffer->size() < 2 + byte(1))
                        return;
                    const QByteArray methods = buffer->mid(2, byte(1));
                    const bool ok = byte(0) == 5;
                    buffer->remove(0, 2 + byte(1));
                    const char wanted = m_user.isEmpty() ? '\x00' : '\x02';
                    if (!ok || !methods.contains(wanted)) {
                        ++m_authFailures;
                        disconnect(*reading);
                        refuse(QByteArray("\x05\xff", 2));
                        return;
                    }
                    client->write(QByteArray("\x05", 1) + wanted);
                    *stage = m_user.isEmpty() ? SocksStage::Request : SocksStage::Auth;
                } else if (*stage == SocksStage::Auth) {
                    if (buffer->size() < 2)
                        return;
                    const int userLength = byte(1);
                    if (buffer->size() < 3 + userLength)
                        return;
                    const int passwordLength = byte(2 + userLength);
                    if (buffer->size() < 3 + userLength + passwordLength)
                        return;
                    const QByteArray user = buffer->mid(2, userLength);
                    const QByteArray password = buffer->mid(3 + userLength, passwordLength);
                    const bool ok = byte(0) == 1 && user == m_user && password == m_password;
                    buffer->remove(0, 3 + userLength + passwordLength);
                    if (!ok) {
                        ++m_authFailures;
                        disconnect(*reading);
                        refuse(QByteArray("\x01\x01", 2));
                        return;
                    }
                    client->write(QByteArray("\x01\x00", 2));
                    *stage = SocksStage::Request;
                } else if (*stage == SocksStage::Request) {
                    if (buffer->size() < 5)
                        return;
                    const quint8 command = byte(1);
                    const quint8 addressType = byte(3);
                    qsizetype addressLength = 0;
                    if (addressType == 1)
                        addressLength = 4;
                    else if (addressType == 4)
                        addressLength = 16;
                    else if (addressType == 3)
                        addressLength = 1 + byte(4);
                    else {
                        disconnect(*reading);
                        refuse(socksReply(8)); // address type not supported
                        return;
                    }
                    if (buffer->size() < 4 + addressLength + 2)
                        return;
                    const bool version5 = byte(0) == 5;
                    const QByteArray address = buffer->mid(4, addressLength);
                    const quint16 port = quint16((byte(4 + addressLength) << 8) | byte(5 + addressLength));
                    buffer->remove(0, 4 + addressLength + 2);
                    disconnect(*reading);
                    if (!version5 || command != 1) {
                        refuse(socksReply(7)); // command not supported
                        return;
                    }
                    QString host;
                    if (addressType == 1)
                        host = QHostAddress(quint32((quint8(address[0]) << 24) | (quint8(address[1]) << 16) |
                                                    (quint8(address[2]) << 8) | quint8(address[3])))
                                   .toString();
                    else if (addressType == 4)
                        host = QHostAddress(reinterpret_cast<const quint8 *>(address.constData())).toString();
                    else
                        host = QString::fromLatin1(address.mid(1));
                    *stage = SocksStage::Connecting;
                    const QByteArray target = host.toLatin1() + ':' + QByteArray::number(port);
                    connectOut(
                        this, client, host, port,
                        [this, client, buffer, target](QTcpSocket *outbound) {
                            ++m_tunnels;
                            m_targets.append(target);
                            client->write(socksReply(0, outbound->localPort()));
                            outbound->write(*buffer);
                            splice(client, outbound);
                        },
                        [refuse] { refuse(socksReply(5)); }); // connection refused
                    return;
                } else {
                    return;
                }
            }
        });
    }
}
