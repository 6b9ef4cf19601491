// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/page.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QPointer>

class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class QStackedWidget;
class QTableView;
class QTimer;
class QToolBar;
class QToolButton;

namespace Console {

class JsonTableModel;
class KeyDialog;
class MessageBar;

// The API keys: one page at a time of the relay's key list (searched, filtered, sorted and paged by the relay, which
// may hold 10,000 keys), today's requests and cost per key, and the actions on a key: create, edit, enable/disable,
// regenerate and delete. A new or regenerated key's secret is shown once in a NewKeyDialog.
class KeysPage : public Page
{
    Q_OBJECT
public:
    static constexpr int PageSize = 50;

    explicit KeysPage(AdminClient *client, QWidget *parent = nullptr);
    ~KeysPage() override;

    QString title() const override { return tr("API keys"); }
    QString iconName() const override { return QStringLiteral("api-keys"); }

    void activate() override;
    void deactivate() override;
    void reset() override;

    // The id of the selected key, or empty.
    QString selectedId() const;
    // Selects the key's row when it is on the page shown.
    bool selectKey(const QString &id);

protected:
    void retranslate() override;

private:
    void buildToolbar();
    void loadPage();
    void loadToday();
    void loadBindings();
    void updateRows();
    void updatePager();
    void updateActions();
    void filtersChanged();
    void newKey();
    void editKey();
    void setKeyEnabled(bool enabled);
    void confirmRegenerate();
    void confirmDelete();
    void regenerate(const QString &id, const QString &name);
    void remove(const QString &id, const QString &name);
    void showNewKey(const QJsonObject &answer, bool regenerated);
    QJsonObject selectedKey() const;
    QString bindingText(const QJsonObject &row) const;
    QString limitsSummary(const QJsonObject &row) const;
    void saveColumns() const;

    MessageBar *m_messages;
    QToolBar *m_toolbar;
    QAction *m_newAction;
    QAction *m_editAction;
    QAction *m_enableAction;
    QAction *m_disableAction;
    QAction *m_regenerateAction;
    QAction *m_deleteAction;
    QAction *m_refreshAction;
    QAction *m_findAction;
    QLabel *m_statusLabel;
    QLabel *m_tagLabel;
    QLabel *m_sortLabel;
    QLineEdit *m_search;
    QComboBox *m_status;
    QComboBox *m_tag;
    QComboBox *m_sort;
    JsonTableModel *m_model;
    QTableView *m_view;
    QLabel *m_empty;
    QStackedWidget *m_viewStack;
    QToolButton *m_previous;
    QToolButton *m_next;
    QLabel *m_range;
    QTimer *m_searchTimer;
    QTimer *m_refreshTimer;

    qint64 m_offset = 0;
    qint64 m_total = 0;
    bool m_loaded = false;
    quint64 m_listGeneration = 0;
    QJsonArray m_keys;                   // the page as the relay answered it
    QHash<QString, QJsonObject> m_today; // key id → today's usage (the top keys of today, at most 500)
    bool m_todayComplete = false;        // every key used today is in m_today (others used nothing)
    QJsonArray m_accounts;
    QJsonArray m_groups;
    QHash<QString, QString> m_accountNames;
    QHash<QString, QString> m_groupNames;
    QStringList m_knownTags; // offered in the tag filter, from the keys seen (bounded)
    QString m_selectedId;    // kept across reloads
    QPointer<KeyDialog> m_dialog;
};

} // namespace Console
