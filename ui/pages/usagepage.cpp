// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/usagepage.h"

#include "ui/adminclient.h"
#include "ui/format.h"
#include "ui/icons.h"
#include "ui/jsontablemodel.h"
#include "ui/widgets/messagebar.h"

#include <QAction>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDateTime>
#include <QEvent>
#include <QFileDialog>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSaveFile>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStackedBarSeries>
#include <QStandardItemModel>
#include <QTableView>
#include <QTimeZone>
#include <QToolButton>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace Console {

namespace {

const QString TableHeaderSetting = u"ui/usage/tableHeader"_s;
const QString TopHeaderSetting = u"ui/usage/topHeader"_s;
const QString SplitterSetting = u"ui/usage/splitter"_s;
const QString TablesSetting = u"ui/usage/tables"_s;

// Tile rows: the counter each value label shows.
const QStringList TileFields{u"requests"_s, u"input_tokens"_s, u"output_tokens"_s, u"cache_write_tokens"_s,
                             u"cache_read_tokens"_s};

qint64 cacheWrite(const QJsonObject &counters)
{
    return counters.value(u"cache_creation_5m_tokens"_s).toInteger() +
           counters.value(u"cache_creation_1h_tokens"_s).toInteger();
}

QJsonObject withCacheWrite(QJsonObject counters)
{
    counters.insert(u"cache_write_tokens"_s, cacheWrite(counters));
    return counters;
}

// "2025-05-01T14" (an hour bucket in the relay's zone) or "2025-05-01" (a day).
QString bucketText(const QString &bucket)
{
    return bucket.size() == 13 ? bucket.left(10) + u' ' + bucket.mid(11) + u":00"_s : bucket;
}

QString bucketAxisLabel(const QString &bucket)
{
    return bucket.size() == 13 ? bucket.mid(11) + u":00"_s : bucket.mid(5);
}

QString integerText(const QJsonValue &value, const QJsonObject &)
{
    return Format::integer(value.toInteger());
}

QString tokensText(const QJsonValue &value, const QJsonObject &)
{
    return Format::tokens(value.toInteger());
}

QString usdText(const QJsonValue &value, const QJsonObject &)
{
    return Format::usd(value.toDouble());
}

// Exact dollars from nanodollars, as a plain decimal number ("0.001234500").
QString plainUsd(qint64 nanos)
{
    const bool negative = nanos < 0;
    const qint64 magnitude = negative ? -nanos : nanos;
    return (negative ? u"-"_s : QString()) + QString::number(magnitude / 1000000000) + u'.' +
           QStringLiteral("%1").arg(magnitude % 1000000000, 9, 10, QLatin1Char('0'));
}

double metricValue(const QJsonObject &counters, UsagePage::Metric metric)
{
    switch (metric) {
    case UsagePage::Metric::Cost:
        return counters.value(u"cost_usd"_s).toDouble();
    case UsagePage::Metric::Requests:
        return double(counters.value(u"requests"_s).toInteger());
    case UsagePage::Metric::Tokens:
        return double(counters.value(u"tokens"_s).toInteger());
    }
    return 0;
}

const Qt::Alignment Right = Qt::AlignRight | Qt::AlignVCenter;

} // namespace

UsagePage::UsagePage(AdminClient *client, QWidget *parent)
    : Page(client, parent)
    , m_messages(new MessageBar(this))
    , m_scopeLabel(new QLabel(this))
    , m_scope(new QComboBox(this))
    , m_entity(new QComboBox(this))
    , m_rangeLabel(new QLabel(this))
    , m_range(new QComboBox(this))
    , m_metricLabel(new QLabel(this))
    , m_metric(new QComboBox(this))
    , m_refreshAction(new QAction(icon(u"refresh"_s), QString(), this))
    , m_exportAction(new QAction(icon(u"export"_s), QString(), this))
    , m_refreshButton(new QToolButton(this))
    , m_exportButton(new QToolButton(this))
    , m_chart(new QChart)
    , m_chartView(new QChartView(m_chart, this))
    , m_splitter(new QSplitter(Qt::Vertical, this))
    , m_tables(new QSplitter(Qt::Horizontal, this))
    , m_table(new QTableView(this))
    , m_model(new JsonTableModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_topBox(new QWidget(this))
    , m_topTitle(new QLabel(this))
    , m_topDimension(new QComboBox(this))
    , m_topTable(new QTableView(this))
    , m_topModel(new JsonTableModel(this))
    , m_topProxy(new QSortFilterProxyModel(this))
{
    setObjectName(u"usagePage"_s);
    m_scope->setObjectName(u"usageScope"_s);
    m_entity->setObjectName(u"usageEntity"_s);
    m_range->setObjectName(u"usageRange"_s);
    m_metric->setObjectName(u"usageMetric"_s);
    m_refreshAction->setObjectName(u"usageRefreshAction"_s);
    m_exportAction->setObjectName(u"usageExportAction"_s);
    m_refreshButton->setObjectName(u"usageRefresh"_s);
    m_exportButton->setObjectName(u"usageExport"_s);
    m_chartView->setObjectName(u"usageChart"_s);
    m_splitter->setObjectName(u"usageSplitter"_s);
    m_table->setObjectName(u"usageTable"_s);
    m_topBox->setObjectName(u"usageTopBox"_s);
    m_topTitle->setObjectName(u"usageTopTitle"_s);
    m_topDimension->setObjectName(u"usageTopDimension"_s);
    m_topTable->setObjectName(u"usageTopTable"_s);

    // Choices carry their API names as data; texts are set in retranslate().
    for (const Scope s : {Scope::Relay, Scope::Key, Scope::Account, Scope::Models})
        m_scope->addItem(QString(), int(s));
    for (const Range r : {Range::Hours24, Range::Hours48, Range::Days7, Range::Days30})
        m_range->addItem(QString(), int(r));
    for (const Metric m : {Metric::Cost, Metric::Requests, Metric::Tokens})
        m_metric->addItem(QString(), int(m));
    m_topDimension->addItem(QString(), u"api_keys"_s);
    m_topDimension->addItem(QString(), u"accounts"_s);
    m_topDimension->addItem(QString(), u"models"_s);
    m_range->setCurrentIndex(int(Range::Days7));
    m_entity->setMinimumContentsLength(24);
    m_entity->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_entity->hide();
    m_scopeLabel->setBuddy(m_scope);
    m_rangeLabel->setBuddy(m_range);
    m_metricLabel->setBuddy(m_metric);

    m_refreshAction->setShortcut(QKeySequence::Refresh);
    m_exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_refreshButton->setDefaultAction(m_refreshAction);
    m_exportButton->setDefaultAction(m_exportAction);
    m_refreshButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_exportButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    addAction(m_refreshAction);
    addAction(m_exportAction);

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_scopeLabel);
    bar->addWidget(m_scope);
    bar->addWidget(m_entity);
    bar->addSpacing(12);
    bar->addWidget(m_rangeLabel);
    bar->addWidget(m_range);
    bar->addSpacing(12);
    bar->addWidget(m_metricLabel);
    bar->addWidget(m_metric);
    bar->addStretch(1);
    bar->addWidget(m_refreshButton);
    bar->addWidget(m_exportButton);

    auto *tiles = new QHBoxLayout;
    buildTile(m_today, u"usageToday"_s);
    buildTile(m_week, u"usageWeek"_s);
    buildTile(m_month, u"usageMonth"_s);
    tiles->addWidget(m_today.frame);
    tiles->addWidget(m_week.frame);
    tiles->addWidget(m_month.frame);

    m_chart->legend()->setAlignment(Qt::AlignBottom);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->setBackgroundRoundness(0);
    m_chartView->setRenderHint(QPainter::Antialiasing);
    m_chartView->setMinimumHeight(220);
    applyChartTheme();

    const auto setUpTable = [](QTableView *table, JsonTableModel *model, QSortFilterProxyModel *proxy) {
        proxy->setSourceModel(model);
        proxy->setSortRole(JsonTableModel::RawRole);
        table->setModel(proxy);
        table->setSortingEnabled(true);
        table->setAlternatingRowColors(true);
        table->setSelectionBehavior(QAbstractItemView::SelectRows);
        table->setSelectionMode(QAbstractItemView::SingleSelection);
        table->setEditTriggers(QAbstractItemView::NoEditTriggers);
        table->setWordWrap(false);
        table->verticalHeader()->hide();
        table->verticalHeader()->setDefaultSectionSize(table->fontMetrics().height() + 8);
        table->horizontalHeader()->setStretchLastSection(true);
    };
    m_model->setColumns({
        {u"start_at"_s,
         [](const QJsonValue &, const QJsonObject &row) { return bucketText(row.value(u"bucket"_s).toString()); }},
        {u"requests"_s, integerText, Right},
        {u"input_tokens"_s, tokensText, Right},
        {u"output_tokens"_s, tokensText, Right},
        {u"cache_write_tokens"_s, tokensText, Right},
        {u"cache_read_tokens"_s, tokensText, Right},
        {u"cost_usd"_s, usdText, Right},
    });
    setUpTable(m_table, m_model, m_proxy);
    m_table->sortByColumn(0, Qt::DescendingOrder);
    const QList<int> widths{130, 70, 70, 70, 80, 80};
    for (int i = 0; i < widths.size(); ++i)
        m_table->setColumnWidth(i, widths.at(i));

    m_topModel->setColumns({
        {u"rank"_s, integerText, Right},
        {u"name"_s,
         [](const QJsonValue &, const QJsonObject &row) {
             if (row.contains(u"model"_s))
                 return row.value(u"model"_s).toString();
             const QString name = row.value(u"name"_s).toString();
             const QString id = row.value(u"id"_s).toString();
             if (row.value(u"deleted"_s).toBool())
                 return UsagePage::tr("%1 (deleted)").arg(name.isEmpty() ? id : name);
             return name.isEmpty() ? id : name;
         }},
        {u"requests"_s, integerText, Right},
        {u"tokens"_s, tokensText, Right},
        {u"cost_usd"_s, usdText, Right},
    });
    setUpTable(m_topTable, m_topModel, m_topProxy);
    m_topTable->sortByColumn(0, Qt::AscendingOrder);
    const QList<int> topWidths{36, 140, 70, 70};
    for (int i = 0; i < topWidths.size(); ++i)
        m_topTable->setColumnWidth(i, topWidths.at(i));

    QSettings settings;
    m_table->horizontalHeader()->restoreState(settings.value(TableHeaderSetting).toByteArray());
    m_topTable->horizontalHeader()->restoreState(settings.value(TopHeaderSetting).toByteArray());

    auto *topLayout = new QVBoxLayout(m_topBox);
    topLayout->setContentsMargins(0, 0, 0, 0);
    auto *topBar = new QHBoxLayout;
    topBar->addWidget(m_topTitle, 1);
    topBar->addWidget(m_topDimension);
    topLayout->addLayout(topBar);
    topLayout->addWidget(m_topTable, 1);

    m_tables->addWidget(m_table);
    m_tables->addWidget(m_topBox);
    m_tables->setStretchFactor(0, 3);
    m_tables->setStretchFactor(1, 2);
    m_tables->setChildrenCollapsible(false);
    m_splitter->addWidget(m_chartView);
    m_splitter->addWidget(m_tables);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setChildrenCollapsible(false);
    if (!m_splitter->restoreState(settings.value(SplitterSetting).toByteArray()))
        m_splitter->setSizes({300, 260});
    if (!m_tables->restoreState(settings.value(TablesSetting).toByteArray()))
        m_tables->setSizes({600, 400});

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_messages);
    layout->addLayout(bar);
    layout->addLayout(tiles);
    layout->addWidget(m_splitter, 1);

    setTabOrder(m_scope, m_entity);
    setTabOrder(m_entity, m_range);
    setTabOrder(m_range, m_metric);
    setTabOrder(m_metric, m_refreshButton);
    setTabOrder(m_refreshButton, m_exportButton);
    setTabOrder(m_exportButton, m_table);
    setTabOrder(m_table, m_topDimension);
    setTabOrder(m_topDimension, m_topTable);

    m_timer.setInterval(RefreshIntervalMs);
    m_exportTimer.setInterval(0);
    connect(&m_timer, &QTimer::timeout, this, &UsagePage::refresh);
    connect(&m_exportTimer, &QTimer::timeout, this, &UsagePage::writeExportSlice);
    connect(m_refreshAction, &QAction::triggered, this, &UsagePage::refresh);
    connect(m_exportAction, &QAction::triggered, this, &UsagePage::exportCsv);
    connect(m_scope, &QComboBox::currentIndexChanged, this, &UsagePage::onScopeChanged);
    connect(m_entity, &QComboBox::currentIndexChanged, this, [this] {
        if (!m_loadingEntities)
            refresh();
    });
    connect(m_range, &QComboBox::currentIndexChanged, this, &UsagePage::refresh);
    connect(m_topDimension, &QComboBox::currentIndexChanged, this, &UsagePage::refresh);
    connect(m_metric, &QComboBox::currentIndexChanged, this, [this] {
        rebuildChart();
        refresh(); // the top list is ranked by the metric
    });
    // A key or account in the top list: its own usage.
    connect(m_topTable, &QTableView::activated, this, [this](const QModelIndex &index) {
        const QJsonObject row = index.data(JsonTableModel::RowObjectRole).toJsonObject();
        const QString dimension = m_topDimension->currentData().toString();
        if (row.contains(u"model"_s) || scope() != Scope::Relay || dimension == u"models")
            return;
        m_pendingEntity = row.value(u"id"_s).toString();
        m_scope->setCurrentIndex(m_scope->findData(int(dimension == u"accounts" ? Scope::Account : Scope::Key)));
    });

    retranslate();
    updateRangeChoices();
}

UsagePage::~UsagePage()
{
    QSettings settings;
    settings.setValue(TableHeaderSetting, m_table->horizontalHeader()->saveState());
    settings.setValue(TopHeaderSetting, m_topTable->horizontalHeader()->saveState());
    settings.setValue(SplitterSetting, m_splitter->saveState());
    settings.setValue(TablesSetting, m_tables->saveState());
    if (m_exportFile)
        m_exportFile->cancelWriting();
}

void UsagePage::buildTile(Tile &tile, const QString &prefix)
{
    tile.frame = new QFrame(this);
    tile.frame->setObjectName(prefix);
    tile.frame->setFrameShape(QFrame::StyledPanel);
    auto *grid = new QGridLayout(tile.frame);
    grid->setHorizontalSpacing(12);
    grid->setVerticalSpacing(2);
    tile.title = new QLabel(tile.frame);
    tile.cost = new QLabel(u"–"_s, tile.frame);
    tile.cost->setObjectName(prefix + u"Cost"_s);
    QFont big = tile.cost->font();
    big.setPointSizeF(big.pointSizeF() * 1.6);
    big.setBold(true);
    tile.cost->setFont(big);
    QFont bold = tile.title->font();
    bold.setBold(true);
    tile.title->setFont(bold);
    grid->addWidget(tile.title, 0, 0, 1, 2);
    grid->addWidget(tile.cost, 1, 0, 1, 2);
    static const QStringList Suffixes{u"Requests"_s, u"Input"_s, u"Output"_s, u"CacheWrite"_s, u"CacheRead"_s};
    for (int i = 0; i < Suffixes.size(); ++i) {
        auto *name = new QLabel(tile.frame);
        auto *value = new QLabel(u"–"_s, tile.frame);
        value->setObjectName(prefix + Suffixes.at(i));
        value->setAlignment(Qt::AlignRight | Qt::AlignVCenter);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        grid->addWidget(name, 2 + i, 0);
        grid->addWidget(value, 2 + i, 1);
        tile.names.append(name);
        tile.values.append(value);
    }
}

void UsagePage::fillTile(Tile &tile, const QJsonObject &counters)
{
    const QJsonObject c = withCacheWrite(counters);
    tile.cost->setText(Format::usd(c.value(u"cost_usd"_s).toDouble()));
    for (int i = 0; i < TileFields.size(); ++i) {
        const qint64 value = c.value(TileFields.at(i)).toInteger();
        tile.values.at(i)->setText(i == 0 ? Format::integer(value) : Format::tokens(value));
        tile.values.at(i)->setToolTip(Format::integer(value));
    }
    if (const qint64 unknown = c.value(u"cost_unknown"_s).toInteger(); unknown > 0)
        tile.cost->setToolTip(tr("Not in the cost: requests to a model without a known price (%1)").arg(unknown));
    else
        tile.cost->setToolTip(QString());
}

void UsagePage::retranslate()
{
    m_scopeLabel->setText(tr("&Show:"));
    m_scope->setItemText(0, tr("Whole relay"));
    m_scope->setItemText(1, tr("One API key"));
    m_scope->setItemText(2, tr("One account"));
    m_scope->setItemText(3, tr("By model"));
    m_scope->setAccessibleName(tr("Usage of"));
    m_entity->setAccessibleName(scope() == Scope::Account ? tr("Account") : tr("API key"));
    m_rangeLabel->setText(tr("&Period:"));
    m_range->setItemText(0, tr("Last 24 hours"));
    m_range->setItemText(1, tr("Last 48 hours"));
    m_range->setItemText(2, tr("Last 7 days"));
    m_range->setItemText(3, tr("Last 30 days"));
    m_range->setAccessibleName(tr("Period"));
    m_metricLabel->setText(tr("&Chart:"));
    m_metric->setItemText(0, tr("Cost"));
    m_metric->setItemText(1, tr("Requests"));
    m_metric->setItemText(2, tr("Tokens"));
    m_metric->setAccessibleName(tr("Chart metric"));
    m_topDimension->setItemText(0, tr("API keys"));
    m_topDimension->setItemText(1, tr("Accounts"));
    m_topDimension->setItemText(2, tr("Models"));
    m_topDimension->setAccessibleName(tr("Top list of"));
    m_refreshAction->setText(tr("Refresh"));
    m_refreshAction->setToolTip(tr("Reload the usage (F5)"));
    m_refreshButton->setAccessibleName(tr("Refresh"));
    m_exportAction->setText(tr("Export CSV…"));
    m_exportAction->setToolTip(tr("Save the table of buckets as a CSV file (Ctrl+E)"));
    m_exportButton->setAccessibleName(tr("Export CSV"));
    m_chartView->setAccessibleName(tr("Usage chart"));
    m_table->setAccessibleName(tr("Usage per period"));
    m_topTable->setAccessibleName(tr("Top users"));
    m_topTable->setToolTip(tr("Activate a key or an account to see its own usage"));
    m_today.title->setText(tr("Today"));
    m_week.title->setText(tr("Last 7 days"));
    m_month.title->setText(tr("Last 30 days"));
    for (Tile *tile : {&m_today, &m_week, &m_month}) {
        const QStringList names{tr("Requests"), tr("Input tokens"), tr("Output tokens"), tr("Cache write"),
                                tr("Cache read")};
        for (int i = 0; i < names.size(); ++i)
            tile->names.at(i)->setText(names.at(i));
    }
    m_model->setTitles(
        {tr("Period"), tr("Requests"), tr("Input"), tr("Output"), tr("Cache write"), tr("Cache read"), tr("Cost")});
    m_topModel->setTitles({tr("#"), tr("Name"), tr("Requests"), tr("Tokens"), tr("Cost")});
    updateTopTitle();
    rebuildChart();
}

void UsagePage::updateTopTitle()
{
    const QString dimension = m_topDimension->currentText();
    const int days = range() == Range::Days30 ? 30 : range() == Range::Days7 ? 7 : range() == Range::Hours48 ? 2 : 1;
    const QString when = days == 1 ? tr("today") : days == 2 ? tr("today and yesterday") : tr("last %1 days").arg(days);
    const QString by = metric() == Metric::Cost       ? tr("by cost")
                       : metric() == Metric::Requests ? tr("by requests")
                                                      : tr("by tokens");
    m_topTitle->setText(scope() == Scope::Models ? tr("Models %1, %2").arg(by, when)
                                                 : tr("Top %1 %2, %3").arg(dimension, by, when));
}

void UsagePage::changeEvent(QEvent *event)
{
    Page::changeEvent(event);
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange)
        applyChartTheme();
}

void UsagePage::applyChartTheme()
{
    const bool dark = palette().color(QPalette::Window).lightness() < 128;
    m_chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    m_chart->setBackgroundBrush(palette().brush(QPalette::Base));
    m_chart->legend()->setLabelColor(palette().color(QPalette::Text));
    rebuildChart();
}

UsagePage::Scope UsagePage::scope() const
{
    return Scope(m_scope->currentData().toInt());
}

UsagePage::Range UsagePage::range() const
{
    return Range(m_range->currentData().toInt());
}

UsagePage::Metric UsagePage::metric() const
{
    return Metric(m_metric->currentData().toInt());
}

bool UsagePage::showsTop() const
{
    return scope() == Scope::Relay || scope() == Scope::Models;
}

void UsagePage::activate()
{
    if (scope() == Scope::Key || scope() == Scope::Account)
        loadEntities();
    else
        refresh();
    m_timer.start();
}

void UsagePage::deactivate()
{
    m_timer.stop();
}

void UsagePage::reset()
{
    ++m_generation;
    m_pending = 0;
    m_points = {};
    m_model->setRows({});
    m_topModel->setRows({});
    m_entity->clear();
    for (Tile *tile : {&m_today, &m_week, &m_month})
        fillTile(*tile, {});
    m_messages->clear();
    rebuildChart();
    if (isActive())
        activate();
}

// Per-model bars only exist per day, so "by model" offers the day periods only.
void UsagePage::updateRangeChoices()
{
    auto *items = qobject_cast<QStandardItemModel *>(m_range->model());
    const bool daysOnly = scope() == Scope::Models;
    for (int i = 0; i < 2; ++i)
        items->item(i)->setEnabled(!daysOnly);
    if (daysOnly && (range() == Range::Hours24 || range() == Range::Hours48))
        m_range->setCurrentIndex(int(Range::Days7));
}

void UsagePage::onScopeChanged()
{
    const Scope s = scope();
    m_entity->setVisible(s == Scope::Key || s == Scope::Account);
    m_topBox->setVisible(showsTop());
    m_topDimension->setVisible(s == Scope::Relay);
    const QSignalBlocker blocker(m_range);
    updateRangeChoices();
    retranslate();
    if (s == Scope::Key || s == Scope::Account)
        loadEntities();
    else
        refresh();
}

void UsagePage::loadEntities()
{
    const Scope s = scope();
    if (!client()->isSignedIn())
        return;
    if (m_pendingEntity.isEmpty() && m_entity->count() > 0 && m_entity->property("scope").toInt() == int(s)) {
        refresh();
        return;
    }
    if (m_pendingEntity.isEmpty() && m_entity->property("scope").toInt() == int(s))
        m_pendingEntity = m_entity->currentData().toString();
    const quint64 generation = ++m_generation;
    m_messages->showBusy(s == Scope::Key ? tr("Loading the API keys…") : tr("Loading the accounts…"));
    m_entity->setEnabled(false);
    const QString path = s == Scope::Key ? u"/admin/keys"_s : u"/admin/accounts"_s;
    QUrlQuery query{{u"limit"_s, u"500"_s}};
    if (s == Scope::Key)
        query.addQueryItem(u"sort"_s, u"name"_s);
    client()->get(path, query, this, [this, s, generation](const AdminReply &reply) {
        if (generation != m_generation || scope() != s)
            return;
        m_entity->setEnabled(true);
        if (!reply.ok()) {
            m_messages->showError(tr("Could not load the list: %1").arg(reply.errorText()));
            return;
        }
        m_loadingEntities = true;
        const QString wanted = m_pendingEntity;
        m_pendingEntity.clear();
        m_entity->clear();
        m_entity->setProperty("scope", int(s));
        for (const QJsonValue &item : reply.items()) {
            const QJsonObject row = item.toObject();
            const QString id = row.value(u"id"_s).toString();
            const QString name = row.value(u"name"_s).toString();
            m_entity->addItem(name.isEmpty() ? id : u"%1 — %2"_s.arg(name, id), id);
        }
        const int index = m_entity->findData(wanted);
        m_entity->setCurrentIndex(index >= 0 ? index : 0);
        m_loadingEntities = false;
        if (m_entity->count() == 0) {
            m_messages->showMessage(MessageBar::Kind::Information, s == Scope::Key ? tr("There are no API keys yet.")
                                                                                   : tr("There are no accounts yet."));
            return;
        }
        m_messages->clear();
        refresh();
    });
}

void UsagePage::refresh()
{
    if (!client()->isSignedIn())
        return;
    const Scope s = scope();
    QUrlQuery who;
    if (s == Scope::Key || s == Scope::Account) {
        const QString id = m_entity->currentData().toString();
        if (id.isEmpty())
            return; // the list is still loading, or empty
        who.addQueryItem(u"scope"_s, s == Scope::Key ? u"key"_s : u"account"_s);
        who.addQueryItem(u"id"_s, id);
    }
    const Range r = range();
    const bool hourly = r == Range::Hours24 || r == Range::Hours48;
    const int count = r == Range::Hours24 ? 24 : r == Range::Hours48 ? 48 : r == Range::Days7 ? 7 : 30;
    const int days = r == Range::Days30 ? 30 : r == Range::Days7 ? 7 : r == Range::Hours48 ? 2 : 1;

    const quint64 generation = ++m_generation;
    m_pending = showsTop() ? 3 : 2;
    updateTopTitle();
    m_refreshAction->setEnabled(false);
    m_refreshFailed = false;
    // The first load says so; later ones (the 30 s refresh too) only grey out Refresh, so the page does not jump.
    if (m_points.isEmpty() && !isExporting())
        m_messages->showBusy(tr("Loading the usage…"));
    const auto failed = [this](const QString &what, const AdminReply &reply) {
        m_refreshFailed = true;
        m_messages->showError(tr("Could not load the %1: %2").arg(what, reply.errorText()));
    };

    client()->get(u"/admin/usage/summary"_s, who, this, [this, generation, failed](const AdminReply &reply) {
        if (generation != m_generation)
            return;
        if (reply.ok()) {
            const QJsonObject summary = reply.object();
            fillTile(m_today, summary.value(u"today"_s).toObject());
            fillTile(m_week, summary.value(u"last_7_days"_s).toObject());
            fillTile(m_month, summary.value(u"last_30_days"_s).toObject());
        } else {
            failed(tr("usage totals"), reply);
        }
        finishOne(generation);
    });

    QUrlQuery trend = who;
    trend.addQueryItem(u"granularity"_s, hourly ? u"hour"_s : u"day"_s);
    trend.addQueryItem(u"count"_s, QString::number(count));
    client()->get(u"/admin/usage/trend"_s, trend, this, [this, generation, failed](const AdminReply &reply) {
        if (generation != m_generation)
            return;
        if (reply.ok()) {
            const QJsonObject json = reply.object();
            m_granularity = json.value(u"granularity"_s).toString();
            m_points = json.value(u"points"_s).toArray();
            QJsonArray rows;
            for (const QJsonValue &point : std::as_const(m_points)) {
                QJsonObject row = withCacheWrite(point.toObject());
                row.remove(u"models"_s);
                rows.append(row);
            }
            m_model->setRows(rows);
            rebuildChart();
        } else {
            failed(tr("usage per period"), reply);
        }
        finishOne(generation);
    });

    if (!showsTop())
        return;
    static const QStringList MetricNames{u"cost"_s, u"requests"_s, u"tokens"_s};
    const QString dimension = s == Scope::Models ? u"models"_s : m_topDimension->currentData().toString();
    const QUrlQuery top{{u"dimension"_s, dimension},
                        {u"metric"_s, MetricNames.at(int(metric()))},
                        {u"days"_s, QString::number(days)},
                        {u"limit"_s, QString::number(TopRows)}};
    client()->get(u"/admin/usage/top"_s, top, this, [this, generation, failed](const AdminReply &reply) {
        if (generation != m_generation)
            return;
        if (reply.ok())
            m_topModel->setRows(reply.items());
        else
            failed(tr("top list"), reply);
        finishOne(generation);
    });
}

void UsagePage::finishOne(quint64 generation)
{
    if (generation != m_generation || --m_pending > 0)
        return;
    m_refreshAction->setEnabled(true);
    const MessageBar::Kind kind = m_messages->kind();
    if (!m_refreshFailed && !isExporting() && (kind == MessageBar::Kind::Busy || kind == MessageBar::Kind::Error))
        m_messages->clear();
    Q_EMIT refreshed();
}

void UsagePage::rebuildChart()
{
    m_chart->removeAllSeries();
    for (QAbstractAxis *axis : m_chart->axes()) {
        m_chart->removeAxis(axis);
        delete axis;
    }
    if (m_points.isEmpty()) {
        m_chart->setTitle(tr("No usage loaded yet"));
        return;
    }

    QStringList categories;
    for (const QJsonValue &point : std::as_const(m_points))
        categories.append(bucketAxisLabel(point.toObject().value(u"bucket"_s).toString()));

    const Metric m = metric();
    auto *series = new QStackedBarSeries;
    const auto addSet = [&](const QString &label, const std::function<double(const QJsonObject &)> &value) {
        auto *set = new QBarSet(label);
        for (const QJsonValue &point : std::as_const(m_points))
            set->append(value(point.toObject()));
        series->append(set);
    };

    if (scope() == Scope::Models && m_granularity == u"day") {
        // The biggest models over the period get their own colour; the rest are summed.
        QHash<QString, double> totals;
        for (const QJsonValue &point : std::as_const(m_points))
            for (const QJsonValue &model : point.toObject().value(u"models"_s).toArray())
                totals[model.toObject().value(u"model"_s).toString()] += metricValue(model.toObject(), m);
        QStringList models = totals.keys();
        std::sort(models.begin(), models.end(), [&](const QString &a, const QString &b) {
            return totals.value(a) != totals.value(b) ? totals.value(a) > totals.value(b) : a < b;
        });
        const QStringList shown = models.mid(0, ChartModels);
        const auto modelValue = [m](const QJsonObject &point, const QString &name) {
            for (const QJsonValue &model : point.value(u"models"_s).toArray())
                if (model.toObject().value(u"model"_s).toString() == name)
                    return metricValue(model.toObject(), m);
            return 0.0;
        };
        for (const QString &model : shown)
            addSet(model, [&](const QJsonObject &point) { return modelValue(point, model); });
        if (models.size() > shown.size())
            addSet(tr("Other models"), [&](const QJsonObject &point) {
                double other = metricValue(point, m);
                for (const QString &model : shown)
                    other -= modelValue(point, model);
                return std::max(0.0, other);
            });
    } else if (m == Metric::Tokens) {
        addSet(tr("Input"), [](const QJsonObject &p) { return double(p.value(u"input_tokens"_s).toInteger()); });
        addSet(tr("Output"), [](const QJsonObject &p) { return double(p.value(u"output_tokens"_s).toInteger()); });
        addSet(tr("Cache write"), [](const QJsonObject &p) { return double(cacheWrite(p)); });
        addSet(tr("Cache read"),
               [](const QJsonObject &p) { return double(p.value(u"cache_read_tokens"_s).toInteger()); });
    } else if (m == Metric::Requests) {
        addSet(tr("Successful"), [](const QJsonObject &p) {
            return double(p.value(u"requests"_s).toInteger() - p.value(u"error_requests"_s).toInteger());
        });
        addSet(tr("Errors"), [](const QJsonObject &p) { return double(p.value(u"error_requests"_s).toInteger()); });
    } else {
        addSet(tr("Cost (USD)"), [](const QJsonObject &p) { return p.value(u"cost_usd"_s).toDouble(); });
    }
    m_chart->addSeries(series);

    double top = 0;
    for (qsizetype i = 0; i < m_points.size(); ++i) {
        double sum = 0;
        for (QBarSet *set : series->barSets())
            sum += set->at(i);
        top = std::max(top, sum);
    }
    auto *x = new QBarCategoryAxis;
    x->append(categories);
    x->setLabelsAngle(categories.size() > 16 ? -90 : 0);
    auto *y = new QValueAxis;
    y->setMin(0);
    y->setMax(top > 0 ? top * 1.1 : 1);
    y->applyNiceNumbers();
    y->setLabelFormat(m == Metric::Cost ? (y->max() < 1 ? u"$%.3f"_s : u"$%.2f"_s) : u"%.0f"_s);
    const QColor text = palette().color(QPalette::Text);
    x->setLabelsColor(text);
    y->setLabelsColor(text);
    m_chart->addAxis(x, Qt::AlignBottom);
    m_chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
    m_chart->legend()->setVisible(series->count() > 1);

    const QString period = m_range->currentText();
    const QString what = m == Metric::Cost ? tr("Cost") : m == Metric::Requests ? tr("Requests") : tr("Tokens");
    const QString per = m_granularity == u"hour" ? tr("per hour") : tr("per day");
    m_chart->setTitle(scope() == Scope::Models ? tr("%1 %2 by model, %3").arg(what, per, period.toLower())
                                               : tr("%1 %2, %3").arg(what, per, period.toLower()));
    m_chart->setTitleBrush(text);
}

QString UsagePage::csvHeader()
{
    // Column names for programs reading the file, so they stay the same in every language.
    return u"bucket,start_utc,requests,input_tokens,output_tokens,cache_write_tokens,cache_read_tokens,cost_usd"_s;
}

void UsagePage::exportCsv()
{
    if (isExporting())
        return;
    if (m_model->rowCount() == 0) {
        m_messages->showMessage(MessageBar::Kind::Information, tr("There is nothing to export yet."));
        return;
    }
    if (!m_nextExportPath.isEmpty()) {
        const QString path = m_nextExportPath;
        m_nextExportPath.clear();
        startExport(path);
        return;
    }
    auto *dialog = new QFileDialog(this, tr("Export usage as CSV"));
    dialog->setObjectName(u"usageExportDialog"_s);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(u"csv"_s);
    dialog->setNameFilter(tr("CSV files (*.csv)"));
    dialog->selectFile(u"relaydeck-usage-%1.csv"_s.arg(QDate::currentDate().toString(Qt::ISODate)));
    connect(dialog, &QFileDialog::fileSelected, this, &UsagePage::startExport);
    dialog->open();
}

void UsagePage::startExport(const QString &path)
{
    if (isExporting())
        return;
    // The rows as shown (sorted as the table is), fixed now so a refresh during the export changes nothing.
    m_exportRows.clear();
    for (int row = 0; row < m_proxy->rowCount(); ++row)
        m_exportRows.append(m_model->rowObject(m_proxy->mapToSource(m_proxy->index(row, 0)).row()));
    m_exportFile = std::make_unique<QSaveFile>(path);
    if (!m_exportFile->open(QIODevice::WriteOnly | QIODevice::Text)) {
        endExport(false, m_exportFile->errorString());
        return;
    }
    m_exportFile->write(csvHeader().toUtf8() + '\n');
    m_exportIndex = 0;
    m_exportAction->setEnabled(false);
    m_messages->showBusy(tr("Exporting %1 rows…").arg(m_exportRows.size()));
    m_exportTimer.start();
}

void UsagePage::writeExportSlice()
{
    QByteArray chunk;
    const qsizetype end = std::min(m_exportRows.size(), m_exportIndex + ExportRowsPerSlice);
    for (; m_exportIndex < end; ++m_exportIndex) {
        const QJsonObject &row = m_exportRows.at(m_exportIndex);
        const QString start = QDateTime::fromMSecsSinceEpoch(row.value(u"start_at"_s).toInteger(), QTimeZone::utc())
                                  .toString(Qt::ISODate);
        QStringList fields{row.value(u"bucket"_s).toString(), start};
        for (const QString &field :
             {u"requests"_s, u"input_tokens"_s, u"output_tokens"_s, u"cache_write_tokens"_s, u"cache_read_tokens"_s})
            fields.append(QString::number(row.value(field).toInteger()));
        fields.append(plainUsd(row.value(u"cost_nanos"_s).toInteger()));
        chunk += fields.join(u',').toUtf8() + '\n';
    }
    if (m_exportFile->write(chunk) != chunk.size())
        return endExport(false, m_exportFile->errorString());
    if (m_exportIndex < m_exportRows.size()) {
        m_messages->showBusy(tr("Exporting… %1 of %2 rows").arg(m_exportIndex).arg(m_exportRows.size()));
        return;
    }
    if (!m_exportFile->commit())
        return endExport(false, m_exportFile->errorString());
    endExport(true, {});
}

void UsagePage::endExport(bool ok, const QString &error)
{
    m_exportTimer.stop();
    const QString path = m_exportFile ? m_exportFile->fileName() : QString();
    if (!ok && m_exportFile)
        m_exportFile->cancelWriting();
    m_exportFile.reset();
    const qsizetype rows = m_exportRows.size();
    m_exportRows.clear();
    m_exportAction->setEnabled(true);
    if (ok)
        m_messages->showSuccess(tr("Exported %1 rows to %2").arg(rows).arg(path));
    else
        m_messages->showError(tr("Could not export to %1: %2").arg(path, error));
    Q_EMIT exportFinished(ok, path);
}

} // namespace Console
