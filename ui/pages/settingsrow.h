// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QWidget>

class QButtonGroup;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QRadioButton;
class QSpinBox;
class QToolButton;

namespace Console {

// One relay setting of the Settings page, from an item of GET /admin/settings: an editor that fits its type, a
// reset-to-default button, badges (overridden by the environment or a flag, waiting for a restart), the description
// as a grey hint and the server's complaint when a value was refused. The name label goes into the form's first
// column (nameLabel()); the row itself is the second column.
//
// The editor starts at the value the next start would use where the file sets one (so a saved change that waits
// for a restart is what the operator sees and edits), otherwise at the running value.
class SettingRow : public QWidget
{
    Q_OBJECT
public:
    explicit SettingRow(const QJsonObject &item, QWidget *parent = nullptr);

    QString key() const { return m_item.value(QStringLiteral("key")).toString(); }
    QJsonObject item() const { return m_item; }
    // Takes a fresh item of the same key: new baseline, edits and errors dropped.
    void setItem(const QJsonObject &item);

    QLabel *nameLabel() const { return m_name; }
    // The editor widget (QComboBox, QSpinBox, QDoubleSpinBox, QLineEdit; the URL field for Redis).
    QWidget *editor() const { return m_editor; }
    // The text the editor holds now, as the config file would say it.
    QString editorText() const;
    // Sets the editor as if the operator had typed `text`.
    void setEditorText(const QString &text);

    // Something to send: the edited text, or null when the operator asked for the default.
    bool isModified() const;
    QJsonValue pendingValue() const;
    // Back to the baseline, errors cleared.
    void revert();

    void setError(const QString &message);
    void clearError() { setError(QString()); }
    QString errorText() const;
    bool hasPendingRestartBadge() const;

    // A friendly name for a key ("upstream.first-byte-timeout" → "Upstream first byte timeout"), translated where
    // the page knows the key.
    static QString friendlyName(const QString &key);

    void retranslate();

Q_SIGNALS:
    void modifiedChanged();

private:
    enum class Kind { Choice, Integer, Fraction, Redis, Line, Secret, ReadOnly };

    void createEditor();
    void updateState();
    void updateRedisMode();
    void onEdited();
    void resetToDefault();
    bool sameValue(const QString &a, const QString &b) const;
    QString baseline() const;
    QString defaultText() const;

    QJsonObject m_item;
    Kind m_kind = Kind::Line;
    QLabel *m_name;
    QWidget *m_editor = nullptr;
    QComboBox *m_combo = nullptr;
    QSpinBox *m_spin = nullptr;
    QDoubleSpinBox *m_fraction = nullptr;
    QLineEdit *m_line = nullptr;
    QRadioButton *m_embedded = nullptr;
    QRadioButton *m_external = nullptr;
    QButtonGroup *m_redisGroup = nullptr;
    QToolButton *m_reset;
    QLabel *m_overriddenBadge;
    QLabel *m_restartBadge;
    QLabel *m_hint;
    QLabel *m_error;
    bool m_resetRequested = false;
    bool m_updating = false;
    bool m_wasModified = false;
};

} // namespace Console
