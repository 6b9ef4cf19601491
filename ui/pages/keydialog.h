// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>

class QCheckBox;
class QComboBox;
class QDateTimeEdit;
class QDialogButtonBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QTabWidget;

namespace Console {

class AdminClient;

// Creates an API key (POST /admin/keys) or edits one (PATCH /admin/keys/{id}, only the fields that changed):
// name, notes, tags, expiry, binding, limits and restrictions. The dialog sends the request itself so the relay's
// field errors (422) appear next to the fields; saved() carries the relay's answer (with the clear key on create).
class KeyDialog : public QDialog
{
    Q_OBJECT
public:
    // `key` is the record to edit, or empty to create one; `accounts` and `groups` are list items offered as
    // bindings.
    KeyDialog(AdminClient *client, const QJsonObject &key, const QJsonArray &accounts, const QJsonArray &groups,
              QWidget *parent = nullptr);

    bool isCreating() const { return m_id.isEmpty(); }
    // The request body the form gives now (for edits only the changed fields); empty when nothing changed.
    QJsonObject requestBody() const;

Q_SIGNALS:
    void saved(const QJsonObject &key);

protected:
    void changeEvent(QEvent *event) override;

private:
    enum class Expiry { Never, At, AfterFirstUse };

    void buildGeneralTab();
    void buildLimitsTab();
    void buildRestrictionsTab();
    QLabel *addRow(QFormLayout *form, const QString &field, QWidget *widget);
    void fillBindings(const QJsonArray &accounts, const QJsonArray &groups, const QJsonObject &key);
    void load(const QJsonObject &key);
    void retranslate();
    void updateEnabledFields();
    // Every field in the API's form, from the widgets (the same shape for an unchanged form each time).
    QJsonObject formValues() const;
    void save();
    void showFieldErrors(const QJsonObject &errors, const QString &fallback);
    void clearErrors();
    void setBusy(bool busy);

    AdminClient *m_client;
    QString m_id;
    QJsonObject m_initial; // formValues() right after loading, to send only what changed
    bool m_busy = false;

    QTabWidget *m_tabs;
    QLabel *m_generalError;
    QDialogButtonBox *m_buttons;
    QHash<QString, QLabel *> m_labels; // row label per field
    QHash<QString, QLabel *> m_errors; // error line per field
    QHash<QString, int> m_tabOf;       // which tab holds a field

    // General
    QLineEdit *m_name;
    QPlainTextEdit *m_description;
    QLineEdit *m_tags;
    QComboBox *m_expiryMode;
    QDateTimeEdit *m_expiresAt;
    QSpinBox *m_expiresAfterDays;
    QComboBox *m_binding;
    // Limits
    QSpinBox *m_concurrency;
    QSpinBox *m_concurrencyWait;
    QSpinBox *m_windowMinutes;
    QSpinBox *m_windowRequests;
    QSpinBox *m_windowTokens;
    QDoubleSpinBox *m_windowCost;
    QDoubleSpinBox *m_dailyCost;
    QDoubleSpinBox *m_totalCost;
    QDoubleSpinBox *m_weeklyOpus;
    QDoubleSpinBox *m_weeklySonnet;
    QDoubleSpinBox *m_weeklyHaiku;
    QLineEdit *m_timeZone;
    QLabel *m_limitsNote;
    // Restrictions
    QCheckBox *m_allowMessages;
    QCheckBox *m_allowCountTokens;
    QCheckBox *m_allowModels;
    QComboBox *m_modelRule;
    QLineEdit *m_models;
    QComboBox *m_clientRule;
};

} // namespace Console
