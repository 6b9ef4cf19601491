// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>
#include <QHash>
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

namespace Console {

class AdminClient;
struct AdminReply;

// Adds an upstream account or edits one. The fields follow the account type (an API key with its base URL, or an
// OAuth access token with an optional refresh token and expiry). Secrets are write-only: when editing, their fields
// start empty ("unchanged") and are sent only when something is typed. The dialog saves through the admin API
// itself, so a refused value (422) is shown next to its field and the dialog stays open; accountSaved() is emitted
// with the stored account once the relay accepted it. Open it with open(), never exec().
class AccountDialog : public QDialog
{
    Q_OBJECT
public:
    // `account` is a row of GET /admin/accounts to edit, or empty for a new account.
    AccountDialog(AdminClient *client, const QJsonObject &account, QWidget *parent = nullptr);

    bool isEditing() const { return !m_account.isEmpty(); }

Q_SIGNALS:
    void accountSaved(const QJsonObject &account);

protected:
    void changeEvent(QEvent *event) override;

private:
    QLabel *addRow(const QString &field, QWidget *editor, QLabel **label);
    void retranslate();
    void updateTypeFields();
    void fill();
    // The request body: every field for a new account, only the changed ones when editing; empty with `problem`
    // set when the form itself is not valid.
    QJsonObject body(QString *problemField, QString *problem) const;
    void save();
    void setSaving(bool saving);
    void clearErrors();
    void showErrors(const AdminReply &reply);
    void showFieldError(const QString &field, const QString &message);
    bool isOAuth() const;

    AdminClient *m_client;
    QJsonObject m_account;
    bool m_saving = false;

    QFormLayout *m_form;
    QComboBox *m_type;
    QLineEdit *m_name;
    QLineEdit *m_baseUrl;
    QLineEdit *m_secret;
    QLineEdit *m_refreshToken;
    QCheckBox *m_tokenExpiresKnown;
    QDateTimeEdit *m_tokenExpires;
    QSpinBox *m_priority;
    QSpinBox *m_concurrency;
    QCheckBox *m_schedulable;
    QLineEdit *m_proxyUrl;
    QLineEdit *m_proxyPassword;
    QPlainTextEdit *m_modelMapping;
    QDoubleSpinBox *m_quota;
    QPlainTextEdit *m_notes;
    QLabel *m_formError;
    QDialogButtonBox *m_buttons;

    QLabel *m_typeLabel = nullptr;
    QLabel *m_nameLabel = nullptr;
    QLabel *m_baseUrlLabel = nullptr;
    QLabel *m_secretLabel = nullptr;
    QLabel *m_refreshTokenLabel = nullptr;
    QLabel *m_tokenExpiresLabel = nullptr;
    QLabel *m_priorityLabel = nullptr;
    QLabel *m_concurrencyLabel = nullptr;
    QLabel *m_schedulableLabel = nullptr;
    QLabel *m_proxyUrlLabel = nullptr;
    QLabel *m_proxyPasswordLabel = nullptr;
    QLabel *m_modelMappingLabel = nullptr;
    QLabel *m_quotaLabel = nullptr;
    QLabel *m_notesLabel = nullptr;
    // API field name -> the label under its editor that shows what is wrong with it.
    QHash<QString, QLabel *> m_errors;
    QHash<QString, QWidget *> m_rows;
};

} // namespace Console
