// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/settingsrow.h"

#include "ui/icons.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QCoreApplication>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QRadioButton>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace Console {

namespace {

// Names for the keys the relay has today; a key added later still gets a name derived from its spelling.
struct KnownName
{
    const char *key;
    const char *name;
};

constexpr KnownName KnownNames[] = {
    {"listen", QT_TRANSLATE_NOOP("Console::SettingRow", "Listen address")},
    {"workers", QT_TRANSLATE_NOOP("Console::SettingRow", "Worker threads")},
    {"redis", QT_TRANSLATE_NOOP("Console::SettingRow", "Redis")},
    {"data-dir", QT_TRANSLATE_NOOP("Console::SettingRow", "Data directory")},
    {"config", QT_TRANSLATE_NOOP("Console::SettingRow", "Config file")},
    {"key-prefix", QT_TRANSLATE_NOOP("Console::SettingRow", "Redis key prefix")},
    {"secret-file", QT_TRANSLATE_NOOP("Console::SettingRow", "Server secret file")},
    {"api-key-prefix", QT_TRANSLATE_NOOP("Console::SettingRow", "API key prefix")},
    {"body-limit", QT_TRANSLATE_NOOP("Console::SettingRow", "Request body limit")},
    {"header-limit", QT_TRANSLATE_NOOP("Console::SettingRow", "Request head limit")},
    {"header-timeout", QT_TRANSLATE_NOOP("Console::SettingRow", "Request head timeout")},
    {"idle-timeout", QT_TRANSLATE_NOOP("Console::SettingRow", "Keep-alive idle timeout")},
    {"shutdown-grace", QT_TRANSLATE_NOOP("Console::SettingRow", "Shutdown grace time")},
    {"log.level", QT_TRANSLATE_NOOP("Console::SettingRow", "Log level")},
    {"log.file", QT_TRANSLATE_NOOP("Console::SettingRow", "Log file")},
    {"log.max-size", QT_TRANSLATE_NOOP("Console::SettingRow", "Log file size limit")},
    {"log.max-files", QT_TRANSLATE_NOOP("Console::SettingRow", "Rotated log files kept")},
    {"log.sample-rate", QT_TRANSLATE_NOOP("Console::SettingRow", "Request log sampling")},
    {"redis.command-timeout", QT_TRANSLATE_NOOP("Console::SettingRow", "Redis command timeout")},
    {"usage.flush-interval", QT_TRANSLATE_NOOP("Console::SettingRow", "Usage write interval")},
    {"upstream.connect-timeout", QT_TRANSLATE_NOOP("Console::SettingRow", "Connect timeout")},
    {"upstream.first-byte-timeout", QT_TRANSLATE_NOOP("Console::SettingRow", "First byte timeout")},
    {"upstream.idle-timeout", QT_TRANSLATE_NOOP("Console::SettingRow", "Stream idle timeout")},
    {"upstream.cleartext", QT_TRANSLATE_NOOP("Console::SettingRow", "Cleartext upstream protocol")},
    {"upstream.failover-retries", QT_TRANSLATE_NOOP("Console::SettingRow", "Failover retries")},
    {"max-tokens-policy", QT_TRANSLATE_NOOP("Console::SettingRow", "Too large max_tokens")},
    {"time-zone", QT_TRANSLATE_NOOP("Console::SettingRow", "Time zone")},
    {"oauth.token-url", QT_TRANSLATE_NOOP("Console::SettingRow", "OAuth token URL")},
    {"oauth.client-id", QT_TRANSLATE_NOOP("Console::SettingRow", "OAuth client id")},
    {"oauth.refresh-ahead", QT_TRANSLATE_NOOP("Console::SettingRow", "Refresh ahead of expiry")},
    {"admin.access", QT_TRANSLATE_NOOP("Console::SettingRow", "Admin API access")},
    {"admin.listen", QT_TRANSLATE_NOOP("Console::SettingRow", "Admin API address")},
    {"admin.password-file", QT_TRANSLATE_NOOP("Console::SettingRow", "First password file")},
    {"admin.session-idle", QT_TRANSLATE_NOOP("Console::SettingRow", "Session idle limit")},
    {"admin.session-lifetime", QT_TRANSLATE_NOOP("Console::SettingRow", "Session lifetime")},
    {"pricing-file", QT_TRANSLATE_NOOP("Console::SettingRow", "Price table override")},
};

QString text(const QJsonObject &item, const char *field)
{
    return item.value(QLatin1String(field)).toString();
}

} // namespace

SettingRow::SettingRow(const QJsonObject &item, QWidget *parent)
    : QWidget(parent)
    , m_item(item)
    , m_name(new QLabel(this))
    , m_reset(new QToolButton(this))
    , m_overriddenBadge(new QLabel(this))
    , m_restartBadge(new QLabel(this))
    , m_hint(new QLabel(this))
    , m_error(new QLabel(this))
{
    setObjectName(u"setting_"_s + key());
    m_name->setObjectName(u"settingName"_s);
    m_name->setTextFormat(Qt::PlainText);
    m_reset->setObjectName(u"resetButton"_s);
    m_reset->setIcon(icon(u"reset"_s));
    m_reset->setAutoRaise(true);
    m_overriddenBadge->setObjectName(u"overriddenBadge"_s);
    m_restartBadge->setObjectName(u"restartBadge"_s);
    const QString badge = u"QLabel { border-radius: 3px; padding: 1px 6px; color: white; background: %1; }"_s;
    m_overriddenBadge->setStyleSheet(badge.arg(u"#7a5cc2"_s));
    m_restartBadge->setStyleSheet(badge.arg(u"#c27c0e"_s));
    m_hint->setObjectName(u"settingHint"_s);
    m_hint->setWordWrap(true);
    m_hint->setTextFormat(Qt::PlainText);
    m_hint->setStyleSheet(u"color: palette(mid);"_s);
    QFont small = m_hint->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    m_hint->setFont(small);
    m_error->setObjectName(u"fieldError"_s);
    m_error->setWordWrap(true);
    m_error->setTextFormat(Qt::PlainText);
    m_error->setStyleSheet(u"color: #c62828;"_s);
    m_error->hide();

    createEditor();

    auto *top = new QHBoxLayout;
    top->setContentsMargins(0, 0, 0, 0);
    if (m_kind == Kind::Redis) {
        top->addWidget(m_embedded);
        top->addWidget(m_external);
        top->addWidget(m_line, 1);
    } else {
        top->addWidget(m_editor, m_kind == Kind::Line || m_kind == Kind::Secret || m_kind == Kind::ReadOnly ? 1 : 0);
    }
    // Long enough for paths and URLs, short enough that the buttons and badges stay near the value.
    if (m_line) {
        m_line->setMinimumWidth(m_kind == Kind::Redis ? 300 : 200);
        m_line->setMaximumWidth(560);
    }
    top->addWidget(m_reset);
    top->addWidget(m_overriddenBadge);
    top->addWidget(m_restartBadge);
    top->addStretch(1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 4);
    layout->setSpacing(2);
    layout->addLayout(top);
    layout->addWidget(m_error);
    layout->addWidget(m_hint);

    connect(m_reset, &QToolButton::clicked, this, &SettingRow::resetToDefault);
    setItem(item);
}

void SettingRow::createEditor()
{
    const QString type = text(m_item, "type");
    const bool editable = m_item.value(u"editable"_s).toBool(true);
    if (!editable)
        m_kind = Kind::ReadOnly;
    else if (type == u"choice")
        m_kind = Kind::Choice;
    else if (type == u"integer")
        m_kind = Kind::Integer;
    else if (type == u"fraction")
        m_kind = Kind::Fraction;
    else if (type == u"redis_url")
        m_kind = Kind::Redis;
    else if (m_item.value(u"secret"_s).toBool())
        m_kind = Kind::Secret;
    else
        m_kind = Kind::Line;

    const double minimum = m_item.value(u"minimum"_s).toDouble(0);
    const double maximum = m_item.value(u"maximum"_s).toDouble(std::numeric_limits<int>::max());
    switch (m_kind) {
    case Kind::Choice: {
        m_combo = new QComboBox(this);
        for (const QJsonValue &choice : m_item.value(u"choices"_s).toArray())
            m_combo->addItem(choice.toString());
        m_combo->setMinimumContentsLength(12);
        connect(m_combo, &QComboBox::currentIndexChanged, this, &SettingRow::onEdited);
        m_editor = m_combo;
        break;
    }
    case Kind::Integer:
        m_spin = new QSpinBox(this);
        m_spin->setRange(int(minimum), int(std::min<double>(maximum, std::numeric_limits<int>::max())));
        m_spin->setGroupSeparatorShown(true);
        m_spin->setMinimumWidth(110);
        connect(m_spin, &QSpinBox::valueChanged, this, &SettingRow::onEdited);
        m_editor = m_spin;
        break;
    case Kind::Fraction:
        m_fraction = new QDoubleSpinBox(this);
        m_fraction->setDecimals(4);
        m_fraction->setRange(minimum, maximum);
        m_fraction->setSingleStep(0.01);
        m_fraction->setMinimumWidth(110);
        connect(m_fraction, &QDoubleSpinBox::valueChanged, this, &SettingRow::onEdited);
        m_editor = m_fraction;
        break;
    case Kind::Redis:
        m_embedded = new QRadioButton(this);
        m_embedded->setObjectName(u"redisEmbedded"_s);
        m_external = new QRadioButton(this);
        m_external->setObjectName(u"redisExternal"_s);
        m_redisGroup = new QButtonGroup(this);
        m_redisGroup->addButton(m_embedded);
        m_redisGroup->addButton(m_external);
        m_line = new QLineEdit(this);
        m_line->setClearButtonEnabled(true);
        connect(m_redisGroup, &QButtonGroup::buttonToggled, this, [this](QAbstractButton *, bool checked) {
            if (checked) {
                updateRedisMode();
                onEdited();
            }
        });
        connect(m_line, &QLineEdit::textEdited, this, &SettingRow::onEdited);
        m_editor = m_line;
        break;
    case Kind::Line:
    case Kind::Secret:
    case Kind::ReadOnly:
        m_line = new QLineEdit(this);
        if (m_kind == Kind::Secret)
            m_line->setEchoMode(QLineEdit::Password);
        m_line->setReadOnly(m_kind == Kind::ReadOnly);
        connect(m_line, &QLineEdit::textChanged, this, &SettingRow::onEdited);
        m_editor = m_line;
        break;
    }
    m_editor->setObjectName(u"editor"_s);
}

void SettingRow::setItem(const QJsonObject &item)
{
    m_item = item;
    m_resetRequested = false;
    m_updating = true;
    setEditorText(m_kind == Kind::Secret ? QString() : baseline());
    m_updating = false;
    m_error->clear();
    m_error->hide();
    retranslate();
    updateState();
}

QString SettingRow::baseline() const
{
    // An overridden setting runs with the variable's or flag's value; otherwise a value saved in the file is what
    // the next start uses.
    const QJsonValue fileValue = m_item.value(u"file_value"_s);
    if (!m_item.value(u"overridden"_s).toBool() && fileValue.isString())
        return fileValue.toString();
    return text(m_item, "value");
}

QString SettingRow::defaultText() const
{
    return text(m_item, "default");
}

QString SettingRow::editorText() const
{
    switch (m_kind) {
    case Kind::Choice:
        return m_combo->currentText();
    case Kind::Integer:
        return QString::number(m_spin->value());
    case Kind::Fraction:
        return QString::number(m_fraction->value(), 'g', 10);
    case Kind::Redis:
        return m_embedded->isChecked() ? QString() : m_line->text().trimmed();
    case Kind::Line:
    case Kind::Secret:
    case Kind::ReadOnly:
        return m_line->text().trimmed();
    }
    return {};
}

void SettingRow::setEditorText(const QString &value)
{
    switch (m_kind) {
    case Kind::Choice: {
        int index = m_combo->findText(value);
        if (index < 0) { // a value the relay accepts but does not list (spelling variants): keep it visible
            m_combo->addItem(value);
            index = m_combo->count() - 1;
        }
        m_combo->setCurrentIndex(index);
        break;
    }
    case Kind::Integer:
        m_spin->setValue(value.toInt());
        break;
    case Kind::Fraction:
        m_fraction->setValue(value.toDouble());
        break;
    case Kind::Redis:
        if (value.isEmpty()) {
            m_embedded->setChecked(true);
        } else {
            m_external->setChecked(true);
            m_line->setText(value);
        }
        updateRedisMode();
        break;
    case Kind::Line:
    case Kind::Secret:
    case Kind::ReadOnly:
        m_line->setText(value);
        break;
    }
    if (!m_updating)
        onEdited();
}

bool SettingRow::sameValue(const QString &a, const QString &b) const
{
    if (m_kind == Kind::Integer || m_kind == Kind::Fraction)
        return std::abs(a.toDouble() - b.toDouble()) < 1e-9;
    return a.trimmed() == b.trimmed();
}

bool SettingRow::isModified() const
{
    if (m_kind == Kind::ReadOnly)
        return false;
    if (m_resetRequested)
        return m_item.value(u"file_value"_s).isString();
    if (m_kind == Kind::Secret)
        return !m_line->text().isEmpty();
    return !sameValue(editorText(), baseline());
}

QJsonValue SettingRow::pendingValue() const
{
    if (m_resetRequested)
        return QJsonValue::Null;
    return editorText();
}

void SettingRow::revert()
{
    setItem(m_item);
}

void SettingRow::setError(const QString &message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

QString SettingRow::errorText() const
{
    return m_error->isVisible() ? m_error->text() : QString();
}

bool SettingRow::hasPendingRestartBadge() const
{
    return !m_restartBadge->isHidden();
}

void SettingRow::onEdited()
{
    if (m_updating)
        return;
    m_resetRequested = false;
    updateState();
}

void SettingRow::resetToDefault()
{
    m_updating = true;
    setEditorText(defaultText());
    m_updating = false;
    m_resetRequested = true;
    updateState();
}

void SettingRow::updateRedisMode()
{
    if (m_kind != Kind::Redis)
        return;
    m_line->setEnabled(m_external->isChecked());
}

void SettingRow::updateState()
{
    const bool modified = isModified();
    QFont font = m_name->font();
    font.setBold(modified);
    m_name->setFont(font);
    m_reset->setEnabled(m_kind != Kind::ReadOnly && (m_item.value(u"file_value"_s).isString() ||
                                                     (!m_resetRequested && !sameValue(editorText(), defaultText()))));
    if (modified != m_wasModified) {
        m_wasModified = modified;
        Q_EMIT modifiedChanged();
    }
}

QString SettingRow::friendlyName(const QString &key)
{
    for (const KnownName &known : KnownNames)
        if (key == QLatin1String(known.key))
            return QCoreApplication::translate("Console::SettingRow", known.name);
    QString name = key;
    name.replace(u'.', u' ').replace(u'-', u' ');
    if (!name.isEmpty())
        name[0] = name[0].toUpper();
    return name;
}

void SettingRow::retranslate()
{
    const QString k = key();
    const QString name = friendlyName(k);
    m_name->setText(name + u':');
    const QString description = text(m_item, "description");
    const QString allowed = text(m_item, "allowed");
    const bool live = !m_item.value(u"restart_required"_s).toBool();
    QString hint = description;
    if (m_kind == Kind::ReadOnly)
        hint += u" — "_s + tr("set with a command-line option or environment variable only");
    else
        hint += u" — "_s + (live ? tr("applies immediately") : tr("takes effect when the relay restarts"));
    m_hint->setText(hint);
    const QString tip = tr("%1 (\"%2\" in the config file)\n%3\nDefault: %4")
                            .arg(name, k, description, defaultText().isEmpty() ? tr("(empty)") : defaultText());
    m_name->setToolTip(tip);
    m_editor->setToolTip(allowed.isEmpty() ? tip : tip + u'\n' + allowed);
    m_editor->setAccessibleName(name);
    m_editor->setAccessibleDescription(description);
    if (m_line) {
        if (m_kind == Kind::Secret)
            m_line->setPlaceholderText(tr("unchanged — type a new value to replace it"));
        else if (m_kind == Kind::Redis)
            m_line->setPlaceholderText(u"redis://host:6379/0"_s);
        else
            m_line->setPlaceholderText(allowed);
    }
    if (m_embedded) {
        m_embedded->setText(tr("Embedded (private redis-server)"));
        m_external->setText(tr("External URL:"));
        m_embedded->setAccessibleName(tr("Embedded Redis"));
        m_external->setAccessibleName(tr("External Redis URL"));
    }
    m_reset->setToolTip(tr("Reset to the default (%1)").arg(defaultText().isEmpty() ? tr("empty") : defaultText()));
    m_reset->setAccessibleName(tr("Reset %1 to the default").arg(name));

    const QString source = text(m_item, "source");
    const QString where = text(m_item, "where");
    if (m_item.value(u"overridden"_s).toBool()) {
        m_overriddenBadge->setText(source == u"environment" ? tr("set by %1").arg(where)
                                                            : tr("set by option %1").arg(where));
        m_overriddenBadge->setToolTip(
            tr("%1 wins over the config file: a value saved here is not used while it is set").arg(where));
        m_overriddenBadge->show();
    } else {
        m_overriddenBadge->hide();
    }
    if (m_item.value(u"pending_restart"_s).toBool()) {
        m_restartBadge->setText(tr("restart pending"));
        m_restartBadge->setToolTip(tr("The relay runs with %1; the saved value is used from its next start")
                                       .arg(text(m_item, "value").isEmpty() ? tr("(empty)") : text(m_item, "value")));
        m_restartBadge->show();
    } else {
        m_restartBadge->hide();
    }
}

} // namespace Console
