// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/redispage.h"

#include "ui/adminclient.h"
#include "ui/format.h"
#include "ui/icons.h"
#include "ui/jsontablemodel.h"
#include "ui/widgets/messagebar.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QHorizontalBarSeries>
#include <QJsonArray>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <climits>

using namespace Qt::StringLiterals;

namespace Console {

namespace {

constexpr int SlowlogRefreshMs = 2000;
constexpr int SlowlogCount = 128;
constexpr int MemorySamples = 2000;
constexpr int ChartBars = 10;

// Rows of the INFO summary, in order; the names are the labels' object names.
const QStringList InfoRows = {u"serverVersion"_s,       u"serverUptime"_s,       u"serverMode"_s,
                              u"serverClients"_s,       u"serverMemory"_s,       u"serverPeakMemory"_s,
                              u"serverFragmentation"_s, u"serverOpsPerSecond"_s, u"serverHitRate"_s,
                              u"serverKeyspace"_s,      u"serverPersistence"_s,  u"serverDbKeys"_s};

// Microseconds as a person reads them: µs below a millisecond, then the console's millisecond format.
QString microseconds(double us)
{
    if (us < 0)
        return u"–"_s;
    if (us < 1000)
        return RedisPage::tr("%1 µs").arg(QLocale().toString(us, 'f', us < 10 && us != qint64(us) ? 2 : 0));
    return Format::milliseconds(us / 1000.0);
}

QString commandLine(const QJsonArray &args)
{
    QStringList parts;
    for (const QJsonValue &arg : args) {
        const QString text = arg.toString();
        parts.append(text.isEmpty() || text.contains(u' ') ? u'"' + text + u'"' : text);
    }
    return parts.join(u' ');
}

QTableView *createTable(QAbstractItemModel *model, const QString &name, QWidget *parent)
{
    auto *view = new QTableView(parent);
    view->setObjectName(name);
    view->setModel(model);
    view->setAlternatingRowColors(true);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setHighlightSections(false);
    return view;
}

QSortFilterProxyModel *sortProxy(JsonTableModel *model, QObject *parent)
{
    auto *proxy = new QSortFilterProxyModel(parent);
    proxy->setSourceModel(model);
    proxy->setSortRole(JsonTableModel::RawRole);
    return proxy;
}

QString headerKey(const QTableView *view)
{
    return u"redis/header/"_s + view->objectName();
}

void restoreHeader(QTableView *view, const QList<int> &defaultWidths)
{
    const QByteArray state = QSettings().value(headerKey(view)).toByteArray();
    if (state.isEmpty() || !view->horizontalHeader()->restoreState(state))
        for (int i = 0; i < defaultWidths.size(); ++i)
            view->setColumnWidth(i, defaultWidths.at(i));
}

QChartView *createChartView(const QString &name, QWidget *parent)
{
    auto *chart = new QChart;
    chart->legend()->hide();
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->setBackgroundRoundness(0);
    auto *view = new QChartView(chart, parent);
    view->setObjectName(name);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumWidth(320);
    return view;
}

// Replaces the chart's content with horizontal bars, the first label at the top.
void showBars(QChartView *view, const QString &title, const QStringList &labels, const QList<double> &values,
              const QString &valueTitle)
{
    QChart *chart = view->chart();
    chart->removeAllSeries();
    for (QAbstractAxis *axis : chart->axes()) {
        chart->removeAxis(axis);
        delete axis;
    }
    chart->setTitle(title);
    if (labels.isEmpty())
        return;
    auto *set = new QBarSet(valueTitle);
    set->setColor(QColor(0x2b, 0x6c, 0xb0));
    QStringList categories;
    double maximum = 0;
    for (qsizetype i = labels.size() - 1; i >= 0; --i) {
        set->append(values.at(i));
        categories.append(labels.at(i));
        maximum = std::max(maximum, values.at(i));
    }
    auto *series = new QHorizontalBarSeries;
    series->append(set);
    series->setBarWidth(0.7);
    chart->addSeries(series);
    auto *categoryAxis = new QBarCategoryAxis;
    categoryAxis->append(categories);
    chart->addAxis(categoryAxis, Qt::AlignLeft);
    series->attachAxis(categoryAxis);
    auto *valueAxis = new QValueAxis;
    valueAxis->setRange(0, maximum > 0 ? maximum : 1);
    valueAxis->setTickCount(5);
    valueAxis->applyNiceNumbers();
    valueAxis->setLabelFormat(valueAxis->max() >= 10 ? u"%.0f"_s : u"%.1f"_s);
    valueAxis->setTitleText(valueTitle);
    chart->addAxis(valueAxis, Qt::AlignBottom);
    series->attachAxis(valueAxis);
}

} // namespace

RedisPage::RedisPage(AdminClient *client, QWidget *parent)
    : Page(client, parent)
    , m_messages(new MessageBar(this))
    , m_tabs(new QTabWidget(this))
    , m_refresh(new QPushButton(this))
    , m_slowlogModel(new JsonTableModel(this))
    , m_slowlogProxy(sortProxy(m_slowlogModel, this))
    , m_commandModel(new JsonTableModel(this))
    , m_commandProxy(sortProxy(m_commandModel, this))
    , m_latencyModel(new JsonTableModel(this))
    , m_memoryModel(new JsonTableModel(this))
    , m_memoryProxy(sortProxy(m_memoryModel, this))
{
    setObjectName(u"redisPage"_s);
    m_tabs->setObjectName(u"redisTabs"_s);
    m_refresh->setObjectName(u"redisRefresh"_s);
    m_refresh->setIcon(icon(u"refresh"_s));
    m_refresh->setShortcut(QKeySequence::Refresh);
    connect(m_refresh, &QPushButton::clicked, this, &RedisPage::refresh);

    m_tabs->addTab(createSlowlogTab(), QString());
    m_tabs->addTab(createCommandsTab(), QString());
    m_tabs->addTab(createServerTab(), QString());
    m_tabs->addTab(createMemoryTab(), QString());
    m_tabs->setCornerWidget(m_refresh, Qt::TopRightCorner);
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        if (isActive())
            refresh();
        updateTimer();
    });

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_messages);
    layout->addWidget(m_tabs, 1);

    m_slowlogTimer.setInterval(SlowlogRefreshMs);
    connect(&m_slowlogTimer, &QTimer::timeout, this, &RedisPage::loadSlowlog);
    retranslate();
}

RedisPage::~RedisPage()
{
    saveHeaders();
}

QWidget *RedisPage::createSlowlogTab()
{
    auto *tab = new QWidget(this);
    tab->setObjectName(u"slowlogTab"_s);

    m_slowlogSettings = new QGroupBox(tab);
    m_slowlogSettings->setObjectName(u"slowlogSettings"_s);
    m_thresholdLabel = new QLabel(m_slowlogSettings);
    m_threshold = new QSpinBox(m_slowlogSettings);
    m_threshold->setObjectName(u"slowlogThreshold"_s);
    m_threshold->setRange(-1, INT_MAX);
    m_threshold->setSingleStep(1000);
    m_threshold->setAlignment(Qt::AlignRight);
    m_threshold->setMinimumWidth(130);
    m_thresholdLabel->setBuddy(m_threshold);
    m_thresholdHint = new QLabel(m_slowlogSettings);
    m_thresholdHint->setObjectName(u"slowlogThresholdHint"_s);
    m_thresholdHint->setMinimumWidth(120);
    m_maxLengthLabel = new QLabel(m_slowlogSettings);
    m_maxLength = new QSpinBox(m_slowlogSettings);
    m_maxLength->setObjectName(u"slowlogMaxLength"_s);
    m_maxLength->setRange(0, 1000000);
    m_maxLength->setAlignment(Qt::AlignRight);
    m_maxLengthLabel->setBuddy(m_maxLength);
    m_applySettings = new QPushButton(m_slowlogSettings);
    m_applySettings->setObjectName(u"slowlogApply"_s);
    m_applySettings->setIcon(icon(u"ok"_s));
    m_settingsError = new QLabel(m_slowlogSettings);
    m_settingsError->setObjectName(u"slowlogSettingsError"_s);
    m_settingsError->setStyleSheet(u"color:#b91c1c;"_s);
    m_settingsError->setWordWrap(true);
    m_settingsError->hide();
    connect(m_threshold, &QSpinBox::valueChanged, this, &RedisPage::updateThresholdHint);
    connect(m_applySettings, &QPushButton::clicked, this, &RedisPage::applySlowlogConfig);
    connect(m_threshold, &QSpinBox::editingFinished, this, [this] { m_settingsError->hide(); });

    auto *settingsRow = new QHBoxLayout;
    settingsRow->addWidget(m_thresholdLabel);
    settingsRow->addWidget(m_threshold);
    settingsRow->addWidget(m_thresholdHint);
    settingsRow->addSpacing(16);
    settingsRow->addWidget(m_maxLengthLabel);
    settingsRow->addWidget(m_maxLength);
    settingsRow->addSpacing(16);
    settingsRow->addWidget(m_applySettings);
    settingsRow->addStretch(1);
    auto *settingsLayout = new QVBoxLayout(m_slowlogSettings);
    settingsLayout->addLayout(settingsRow);
    settingsLayout->addWidget(m_settingsError);

    m_slowlogSummary = new QLabel(tab);
    m_slowlogSummary->setObjectName(u"slowlogSummary"_s);
    m_autoRefresh = new QCheckBox(tab);
    m_autoRefresh->setObjectName(u"slowlogAutoRefresh"_s);
    m_autoRefresh->setChecked(true);
    connect(m_autoRefresh, &QCheckBox::toggled, this, &RedisPage::updateTimer);
    m_resetSlowlog = new QPushButton(tab);
    m_resetSlowlog->setObjectName(u"slowlogReset"_s);
    m_resetSlowlog->setIcon(icon(u"reset"_s));
    connect(m_resetSlowlog, &QPushButton::clicked, this, &RedisPage::confirmSlowlogReset);
    auto *actions = new QHBoxLayout;
    actions->addWidget(m_slowlogSummary, 1);
    actions->addWidget(m_autoRefresh);
    actions->addWidget(m_resetSlowlog);

    m_slowlogModel->setColumns(
        {{u"id"_s, {}, Qt::AlignRight | Qt::AlignVCenter},
         {u"time"_s, [](const QJsonValue &v, const QJsonObject &) { return Format::dateTime(v.toInteger()); }},
         {u"duration_us"_s, [](const QJsonValue &v, const QJsonObject &) { return microseconds(v.toDouble()); },
          Qt::AlignRight | Qt::AlignVCenter},
         {u"command"_s, [](const QJsonValue &v, const QJsonObject &) { return commandLine(v.toArray()); }},
         {u"client_addr"_s, [](const QJsonValue &v, const QJsonObject &row) {
              const QString name = row.value(u"client_name"_s).toString();
              return name.isEmpty() ? v.toString() : u"%1 (%2)"_s.arg(v.toString(), name);
          }}});
    m_slowlogTable = createTable(m_slowlogProxy, u"slowlogTable"_s, tab);
    m_slowlogTable->setSortingEnabled(true);
    m_slowlogTable->sortByColumn(0, Qt::DescendingOrder);
    restoreHeader(m_slowlogTable, {70, 150, 90, 480});

    auto *layout = new QVBoxLayout(tab);
    layout->addWidget(m_slowlogSettings);
    layout->addLayout(actions);
    layout->addWidget(m_slowlogTable, 1);
    return tab;
}

QWidget *RedisPage::createCommandsTab()
{
    auto *tab = new QWidget(this);
    tab->setObjectName(u"commandsTab"_s);
    m_commandSortLabel = new QLabel(tab);
    m_commandSort = new QComboBox(tab);
    m_commandSort->setObjectName(u"commandSort"_s);
    for (const QString &key : {u"calls"_s, u"usec"_s, u"usec_per_call"_s, u"rejected_calls"_s, u"failed_calls"_s})
        m_commandSort->addItem(QString(), key);
    m_commandSortLabel->setBuddy(m_commandSort);
    connect(m_commandSort, &QComboBox::currentIndexChanged, this, &RedisPage::applyCommandSort);
    auto *sortRow = new QHBoxLayout;
    sortRow->addWidget(m_commandSortLabel);
    sortRow->addWidget(m_commandSort);
    sortRow->addStretch(1);

    const auto right = Qt::AlignRight | Qt::AlignVCenter;
    const auto count = [](const QJsonValue &v, const QJsonObject &) { return Format::integer(v.toInteger()); };
    m_commandModel->setColumns(
        {{u"command"_s},
         {u"calls"_s, count, right},
         {u"usec"_s, [](const QJsonValue &v, const QJsonObject &) { return microseconds(v.toDouble()); }, right},
         {u"usec_per_call"_s, [](const QJsonValue &v, const QJsonObject &) { return microseconds(v.toDouble()); },
          right},
         {u"rejected_calls"_s, count, right},
         {u"failed_calls"_s, count, right}});
    m_commandTable = createTable(m_commandProxy, u"commandTable"_s, tab);
    m_commandTable->setSortingEnabled(true);
    restoreHeader(m_commandTable, {140, 80, 90, 90, 75});
    // A header click sorts the table; the combo follows so the chart shows the same order.
    connect(m_commandTable->horizontalHeader(), &QHeaderView::sortIndicatorChanged, this, [this](int column) {
        if (column >= 1 && column <= 5 && m_commandSort->currentIndex() != column - 1)
            m_commandSort->setCurrentIndex(column - 1);
    });
    m_commandChart = createChartView(u"commandChart"_s, tab);

    auto *splitter = new QSplitter(Qt::Horizontal, tab);
    splitter->setObjectName(u"commandSplitter"_s);
    splitter->addWidget(m_commandTable);
    splitter->addWidget(m_commandChart);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);
    splitter->setSizes({600, 440});

    auto *layout = new QVBoxLayout(tab);
    layout->addLayout(sortRow);
    layout->addWidget(splitter, 1);
    applyCommandSort();
    return tab;
}

QWidget *RedisPage::createServerTab()
{
    auto *tab = new QWidget(this);
    tab->setObjectName(u"serverTab"_s);
    m_infoGroup = new QGroupBox(tab);
    auto *form = new QFormLayout(m_infoGroup);
    form->setLabelAlignment(Qt::AlignRight);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    for (const QString &name : InfoRows) {
        auto *label = new QLabel(m_infoGroup);
        auto *value = new QLabel(u"–"_s, m_infoGroup);
        value->setObjectName(name);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        label->setBuddy(value);
        form->addRow(label, value);
        m_infoNames.append(label);
        m_infoValues.append(value);
    }

    m_latencyGroup = new QGroupBox(tab);
    m_latencyModel->setColumns(
        {{u"event"_s},
         {u"time"_s, [](const QJsonValue &v, const QJsonObject &) { return Format::dateTime(v.toInteger()); }},
         {u"latest_ms"_s, [](const QJsonValue &v, const QJsonObject &) { return Format::milliseconds(v.toDouble()); },
          Qt::AlignRight | Qt::AlignVCenter},
         {u"max_ms"_s, [](const QJsonValue &v, const QJsonObject &) { return Format::milliseconds(v.toDouble()); },
          Qt::AlignRight | Qt::AlignVCenter}});
    m_latencyTable = createTable(m_latencyModel, u"latencyTable"_s, m_latencyGroup);
    restoreHeader(m_latencyTable, {140, 150, 80});
    m_latencyEmpty = new QLabel(m_latencyGroup);
    m_latencyEmpty->setObjectName(u"latencyEmpty"_s);
    m_latencyEmpty->setWordWrap(true);
    auto *latencyLayout = new QVBoxLayout(m_latencyGroup);
    latencyLayout->addWidget(m_latencyEmpty);
    latencyLayout->addWidget(m_latencyTable, 1);
    latencyLayout->addStretch(0); // keeps the explanation at the top while the table is hidden

    auto *layout = new QHBoxLayout(tab);
    layout->addWidget(m_infoGroup, 1);
    layout->addWidget(m_latencyGroup, 1);
    return tab;
}

QWidget *RedisPage::createMemoryTab()
{
    auto *tab = new QWidget(this);
    tab->setObjectName(u"memoryTab"_s);
    m_memorySummary = new QLabel(tab);
    m_memorySummary->setObjectName(u"memorySummary"_s);
    m_memorySummary->setWordWrap(true);

    const auto right = Qt::AlignRight | Qt::AlignVCenter;
    m_memoryModel->setColumns(
        {{u"prefix"_s},
         {u"estimated_keys"_s, [](const QJsonValue &v, const QJsonObject &) { return Format::integer(v.toInteger()); },
          right},
         {u"estimated_bytes"_s, [](const QJsonValue &v, const QJsonObject &) { return Format::bytes(v.toInteger()); },
          right},
         {u"share"_s, [](const QJsonValue &v, const QJsonObject &) { return Format::percent(v.toDouble()); }, right}});
    m_memoryTable = createTable(m_memoryProxy, u"memoryTable"_s, tab);
    m_memoryTable->setSortingEnabled(true);
    m_memoryTable->sortByColumn(2, Qt::DescendingOrder);
    restoreHeader(m_memoryTable, {220, 80, 100});
    m_memoryChart = createChartView(u"memoryChart"_s, tab);

    auto *splitter = new QSplitter(Qt::Horizontal, tab);
    splitter->setObjectName(u"memorySplitter"_s);
    splitter->addWidget(m_memoryTable);
    splitter->addWidget(m_memoryChart);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    splitter->setChildrenCollapsible(false);
    splitter->setSizes({520, 520});

    auto *layout = new QVBoxLayout(tab);
    layout->addWidget(m_memorySummary);
    layout->addWidget(splitter, 1);
    return tab;
}

void RedisPage::retranslate()
{
    m_tabs->setTabText(int(Tab::Slowlog), tr("Slow log"));
    m_tabs->setTabText(int(Tab::Commands), tr("Commands"));
    m_tabs->setTabText(int(Tab::Server), tr("Server"));
    m_tabs->setTabText(int(Tab::Memory), tr("Memory"));
    m_tabs->setAccessibleName(tr("Redis views"));
    m_refresh->setText(tr("Refresh"));
    m_refresh->setToolTip(tr("Load the visible tab again (F5)"));
    m_refresh->setAccessibleName(tr("Refresh"));

    m_slowlogSettings->setTitle(tr("Slow log settings"));
    m_thresholdLabel->setText(tr("Log commands slower &than"));
    m_threshold->setSuffix(tr(" µs"));
    m_threshold->setSpecialValueText(tr("never (off)"));
    m_threshold->setAccessibleName(tr("Slow log threshold in microseconds"));
    m_threshold->setToolTip(tr("slowlog-log-slower-than: 0 logs every command, the lowest value turns the slow log "
                               "off"));
    m_maxLengthLabel->setText(tr("&Keep at most"));
    m_maxLength->setSuffix(tr(" entries"));
    m_maxLength->setAccessibleName(tr("Slow log length"));
    m_maxLength->setToolTip(tr("slowlog-max-len: older entries are dropped"));
    m_applySettings->setText(tr("&Apply"));
    m_applySettings->setAccessibleName(tr("Apply slow log settings"));
    m_applySettings->setToolTip(tr("Change the Redis settings now (CONFIG SET; not written to redis.conf)"));
    m_autoRefresh->setText(tr("Refresh every 2 s"));
    m_autoRefresh->setAccessibleName(tr("Refresh the slow log every 2 seconds"));
    m_resetSlowlog->setText(tr("&Reset…"));
    m_resetSlowlog->setAccessibleName(tr("Reset the slow log"));
    m_resetSlowlog->setToolTip(tr("Empty the slow log (SLOWLOG RESET)"));
    m_slowlogModel->setTitles({tr("ID"), tr("Time"), tr("Duration"), tr("Command"), tr("Client")});
    m_slowlogTable->setAccessibleName(tr("Slow log entries"));
    updateThresholdHint();
    updateSlowlogSummary();

    m_commandSortLabel->setText(tr("&Sort and chart by"));
    m_commandSort->setItemText(0, tr("Calls"));
    m_commandSort->setItemText(1, tr("Total time"));
    m_commandSort->setItemText(2, tr("Time per call"));
    m_commandSort->setItemText(3, tr("Rejected calls"));
    m_commandSort->setItemText(4, tr("Failed calls"));
    m_commandSort->setAccessibleName(tr("Sort commands by"));
    m_commandModel->setTitles(
        {tr("Command"), tr("Calls"), tr("Total time"), tr("Per call"), tr("Rejected"), tr("Failed")});
    m_commandTable->setAccessibleName(tr("Command statistics"));
    m_commandChart->setAccessibleName(tr("Top commands chart"));
    updateCommandChart();

    m_infoGroup->setTitle(tr("Server (INFO)"));
    const QStringList infoNames = {tr("Version"),
                                   tr("Uptime"),
                                   tr("Mode"),
                                   tr("Connected clients"),
                                   tr("Used memory"),
                                   tr("Peak memory"),
                                   tr("Fragmentation ratio"),
                                   tr("Operations per second"),
                                   tr("Keyspace hit rate"),
                                   tr("Keyspace"),
                                   tr("Persistence"),
                                   tr("Keys in the relay's database")};
    for (int i = 0; i < m_infoNames.size(); ++i) {
        m_infoNames[i]->setText(infoNames.value(i) + u':');
        m_infoValues[i]->setAccessibleName(infoNames.value(i));
    }
    m_latencyGroup->setTitle(tr("Latency events (LATENCY LATEST)"));
    m_latencyModel->setTitles({tr("Event"), tr("Last spike"), tr("Latest"), tr("Worst")});
    m_latencyTable->setAccessibleName(tr("Latency events"));
    showServerInfo();

    m_memoryModel->setTitles({tr("Key prefix"), tr("Keys (est.)"), tr("Memory (est.)"), tr("Share")});
    m_memoryTable->setAccessibleName(tr("Memory by key prefix"));
    m_memoryChart->setAccessibleName(tr("Memory by key prefix chart"));
    updateMemorySummary();
    updateMemoryChart();
}

RedisPage::Tab RedisPage::currentTab() const
{
    return Tab(m_tabs->currentIndex());
}

void RedisPage::showTab(Tab tab)
{
    m_tabs->setCurrentIndex(int(tab));
}

void RedisPage::activate()
{
    refresh();
    updateTimer();
}

void RedisPage::deactivate()
{
    updateTimer();
    saveHeaders();
}

void RedisPage::reset()
{
    m_slowlogModel->setRows({});
    m_commandModel->setRows({});
    m_latencyModel->setRows({});
    m_memoryModel->setRows({});
    m_slowlogLength = -1;
    m_slowlogConfigLoaded = false;
    m_info = {};
    m_dbKeys = -1;
    m_memory = {};
    m_messages->clear();
    m_loadErrorShown = false;
    updateSlowlogSummary();
    updateCommandChart();
    showServerInfo();
    updateMemorySummary();
    updateMemoryChart();
}

void RedisPage::refresh()
{
    switch (currentTab()) {
    case Tab::Slowlog:
        loadSlowlogConfig();
        loadSlowlog();
        break;
    case Tab::Commands:
        loadCommands();
        break;
    case Tab::Server:
        loadServer();
        break;
    case Tab::Memory:
        loadMemory();
        break;
    }
}

void RedisPage::updateTimer()
{
    const bool run = isActive() && currentTab() == Tab::Slowlog && m_autoRefresh->isChecked();
    if (run && !m_slowlogTimer.isActive())
        m_slowlogTimer.start();
    else if (!run)
        m_slowlogTimer.stop();
}

void RedisPage::setLoading(int delta)
{
    m_loading = std::max(0, m_loading + delta);
    m_refresh->setEnabled(m_loading == 0);
    if (m_loading > 0)
        m_tabs->currentWidget()->setCursor(Qt::BusyCursor);
    else
        for (int i = 0; i < m_tabs->count(); ++i)
            m_tabs->widget(i)->unsetCursor();
}

void RedisPage::showLoadError(const QString &text)
{
    m_messages->showError(text);
    m_loadErrorShown = true;
}

void RedisPage::clearLoadError()
{
    // Only the errors of loads: an answer to an action stays until replaced.
    if (m_loadErrorShown && m_messages->kind() == MessageBar::Kind::Error)
        m_messages->clear();
    m_loadErrorShown = false;
}

// Slow log

void RedisPage::loadSlowlog()
{
    if (m_slowlogPending)
        return;
    m_slowlogPending = true;
    setLoading(+1);
    client()->get(u"/admin/redis/slowlog"_s, QUrlQuery{{u"count"_s, QString::number(SlowlogCount)}}, this,
                  [this](const AdminReply &reply) {
                      m_slowlogPending = false;
                      setLoading(-1);
                      if (!reply.ok())
                          return showLoadError(tr("Could not load the slow log: %1").arg(reply.errorText()));
                      clearLoadError();
                      m_slowlogLength = reply.object().value(u"length"_s).toInteger();
                      m_slowlogModel->setRows(reply.items());
                      updateSlowlogSummary();
                  });
}

void RedisPage::loadSlowlogConfig()
{
    client()->get(u"/admin/redis/config/slowlog"_s, {}, this, [this](const AdminReply &reply) {
        if (!reply.ok())
            return showLoadError(tr("Could not load the slow log settings: %1").arg(reply.errorText()));
        // Do not overwrite what the operator is typing.
        if (m_threshold->hasFocus() || m_maxLength->hasFocus())
            return;
        m_threshold->setValue(
            int(std::clamp<qint64>(reply.object().value(u"slower_than_us"_s).toInteger(), -1, INT_MAX)));
        m_maxLength->setValue(int(reply.object().value(u"max_len"_s).toInteger()));
        m_slowlogConfigLoaded = true;
        updateSlowlogSummary();
    });
}

void RedisPage::applySlowlogConfig()
{
    m_settingsError->hide();
    m_applySettings->setEnabled(false);
    m_messages->showBusy(tr("Changing the slow log settings…"));
    const QJsonObject body{{u"slower_than_us"_s, m_threshold->value()}, {u"max_len"_s, m_maxLength->value()}};
    client()->put(u"/admin/redis/config/slowlog"_s, body, this, [this](const AdminReply &reply) {
        m_applySettings->setEnabled(true);
        if (!reply.ok()) {
            m_messages->showError(tr("The slow log settings were not changed: %1").arg(reply.errorText()));
            if (!reply.fieldErrors.isEmpty()) {
                QStringList problems;
                for (auto it = reply.fieldErrors.begin(); it != reply.fieldErrors.end(); ++it)
                    problems.append(it.key() == u"slower_than_us" ? tr("Threshold: %1").arg(it.value().toString())
                                    : it.key() == u"max_len"      ? tr("Length: %1").arg(it.value().toString())
                                                                  : it.key() + u": "_s + it.value().toString());
                m_settingsError->setText(problems.join(u'\n'));
                m_settingsError->show();
            }
            return;
        }
        m_threshold->setValue(
            int(std::clamp<qint64>(reply.object().value(u"slower_than_us"_s).toInteger(), -1, INT_MAX)));
        m_maxLength->setValue(int(reply.object().value(u"max_len"_s).toInteger()));
        m_slowlogConfigLoaded = true;
        m_messages->showSuccess(tr("Slow log settings changed."));
        updateSlowlogSummary();
        loadSlowlog();
    });
}

void RedisPage::confirmSlowlogReset()
{
    auto *box = new QMessageBox(QMessageBox::Question, tr("Reset the slow log"),
                                tr("Remove all entries from the Redis slow log? This cannot be undone."),
                                QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(u"slowlogResetConfirm"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->button(QMessageBox::Yes)->setText(tr("Reset"));
    box->setDefaultButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::buttonClicked, this, [this, box](QAbstractButton *button) {
        if (box->standardButton(button) == QMessageBox::Yes)
            resetSlowlog();
    });
    box->open();
}

void RedisPage::resetSlowlog()
{
    m_resetSlowlog->setEnabled(false);
    m_messages->showBusy(tr("Resetting the slow log…"));
    client()->post(u"/admin/redis/slowlog/reset"_s, {}, this, [this](const AdminReply &reply) {
        m_resetSlowlog->setEnabled(true);
        if (!reply.ok())
            return m_messages->showError(tr("The slow log was not reset: %1").arg(reply.errorText()));
        m_messages->showSuccess(tr("The slow log is empty."));
        m_slowlogModel->setRows({});
        m_slowlogLength = 0;
        updateSlowlogSummary();
        loadSlowlog();
    });
}

void RedisPage::updateThresholdHint()
{
    const int value = m_threshold->value();
    m_thresholdHint->setText(value < 0    ? tr("(slow log off)")
                             : value == 0 ? tr("(every command)")
                                          : u"(%1)"_s.arg(microseconds(value)));
}

void RedisPage::updateSlowlogSummary()
{
    if (m_slowlogLength < 0) {
        m_slowlogSummary->setText(tr("Loading the slow log…"));
        return;
    }
    if (m_slowlogLength == 0) {
        const int threshold = m_threshold->value();
        m_slowlogSummary->setText(
            !m_slowlogConfigLoaded ? tr("The slow log is empty.")
            : threshold < 0        ? tr("The slow log is empty and turned off: set a threshold to record commands.")
                                   : tr("The slow log is empty: no command took longer than %1 since the last reset.")
                                  .arg(microseconds(threshold)));
        return;
    }
    const int shown = m_slowlogModel->rowCount();
    m_slowlogSummary->setText(shown < m_slowlogLength
                                  ? tr("%1 entries in the slow log; the newest %2 are shown.")
                                        .arg(Format::integer(m_slowlogLength), Format::integer(shown))
                                  : tr("Entries in the slow log: %1.").arg(Format::integer(m_slowlogLength)));
}

// Commands

void RedisPage::loadCommands()
{
    setLoading(+1);
    client()->get(u"/admin/redis/commandstats"_s, QUrlQuery{{u"sort"_s, u"usec"_s}}, this,
                  [this](const AdminReply &reply) {
                      setLoading(-1);
                      if (!reply.ok())
                          return showLoadError(tr("Could not load the command statistics: %1").arg(reply.errorText()));
                      clearLoadError();
                      m_commandModel->setRows(reply.items());
                      applyCommandSort();
                  });
}

void RedisPage::applyCommandSort()
{
    const int column = m_commandSort->currentIndex() + 1;
    m_commandTable->sortByColumn(column, Qt::DescendingOrder);
    updateCommandChart();
}

void RedisPage::updateCommandChart()
{
    const int column = m_commandSort->currentIndex() + 1;
    const QString key = m_commandSort->currentData().toString();
    QStringList labels;
    QList<double> values;
    // The chart shows time in milliseconds (total) or microseconds (per call), so the axis reads plainly.
    const double scale = key == u"usec" ? 0.001 : 1.0;
    for (int row = 0; row < m_commandProxy->rowCount() && labels.size() < ChartBars; ++row) {
        const double value = m_commandProxy->index(row, column).data(JsonTableModel::RawRole).toDouble();
        if (value <= 0)
            break;
        labels.append(m_commandProxy->index(row, 0).data().toString());
        values.append(value * scale);
    }
    const QString unit = key == u"usec"             ? tr("total time (ms)")
                         : key == u"usec_per_call"  ? tr("time per call (µs)")
                         : key == u"calls"          ? tr("calls")
                         : key == u"rejected_calls" ? tr("rejected calls")
                                                    : tr("failed calls");
    showBars(m_commandChart, labels.isEmpty() ? tr("Nothing to chart yet") : tr("Top commands by %1").arg(unit), labels,
             values, unit);
}

// Server

void RedisPage::loadServer()
{
    setLoading(+3);
    client()->get(u"/admin/redis/info"_s, {}, this, [this](const AdminReply &reply) {
        setLoading(-1);
        if (!reply.ok())
            return showLoadError(tr("Could not load INFO: %1").arg(reply.errorText()));
        clearLoadError();
        m_info = reply.object();
        showServerInfo();
    });
    client()->get(u"/admin/redis/dbsize"_s, {}, this, [this](const AdminReply &reply) {
        setLoading(-1);
        if (reply.ok())
            m_dbKeys = reply.object().value(u"db_keys"_s).toInteger();
        showServerInfo();
    });
    client()->get(u"/admin/redis/latency"_s, {}, this, [this](const AdminReply &reply) {
        setLoading(-1);
        if (!reply.ok())
            return showLoadError(tr("Could not load the latency events: %1").arg(reply.errorText()));
        m_latencyModel->setRows(reply.items());
        showServerInfo();
    });
}

void RedisPage::showServerInfo()
{
    const auto field = [this](const QString &path) { return Format::value(m_info, path); };
    const auto bytes = [&](const QString &path) {
        const QJsonValue value = field(path);
        return value.isDouble() ? Format::bytes(value.toInteger()) : u"–"_s;
    };
    const auto text = [&](const QString &path) {
        const QJsonValue value = field(path);
        return value.isString() ? value.toString() : value.isDouble() ? Format::integer(value.toInteger()) : u"–"_s;
    };

    QStringList values;
    values.append(text(u"server.redis_version"_s));
    values.append(field(u"server.uptime_in_seconds"_s).isDouble()
                      ? Format::seconds(field(u"server.uptime_in_seconds"_s).toInteger())
                      : u"–"_s);
    values.append(text(u"server.redis_mode"_s));
    values.append(text(u"clients.connected_clients"_s));
    values.append(bytes(u"memory.used_memory"_s));
    values.append(bytes(u"memory.used_memory_peak"_s));
    const QJsonValue fragmentation = field(u"memory.mem_fragmentation_ratio"_s);
    values.append(fragmentation.isDouble() ? QLocale().toString(fragmentation.toDouble(), 'f', 2) : u"–"_s);
    values.append(text(u"stats.instantaneous_ops_per_sec"_s));
    const qint64 hits = field(u"stats.keyspace_hits"_s).toInteger();
    const qint64 misses = field(u"stats.keyspace_misses"_s).toInteger();
    values.append(m_info.isEmpty()     ? u"–"_s
                  : hits + misses == 0 ? tr("no lookups yet")
                                       : tr("%1 (%2 hits, %3 misses)")
                                             .arg(Format::percent(double(hits) / double(hits + misses)),
                                                  Format::integer(hits), Format::integer(misses)));
    QStringList databases;
    const QJsonObject keyspace = m_info.value(u"keyspace"_s).toObject();
    for (auto it = keyspace.begin(); it != keyspace.end(); ++it) {
        const QJsonObject db = it.value().toObject();
        // The key count is the one field besides expires and avg_ttl; found by elimination so the name of Redis's
        // key-listing command is never spelled out in this code.
        qint64 count = 0;
        for (auto field = db.begin(); field != db.end(); ++field)
            if (field.key() != u"expires" && field.key() != u"avg_ttl")
                count = field.value().toInteger();
        databases.append(
            tr("%1: %2 keys, %3 with a TTL")
                .arg(it.key(), Format::integer(count), Format::integer(db.value(u"expires"_s).toInteger())));
    }
    values.append(m_info.isEmpty() ? u"–"_s : databases.isEmpty() ? tr("empty") : databases.join(u'\n'));
    if (m_info.value(u"persistence"_s).toObject().isEmpty()) {
        values.append(u"–"_s);
    } else {
        const QString status = text(u"persistence.rdb_last_bgsave_status"_s);
        const qint64 lastSave = field(u"persistence.rdb_last_save_time"_s).toInteger() * 1000;
        QString persistence =
            field(u"persistence.rdb_bgsave_in_progress"_s).toInteger()
                ? tr("RDB snapshot in progress")
                : tr("RDB: last save %1 (%2), %3 changes since")
                      .arg(Format::dateTime(lastSave), status,
                           Format::integer(field(u"persistence.rdb_changes_since_last_save"_s).toInteger()));
        persistence += u'\n' + (field(u"persistence.aof_enabled"_s).toInteger()
                                    ? tr("AOF: on (last write %1)").arg(text(u"persistence.aof_last_write_status"_s))
                                    : tr("AOF: off"));
        if (field(u"persistence.loading"_s).toInteger())
            persistence += u'\n' + tr("Loading the data set");
        values.append(persistence);
    }
    values.append(m_dbKeys >= 0 ? Format::integer(m_dbKeys) : u"–"_s);

    for (int i = 0; i < m_infoValues.size() && i < values.size(); ++i)
        m_infoValues[i]->setText(values.at(i));
    // Status colours: a failed save or heavy fragmentation deserve a look.
    const bool saveFailed = text(u"persistence.rdb_last_bgsave_status"_s) == u"err";
    m_infoValues[int(InfoRows.indexOf(u"serverPersistence"_s))]->setStyleSheet(saveFailed ? u"color:#b91c1c;"_s
                                                                                          : QString());
    m_infoValues[int(InfoRows.indexOf(u"serverFragmentation"_s))]->setStyleSheet(
        fragmentation.toDouble() > 1.5 ? u"color:#b45309;"_s : QString());

    const bool noEvents = m_latencyModel->rowCount() == 0;
    m_latencyEmpty->setText(
        noEvents ? tr("No latency spikes recorded. Redis records them only when latency-monitor-threshold is set "
                      "(CONFIG SET latency-monitor-threshold <ms>).")
                 : tr("The latest and the worst spike of each event Redis monitors."));
    m_latencyTable->setVisible(!noEvents);
}

// Memory

void RedisPage::loadMemory()
{
    if (m_memoryPending)
        return;
    m_memoryPending = true;
    setLoading(+1);
    m_messages->showBusy(tr("Sampling keys to estimate memory by prefix…"));
    client()->get(u"/admin/redis/memory"_s, QUrlQuery{{u"samples"_s, QString::number(MemorySamples)}}, this,
                  [this](const AdminReply &reply) {
                      m_memoryPending = false;
                      setLoading(-1);
                      if (!reply.ok())
                          return showLoadError(tr("Could not estimate memory: %1").arg(reply.errorText()));
                      if (m_messages->kind() == MessageBar::Kind::Busy)
                          m_messages->clear();
                      clearLoadError();
                      m_memory = reply.object();
                      QJsonArray rows = m_memory.value(u"items"_s).toArray();
                      double total = 0;
                      for (const QJsonValue &row : std::as_const(rows))
                          total += row.toObject().value(u"estimated_bytes"_s).toDouble();
                      for (qsizetype i = 0; i < rows.size(); ++i) {
                          QJsonObject row = rows.at(i).toObject();
                          row.insert(u"share"_s, total > 0 ? row.value(u"estimated_bytes"_s).toDouble() / total : 0.0);
                          rows.replace(i, row);
                      }
                      m_memoryModel->setRows(rows);
                      updateMemorySummary();
                      updateMemoryChart();
                  });
}

void RedisPage::updateMemorySummary()
{
    if (m_memory.isEmpty()) {
        m_memorySummary->setText(tr("Memory by key prefix is estimated from a sample of keys when this tab is shown."));
        return;
    }
    const qint64 dbKeys = m_memory.value(u"db_keys"_s).toInteger();
    const qint64 sampled = m_memory.value(u"sampled_keys"_s).toInteger();
    const QString total = Format::bytes(m_memory.value(u"estimated_bytes"_s).toInteger());
    if (dbKeys == 0)
        m_memorySummary->setText(tr("The database holds no keys."));
    else if (m_memory.value(u"complete"_s).toBool())
        m_memorySummary->setText(tr("All %1 keys measured: %2 in keys (MEMORY USAGE; server overhead not included).")
                                     .arg(Format::integer(dbKeys), total));
    else
        m_memorySummary->setText(tr("Estimated from a sample of %1 of %2 keys: about %3 in keys. Segments that look "
                                    "like ids, dates or hashes are shown as *.")
                                     .arg(Format::integer(sampled), Format::integer(dbKeys), total));
}

void RedisPage::updateMemoryChart()
{
    QList<QJsonObject> rows;
    for (const QJsonValue &row : m_memoryModel->rows())
        rows.append(row.toObject());
    std::sort(rows.begin(), rows.end(), [](const QJsonObject &a, const QJsonObject &b) {
        return a.value(u"estimated_bytes"_s).toDouble() > b.value(u"estimated_bytes"_s).toDouble();
    });
    QStringList labels;
    QList<double> values;
    for (const QJsonObject &row : std::as_const(rows)) {
        if (labels.size() == ChartBars)
            break;
        labels.append(row.value(u"prefix"_s).toString());
        values.append(row.value(u"estimated_bytes"_s).toDouble());
    }
    // One unit for the axis, chosen by the largest bar.
    const double largest = values.isEmpty() ? 0 : *std::max_element(values.begin(), values.end());
    const double divisor = largest >= 1024.0 * 1024.0 ? 1024.0 * 1024.0 : largest >= 1024.0 ? 1024.0 : 1.0;
    for (double &value : values)
        value /= divisor;
    const QString unit = divisor > 1024.0 ? tr("estimated MiB")
                         : divisor > 1.0  ? tr("estimated KiB")
                                          : tr("estimated bytes");
    showBars(m_memoryChart, labels.isEmpty() ? tr("No keys sampled") : tr("Largest key prefixes"), labels, values,
             unit);
}

void RedisPage::saveHeaders() const
{
    QSettings settings;
    for (const QTableView *view : {m_slowlogTable, m_commandTable, m_latencyTable, m_memoryTable})
        settings.setValue(headerKey(view), view->horizontalHeader()->saveState());
}

} // namespace Console
