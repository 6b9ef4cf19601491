// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/page.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QTimer>

#include <memory>

class QAction;
class QChart;
class QChartView;
class QComboBox;
class QFrame;
class QLabel;
class QSaveFile;
class QSortFilterProxyModel;
class QSplitter;
class QTableView;
class QToolButton;

namespace Console {

class JsonTableModel;
class MessageBar;

// The Usage page: what the relay, one key or one account used, per hour (last 24 or 48 h) or per day (last 7 or 30
// days), from the usage counters (GET /admin/usage/summary, /trend, /top): tiles for today and the last 7 and 30
// days, a stacked bar chart of cost, requests or tokens per bucket (per model for days "by model"), the buckets as a
// sortable table, the top keys, accounts or models, and the shown buckets exported as CSV (Ctrl+E) in small slices
// so the window never stalls.
class UsagePage : public Page
{
    Q_OBJECT
public:
    enum class Scope { Relay, Key, Account, Models };
    enum class Range { Hours24, Hours48, Days7, Days30 };
    enum class Metric { Cost, Requests, Tokens };

    static constexpr int ExportRowsPerSlice = 200;
    static constexpr int RefreshIntervalMs = 30000;
    static constexpr int TopRows = 20;
    static constexpr int ChartModels = 8; // more models are summed as "other"

    explicit UsagePage(AdminClient *client, QWidget *parent = nullptr);
    ~UsagePage() override;

    QString title() const override { return tr("Usage"); }
    QString iconName() const override { return QStringLiteral("usage"); }

    void activate() override;
    void deactivate() override;
    void reset() override;

    // The next export writes here without asking (tests, and a "save again" later); cleared once used.
    void setNextExportPath(const QString &path) { m_nextExportPath = path; }
    bool isExporting() const { return m_exportFile != nullptr; }
    // The CSV header the export writes (machine-readable names, not translated).
    static QString csvHeader();

public Q_SLOTS:
    void refresh();
    // Asks for a file (non-modal dialog) and writes the bucket table as shown, in its current order.
    void exportCsv();

Q_SIGNALS:
    // Summary, trend and top answers are all shown.
    void refreshed();
    void exportFinished(bool ok, const QString &path);

protected:
    void retranslate() override;
    void changeEvent(QEvent *event) override;

private:
    struct Tile
    {
        QFrame *frame = nullptr;
        QLabel *title = nullptr;
        QLabel *cost = nullptr;
        QList<QLabel *> names;  // requests, input, output, cache write, cache read
        QList<QLabel *> values; // same order
    };

    Scope scope() const;
    Range range() const;
    Metric metric() const;
    bool showsTop() const;
    void buildTile(Tile &tile, const QString &prefix);
    void fillTile(Tile &tile, const QJsonObject &counters);
    void onScopeChanged();
    void loadEntities();
    void updateRangeChoices();
    void finishOne(quint64 generation);
    void rebuildChart();
    void updateTopTitle();
    void applyChartTheme();
    void startExport(const QString &path);
    void writeExportSlice();
    void endExport(bool ok, const QString &error);

    MessageBar *m_messages;
    QLabel *m_scopeLabel;
    QComboBox *m_scope;
    QComboBox *m_entity;
    QLabel *m_rangeLabel;
    QComboBox *m_range;
    QLabel *m_metricLabel;
    QComboBox *m_metric;
    QAction *m_refreshAction;
    QAction *m_exportAction;
    QToolButton *m_refreshButton;
    QToolButton *m_exportButton;
    Tile m_today;
    Tile m_week;
    Tile m_month;
    QChart *m_chart;
    QChartView *m_chartView;
    QSplitter *m_splitter;
    QSplitter *m_tables;
    QTableView *m_table;
    JsonTableModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QWidget *m_topBox;
    QLabel *m_topTitle;
    QComboBox *m_topDimension;
    QTableView *m_topTable;
    JsonTableModel *m_topModel;
    QSortFilterProxyModel *m_topProxy;

    QTimer m_timer;
    QJsonArray m_points;
    QString m_granularity;   // of m_points: "hour" or "day"
    QString m_pendingEntity; // an id to select once the entity list is loaded
    quint64 m_generation = 0;
    int m_pending = 0;
    bool m_loadingEntities = false;
    bool m_refreshFailed = false;

    QString m_nextExportPath;
    std::unique_ptr<QSaveFile> m_exportFile;
    QList<QJsonObject> m_exportRows;
    qsizetype m_exportIndex = 0;
    QTimer m_exportTimer;
};

} // namespace Console
