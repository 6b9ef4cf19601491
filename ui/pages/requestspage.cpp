// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/requestspage.h"

#include "ui/adminclient.h"
#include "ui/format.h"
#include "ui/icons.h"
#include "ui/jsontablemodel.h"
#include "ui/widgets/messagebar.h"

#include <QAction>
#include <QCheckBox>
#include <QColor>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Console {

namespace {

enum Column { Time, Request, Model, Key, Account, Status, Total, FirstByte, Overhead, Attempts, Flags };

const QString HeaderSetting = u"ui/requests/tableHeader"_s;
const QString SplitterSetting = u"ui/requests/splitter"_s;

QVariant statusColor(int status)
{
    if (status >= 500)
        return QColor(0xe0, 0x31, 0x31);
    if (status >= 400)
        return QColor(0xd9, 0x77, 0x06);
    if (status >= 200 && status < 300)
        return QColor(0x2f, 0x9e, 0x44);
    return {};
}

QString msOrDash(const QJsonValue &value)
{
    return value.isDouble() ? Format::milliseconds(value.toDouble()) : QStringLiteral("–");
}

// A list row with the derived columns the table sorts on: first byte and relay overhead in ms (absent when the
// request never got an upstream answer).
QJsonObject withDerived(QJsonObject row)
{
    const QJsonObject t = row.value(u"timings_us"_s).toObject();
    const qint64 sent = t.value(u"upstream_sent"_s).toInteger();
    const qint64 firstByte = t.value(u"first_byte"_s).toInteger();
    const qint64 end = t.value(u"end"_s).toInteger();
    if (firstByte > 0)
        row.insert(u"first_byte_ms"_s, double(firstByte) / 1000);
    // Time spent before the (last) upstream call went out; without an upstream call, the whole request.
    row.insert(u"overhead_ms"_s, double(sent > 0 ? sent : end) / 1000);
    return row;
}

} // namespace

RequestsPage::RequestsPage(AdminClient *client, QWidget *parent)
    : Page(client, parent)
    , m_messages(new MessageBar(this))
    , m_statusLabel(new QLabel(this))
    , m_status(new QComboBox(this))
    , m_minDurationLabel(new QLabel(this))
    , m_minDuration(new QSpinBox(this))
    , m_keyId(new QLineEdit(this))
    , m_accountId(new QLineEdit(this))
    , m_autoRefresh(new QCheckBox(this))
    , m_refreshButton(new QToolButton(this))
    , m_refreshAction(new QAction(icon(u"refresh"_s), QString(), this))
    , m_countLabel(new QLabel(this))
    , m_splitter(new QSplitter(Qt::Vertical, this))
    , m_tableStack(new QStackedWidget(this))
    , m_empty(new QLabel(this))
    , m_table(new QTableView(this))
    , m_model(new JsonTableModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_detail(new QLabel(this))
    , m_waterfall(new WaterfallWidget(this))
{
    setObjectName(u"requestsPage"_s);
    m_status->setObjectName(u"requestsStatus"_s);
    m_minDuration->setObjectName(u"requestsMinDuration"_s);
    m_keyId->setObjectName(u"requestsKeyId"_s);
    m_accountId->setObjectName(u"requestsAccountId"_s);
    m_autoRefresh->setObjectName(u"requestsAutoRefresh"_s);
    m_refreshButton->setObjectName(u"requestsRefresh"_s);
    m_refreshAction->setObjectName(u"requestsRefreshAction"_s);
    m_countLabel->setObjectName(u"requestsCount"_s);
    m_empty->setObjectName(u"requestsEmpty"_s);
    m_table->setObjectName(u"requestsTable"_s);
    m_detail->setObjectName(u"requestsDetail"_s);
    m_waterfall->setObjectName(u"requestsWaterfall"_s);
    m_splitter->setObjectName(u"requestsSplitter"_s);

    for (int i = 0; i < 5; ++i)
        m_status->addItem(QString());
    m_status->setItemData(0, QString());
    m_status->setItemData(1, u"2xx"_s);
    m_status->setItemData(2, u"4xx"_s);
    m_status->setItemData(3, u"5xx"_s);
    m_status->setItemData(4, u"error"_s);
    m_minDuration->setRange(0, 600000);
    m_minDuration->setSingleStep(100);
    m_minDuration->setAccelerated(true);
    m_keyId->setClearButtonEnabled(true);
    m_accountId->setClearButtonEnabled(true);
    m_keyId->setMaxLength(64);
    m_accountId->setMaxLength(64);
    m_autoRefresh->setChecked(true);
    m_statusLabel->setBuddy(m_status);
    m_minDurationLabel->setBuddy(m_minDuration);

    m_refreshAction->setShortcut(QKeySequence::Refresh);
    m_refreshButton->setDefaultAction(m_refreshAction);
    m_refreshButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    addAction(m_refreshAction);

    auto *filters = new QHBoxLayout;
    filters->addWidget(m_statusLabel);
    filters->addWidget(m_status);
    filters->addSpacing(8);
    filters->addWidget(m_minDurationLabel);
    filters->addWidget(m_minDuration);
    filters->addSpacing(8);
    filters->addWidget(m_keyId, 1);
    filters->addWidget(m_accountId, 1);
    filters->addSpacing(8);
    filters->addWidget(m_autoRefresh);
    filters->addWidget(m_refreshButton);

    m_model->setColumns({
        {u"started_at"_s, [](const QJsonValue &v, const QJsonObject &) { return Format::time(v.toInteger()); }},
        {u"endpoint"_s,
         [](const QJsonValue &v, const QJsonObject &) {
             return v.toString() == u"count_tokens" ? u"POST /v1/messages/count_tokens"_s : u"POST /v1/messages"_s;
         }},
        {u"model"_s, [](const QJsonValue &v, const QJsonObject &) { return v.isString() ? v.toString() : u"–"_s; }},
        {u"key_name"_s,
         [](const QJsonValue &v, const QJsonObject &row) {
             if (v.isString() && !v.toString().isEmpty())
                 return v.toString();
             const QJsonValue id = row.value(u"key_id"_s);
             return id.isString() ? id.toString() : u"–"_s;
         }},
        {u"account_id"_s,
         [](const QJsonValue &v, const QJsonObject &) { return v.isString() ? v.toString() : u"–"_s; }},
        {u"status"_s, [](const QJsonValue &v, const QJsonObject &) { return QString::number(v.toInt()); },
         Qt::AlignCenter, [](const QJsonValue &v, const QJsonObject &) { return statusColor(v.toInt()); }},
        {u"duration_ms"_s, [](const QJsonValue &v, const QJsonObject &) { return msOrDash(v); },
         Qt::AlignRight | Qt::AlignVCenter},
        {u"first_byte_ms"_s, [](const QJsonValue &v, const QJsonObject &) { return msOrDash(v); },
         Qt::AlignRight | Qt::AlignVCenter},
        {u"overhead_ms"_s, [](const QJsonValue &v, const QJsonObject &) { return msOrDash(v); },
         Qt::AlignRight | Qt::AlignVCenter},
        {u"attempts"_s, {}, Qt::AlignRight | Qt::AlignVCenter},
        {u"error_type"_s,
         [](const QJsonValue &v, const QJsonObject &row) {
             QStringList flags;
             if (row.value(u"stream"_s).toBool())
                 flags.append(RequestsPage::tr("stream"));
             if (row.value(u"truncated"_s).toBool())
                 flags.append(RequestsPage::tr("truncated"));
             if (row.value(u"client_aborted"_s).toBool())
                 flags.append(RequestsPage::tr("client left"));
             if (v.isString() && !v.toString().isEmpty())
                 flags.append(v.toString());
             return flags.join(u", "_s);
         }},
    });
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(JsonTableModel::RawRole);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(Time, Qt::DescendingOrder);
    m_table->setAlternatingRowColors(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 8);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setSectionsMovable(true);
    m_table->setWordWrap(false);
    const QList<int> widths{70, 150, 130, 100, 100, 55, 70, 75, 105, 65};
    for (int i = 0; i < widths.size(); ++i)
        m_table->setColumnWidth(i, widths.at(i));
    QSettings settings;
    m_table->horizontalHeader()->restoreState(settings.value(HeaderSetting).toByteArray());

    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setMargin(24);
    m_tableStack->addWidget(m_empty);
    m_tableStack->addWidget(m_table);

    auto *detailBox = new QWidget(this);
    auto *detailLayout = new QVBoxLayout(detailBox);
    detailLayout->setContentsMargins(0, 4, 0, 0);
    m_detail->setWordWrap(true);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    detailLayout->addWidget(m_detail);
    detailLayout->addWidget(m_waterfall, 1);

    m_splitter->addWidget(m_tableStack);
    m_splitter->addWidget(detailBox);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setChildrenCollapsible(false);
    if (!m_splitter->restoreState(settings.value(SplitterSetting).toByteArray()))
        m_splitter->setSizes({400, 240});

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_messages);
    layout->addLayout(filters);
    layout->addWidget(m_countLabel);
    layout->addWidget(m_splitter, 1);

    setTabOrder(m_status, m_minDuration);
    setTabOrder(m_minDuration, m_keyId);
    setTabOrder(m_keyId, m_accountId);
    setTabOrder(m_accountId, m_autoRefresh);
    setTabOrder(m_autoRefresh, m_refreshButton);
    setTabOrder(m_refreshButton, m_table);

    m_timer.setInterval(RefreshIntervalMs);
    m_filterDelay.setSingleShot(true);
    m_filterDelay.setInterval(300);
    connect(&m_timer, &QTimer::timeout, this, &RequestsPage::refresh);
    connect(&m_filterDelay, &QTimer::timeout, this, &RequestsPage::refresh);
    connect(m_refreshAction, &QAction::triggered, this, &RequestsPage::refresh);
    connect(m_status, &QComboBox::currentIndexChanged, this, &RequestsPage::refresh);
    connect(m_minDuration, &QSpinBox::valueChanged, this, &RequestsPage::scheduleFilterRefresh);
    connect(m_keyId, &QLineEdit::textChanged, this, &RequestsPage::scheduleFilterRefresh);
    connect(m_accountId, &QLineEdit::textChanged, this, &RequestsPage::scheduleFilterRefresh);
    connect(m_autoRefresh, &QCheckBox::toggled, this, &RequestsPage::updateTimer);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RequestsPage::onSelectionChanged);

    retranslate();
}

RequestsPage::~RequestsPage()
{
    QSettings settings;
    settings.setValue(HeaderSetting, m_table->horizontalHeader()->saveState());
    settings.setValue(SplitterSetting, m_splitter->saveState());
}

void RequestsPage::retranslate()
{
    m_statusLabel->setText(tr("&Status:"));
    m_status->setItemText(0, tr("All"));
    m_status->setItemText(1, tr("Successful (2xx)"));
    m_status->setItemText(2, tr("Client errors (4xx)"));
    m_status->setItemText(3, tr("Server errors (5xx)"));
    m_status->setItemText(4, tr("All errors (400+)"));
    m_status->setAccessibleName(tr("Status filter"));
    m_minDurationLabel->setText(tr("&Slower than:"));
    m_minDuration->setSpecialValueText(tr("any"));
    m_minDuration->setSuffix(tr(" ms"));
    m_minDuration->setAccessibleName(tr("Minimum duration in milliseconds"));
    m_keyId->setPlaceholderText(tr("Key id"));
    m_keyId->setAccessibleName(tr("Only this key id"));
    m_accountId->setPlaceholderText(tr("Account id"));
    m_accountId->setAccessibleName(tr("Only this account id"));
    m_autoRefresh->setText(tr("&Auto-refresh"));
    m_autoRefresh->setToolTip(tr("Reload the list every 2 seconds while this page is shown"));
    m_autoRefresh->setAccessibleName(tr("Auto-refresh"));
    m_refreshAction->setText(tr("Refresh"));
    m_refreshAction->setToolTip(tr("Reload the list (F5)"));
    m_refreshButton->setAccessibleName(tr("Refresh"));
    m_table->setAccessibleName(tr("Recent requests"));
    m_waterfall->setAccessibleName(tr("Stages of the selected request"));
    m_waterfall->setEmptyText(tr("Select a request to see how long each stage took."));
    m_model->setTitles({tr("Time"), tr("Request"), tr("Model"), tr("Key"), tr("Account"), tr("Status"), tr("Total"),
                        tr("First byte"), tr("Relay overhead"), tr("Attempts"), tr("Flags")});
    if (m_loadedOnce)
        showRows(m_model->rows(), m_total);
    else
        m_empty->setText(tr("Loading the recent requests…"));
    if (!m_selectedRecord.isEmpty())
        showRecord(m_selectedRecord);
}

void RequestsPage::activate()
{
    refresh();
    updateTimer();
}

void RequestsPage::deactivate()
{
    updateTimer();
}

void RequestsPage::reset()
{
    m_model->setRows({});
    m_selectedId.clear();
    m_selectedRecord = {};
    m_waterfall->clear();
    m_detail->clear();
    m_loadedOnce = false;
    m_total = 0;
    m_messages->clear();
    retranslate();
    if (isActive())
        refresh();
}

void RequestsPage::updateTimer()
{
    if (isActive() && m_autoRefresh->isChecked())
        m_timer.start();
    else
        m_timer.stop();
}

bool RequestsPage::hasFilters() const
{
    return m_status->currentIndex() > 0 || m_minDuration->value() > 0 || !m_keyId->text().trimmed().isEmpty() ||
           !m_accountId->text().trimmed().isEmpty();
}

void RequestsPage::scheduleFilterRefresh()
{
    m_filterDelay.start();
}

void RequestsPage::refresh()
{
    if (!client()->isSignedIn())
        return;
    if (m_loading) {
        // A filter change while a list is on its way: ask again once it is here.
        m_filterDelay.start();
        return;
    }
    m_loading = true;
    m_refreshAction->setEnabled(false);
    if (!m_loadedOnce)
        m_messages->showBusy(tr("Loading the recent requests…"));
    QUrlQuery query{{u"limit"_s, QString::number(RowLimit)}};
    if (const QString status = m_status->currentData().toString(); !status.isEmpty())
        query.addQueryItem(u"status"_s, status);
    if (m_minDuration->value() > 0)
        query.addQueryItem(u"min_duration_ms"_s, QString::number(m_minDuration->value()));
    if (const QString key = m_keyId->text().trimmed(); !key.isEmpty())
        query.addQueryItem(u"key_id"_s, key);
    if (const QString account = m_accountId->text().trimmed(); !account.isEmpty())
        query.addQueryItem(u"account_id"_s, account);
    client()->get(u"/admin/requests"_s, query, this, [this](const AdminReply &reply) {
        m_loading = false;
        m_refreshAction->setEnabled(true);
        if (!reply.ok()) {
            m_messages->showError(tr("Could not load the requests: %1").arg(reply.errorText()));
            return;
        }
        if (m_messages->kind() == MessageBar::Kind::Error || m_messages->kind() == MessageBar::Kind::Busy)
            m_messages->clear();
        m_loadedOnce = true;
        QJsonArray rows;
        for (const QJsonValue &item : reply.items())
            rows.append(withDerived(item.toObject()));
        showRows(rows, reply.total());
        Q_EMIT refreshed();
    });
}

void RequestsPage::showRows(const QJsonArray &rows, qint64 total)
{
    m_total = total;
    if (rows != m_model->rows()) {
        m_restoringSelection = true;
        m_model->setRows(rows);
        m_restoringSelection = false;
        restoreSelection();
    }
    if (rows.isEmpty()) {
        m_empty->setText(hasFilters() ? tr("No recent request matches these filters.")
                                      : tr("No requests yet.\nEvery request the relay answers appears here with "
                                           "its stage timings (the last 1000 per worker are kept in memory)."));
        m_tableStack->setCurrentWidget(m_empty);
    } else {
        m_tableStack->setCurrentWidget(m_table);
    }
    m_countLabel->setText(total > rows.size()
                              ? tr("Showing the newest %1 of %2 requests kept").arg(rows.size()).arg(total)
                              : tr("Requests kept: %1").arg(total));
}

void RequestsPage::restoreSelection()
{
    if (m_selectedId.isEmpty())
        return;
    const int row = m_model->findRow(u"id"_s, m_selectedId);
    m_restoringSelection = true;
    if (row < 0) {
        m_table->clearSelection(); // gone from the list (filtered or evicted); its waterfall stays
    } else {
        const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
        m_table->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        m_table->selectionModel()->setCurrentIndex(index, QItemSelectionModel::NoUpdate);
    }
    m_restoringSelection = false;
}

void RequestsPage::onSelectionChanged()
{
    if (m_restoringSelection)
        return;
    const QModelIndexList rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return;
    const QJsonObject record = rows.first().data(JsonTableModel::RowObjectRole).toJsonObject();
    m_selectedId = record.value(u"id"_s).toString();
    showRecord(record);
}

void RequestsPage::showRecord(const QJsonObject &record)
{
    m_selectedRecord = record;
    m_waterfall->setStages(stagesOf(record));
    const QString key = record.value(u"key_name"_s).toString(record.value(u"key_id"_s).toString(tr("no key")));
    const QString account = record.value(u"account_id"_s).toString(tr("no account"));
    QString text = tr("<b>%1</b> · status %2 · %3 · key %4 → account %5 · attempts: %6 · tokens in %7, out %8 · "
                      "total %9")
                       .arg(record.value(u"id"_s).toString().toHtmlEscaped())
                       .arg(record.value(u"status"_s).toInt())
                       .arg(record.value(u"model"_s).toString(u"–"_s).toHtmlEscaped(), key.toHtmlEscaped(),
                            account.toHtmlEscaped(), QString::number(record.value(u"attempts"_s).toInt()),
                            Format::tokens(record.value(u"input_tokens"_s).toInteger()),
                            Format::tokens(record.value(u"output_tokens"_s).toInteger()),
                            Format::milliseconds(record.value(u"duration_ms"_s).toDouble()));
    if (const QString error = record.value(u"error_type"_s).toString(); !error.isEmpty())
        text += tr(" · error %1").arg(error.toHtmlEscaped());
    m_detail->setText(text);
}

QList<WaterfallWidget::Stage> RequestsPage::stagesOf(const QJsonObject &record)
{
    const QJsonObject t = record.value(u"timings_us"_s).toObject();
    const bool answered = t.value(u"first_byte"_s).toInteger() > 0;
    const QList<QPair<QString, QString>> boundaries{
        {u"auth"_s, tr("Authentication")},
        {u"limits"_s, tr("Limits")},
        {u"account"_s, tr("Account choice")},
        {u"upstream_sent"_s, tr("Upstream connect and send")},
        {u"first_byte"_s, tr("Waiting for first byte")},
        {u"end"_s,
         answered ? (record.value(u"stream"_s).toBool() ? tr("Streaming") : tr("Response body")) : tr("Answer")},
    };
    QList<WaterfallWidget::Stage> stages;
    qint64 previous = 0;
    for (const auto &[field, name] : boundaries) {
        const qint64 at = t.value(field).toInteger();
        if (at <= 0 || at < previous)
            continue; // the stage did not happen
        stages.append({name, previous, at});
        previous = at;
    }
    return stages;
}

} // namespace Console
