// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/page.h"

#include <QJsonObject>
#include <QTimer>

class QCheckBox;
class QChartView;
class QComboBox;
class QGroupBox;
class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QSpinBox;
class QTabWidget;
class QTableView;

namespace Console {

class JsonTableModel;
class MessageBar;

// The Redis page: what the relay's Redis is doing and what it holds. Four tabs, each loaded when shown:
// Slow log (SLOWLOG entries refreshed every 2 s while visible, reset, the threshold edited with CONFIG SET through
// the admin API), Commands (INFO commandstats sortable by calls or time, with a bar chart of the top ten), Server
// (an INFO summary and LATENCY LATEST) and Memory (memory by key prefix, estimated by the relay from a bounded
// sample).
class RedisPage : public Page
{
    Q_OBJECT
public:
    enum class Tab { Slowlog, Commands, Server, Memory };

    explicit RedisPage(AdminClient *client, QWidget *parent = nullptr);
    ~RedisPage() override;

    QString title() const override { return tr("Redis"); }
    QString iconName() const override { return QStringLiteral("redis"); }

    void activate() override;
    void deactivate() override;
    void reset() override;

    void showTab(Tab tab);
    // Loads the visible tab again (F5).
    void refresh();

protected:
    void retranslate() override;

private:
    QWidget *createSlowlogTab();
    QWidget *createCommandsTab();
    QWidget *createServerTab();
    QWidget *createMemoryTab();
    Tab currentTab() const;
    void updateTimer();
    void setLoading(int delta);
    void showLoadError(const QString &text);
    void clearLoadError();

    void loadSlowlog();
    void loadSlowlogConfig();
    void applySlowlogConfig();
    void confirmSlowlogReset();
    void resetSlowlog();
    void updateThresholdHint();
    void updateSlowlogSummary();

    void loadCommands();
    void applyCommandSort();
    void updateCommandChart();

    void loadServer();
    void showServerInfo();

    void loadMemory();
    void updateMemorySummary();
    void updateMemoryChart();

    void saveHeaders() const;

    MessageBar *m_messages;
    QTabWidget *m_tabs;
    QPushButton *m_refresh;
    QTimer m_slowlogTimer;
    int m_loading = 0;
    bool m_loadErrorShown = false;

    // Slow log
    JsonTableModel *m_slowlogModel;
    QSortFilterProxyModel *m_slowlogProxy;
    QTableView *m_slowlogTable = nullptr;
    QLabel *m_slowlogSummary = nullptr;
    QCheckBox *m_autoRefresh = nullptr;
    QPushButton *m_resetSlowlog = nullptr;
    QGroupBox *m_slowlogSettings = nullptr;
    QLabel *m_thresholdLabel = nullptr;
    QSpinBox *m_threshold = nullptr;
    QLabel *m_thresholdHint = nullptr;
    QLabel *m_maxLengthLabel = nullptr;
    QSpinBox *m_maxLength = nullptr;
    QPushButton *m_applySettings = nullptr;
    QLabel *m_settingsError = nullptr;
    qint64 m_slowlogLength = -1;
    bool m_slowlogPending = false;
    bool m_slowlogConfigLoaded = false;

    // Commands
    JsonTableModel *m_commandModel;
    QSortFilterProxyModel *m_commandProxy;
    QTableView *m_commandTable = nullptr;
    QLabel *m_commandSortLabel = nullptr;
    QComboBox *m_commandSort = nullptr;
    QChartView *m_commandChart = nullptr;

    // Server
    QGroupBox *m_infoGroup = nullptr;
    QList<QLabel *> m_infoNames;
    QList<QLabel *> m_infoValues;
    QGroupBox *m_latencyGroup = nullptr;
    JsonTableModel *m_latencyModel;
    QTableView *m_latencyTable = nullptr;
    QLabel *m_latencyEmpty = nullptr;
    QJsonObject m_info;
    qint64 m_dbKeys = -1;

    // Memory
    JsonTableModel *m_memoryModel;
    QSortFilterProxyModel *m_memoryProxy;
    QTableView *m_memoryTable = nullptr;
    QLabel *m_memorySummary = nullptr;
    QChartView *m_memoryChart = nullptr;
    QJsonObject m_memory;
    bool m_memoryPending = false;
};

} // namespace Console
