// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/settingsroutes.h"

#include "admin/admincontext.h"
#include "admin/adminrouter.h"
#include "config/configfilewriter.h"
#include "config/settingdescriptor.h"
#include "log/logger.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QProcessEnvironment>

#include <memory>

using namespace Qt::StringLiterals;

namespace Relay::Admin {

namespace {

using Config::SettingDescriptor;
using Config::SettingType;
using Config::Source;

// What the routes know about the running relay: its settings (updated when a setting is applied live) and where each
// value came from. Shared by the handlers, all on the control thread.
struct SettingsState
{
    Config::Settings running;
    Config::SettingOrigins origins;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
};

// The settings the relay can change while running (the log module's level and sample rate are global and atomic).
bool appliesLive(const QString &key)
{
    return key == u"log.level" || key == u"log.sample-rate";
}

void applyLive(const QString &key, const Config::Settings &settings)
{
    if (key == u"log.level")
        Log::setLevel(Log::levelFromName(settings.logLevel).value_or(spdlog::level::info));
    else if (key == u"log.sample-rate")
        Log::setSampleRate(settings.logSampleRate);
}

bool isOverridden(const Config::SettingOrigin &origin)
{
    return origin.source == Source::Environment || origin.source == Source::CommandLine;
}

QString typeName(SettingType type)
{
    switch (type) {
    case SettingType::Text:
        return u"text"_s;
    case SettingType::Path:
        return u"path"_s;
    case SettingType::RedisUrl:
        return u"redis_url"_s;
    case SettingType::Integer:
        return u"integer"_s;
    case SettingType::Fraction:
        return u"fraction"_s;
    case SettingType::Size:
        return u"size"_s;
    case SettingType::Duration:
        return u"duration"_s;
    case SettingType::Choice:
        return u"choice"_s;
    case SettingType::HostPort:
        return u"host_port"_s;
    case SettingType::TimeZone:
        return u"time_zone"_s;
    case SettingType::HttpUrl:
        return u"http_url"_s;
    }
    return {};
}

// The unit of minimum and maximum, for the types where they are numbers a person would enter.
QJsonValue unitOf(SettingType type)
{
    switch (type) {
    case SettingType::Integer:
    case SettingType::Fraction:
        return u""_s;
    case SettingType::Size:
        return u"bytes"_s;
    case SettingType::Duration:
        return u"ms"_s;
    default:
        return QJsonValue::Null;
    }
}

QString sourceName(Source source)
{
    switch (source) {
    case Source::Default:
        return u"default"_s;
    case Source::File:
        return u"file"_s;
    case Source::Environment:
        return u"environment"_s;
    case Source::CommandLine:
        return u"command_line"_s;
    }
    return {};
}

// The value the next start would use, as format() writes it; nullopt when the file's value no longer parses.
std::optional<QString> nextStartValue(const SettingDescriptor &d, const SettingsState &state,
                                      const Config::ConfigFileWriter &file)
{
    const Config::SettingOrigin origin = state.origins.value(d.key);
    if (isOverridden(origin) || !d.fileAllowed)
        return d.format(state.running); // the variable or flag wins again
    Config::Settings next = state.running;
    const QString text = file.value(d.key).value_or(d.defaultFor(state.environment));
    if (!d.apply(next, text, state.environment))
        return std::nullopt;
    return d.format(next);
}

QJsonObject itemJson(const SettingDescriptor &d, const SettingsState &state, const Config::ConfigFileWriter &file)
{
    const Config::SettingOrigin origin = state.origins.value(d.key);
    QString where = origin.where;
    if (origin.source == Source::File && file.lineOf(d.key) > 0)
        where = u"%1:%2"_s.arg(file.path()).arg(file.lineOf(d.key)); // lines move when the file is edited
    const bool numeric = !unitOf(d.type).isNull();
    const auto fileValue = file.value(d.key);
    const QString running = d.format(state.running);
    QJsonArray choices;
    for (const QString &choice : d.choices)
        choices.append(choice);
    return QJsonObject{
        {u"key"_s, d.key},
        {u"type"_s, typeName(d.type)},
        {u"value"_s, d.displayText(running)},
        {u"default"_s, d.displayText(d.defaultFor(state.environment))},
        {u"description"_s, d.description},
        {u"allowed"_s, d.allowedText()},
        {u"choices"_s, choices},
        {u"minimum"_s, numeric ? QJsonValue(d.minimum) : QJsonValue()},
        {u"maximum"_s, numeric ? QJsonValue(d.maximum) : QJsonValue()},
        {u"unit"_s, unitOf(d.type)},
        {u"secret"_s, d.secret},
        {u"source"_s, sourceName(origin.source)},
        {u"where"_s, where},
        {u"file_value"_s, fileValue ? QJsonValue(d.displayText(*fileValue)) : QJsonValue()},
        {u"editable"_s, d.fileAllowed},
        {u"restart_required"_s, !appliesLive(d.key)},
        {u"overridden"_s, isOverridden(origin)},
        {u"pending_restart"_s, nextStartValue(d, state, file) != running},
    };
}

QJsonArray stringArray(const QStringList &list)
{
    QJsonArray array;
    for (const QString &item : list)
        array.append(item);
    return array;
}

AdminResult listSettings(const SettingsState &state)
{
    Config::ConfigFileWriter file(state.running.configFile);
    QJsonValue fileError;
    if (!file.load())
        fileError = file.errorString();
    QJsonArray items;
    for (const SettingDescriptor &d : Config::settingDescriptors())
        items.append(itemJson(d, state, file));
    return AdminResult::json(
        QJsonObject{{u"config_file"_s, state.running.configFile}, {u"file_error"_s, fileError}, {u"items"_s, items}});
}

// Every value checked against its descriptor (on a copy of the settings) before the file is touched.
QJsonObject validate(const QJsonObject &values, const SettingsState &state)
{
    QJsonObject fields;
    Config::Settings scratch = state.running;
    for (auto it = values.constBegin(); it != values.constEnd(); ++it) {
        const SettingDescriptor *d = Config::findSetting(it.key());
        if (!d) {
            fields.insert(it.key(), u"unknown setting"_s);
            continue;
        }
        if (!d->fileAllowed) {
            fields.insert(it.key(),
                          u"cannot be set in the config file (use --%1 or %2)"_s.arg(d->flagName(), d->envName()));
            continue;
        }
        if (it.value().isNull())
            continue;
        if (!it.value().isString()) {
            fields.insert(it.key(), u"must be a string written as in the config file, or null for the default"_s);
            continue;
        }
        const QString text = it.value().toString();
        if (const QString problem = Config::ConfigFileWriter::writeProblem(text); !problem.isEmpty())
            fields.insert(it.key(), problem);
        else if (!d->apply(scratch, text, state.environment))
            fields.insert(it.key(), d->allowedText());
    }
    return fields;
}

AdminResult updateSettings(const AdminRequest &request, SettingsState &state)
{
    AdminError error;
    const QJsonObject body = request.jsonBody(&error);
    if (error)
        return AdminResult::failure(error);
    const QJsonValue valuesField = body.value(u"values"_s);
    if (!valuesField.isObject())
        return AdminResult::failure(AdminError::badRequest(
            u"\"values\" must be an object of setting keys to strings (as written in the config file) or null"_s));
    const QJsonObject values = valuesField.toObject();
    const QString path = state.running.configFile;
    if (path.isEmpty())
        return AdminResult::failure(
            AdminError::conflict(u"the relay has no config file (start it with --config FILE)"_s));

    if (const QJsonObject fields = validate(values, state); !fields.isEmpty())
        return AdminResult::failure(
            AdminError::validation(fields, u"some settings have invalid values; the config file was not changed"_s));

    Config::ConfigFileWriter file(path);
    if (!file.load())
        return AdminResult::failure(AdminError::internal(file.errorString()));
    const QString before = file.text();
    QStringList changed;
    for (auto it = values.constBegin(); it != values.constEnd(); ++it) {
        const auto old = file.value(it.key());
        if (it.value().isNull())
            file.remove(it.key());
        else
            file.setValue(it.key(), it.value().toString()); // validated above: cannot fail
        if (file.value(it.key()) != old)
            changed.append(it.key());
    }
    if (file.text() != before && !file.save())
        return AdminResult::failure(AdminError::internal(file.errorString()));

    QStringList applied;
    QStringList restartRequired;
    QStringList overridden;
    for (const QString &key : std::as_const(changed)) {
        const SettingDescriptor &d = *Config::findSetting(key);
        if (isOverridden(state.origins.value(key))) {
            overridden.append(key);
            continue;
        }
        if (appliesLive(key)) {
            const auto fileValue = file.value(key);
            d.apply(state.running, fileValue.value_or(d.defaultFor(state.environment)), state.environment);
            applyLive(key, state.running);
            if (fileValue)
                state.origins.insert(key, {Source::File, u"%1:%2"_s.arg(path).arg(file.lineOf(key))});
            else
                state.origins.remove(key);
            applied.append(key);
            continue;
        }
        if (nextStartValue(d, state, file) != d.format(state.running))
            restartRequired.append(key);
    }
    return AdminResult::json(QJsonObject{{u"config_file"_s, path},
                                         {u"changed"_s, stringArray(changed)},
                                         {u"restart_required"_s, stringArray(restartRequired)},
                                         {u"applied"_s, stringArray(applied)},
                                         {u"overridden"_s, stringArray(overridden)}});
}

QJsonObject schemaOf(const QString &type, bool nullable = false)
{
    QJsonObject schema{{u"type"_s, type}};
    if (nullable)
        schema.insert(u"nullable"_s, true);
    return schema;
}

QJsonObject objectSchema(const QJsonObject &properties)
{
    return QJsonObject{{u"type"_s, u"object"_s}, {u"properties"_s, properties}};
}

QJsonObject arrayOf(const QJsonObject &items)
{
    return QJsonObject{{u"type"_s, u"array"_s}, {u"items"_s, items}};
}

} // namespace

void registerSettingsRoutes(AdminRouter &router, const AdminContext &context)
{
    auto state = std::make_shared<SettingsState>();
    state->running = context.settings;
    // A relative --config is relative to the working directory at start; show and edit that same file.
    if (!state->running.configFile.isEmpty())
        state->running.configFile = QFileInfo(state->running.configFile).absoluteFilePath();
    state->origins = context.settingOrigins;

    const QJsonObject string = schemaOf(u"string"_s);
    const QJsonObject nullableString = schemaOf(u"string"_s, true);
    const QJsonObject boolean = schemaOf(u"boolean"_s);
    const QJsonObject nullableNumber = schemaOf(u"number"_s, true);
    const QJsonObject strings = arrayOf(string);

    RouteDoc listDoc;
    listDoc.operationId = u"settings.list"_s;
    listDoc.summary = u"Every setting: running value, default, what is allowed, where the value came from and what "
                      "the config file says (secrets masked)"_s;
    listDoc.tag = u"settings"_s;
    QJsonObject source = string;
    source.insert(u"enum"_s, QJsonArray{u"default"_s, u"file"_s, u"environment"_s, u"command_line"_s});
    listDoc.response = objectSchema(QJsonObject{
        {u"config_file"_s, string},
        {u"file_error"_s, nullableString},
        {u"items"_s, arrayOf(objectSchema(QJsonObject{
                         {u"key"_s, string},
                         {u"type"_s, string},
                         {u"value"_s, string},
                         {u"default"_s, string},
                         {u"description"_s, string},
                         {u"allowed"_s, string},
                         {u"choices"_s, strings},
                         {u"minimum"_s, nullableNumber},
                         {u"maximum"_s, nullableNumber},
                         {u"unit"_s, nullableString},
                         {u"secret"_s, boolean},
                         {u"source"_s, source},
                         {u"where"_s, string},
                         {u"file_value"_s, nullableString},
                         {u"editable"_s, boolean},
                         {u"restart_required"_s, boolean},
                         {u"overridden"_s, boolean},
                         {u"pending_restart"_s, boolean},
                     }))},
    });
    router.add(QByteArrayLiteral("GET"), u"/admin/settings"_s, listDoc,
               [state](const AdminRequest &, AdminCallback callback) { callback(listSettings(*state)); });

    RouteDoc updateDoc;
    updateDoc.operationId = u"settings.update"_s;
    updateDoc.summary = u"Writes settings into the config file (null removes a line: back to the default) after "
                        "validating all of them; log.level and log.sample-rate apply at once, the rest at the next "
                        "start"_s;
    updateDoc.tag = u"settings"_s;
    QJsonObject valueMap{{u"type"_s, u"object"_s}, {u"additionalProperties"_s, nullableString}};
    updateDoc.requestBody = objectSchema(QJsonObject{{u"values"_s, valueMap}});
    updateDoc.response = objectSchema(QJsonObject{{u"config_file"_s, string},
                                                  {u"changed"_s, strings},
                                                  {u"restart_required"_s, strings},
                                                  {u"applied"_s, strings},
                                                  {u"overridden"_s, strings}});
    router.add(
        QByteArrayLiteral("PUT"), u"/admin/settings"_s, updateDoc,
        [state](const AdminRequest &request, AdminCallback callback) { callback(updateSettings(request, *state)); });
}

} // namespace Relay::Admin
