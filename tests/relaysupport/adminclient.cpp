// SPDX-License-Identifier: GPL-3.0-or-later
#include "adminclient.h"

#include "rawhttpclient.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QThread>

#include <QDir>
#include <QFile>
#include <functional>
#include <future>

QString AdminClient::Response::errorCode() const
{
    return json.object().value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString();
}

QJsonObject AdminClient::Response::fieldErrors() const
{
    return json.object().value(QStringLiteral("error")).toObject().value(QStringLiteral("fields")).toObject();
}

QByteArray AdminClient::Response::header(QByteArrayView name) const
{
    for (const auto &h : headers)
        if (h.first == name)
            return h.second;
    return {};
}

QString AdminClient::initialPassword(const QString &dataDir)
{
    QFile file(QDir(dataDir).filePath(QStringLiteral("admin-password")));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    for (const QByteArray &line : file.readAll().split('\n'))
        if (line.startsWith("password: "))
            return QString::fromUtf8(line.mid(10).trimmed());
    return {};
}

bool AdminClient::login(const QString &user, const QString &password)
{
    const Response r =
        post("/admin/login", QJsonObject{{QStringLiteral("user"), user}, {QStringLiteral("password"), password}});
    if (r.status != 200)
        return false;
    m_token = r.object().value(QStringLiteral("token")).toString().toUtf8();
    return !m_token.isEmpty();
}

bool AdminClient::loginInitial(const QString &dataDir)
{
    const QString password = initialPassword(dataDir);
    return !password.isEmpty() && login(QStringLiteral("admin"), password);
}

AdminClient::Response AdminClient::get(const QByteArray &path)
{
    return request("GET", path);
}

AdminClient::Response AdminClient::post(const QByteArray &path, const QJsonObject &body)
{
    return request("POST", path, body.isEmpty() ? QByteArray() : QJsonDocument(body).toJson(QJsonDocument::Compact));
}

AdminClient::Response AdminClient::put(const QByteArray &path, const QJsonObject &body)
{
    return request("PUT", path, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

AdminClient::Response AdminClient::patch(const QByteArray &path, const QJsonObject &body)
{
    return request("PATCH", path, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

AdminClient::Response AdminClient::del(const QByteArray &path)
{
    return request("DELETE", path);
}

AdminClient::Response AdminClient::request(const QByteArray &method, const QByteArray &path, const QByteArray &body,
                                           const QByteArray &extraHeaders, bool withToken)
{
    QByteArray raw = method + ' ' + path + " HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n";
    if (withToken && !m_token.isEmpty())
        raw += "authorization: Bearer " + m_token + "\r\n";
    if (!body.isEmpty() && !extraHeaders.toLower().contains("content-type:"))
        raw += "content-type: application/json\r\n";
    raw += extraHeaders;
    raw += "content-length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body;
    // The admin API is handled on the relay's control thread, which in tests is this thread: the blocking client
    // runs on a helper thread while this one keeps its event loop turning.
    const quint16 port = m_port;
    auto pending = std::async(std::launch::async, [port, raw] {
        RawHttpClient client;
        if (!client.connectTo(port))
            return RawHttpClient::Response{};
        return client.request(raw, 30000);
    });
    while (pending.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    const RawHttpClient::Response r = pending.get();
    Response out;
    out.ok = r.ok;
    out.status = r.status;
    out.body = r.body;
    out.headers = r.headers;
    out.json = QJsonDocument::fromJson(r.body);
    m_last = out;
    return out;
}

namespace {

// Spins this thread's event loop (the relay's control thread in tests) until done() or the timeout.
bool waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!done()) {
        if (deadline.hasExpired())
            return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        QThread::usleep(200);
    }
    return true;
}

} // namespace

bool AdminEventStream::open(quint16 port, const QByteArray &path, const QByteArray &token, int timeoutMs)
{
    m_socket.connectToHost(QStringLiteral("127.0.0.1"), port);
    if (!waitUntil([this] { return m_socket.state() == QAbstractSocket::ConnectedState; }, timeoutMs))
        return false;
    QByteArray raw = "GET " + path + " HTTP/1.1\r\nhost: 127.0.0.1\r\naccept: text/event-stream\r\n";
    if (!token.isEmpty())
        raw += "authorization: Bearer " + token + "\r\n";
    raw += "\r\n";
    m_socket.write(raw);
    QDeadlineTimer deadline(timeoutMs);
    QByteArray head;
    while (!head.contains("\r\n\r\n")) {
        if (!waitUntil([this] { return m_socket.bytesAvailable() > 0; },
                       int(std::max<qint64>(1, deadline.remainingTime()))))
            return false;
        head += m_socket.readAll();
    }
    const qsizetype end = head.indexOf("\r\n\r\n");
    m_raw = head.mid(end + 4);
    head.truncate(end);
    const QList<QByteArray> parts = head.split(' ');
    m_status = parts.size() > 1 ? parts[1].toInt() : 0;
    parseChunks();
    return m_status == 200 && head.toLower().contains("text/event-stream");
}

bool AdminEventStream::pump(int timeoutMs)
{
    if (m_ended)
        return false;
    if (!waitUntil(
            [this] { return m_socket.bytesAvailable() > 0 || m_socket.state() != QAbstractSocket::ConnectedState; },
            timeoutMs) ||
        m_socket.bytesAvailable() == 0) {
        if (m_socket.state() != QAbstractSocket::ConnectedState)
            m_ended = true;
        return false;
    }
    m_raw += m_socket.readAll();
    parseChunks();
    return true;
}

void AdminEventStream::parseChunks()
{
    for (;;) {
        const qsizetype lineEnd = m_raw.indexOf("\r\n");
        if (lineEnd < 0)
            return;
        bool ok = false;
        const qsizetype size = m_raw.left(lineEnd).split(';').first().trimmed().toLongLong(&ok, 16);
        if (!ok)
            return;
        if (size == 0) {
            m_ended = true;
            m_raw.clear();
            return;
        }
        if (m_raw.size() < lineEnd + 2 + size + 2)
            return;
        m_sse += m_raw.mid(lineEnd + 2, size);
        m_raw.remove(0, lineEnd + 2 + size + 2);
        parseEvents();
    }
}

void AdminEventStream::parseEvents()
{
    for (;;) {
        const qsizetype end = m_sse.indexOf("\n\n");
        if (end < 0)
            return;
        const QByteArray block = m_sse.left(end);
        m_sse.remove(0, end + 2);
        Event event;
        bool any = false;
        for (const QByteArray &line : block.split('\n')) {
            if (line.startsWith("event: ")) {
                event.event = line.mid(7);
                any = true;
            } else if (line.startsWith("data: ")) {
                event.data += line.mid(6);
                any = true;
            }
        }
        if (any)
            m_events.append(event);
    }
}

QList<AdminEventStream::Event> AdminEventStream::read(int count, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (m_events.size() < count && !deadline.hasExpired() && !m_ended)
        pump(int(std::max<qint64>(1, deadline.remainingTime())));
    const qsizetype n = std::min<qsizetype>(count, m_events.size());
    QList<Event> out = m_events.mid(0, n);
    m_events.remove(0, n);
    return out;
}

bool AdminEventStream::waitForEnd(int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!m_ended && !deadline.hasExpired())
        pump(int(std::max<qint64>(1, deadline.remainingTime())));
    return m_ended;
}
