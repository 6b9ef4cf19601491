// SPDX-License-Identifier: GPL-3.0-or-later
#include "mockupstream.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QStandardPaths>
#include <QTimer>

MockUpstream::MockUpstream()
    : MockUpstream(Options{})
{}

MockUpstream::MockUpstream(const Options &options)
    : m_options(options)
{}

MockUpstream::~MockUpstream()
{
    stop();
}

bool MockUpstream::start()
{
    stop();
    m_error.clear();
    const QString node = QStandardPaths::findExecutable(QStringLiteral("node"));
    if (node.isEmpty()) {
        m_error = QStringLiteral("`node` was not found in PATH; the mock Anthropic upstream needs Node.js 20 "
                                 "(Debian: apt-get install nodejs)");
        return false;
    }
    const QString script = QStringLiteral(RELAYDECK_MOCK_UPSTREAM_SCRIPT);
    if (!QFileInfo::exists(script)) {
        m_error = QStringLiteral("mock upstream script not found: %1").arg(script);
        return false;
    }

    QStringList args{script,
                     QStringLiteral("--host"),
                     QStringLiteral("127.0.0.1"),
                     QStringLiteral("--port"),
                     QStringLiteral("0"),
                     QStringLiteral("--quiet")};
    if (m_options.tls) {
        args << QStringLiteral("--tls");
    }
    const auto addInt = [&args](const char *flag, int value) {
        if (value >= 0) {
            args << QString::fromLatin1(flag) << QString::number(value);
        }
    };
    addInt("--deltas", m_options.deltas);
    addInt("--delta-delay-ms", m_options.deltaDelayMs);
    addInt("--first-byte-ms", m_options.firstByteMs);
    addInt("--token-expires-in", m_options.tokenExpiresIn);
    addInt("--token-delay-ms", m_options.tokenDelayMs);
    if (m_options.oauthStrict) {
        args << QStringLiteral("--oauth-strict");
    }

    m_process = std::make_unique<QProcess>();
    // stderr goes to the test log so a crashing mock explains itself; stdin stays a pipe so the child notices
    // when this process dies.
    m_process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process->start(node, args);
    if (!m_process->waitForStarted(m_options.startTimeoutMs)) {
        m_error = QStringLiteral("could not start node: %1").arg(m_process->errorString());
        m_process.reset();
        return false;
    }

    const QDeadlineTimer deadline(m_options.startTimeoutMs);
    QByteArray seen;
    while (!deadline.hasExpired()) {
        while (m_process->canReadLine()) {
            const QByteArray line = m_process->readLine().trimmed();
            seen += line + '\n';
            if (line.startsWith("MOCK_LISTENING ")) {
                const int at = line.indexOf("port=");
                const int end = line.indexOf(' ', at);
                bool ok = false;
                const uint port = line.mid(at + 5, end < 0 ? -1 : end - at - 5).toUInt(&ok);
                if (at < 0 || !ok || port == 0 || port > 65535) {
                    m_error = QStringLiteral("unexpected listening line: %1").arg(QString::fromUtf8(line));
                    stop();
                    return false;
                }
                m_port = static_cast<quint16>(port);
                return true;
            }
        }
        if (m_process->state() != QProcess::Running) {
            m_error = QStringLiteral("mock upstream exited early (code %1); output: %2")
                          .arg(m_process->exitCode())
                          .arg(QString::fromUtf8(seen + m_process->readAll()));
            m_process.reset();
            return false;
        }
        m_process->waitForReadyRead(static_cast<int>(qMax<qint64>(1, qMin<qint64>(100, deadline.remainingTime()))));
    }
    m_error = QStringLiteral("mock upstream did not report MOCK_LISTENING within %1 ms").arg(m_options.startTimeoutMs);
    stop();
    return false;
}

void MockUpstream::stop()
{
    if (!m_process) {
        return;
    }
    if (m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        if (!m_process->waitForFinished(3000)) {
            m_process->kill();
            m_process->waitForFinished(3000);
        }
    }
    m_process.reset();
    m_port = 0;
}

bool MockUpstream::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running && m_port != 0;
}

QUrl MockUpstream::baseUrl() const
{
    QUrl u;
    u.setScheme(m_options.tls ? QStringLiteral("https") : QStringLiteral("http"));
    u.setHost(QStringLiteral("127.0.0.1"));
    u.setPort(m_port);
    return u;
}

QUrl MockUpstream::url(const QString &path) const
{
    QUrl u = baseUrl();
    const qsizetype q = path.indexOf(u'?');
    u.setPath(q < 0 ? path : path.left(q));
    if (q >= 0) {
        u.setQuery(path.mid(q + 1));
    }
    return u;
}

MockUpstream::Reply MockUpstream::get(const QString &path, int timeoutMs) const
{
    return exchange(QByteArrayLiteral("GET"), path, {}, {}, timeoutMs);
}

MockUpstream::Reply MockUpstream::post(const QString &path, const QByteArray &body,
                                       const QList<QPair<QByteArray, QByteArray>> &headers, int timeoutMs) const
{
    return exchange(QByteArrayLiteral("POST"), path, body, headers, timeoutMs);
}

MockUpstream::Reply MockUpstream::exchange(const QByteArray &verb, const QString &path, const QByteArray &body,
                                           const QList<QPair<QByteArray, QByteArray>> &headers, int timeoutMs) const
{
    Reply result;
    if (!isRunning()) {
        result.error = QStringLiteral("mock upstream is not running");
        return result;
    }
    QNetworkAccessManager nam;
    QNetworkRequest request(url(path));
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    for (const auto &[name, value] : headers) {
        request.setRawHeader(name, value);
    }
    QNetworkReply *reply = nam.sendCustomRequest(request, verb, body);
    if (m_options.tls) {
        reply->ignoreSslErrors(); // the mock's certificate is self-signed on purpose
    }
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    timer.start(timeoutMs);
    loop.exec();
    if (!reply->isFinished()) {
        reply->abort();
        result.error = QStringLiteral("timed out after %1 ms").arg(timeoutMs);
        delete reply;
        return result;
    }
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    result.ok = result.status != 0;
    if (!result.ok) {
        result.error = reply->errorString();
    }
    delete reply;
    return result;
}

QJsonArray MockUpstream::requests() const
{
    const Reply r = get(QStringLiteral("/_mock/requests"));
    return r.status == 200 ? QJsonDocument::fromJson(r.body).array() : QJsonArray{};
}

QJsonObject MockUpstream::stats() const
{
    const Reply r = get(QStringLiteral("/_mock/stats"));
    return r.status == 200 ? QJsonDocument::fromJson(r.body).object() : QJsonObject{};
}

bool MockUpstream::reset() const
{
    return post(QStringLiteral("/_mock/reset"), QByteArrayLiteral("{}")).status == 200;
}

QJsonObject MockUpstream::configureOAuth(const QJsonObject &control) const
{
    const Reply r = post(QStringLiteral("/_mock/oauth"), QJsonDocument(control).toJson(QJsonDocument::Compact));
    return r.status == 200 ? QJsonDocument::fromJson(r.body).object() : QJsonObject{};
}
