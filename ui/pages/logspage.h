// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/eventstream.h"
#include "ui/page.h"

#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QTimer>
#include <QUrlQuery>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;

namespace Console {

class MessageBar;

// The Logs page: the relay's recent log lines (from its in-memory ring) and a live tail over SSE, filtered by
// minimum level and text on the relay. Shown: the last 200 lines, then every new one; a notice when the relay's
// ring wrapped before lines were sent. While paused the stream keeps running into a bounded buffer (the status says
// how many lines wait) and Resume shows them. The view keeps at most MaxLines lines.
class LogsPage : public Page
{
    Q_OBJECT
public:
    static constexpr int MaxLines = 5000;
    static constexpr int MaxPausedLines = 2000;
    static constexpr int BacklogLines = 200;

    explicit LogsPage(AdminClient *client, QWidget *parent = nullptr);
    ~LogsPage() override;

    QString title() const override { return tr("Logs"); }
    QString iconName() const override { return QStringLiteral("logs"); }

    void activate() override;
    void deactivate() override;
    void reset() override;

    bool isPaused() const { return m_paused; }
    bool isStreaming() const { return m_stream != nullptr; }
    // Lines received while paused, not shown yet.
    int pausedCount() const { return m_pausedReceived; }

    void setPaused(bool paused);
    void clear();

protected:
    void retranslate() override;

private:
    void start();
    void stopStream();
    // Forgets every line shown, waiting or buffered while paused.
    void clearLines();
    void restart();
    QUrlQuery filterQuery() const;
    void onEvent(const QString &event, const QByteArray &data);
    void receive(const QJsonObject &entry);
    void scheduleFlush();
    void flush();
    void appendEntry(const QJsonObject &entry);
    void appendNotice(const QString &text);
    void updateStatus();

    MessageBar *m_messages;
    QLabel *m_levelLabel;
    QComboBox *m_level;
    QLineEdit *m_search;
    QPushButton *m_pause;
    QPushButton *m_clear;
    QLabel *m_status;
    QPlainTextEdit *m_view;
    QTimer m_searchDelay;
    QTimer m_flushTimer;
    QPointer<EventStream> m_stream;
    int m_generation = 0;
    qint64 m_lastSequence = 0;
    bool m_loading = false;
    // Entries and notices ({"gap": missed}, {"dropped": n}) waiting for the next repaint, oldest first.
    QList<QJsonObject> m_pending;
    bool m_paused = false;
    QList<QJsonObject> m_pausedLines;
    int m_pausedReceived = 0;
    int m_pausedDropped = 0;
};

} // namespace Console
