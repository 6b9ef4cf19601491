// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/page.h"

#include <QJsonObject>
#include <QList>
#include <QTimer>

#include "ui/widgets/waterfallwidget.h"

class QAction;
class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSortFilterProxyModel;
class QSpinBox;
class QSplitter;
class QStackedWidget;
class QTableView;
class QToolButton;

namespace Console {

class JsonTableModel;
class MessageBar;

// The Requests page: the relay's last per-request timing records (GET /admin/requests), filtered by status class,
// minimum duration, key and account, refreshed every 2 s while shown (the selection stays on the same request),
// and a waterfall of the selected request's stages.
class RequestsPage : public Page
{
    Q_OBJECT
public:
    static constexpr int RowLimit = 200;
    static constexpr int RefreshIntervalMs = 2000;

    explicit RequestsPage(AdminClient *client, QWidget *parent = nullptr);
    ~RequestsPage() override;

    QString title() const override { return tr("Requests"); }
    QString iconName() const override { return QStringLiteral("requests"); }

    void activate() override;
    void deactivate() override;
    void reset() override;

    // The stages of a record (its timings_us) as waterfall bars; stages that did not happen are left out.
    static QList<WaterfallWidget::Stage> stagesOf(const QJsonObject &record);

    // The id of the selected request, or empty.
    QString selectedId() const { return m_selectedId; }

public Q_SLOTS:
    void refresh();

Q_SIGNALS:
    // A list answer was shown (tests wait for it).
    void refreshed();

protected:
    void retranslate() override;

private:
    void scheduleFilterRefresh();
    void showRows(const QJsonArray &rows, qint64 total);
    void restoreSelection();
    void onSelectionChanged();
    void showRecord(const QJsonObject &record);
    void updateTimer();
    bool hasFilters() const;

    MessageBar *m_messages;
    QLabel *m_statusLabel;
    QComboBox *m_status;
    QLabel *m_minDurationLabel;
    QSpinBox *m_minDuration;
    QLineEdit *m_keyId;
    QLineEdit *m_accountId;
    QCheckBox *m_autoRefresh;
    QToolButton *m_refreshButton;
    QAction *m_refreshAction;
    QLabel *m_countLabel;
    QSplitter *m_splitter;
    QStackedWidget *m_tableStack;
    QLabel *m_empty;
    QTableView *m_table;
    JsonTableModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QLabel *m_detail;
    WaterfallWidget *m_waterfall;

    QTimer m_timer;
    QTimer m_filterDelay;
    QString m_selectedId;
    QJsonObject m_selectedRecord;
    qint64 m_total = 0;
    bool m_loading = false;
    bool m_loadedOnce = false;
    bool m_restoringSelection = false;
};

} // namespace Console
