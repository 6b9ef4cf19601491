// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/keydialog.h"

#include "ui/adminclient.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
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
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Console {

namespace {

constexpr qint64 MsPerDay = 24LL * 60 * 60 * 1000;
constexpr double NanosPerUsd = 1e9;
constexpr int MaxCount = 2'000'000'000;

const QStringList &weeklyFamilies()
{
    static const QStringList families{u"opus"_s, u"sonnet"_s, u"haiku"_s};
    return families;
}

QSpinBox *countSpin(QWidget *parent, int max, const QString &objectName)
{
    auto *spin = new QSpinBox(parent);
    spin->setObjectName(objectName);
    spin->setRange(0, max);
    spin->setGroupSeparatorShown(true);
    spin->setAccelerated(true);
    return spin;
}

QDoubleSpinBox *moneySpin(QWidget *parent, const QString &objectName)
{
    auto *spin = new QDoubleSpinBox(parent);
    spin->setObjectName(objectName);
    spin->setRange(0, 1'000'000'000);
    spin->setDecimals(2);
    spin->setPrefix(u"$"_s);
    spin->setGroupSeparatorShown(true);
    spin->setAccelerated(true);
    return spin;
}

qint64 nanosOf(const QDoubleSpinBox *spin)
{
    return qint64(std::llround(spin->value() * NanosPerUsd));
}

void setMoney(QDoubleSpinBox *spin, const QJsonValue &nanos)
{
    spin->setValue(double(nanos.toInteger()) / NanosPerUsd);
}

void setCount(QSpinBox *spin, const QJsonValue &value)
{
    spin->setValue(int(std::min<qint64>(value.toInteger(), spin->maximum())));
}

QStringList splitList(const QString &text)
{
    QStringList out;
    for (const QString &part : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const QString trimmed = part.trimmed();
        if (!trimmed.isEmpty() && !out.contains(trimmed))
            out << trimmed;
    }
    return out;
}

QString joinList(const QJsonArray &array)
{
    QStringList parts;
    for (const QJsonValue &value : array)
        parts << value.toString();
    return parts.join(u", "_s);
}

QJsonValue idOrNull(const QString &id)
{
    return id.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(id);
}

// The form row that shows an API field's error: "tags[2]" → "tags", "limits.daily_cost_usd" → "limits.daily_cost".
QString errorRowOf(QString field)
{
    static const QRegularExpression index(u"\\[\\d+\\]"_s);
    field.remove(index);
    if (field == u"expires_after_first_use_ms")
        return u"expires_at"_s;
    if (field == u"bound_group")
        return u"bound_account"_s;
    if (field.startsWith(u"limits.weekly_cost_")) {
        const QStringList parts = field.split(QLatin1Char('.'));
        return parts.size() >= 3 && weeklyFamilies().contains(parts.at(2)) ? u"limits.weekly_cost."_s + parts.at(2)
                                                                           : u"limits"_s;
    }
    if (field.startsWith(u"limits.")) {
        if (field.endsWith(u"_usd"))
            field.chop(4);
        else if (field.endsWith(u"_nanos"))
            field.chop(6);
    }
    return field;
}

} // namespace

KeyDialog::KeyDialog(AdminClient *client, const QJsonObject &key, const QJsonArray &accounts, const QJsonArray &groups,
                     QWidget *parent)
    : QDialog(parent)
    , m_client(client)
    , m_id(key.value(u"id"_s).toString())
    , m_tabs(new QTabWidget(this))
    , m_generalError(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(u"keyDialog"_s);
    setAttribute(Qt::WA_DeleteOnClose);
    m_tabs->setObjectName(u"keyDialogTabs"_s);
    m_generalError->setObjectName(u"keyDialogError"_s);
    m_generalError->setWordWrap(true);
    m_generalError->setStyleSheet(u"color:#b91c1c;"_s);
    m_generalError->hide();
    m_buttons->setObjectName(u"keyDialogButtons"_s);

    buildGeneralTab();
    buildLimitsTab();
    buildRestrictionsTab();
    fillBindings(accounts, groups, key);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(m_generalError);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &KeyDialog::save);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_expiryMode, &QComboBox::currentIndexChanged, this, &KeyDialog::updateEnabledFields);
    connect(m_modelRule, &QComboBox::currentIndexChanged, this, &KeyDialog::updateEnabledFields);
    connect(m_concurrency, &QSpinBox::valueChanged, this, &KeyDialog::updateEnabledFields);
    connect(m_windowMinutes, &QSpinBox::valueChanged, this, &KeyDialog::updateEnabledFields);

    retranslate();
    load(key);
    updateEnabledFields();
    m_initial = formValues();
    m_name->setFocus();
    resize(560, sizeHint().height());
}

QLabel *KeyDialog::addRow(QFormLayout *form, const QString &field, QWidget *widget)
{
    auto *label = new QLabel(form->parentWidget());
    auto *error = new QLabel(form->parentWidget());
    error->setObjectName(u"error_"_s + field);
    error->setWordWrap(true);
    error->setStyleSheet(u"color:#b91c1c;"_s);
    error->hide();
    auto *cell = new QVBoxLayout;
    cell->setSpacing(2);
    cell->addWidget(widget);
    cell->addWidget(error);
    label->setBuddy(widget);
    form->addRow(label, cell);
    m_labels.insert(field, label);
    m_errors.insert(field, error);
    m_tabOf.insert(field, m_tabs->count());
    return label;
}

void KeyDialog::buildGeneralTab()
{
    auto *page = new QWidget(m_tabs);
    auto *outer = new QVBoxLayout(page);
    auto *form = new QFormLayout;
    outer->addLayout(form);
    outer->addStretch(1);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    m_name = new QLineEdit(page);
    m_name->setObjectName(u"keyName"_s);
    m_name->setMaxLength(200);
    addRow(form, u"name"_s, m_name);

    m_description = new QPlainTextEdit(page);
    m_description->setObjectName(u"keyDescription"_s);
    m_description->setTabChangesFocus(true);
    m_description->setFixedHeight(m_description->fontMetrics().lineSpacing() * 3 + 12);
    addRow(form, u"description"_s, m_description);

    m_tags = new QLineEdit(page);
    m_tags->setObjectName(u"keyTags"_s);
    addRow(form, u"tags"_s, m_tags);

    auto *expiry = new QWidget(page);
    auto *expiryRow = new QHBoxLayout(expiry);
    expiryRow->setContentsMargins(0, 0, 0, 0);
    m_expiryMode = new QComboBox(expiry);
    m_expiryMode->setObjectName(u"keyExpiryMode"_s);
    m_expiryMode->addItem(QString(), int(Expiry::Never));
    m_expiryMode->addItem(QString(), int(Expiry::At));
    m_expiryMode->addItem(QString(), int(Expiry::AfterFirstUse));
    m_expiresAt = new QDateTimeEdit(QDateTime::currentDateTime().addDays(30), expiry);
    m_expiresAt->setObjectName(u"keyExpiresAt"_s);
    m_expiresAt->setCalendarPopup(true);
    m_expiresAt->setDisplayFormat(u"yyyy-MM-dd HH:mm"_s);
    m_expiresAfterDays = countSpin(expiry, 3650, u"keyExpiresAfterDays"_s);
    m_expiresAfterDays->setMinimum(1);
    m_expiresAfterDays->setValue(30);
    expiryRow->addWidget(m_expiryMode);
    expiryRow->addWidget(m_expiresAt, 1);
    expiryRow->addWidget(m_expiresAfterDays, 1);
    addRow(form, u"expires_at"_s, expiry);

    m_binding = new QComboBox(page);
    m_binding->setObjectName(u"keyBinding"_s);
    addRow(form, u"bound_account"_s, m_binding);

    m_tabs->addTab(page, QString());
}

void KeyDialog::buildLimitsTab()
{
    auto *page = new QWidget(m_tabs);
    auto *outer = new QVBoxLayout(page);
    m_limitsNote = new QLabel(page);
    m_limitsNote->setWordWrap(true);
    m_limitsNote->setStyleSheet(u"color:palette(placeholder-text);"_s);
    outer->addWidget(m_limitsNote);
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    outer->addLayout(form);
    outer->addStretch(1);

    // A form-wide limits error (rules between limits) sits above the rows.
    auto *limitsError = new QLabel(page);
    limitsError->setObjectName(u"error_limits"_s);
    limitsError->setWordWrap(true);
    limitsError->setStyleSheet(u"color:#b91c1c;"_s);
    limitsError->hide();
    outer->insertWidget(1, limitsError);
    m_errors.insert(u"limits"_s, limitsError);
    m_tabOf.insert(u"limits"_s, m_tabs->count());

    m_concurrency = countSpin(page, 100'000, u"keyConcurrency"_s);
    addRow(form, u"concurrency_limit"_s, m_concurrency);
    m_concurrencyWait = countSpin(page, 600, u"keyConcurrencyWait"_s);
    addRow(form, u"concurrency_wait_ms"_s, m_concurrencyWait);
    m_windowMinutes = countSpin(page, 60 * 24 * 31, u"keyWindowMinutes"_s);
    addRow(form, u"limits.window_minutes"_s, m_windowMinutes);
    m_windowRequests = countSpin(page, MaxCount, u"keyWindowRequests"_s);
    addRow(form, u"limits.window_requests"_s, m_windowRequests);
    m_windowTokens = countSpin(page, MaxCount, u"keyWindowTokens"_s);
    addRow(form, u"limits.window_tokens"_s, m_windowTokens);
    m_windowCost = moneySpin(page, u"keyWindowCost"_s);
    addRow(form, u"limits.window_cost"_s, m_windowCost);
    m_dailyCost = moneySpin(page, u"keyDailyCost"_s);
    addRow(form, u"limits.daily_cost"_s, m_dailyCost);
    m_totalCost = moneySpin(page, u"keyTotalCost"_s);
    addRow(form, u"limits.total_cost"_s, m_totalCost);
    m_weeklyOpus = moneySpin(page, u"keyWeeklyOpus"_s);
    addRow(form, u"limits.weekly_cost.opus"_s, m_weeklyOpus);
    m_weeklySonnet = moneySpin(page, u"keyWeeklySonnet"_s);
    addRow(form, u"limits.weekly_cost.sonnet"_s, m_weeklySonnet);
    m_weeklyHaiku = moneySpin(page, u"keyWeeklyHaiku"_s);
    addRow(form, u"limits.weekly_cost.haiku"_s, m_weeklyHaiku);
    m_timeZone = new QLineEdit(page);
    m_timeZone->setObjectName(u"keyTimeZone"_s);
    addRow(form, u"limits.time_zone"_s, m_timeZone);

    m_tabs->addTab(page, QString());
}

void KeyDialog::buildRestrictionsTab()
{
    auto *page = new QWidget(m_tabs);
    auto *outer = new QVBoxLayout(page);
    auto *form = new QFormLayout;
    outer->addLayout(form);
    outer->addStretch(1);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    auto *endpoints = new QWidget(page);
    auto *endpointRow = new QHBoxLayout(endpoints);
    endpointRow->setContentsMargins(0, 0, 0, 0);
    m_allowMessages = new QCheckBox(endpoints);
    m_allowMessages->setObjectName(u"keyAllowMessages"_s);
    m_allowCountTokens = new QCheckBox(endpoints);
    m_allowCountTokens->setObjectName(u"keyAllowCountTokens"_s);
    m_allowModels = new QCheckBox(endpoints);
    m_allowModels->setObjectName(u"keyAllowModels"_s);
    endpointRow->addWidget(m_allowMessages);
    endpointRow->addWidget(m_allowCountTokens);
    endpointRow->addWidget(m_allowModels);
    endpointRow->addStretch(1);
    addRow(form, u"permissions"_s, endpoints);

    m_modelRule = new QComboBox(page);
    m_modelRule->setObjectName(u"keyModelRule"_s);
    m_modelRule->addItem(QString(), u"none"_s);
    m_modelRule->addItem(QString(), u"allow"_s);
    m_modelRule->addItem(QString(), u"deny"_s);
    addRow(form, u"model_rule"_s, m_modelRule);
    m_models = new QLineEdit(page);
    m_models->setObjectName(u"keyModels"_s);
    addRow(form, u"models"_s, m_models);

    m_clientRule = new QComboBox(page);
    m_clientRule->setObjectName(u"keyClient"_s);
    m_clientRule->addItem(QString(), u"any"_s);
    m_clientRule->addItem(QString(), u"claude_code"_s);
    addRow(form, u"client"_s, m_clientRule);

    m_tabs->addTab(page, QString());
}

void KeyDialog::fillBindings(const QJsonArray &accounts, const QJsonArray &groups, const QJsonObject &key)
{
    // Item data "account:<id>" / "group:<id>"; texts are set in retranslate() from the stored names.
    m_binding->addItem(QString(), QString());
    for (const QJsonValue &value : groups) {
        const QJsonObject group = value.toObject();
        m_binding->addItem(QString(), u"group:"_s + group.value(u"id"_s).toString());
        m_binding->setItemData(m_binding->count() - 1, group.value(u"name"_s).toString(), Qt::UserRole + 1);
    }
    for (const QJsonValue &value : accounts) {
        const QJsonObject account = value.toObject();
        m_binding->addItem(QString(), u"account:"_s + account.value(u"id"_s).toString());
        m_binding->setItemData(m_binding->count() - 1, account.value(u"name"_s).toString(), Qt::UserRole + 1);
    }
    // A binding to something not in the lists (more than a page of accounts, or since deleted) stays selectable.
    const QString account = key.value(u"bound_account"_s).toString();
    const QString group = key.value(u"bound_group"_s).toString();
    const QString current = !account.isEmpty() ? u"account:"_s + account
                            : !group.isEmpty() ? u"group:"_s + group
                                               : QString();
    if (!current.isEmpty() && m_binding->findData(current) < 0) {
        m_binding->addItem(QString(), current);
        m_binding->setItemData(m_binding->count() - 1, current.section(QLatin1Char(':'), 1), Qt::UserRole + 1);
    }
}

void KeyDialog::load(const QJsonObject &key)
{
    m_name->setText(key.value(u"name"_s).toString());
    m_description->setPlainText(key.value(u"description"_s).toString());
    m_tags->setText(joinList(key.value(u"tags"_s).toArray()));

    const qint64 expiresAt = key.value(u"expires_at"_s).toInteger();
    const qint64 afterFirstUse = key.value(u"expires_after_first_use_ms"_s).toInteger();
    if (afterFirstUse > 0) {
        m_expiryMode->setCurrentIndex(m_expiryMode->findData(int(Expiry::AfterFirstUse)));
        m_expiresAfterDays->setValue(int(std::max<qint64>(1, (afterFirstUse + MsPerDay - 1) / MsPerDay)));
    } else if (expiresAt > 0) {
        m_expiryMode->setCurrentIndex(m_expiryMode->findData(int(Expiry::At)));
        m_expiresAt->setDateTime(QDateTime::fromMSecsSinceEpoch(expiresAt));
    }

    const QString account = key.value(u"bound_account"_s).toString();
    const QString group = key.value(u"bound_group"_s).toString();
    if (!account.isEmpty())
        m_binding->setCurrentIndex(m_binding->findData(u"account:"_s + account));
    else if (!group.isEmpty())
        m_binding->setCurrentIndex(m_binding->findData(u"group:"_s + group));

    setCount(m_concurrency, key.value(u"concurrency_limit"_s));
    m_concurrencyWait->setValue(int(key.value(u"concurrency_wait_ms"_s).toInteger() / 1000));
    const QJsonObject limits = key.value(u"limits"_s).toObject();
    setCount(m_windowMinutes, limits.value(u"window_minutes"_s));
    setCount(m_windowRequests, limits.value(u"window_requests"_s));
    setCount(m_windowTokens, limits.value(u"window_tokens"_s));
    setMoney(m_windowCost, limits.value(u"window_cost_nanos"_s));
    setMoney(m_dailyCost, limits.value(u"daily_cost_nanos"_s));
    setMoney(m_totalCost, limits.value(u"total_cost_nanos"_s));
    const QJsonObject weekly = limits.value(u"weekly_cost_nanos"_s).toObject();
    setMoney(m_weeklyOpus, weekly.value(u"opus"_s));
    setMoney(m_weeklySonnet, weekly.value(u"sonnet"_s));
    setMoney(m_weeklyHaiku, weekly.value(u"haiku"_s));
    m_timeZone->setText(limits.value(u"time_zone"_s).toString());

    const QJsonArray permissions = key.value(u"permissions"_s).toArray();
    const bool all = permissions.isEmpty();
    m_allowMessages->setChecked(all || permissions.contains(u"messages"_s));
    m_allowCountTokens->setChecked(all || permissions.contains(u"count_tokens"_s));
    m_allowModels->setChecked(all || permissions.contains(u"models"_s));
    const int rule = m_modelRule->findData(key.value(u"model_rule"_s).toString(u"none"_s));
    m_modelRule->setCurrentIndex(std::max(rule, 0));
    m_models->setText(joinList(key.value(u"models"_s).toArray()));
    const int clientRule = m_clientRule->findData(key.value(u"client"_s).toString(u"any"_s));
    m_clientRule->setCurrentIndex(std::max(clientRule, 0));
}

void KeyDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QDialog::changeEvent(event);
}

void KeyDialog::retranslate()
{
    setWindowTitle(isCreating() ? tr("New API key") : tr("Edit API key"));
    m_tabs->setTabText(0, tr("General"));
    m_tabs->setTabText(1, tr("Limits"));
    m_tabs->setTabText(2, tr("Restrictions"));
    m_buttons->button(QDialogButtonBox::Ok)->setText(isCreating() ? tr("Create") : tr("Save"));
    m_buttons->button(QDialogButtonBox::Cancel)->setText(tr("Cancel"));

    const QList<std::pair<QString, QString>> labels{
        {u"name"_s, tr("&Name:")},
        {u"description"_s, tr("N&otes:")},
        {u"tags"_s, tr("&Tags:")},
        {u"expires_at"_s, tr("E&xpires:")},
        {u"bound_account"_s, tr("&Binding:")},
        {u"concurrency_limit"_s, tr("&Concurrent requests:")},
        {u"concurrency_wait_ms"_s, tr("&Wait for a free slot:")},
        {u"limits.window_minutes"_s, tr("Ra&te window:")},
        {u"limits.window_requests"_s, tr("&Requests per window:")},
        {u"limits.window_tokens"_s, tr("T&okens per window:")},
        {u"limits.window_cost"_s, tr("Cost per w&indow:")},
        {u"limits.daily_cost"_s, tr("Cost per &day:")},
        {u"limits.total_cost"_s, tr("Total cost (&lifetime):")},
        {u"limits.weekly_cost.opus"_s, tr("Weekly cost, Opus models:")},
        {u"limits.weekly_cost.sonnet"_s, tr("Weekly cost, Sonnet models:")},
        {u"limits.weekly_cost.haiku"_s, tr("Weekly cost, Haiku models:")},
        {u"limits.time_zone"_s, tr("Time &zone for days:")},
        {u"permissions"_s, tr("&Endpoints:")},
        {u"model_rule"_s, tr("&Model rule:")},
        {u"models"_s, tr("M&odels:")},
        {u"client"_s, tr("&Clients:")},
    };
    for (const auto &[field, text] : labels) {
        QLabel *label = m_labels.value(field);
        label->setText(text);
        if (QWidget *buddy = label->buddy())
            buddy->setAccessibleName(QString(text).remove(QLatin1Char('&')).remove(QLatin1Char(':')));
    }

    m_name->setPlaceholderText(tr("who or what uses this key, e.g. \"CI pipeline\""));
    m_description->setPlaceholderText(tr("optional notes for operators"));
    m_tags->setPlaceholderText(tr("comma-separated, e.g. team-a, ci"));
    m_expiryMode->setItemText(0, tr("Never"));
    m_expiryMode->setItemText(1, tr("At"));
    m_expiryMode->setItemText(2, tr("After first use"));
    m_expiryMode->setAccessibleName(tr("Expiry"));
    m_expiresAt->setAccessibleName(tr("Expiry date"));
    m_expiresAfterDays->setSuffix(tr(" days"));
    m_expiresAfterDays->setAccessibleName(tr("Days after first use"));

    m_binding->setItemText(0, tr("Shared pool (any account)"));
    for (int i = 1; i < m_binding->count(); ++i) {
        const QString data = m_binding->itemData(i).toString();
        const QString name = m_binding->itemData(i, Qt::UserRole + 1).toString();
        m_binding->setItemText(i, data.startsWith(u"group:") ? tr("Group: %1").arg(name) : tr("Account: %1").arg(name));
    }

    const QString noLimit = tr("No limit");
    for (QSpinBox *spin : {m_concurrency, m_windowRequests, m_windowTokens})
        spin->setSpecialValueText(noLimit);
    for (QDoubleSpinBox *spin : {m_windowCost, m_dailyCost, m_totalCost, m_weeklyOpus, m_weeklySonnet, m_weeklyHaiku})
        spin->setSpecialValueText(noLimit);
    m_concurrencyWait->setSpecialValueText(tr("Do not wait (refuse at once)"));
    m_concurrencyWait->setSuffix(tr(" s"));
    m_windowMinutes->setSpecialValueText(tr("No rate window"));
    m_windowMinutes->setSuffix(tr(" min"));
    m_timeZone->setPlaceholderText(tr("the relay's time zone, or e.g. Europe/Berlin"));
    m_limitsNote->setText(tr("0 means no limit. Requests, tokens and cost per window count within a fixed window "
                             "that starts with the first request; daily and weekly costs reset at midnight."));

    m_allowMessages->setText(tr("Messages"));
    m_allowCountTokens->setText(tr("Count tokens"));
    m_allowModels->setText(tr("List models"));
    m_modelRule->setItemText(0, tr("Any model"));
    m_modelRule->setItemText(1, tr("Only these models"));
    m_modelRule->setItemText(2, tr("All but these models"));
    m_models->setPlaceholderText(tr("comma-separated, e.g. claude-sonnet-4-5, claude-haiku-4-5"));
    m_clientRule->setItemText(0, tr("Any client"));
    m_clientRule->setItemText(1, tr("Claude Code only"));
}

void KeyDialog::updateEnabledFields()
{
    const auto expiry = Expiry(m_expiryMode->currentData().toInt());
    m_expiresAt->setVisible(expiry == Expiry::At);
    m_expiresAfterDays->setVisible(expiry == Expiry::AfterFirstUse);
    m_models->setEnabled(m_modelRule->currentData().toString() != u"none");
    m_concurrencyWait->setEnabled(m_concurrency->value() > 0 || m_concurrencyWait->value() > 0);
    const bool window = m_windowMinutes->value() > 0;
    for (QWidget *widget : std::initializer_list<QWidget *>{m_windowRequests, m_windowTokens, m_windowCost})
        widget->setEnabled(window || widget->property("value").toDouble() > 0);
}

QJsonObject KeyDialog::formValues() const
{
    QJsonObject values;
    values.insert(u"name"_s, m_name->text().trimmed());
    values.insert(u"description"_s, m_description->toPlainText());
    values.insert(u"tags"_s, QJsonArray::fromStringList(splitList(m_tags->text())));

    switch (Expiry(m_expiryMode->currentData().toInt())) {
    case Expiry::Never:
        values.insert(u"expires_at"_s, QJsonValue::Null);
        values.insert(u"expires_after_first_use_ms"_s, QJsonValue::Null);
        break;
    case Expiry::At:
        values.insert(u"expires_at"_s, m_expiresAt->dateTime().toMSecsSinceEpoch());
        values.insert(u"expires_after_first_use_ms"_s, QJsonValue::Null);
        break;
    case Expiry::AfterFirstUse:
        values.insert(u"expires_at"_s, QJsonValue::Null);
        values.insert(u"expires_after_first_use_ms"_s, qint64(m_expiresAfterDays->value()) * MsPerDay);
        break;
    }

    const QString binding = m_binding->currentData().toString();
    const QString boundId = binding.section(QLatin1Char(':'), 1);
    values.insert(u"bound_account"_s, idOrNull(binding.startsWith(u"account:") ? boundId : QString()));
    values.insert(u"bound_group"_s, idOrNull(binding.startsWith(u"group:") ? boundId : QString()));

    values.insert(u"concurrency_limit"_s, m_concurrency->value());
    values.insert(u"concurrency_wait_ms"_s, qint64(m_concurrencyWait->value()) * 1000);
    QJsonObject limits{
        {u"window_minutes"_s, m_windowMinutes->value()},
        {u"window_requests"_s, m_windowRequests->value()},
        {u"window_tokens"_s, m_windowTokens->value()},
        {u"window_cost_nanos"_s, nanosOf(m_windowCost)},
        {u"daily_cost_nanos"_s, nanosOf(m_dailyCost)},
        {u"total_cost_nanos"_s, nanosOf(m_totalCost)},
        {u"weekly_cost_nanos"_s, QJsonObject{{u"opus"_s, nanosOf(m_weeklyOpus)},
                                             {u"sonnet"_s, nanosOf(m_weeklySonnet)},
                                             {u"haiku"_s, nanosOf(m_weeklyHaiku)}}},
        {u"time_zone"_s, m_timeZone->text().trimmed().isEmpty() ? QJsonValue(QJsonValue::Null)
                                                                : QJsonValue(m_timeZone->text().trimmed())},
    };
    values.insert(u"limits"_s, limits);

    QJsonArray permissions;
    if (!(m_allowMessages->isChecked() && m_allowCountTokens->isChecked() && m_allowModels->isChecked())) {
        if (m_allowMessages->isChecked())
            permissions.append(u"messages"_s);
        if (m_allowCountTokens->isChecked())
            permissions.append(u"count_tokens"_s);
        if (m_allowModels->isChecked())
            permissions.append(u"models"_s);
    }
    values.insert(u"permissions"_s, permissions);
    const QString rule = m_modelRule->currentData().toString();
    values.insert(u"model_rule"_s, rule);
    values.insert(u"models"_s,
                  QJsonArray::fromStringList(rule == u"none" ? QStringList() : splitList(m_models->text())));
    values.insert(u"client"_s, m_clientRule->currentData().toString());
    return values;
}

QJsonObject KeyDialog::requestBody() const
{
    const QJsonObject now = formValues();
    QJsonObject body;
    // Fields the API reads together are sent together.
    const QList<QStringList> groups{{u"name"_s},
                                    {u"description"_s},
                                    {u"tags"_s},
                                    {u"expires_at"_s, u"expires_after_first_use_ms"_s},
                                    {u"bound_account"_s, u"bound_group"_s},
                                    {u"concurrency_limit"_s},
                                    {u"concurrency_wait_ms"_s},
                                    {u"permissions"_s},
                                    {u"model_rule"_s, u"models"_s},
                                    {u"client"_s}};
    for (const QStringList &group : groups) {
        bool changed = isCreating() && group.first() == u"name";
        for (const QString &field : group)
            changed = changed || now.value(field) != m_initial.value(field);
        if (changed)
            for (const QString &field : group)
                body.insert(field, now.value(field));
    }
    const QJsonObject limits = now.value(u"limits"_s).toObject();
    const QJsonObject initialLimits = m_initial.value(u"limits"_s).toObject();
    QJsonObject changedLimits;
    for (auto it = limits.constBegin(); it != limits.constEnd(); ++it)
        if (it.value() != initialLimits.value(it.key()))
            changedLimits.insert(it.key(), it.value());
    if (!changedLimits.isEmpty())
        body.insert(u"limits"_s, changedLimits);
    return body;
}

void KeyDialog::save()
{
    if (m_busy)
        return;
    clearErrors();
    const QJsonObject body = requestBody();
    if (!isCreating() && body.isEmpty()) {
        accept(); // nothing changed
        return;
    }
    setBusy(true);
    const auto done = [this](const AdminReply &reply) {
        setBusy(false);
        if (reply.ok()) {
            Q_EMIT saved(reply.object());
            accept();
            return;
        }
        showFieldErrors(reply.fieldErrors, reply.errorText());
    };
    if (isCreating())
        m_client->post(u"/admin/keys"_s, body, this, done);
    else
        m_client->patch(u"/admin/keys/"_s + m_id, body, this, done);
}

void KeyDialog::showFieldErrors(const QJsonObject &errors, const QString &fallback)
{
    QStringList unplaced;
    int firstTab = -1;
    for (auto it = errors.constBegin(); it != errors.constEnd(); ++it) {
        const QString row = errorRowOf(it.key());
        QLabel *label = m_errors.value(row);
        if (!label) {
            unplaced << u"%1: %2"_s.arg(it.key(), it.value().toString());
            continue;
        }
        const QString text = !label->isHidden() && !label->text().isEmpty()
                                 ? label->text() + QLatin1Char('\n') + it.value().toString()
                                 : it.value().toString();
        label->setText(text);
        label->show();
        if (firstTab < 0)
            firstTab = m_tabOf.value(row, -1);
    }
    if (errors.isEmpty() || !unplaced.isEmpty()) {
        m_generalError->setText(errors.isEmpty() ? fallback : unplaced.join(QLatin1Char('\n')));
        m_generalError->show();
    }
    if (firstTab >= 0)
        m_tabs->setCurrentIndex(firstTab);
}

void KeyDialog::clearErrors()
{
    for (QLabel *label : std::as_const(m_errors)) {
        label->clear();
        label->hide();
    }
    m_generalError->clear();
    m_generalError->hide();
}

void KeyDialog::setBusy(bool busy)
{
    m_busy = busy;
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!busy);
    m_tabs->setEnabled(!busy);
    if (busy)
        setCursor(Qt::BusyCursor);
    else
        unsetCursor();
}

} // namespace Console
