// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/logspage.h"

#include "ui/adminclient.h"
#include "ui/eventstream.h"
#include "ui/format.h"
#include "ui/icons.h"
#include "ui/widgets/messagebar.h"

#include <QComboBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QScrollBar>
#include <QShortcut>
#include <QTextBlock>
#include <QTextCharFormat>
#include <QTextCursor>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Console {

namespace {

constexpr int SearchDelayMs = 350;
constexpr int FlushDelayMs = 60;

QColor levelColor(const QString &level)
{
    if (level == u"warn")
        return QColor(0xb4, 0x53, 0x09); // amber
    if (level == u"error" || level == u"critical")
        return QColor(0xb9, 0x1c, 0x1c); // red
    if (level == u"debug" || level == u"trace")
        return QColor(0x6b, 0x72, 0x80); // grey
    return {};
}

} // namespace

LogsPage::LogsPage(AdminClient *client, QWidget *parent)
    : Page(client, parent)
    , m_messages(new MessageBar(this))
    , m_levelLabel(new QLabel(this))
    , m_level(new QComboBox(this))
    , m_search(new QLineEdit(this))
    , m_pause(new QPushButton(this))
    , m_clear(new QPushButton(this))
    , m_status(new QLabel(this))
    , m_view(new QPlainTextEdit(this))
{
    setObjectName(u"logsPage"_s);
    m_level->setObjectName(u"logLevel"_s);
    for (const QString &level : {u"trace"_s, u"debug"_s, u"info"_s, u"warn"_s, u"error"_s, u"critical"_s})
        m_level->addItem(QString(), level);
    m_level->setCurrentIndex(2);
    m_levelLabel->setBuddy(m_level);
    m_search->setObjectName(u"logSearch"_s);
    m_search->setClearButtonEnabled(true);
    m_search->addAction(icon(u"search"_s), QLineEdit::LeadingPosition);
    m_search->setMaxLength(200); // the relay's limit for q
    m_search->setMinimumWidth(260);
    m_pause->setObjectName(u"logPause"_s);
    m_pause->setCheckable(true);
    m_pause->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_P));
    m_clear->setObjectName(u"logClear"_s);
    m_clear->setIcon(icon(u"delete"_s));
    m_clear->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    m_status->setObjectName(u"logStatus"_s);
    m_status->setMinimumWidth(180);
    m_status->setAlignment(Qt::AlignRight | Qt::AlignVCenter);

    m_view->setObjectName(u"logView"_s);
    m_view->setReadOnly(true);
    m_view->setMaximumBlockCount(MaxLines);
    m_view->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_view->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);

    auto *focusSearch = new QShortcut(QKeySequence::Find, this);
    focusSearch->setContext(Qt::WidgetWithChildrenShortcut);
    connect(focusSearch, &QShortcut::activated, this, [this] {
        m_search->setFocus();
        m_search->selectAll();
    });
    auto *reload = new QShortcut(QKeySequence::Refresh, this);
    reload->setContext(Qt::WidgetWithChildrenShortcut);
    connect(reload, &QShortcut::activated, this, &LogsPage::restart);

    m_searchDelay.setSingleShot(true);
    m_searchDelay.setInterval(SearchDelayMs);
    connect(&m_searchDelay, &QTimer::timeout, this, &LogsPage::restart);
    connect(m_search, &QLineEdit::textChanged, this, [this] { m_searchDelay.start(); });
    connect(m_search, &QLineEdit::returnPressed, this, [this] {
        if (m_searchDelay.isActive()) {
            m_searchDelay.stop();
            restart();
        }
    });
    connect(m_level, &QComboBox::currentIndexChanged, this, &LogsPage::restart);
    connect(m_pause, &QPushButton::toggled, this, &LogsPage::setPaused);
    connect(m_clear, &QPushButton::clicked, this, &LogsPage::clear);
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(FlushDelayMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &LogsPage::flush);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_levelLabel);
    bar->addWidget(m_level);
    bar->addSpacing(8);
    bar->addWidget(m_search, 1);
    bar->addSpacing(8);
    bar->addWidget(m_pause);
    bar->addWidget(m_clear);
    bar->addWidget(m_status);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_messages);
    layout->addLayout(bar);
    layout->addWidget(m_view, 1);
    setTabOrder(m_level, m_search);
    setTabOrder(m_search, m_pause);
    setTabOrder(m_pause, m_clear);
    setTabOrder(m_clear, m_view);
    retranslate();
}

LogsPage::~LogsPage()
{
    // The stream is a child: deleted with the page, it would report its end to a page half gone.
    if (m_stream) {
        m_stream->disconnect(this);
        delete m_stream;
    }
}

void LogsPage::retranslate()
{
    m_levelLabel->setText(tr("&Level"));
    const QStringList levels = {tr("Trace and above"),     tr("Debug and above"), tr("Info and above"),
                                tr("Warnings and errors"), tr("Errors only"),     tr("Critical only")};
    for (int i = 0; i < levels.size(); ++i)
        m_level->setItemText(i, levels.at(i));
    m_level->setAccessibleName(tr("Minimum log level"));
    m_search->setPlaceholderText(tr("Search messages and logger names (Ctrl+F)"));
    m_search->setAccessibleName(tr("Search the log"));
    m_clear->setText(tr("Clear"));
    m_clear->setToolTip(tr("Clear the view; new lines keep coming (Ctrl+L)"));
    m_clear->setAccessibleName(tr("Clear the view"));
    m_view->setAccessibleName(tr("Log lines"));
    m_view->setPlaceholderText(tr("No log lines match the level and search yet. New lines appear here as the relay "
                                  "writes them."));
    updateStatus();
}

void LogsPage::activate()
{
    start();
}

void LogsPage::deactivate()
{
    stopStream();
    m_searchDelay.stop();
    updateStatus();
}

void LogsPage::reset()
{
    stopStream();
    clearLines();
    m_messages->clear();
    updateStatus();
}

void LogsPage::clearLines()
{
    m_view->clear();
    m_pending.clear();
    m_pausedLines.clear();
    m_pausedReceived = 0;
    m_pausedDropped = 0;
    m_lastSequence = 0;
}

QUrlQuery LogsPage::filterQuery() const
{
    QUrlQuery query{{u"level"_s, m_level->currentData().toString()}};
    const QString text = m_search->text().trimmed();
    if (!text.isEmpty())
        query.addQueryItem(u"q"_s, text);
    return query;
}

// The recent lines first (only those after the last one shown when the view already has lines), then the tail.
void LogsPage::start()
{
    if (!isActive() || m_stream || m_loading)
        return;
    m_loading = true;
    const int generation = ++m_generation;
    QUrlQuery query = filterQuery();
    query.addQueryItem(u"limit"_s, QString::number(BacklogLines));
    if (m_lastSequence > 0)
        query.addQueryItem(u"after"_s, QString::number(m_lastSequence));
    m_view->viewport()->setCursor(Qt::BusyCursor);
    updateStatus();
    client()->get(u"/admin/logs"_s, query, this, [this, generation](const AdminReply &reply) {
        if (generation != m_generation)
            return;
        m_loading = false;
        m_view->viewport()->unsetCursor();
        if (!isActive())
            return updateStatus();
        if (!reply.ok()) {
            m_messages->showError(tr("Could not load the log: %1").arg(reply.errorText()));
            return updateStatus();
        }
        if (m_messages->kind() == MessageBar::Kind::Error)
            m_messages->clear();
        for (const QJsonValue &entry : reply.items())
            receive(entry.toObject());
        m_lastSequence = std::max(m_lastSequence, reply.object().value(u"last_sequence"_s).toInteger());

        m_stream = client()->openStream(u"/admin/logs/stream"_s, filterQuery(), this);
        connect(m_stream, &EventStream::eventReceived, this, &LogsPage::onEvent);
        connect(m_stream, &EventStream::connectedChanged, this, &LogsPage::updateStatus);
        connect(m_stream, &EventStream::failed, this, [this](int status, const QString &message) {
            m_messages->showError(tr("The live log stopped (HTTP %1): %2").arg(status).arg(message));
            stopStream();
            updateStatus();
        });
        m_stream->open();
        updateStatus();
    });
}

void LogsPage::stopStream()
{
    ++m_generation; // an answer still on its way belongs to the old filter
    m_loading = false;
    m_view->viewport()->unsetCursor();
    if (m_stream) {
        m_stream->disconnect(this);
        m_stream->close();
        m_stream->deleteLater();
        m_stream = nullptr;
    }
}

// A new filter: the view shows only lines that match it, so it starts over.
void LogsPage::restart()
{
    m_searchDelay.stop();
    stopStream();
    clearLines();
    start();
    updateStatus();
}

void LogsPage::onEvent(const QString &event, const QByteArray &data)
{
    const QJsonObject object = QJsonDocument::fromJson(data).object();
    if (event == u"log") {
        const qint64 sequence = object.value(u"sequence"_s).toInteger();
        // The stream begins with recent lines again (and again after a reconnect): skip those already shown.
        if (sequence <= m_lastSequence)
            return;
        m_lastSequence = sequence;
        receive(object);
    } else if (event == u"gap") {
        receive(QJsonObject{{u"gap"_s, object.value(u"missed"_s).toInteger()}});
    } else if (event == u"error") {
        const QString message = object.value(u"error"_s).toObject().value(u"message"_s).toString();
        m_messages->showError(
            tr("The live log stopped: %1").arg(message.isEmpty() ? QString::fromUtf8(data) : message));
        stopStream();
        updateStatus();
    }
}

void LogsPage::receive(const QJsonObject &entry)
{
    if (m_paused) {
        ++m_pausedReceived;
        m_pausedLines.append(entry);
        if (m_pausedLines.size() > MaxPausedLines) {
            m_pausedLines.removeFirst();
            ++m_pausedDropped;
        }
        updateStatus();
        return;
    }
    m_pending.append(entry);
    if (m_pending.size() > MaxLines)
        m_pending.removeFirst();
    scheduleFlush();
}

void LogsPage::scheduleFlush()
{
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void LogsPage::flush()
{
    if (m_pending.isEmpty())
        return;
    QScrollBar *scroll = m_view->verticalScrollBar();
    // Follow the tail unless the operator scrolled up to read.
    const bool following = scroll->value() >= scroll->maximum() - 2;
    const int keep = scroll->value();
    for (const QJsonObject &entry : std::as_const(m_pending)) {
        if (entry.contains(u"gap"_s))
            appendNotice(tr("%n line(s) missing here: the relay's log ring wrapped before they were sent.", nullptr,
                            int(entry.value(u"gap"_s).toInteger())));
        else if (entry.contains(u"dropped"_s))
            appendNotice(tr("%n line(s) received while paused are not shown: the pause buffer was full.", nullptr,
                            int(entry.value(u"dropped"_s).toInteger())));
        else
            appendEntry(entry);
    }
    m_pending.clear();
    if (following)
        scroll->setValue(scroll->maximum());
    else
        scroll->setValue(keep);
}

void LogsPage::appendEntry(const QJsonObject &entry)
{
    const QString level = entry.value(u"level"_s).toString();
    const QColor color = levelColor(level);
    QTextCursor cursor(m_view->document());
    cursor.movePosition(QTextCursor::End);
    if (!m_view->document()->isEmpty())
        cursor.insertBlock();

    QTextCharFormat muted;
    muted.setForeground(QColor(0x6b, 0x72, 0x80));
    QTextCharFormat levelFormat;
    levelFormat.setFontWeight(QFont::Bold);
    QTextCharFormat message;
    if (color.isValid()) {
        levelFormat.setForeground(color);
        message.setForeground(color);
    }
    cursor.insertText(Format::time(entry.value(u"time"_s).toInteger()) + u' ', muted);
    cursor.insertText(level.toUpper().leftJustified(8), levelFormat);
    const QString logger = entry.value(u"logger"_s).toString();
    if (!logger.isEmpty())
        cursor.insertText(u'[' + logger + u"] "_s, muted);
    cursor.insertText(entry.value(u"message"_s).toString(), message);
}

void LogsPage::appendNotice(const QString &text)
{
    QTextCursor cursor(m_view->document());
    cursor.movePosition(QTextCursor::End);
    if (!m_view->document()->isEmpty())
        cursor.insertBlock();
    QTextCharFormat notice;
    notice.setForeground(QColor(0x6b, 0x72, 0x80));
    notice.setFontItalic(true);
    cursor.insertText(u"── "_s + text + u" ──"_s, notice);
}

void LogsPage::setPaused(bool paused)
{
    if (m_pause->isChecked() != paused)
        m_pause->setChecked(paused); // comes back here through toggled()
    if (m_paused == paused)
        return;
    m_paused = paused;
    if (!paused) {
        // A notice for lines that did not fit the pause buffer, then the lines that did.
        if (m_pausedDropped > 0)
            m_pending.append(QJsonObject{{u"dropped"_s, m_pausedDropped}});
        m_pending.append(m_pausedLines);
        m_pausedLines.clear();
        m_pausedReceived = 0;
        m_pausedDropped = 0;
        flush();
    }
    updateStatus();
}

void LogsPage::clear()
{
    m_view->clear();
    m_pending.clear();
    m_pausedLines.clear();
    m_pausedReceived = 0;
    m_pausedDropped = 0;
    updateStatus();
}

void LogsPage::updateStatus()
{
    m_pause->setText(m_paused ? tr("Resume") : tr("Pause"));
    m_pause->setIcon(icon(m_paused ? u"play"_s : u"pause"_s));
    m_pause->setAccessibleName(m_paused ? tr("Resume the live log") : tr("Pause the live log"));
    m_pause->setToolTip(m_paused ? tr("Show the lines received while paused and follow the tail again (Ctrl+P)")
                                 : tr("Stop adding lines to the view; they are kept until Resume (Ctrl+P)"));
    QString text;
    QString color = u"#6b7280"_s;
    if (m_paused) {
        text = m_pausedReceived == 0 ? tr("Paused") : tr("Paused: %n new line(s)", nullptr, m_pausedReceived);
        color = u"#b45309"_s;
    } else if (m_loading || (m_stream && !m_stream->isConnected())) {
        text = tr("Connecting…");
    } else if (m_stream) {
        text = tr("● Live");
        color = u"#15803d"_s;
    } else {
        text = tr("Not following");
    }
    m_status->setText(text);
    m_status->setStyleSheet(u"color:%1;"_s.arg(color));
    m_status->setAccessibleName(text);
}

} // namespace Console
