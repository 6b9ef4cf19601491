// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QObject>
#include <QString>

class QTranslator;

namespace Console {

// The console's language: the system's by default, or the one chosen in Settings (kept in QSettings as
// "ui/language"). Switching installs the translators at once; every widget then gets a LanguageChange event and
// retranslates itself.
class LanguageManager : public QObject
{
    Q_OBJECT
public:
    struct Language
    {
        QString code; // "" = follow the system, "en", "zh_CN"
        QString name; // in its own language ("简体中文")
    };

    explicit LanguageManager(QObject *parent = nullptr);
    ~LanguageManager() override;

    static QList<Language> languages();
    // The stored choice ("" = system).
    QString choice() const { return m_choice; }
    // The language in effect ("en" or "zh_CN").
    QString effectiveLanguage() const { return m_effective; }

    // Applies and remembers a choice.
    void setChoice(const QString &code);
    // Applies the remembered choice (call once at start-up).
    void applySaved();

Q_SIGNALS:
    void languageChanged(const QString &effectiveLanguage);

private:
    void apply(const QString &choice);

    QString m_choice;
    QString m_effective = QStringLiteral("en");
    QList<QTranslator *> m_installed;
};

} // namespace Console
