// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/settingspage.h"

#include "ui/adminclient.h"
#include "ui/icons.h"
#include "ui/languagemanager.h"
#include "ui/mainwindow.h"
#include "ui/pages/settingsrow.h"
#include "ui/relaycontroller.h"
#include "ui/widgets/messagebar.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QFrame>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QScrollBar>
#include <QTabWidget>
#include <QVBoxLayout>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Console {

namespace {

// The admin API's rule for passwords, checked here first so a typo costs no round trip.
constexpr int MinimumPasswordLength = 12;

QLabel *errorLabel(const QString &objectName, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    label->setStyleSheet(u"color: #c62828;"_s);
    label->hide();
    return label;
}

void setErrorText(QLabel *label, const QString &text)
{
    label->setText(text);
    label->setVisible(!text.isEmpty());
}

QLabel *hintLabel(const QString &objectName, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    label->setWordWrap(true);
    label->setStyleSheet(u"color: palette(mid);"_s);
    return label;
}

} // namespace

SettingsPage::SettingsPage(AdminClient *client, LanguageManager *languages, RelayController *relay, QWidget *parent)
    : Page(client, parent)
    , m_languages(languages)
    , m_relay(relay)
    , m_messages(new MessageBar(this))
    , m_tabs(new QTabWidget(this))
{
    setObjectName(u"settingsPage"_s);
    m_messages->setObjectName(u"messageBar"_s);
    m_tabs->setObjectName(u"settingsTabs"_s);
    m_tabs->addTab(createRelayTab(), icon(u"settings"_s), QString());
    m_tabs->addTab(createConsoleTab(), icon(u"relaydeck"_s), QString());

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_messages);
    layout->addWidget(m_tabs, 1);

    if (m_relay)
        connect(m_relay, &RelayController::stateChanged, this, [this](RelayState state) {
            // A stopped relay has left its old settings behind: the next start reads the file.
            if (state == RelayState::Stopped || state == RelayState::Failed)
                showRestartNotice({});
        });
    if (m_languages)
        connect(m_languages, &LanguageManager::languageChanged, this, &SettingsPage::fillLanguages);
    retranslate();
}

QWidget *SettingsPage::createRelayTab()
{
    auto *tab = new QWidget(this);
    tab->setObjectName(u"relaySettingsTab"_s);

    m_configFile = new QLabel(tab);
    m_configFile->setObjectName(u"configFileLabel"_s);
    m_configFile->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_configFile->setWordWrap(true);
    m_fileError = errorLabel(u"configFileError"_s, tab);

    m_form = new QWidget;
    m_form->setObjectName(u"settingsForm"_s);
    m_formLayout = new QVBoxLayout(m_form);
    m_emptyLabel = hintLabel(u"settingsEmptyLabel"_s, m_form);
    m_emptyLabel->setAlignment(Qt::AlignCenter);
    m_formLayout->addWidget(m_emptyLabel);
    m_formLayout->addStretch(1);
    m_scroll = new QScrollArea(tab);
    m_scroll->setObjectName(u"settingsScroll"_s);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->setWidget(m_form);

    m_restartBanner = new QFrame(tab);
    m_restartBanner->setObjectName(u"restartBanner"_s);
    m_restartBanner->setStyleSheet(u"#restartBanner { background: #fff4e0; border: 1px solid #e0b060; "
                                   "border-radius: 4px; } #restartBanner QLabel { color: #5a3d00; }"_s);
    m_restartLabel = new QLabel(m_restartBanner);
    m_restartLabel->setObjectName(u"restartLabel"_s);
    m_restartLabel->setWordWrap(true);
    m_restartButton = new QPushButton(icon(u"restart"_s), QString(), m_restartBanner);
    m_restartButton->setObjectName(u"restartRelayButton"_s);
    m_restartButton->setVisible(m_relay != nullptr);
    auto *bannerLayout = new QHBoxLayout(m_restartBanner);
    auto *bannerIcon = new QLabel(m_restartBanner);
    bannerIcon->setPixmap(icon(u"warning"_s).pixmap(20, 20));
    bannerLayout->addWidget(bannerIcon);
    bannerLayout->addWidget(m_restartLabel, 1);
    bannerLayout->addWidget(m_restartButton);
    m_restartBanner->hide();
    connect(m_restartButton, &QPushButton::clicked, this, [this] {
        if (!m_relay)
            return;
        m_messages->showBusy(tr("Restarting the relay…"));
        m_restartButton->setEnabled(false);
        m_relay->restart();
    });

    m_reloadButton = new QPushButton(icon(u"refresh"_s), QString(), tab);
    m_reloadButton->setObjectName(u"reloadButton"_s);
    m_revertButton = new QPushButton(icon(u"reset"_s), QString(), tab);
    m_revertButton->setObjectName(u"revertButton"_s);
    m_applyButton = new QPushButton(tab);
    m_applyButton->setObjectName(u"applyButton"_s);
    m_applyButton->setDefault(true);
    connect(m_reloadButton, &QPushButton::clicked, this, &SettingsPage::load);
    connect(m_revertButton, &QPushButton::clicked, this, &SettingsPage::revert);
    connect(m_applyButton, &QPushButton::clicked, this, &SettingsPage::apply);

    m_reloadAction = new QAction(this);
    m_reloadAction->setObjectName(u"reloadSettingsAction"_s);
    m_reloadAction->setShortcut(QKeySequence::Refresh);
    m_reloadAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_reloadAction, &QAction::triggered, this, &SettingsPage::load);
    m_applyAction = new QAction(this);
    m_applyAction->setObjectName(u"applySettingsAction"_s);
    m_applyAction->setShortcut(QKeySequence::Save);
    m_applyAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_applyAction, &QAction::triggered, this, &SettingsPage::apply);
    tab->addAction(m_reloadAction);
    tab->addAction(m_applyAction);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_reloadButton);
    buttons->addStretch(1);
    buttons->addWidget(m_revertButton);
    buttons->addWidget(m_applyButton);

    auto *layout = new QVBoxLayout(tab);
    layout->addWidget(m_configFile);
    layout->addWidget(m_fileError);
    layout->addWidget(m_scroll, 1);
    layout->addWidget(m_restartBanner);
    layout->addLayout(buttons);
    updateButtons();
    return tab;
}

QWidget *SettingsPage::createConsoleTab()
{
    auto *tab = new QWidget(this);
    tab->setObjectName(u"consoleSettingsTab"_s);

    m_languageGroup = new QGroupBox(tab);
    m_languageGroup->setObjectName(u"languageGroup"_s);
    m_languageLabel = new QLabel(m_languageGroup);
    m_languageCombo = new QComboBox(m_languageGroup);
    m_languageCombo->setObjectName(u"languageCombo"_s);
    m_languageCombo->setMinimumContentsLength(16);
    m_languageLabel->setBuddy(m_languageCombo);
    auto *languageLayout = new QHBoxLayout(m_languageGroup);
    languageLayout->addWidget(m_languageLabel);
    languageLayout->addWidget(m_languageCombo);
    languageLayout->addStretch(1);
    m_languageCombo->setEnabled(m_languages != nullptr);
    connect(m_languageCombo, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (m_languages && index >= 0)
            m_languages->setChoice(m_languageCombo->itemData(index).toString());
    });

    m_windowGroup = new QGroupBox(tab);
    m_windowGroup->setObjectName(u"windowGroup"_s);
    m_trayCheck = new QCheckBox(m_windowGroup);
    m_trayCheck->setObjectName(u"trayCheck"_s);
    m_trayCheck->setChecked(MainWindow::keepRunningInTray());
    m_trayHint = hintLabel(u"trayHint"_s, m_windowGroup);
    auto *windowLayout = new QVBoxLayout(m_windowGroup);
    windowLayout->addWidget(m_trayCheck);
    windowLayout->addWidget(m_trayHint);
    connect(m_trayCheck, &QCheckBox::toggled, this, [](bool keep) { MainWindow::setKeepRunningInTray(keep); });

    m_passwordGroup = new QGroupBox(tab);
    m_passwordGroup->setObjectName(u"passwordGroup"_s);
    m_passwordIntro = hintLabel(u"passwordIntro"_s, m_passwordGroup);
    m_currentLabel = new QLabel(m_passwordGroup);
    m_newLabel = new QLabel(m_passwordGroup);
    m_repeatLabel = new QLabel(m_passwordGroup);
    const auto passwordEdit = [this](const QString &name, QLabel *label) {
        auto *edit = new QLineEdit(m_passwordGroup);
        edit->setObjectName(name);
        edit->setEchoMode(QLineEdit::Password);
        edit->setMaximumWidth(320);
        label->setBuddy(edit);
        connect(edit, &QLineEdit::returnPressed, this, &SettingsPage::changePassword);
        return edit;
    };
    m_currentPassword = passwordEdit(u"currentPasswordEdit"_s, m_currentLabel);
    m_newPassword = passwordEdit(u"newPasswordEdit"_s, m_newLabel);
    m_repeatPassword = passwordEdit(u"repeatPasswordEdit"_s, m_repeatLabel);
    m_currentError = errorLabel(u"currentPasswordError"_s, m_passwordGroup);
    m_newError = errorLabel(u"newPasswordError"_s, m_passwordGroup);
    m_repeatError = errorLabel(u"repeatPasswordError"_s, m_passwordGroup);
    m_changePassword = new QPushButton(icon(u"api-keys"_s), QString(), m_passwordGroup);
    m_changePassword->setObjectName(u"changePasswordButton"_s);
    connect(m_changePassword, &QPushButton::clicked, this, &SettingsPage::changePassword);
    const auto field = [this](QLineEdit *edit, QLabel *error) {
        auto *box = new QWidget(m_passwordGroup);
        auto *layout = new QVBoxLayout(box);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->setSpacing(2);
        layout->addWidget(edit);
        layout->addWidget(error);
        return box;
    };
    auto *form = new QFormLayout;
    form->addRow(m_currentLabel, field(m_currentPassword, m_currentError));
    form->addRow(m_newLabel, field(m_newPassword, m_newError));
    form->addRow(m_repeatLabel, field(m_repeatPassword, m_repeatError));
    auto *passwordButtons = new QHBoxLayout;
    passwordButtons->addWidget(m_changePassword);
    passwordButtons->addStretch(1);
    auto *passwordLayout = new QVBoxLayout(m_passwordGroup);
    passwordLayout->addWidget(m_passwordIntro);
    passwordLayout->addLayout(form);
    passwordLayout->addLayout(passwordButtons);

    auto *layout = new QVBoxLayout(tab);
    layout->addWidget(m_languageGroup);
    layout->addWidget(m_windowGroup);
    layout->addWidget(m_passwordGroup);
    layout->addStretch(1);
    setTabOrder(m_languageCombo, m_trayCheck);
    setTabOrder(m_trayCheck, m_currentPassword);
    setTabOrder(m_currentPassword, m_newPassword);
    setTabOrder(m_newPassword, m_repeatPassword);
    setTabOrder(m_repeatPassword, m_changePassword);
    return tab;
}

void SettingsPage::retranslate()
{
    m_tabs->setTabText(0, tr("Relay"));
    m_tabs->setTabText(1, tr("Console"));
    m_tabs->setTabToolTip(0, tr("The relay's settings, saved in its config file"));
    m_tabs->setTabToolTip(1, tr("Preferences of this console"));

    if (m_configPath.isEmpty())
        m_configFile->setText(m_loaded ? tr("This relay runs without a config file (start it with --config FILE), "
                                            "so its settings are shown but cannot be saved here.")
                                       : QString());
    else
        m_configFile->setText(tr("Saved to the relay's config file %1").arg(m_configPath));
    if (!m_loaded)
        m_emptyLabel->setText(m_loading ? tr("Loading the relay's settings…")
                                        : tr("The relay's settings appear here once it is connected."));
    for (int i = 0; i < m_groups.size(); ++i)
        m_groups.at(i)->setTitle(groupTitle(m_groupIds.at(i)));
    for (SettingRow *row : std::as_const(m_rows))
        row->retranslate();
    showRestartNotice(m_restartKeys);

    m_reloadButton->setText(tr("Reload"));
    m_reloadButton->setToolTip(tr("Read the settings from the relay again (F5); unsaved edits are dropped"));
    m_revertButton->setText(tr("Revert"));
    m_revertButton->setToolTip(tr("Drop the edits that were not applied"));
    m_applyButton->setText(tr("Apply"));
    m_applyButton->setToolTip(tr("Save the changed settings to the config file (Ctrl+S)"));
    m_reloadAction->setText(tr("Reload settings"));
    m_applyAction->setText(tr("Apply settings"));
    m_restartButton->setText(tr("Restart the relay now"));
    m_restartButton->setAccessibleName(tr("Restart the relay now"));

    m_languageGroup->setTitle(tr("Language"));
    m_languageLabel->setText(tr("Console &language:"));
    m_languageCombo->setAccessibleName(tr("Console language"));
    fillLanguages();
    m_windowGroup->setTitle(tr("Window"));
    m_trayCheck->setText(tr("&Keep the relay running in the tray when the window is closed"));
    m_trayCheck->setAccessibleName(tr("Keep running in the tray"));
    m_trayHint->setText(m_relay ? tr("Closing the window then leaves the bundled relay serving; quit from the tray "
                                     "icon's menu.")
                                : tr("Only used with the bundled relay; this console is connected to a remote one."));

    m_passwordGroup->setTitle(tr("Admin password"));
    m_passwordIntro->setText(tr("Changes the password of the signed-in user (%1). Other sessions of this user end; "
                                "this console stays signed in.")
                                 .arg(client()->user().isEmpty() ? tr("not signed in") : client()->user()));
    m_currentLabel->setText(tr("&Current password:"));
    m_newLabel->setText(tr("&New password:"));
    m_repeatLabel->setText(tr("&Repeat new password:"));
    m_currentPassword->setAccessibleName(tr("Current password"));
    m_newPassword->setAccessibleName(tr("New password"));
    m_repeatPassword->setAccessibleName(tr("Repeat new password"));
    m_newPassword->setPlaceholderText(tr("at least %n characters", nullptr, MinimumPasswordLength));
    m_changePassword->setText(tr("Change password"));
}

void SettingsPage::fillLanguages()
{
    if (!m_languages)
        return;
    const QSignalBlocker blocker(m_languageCombo);
    m_languageCombo->clear();
    for (const LanguageManager::Language &language : LanguageManager::languages())
        m_languageCombo->addItem(language.name, language.code);
    m_languageCombo->setCurrentIndex(std::max(0, m_languageCombo->findData(m_languages->choice())));
}

SettingsPage::Group SettingsPage::groupOf(const QString &key)
{
    static const QStringList listener = {u"listen"_s,         u"body-limit"_s,   u"header-limit"_s,
                                         u"header-timeout"_s, u"idle-timeout"_s, u"shutdown-grace"_s};
    if (listener.contains(key))
        return Group::Listener;
    if (key == u"workers")
        return Group::Workers;
    if (key == u"redis" || key.startsWith(u"redis.") || key == u"key-prefix" || key == u"data-dir" ||
        key.startsWith(u"usage.")) // how often usage is written to Redis
        return Group::Redis;
    if (key.startsWith(u"log."))
        return Group::Logging;
    if (key.startsWith(u"upstream."))
        return Group::Upstream;
    if (key == u"pricing-file" || key == u"max-tokens-policy" || key == u"time-zone")
        return Group::Pricing;
    if (key.startsWith(u"admin."))
        return Group::Admin;
    if (key.startsWith(u"oauth."))
        return Group::OAuth;
    return Group::Other;
}

QString SettingsPage::groupTitle(Group group) const
{
    switch (group) {
    case Group::Listener:
        return tr("Listener");
    case Group::Workers:
        return tr("Workers");
    case Group::Redis:
        return tr("Redis");
    case Group::Logging:
        return tr("Logging");
    case Group::Upstream:
        return tr("Upstream and timeouts");
    case Group::Pricing:
        return tr("Pricing and limits");
    case Group::Admin:
        return tr("Admin API");
    case Group::OAuth:
        return tr("Claude OAuth accounts");
    case Group::Other:
        return tr("Other");
    }
    return {};
}

void SettingsPage::activate()
{
    {
        const QSignalBlocker blocker(m_trayCheck);
        m_trayCheck->setChecked(MainWindow::keepRunningInTray());
    }
    m_passwordIntro->setText(tr("Changes the password of the signed-in user (%1). Other sessions of this user end; "
                                "this console stays signed in.")
                                 .arg(client()->user().isEmpty() ? tr("not signed in") : client()->user()));
    m_restartButton->setEnabled(true);
    // Edits that were not applied survive a visit to another page.
    if (!hasUnsavedChanges())
        load();
}

void SettingsPage::reset()
{
    m_configPath.clear();
    m_loaded = false;
    m_restartKeys.clear();
    rebuildForm({});
    m_messages->clear();
    retranslate();
    if (isActive())
        load();
}

SettingRow *SettingsPage::row(const QString &key) const
{
    for (SettingRow *row : m_rows)
        if (row->key() == key)
            return row;
    return nullptr;
}

bool SettingsPage::hasUnsavedChanges() const
{
    return std::any_of(m_rows.begin(), m_rows.end(), [](SettingRow *row) { return row->isModified(); });
}

void SettingsPage::load()
{
    if (m_loading || m_applying || !client()->isSignedIn())
        return;
    m_loading = true;
    if (!m_loaded)
        m_emptyLabel->setText(tr("Loading the relay's settings…"));
    updateButtons();
    client()->get(u"/admin/settings"_s, {}, this, [this](const AdminReply &reply) {
        m_loading = false;
        if (!reply.ok()) {
            if (!m_loaded)
                m_emptyLabel->setText(tr("The settings could not be loaded."));
            m_messages->showError(tr("Could not load the relay's settings: %1").arg(reply.errorText()));
            updateButtons();
            return;
        }
        showSettings(reply.object());
    });
}

void SettingsPage::showSettings(const QJsonObject &answer)
{
    m_configPath = answer.value(u"config_file"_s).toString();
    const QJsonValue fileError = answer.value(u"file_error"_s);
    setErrorText(m_fileError, fileError.isString()
                                  ? tr("The config file cannot be read, so the values below may not be what it says: "
                                       "%1")
                                        .arg(fileError.toString())
                                  : QString());
    const QJsonArray items = answer.value(u"items"_s).toArray();
    // The same settings as shown: update the rows in place (keeps focus and scroll position).
    bool sameKeys = items.size() == m_rows.size();
    for (int i = 0; sameKeys && i < items.size(); ++i)
        sameKeys = row(items.at(i).toObject().value(u"key"_s).toString()) != nullptr;
    if (sameKeys) {
        for (const QJsonValue &item : items)
            row(item.toObject().value(u"key"_s).toString())->setItem(item.toObject());
    } else {
        rebuildForm(items);
    }
    m_loaded = true;
    retranslate();
    updateButtons();
}

void SettingsPage::rebuildForm(const QJsonArray &items)
{
    const int scroll = m_scroll->verticalScrollBar() ? m_scroll->verticalScrollBar()->value() : 0;
    qDeleteAll(m_groups);
    m_groups.clear();
    m_groupIds.clear();
    m_rows.clear();
    m_emptyLabel->setVisible(items.isEmpty());

    // Groups in a fixed order; within a group, the relay's order.
    constexpr Group Order[] = {Group::Listener, Group::Workers, Group::Redis, Group::Logging, Group::Upstream,
                               Group::Pricing,  Group::Admin,   Group::OAuth, Group::Other};
    int position = 1; // after the empty-state label
    for (const Group group : Order) {
        QGroupBox *box = nullptr;
        QGridLayout *grid = nullptr;
        for (const QJsonValue &value : items) {
            const QJsonObject item = value.toObject();
            if (groupOf(item.value(u"key"_s).toString()) != group)
                continue;
            if (!box) {
                box = new QGroupBox(m_form);
                box->setObjectName(u"group_"_s + QString::number(int(group)));
                grid = new QGridLayout(box);
                grid->setColumnStretch(1, 1);
                grid->setColumnMinimumWidth(0, 190);
                grid->setHorizontalSpacing(12);
                m_formLayout->insertWidget(position++, box);
                m_groups.append(box);
                m_groupIds.append(group);
            }
            auto *row = new SettingRow(item, box);
            QLabel *name = row->nameLabel();
            name->setParent(box);
            name->setBuddy(row->editor());
            name->setContentsMargins(0, 4, 0, 0);
            const int line = grid->rowCount();
            grid->addWidget(name, line, 0, Qt::AlignRight | Qt::AlignTop);
            grid->addWidget(row, line, 1);
            connect(row, &SettingRow::modifiedChanged, this, &SettingsPage::updateButtons);
            connect(row, &QObject::destroyed, name, &QObject::deleteLater);
            m_rows.append(row);
        }
    }
    if (m_scroll->verticalScrollBar())
        m_scroll->verticalScrollBar()->setValue(scroll);
}

void SettingsPage::updateButtons()
{
    const bool modified = hasUnsavedChanges();
    const bool idle = !m_loading && !m_applying;
    const bool writable = m_loaded && !m_configPath.isEmpty();
    m_applyButton->setEnabled(idle && writable && modified);
    m_applyAction->setEnabled(idle && writable);
    m_revertButton->setEnabled(idle && modified);
    m_reloadButton->setEnabled(idle);
    m_reloadAction->setEnabled(idle);
    for (SettingRow *row : std::as_const(m_rows))
        row->setEnabled(!m_applying);
}

void SettingsPage::revert()
{
    for (SettingRow *row : std::as_const(m_rows))
        row->revert();
    m_messages->clear();
    updateButtons();
}

void SettingsPage::apply()
{
    if (m_applying || m_loading)
        return;
    QJsonObject values;
    for (SettingRow *row : std::as_const(m_rows)) {
        row->clearError();
        if (row->isModified())
            values.insert(row->key(), row->pendingValue());
    }
    if (values.isEmpty()) {
        m_messages->showMessage(MessageBar::Kind::Information, tr("Nothing to apply: no setting was changed."));
        return;
    }
    m_applying = true;
    updateButtons();
    m_messages->showBusy(tr("Saving the changed settings…"));
    client()->put(u"/admin/settings"_s, QJsonObject{{u"values"_s, values}}, this, [this](const AdminReply &reply) {
        m_applying = false;
        updateButtons();
        if (reply.ok()) {
            onApplied(reply.object());
            return;
        }
        if (reply.status == 422 && !reply.fieldErrors.isEmpty()) {
            QStringList problems;
            SettingRow *first = nullptr;
            for (auto it = reply.fieldErrors.begin(); it != reply.fieldErrors.end(); ++it) {
                const QString message = it.value().toString();
                if (SettingRow *row = this->row(it.key())) {
                    row->setError(message);
                    first = first ? first : row;
                }
                problems.append(u"%1: %2"_s.arg(SettingRow::friendlyName(it.key()), message));
            }
            if (first)
                m_scroll->ensureWidgetVisible(first);
            m_messages->showError(tr("Nothing was saved, because of invalid values: %1").arg(problems.join(u"; "_s)));
            return;
        }
        m_messages->showError(tr("The settings were not saved: %1").arg(reply.errorText()));
    });
}

QString SettingsPage::names(const QJsonValue &keys) const
{
    QStringList list;
    for (const QJsonValue &key : keys.toArray())
        list.append(SettingRow::friendlyName(key.toString()));
    return list.join(u", "_s);
}

void SettingsPage::onApplied(const QJsonObject &answer)
{
    const QJsonArray changed = answer.value(u"changed"_s).toArray();
    const QJsonArray applied = answer.value(u"applied"_s).toArray();
    const QJsonArray restart = answer.value(u"restart_required"_s).toArray();
    const QJsonArray overridden = answer.value(u"overridden"_s).toArray();
    QStringList parts;
    if (changed.isEmpty())
        parts.append(tr("The config file already had these values."));
    else
        parts.append(tr("Saved to %1.").arg(answer.value(u"config_file"_s).toString()));
    if (!applied.isEmpty())
        parts.append(tr("Applied now: %1.").arg(names(applied)));
    if (!restart.isEmpty())
        parts.append(tr("Takes effect after a restart: %1.").arg(names(restart)));
    if (!overridden.isEmpty())
        parts.append(tr("Not used while an environment variable or option sets it: %1.").arg(names(overridden)));
    m_messages->showSuccess(parts.join(u' '));

    QStringList keys = m_restartKeys;
    for (const QJsonValue &key : restart)
        if (!keys.contains(key.toString()))
            keys.append(key.toString());
    showRestartNotice(keys);
    load();
}

void SettingsPage::showRestartNotice(const QStringList &keys)
{
    m_restartKeys = keys;
    if (keys.isEmpty()) {
        m_restartBanner->hide();
        return;
    }
    QStringList list;
    for (const QString &key : keys)
        list.append(SettingRow::friendlyName(key));
    const QString what =
        tr("Restart required: saved changes to %1 take effect when the relay restarts.").arg(list.join(u", "_s));
    m_restartLabel->setText(m_relay ? what : what + u' ' + tr("Restart relaydeckd on the relay's machine."));
    m_restartButton->setVisible(m_relay != nullptr);
    m_restartButton->setEnabled(true);
    m_restartBanner->show();
}

void SettingsPage::setPasswordErrors(const QString &current, const QString &next, const QString &repeat)
{
    setErrorText(m_currentError, current);
    setErrorText(m_newError, next);
    setErrorText(m_repeatError, repeat);
}

void SettingsPage::changePassword()
{
    if (m_changingPassword)
        return;
    const QString current = m_currentPassword->text();
    const QString next = m_newPassword->text();
    const QString repeat = m_repeatPassword->text();
    QString currentProblem;
    QString nextProblem;
    QString repeatProblem;
    if (current.isEmpty())
        currentProblem = tr("Enter your current password.");
    if (next.size() < MinimumPasswordLength)
        nextProblem = tr("The new password needs at least %n characters.", nullptr, MinimumPasswordLength);
    else if (next == current)
        nextProblem = tr("The new password is the same as the current one.");
    if (repeat != next)
        repeatProblem = tr("The two new passwords are not the same.");
    setPasswordErrors(currentProblem, nextProblem, repeatProblem);
    if (!currentProblem.isEmpty() || !nextProblem.isEmpty() || !repeatProblem.isEmpty()) {
        QStringList problems;
        for (const QString &problem : {currentProblem, nextProblem, repeatProblem})
            if (!problem.isEmpty())
                problems.append(problem);
        m_messages->showError(tr("The password was not changed: %1").arg(problems.join(u' ')));
        return;
    }

    m_changingPassword = true;
    m_changePassword->setEnabled(false);
    m_messages->showBusy(tr("Changing the password…"));
    const QJsonObject body{{u"current_password"_s, current}, {u"new_password"_s, next}};
    client()->post(u"/admin/password"_s, body, this, [this](const AdminReply &reply) {
        m_changingPassword = false;
        m_changePassword->setEnabled(true);
        if (reply.ok()) {
            m_currentPassword->clear();
            m_newPassword->clear();
            m_repeatPassword->clear();
            setPasswordErrors({}, {}, {});
            m_messages->showSuccess(
                tr("The password was changed. Other sessions of %1 were ended.").arg(client()->user()));
            return;
        }
        setPasswordErrors(reply.fieldErrors.value(u"current_password"_s).toString(),
                          reply.fieldErrors.value(u"new_password"_s).toString(), {});
        m_messages->showError(tr("The password was not changed: %1").arg(reply.errorText()));
    });
}

} // namespace Console
