// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/settings.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace Relay::Config {

struct LoadResult
{
    QString error; // empty on success; otherwise one line naming the setting, value, source and what is allowed
    Settings settings;
    SettingOrigins origins;
    QStringList positionalArguments;
    bool helpRequested = false;    // --help: nothing else was read; show SettingsLoader::helpText()
    bool versionRequested = false; // --version: nothing else was read; show SettingsLoader::versionText()
    bool printConfigRequested = false;

    bool ok() const { return error.isEmpty(); }
};

// Builds Settings from defaults, then the config file, then RELAYDECK_* variables, then flags (later wins).
// Never prints or exits: the app shows LoadResult::error and exits with status 2.
//
//   Relay::Config::SettingsLoader loader;
//   loader.parser().addPositionalArgument(...);   // the app may add its own options first
//   const auto result = loader.load(QCoreApplication::arguments());
class SettingsLoader
{
public:
    explicit SettingsLoader(QProcessEnvironment environment = QProcessEnvironment::systemEnvironment());

    // Options for every setting plus --help, --version and --print-config are already added.
    QCommandLineParser &parser() { return m_parser; }

    LoadResult load(const QStringList &arguments);

    QString helpText() const { return m_parser.helpText(); }
    static QString versionText();
    // Every effective setting as "key = value  # source" lines (a valid config file), secrets masked.
    static QString formatEffectiveConfig(const LoadResult &result);
    // All defaults for the given environment, e.g. for tests of other modules.
    static Settings defaults(const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());

private:
    QString applyDefaults(LoadResult &result) const;
    QString readConfigFile(LoadResult &result, const QString &path, const SettingOrigin &pathOrigin) const;

    QProcessEnvironment m_environment;
    QCommandLineParser m_parser;
    QList<QCommandLineOption> m_settingOptions; // index-aligned with settingDescriptors()
    QCommandLineOption m_helpOption;
    QCommandLineOption m_versionOption;
    QCommandLineOption m_printConfigOption;
};

} // namespace Relay::Config
