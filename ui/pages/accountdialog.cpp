// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/accountdialog.h"

#include "ui/adminclient.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTimeEdit>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace Console {

namespace {

constexpr int MaxPriority = 1000;
constexpr int MaxConcurrency = 100000;
constexpr int DefaultPriority = 50;
constexpr double NanosPerUsd = 1e9;

QLineEdit *secretEdit(const QString &name, QWidget *parent)
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(name);
    edit->setEchoMode(QLineEdit::Password);
    // Never offer a typed secret back through the clipboard or drag and drop.
    edit->setContextMenuPolicy(Qt::NoContextMenu);
    edit->setDragEnabled(false);
    return edit;
}

QString mappingText(const QJsonObject &mapping)
{
    QStringList lines;
    for (auto it = mapping.constBegin(); it != mapping.constEnd(); ++it)
        lines.append(it.key() + u" = "_s + it.value().toString());
    return lines.join(u'\n');
}

} // namespace

AccountDialog::AccountDialog(AdminClient *client, const QJsonObject &account, QWidget *parent)
    : QDialog(parent)
    , m_client(client)
    , m_account(account)
    , m_form(new QFormLayout)
    , m_type(new QComboBox(this))
    , m_name(new QLineEdit(this))
    , m_baseUrl(new QLineEdit(this))
    , m_secret(secretEdit(u"secretEdit"_s, this))
    , m_refreshToken(secretEdit(u"refreshTokenEdit"_s, this))
    , m_tokenExpiresKnown(new QCheckBox(this))
    , m_tokenExpires(new QDateTimeEdit(this))
    , m_priority(new QSpinBox(this))
    , m_concurrency(new QSpinBox(this))
    , m_schedulable(new QCheckBox(this))
    , m_proxyUrl(new QLineEdit(this))
    , m_proxyPassword(secretEdit(u"proxyPasswordEdit"_s, this))
    , m_modelMapping(new QPlainTextEdit(this))
    , m_quota(new QDoubleSpinBox(this))
    , m_notes(new QPlainTextEdit(this))
    , m_formError(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(u"accountDialog"_s);
    setAttribute(Qt::WA_DeleteOnClose);
    setModal(true);

    m_type->setObjectName(u"typeCombo"_s);
    m_type->addItem(QString(), u"apikey"_s);
    m_type->addItem(QString(), u"oauth"_s);
    m_name->setObjectName(u"nameEdit"_s);
    m_name->setMaxLength(100);
    m_baseUrl->setObjectName(u"baseUrlEdit"_s);
    m_tokenExpiresKnown->setObjectName(u"tokenExpiresCheck"_s);
    m_tokenExpires->setObjectName(u"tokenExpiresEdit"_s);
    m_tokenExpires->setCalendarPopup(true);
    m_tokenExpires->setDisplayFormat(u"yyyy-MM-dd HH:mm"_s);
    m_tokenExpires->setDateTime(QDateTime::currentDateTime().addSecs(3600));
    m_tokenExpires->setEnabled(false);
    m_priority->setObjectName(u"prioritySpin"_s);
    m_priority->setRange(0, MaxPriority);
    m_priority->setValue(DefaultPriority);
    m_concurrency->setObjectName(u"concurrencySpin"_s);
    m_concurrency->setRange(0, MaxConcurrency);
    m_schedulable->setObjectName(u"schedulableCheck"_s);
    m_schedulable->setChecked(true);
    m_proxyUrl->setObjectName(u"proxyUrlEdit"_s);
    m_modelMapping->setObjectName(u"modelMappingEdit"_s);
    m_modelMapping->setTabChangesFocus(true);
    m_modelMapping->setFixedHeight(m_modelMapping->fontMetrics().lineSpacing() * 4 + 12);
    m_quota->setObjectName(u"quotaSpin"_s);
    m_quota->setRange(0, 1e6);
    m_quota->setDecimals(2);
    m_quota->setPrefix(u"$"_s);
    m_notes->setObjectName(u"notesEdit"_s);
    m_notes->setTabChangesFocus(true);
    m_notes->setFixedHeight(m_notes->fontMetrics().lineSpacing() * 3 + 12);
    m_formError->setObjectName(u"formError"_s);
    m_formError->setWordWrap(true);
    m_formError->setStyleSheet(u"color:#b3261e;"_s);
    m_formError->hide();
    m_buttons->setObjectName(u"buttonBox"_s);
    m_buttons->button(QDialogButtonBox::Ok)->setObjectName(u"okButton"_s);
    m_buttons->button(QDialogButtonBox::Cancel)->setObjectName(u"cancelButton"_s);

    auto *expiry = new QWidget(this);
    auto *expiryLayout = new QHBoxLayout(expiry);
    expiryLayout->setContentsMargins(0, 0, 0, 0);
    expiryLayout->addWidget(m_tokenExpiresKnown);
    expiryLayout->addWidget(m_tokenExpires, 1);

    m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    addRow(u"type"_s, m_type, &m_typeLabel);
    addRow(u"name"_s, m_name, &m_nameLabel);
    addRow(u"base_url"_s, m_baseUrl, &m_baseUrlLabel);
    addRow(u"secret"_s, m_secret, &m_secretLabel);
    addRow(u"refresh_token"_s, m_refreshToken, &m_refreshTokenLabel);
    addRow(u"token_expires_at"_s, expiry, &m_tokenExpiresLabel);
    addRow(u"priority"_s, m_priority, &m_priorityLabel);
    addRow(u"max_concurrency"_s, m_concurrency, &m_concurrencyLabel);
    addRow(u"schedulable"_s, m_schedulable, &m_schedulableLabel);
    addRow(u"proxy_url"_s, m_proxyUrl, &m_proxyUrlLabel);
    addRow(u"proxy_password"_s, m_proxyPassword, &m_proxyPasswordLabel);
    addRow(u"model_mapping"_s, m_modelMapping, &m_modelMappingLabel);
    addRow(u"daily_cost_quota_usd"_s, m_quota, &m_quotaLabel);
    m_errors.insert(u"daily_cost_quota_nanos"_s, m_errors.value(u"daily_cost_quota_usd"_s));
    addRow(u"notes"_s, m_notes, &m_notesLabel);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_formError);
    layout->addLayout(m_form);
    layout->addWidget(m_buttons);

    setTabOrder(m_type, m_name);
    setTabOrder(m_name, m_baseUrl);
    setTabOrder(m_baseUrl, m_secret);
    setTabOrder(m_secret, m_refreshToken);
    setTabOrder(m_refreshToken, m_tokenExpiresKnown);
    setTabOrder(m_tokenExpiresKnown, m_tokenExpires);
    setTabOrder(m_tokenExpires, m_priority);
    setTabOrder(m_priority, m_concurrency);
    setTabOrder(m_concurrency, m_schedulable);
    setTabOrder(m_schedulable, m_proxyUrl);
    setTabOrder(m_proxyUrl, m_proxyPassword);
    setTabOrder(m_proxyPassword, m_modelMapping);
    setTabOrder(m_modelMapping, m_quota);
    setTabOrder(m_quota, m_notes);

    connect(m_type, &QComboBox::currentIndexChanged, this, [this] { updateTypeFields(); });
    connect(m_tokenExpiresKnown, &QCheckBox::toggled, m_tokenExpires, &QWidget::setEnabled);
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this] { save(); });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    if (isEditing())
        fill();
    retranslate();
    updateTypeFields();
    setMinimumWidth(520);
    m_name->setFocus();
}

QLabel *AccountDialog::addRow(const QString &field, QWidget *editor, QLabel **label)
{
    auto *row = new QWidget(this);
    auto *rowLayout = new QVBoxLayout(row);
    rowLayout->setContentsMargins(0, 0, 0, 0);
    rowLayout->setSpacing(2);
    rowLayout->addWidget(editor);
    auto *error = new QLabel(row);
    QString camel;
    bool upper = false;
    for (const QChar c : field) {
        if (c == u'_') {
            upper = true;
            continue;
        }
        camel.append(upper ? c.toUpper() : c);
        upper = false;
    }
    error->setObjectName(camel + u"Error"_s);
    error->setWordWrap(true);
    error->setStyleSheet(u"color:#b3261e;"_s);
    error->hide();
    rowLayout->addWidget(error);
    *label = new QLabel(this);
    (*label)->setBuddy(editor);
    m_form->addRow(*label, row);
    m_errors.insert(field, error);
    m_rows.insert(field, row);
    return error;
}

void AccountDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QDialog::changeEvent(event);
}

void AccountDialog::retranslate()
{
    setWindowTitle(isEditing() ? tr("Edit account %1").arg(m_account.value(u"name"_s).toString()) : tr("Add account"));
    m_type->setItemText(0, tr("API key"));
    m_type->setItemText(1, tr("OAuth (Claude subscription)"));
    m_typeLabel->setText(tr("&Type:"));
    m_nameLabel->setText(tr("&Name:"));
    m_baseUrlLabel->setText(tr("&Base URL:"));
    m_refreshTokenLabel->setText(tr("&Refresh token:"));
    m_tokenExpiresLabel->setText(tr("Token e&xpires:"));
    m_tokenExpiresKnown->setText(tr("known"));
    m_priorityLabel->setText(tr("&Priority:"));
    m_priority->setToolTip(tr("0 to 1000; lower is preferred"));
    m_concurrencyLabel->setText(tr("Max &concurrency:"));
    m_concurrency->setSpecialValueText(tr("No limit"));
    m_schedulableLabel->setText(tr("Scheduling:"));
    m_schedulable->setText(tr("&Schedulable (takes new requests)"));
    m_proxyUrlLabel->setText(tr("Pro&xy URL:"));
    m_proxyUrl->setPlaceholderText(tr("none (direct); http://host:port or socks5://user@host:port"));
    m_proxyPasswordLabel->setText(tr("Proxy pass&word:"));
    m_modelMappingLabel->setText(tr("&Model mapping:"));
    m_modelMapping->setPlaceholderText(tr("one per line: requested-model = upstream-model"));
    m_quotaLabel->setText(tr("Daily cost &quota:"));
    m_quota->setSpecialValueText(tr("No quota"));
    m_notesLabel->setText(tr("N&otes:"));
    m_buttons->button(QDialogButtonBox::Ok)
        ->setText(m_saving ? tr("Saving…") : (isEditing() ? tr("Save") : tr("Add account")));
    m_buttons->button(QDialogButtonBox::Cancel)->setText(tr("Cancel"));

    const QString unchanged = tr("unchanged — type to replace");
    m_proxyPassword->setPlaceholderText(isEditing() && m_account.value(u"has_proxy_password"_s).toBool() ? unchanged
                                                                                                         : tr("none"));
    m_type->setAccessibleName(tr("Account type"));
    m_name->setAccessibleName(tr("Name"));
    m_baseUrl->setAccessibleName(tr("Base URL"));
    m_refreshToken->setAccessibleName(tr("Refresh token"));
    m_tokenExpires->setAccessibleName(tr("Token expiry"));
    m_priority->setAccessibleName(tr("Priority"));
    m_concurrency->setAccessibleName(tr("Max concurrency"));
    m_proxyUrl->setAccessibleName(tr("Proxy URL"));
    m_proxyPassword->setAccessibleName(tr("Proxy password"));
    m_modelMapping->setAccessibleName(tr("Model mapping"));
    m_quota->setAccessibleName(tr("Daily cost quota in USD"));
    m_notes->setAccessibleName(tr("Notes"));
    updateTypeFields();
}

bool AccountDialog::isOAuth() const
{
    return m_type->currentData().toString() == u"oauth";
}

void AccountDialog::updateTypeFields()
{
    const bool oauth = isOAuth();
    m_form->setRowVisible(m_rows.value(u"refresh_token"_s), oauth);
    m_form->setRowVisible(m_rows.value(u"token_expires_at"_s), oauth);
    m_secretLabel->setText(oauth ? tr("&Access token:") : tr("API &key:"));
    m_secret->setAccessibleName(oauth ? tr("Access token") : tr("API key"));
    m_baseUrl->setPlaceholderText(oauth ? tr("https://api.anthropic.com (default)") : tr("https://api.anthropic.com"));
    const QString unchanged = tr("unchanged — type to replace");
    if (isEditing()) {
        m_secret->setPlaceholderText(m_account.value(u"has_secret"_s).toBool() ? unchanged : tr("not set"));
        m_refreshToken->setPlaceholderText(m_account.value(u"has_refresh_token"_s).toBool() ? unchanged : tr("none"));
    } else {
        m_secret->setPlaceholderText(oauth ? tr("the OAuth access token") : tr("sk-ant-api03-…"));
        m_refreshToken->setPlaceholderText(tr("optional: lets the relay renew the access token"));
    }
}

void AccountDialog::fill()
{
    const int typeIndex = m_type->findData(m_account.value(u"type"_s).toString());
    m_type->setCurrentIndex(typeIndex < 0 ? 0 : typeIndex);
    m_type->setEnabled(false); // the API cannot change an account's type
    m_name->setText(m_account.value(u"name"_s).toString());
    m_baseUrl->setText(m_account.value(u"base_url"_s).toString());
    const qint64 expires = m_account.value(u"token_expires_at"_s).toInteger();
    m_tokenExpiresKnown->setChecked(expires > 0);
    if (expires > 0)
        m_tokenExpires->setDateTime(QDateTime::fromMSecsSinceEpoch(expires));
    m_priority->setValue(m_account.value(u"priority"_s).toInt(DefaultPriority));
    m_concurrency->setValue(m_account.value(u"max_concurrency"_s).toInt());
    m_schedulable->setChecked(m_account.value(u"schedulable"_s).toBool(true));
    m_proxyUrl->setText(m_account.value(u"proxy_url"_s).toString());
    m_modelMapping->setPlainText(mappingText(m_account.value(u"model_mapping"_s).toObject()));
    m_quota->setValue(double(m_account.value(u"daily_cost_quota_nanos"_s).toInteger()) / NanosPerUsd);
    m_notes->setPlainText(m_account.value(u"notes"_s).toString());
}

QJsonObject AccountDialog::body(QString *problemField, QString *problem) const
{
    // The mapping is edited as text: "requested = upstream" (or "->") per line.
    QJsonObject mapping;
    const QStringList lines = m_modelMapping->toPlainText().split(u'\n');
    static const QRegularExpression separator(u"\\s*(?:->|→|=)\\s*"_s);
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString line = lines.at(i).trimmed();
        if (line.isEmpty())
            continue;
        const QStringList parts = line.split(separator);
        if (parts.size() != 2 || parts.at(0).isEmpty() || parts.at(1).isEmpty()) {
            *problemField = u"model_mapping"_s;
            *problem = tr("Line %1: write requested-model = upstream-model").arg(i + 1);
            return {};
        }
        mapping.insert(parts.at(0), parts.at(1));
    }

    const QString name = m_name->text().trimmed();
    const QString baseUrl = m_baseUrl->text().trimmed();
    const QString proxyUrl = m_proxyUrl->text().trimmed();
    const QString notes = m_notes->toPlainText();
    const qint64 expires = m_tokenExpiresKnown->isChecked() ? m_tokenExpires->dateTime().toMSecsSinceEpoch() : 0;
    const double quota = m_quota->value();
    QJsonObject out;

    if (!isEditing()) {
        out.insert(u"type"_s, m_type->currentData().toString());
        out.insert(u"name"_s, name);
        if (!isOAuth() || !baseUrl.isEmpty())
            out.insert(u"base_url"_s, baseUrl);
        out.insert(u"secret"_s, m_secret->text());
        if (isOAuth()) {
            if (!m_refreshToken->text().isEmpty())
                out.insert(u"refresh_token"_s, m_refreshToken->text());
            if (expires > 0)
                out.insert(u"token_expires_at"_s, expires);
        }
        out.insert(u"priority"_s, m_priority->value());
        out.insert(u"max_concurrency"_s, m_concurrency->value());
        out.insert(u"schedulable"_s, m_schedulable->isChecked());
        if (!proxyUrl.isEmpty())
            out.insert(u"proxy_url"_s, proxyUrl);
        if (!m_proxyPassword->text().isEmpty())
            out.insert(u"proxy_password"_s, m_proxyPassword->text());
        if (!mapping.isEmpty())
            out.insert(u"model_mapping"_s, mapping);
        if (quota > 0)
            out.insert(u"daily_cost_quota_usd"_s, quota);
        if (!notes.isEmpty())
            out.insert(u"notes"_s, notes);
        return out;
    }

    // Editing: only what changed, so a concurrent edit of another field is kept.
    const QJsonObject &a = m_account;
    if (name != a.value(u"name"_s).toString())
        out.insert(u"name"_s, name);
    if (baseUrl != a.value(u"base_url"_s).toString())
        out.insert(u"base_url"_s, baseUrl);
    if (!m_secret->text().isEmpty())
        out.insert(u"secret"_s, m_secret->text());
    if (isOAuth()) {
        if (!m_refreshToken->text().isEmpty())
            out.insert(u"refresh_token"_s, m_refreshToken->text());
        const qint64 stored = a.value(u"token_expires_at"_s).toInteger();
        // The editor shows minutes: an unchanged expiry must not be sent back rounded.
        if ((expires > 0) != (stored > 0) || std::llabs(expires - stored) >= 60000)
            out.insert(u"token_expires_at"_s, expires);
    }
    if (m_priority->value() != a.value(u"priority"_s).toInt(DefaultPriority))
        out.insert(u"priority"_s, m_priority->value());
    if (m_concurrency->value() != a.value(u"max_concurrency"_s).toInt())
        out.insert(u"max_concurrency"_s, m_concurrency->value());
    if (m_schedulable->isChecked() != a.value(u"schedulable"_s).toBool(true))
        out.insert(u"schedulable"_s, m_schedulable->isChecked());
    if (proxyUrl != a.value(u"proxy_url"_s).toString())
        out.insert(u"proxy_url"_s, proxyUrl);
    if (!m_proxyPassword->text().isEmpty())
        out.insert(u"proxy_password"_s, m_proxyPassword->text());
    if (mapping != a.value(u"model_mapping"_s).toObject())
        out.insert(u"model_mapping"_s, mapping);
    const double storedQuota = double(a.value(u"daily_cost_quota_nanos"_s).toInteger()) / NanosPerUsd;
    if (std::abs(quota - storedQuota) >= 0.005)
        out.insert(u"daily_cost_quota_usd"_s, quota);
    if (notes != a.value(u"notes"_s).toString())
        out.insert(u"notes"_s, notes);
    return out;
}

void AccountDialog::save()
{
    if (m_saving)
        return;
    clearErrors();
    QString problemField;
    QString problem;
    const QJsonObject request = body(&problemField, &problem);
    if (!problem.isEmpty()) {
        showFieldError(problemField, problem);
        return;
    }
    if (request.isEmpty()) {
        accept(); // nothing changed
        return;
    }
    setSaving(true);
    auto done = [this](const AdminReply &reply) {
        setSaving(false);
        if (!reply.ok()) {
            showErrors(reply);
            return;
        }
        Q_EMIT accountSaved(reply.object());
        accept();
    };
    if (isEditing())
        m_client->patch(u"/admin/accounts/"_s + m_account.value(u"id"_s).toString(), request, this, done);
    else
        m_client->post(u"/admin/accounts"_s, request, this, done);
}

void AccountDialog::setSaving(bool saving)
{
    m_saving = saving;
    QPushButton *ok = m_buttons->button(QDialogButtonBox::Ok);
    ok->setEnabled(!saving);
    ok->setText(saving ? tr("Saving…") : (isEditing() ? tr("Save") : tr("Add account")));
    if (saving)
        setCursor(Qt::BusyCursor);
    else
        unsetCursor();
}

void AccountDialog::clearErrors()
{
    m_formError->clear();
    m_formError->hide();
    for (QLabel *label : std::as_const(m_errors)) {
        label->clear();
        label->hide();
    }
}

void AccountDialog::showFieldError(const QString &field, const QString &message)
{
    QLabel *label = m_errors.value(field);
    QWidget *row = m_rows.value(field == u"daily_cost_quota_nanos" ? u"daily_cost_quota_usd"_s : field);
    if (!label || !row || !row->isVisibleTo(this)) {
        // Not a field of this form (or hidden for this type): above the form, with the field's API name.
        const QString line = field.isEmpty() ? message : field + u": "_s + message;
        m_formError->setText(m_formError->text().isEmpty() ? line : m_formError->text() + u'\n' + line);
        m_formError->show();
        return;
    }
    const bool first = std::none_of(m_errors.cbegin(), m_errors.cend(), [](QLabel *l) { return !l->isHidden(); });
    label->setText(message);
    label->show();
    if (first)
        if (auto *buddyLabel = qobject_cast<QLabel *>(m_form->labelForField(row)); buddyLabel && buddyLabel->buddy())
            buddyLabel->buddy()->setFocus();
}

void AccountDialog::showErrors(const AdminReply &reply)
{
    const QJsonObject fields = reply.fieldErrors;
    for (auto it = fields.constBegin(); it != fields.constEnd(); ++it)
        showFieldError(it.key(), it.value().toString());
    if (fields.isEmpty())
        showFieldError(QString(), reply.errorText());
}

} // namespace Console
