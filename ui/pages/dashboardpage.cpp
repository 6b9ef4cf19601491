// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/dashboardpage.h"

#include "ui/adminclient.h"
#include "ui/eventstream.h"
#include "ui/format.h"
#include "ui/icons.h"
#include "ui/jsontablemodel.h"
#include "ui/pages/dashboardchart.h"
#include "ui/pages/dashboardtile.h"
#include "ui/widgets/messagebar.h"

#include <QAction>
#include <QButtonGroup>
#include <QColor>
#include <QComboBox>
#include <QDateTime>
#include <QDateTimeAxis>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLineSeries>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Console {

namespace {

constexpr int PollIntervalMs = 10'000;
constexpr int ClockIntervalMs = 1000;
constexpr qint64 SummaryAfterTrafficMs = 3000; // today's figures follow traffic within a few seconds
constexpr int MaxPendingSnapshots = 30;
constexpr int MaxAccountRows = 500;

struct WindowChoice
{
    const char *query;
    qint64 ms;
};
constexpr std::array<WindowChoice, 3> WindowChoices{{{"5m", 5 * 60'000}, {"15m", 15 * 60'000}, {"1h", 60 * 60'000}}};

const QColor RequestsColor(0x25, 0x63, 0xeb);
const QColor ErrorsColor(0xd9, 0x77, 0x06);
const QColor ServerErrorsColor(0xdc, 0x26, 0x26);
const std::array<QColor, 3> PercentileColors{QColor(0x16, 0xa3, 0x4a), QColor(0xd9, 0x77, 0x06),
                                             QColor(0xdc, 0x26, 0x26)};

QString settingsKey(const char *name)
{
    return u"dashboard/"_s + QLatin1String(name);
}

} // namespace

DashboardPage::DashboardPage(AdminClient *client, QWidget *parent)
    : Page(client, parent)
    , m_messages(new MessageBar(this))
    , m_windowLabel(new QLabel(this))
    , m_windowGroup(new QButtonGroup(this))
    , m_liveState(new QLabel(this))
    , m_refreshButton(new QToolButton(this))
    , m_refreshAction(new QAction(icon(u"refresh"_s), QString(), this))
    , m_activeStreamsTile(new DashboardTile(u"activeStreamsTile"_s, this))
    , m_requestsNowTile(new DashboardTile(u"requestsNowTile"_s, this))
    , m_requestsTodayTile(new DashboardTile(u"requestsTodayTile"_s, this))
    , m_tokensTodayTile(new DashboardTile(u"tokensTodayTile"_s, this))
    , m_costTodayTile(new DashboardTile(u"costTodayTile"_s, this))
    , m_trafficTitle(new QLabel(this))
    , m_trafficChart(new DashboardChart(this))
    , m_latencyTitle(new QLabel(this))
    , m_latencyKind(new QComboBox(this))
    , m_latencyChart(new DashboardChart(this))
    , m_accountsTitle(new QLabel(this))
    , m_accountsView(new QTableView(this))
    , m_accountsModel(new JsonTableModel(this))
{
    setObjectName(u"dashboardPage"_s);
    m_messages->setObjectName(u"dashboardMessages"_s);

    // Header: window selector, live indicator, refresh.
    m_windowGroup->setObjectName(u"dashboardWindowGroup"_s);
    m_windowGroup->setExclusive(true);
    const std::array<const char *, 3> buttonNames{"dashboardWindow5m", "dashboardWindow15m", "dashboardWindow60m"};
    auto *header = new QHBoxLayout;
    header->setSpacing(0);
    header->addWidget(m_windowLabel);
    header->addSpacing(8);
    for (int i = 0; i < int(m_windowButtons.size()); ++i) {
        auto *button = new QToolButton(this);
        button->setObjectName(QLatin1String(buttonNames[size_t(i)]));
        button->setCheckable(true);
        button->setFocusPolicy(Qt::StrongFocus);
        button->setStyleSheet(u"QToolButton{padding:3px 12px;border:1px solid palette(mid);background:palette(base);}"
                              "QToolButton:checked{background:#2563eb;color:white;border-color:#2563eb;}"_s);
        m_windowGroup->addButton(button, i);
        m_windowButtons[size_t(i)] = button;
        header->addWidget(button);
    }
    header->addSpacing(16);
    header->addWidget(m_liveState);
    header->addStretch(1);
    m_refreshAction->setObjectName(u"dashboardRefreshAction"_s);
    m_refreshAction->setShortcut(QKeySequence::Refresh);
    m_refreshAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(m_refreshAction);
    m_refreshButton->setObjectName(u"dashboardRefresh"_s);
    m_refreshButton->setDefaultAction(m_refreshAction);
    m_refreshButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    header->addWidget(m_refreshButton);

    auto *tiles = new QHBoxLayout;
    tiles->setSpacing(10);
    for (DashboardTile *tile :
         {m_activeStreamsTile, m_requestsNowTile, m_requestsTodayTile, m_tokensTodayTile, m_costTodayTile})
        tiles->addWidget(tile);

    buildCharts();
    auto *trafficBox = new QVBoxLayout;
    auto *trafficHeader = new QHBoxLayout;
    trafficHeader->addWidget(m_trafficTitle);
    trafficHeader->addStretch(1);
    trafficBox->addLayout(trafficHeader);
    trafficBox->addWidget(m_trafficChart, 1);
    auto *latencyBox = new QVBoxLayout;
    auto *latencyHeader = new QHBoxLayout;
    latencyHeader->addWidget(m_latencyTitle);
    latencyHeader->addStretch(1);
    latencyHeader->addWidget(m_latencyKind);
    latencyBox->addLayout(latencyHeader);
    latencyBox->addWidget(m_latencyChart, 1);
    auto *charts = new QHBoxLayout;
    charts->setSpacing(12);
    charts->addLayout(trafficBox, 1);
    charts->addLayout(latencyBox, 1);

    buildAccountsTable();

    for (QLabel *title : {m_trafficTitle, m_latencyTitle, m_accountsTitle})
        title->setStyleSheet(u"font-weight:600;"_s);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 10, 12, 10);
    layout->setSpacing(10);
    layout->addWidget(m_messages);
    layout->addLayout(header);
    layout->addLayout(tiles);
    layout->addLayout(charts, 3);
    layout->addWidget(m_accountsTitle);
    layout->addWidget(m_accountsView, 2);

    setTabOrder(m_windowButtons[0], m_windowButtons[1]);
    setTabOrder(m_windowButtons[1], m_windowButtons[2]);
    setTabOrder(m_windowButtons[2], m_refreshButton);
    setTabOrder(m_refreshButton, m_latencyKind);
    setTabOrder(m_latencyKind, m_accountsView);

    const QSettings settings;
    m_windowIndex = std::clamp(settings.value(settingsKey("window"), 0).toInt(), 0, int(WindowChoices.size()) - 1);
    m_windowButtons[size_t(m_windowIndex)]->setChecked(true);
    m_history.reset(windowMs());

    connect(m_windowGroup, &QButtonGroup::idClicked, this, [this](int id) { setWindowIndex(id); });
    connect(m_refreshAction, &QAction::triggered, this, [this] { refresh(); });
    connect(m_latencyKind, &QComboBox::currentIndexChanged, this, [this] {
        QSettings().setValue(settingsKey("latency"), m_latencyKind->currentIndex());
        updateLatencySeries();
    });

    m_pollTimer.setInterval(PollIntervalMs);
    connect(&m_pollTimer, &QTimer::timeout, this, [this] {
        loadSummary();
        loadAccounts();
    });
    m_clockTimer.setInterval(ClockIntervalMs);
    connect(&m_clockTimer, &QTimer::timeout, this, [this] {
        // Countdowns tick between snapshots (and go on when the stream is down).
        if (m_accountsModel->rowCount() > 0)
            m_accountsModel->setRows(m_accountsModel->rows());
    });

    retranslate();
    m_latencyKind->setCurrentIndex(std::clamp(settings.value(settingsKey("latency"), 0).toInt(), 0, 2));
    updateCharts();
    updateTiles();
}

DashboardPage::~DashboardPage()
{
    // The stream is a child: gone after the labels its signals update, so it goes first, quietly.
    if (m_stream) {
        m_stream->disconnect(this);
        delete m_stream.data();
    }
    QSettings().setValue(settingsKey("accountsHeader"), m_accountsView->horizontalHeader()->saveState());
}

void DashboardPage::buildCharts()
{
    m_trafficChart->setObjectName(u"trafficChart"_s);
    m_trafficChart->setValueFloor(1);
    m_requestsSeries = m_trafficChart->addSeries(u"requestsSeries"_s, RequestsColor);
    m_errorsSeries = m_trafficChart->addSeries(u"errorsSeries"_s, ErrorsColor);
    m_serverErrorsSeries = m_trafficChart->addSeries(u"serverErrorsSeries"_s, ServerErrorsColor);

    m_latencyChart->setObjectName(u"latencyChart"_s);
    m_latencyChart->setValueFloor(1);
    const std::array<const char *, 3> names{"latencyP50Series", "latencyP95Series", "latencyP99Series"};
    for (size_t i = 0; i < m_latencySeries.size(); ++i)
        m_latencySeries[i] = m_latencyChart->addSeries(QLatin1String(names[i]), PercentileColors[i]);
    m_latencyKind->setObjectName(u"latencyKind"_s);
    m_latencyKind->addItems({QString(), QString(), QString()});
}

void DashboardPage::buildAccountsTable()
{
    m_accountsTitle->setObjectName(u"accountsTitle"_s);
    m_accountsView->setObjectName(u"accountsTable"_s);
    const auto integerColumn = [](const QJsonValue &value, const QJsonObject &) {
        return value.isDouble() ? Format::integer(value.toInteger()) : u"–"_s;
    };
    m_accountsModel->setColumns({
        {u"name"_s},
        {u"health"_s, [this](const QJsonValue &, const QJsonObject &row) { return healthText(row); },
         Qt::AlignLeft | Qt::AlignVCenter,
         [](const QJsonValue &value, const QJsonObject &row) -> QVariant {
             if (!row.value(u"enabled").toBool(true))
                 return QColor(0x6b, 0x72, 0x80);
             const QString health = value.toString();
             if (health == u"active")
                 return QColor(0x15, 0x80, 0x3d);
             if (health == u"cooling" || health == u"half_open")
                 return QColor(0xb4, 0x53, 0x09);
             return QColor(0xb9, 0x1c, 0x1c);
         }},
        {u"reason"_s, [](const QJsonValue &value,
                         const QJsonObject &) { return value.toString().isEmpty() ? u"–"_s : value.toString(); }},
        {u"in_flight"_s, integerColumn, Qt::AlignRight | Qt::AlignVCenter},
        {u"priority"_s, integerColumn, Qt::AlignRight | Qt::AlignVCenter},
        {u"cost_today_usd"_s,
         [](const QJsonValue &value, const QJsonObject &) {
             return value.isDouble() ? Format::usd(value.toDouble()) : u"–"_s;
         },
         Qt::AlignRight | Qt::AlignVCenter},
        {u"last_used_at"_s,
         [](const QJsonValue &value, const QJsonObject &) {
             return Format::ago(value.toInteger(), QDateTime::currentMSecsSinceEpoch());
         },
         Qt::AlignRight | Qt::AlignVCenter},
    });
    auto *proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(m_accountsModel);
    proxy->setSortRole(JsonTableModel::RawRole);
    m_accountsView->setModel(proxy);
    m_accountsView->setSortingEnabled(true);
    m_accountsView->sortByColumn(-1, Qt::AscendingOrder); // the relay's order (priority, then name) until asked
    m_accountsView->setAlternatingRowColors(true);
    m_accountsView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_accountsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_accountsView->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_accountsView->verticalHeader()->hide();
    m_accountsView->horizontalHeader()->setStretchLastSection(true);
    m_accountsView->horizontalHeader()->setDefaultSectionSize(110);
    m_accountsView->setColumnWidth(0, 180);
    m_accountsView->setColumnWidth(1, 220);
    m_accountsView->setColumnWidth(2, 200);
    const QByteArray state = QSettings().value(settingsKey("accountsHeader")).toByteArray();
    if (!state.isEmpty())
        m_accountsView->horizontalHeader()->restoreState(state);
}

void DashboardPage::retranslate()
{
    m_windowLabel->setText(tr("Window:"));
    const std::array<QString, 3> windowTexts{tr("5 min"), tr("15 min"), tr("60 min")};
    for (size_t i = 0; i < m_windowButtons.size(); ++i) {
        m_windowButtons[i]->setText(windowTexts[i]);
        m_windowButtons[i]->setAccessibleName(tr("Show the last %1").arg(windowTexts[i]));
    }
    m_refreshAction->setText(tr("Refresh"));
    m_refreshAction->setToolTip(tr("Load the history and today's figures again (F5)"));
    m_refreshButton->setAccessibleName(tr("Refresh"));

    m_activeStreamsTile->setTitle(tr("Active streams"));
    m_requestsNowTile->setTitle(tr("Requests/s now"));
    m_requestsTodayTile->setTitle(tr("Requests today"));
    m_tokensTodayTile->setTitle(tr("Tokens today"));
    m_costTodayTile->setTitle(tr("Cost today"));

    m_trafficTitle->setText(tr("Requests and errors per second"));
    m_trafficChart->setAccessibleName(tr("Requests and errors per second"));
    m_requestsSeries->setName(tr("Requests/s"));
    m_errorsSeries->setName(tr("Errors/s (4xx + 5xx)"));
    m_serverErrorsSeries->setName(tr("Server errors/s (5xx)"));
    m_latencyTitle->setText(tr("Latency (ms)"));
    m_latencyChart->setAccessibleName(tr("Latency in milliseconds"));
    const std::array<QString, 3> kinds{tr("Total"), tr("Upstream first byte"), tr("Relay overhead")};
    for (int i = 0; i < 3; ++i)
        m_latencyKind->setItemText(i, kinds[size_t(i)]);
    m_latencyKind->setAccessibleName(tr("Latency shown"));
    m_latencyKind->setToolTip(tr("Total: the whole request. Upstream first byte: until the upstream's first byte. "
                                 "Relay overhead: time spent in the relay itself."));

    m_accountsTitle->setText(tr("Accounts"));
    m_accountsView->setAccessibleName(tr("Account health"));
    m_accountsModel->setTitles(
        {tr("Account"), tr("State"), tr("Reason"), tr("In flight"), tr("Priority"), tr("Cost today"), tr("Last used")});

    updateLatencySeries();
    updateLiveState();
    updateTiles();
}

qint64 DashboardPage::windowMs() const
{
    return WindowChoices[size_t(m_windowIndex)].ms;
}

double DashboardPage::maxPointStepMs() const
{
    // Neighbouring buckets are one bucket apart (a little more or less as the seconds fall); two apart is a gap.
    return 1.5 * double(m_history.bucketMs());
}

void DashboardPage::activate()
{
    refresh();
    openStream();
    m_pollTimer.start();
    m_clockTimer.start();
}

void DashboardPage::deactivate()
{
    closeStream();
    m_pollTimer.stop();
    m_clockTimer.stop();
    QSettings().setValue(settingsKey("accountsHeader"), m_accountsView->horizontalHeader()->saveState());
}

void DashboardPage::reset()
{
    closeStream();
    ++m_historyGeneration;
    setHistoryBusy(false);
    m_pendingSnapshots.clear();
    m_history.reset(windowMs());
    m_snapshot = {};
    m_summary = {};
    m_liveAccounts = {};
    m_accountDetails.clear();
    m_accountsModel->setRows({});
    m_accountCosts.clear();
    m_accountCostsLoaded = false;
    m_historyFailed = false;
    m_messages->clear();
    updateCharts();
    updateTiles();
    if (isActive()) {
        refresh();
        openStream();
    }
}

void DashboardPage::refresh()
{
    loadHistory();
    loadSummary();
    loadAccounts();
}

void DashboardPage::setHistoryBusy(bool busy)
{
    // A busy cursor over the charts rather than a message bar that would push the whole page down and up again.
    m_historyLoading = busy;
    m_refreshAction->setEnabled(!busy);
    for (DashboardChart *chart : {m_trafficChart, m_latencyChart}) {
        if (busy)
            chart->setCursor(Qt::BusyCursor);
        else
            chart->unsetCursor();
    }
}

void DashboardPage::setWindowIndex(int index)
{
    if (index < 0 || index >= int(WindowChoices.size()))
        return;
    m_windowButtons[size_t(index)]->setChecked(true);
    if (index == m_windowIndex)
        return;
    m_windowIndex = index;
    QSettings().setValue(settingsKey("window"), index);
    m_history.reset(windowMs());
    updateCharts();
    if (isActive())
        loadHistory();
}

void DashboardPage::loadHistory()
{
    const int generation = ++m_historyGeneration;
    setHistoryBusy(true);
    m_pendingSnapshots.clear();
    updateCharts();
    client()->get(u"/admin/metrics/history"_s,
                  {{u"window"_s, QLatin1String(WindowChoices[size_t(m_windowIndex)].query)}}, this,
                  [this, generation](const AdminReply &reply) {
                      if (generation != m_historyGeneration)
                          return; // another window was chosen meanwhile
                      setHistoryBusy(false);
                      if (!reply.ok()) {
                          m_historyFailed = true;
                          m_messages->showError(tr("Cannot load the metrics history: %1").arg(reply.errorText()));
                          updateCharts();
                          return;
                      }
                      if (m_historyFailed && m_messages->kind() == MessageBar::Kind::Error)
                          m_messages->clear();
                      m_historyFailed = false;
                      m_history.reset(windowMs());
                      m_history.addHistory(reply.object());
                      // Seconds the stream delivered while the history was on its way (older ones are skipped).
                      for (const QJsonObject &snapshot : std::as_const(m_pendingSnapshots))
                          m_history.addSnapshot(snapshot);
                      m_pendingSnapshots.clear();
                      updateCharts();
                  });
}

void DashboardPage::loadSummary()
{
    loadAccountCosts();
    if (m_summaryLoading)
        return;
    m_summaryLoading = true;
    m_lastSummaryMs = QDateTime::currentMSecsSinceEpoch();
    client()->get(u"/admin/usage/summary"_s, {}, this, [this](const AdminReply &reply) {
        m_summaryLoading = false;
        if (!reply.ok()) {
            m_messages->showError(tr("Cannot load today's usage: %1").arg(reply.errorText()));
            return;
        }
        m_summary = reply.object();
        updateTiles();
    });
}

void DashboardPage::loadAccountCosts()
{
    // Today's cost of every account from the usage records, the figure the "Cost today" tile adds up. (The account
    // list has a daily cost only for accounts with a daily quota.) An account missing here cost nothing today.
    if (m_accountCostsLoading)
        return;
    m_accountCostsLoading = true;
    client()->get(u"/admin/usage/top"_s,
                  {{u"dimension"_s, u"accounts"_s},
                   {u"metric"_s, u"cost"_s},
                   {u"days"_s, u"1"_s},
                   {u"limit"_s, QString::number(MaxAccountRows)}},
                  this, [this](const AdminReply &reply) {
                      m_accountCostsLoading = false;
                      if (!reply.ok()) {
                          // The column falls back to what the account list knows; no need to alarm anyone.
                          m_accountCostsLoaded = false;
                          m_accountCosts.clear();
                          updateAccountRows();
                          return;
                      }
                      m_accountCosts.clear();
                      for (const QJsonValue &item : reply.items()) {
                          const QJsonObject row = item.toObject();
                          m_accountCosts.insert(row.value(u"id").toString(), row.value(u"cost_usd").toDouble());
                      }
                      m_accountCostsLoaded = true;
                      updateAccountRows();
                  });
}

void DashboardPage::loadAccounts()
{
    if (m_accountsLoading)
        return;
    m_accountsLoading = true;
    client()->get(u"/admin/accounts"_s, {{u"limit"_s, QString::number(MaxAccountRows)}}, this,
                  [this](const AdminReply &reply) {
                      m_accountsLoading = false;
                      if (!reply.ok()) {
                          m_messages->showError(tr("Cannot load the accounts: %1").arg(reply.errorText()));
                          return;
                      }
                      m_accountDetails.clear();
                      for (const QJsonValue &item : reply.items()) {
                          const QJsonObject account = item.toObject();
                          m_accountDetails.insert(account.value(u"id").toString(), account);
                      }
                      updateAccountRows();
                  });
}

void DashboardPage::openStream()
{
    if (m_stream)
        return;
    m_stream = client()->openStream(u"/admin/metrics/live"_s, {}, this);
    connect(m_stream, &EventStream::eventReceived, this, [this](const QString &event, const QByteArray &data) {
        if (event != u"snapshot")
            return;
        const QJsonDocument document = QJsonDocument::fromJson(data);
        if (document.isObject())
            onSnapshot(document.object());
    });
    connect(m_stream, &EventStream::connectedChanged, this, [this] { updateLiveState(); });
    connect(m_stream, &EventStream::failed, this, [this](int status, const QString &) {
        m_messages->showError(tr("The live metrics stopped (HTTP status %1). Press Refresh to try again.").arg(status));
        closeStream();
    });
    updateLiveState();
}

void DashboardPage::closeStream()
{
    if (m_stream) {
        m_stream->close();
        m_stream->deleteLater();
        m_stream = nullptr;
    }
    updateLiveState();
}

void DashboardPage::onSnapshot(const QJsonObject &snapshot)
{
    m_snapshot = snapshot;
    if (m_historyLoading) {
        if (m_pendingSnapshots.size() >= MaxPendingSnapshots)
            m_pendingSnapshots.removeFirst();
        m_pendingSnapshots.append(snapshot);
    } else if (m_history.addSnapshot(snapshot)) {
        updateCharts();
    }
    m_liveAccounts = snapshot.value(u"accounts").toArray();
    updateAccountRows();
    updateTiles();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (snapshot.value(u"requests_per_s").toDouble() > 0 && now - m_lastSummaryMs >= SummaryAfterTrafficMs)
        loadSummary();
}

void DashboardPage::updateCharts()
{
    const qint64 end = m_history.lastTimeMs() > 0 ? m_history.lastTimeMs() : QDateTime::currentMSecsSinceEpoch();
    const qint64 start = end - windowMs();
    m_trafficChart->setTimeRange(start, end);
    m_latencyChart->setTimeRange(start, end);
    const double step = maxPointStepMs();
    DashboardChart::setPoints(m_requestsSeries, m_history.points(DashboardHistory::RequestsPerS), step);
    DashboardChart::setPoints(m_errorsSeries, m_history.points(DashboardHistory::ErrorsPerS), step);
    DashboardChart::setPoints(m_serverErrorsSeries, m_history.points(DashboardHistory::ServerErrorsPerS), step);
    m_trafficChart->setValueMaximum(m_history.maximum({DashboardHistory::RequestsPerS, DashboardHistory::ErrorsPerS}));
    if (m_history.hasTraffic())
        m_trafficChart->setHint(QString());
    else
        m_trafficChart->setHint(m_historyLoading ? tr("Loading…") : tr("No requests yet"));
    updateLatencySeries();
}

void DashboardPage::updateLatencySeries()
{
    const int kind = std::max(0, m_latencyKind->currentIndex());
    const auto first = DashboardHistory::Metric(DashboardHistory::FirstLatency + 3 * kind);
    const std::array<QString, 3> names{tr("p50"), tr("p95"), tr("p99")};
    bool any = false;
    for (int i = 0; i < 3; ++i) {
        const QList<QPointF> points = m_history.points(DashboardHistory::Metric(first + i));
        any = any || !points.isEmpty();
        m_latencySeries[size_t(i)]->setName(names[size_t(i)]);
        // A second without requests has no latency: the line joins the measured seconds, dots mark the gaps.
        DashboardChart::setPoints(m_latencySeries[size_t(i)], points, maxPointStepMs());
    }
    m_latencyChart->setValueMaximum(
        m_history.maximum({first, DashboardHistory::Metric(first + 1), DashboardHistory::Metric(first + 2)}));
    if (!m_history.hasTraffic())
        m_latencyChart->setHint(m_historyLoading ? tr("Loading…") : tr("No requests yet"));
    else if (!any)
        m_latencyChart->setHint(tr("No measurements of this latency in the window"));
    else
        m_latencyChart->setHint(QString());
}

void DashboardPage::updateLiveState()
{
    const bool connected = m_stream && m_stream->isConnected();
    m_liveState->setObjectName(u"dashboardLiveState"_s);
    if (connected) {
        m_liveState->setText(tr("● Live"));
        m_liveState->setStyleSheet(u"color:#15803d;"_s);
    } else if (m_stream) {
        m_liveState->setText(tr("○ Connecting…"));
        m_liveState->setStyleSheet(u"color:#6b7280;"_s);
    } else {
        m_liveState->setText(isActive() ? tr("○ Not live") : QString());
        m_liveState->setStyleSheet(u"color:#6b7280;"_s);
    }
}

void DashboardPage::updateTiles()
{
    if (m_snapshot.isEmpty()) {
        m_activeStreamsTile->setValue(u"–"_s);
        m_activeStreamsTile->setDetail(QString());
        m_requestsNowTile->setValue(u"–"_s);
        m_requestsNowTile->setDetail(QString());
    } else {
        m_activeStreamsTile->setValue(Format::integer(m_snapshot.value(u"active_streams").toInteger()));
        m_activeStreamsTile->setDetail(tr("%1 in flight, %2 queued")
                                           .arg(Format::integer(m_snapshot.value(u"in_flight").toInteger()),
                                                Format::integer(m_snapshot.value(u"queued_requests").toInteger())));
        const double rate = m_snapshot.value(u"requests_per_s").toDouble();
        m_requestsNowTile->setValue(Format::compact(rate));
        const QJsonObject errors = m_snapshot.value(u"errors_per_s").toObject();
        const double errorRate = errors.value(u"status_4xx").toDouble() + errors.value(u"status_5xx").toDouble();
        m_requestsNowTile->setDetail(tr("%1 errors/s").arg(Format::compact(errorRate)));
    }
    if (m_summary.isEmpty()) {
        for (DashboardTile *tile : {m_requestsTodayTile, m_tokensTodayTile, m_costTodayTile}) {
            tile->setValue(u"–"_s);
            tile->setDetail(QString());
        }
        return;
    }
    const QJsonObject today = m_summary.value(u"today").toObject();
    m_requestsTodayTile->setValue(Format::integer(today.value(u"requests").toInteger()));
    m_requestsTodayTile->setDetail(tr("%1 with errors, %2 streamed")
                                       .arg(Format::integer(today.value(u"error_requests").toInteger()),
                                            Format::integer(today.value(u"streamed_requests").toInteger())));
    m_tokensTodayTile->setValue(Format::tokens(today.value(u"tokens").toInteger()));
    m_tokensTodayTile->setDetail(tr("%1 in, %2 out")
                                     .arg(Format::tokens(today.value(u"input_tokens").toInteger()),
                                          Format::tokens(today.value(u"output_tokens").toInteger())));
    m_costTodayTile->setValue(Format::usd(today.value(u"cost_usd").toDouble()));
    const qint64 unknown = today.value(u"cost_unknown").toInteger();
    m_costTodayTile->setDetail(unknown > 0 ? tr("%n request(s) without a price", nullptr, int(unknown))
                                           : tr("since midnight (%1)").arg(m_summary.value(u"time_zone").toString()));
}

void DashboardPage::updateAccountRows()
{
    // The live snapshot has health and in-flight each second; the account list adds priority, today's cost,
    // last use and per-model-family cooldowns. Before the first snapshot the list alone fills the table.
    QJsonArray rows;
    const auto addDetails = [this](QJsonObject row) {
        const QString id = row.value(u"id").toString();
        const QJsonObject details = m_accountDetails.value(id);
        for (const char *field : {"priority", "last_used_at"})
            row.insert(QLatin1String(field), details.value(QLatin1String(field)));
        if (m_accountCostsLoaded)
            row.insert(u"cost_today_usd"_s, m_accountCosts.value(id, 0.0));
        else
            row.insert(u"cost_today_usd"_s, details.value(u"daily_cost_usd"));
        row.insert(u"family_cooldowns"_s, details.value(u"health").toObject().value(u"family_cooldowns"));
        return row;
    };
    if (!m_liveAccounts.isEmpty()) {
        for (const QJsonValue &account : std::as_const(m_liveAccounts)) {
            rows.append(addDetails(account.toObject()));
            if (rows.size() >= MaxAccountRows)
                break;
        }
    } else {
        for (const QJsonObject &details : std::as_const(m_accountDetails)) {
            const QJsonObject health = details.value(u"health").toObject();
            const qint64 until = health.value(u"until").toInteger();
            rows.append(addDetails(QJsonObject{
                {u"id"_s, details.value(u"id")},
                {u"name"_s, details.value(u"name")},
                {u"health"_s, health.value(u"status")},
                {u"reason"_s, health.value(u"reason")},
                {u"cooling_until"_s, until > 0 ? QJsonValue(until) : QJsonValue()},
                {u"enabled"_s, details.value(u"enabled")},
                {u"schedulable"_s, details.value(u"schedulable")},
                {u"in_flight"_s, details.value(u"in_flight")},
            }));
        }
    }
    m_accountsModel->setRows(rows);
}

QString DashboardPage::healthName(const QString &health) const
{
    if (health == u"active")
        return tr("active");
    if (health == u"cooling")
        return tr("cooling");
    if (health == u"half_open")
        return tr("half-open (probing)");
    if (health == u"unauthorized")
        return tr("unauthorized");
    if (health == u"blocked")
        return tr("blocked");
    return health;
}

QString DashboardPage::healthText(const QJsonObject &row) const
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const auto remaining = [now](qint64 untilMs) {
        return Format::seconds(std::max<qint64>(0, untilMs - now + 999) / 1000);
    };
    QString text = healthName(row.value(u"health").toString());
    const qint64 until = row.value(u"cooling_until").toInteger();
    if (row.value(u"health").toString() == u"cooling" && until > 0)
        text = tr("%1 · %2").arg(text, remaining(until));
    if (!row.value(u"enabled").toBool(true))
        text = tr("disabled");
    else if (!row.value(u"schedulable").toBool(true))
        text = tr("%1 · not scheduled").arg(text);
    const QJsonObject families = row.value(u"family_cooldowns").toObject();
    for (auto it = families.begin(); it != families.end(); ++it) {
        const qint64 familyUntil = it.value().toObject().value(u"until").toInteger();
        if (familyUntil > now)
            text += u"; "_s + tr("%1 cooling · %2").arg(it.key(), remaining(familyUntil));
    }
    return text;
}

} // namespace Console
