// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/settingsloader.h"

#include "config/settingdescriptor.h"

#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

// Config file format (see resources/relaydeck.conf.example):
//   key = value        one setting per line; keys are the long flag names ("workers", "body-limit")
//   [section]          prefixes the keys below it: under [log], "level" is the setting "log.level" (--log-level)
//   log.level = debug  a dotted key names the same setting without a section header (only at the top level)
//   # or ;             at the start of a line, or after whitespace, starts a comment
//   key = "value"      double quotes keep # and ; and surrounding spaces literally
// Unknown keys, bad lines and bad values are errors naming the file and line: a typo never goes unnoticed.

namespace Relay::Config {

namespace {

QString sourceText(const SettingOrigin &origin)
{
    switch (origin.source) {
    case Source::Default:
        return u"default"_s;
    case Source::File:
        return u"from %1"_s.arg(origin.where);
    case Source::Environment:
        return u"from environment"_s;
    case Source::CommandLine:
        return u"from command line"_s;
    }
    return {};
}

QString invalidValue(const SettingDescriptor &d, const QString &text, const SettingOrigin &origin)
{
    const QString name =
        origin.source == Source::Environment || origin.source == Source::CommandLine ? origin.where : d.key;
    return u"invalid %1 \"%2\" (%3): %4"_s.arg(name, d.displayText(text), sourceText(origin), d.allowedText());
}

QString applyValue(LoadResult &result, const SettingDescriptor &d, const QString &text, const SettingOrigin &origin,
                   const QProcessEnvironment &env)
{
    if (!d.apply(result.settings, text, env))
        return invalidValue(d, text, origin);
    result.origins.insert(d.key, origin);
    return {};
}

// Removes a trailing comment and surrounding spaces, or the quotes of a quoted value; nullopt if quotes are broken.
std::optional<QString> unquoteValue(const QString &raw)
{
    const QString value = raw.trimmed();
    if (value.startsWith(u'"')) {
        const qsizetype close = value.indexOf(u'"', 1);
        if (close < 0)
            return std::nullopt;
        const QString after = value.mid(close + 1).trimmed();
        if (!after.isEmpty() && !after.startsWith(u'#') && !after.startsWith(u';'))
            return std::nullopt;
        return value.mid(1, close - 1);
    }
    if (value.startsWith(u'#') || value.startsWith(u';'))
        return QString(); // "key =   # comment" is an empty value
    static const QRegularExpression comment(u"\\s[#;]"_s);
    const qsizetype at = value.indexOf(comment);
    return (at < 0 ? value : value.left(at)).trimmed();
}

QString quoteIfNeeded(const QString &value)
{
    if (value.contains(u'#') || value.contains(u';') || value.contains(u'"') || value != value.trimmed())
        return u'"' + value + u'"';
    return value;
}

} // namespace

SettingsLoader::SettingsLoader(QProcessEnvironment environment)
    : m_environment(std::move(environment))
    , m_helpOption({u"h"_s, u"help"_s}, u"Show this help and exit."_s)
    , m_versionOption(u"version"_s, u"Show the version and exit."_s)
    , m_printConfigOption(u"print-config"_s, u"Print every effective setting with its source and exit."_s)
{
    m_parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    m_parser.addOption(m_helpOption);
    m_parser.addOption(m_versionOption);
    m_parser.addOption(m_printConfigOption);
    for (const SettingDescriptor &d : settingDescriptors()) {
        const QString defaultText = d.displayText(d.defaultFor(m_environment));
        const QString description =
            d.choices.isEmpty() ? d.description : u"%1 (%2)"_s.arg(d.description, d.choices.join(u", "_s));
        const QString help =
            u"%1 [%2; default: %3]"_s.arg(description, d.envName(), defaultText.isEmpty() ? u"none"_s : defaultText);
        QCommandLineOption option(d.flagName(), help, d.valueName());
        m_settingOptions.append(option);
        m_parser.addOption(option);
    }
}

QString SettingsLoader::versionText()
{
    return u"RelayDeck %1"_s.arg(QStringLiteral(RELAYDECK_VERSION));
}

Settings SettingsLoader::defaults(const QProcessEnvironment &environment)
{
    SettingsLoader loader(environment);
    LoadResult result;
    loader.applyDefaults(result);
    return result.settings;
}

QString SettingsLoader::applyDefaults(LoadResult &result) const
{
    for (const SettingDescriptor &d : settingDescriptors()) {
        if (QString error = applyValue(result, d, d.defaultFor(m_environment), {}, m_environment); !error.isEmpty())
            return error;
    }
    return {};
}

LoadResult SettingsLoader::load(const QStringList &arguments)
{
    LoadResult result;
    if (!m_parser.parse(arguments)) {
        result.error = m_parser.errorText();
        return result;
    }
    result.positionalArguments = m_parser.positionalArguments();
    result.helpRequested = m_parser.isSet(m_helpOption);
    result.versionRequested = m_parser.isSet(m_versionOption);
    result.printConfigRequested = m_parser.isSet(m_printConfigOption);
    if (result.helpRequested || result.versionRequested)
        return result;

    if (QString error = applyDefaults(result); !error.isEmpty()) {
        result.error = error;
        return result;
    }

    const QList<SettingDescriptor> &descriptors = settingDescriptors();

    // The file's location itself comes from the flag or the environment, never from a file.
    const SettingDescriptor *configSetting = findSetting(u"config"_s);
    const qsizetype configIndex = configSetting - descriptors.constData();
    const QCommandLineOption &configOption = m_settingOptions.at(configIndex);
    QString error;
    if (m_parser.isSet(configOption))
        error = applyValue(result, *configSetting, m_parser.value(configOption),
                           {Source::CommandLine, u"--"_s + configSetting->flagName()}, m_environment);
    else if (m_environment.contains(configSetting->envName()))
        error = applyValue(result, *configSetting, m_environment.value(configSetting->envName()),
                           {Source::Environment, configSetting->envName()}, m_environment);
    if (error.isEmpty())
        error = readConfigFile(result, result.settings.configFile, result.origins.value(configSetting->key));
    if (!error.isEmpty()) {
        result.error = error;
        return result;
    }

    for (const SettingDescriptor &d : descriptors) {
        if (&d == configSetting || !m_environment.contains(d.envName()))
            continue;
        error =
            applyValue(result, d, m_environment.value(d.envName()), {Source::Environment, d.envName()}, m_environment);
        if (!error.isEmpty()) {
            result.error = error;
            return result;
        }
    }
    for (qsizetype i = 0; i < descriptors.size(); ++i) {
        const SettingDescriptor &d = descriptors.at(i);
        if (&d == configSetting || !m_parser.isSet(m_settingOptions.at(i)))
            continue;
        // value() is the last occurrence, so a repeated flag behaves like the later one winning.
        error = applyValue(result, d, m_parser.value(m_settingOptions.at(i)),
                           {Source::CommandLine, u"--"_s + d.flagName()}, m_environment);
        if (!error.isEmpty()) {
            result.error = error;
            return result;
        }
    }
    return result;
}

QString SettingsLoader::readConfigFile(LoadResult &result, const QString &path, const SettingOrigin &pathOrigin) const
{
    const bool explicitFile = pathOrigin.source != Source::Default;
    QFile file(path);
    if (!file.exists()) {
        if (!explicitFile)
            return {};
        return u"config file \"%1\" (%2) does not exist"_s.arg(path, pathOrigin.where);
    }
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return u"cannot read config file \"%1\": %2"_s.arg(path, file.errorString());

    static const QRegularExpression sectionPattern(u"^\\[\\s*([a-z0-9-]*)\\s*\\]$"_s);
    static const QRegularExpression keyPattern(u"^[a-z0-9-]+(\\.[a-z0-9-]+)?$"_s);
    const QString text = QString::fromUtf8(file.readAll());
    const QStringList lines = text.split(u'\n');
    QString section;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString where = u"%1:%2"_s.arg(path).arg(i + 1);
        QString line = lines.at(i).trimmed();
        if (i == 0 && line.startsWith(QChar(0xfeff)))
            line.remove(0, 1);
        if (line.isEmpty() || line.startsWith(u'#') || line.startsWith(u';'))
            continue;
        if (line.startsWith(u'[')) {
            const auto match = sectionPattern.match(line);
            if (!match.hasMatch())
                return u"%1: invalid section header %2 (expected [name] in lower case)"_s.arg(where, line);
            section = match.captured(1);
            continue;
        }
        const qsizetype eq = line.indexOf(u'=');
        if (eq < 0)
            return u"%1: expected \"key = value\" or \"[section]\", got \"%2\""_s.arg(where, line);
        const QString name = line.left(eq).trimmed();
        if (!keyPattern.match(name).hasMatch() || (!section.isEmpty() && name.contains(u'.')))
            return u"%1: invalid key \"%2\""_s.arg(where, name);
        const QString key = section.isEmpty() ? name : section + u'.' + name;
        const SettingDescriptor *d = findSetting(key);
        if (!d)
            return u"%1: unknown setting \"%2\""_s.arg(where, key);
        if (!d->fileAllowed)
            return u"%1: \"%2\" cannot be set in a config file (use --%3 or %4)"_s.arg(where, key, d->flagName(),
                                                                                       d->envName());
        const auto value = unquoteValue(line.mid(eq + 1));
        if (!value)
            return u"%1: unbalanced quotes in the value of \"%2\""_s.arg(where, key);
        if (QString error = applyValue(result, *d, *value, {Source::File, where}, m_environment); !error.isEmpty())
            return error;
    }
    return {};
}

QString SettingsLoader::formatEffectiveConfig(const LoadResult &result)
{
    QStringList lines{u"# RelayDeck effective settings; the comment on each line says where the value came from."_s};
    for (const SettingDescriptor &d : settingDescriptors()) {
        const SettingOrigin origin = result.origins.value(d.key);
        QString source;
        switch (origin.source) {
        case Source::Default:
            source = u"default"_s;
            break;
        case Source::File:
            source = u"file %1"_s.arg(origin.where);
            break;
        case Source::Environment:
            source = u"environment %1"_s.arg(origin.where);
            break;
        case Source::CommandLine:
            source = u"command line %1"_s.arg(origin.where);
            break;
        }
        const QString entry = u"%1%2 = %3"_s.arg(d.fileAllowed ? QString() : u"# "_s, d.key,
                                                 quoteIfNeeded(d.displayText(d.format(result.settings))));
        lines.append(u"%1  # %2"_s.arg(entry.leftJustified(48), source));
    }
    return lines.join(u'\n') + u'\n';
}

} // namespace Relay::Config
