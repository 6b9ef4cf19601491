// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/accountspage.h"

#include "ui/adminclient.h"
#include "ui/format.h"
#include "ui/icons.h"
#include "ui/jsontablemodel.h"
#include "ui/pages/accountdialog.h"
#include "ui/widgets/messagebar.h"

#include <QAction>
#include <QBrush>
#include <QColor>
#include <QComboBox>
#include <QDateTime>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Console {

namespace {

// The list route answers at most this many accounts per page; a relay has far fewer.
constexpr int ListLimit = 500;
constexpr int TestTimeoutMs = 15000;

enum Column {
    NameColumn,
    TypeColumn,
    StateColumn,
    ReasonColumn,
    PriorityColumn,
    InFlightColumn,
    LastUsedColumn,
    CostColumn,
    BaseUrlColumn
};

const QString HeaderSettingsKey = u"accountsPage/header"_s;

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QString healthOf(const QJsonObject &row)
{
    return row.value(u"health"_s).toObject().value(u"status"_s).toString();
}

QColor stateColor(const QJsonObject &row)
{
    if (!row.value(u"enabled"_s).toBool(true))
        return QColor(0x80, 0x80, 0x80);
    const QString health = healthOf(row);
    if (health == u"active")
        return QColor(0x2e, 0x7d, 0x32);
    if (health == u"cooling" || health == u"half_open")
        return QColor(0xb2, 0x6a, 0x00);
    return QColor(0xc6, 0x28, 0x28);
}

} // namespace

AccountsPage::AccountsPage(AdminClient *client, QWidget *parent)
    : Page(client, parent)
    , m_messages(new MessageBar(this))
    , m_toolBar(new QToolBar(this))
    , m_filterLabel(new QLabel(this))
    , m_statusFilter(new QComboBox(this))
    , m_countLabel(new QLabel(this))
    , m_emptyLabel(new QLabel(this))
    , m_view(new QTableView(this))
    , m_model(new JsonTableModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_testPanel(new QFrame(this))
    , m_testIcon(new QLabel(m_testPanel))
    , m_testResult(new QLabel(m_testPanel))
    , m_testClose(new QToolButton(m_testPanel))
{
    setObjectName(QStringLiteral("accountsPage"));
    m_toolBar->setObjectName(u"accountsToolBar"_s);
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toolBar->setIconSize(QSize(18, 18));
    createActions();

    m_statusFilter->setObjectName(u"statusFilter"_s);
    for (const QString &state :
         {QString(), u"active"_s, u"cooling"_s, u"half_open"_s, u"unauthorized"_s, u"blocked"_s, u"disabled"_s})
        m_statusFilter->addItem(QString(), state);
    m_filterLabel->setBuddy(m_statusFilter);
    m_countLabel->setObjectName(u"accountCount"_s);
    m_emptyLabel->setObjectName(u"emptyState"_s);
    m_emptyLabel->setAlignment(Qt::AlignCenter);
    m_emptyLabel->setWordWrap(true);
    m_emptyLabel->setStyleSheet(u"color:palette(mid);padding:24px;"_s);
    m_emptyLabel->hide();

    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(m_filterLabel);
    filterRow->addWidget(m_statusFilter);
    filterRow->addStretch(1);
    filterRow->addWidget(m_countLabel);

    setUpModel();
    m_view->setObjectName(u"accountsTable"_s);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(PriorityColumn, Qt::AscendingOrder);
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setWordWrap(false);
    m_view->setTextElideMode(Qt::ElideMiddle); // URLs differ at their ends
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionsMovable(true);
    m_view->setContextMenuPolicy(Qt::ActionsContextMenu);
    for (QAction *action : {m_editAction, m_testAction, m_enableAction, m_disableAction, m_resetAction, m_deleteAction})
        m_view->addAction(action);
    const int widths[] = {150, 70, 165, 185, 75, 70, 85, 125};
    for (int column = 0; column < int(std::size(widths)); ++column)
        m_view->setColumnWidth(column, widths[column]);
    const QByteArray header = QSettings().value(HeaderSettingsKey).toByteArray();
    if (!header.isEmpty())
        m_view->horizontalHeader()->restoreState(header);

    m_testPanel->setObjectName(u"testResultPanel"_s);
    m_testPanel->setFrameShape(QFrame::StyledPanel);
    m_testResult->setObjectName(u"testResult"_s);
    m_testResult->setWordWrap(true);
    m_testResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_testClose->setIcon(icon(u"close"_s));
    m_testClose->setAutoRaise(true);
    auto *testLayout = new QHBoxLayout(m_testPanel);
    testLayout->setContentsMargins(8, 6, 4, 6);
    testLayout->addWidget(m_testIcon, 0, Qt::AlignTop);
    testLayout->addWidget(m_testResult, 1);
    testLayout->addWidget(m_testClose, 0, Qt::AlignTop);
    m_testPanel->hide();

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_toolBar);
    layout->addWidget(m_messages);
    layout->addLayout(filterRow);
    layout->addWidget(m_emptyLabel);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_testPanel);

    setTabOrder(m_statusFilter, m_view);

    m_refreshTimer.setInterval(RefreshIntervalMs);
    connect(&m_refreshTimer, &QTimer::timeout, this, [this] { load(); });
    connect(m_statusFilter, &QComboBox::currentIndexChanged, this, [this] {
        m_model->setRows({});
        load();
    });
    connect(m_view, &QTableView::doubleClicked, this, [this] { editAccount(); });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        const QJsonObject account = selectedAccount();
        // An empty selection after a reload's model reset is not the user's: keep the remembered id then.
        if (!account.isEmpty())
            m_selectedId = account.value(u"id"_s).toString();
        else if (!m_applying)
            m_selectedId.clear();
        updateActions();
    });
    connect(m_testClose, &QToolButton::clicked, m_testPanel, &QWidget::hide);

    retranslate();
    updateActions();
}

AccountsPage::~AccountsPage()
{
    saveHeader();
}

void AccountsPage::createActions()
{
    auto make = [this](const char *name, const QString &iconName, const QKeySequence &shortcut,
                       void (AccountsPage::*slot)()) {
        auto *action = new QAction(icon(iconName), QString(), this);
        action->setObjectName(QLatin1String(name));
        if (!shortcut.isEmpty()) {
            action->setShortcut(shortcut);
            // Only while this page has the focus: other pages use the same keys.
            action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        }
        if (slot)
            connect(action, &QAction::triggered, this, slot);
        addAction(action);
        m_toolBar->addAction(action);
        return action;
    };
    m_addAction = make("addAccountAction", u"add"_s, QKeySequence::New, &AccountsPage::addAccount);
    m_editAction = make("editAccountAction", u"edit"_s, QKeySequence(Qt::CTRL | Qt::Key_E), &AccountsPage::editAccount);
    m_toolBar->addSeparator();
    m_testAction = make("testAccountAction", u"test"_s, QKeySequence(Qt::CTRL | Qt::Key_T), &AccountsPage::testAccount);
    m_enableAction = make("enableAccountAction", u"enable"_s, {}, nullptr);
    m_disableAction = make("disableAccountAction", u"disable"_s, {}, nullptr);
    m_resetAction = make("resetAccountAction", u"reset"_s, {}, &AccountsPage::resetAccount);
    m_toolBar->addSeparator();
    m_deleteAction = make("deleteAccountAction", u"delete"_s, QKeySequence::Delete, &AccountsPage::confirmDelete);
    m_toolBar->addSeparator();
    m_refreshAction = make("refreshAccountsAction", u"refresh"_s, QKeySequence::Refresh, &AccountsPage::load);
    m_refreshAction->setShortcuts({QKeySequence(Qt::Key_F5), QKeySequence(Qt::CTRL | Qt::Key_R)});
    connect(m_enableAction, &QAction::triggered, this, [this] { setEnabled(true); });
    connect(m_disableAction, &QAction::triggered, this, [this] { setEnabled(false); });
}

void AccountsPage::setUpModel()
{
    using Col = JsonTableModel::Column;
    const auto right = Qt::AlignRight | Qt::AlignVCenter;
    const auto dash = QStringLiteral("—");
    m_model->setColumns({
        Col{u"name"_s},
        Col{u"type"_s, [](const QJsonValue &value,
                          const QJsonObject &) { return value.toString() == u"oauth" ? tr("OAuth") : tr("API key"); }},
        Col{u"health.status"_s, [this](const QJsonValue &, const QJsonObject &row) { return stateText(row); },
            Qt::AlignLeft | Qt::AlignVCenter,
            [](const QJsonValue &, const QJsonObject &row) { return QVariant(QBrush(stateColor(row))); }},
        Col{u"health.reason"_s, [this](const QJsonValue &, const QJsonObject &row) { return reasonText(row); }},
        Col{u"priority"_s, {}, right},
        Col{u"in_flight"_s,
            [dash](const QJsonValue &value, const QJsonObject &row) {
                const int max = row.value(u"max_concurrency"_s).toInt();
                if (max <= 0)
                    return value.isDouble() ? Format::integer(value.toInteger()) : dash;
                return u"%1 / %2"_s.arg(Format::integer(value.toInteger()), Format::integer(max));
            },
            right},
        Col{u"last_used_at"_s,
            [](const QJsonValue &value, const QJsonObject &) { return Format::ago(value.toInteger(), nowMs()); },
            right},
        Col{u"daily_cost_usd"_s,
            [dash](const QJsonValue &value, const QJsonObject &row) {
                const qint64 quota = row.value(u"daily_cost_quota_nanos"_s).toInteger();
                if (quota <= 0)
                    return dash;
                return tr("%1 of %2").arg(Format::usd(value.toDouble()), Format::usd(double(quota) / 1e9));
            },
            right},
        Col{u"base_url"_s},
    });
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(JsonTableModel::RawRole);
}

void AccountsPage::retranslate()
{
    m_addAction->setText(tr("&Add"));
    m_addAction->setToolTip(
        tr("Add an upstream account (%1)").arg(m_addAction->shortcut().toString(QKeySequence::NativeText)));
    m_editAction->setText(tr("&Edit"));
    m_editAction->setToolTip(tr("Edit the selected account (double-click a row)"));
    m_testAction->setText(tr("&Test"));
    m_testAction->setToolTip(tr("Send one tiny request through the selected account and report the outcome"));
    m_enableAction->setText(tr("E&nable"));
    m_enableAction->setToolTip(tr("Let the selected account take requests again"));
    m_disableAction->setText(tr("&Disable"));
    m_disableAction->setToolTip(tr("Stop sending requests to the selected account"));
    m_resetAction->setText(tr("&Reset state"));
    m_resetAction->setToolTip(
        tr("Put the account's health back to active and end its cooldowns (the only way out of unauthorized and "
           "blocked)"));
    m_deleteAction->setText(tr("De&lete"));
    m_deleteAction->setToolTip(tr("Delete the selected account (Del)"));
    m_refreshAction->setText(tr("Re&fresh"));
    m_refreshAction->setToolTip(tr("Load the accounts again (F5)"));

    m_filterLabel->setText(tr("&Show:"));
    const QStringList filters{tr("All accounts"), tr("Active"),  tr("Cooling"), tr("Half open"),
                              tr("Unauthorized"), tr("Blocked"), tr("Disabled")};
    for (int i = 0; i < filters.size() && i < m_statusFilter->count(); ++i)
        m_statusFilter->setItemText(i, filters.at(i));
    m_statusFilter->setAccessibleName(tr("Show accounts in state"));
    m_view->setAccessibleName(tr("Upstream accounts"));
    m_testResult->setAccessibleName(tr("Test result"));
    m_testClose->setAccessibleName(tr("Close test result"));
    m_testClose->setToolTip(tr("Close"));

    m_model->setTitles({tr("Name"), tr("Type"), tr("State"), tr("Reason"), tr("Priority"), tr("In flight"),
                        tr("Last used"), tr("Cost today"), tr("Base URL")});
    if (m_model->rowCount() > 0)
        m_model->setRows(m_model->rows()); // the cells are formatted (and translated) when shown
    updateEmptyState();
}

void AccountsPage::activate()
{
    load();
    m_refreshTimer.start();
}

void AccountsPage::deactivate()
{
    m_refreshTimer.stop();
    saveHeader();
}

void AccountsPage::reset()
{
    m_model->setRows({});
    m_selectedId.clear();
    m_testing.clear();
    m_loaded = false;
    m_testPanel->hide();
    m_messages->clear();
    updateActions();
    if (isActive())
        load();
}

void AccountsPage::saveHeader()
{
    QSettings().setValue(HeaderSettingsKey, m_view->horizontalHeader()->saveState());
}

void AccountsPage::load()
{
    if (m_loading) {
        m_reloadPending = true;
        return;
    }
    m_loading = true;
    m_reloadPending = false;
    if (!m_loaded)
        m_messages->showBusy(tr("Loading accounts…"));
    QUrlQuery query{{u"limit"_s, QString::number(ListLimit)}};
    const QString state = m_statusFilter->currentData().toString();
    if (!state.isEmpty() && state != u"disabled")
        query.addQueryItem(u"status"_s, state);
    client()->get(u"/admin/accounts"_s, query, this, [this](const AdminReply &reply) {
        m_loading = false;
        applyList(reply);
        if (m_reloadPending)
            load();
    });
}

void AccountsPage::applyList(const AdminReply &reply)
{
    if (!reply.ok()) {
        m_loadFailed = true;
        m_messages->showError(tr("Cannot load the accounts: %1").arg(reply.errorText()));
        return;
    }
    if (m_loadFailed || !m_loaded) {
        if (m_messages->kind() == MessageBar::Kind::Error || m_messages->kind() == MessageBar::Kind::Busy)
            m_messages->clear();
    }
    m_loadFailed = false;
    m_loaded = true;

    // Disabled accounts keep their health: the filter shows them under "Disabled" only.
    const QString state = m_statusFilter->currentData().toString();
    QJsonArray rows;
    for (const QJsonValue &item : reply.items()) {
        const bool enabled = item.toObject().value(u"enabled"_s).toBool(true);
        if (state.isEmpty() || (state == u"disabled" ? !enabled : enabled))
            rows.append(item);
    }
    m_total = rows.size();
    const QString keep = m_selectedId;
    m_applying = true; // selection signals during the swap are not the user's
    m_model->setRows(rows);
    m_applying = false;
    m_selectedId = keep;
    selectAccount(keep);
    if (reply.total() > reply.items().size())
        m_countLabel->setText(tr("%1 accounts (first %2 shown)").arg(reply.total()).arg(reply.items().size()));
    else
        m_countLabel->setText(tr("%n account(s)", nullptr, int(m_total)));
    updateEmptyState();
    updateActions();
}

void AccountsPage::selectAccount(const QString &id)
{
    if (id.isEmpty())
        return;
    const int row = m_model->findRow(u"id"_s, id);
    if (row < 0)
        return;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    if (m_view->selectionModel()->isRowSelected(index.row(), {}))
        return;
    m_view->selectionModel()->select(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_view->selectionModel()->setCurrentIndex(index, QItemSelectionModel::NoUpdate);
}

void AccountsPage::updateEmptyState()
{
    const bool empty = m_loaded && m_model->rowCount() == 0;
    if (empty) {
        m_emptyLabel->setText(m_statusFilter->currentIndex() <= 0
                                  ? tr("No upstream accounts yet. Add an Anthropic API key or a Claude OAuth token "
                                       "with Add (%1); clients' requests are relayed through them.")
                                        .arg(m_addAction->shortcut().toString(QKeySequence::NativeText))
                                  : tr("No account is in the state “%1”.").arg(m_statusFilter->currentText()));
    }
    m_emptyLabel->setVisible(empty);
}

QJsonObject AccountsPage::selectedAccount() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return {};
    return m_model->rowObject(m_proxy->mapToSource(rows.first()).row());
}

void AccountsPage::updateActions()
{
    const QJsonObject account = selectedAccount();
    const bool selected = !account.isEmpty();
    const bool enabled = account.value(u"enabled"_s).toBool(true);
    const bool testing = m_testing.contains(account.value(u"id"_s).toString());
    m_editAction->setEnabled(selected);
    m_testAction->setEnabled(selected && !testing);
    m_enableAction->setEnabled(selected && !enabled);
    m_disableAction->setEnabled(selected && enabled);
    m_resetAction->setEnabled(selected);
    m_deleteAction->setEnabled(selected);
}

QString AccountsPage::stateText(const QJsonObject &row) const
{
    QString text;
    const QJsonObject health = row.value(u"health"_s).toObject();
    const QString status = health.value(u"status"_s).toString();
    if (!row.value(u"enabled"_s).toBool(true)) {
        text = tr("Disabled");
    } else if (status == u"active") {
        text = tr("Active");
    } else if (status == u"cooling") {
        const qint64 left = health.value(u"until"_s).toInteger() - nowMs();
        text = left > 0 ? tr("Cooling, %1 left").arg(Format::seconds((left + 999) / 1000)) : tr("Cooling");
    } else if (status == u"half_open") {
        text = tr("Half open (probing)");
    } else if (status == u"unauthorized") {
        text = tr("Unauthorized");
    } else if (status == u"blocked") {
        text = tr("Blocked");
    } else {
        text = status;
    }
    if (!row.value(u"schedulable"_s).toBool(true))
        text = tr("%1, not schedulable").arg(text);
    if (m_testing.contains(row.value(u"id"_s).toString()))
        text = tr("%1 · testing…").arg(text);
    return text;
}

QString AccountsPage::reasonText(const QJsonObject &row) const
{
    QStringList parts;
    const QJsonObject health = row.value(u"health"_s).toObject();
    if (const QString reason = health.value(u"reason"_s).toString(); !reason.isEmpty())
        parts.append(reason);
    const QJsonObject families = health.value(u"family_cooldowns"_s).toObject();
    const qint64 now = nowMs();
    for (auto it = families.constBegin(); it != families.constEnd(); ++it) {
        const QJsonObject cooldown = it.value().toObject();
        const qint64 left = cooldown.value(u"until"_s).toInteger() - now;
        if (left <= 0)
            continue;
        parts.append(tr("%1 cooling, %2 left").arg(it.key(), Format::seconds((left + 999) / 1000)));
    }
    if (!row.value(u"secret_readable"_s).toBool(true))
        parts.append(tr("secret unreadable: %1").arg(row.value(u"secret_error"_s).toString()));
    return parts.join(u"; "_s);
}

void AccountsPage::addAccount()
{
    openDialog({});
}

void AccountsPage::editAccount()
{
    const QJsonObject account = selectedAccount();
    if (!account.isEmpty())
        openDialog(account);
}

void AccountsPage::openDialog(const QJsonObject &account)
{
    auto *dialog = new AccountDialog(client(), account, this);
    const bool editing = dialog->isEditing();
    connect(dialog, &AccountDialog::accountSaved, this, [this, editing](const QJsonObject &saved) {
        const QString name = saved.value(u"name"_s).toString();
        m_messages->showSuccess(editing ? tr("Account “%1” saved.").arg(name) : tr("Account “%1” added.").arg(name));
        m_selectedId = saved.value(u"id"_s).toString();
        load();
    });
    dialog->open();
}

void AccountsPage::testAccount()
{
    const QJsonObject account = selectedAccount();
    const QString id = account.value(u"id"_s).toString();
    if (id.isEmpty() || m_testing.contains(id))
        return;
    const QString name = account.value(u"name"_s).toString();
    m_testing.insert(id);
    m_model->setRows(m_model->rows()); // the state column shows "testing…"
    updateActions();
    m_messages->showBusy(tr("Testing “%1”…").arg(name));
    client()->post(u"/admin/accounts/%1/test"_s.arg(id), QJsonObject{{u"timeout_ms"_s, TestTimeoutMs}}, this,
                   [this, id, name](const AdminReply &reply) {
                       m_testing.remove(id);
                       m_model->setRows(m_model->rows());
                       updateActions();
                       if (m_messages->kind() == MessageBar::Kind::Busy)
                           m_messages->clear();
                       showTestResult(name, reply);
                   });
}

void AccountsPage::showTestResult(const QString &name, const AdminReply &reply)
{
    QString text;
    bool ok = false;
    if (!reply.ok()) {
        text = tr("Test of “%1” could not run: %2").arg(name, reply.errorText());
    } else {
        const QJsonObject result = reply.object();
        ok = result.value(u"ok"_s).toBool();
        const int status = result.value(u"status"_s).toInt();
        const QJsonValue latency = result.value(u"latency_ms"_s);
        const QJsonValue firstByte = result.value(u"first_byte_ms"_s);
        const QString latencyText = latency.isDouble() ? Format::milliseconds(latency.toDouble()) : u"—"_s;
        const QString firstByteText = firstByte.isDouble() ? Format::milliseconds(firstByte.toDouble()) : u"—"_s;
        if (ok) {
            const QJsonObject usage = result.value(u"usage"_s).toObject();
            text =
                tr("“%1” works: HTTP %2 in %3 (first byte after %4), model %5 answered with %6 output token(s).")
                    .arg(name, QString::number(status), latencyText, firstByteText, result.value(u"model"_s).toString(),
                         Format::integer(usage.value(u"output_tokens"_s).toInteger()));
        } else {
            QString error = result.value(u"error_message"_s).toString();
            const QString type = result.value(u"error_type"_s).toString();
            if (!type.isEmpty())
                error = error.isEmpty() ? type : u"%1 (%2)"_s.arg(error, type);
            text = status > 0
                       ? tr("“%1” failed: HTTP %2 after %3: %4").arg(name, QString::number(status), latencyText, error)
                       : tr("“%1” failed after %2: %3").arg(name, latencyText, error);
        }
    }
    m_testIcon->setPixmap(icon(ok ? u"ok"_s : u"error"_s).pixmap(16, 16));
    m_testPanel->setStyleSheet(ok ? u"#testResultPanel{background:#e8f5e9;border:1px solid #b7dfb9;border-radius:4px;}"
                                    "#testResultPanel QLabel{color:#1b5e20;}"_s
                                  : u"#testResultPanel{background:#fdecea;border:1px solid #f5c2c0;border-radius:4px;}"
                                    "#testResultPanel QLabel{color:#7f1d1d;}"_s);
    m_testResult->setText(text);
    m_testPanel->show();
}

void AccountsPage::setEnabled(bool enabled)
{
    const QJsonObject account = selectedAccount();
    if (account.isEmpty())
        return;
    const QString name = account.value(u"name"_s).toString();
    if (enabled)
        runAction(account, u"enable"_s, tr("Enabling “%1”…").arg(name), tr("“%1” enabled.").arg(name));
    else
        runAction(account, u"disable"_s, tr("Disabling “%1”…").arg(name), tr("“%1” disabled.").arg(name));
}

void AccountsPage::resetAccount()
{
    const QJsonObject account = selectedAccount();
    if (account.isEmpty())
        return;
    const QString name = account.value(u"name"_s).toString();
    runAction(account, u"reset"_s, tr("Resetting the state of “%1”…").arg(name),
              tr("The state of “%1” is back to active.").arg(name));
}

void AccountsPage::runAction(const QJsonObject &account, const QString &verb, const QString &busy, const QString &done)
{
    const QString id = account.value(u"id"_s).toString();
    m_messages->showBusy(busy);
    m_view->setCursor(Qt::BusyCursor);
    for (QAction *action : {m_enableAction, m_disableAction, m_resetAction, m_deleteAction})
        action->setEnabled(false);
    client()->post(u"/admin/accounts/%1/%2"_s.arg(id, verb), {}, this, [this, id, done](const AdminReply &reply) {
        m_view->unsetCursor();
        if (!reply.ok()) {
            m_messages->showError(reply.errorText());
            updateActions();
            return;
        }
        QJsonArray rows = m_model->rows();
        if (const int row = m_model->findRow(u"id"_s, id); row >= 0) {
            rows.replace(row, reply.object());
            m_model->setRows(rows);
        }
        m_messages->showSuccess(done);
        updateActions();
        load(); // the filter may no longer show it
    });
}

void AccountsPage::confirmDelete()
{
    const QJsonObject account = selectedAccount();
    if (account.isEmpty() || m_deleteBox)
        return;
    const QString id = account.value(u"id"_s).toString();
    const QString name = account.value(u"name"_s).toString();
    auto *box = new QMessageBox(QMessageBox::Question, tr("Delete account"), tr("Delete the account “%1”?").arg(name),
                                QMessageBox::Yes | QMessageBox::No, this);
    box->setObjectName(u"deleteConfirmation"_s);
    box->setInformativeText(
        tr("Its health state and group memberships are deleted with it; keys bound to it get no answers."));
    box->setDefaultButton(QMessageBox::No);
    box->button(QMessageBox::Yes)->setText(tr("Delete"));
    box->button(QMessageBox::No)->setText(tr("Keep"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::buttonClicked, this, [this, box, id, name](QAbstractButton *button) {
        if (box->standardButton(button) == QMessageBox::Yes)
            deleteAccount(id, name);
    });
    m_deleteBox = box;
    box->open();
}

void AccountsPage::deleteAccount(const QString &id, const QString &name)
{
    m_messages->showBusy(tr("Deleting “%1”…").arg(name));
    m_deleteAction->setEnabled(false);
    client()->remove(u"/admin/accounts/%1"_s.arg(id), this, [this, id, name](const AdminReply &reply) {
        if (!reply.ok() && reply.status != 404) {
            m_messages->showError(tr("Cannot delete “%1”: %2").arg(name, reply.errorText()));
            updateActions();
            return;
        }
        if (m_selectedId == id)
            m_selectedId.clear();
        m_messages->showSuccess(tr("Account “%1” deleted.").arg(name));
        load();
    });
}

} // namespace Console
