// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/keyspage.h"

#include "ui/adminclient.h"
#include "ui/format.h"
#include "ui/icons.h"
#include "ui/jsontablemodel.h"
#include "ui/pages/keydialog.h"
#include "ui/pages/newkeydialog.h"
#include "ui/widgets/messagebar.h"

#include <QAction>
#include <QColor>
#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QTableView>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Console {

namespace {

constexpr int SearchDelayMs = 300;
constexpr int RefreshIntervalMs = 30'000;
constexpr int MaxKnownTags = 200;
constexpr int MaxBindingChoices = 500;
const QString ColumnsSetting = u"keysPage/columns"_s;

enum Column { Name, Hint, Status, Tags, Limits, Binding, LastUsed, Created, Today };

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

KeysPage::KeysPage(AdminClient *client, QWidget *parent)
    : Page(client, parent)
    , m_messages(new MessageBar(this))
    , m_toolbar(new QToolBar(this))
    , m_statusLabel(new QLabel(this))
    , m_tagLabel(new QLabel(this))
    , m_sortLabel(new QLabel(this))
    , m_search(new QLineEdit(this))
    , m_status(new QComboBox(this))
    , m_tag(new QComboBox(this))
    , m_sort(new QComboBox(this))
    , m_model(new JsonTableModel(this))
    , m_view(new QTableView(this))
    , m_empty(new QLabel(this))
    , m_viewStack(new QStackedWidget(this))
    , m_previous(new QToolButton(this))
    , m_next(new QToolButton(this))
    , m_range(new QLabel(this))
    , m_searchTimer(new QTimer(this))
    , m_refreshTimer(new QTimer(this))
{
    setObjectName(u"keysPage"_s);
    buildToolbar();

    m_search->setObjectName(u"keySearch"_s);
    m_search->setClearButtonEnabled(true);
    m_search->addAction(icon(u"search"_s), QLineEdit::LeadingPosition);
    m_status->setObjectName(u"keyStatusFilter"_s);
    for (const QString &status : {QString(), u"active"_s, u"disabled"_s, u"expired"_s})
        m_status->addItem(QString(), status);
    m_tag->setObjectName(u"keyTagFilter"_s);
    m_tag->setEditable(true);
    m_tag->setInsertPolicy(QComboBox::NoInsert);
    m_tag->setMinimumContentsLength(12);
    m_tag->addItem(QString());
    m_sort->setObjectName(u"keySort"_s);
    for (const QString &sort : {u"last_used"_s, u"name"_s, u"created"_s})
        m_sort->addItem(QString(), sort);
    m_statusLabel->setBuddy(m_status);
    m_tagLabel->setBuddy(m_tag);
    m_sortLabel->setBuddy(m_sort);

    auto *filters = new QHBoxLayout;
    filters->addWidget(m_search, 3);
    filters->addSpacing(8);
    filters->addWidget(m_statusLabel);
    filters->addWidget(m_status);
    filters->addWidget(m_tagLabel);
    filters->addWidget(m_tag, 1);
    filters->addWidget(m_sortLabel);
    filters->addWidget(m_sort);

    m_model->setColumns({
        {u"name"_s},
        {u"hint"_s},
        {u"status"_s,
         [](const QJsonValue &value, const QJsonObject &) {
             const QString status = value.toString();
             return status == u"active"     ? tr("Active")
                    : status == u"disabled" ? tr("Disabled")
                    : status == u"expired"  ? tr("Expired")
                                            : status;
         },
         Qt::AlignLeft | Qt::AlignVCenter,
         [](const QJsonValue &value, const QJsonObject &) -> QVariant {
             const QString status = value.toString();
             if (status == u"active")
                 return QColor(0x15, 0x80, 0x3d);
             if (status == u"expired")
                 return QColor(0xb4, 0x53, 0x09);
             return QColor(0x6b, 0x72, 0x80);
         }},
        {u"tags"_s},
        {u"limits"_s, [this](const QJsonValue &, const QJsonObject &row) { return limitsSummary(row); }},
        {u"bound_account"_s, [this](const QJsonValue &, const QJsonObject &row) { return bindingText(row); }},
        {u"last_used_at"_s,
         [](const QJsonValue &value, const QJsonObject &) { return Format::ago(value.toInteger(), nowMs()); }},
        {u"created_at"_s,
         [](const QJsonValue &value, const QJsonObject &) { return Format::dateTime(value.toInteger()); }},
        {u"today.requests"_s,
         [](const QJsonValue &value, const QJsonObject &row) {
             if (value.isUndefined())
                 return u"–"_s;
             return tr("%1 req · %2")
                 .arg(Format::integer(value.toInteger()),
                      Format::usd(Format::value(row, u"today.cost_usd"_s).toDouble()));
         },
         Qt::AlignRight | Qt::AlignVCenter},
    });

    m_view->setObjectName(u"keysTable"_s);
    m_view->setModel(m_model);
    m_view->setAlternatingRowColors(true);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setHighlightSections(false);
    const QList<std::pair<int, int>> widths{{Name, 160},   {Hint, 105},    {Status, 65},   {Tags, 100},
                                            {Limits, 180}, {Binding, 130}, {LastUsed, 75}, {Created, 135}};
    for (const auto &[column, width] : widths)
        m_view->horizontalHeader()->resizeSection(column, width);
    m_view->horizontalHeader()->restoreState(QSettings().value(ColumnsSetting).toByteArray());

    m_empty->setObjectName(u"keysEmpty"_s);
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    m_empty->setStyleSheet(u"color:palette(placeholder-text);font-size:13pt;"_s);
    m_viewStack->addWidget(m_view);
    m_viewStack->addWidget(m_empty);

    m_previous->setObjectName(u"keysPrevious"_s);
    m_previous->setArrowType(Qt::LeftArrow);
    m_next->setObjectName(u"keysNext"_s);
    m_next->setArrowType(Qt::RightArrow);
    m_range->setObjectName(u"keysRange"_s);
    auto *pager = new QHBoxLayout;
    pager->addStretch(1);
    pager->addWidget(m_range);
    pager->addWidget(m_previous);
    pager->addWidget(m_next);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_toolbar);
    layout->addWidget(m_messages);
    layout->addLayout(filters);
    layout->addWidget(m_viewStack, 1);
    layout->addLayout(pager);

    setTabOrder(m_search, m_status);
    setTabOrder(m_status, m_tag);
    setTabOrder(m_tag, m_sort);
    setTabOrder(m_sort, m_view);
    setTabOrder(m_view, m_previous);
    setTabOrder(m_previous, m_next);

    m_searchTimer->setSingleShot(true);
    m_searchTimer->setInterval(SearchDelayMs);
    m_refreshTimer->setInterval(RefreshIntervalMs);
    connect(m_searchTimer, &QTimer::timeout, this, &KeysPage::filtersChanged);
    connect(m_refreshTimer, &QTimer::timeout, this, &KeysPage::loadPage);
    connect(m_search, &QLineEdit::textChanged, m_searchTimer, qOverload<>(&QTimer::start));
    connect(m_tag, &QComboBox::currentTextChanged, m_searchTimer, qOverload<>(&QTimer::start));
    connect(m_status, &QComboBox::currentIndexChanged, this, &KeysPage::filtersChanged);
    connect(m_sort, &QComboBox::currentIndexChanged, this, &KeysPage::filtersChanged);
    connect(m_previous, &QToolButton::clicked, this, [this] {
        m_offset = std::max<qint64>(0, m_offset - PageSize);
        loadPage();
    });
    connect(m_next, &QToolButton::clicked, this, [this] {
        if (m_offset + PageSize < m_total) {
            m_offset += PageSize;
            loadPage();
        }
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        m_selectedId = selectedId(); // updateRows() keeps it across reloads
        updateActions();
    });
    connect(m_view, &QTableView::doubleClicked, this, &KeysPage::editKey);

    retranslate();
    updatePager();
    updateActions();
}

KeysPage::~KeysPage()
{
    saveColumns();
}

void KeysPage::buildToolbar()
{
    m_toolbar->setObjectName(u"keysToolbar"_s);
    m_toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toolbar->setIconSize(QSize(18, 18));
    const auto make = [this](const QString &name, const QString &iconName, const QKeySequence &shortcut) {
        auto *action = new QAction(icon(iconName), QString(), this);
        action->setObjectName(name);
        action->setShortcut(shortcut);
        // Only while this page (not a dialog, not another page) has the focus.
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        addAction(action);
        return action;
    };
    m_newAction = make(u"newKeyAction"_s, u"add"_s, QKeySequence::New);
    m_editAction = make(u"editKeyAction"_s, u"edit"_s, QKeySequence(Qt::CTRL | Qt::Key_E));
    m_enableAction = make(u"enableKeyAction"_s, u"enable"_s, {});
    m_disableAction = make(u"disableKeyAction"_s, u"disable"_s, {});
    m_regenerateAction = make(u"regenerateKeyAction"_s, u"key-regenerate"_s, {});
    m_deleteAction = make(u"deleteKeyAction"_s, u"delete"_s, QKeySequence::Delete);
    m_refreshAction = make(u"refreshKeysAction"_s, u"refresh"_s, QKeySequence::Refresh);
    m_findAction = make(u"findKeyAction"_s, u"search"_s, QKeySequence::Find);
    m_refreshAction->setShortcuts({QKeySequence(Qt::Key_F5), QKeySequence(Qt::CTRL | Qt::Key_R)});

    m_toolbar->addAction(m_newAction);
    m_toolbar->addAction(m_editAction);
    m_toolbar->addAction(m_enableAction);
    m_toolbar->addAction(m_disableAction);
    m_toolbar->addAction(m_regenerateAction);
    m_toolbar->addAction(m_deleteAction);
    m_toolbar->addSeparator();
    m_toolbar->addAction(m_refreshAction);

    connect(m_newAction, &QAction::triggered, this, &KeysPage::newKey);
    connect(m_editAction, &QAction::triggered, this, &KeysPage::editKey);
    connect(m_enableAction, &QAction::triggered, this, [this] { setKeyEnabled(true); });
    connect(m_disableAction, &QAction::triggered, this, [this] { setKeyEnabled(false); });
    connect(m_regenerateAction, &QAction::triggered, this, &KeysPage::confirmRegenerate);
    connect(m_deleteAction, &QAction::triggered, this, &KeysPage::confirmDelete);
    connect(m_refreshAction, &QAction::triggered, this, [this] {
        loadBindings();
        loadPage();
    });
    connect(m_findAction, &QAction::triggered, this, [this] {
        m_search->setFocus(Qt::ShortcutFocusReason);
        m_search->selectAll();
    });
}

void KeysPage::retranslate()
{
    m_newAction->setText(tr("New"));
    m_newAction->setToolTip(
        tr("Create an API key (%1)").arg(m_newAction->shortcut().toString(QKeySequence::NativeText)));
    m_editAction->setText(tr("Edit"));
    m_editAction->setToolTip(tr("Edit the selected key's settings, limits and restrictions"));
    m_enableAction->setText(tr("Enable"));
    m_enableAction->setToolTip(tr("Let the selected key make requests again"));
    m_disableAction->setText(tr("Disable"));
    m_disableAction->setToolTip(tr("Refuse the selected key's requests until it is enabled again"));
    m_regenerateAction->setText(tr("Regenerate"));
    m_regenerateAction->setToolTip(tr("Give the selected key a new secret; the old one stops working"));
    m_deleteAction->setText(tr("Delete"));
    m_deleteAction->setToolTip(tr("Delete the selected key (Del)"));
    m_refreshAction->setText(tr("Refresh"));
    m_refreshAction->setToolTip(tr("Load the keys again (F5)"));
    m_findAction->setText(tr("Find"));

    m_search->setPlaceholderText(tr("Search names, notes and key hints… (Ctrl+F)"));
    m_search->setAccessibleName(tr("Search API keys"));
    m_statusLabel->setText(tr("&Status:"));
    m_status->setAccessibleName(tr("Status filter"));
    m_status->setItemText(0, tr("All"));
    m_status->setItemText(1, tr("Active"));
    m_status->setItemText(2, tr("Disabled"));
    m_status->setItemText(3, tr("Expired"));
    m_tagLabel->setText(tr("T&ag:"));
    m_tag->setAccessibleName(tr("Tag filter"));
    m_tag->lineEdit()->setPlaceholderText(tr("any tag"));
    m_sortLabel->setText(tr("S&ort:"));
    m_sort->setAccessibleName(tr("Sort order"));
    m_sort->setItemText(0, tr("Last used"));
    m_sort->setItemText(1, tr("Name"));
    m_sort->setItemText(2, tr("Newest first"));
    m_view->setAccessibleName(tr("API keys"));
    m_previous->setToolTip(tr("Previous page"));
    m_previous->setAccessibleName(tr("Previous page"));
    m_next->setToolTip(tr("Next page"));
    m_next->setAccessibleName(tr("Next page"));

    m_model->setTitles({tr("Name"), tr("Key"), tr("Status"), tr("Tags"), tr("Limits"), tr("Binding"), tr("Last used"),
                        tr("Created"), tr("Today")});
    updatePager();
    updateRows();
}

void KeysPage::activate()
{
    loadBindings();
    loadPage();
    m_refreshTimer->start();
}

void KeysPage::deactivate()
{
    m_refreshTimer->stop();
    m_searchTimer->stop();
    saveColumns();
}

void KeysPage::reset()
{
    ++m_listGeneration; // answers from the previous connection are dropped
    m_keys = {};
    m_today.clear();
    m_todayComplete = false;
    m_accounts = {};
    m_groups = {};
    m_accountNames.clear();
    m_groupNames.clear();
    m_selectedId.clear();
    m_offset = 0;
    m_total = 0;
    m_loaded = false;
    m_messages->clear();
    if (m_dialog)
        m_dialog->reject();
    updateRows();
    updatePager();
    if (isActive()) {
        loadBindings();
        loadPage();
    }
}

void KeysPage::saveColumns() const
{
    QSettings().setValue(ColumnsSetting, m_view->horizontalHeader()->saveState());
}

void KeysPage::filtersChanged()
{
    m_searchTimer->stop();
    m_offset = 0;
    loadPage();
}

void KeysPage::loadPage()
{
    if (!client()->isSignedIn())
        return;
    const quint64 generation = ++m_listGeneration;
    QUrlQuery query;
    if (const QString text = m_search->text().trimmed(); !text.isEmpty())
        query.addQueryItem(u"q"_s, text);
    if (const QString tag = m_tag->currentText().trimmed(); !tag.isEmpty())
        query.addQueryItem(u"tag"_s, tag);
    if (const QString status = m_status->currentData().toString(); !status.isEmpty())
        query.addQueryItem(u"status"_s, status);
    query.addQueryItem(u"sort"_s, m_sort->currentData().toString());
    query.addQueryItem(u"offset"_s, QString::number(m_offset));
    query.addQueryItem(u"limit"_s, QString::number(PageSize));
    m_view->viewport()->setCursor(Qt::BusyCursor);
    m_refreshAction->setEnabled(false);
    client()->get(u"/admin/keys"_s, query, this, [this, generation](const AdminReply &reply) {
        if (generation != m_listGeneration)
            return; // a newer search or page is on its way
        m_view->viewport()->unsetCursor();
        m_refreshAction->setEnabled(true);
        if (!reply.ok()) {
            m_messages->showError(tr("Could not load the API keys: %1").arg(reply.errorText()));
            return;
        }
        m_total = reply.total();
        if (m_offset > 0 && m_offset >= m_total) {
            // The last page emptied (a delete, a narrower filter): show the page that is now last.
            m_offset = m_total > 0 ? (m_total - 1) / PageSize * PageSize : 0;
            loadPage();
            return;
        }
        if (m_messages->kind() == MessageBar::Kind::Error && m_messages->text().startsWith(tr("Could not load")))
            m_messages->clear();
        m_keys = reply.items();
        m_loaded = true;
        bool tagsChanged = false;
        for (const QJsonValue &key : std::as_const(m_keys))
            for (const QJsonValue &tag : key.toObject().value(u"tags"_s).toArray())
                if (m_knownTags.size() < MaxKnownTags && !m_knownTags.contains(tag.toString())) {
                    m_knownTags << tag.toString();
                    tagsChanged = true;
                }
        if (tagsChanged) {
            m_knownTags.sort(Qt::CaseInsensitive);
            const QSignalBlocker blocker(m_tag);
            const QString current = m_tag->currentText();
            m_tag->clear();
            m_tag->addItem(QString());
            m_tag->addItems(m_knownTags);
            m_tag->setCurrentText(current);
        }
        updateRows();
        updatePager();
        loadToday();
    });
}

void KeysPage::loadToday()
{
    const QUrlQuery query{
        {u"dimension"_s, u"api_keys"_s}, {u"metric"_s, u"requests"_s}, {u"days"_s, u"1"_s}, {u"limit"_s, u"500"_s}};
    const quint64 generation = m_listGeneration;
    client()->get(u"/admin/usage/top"_s, query, this, [this, generation](const AdminReply &reply) {
        if (generation != m_listGeneration || !reply.ok())
            return; // the columns stay "–": usage is a nice-to-have next to the list
        m_today.clear();
        const QJsonArray items = reply.items();
        for (const QJsonValue &item : items)
            m_today.insert(item.toObject().value(u"id"_s).toString(), item.toObject());
        m_todayComplete = reply.total() <= items.size();
        updateRows();
    });
}

void KeysPage::loadBindings()
{
    if (!client()->isSignedIn())
        return;
    const QUrlQuery query{{u"limit"_s, QString::number(MaxBindingChoices)}};
    client()->get(u"/admin/accounts"_s, query, this, [this](const AdminReply &reply) {
        if (!reply.ok())
            return;
        m_accounts = reply.items();
        m_accountNames.clear();
        for (const QJsonValue &account : std::as_const(m_accounts))
            m_accountNames.insert(account.toObject().value(u"id"_s).toString(),
                                  account.toObject().value(u"name"_s).toString());
        updateRows();
    });
    client()->get(u"/admin/groups"_s, query, this, [this](const AdminReply &reply) {
        if (!reply.ok())
            return;
        m_groups = reply.items();
        m_groupNames.clear();
        for (const QJsonValue &group : std::as_const(m_groups))
            m_groupNames.insert(group.toObject().value(u"id"_s).toString(),
                                group.toObject().value(u"name"_s).toString());
        updateRows();
    });
}

void KeysPage::updateRows()
{
    QJsonArray rows;
    for (const QJsonValue &value : std::as_const(m_keys)) {
        QJsonObject row = value.toObject();
        const QString id = row.value(u"id"_s).toString();
        if (m_today.contains(id)) {
            const QJsonObject today = m_today.value(id);
            row.insert(u"today"_s, QJsonObject{{u"requests"_s, today.value(u"requests"_s)},
                                               {u"cost_usd"_s, today.value(u"cost_usd"_s)}});
        } else if (m_todayComplete) {
            row.insert(u"today"_s, QJsonObject{{u"requests"_s, 0}, {u"cost_usd"_s, 0}});
        }
        rows.append(row);
    }
    const QString keep = m_selectedId;
    m_model->setRows(rows);
    if (!keep.isEmpty() && selectedId() != keep)
        selectKey(keep);
    m_selectedId = keep;

    const bool filtered = !m_search->text().trimmed().isEmpty() || !m_tag->currentText().trimmed().isEmpty() ||
                          m_status->currentIndex() > 0;
    if (!m_loaded)
        m_empty->setText(tr("Loading the API keys…"));
    else if (filtered)
        m_empty->setText(tr("No API key matches the search and filters."));
    else
        m_empty->setText(tr("No API keys yet.\nCreate one with New (Ctrl+N): clients send it as x-api-key or as a "
                            "bearer token instead of an Anthropic key."));
    m_viewStack->setCurrentWidget(rows.isEmpty() ? static_cast<QWidget *>(m_empty) : m_view);
    updateActions();
}

void KeysPage::updatePager()
{
    if (!m_loaded)
        m_range->setText(QString());
    else if (m_total == 0)
        m_range->setText(tr("No keys"));
    else
        m_range->setText(tr("%1–%2 of %3")
                             .arg(Format::integer(m_offset + 1),
                                  Format::integer(std::min<qint64>(m_offset + PageSize, m_total)),
                                  Format::integer(m_total)));
    m_previous->setEnabled(m_offset > 0);
    m_next->setEnabled(m_offset + PageSize < m_total);
}

void KeysPage::updateActions()
{
    const QJsonObject key = selectedKey();
    const bool selected = !key.isEmpty();
    const bool enabled = key.value(u"enabled"_s).toBool();
    m_editAction->setEnabled(selected);
    m_regenerateAction->setEnabled(selected);
    m_deleteAction->setEnabled(selected);
    m_enableAction->setEnabled(selected && !enabled);
    m_disableAction->setEnabled(selected && enabled);
    // One of the pair is shown: the one that applies to the selection.
    m_enableAction->setVisible(selected && !enabled);
    m_disableAction->setVisible(!selected || enabled);
}

QString KeysPage::selectedId() const
{
    return selectedKey().value(u"id"_s).toString();
}

QJsonObject KeysPage::selectedKey() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    return rows.isEmpty() ? QJsonObject() : m_model->rowObject(rows.first().row());
}

bool KeysPage::selectKey(const QString &id)
{
    const int row = m_model->findRow(u"id"_s, id);
    if (row < 0)
        return false;
    m_view->selectRow(row);
    m_view->scrollTo(m_model->index(row, 0));
    return true;
}

QString KeysPage::bindingText(const QJsonObject &row) const
{
    const QString account = row.value(u"bound_account"_s).toString();
    const QString group = row.value(u"bound_group"_s).toString();
    if (!account.isEmpty())
        return tr("Account: %1").arg(m_accountNames.value(account, account));
    if (!group.isEmpty())
        return tr("Group: %1").arg(m_groupNames.value(group, group));
    return tr("shared pool");
}

QString KeysPage::limitsSummary(const QJsonObject &row) const
{
    QStringList parts;
    if (const qint64 concurrency = row.value(u"concurrency_limit"_s).toInteger(); concurrency > 0)
        parts << tr("%1 concurrent").arg(Format::integer(concurrency));
    const QJsonObject limits = row.value(u"limits"_s).toObject();
    const qint64 minutes = limits.value(u"window_minutes"_s).toInteger();
    if (minutes > 0) {
        const QString window = tr("%1 min").arg(Format::integer(minutes));
        if (const qint64 requests = limits.value(u"window_requests"_s).toInteger(); requests > 0)
            parts << tr("%1 req/%2").arg(Format::integer(requests), window);
        if (const qint64 tokens = limits.value(u"window_tokens"_s).toInteger(); tokens > 0)
            parts << tr("%1 tokens/%2").arg(Format::tokens(tokens), window);
        if (const double cost = limits.value(u"window_cost_usd"_s).toDouble(); cost > 0)
            parts << tr("%1/%2").arg(Format::usd(cost), window);
    }
    if (const double daily = limits.value(u"daily_cost_usd"_s).toDouble(); daily > 0)
        parts << tr("%1/day").arg(Format::usd(daily));
    const QJsonObject weekly = limits.value(u"weekly_cost_usd"_s).toObject();
    for (auto it = weekly.constBegin(); it != weekly.constEnd(); ++it)
        if (it.value().toDouble() > 0)
            parts << tr("%1 %2/week").arg(it.key(), Format::usd(it.value().toDouble()));
    if (const double total = limits.value(u"total_cost_usd"_s).toDouble(); total > 0)
        parts << tr("%1 total").arg(Format::usd(total));
    return parts.isEmpty() ? tr("none") : parts.join(u" · "_s);
}

void KeysPage::newKey()
{
    if (m_dialog)
        return;
    m_dialog = new KeyDialog(client(), QJsonObject(), m_accounts, m_groups, this);
    connect(m_dialog, &KeyDialog::saved, this, [this](const QJsonObject &answer) {
        m_selectedId = answer.value(u"id"_s).toString();
        m_messages->showSuccess(tr("Created the API key \"%1\".").arg(answer.value(u"name"_s).toString()));
        showNewKey(answer, false);
        loadPage();
    });
    m_dialog->open();
}

void KeysPage::editKey()
{
    const QJsonObject key = selectedKey();
    if (key.isEmpty() || m_dialog)
        return;
    m_dialog = new KeyDialog(client(), key, m_accounts, m_groups, this);
    connect(m_dialog, &KeyDialog::saved, this, [this](const QJsonObject &answer) {
        m_messages->showSuccess(tr("Saved the API key \"%1\".").arg(answer.value(u"name"_s).toString()));
        loadPage();
    });
    m_dialog->open();
}

void KeysPage::setKeyEnabled(bool enabled)
{
    const QJsonObject key = selectedKey();
    if (key.isEmpty())
        return;
    const QString id = key.value(u"id"_s).toString();
    const QString name = key.value(u"name"_s).toString();
    m_enableAction->setEnabled(false);
    m_disableAction->setEnabled(false);
    m_messages->showBusy(enabled ? tr("Enabling \"%1\"…").arg(name) : tr("Disabling \"%1\"…").arg(name));
    const QString path = u"/admin/keys/%1/%2"_s.arg(id, enabled ? u"enable"_s : u"disable"_s);
    client()->post(path, QJsonObject(), this, [this, enabled, name](const AdminReply &reply) {
        if (!reply.ok()) {
            m_messages->showError(tr("Could not change \"%1\": %2").arg(name, reply.errorText()));
            updateActions();
            return;
        }
        m_messages->showSuccess(enabled ? tr("\"%1\" is enabled.").arg(name)
                                        : tr("\"%1\" is disabled: its requests are refused.").arg(name));
        loadPage();
    });
}

void KeysPage::confirmRegenerate()
{
    const QJsonObject key = selectedKey();
    if (key.isEmpty())
        return;
    const QString id = key.value(u"id"_s).toString();
    const QString name = key.value(u"name"_s).toString();
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Regenerate API key"),
                                tr("Give \"%1\" a new secret?\n\nThe current key stops working at once; every client "
                                   "that uses it needs the new one.")
                                    .arg(name),
                                QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(u"confirmRegenerateKey"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->button(QMessageBox::Yes)->setText(tr("Regenerate"));
    box->setDefaultButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::buttonClicked, this, [this, box, id, name](QAbstractButton *button) {
        if (box->standardButton(button) == QMessageBox::Yes)
            regenerate(id, name);
    });
    box->open();
}

void KeysPage::regenerate(const QString &id, const QString &name)
{
    m_regenerateAction->setEnabled(false);
    m_messages->showBusy(tr("Regenerating \"%1\"…").arg(name));
    client()->post(u"/admin/keys/%1/regenerate"_s.arg(id), QJsonObject(), this, [this, name](const AdminReply &reply) {
        if (!reply.ok()) {
            m_messages->showError(tr("Could not regenerate \"%1\": %2").arg(name, reply.errorText()));
            updateActions();
            return;
        }
        m_messages->showSuccess(tr("\"%1\" has a new secret; the old one is refused.").arg(name));
        showNewKey(reply.object(), true);
        loadPage();
    });
}

void KeysPage::confirmDelete()
{
    const QJsonObject key = selectedKey();
    if (key.isEmpty())
        return;
    const QString id = key.value(u"id"_s).toString();
    const QString name = key.value(u"name"_s).toString();
    auto *box =
        new QMessageBox(QMessageBox::Warning, tr("Delete API key"),
                        tr("Delete \"%1\"?\n\nIts requests are refused from now on. Its usage history stays in the "
                           "usage reports.")
                            .arg(name),
                        QMessageBox::Yes | QMessageBox::Cancel, this);
    box->setObjectName(u"confirmDeleteKey"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->button(QMessageBox::Yes)->setText(tr("Delete"));
    box->setDefaultButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::buttonClicked, this, [this, box, id, name](QAbstractButton *button) {
        if (box->standardButton(button) == QMessageBox::Yes)
            remove(id, name);
    });
    box->open();
}

void KeysPage::remove(const QString &id, const QString &name)
{
    m_deleteAction->setEnabled(false);
    m_messages->showBusy(tr("Deleting \"%1\"…").arg(name));
    client()->remove(u"/admin/keys/"_s + id, this, [this, id, name](const AdminReply &reply) {
        if (!reply.ok()) {
            m_messages->showError(tr("Could not delete \"%1\": %2").arg(name, reply.errorText()));
            updateActions();
            return;
        }
        if (m_selectedId == id)
            m_selectedId.clear();
        m_messages->showSuccess(tr("Deleted \"%1\".").arg(name));
        loadPage();
    });
}

void KeysPage::showNewKey(const QJsonObject &answer, bool regenerated)
{
    auto *dialog =
        new NewKeyDialog(answer.value(u"name"_s).toString(), answer.value(u"key"_s).toString(),
                         regenerated ? NewKeyDialog::Reason::Regenerated : NewKeyDialog::Reason::Created, this);
    dialog->open();
}

} // namespace Console
