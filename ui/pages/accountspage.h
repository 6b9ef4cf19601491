// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/page.h"

#include <QJsonObject>
#include <QPointer>
#include <QSet>
#include <QTimer>

class QAction;
class QComboBox;
class QFrame;
class QLabel;
class QMessageBox;
class QSortFilterProxyModel;
class QTableView;
class QToolBar;
class QToolButton;

namespace Console {

class JsonTableModel;
class MessageBar;
struct AdminReply;

// The upstream accounts: a table with each account's state (active, cooling with the time left, unauthorized,
// blocked, disabled) and why, priority, requests in flight, last use and today's cost of quota accounts, refreshed
// every few seconds while shown. Accounts are added and edited in AccountDialog, tested with one tiny request
// (the outcome in a result panel), enabled, disabled, reset and deleted (after a confirmation).
class AccountsPage : public Page
{
    Q_OBJECT
public:
    explicit AccountsPage(AdminClient *client, QWidget *parent = nullptr);
    ~AccountsPage() override;

    QString title() const override { return tr("Accounts"); }
    QString iconName() const override { return QStringLiteral("accounts"); }

    void activate() override;
    void deactivate() override;
    void reset() override;

    // Polling interval while the page is shown.
    static constexpr int RefreshIntervalMs = 5000;

protected:
    void retranslate() override;

private:
    void createActions();
    void setUpModel();
    void load();
    void applyList(const AdminReply &reply);
    void updateActions();
    void updateEmptyState();
    QJsonObject selectedAccount() const;
    void selectAccount(const QString &id);
    void saveHeader();

    void addAccount();
    void editAccount();
    void openDialog(const QJsonObject &account);
    void testAccount();
    void setEnabled(bool enabled);
    void resetAccount();
    void confirmDelete();
    void deleteAccount(const QString &id, const QString &name);
    // POST /admin/accounts/{id}/<verb> answering the account; the row is replaced and the list loaded again.
    void runAction(const QJsonObject &account, const QString &verb, const QString &busy, const QString &done);
    void showTestResult(const QString &name, const AdminReply &reply);

    QString stateText(const QJsonObject &row) const;
    QString reasonText(const QJsonObject &row) const;

    MessageBar *m_messages;
    QToolBar *m_toolBar;
    QLabel *m_filterLabel;
    QComboBox *m_statusFilter;
    QLabel *m_countLabel;
    QLabel *m_emptyLabel;
    QTableView *m_view;
    JsonTableModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QFrame *m_testPanel;
    QLabel *m_testIcon;
    QLabel *m_testResult;
    QToolButton *m_testClose;
    QTimer m_refreshTimer;

    QAction *m_addAction = nullptr;
    QAction *m_editAction = nullptr;
    QAction *m_testAction = nullptr;
    QAction *m_enableAction = nullptr;
    QAction *m_disableAction = nullptr;
    QAction *m_resetAction = nullptr;
    QAction *m_deleteAction = nullptr;
    QAction *m_refreshAction = nullptr;

    QPointer<QMessageBox> m_deleteBox;
    QSet<QString> m_testing; // ids of accounts whose test runs
    QString m_selectedId;    // kept across reloads
    qint64 m_total = 0;
    bool m_loading = false;
    bool m_applying = false;
    bool m_reloadPending = false;
    bool m_loaded = false;
    bool m_loadFailed = false;
};

} // namespace Console
