// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

class QNetworkReply;

namespace Console {

class AdminClient;

// A server-sent event stream from the admin API (live metrics, log tail). Events are parsed incrementally for any
// chunk split; when the connection drops the stream reconnects with a growing delay (1 s … 10 s) until close().
class EventStream : public QObject
{
    Q_OBJECT
public:
    EventStream(AdminClient *client, QUrl url, QObject *parent = nullptr);
    ~EventStream() override;

    void open();
    void close();
    bool isConnected() const { return m_connected; }

Q_SIGNALS:
    void eventReceived(const QString &event, const QByteArray &data);
    void connectedChanged(bool connected);
    // Not retried: the relay refused the stream (401 when the session ended, 404, …).
    void failed(int status, const QString &message);

private:
    void onReadyRead();
    void onFinished();
    void dispatchLine(const QByteArray &line);
    void setConnected(bool connected);

    QPointer<AdminClient> m_client;
    QUrl m_url;
    QNetworkReply *m_reply = nullptr;
    QTimer m_retry;
    int m_retryDelayMs = 1000;
    bool m_closed = false;
    bool m_connected = false;
    QByteArray m_buffer;
    QString m_event;
    QByteArray m_data;
};

} // namespace Console
