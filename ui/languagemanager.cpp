// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/languagemanager.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QTranslator>

using namespace Qt::StringLiterals;

namespace Console {

namespace {
const auto SettingKey = u"ui/language"_s;

QString supported(const QString &localeName)
{
    if (localeName.startsWith(u"zh"_s))
        return u"zh_CN"_s; // the only Chinese translation; better than English for zh_TW/zh_HK readers
    return u"en"_s;
}
} // namespace

LanguageManager::LanguageManager(QObject *parent)
    : QObject(parent)
{}

LanguageManager::~LanguageManager()
{
    for (QTranslator *translator : std::as_const(m_installed))
        QCoreApplication::removeTranslator(translator);
}

QList<LanguageManager::Language> LanguageManager::languages()
{
    return {{QString(), tr("System default")}, {u"en"_s, u"English"_s}, {u"zh_CN"_s, u"简体中文"_s}};
}

void LanguageManager::applySaved()
{
    apply(QSettings().value(SettingKey).toString());
}

void LanguageManager::setChoice(const QString &code)
{
    QSettings().setValue(SettingKey, code);
    apply(code);
}

void LanguageManager::apply(const QString &choice)
{
    m_choice = choice;
    const QString effective = supported(choice.isEmpty() ? QLocale::system().name() : choice);
    for (QTranslator *translator : std::as_const(m_installed)) {
        QCoreApplication::removeTranslator(translator);
        delete translator;
    }
    m_installed.clear();
    if (effective != u"en"_s) {
        auto *own = new QTranslator(this);
        if (own->load(u":/i18n/relaydeck_"_s + effective + u".qm"_s))
            m_installed.append(own);
        else
            delete own;
        // Qt's own strings (standard buttons, context menus) from the system's Qt translations.
        auto *qt = new QTranslator(this);
        if (qt->load(u"qtbase_"_s + effective, QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
            m_installed.append(qt);
        else
            delete qt;
        for (QTranslator *translator : std::as_const(m_installed))
            QCoreApplication::installTranslator(translator);
    }
    QLocale::setDefault(QLocale(effective == u"en"_s ? u"en_US"_s : effective));
    const bool changed = effective != m_effective;
    m_effective = effective;
    if (changed)
        Q_EMIT languageChanged(effective);
}

} // namespace Console
