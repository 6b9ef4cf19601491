// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/page.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QStringList>

class QAction;
class QCheckBox;
class QComboBox;
class QFrame;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QScrollArea;
class QTabWidget;
class QVBoxLayout;

namespace Console {

class LanguageManager;
class MessageBar;
class RelayController;
class SettingRow;

// Settings, in two tabs. "Relay": every setting of the relay (GET /admin/settings) grouped by topic, edited with
// an editor per type and saved with one PUT /admin/settings of the changed keys only — the relay validates all of
// them first and writes nothing when one is wrong, so refused values are shown next to their fields and nothing is
// half-applied. Afterwards the page says what applied at once and what waits for a restart, and offers to restart a
// bundled relay. "Console": the console's language (applies at once), staying in the tray, and the admin password.
class SettingsPage : public Page
{
    Q_OBJECT
public:
    SettingsPage(AdminClient *client, LanguageManager *languages, RelayController *relay, QWidget *parent = nullptr);

    QString title() const override { return tr("Settings"); }
    QString iconName() const override { return QStringLiteral("settings"); }

    void activate() override;
    void reset() override;

    // The row of a relay setting ("log.level"), once loaded.
    SettingRow *row(const QString &key) const;
    QList<SettingRow *> rows() const { return m_rows; }
    bool hasUnsavedChanges() const;

protected:
    void retranslate() override;

private:
    enum class Group { Listener, Workers, Redis, Logging, Upstream, Pricing, Admin, OAuth, Other };

    QWidget *createRelayTab();
    QWidget *createConsoleTab();
    static Group groupOf(const QString &key);
    QString groupTitle(Group group) const;

    void load();
    void showSettings(const QJsonObject &answer);
    void rebuildForm(const QJsonArray &items);
    void apply();
    void revert();
    void onApplied(const QJsonObject &answer);
    void showRestartNotice(const QStringList &keys);
    QString names(const QJsonValue &keys) const;
    void updateButtons();

    void fillLanguages();
    void changePassword();
    void setPasswordErrors(const QString &current, const QString &next, const QString &repeat);

    QPointer<LanguageManager> m_languages;
    QPointer<RelayController> m_relay;
    MessageBar *m_messages;
    QTabWidget *m_tabs;

    // Relay tab
    QLabel *m_configFile = nullptr;
    QLabel *m_fileError = nullptr;
    QScrollArea *m_scroll = nullptr;
    QWidget *m_form = nullptr;
    QVBoxLayout *m_formLayout = nullptr;
    QList<QGroupBox *> m_groups;
    QList<Group> m_groupIds;
    QList<SettingRow *> m_rows;
    QLabel *m_emptyLabel = nullptr;
    QFrame *m_restartBanner = nullptr;
    QLabel *m_restartLabel = nullptr;
    QPushButton *m_restartButton = nullptr;
    QPushButton *m_reloadButton = nullptr;
    QPushButton *m_revertButton = nullptr;
    QPushButton *m_applyButton = nullptr;
    QAction *m_reloadAction = nullptr;
    QAction *m_applyAction = nullptr;
    QString m_configPath;
    QStringList m_restartKeys;
    bool m_loaded = false;
    bool m_loading = false;
    bool m_applying = false;

    // Console tab
    QGroupBox *m_languageGroup = nullptr;
    QLabel *m_languageLabel = nullptr;
    QComboBox *m_languageCombo = nullptr;
    QGroupBox *m_windowGroup = nullptr;
    QCheckBox *m_trayCheck = nullptr;
    QLabel *m_trayHint = nullptr;
    QGroupBox *m_passwordGroup = nullptr;
    QLabel *m_passwordIntro = nullptr;
    QLabel *m_currentLabel = nullptr;
    QLabel *m_newLabel = nullptr;
    QLabel *m_repeatLabel = nullptr;
    QLineEdit *m_currentPassword = nullptr;
    QLineEdit *m_newPassword = nullptr;
    QLineEdit *m_repeatPassword = nullptr;
    QLabel *m_currentError = nullptr;
    QLabel *m_newError = nullptr;
    QLabel *m_repeatError = nullptr;
    QPushButton *m_changePassword = nullptr;
    bool m_changingPassword = false;
};

} // namespace Console
