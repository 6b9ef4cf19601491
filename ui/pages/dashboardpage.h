// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/eventstream.h"
#include "ui/page.h"
#include "ui/pages/dashboardhistory.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QTimer>

#include <array>

class QAction;
class QButtonGroup;
class QComboBox;
class QLabel;
class QLineSeries;
class QTableView;
class QToolButton;

namespace Console {

class DashboardChart;
class DashboardTile;
class JsonTableModel;
class MessageBar;

// What the operator sees first: tiles (active streams, requests per second now, today's requests, tokens and
// cost), a chart of requests and errors per second, a chart of p50/p95/p99 latency (total, upstream first byte
// or relay overhead) over the last 5, 15 or 60 minutes, and the accounts' health with cooldown countdowns and
// today's cost (from the usage records, so every account has one, not only those with a daily quota).
// On activation the history is loaded once, then the live stream (one snapshot a second) extends it; each
// second every series gets one replace() with at most DashboardHistory::MaxBuckets points.
class DashboardPage : public Page
{
    Q_OBJECT
public:
    explicit DashboardPage(AdminClient *client, QWidget *parent = nullptr);
    ~DashboardPage() override;

    QString title() const override { return tr("Dashboard"); }
    QString iconName() const override { return QStringLiteral("dashboard"); }

    void activate() override;
    void deactivate() override;
    void reset() override;

protected:
    void retranslate() override;

private:
    enum class LatencyKind { Total, FirstByte, Overhead };

    void buildCharts();
    void buildAccountsTable();
    void refresh();
    void loadHistory();
    void loadSummary();
    void loadAccounts();
    void loadAccountCosts();
    void setHistoryBusy(bool busy);
    void openStream();
    void closeStream();
    void onSnapshot(const QJsonObject &snapshot);
    void setWindowIndex(int index);
    void updateCharts();
    void updateLatencySeries();
    void updateLiveState();
    void updateTiles();
    void updateAccountRows();
    QString healthText(const QJsonObject &row) const;
    QString healthName(const QString &health) const;
    qint64 windowMs() const;
    double maxPointStepMs() const;

    MessageBar *m_messages;
    QLabel *m_windowLabel;
    QButtonGroup *m_windowGroup;
    std::array<QToolButton *, 3> m_windowButtons{};
    QLabel *m_liveState;
    QToolButton *m_refreshButton;
    QAction *m_refreshAction;

    DashboardTile *m_activeStreamsTile;
    DashboardTile *m_requestsNowTile;
    DashboardTile *m_requestsTodayTile;
    DashboardTile *m_tokensTodayTile;
    DashboardTile *m_costTodayTile;

    QLabel *m_trafficTitle;
    DashboardChart *m_trafficChart;
    QLineSeries *m_requestsSeries = nullptr;
    QLineSeries *m_errorsSeries = nullptr;
    QLineSeries *m_serverErrorsSeries = nullptr;
    QLabel *m_latencyTitle;
    QComboBox *m_latencyKind;
    DashboardChart *m_latencyChart;
    std::array<QLineSeries *, 3> m_latencySeries{};

    QLabel *m_accountsTitle;
    QTableView *m_accountsView;
    JsonTableModel *m_accountsModel;

    QPointer<EventStream> m_stream;
    QTimer m_pollTimer;  // today's usage and the account list
    QTimer m_clockTimer; // cooldown countdowns between snapshots

    DashboardHistory m_history;
    int m_windowIndex = 0;
    int m_historyGeneration = 0;
    bool m_historyLoading = false;
    bool m_historyFailed = false;
    QList<QJsonObject> m_pendingSnapshots; // live snapshots that arrive while the history loads
    QJsonObject m_snapshot;
    QJsonObject m_summary;
    QJsonArray m_liveAccounts;
    QHash<QString, QJsonObject> m_accountDetails; // GET /admin/accounts by id
    bool m_summaryLoading = false;
    bool m_accountsLoading = false;
    QHash<QString, double> m_accountCosts; // today's cost in USD by account id (GET /admin/usage/top)
    bool m_accountCostsLoaded = false;
    bool m_accountCostsLoading = false;
    qint64 m_lastSummaryMs = 0;
};

} // namespace Console
