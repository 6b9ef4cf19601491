// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/settings.h"

#include <QList>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <chrono>
#include <variant>

namespace Relay::Config {

enum class SettingType { Text, Path, RedisUrl, Integer, Fraction, Size, Duration, Choice, HostPort, TimeZone, HttpUrl };

// listen is one setting stored in two fields.
struct HostPortField
{
    QString Settings::*host;
    quint16 Settings::*port;
};

using SettingField = std::variant<QString Settings::*, int Settings::*, qint64 Settings::*, double Settings::*,
                                  std::chrono::milliseconds Settings::*, HostPortField>;

// One row of the settings table. The key is the name in the config file ("log.level", or "level" under [log]);
// the flag (--log-level) and the variable (RELAYDECK_LOG_LEVEL) are derived from it.
struct SettingDescriptor
{
    QString key;
    SettingType type;
    SettingField field;
    QString defaultValue; // written like a value in the file and parsed by the same code
    QString description;
    double minimum = 0; // Integer, Fraction: the number; Size: bytes; Duration: milliseconds
    double maximum = 0;
    QStringList choices = {};
    bool secret = false;                                              // masked in --print-config and in error messages
    bool allowEmpty = false;                                          // Text/Path/HostPort: whether "" is a valid value
    bool fileAllowed = true;                                          // false for settings that choose the file itself
    QString (*computeDefault)(const QProcessEnvironment &) = nullptr; // for defaults that depend on the machine

    QString flagName() const;
    QString envName() const;
    QString valueName() const;
    QString defaultFor(const QProcessEnvironment &env) const;
    // What a valid value looks like, for error messages: "must be an integer from 1 to 64".
    QString allowedText() const;
    // Parses text into settings; false if it is not an allowed value (settings then unchanged).
    bool apply(Settings &settings, const QString &text, const QProcessEnvironment &env) const;
    QString format(const Settings &settings) const;
    // A value as it may be shown to a person: secrets masked.
    QString displayText(const QString &text) const;
};

// The settings table, in --help and --print-config order.
const QList<SettingDescriptor> &settingDescriptors();
const SettingDescriptor *findSetting(const QString &key);

} // namespace Relay::Config
