// SPDX-License-Identifier: GPL-3.0-or-later
#include "cli/managementcli.h"

#include "admin/adminauth.h"
#include "config/valueparsers.h"
#include "domain/secretcheck.h"
#include "embedded/embeddedredis.h"
#include "log/logger.h"
#include "log/redaction.h"
#include "redis/client.h"
#include "relay/accountdirectory.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTimeZone>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <termios.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Relay::Cli {

namespace {

constexpr int ExitFailed = 1;
constexpr int ExitUsage = 2;

struct OptionSpec
{
    QString name;
    QString valueName; // empty for a switch
    QString description;
};

const QList<OptionSpec> &optionSpecs()
{
    static const QList<OptionSpec> specs = {
        {u"name"_s, u"NAME"_s, u"Name of the new key or account"_s},
        {u"description"_s, u"TEXT"_s, u"Description of the key or group"_s},
        {u"concurrency"_s, u"N"_s, u"Concurrent requests the key may have (0 = no limit)"_s},
        {u"expires-in"_s, u"DURATION"_s, u"Lifetime of the key from now, e.g. 30d, 12h (default: never expires)"_s},
        {u"expires-at"_s, u"TIME"_s, u"Fixed expiry of the key (ISO 8601, UTC unless it has an offset; never)"_s},
        {u"expires-after-first-use"_s, u"DURATION"_s, u"Expiry counted from the key's first use, e.g. 7d"_s},
        {u"tag"_s, u"TAG"_s, u"A tag of the key (repeatable; --tag '' clears them)"_s},
        {u"permissions"_s, u"LIST"_s, u"Endpoints the key may call: messages,count_tokens,models (default all)"_s},
        {u"allow-models"_s, u"LIST"_s, u"Only these models (comma-separated)"_s},
        {u"deny-models"_s, u"LIST"_s, u"Every model except these (comma-separated)"_s},
        {u"any-model"_s, {}, u"Remove the key's model rule"_s},
        {u"client"_s, u"CLIENT"_s, u"Clients that may use the key: any or claude_code"_s},
        {u"bind-account"_s, u"ID"_s, u"Serve the key only from this upstream account ('' = shared pool)"_s},
        {u"bind-group"_s, u"ID"_s, u"Serve the key only from this account group ('' = shared pool)"_s},
        {u"window"_s, u"MINUTES"_s, u"Length of the key's rate window in minutes (0 = no window)"_s},
        {u"window-requests"_s, u"N"_s, u"Requests per rate window (0 = no limit)"_s},
        {u"window-tokens"_s, u"N"_s, u"Tokens per rate window (0 = no limit)"_s},
        {u"window-cost"_s, u"USD"_s, u"Cost per rate window in USD (0 = no limit)"_s},
        {u"daily-cost"_s, u"USD"_s, u"Cost per day in USD (0 = no limit)"_s},
        {u"total-cost"_s, u"USD"_s, u"Lifetime cost in USD (0 = no limit)"_s},
        {u"weekly-cost"_s, u"FAMILY=USD"_s,
         u"Cost per ISO week of a model family: opus, sonnet or haiku (repeatable)"_s},
        {u"limit-time-zone"_s, u"ZONE"_s,
         u"Day and week boundaries of the key's limits ('' = the relay's time-zone)"_s},
        {u"queue-wait"_s, u"DURATION"_s, u"At the concurrency limit, wait this long for a slot instead of a 429"_s},
        {u"type"_s, u"TYPE"_s, u"Account type: apikey or oauth"_s},
        {u"base-url"_s, u"URL"_s, u"Upstream base URL of the account"_s},
        {u"api-key-file"_s, u"FILE"_s, u"File holding the account's API key or OAuth token; - reads stdin"_s},
        {u"priority"_s, u"N"_s, u"Account priority, lower is preferred (default 50)"_s},
        {u"max-concurrency"_s, u"N"_s, u"Concurrent requests the account may have (0 = no limit)"_s},
        {u"refresh-token-file"_s, u"FILE"_s, u"File holding the OAuth account's refresh token; - reads stdin"_s},
        {u"token-expires-at"_s, u"TIME"_s, u"When the OAuth access token expires (ISO 8601, UTC unless offset)"_s},
        {u"proxy"_s, u"URL"_s, u"Account proxy: http://[user@]host:port or socks5://[user@]host:port ('' = none)"_s},
        {u"proxy-password-file"_s, u"FILE"_s, u"File holding the proxy password; - reads stdin"_s},
        {u"model-map"_s, u"FROM=TO"_s, u"Send model FROM upstream as TO (repeatable; '' clears)"_s},
        {u"daily-quota"_s, u"USD"_s, u"Daily cost quota of the account in USD (0 = none)"_s},
        {u"notes"_s, u"TEXT"_s, u"Notes about the account"_s},
        {u"schedulable"_s, u"BOOL"_s, u"Whether the account gets new requests (true/false)"_s},
        {u"user"_s, u"NAME"_s, u"Admin user name (default admin for set-password)"_s},
        {u"generate"_s, {}, u"Generate a random admin password and print it once"_s},
        {u"json"_s, {}, u"Machine-readable output"_s},
    };
    return specs;
}

enum class Target { Key, Account, Group, Admin };
enum class Action {
    Create,
    List,
    Enable,
    Disable,
    Delete,
    Update,
    Regenerate,
    Show,
    Reset,
    AddMember,
    RemoveMember,
    SetPassword
};

QString formatTime(qint64 ms)
{
    if (ms <= 0)
        return u"never"_s;
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(u"yyyy-MM-dd HH:mm'Z'"_s);
}

// "12.5" (USD, up to 9 decimals) as nanodollars.
std::optional<qint64> parseUsdNanos(const QString &text)
{
    static const QRegularExpression usd(u"^\\s*\\$?(\\d{1,9})(?:\\.(\\d{1,9}))?\\s*$"_s);
    const auto match = usd.match(text);
    if (!match.hasMatch())
        return std::nullopt;
    const QString fraction = match.captured(2).leftJustified(9, u'0');
    return match.captured(1).toLongLong() * 1'000'000'000 + fraction.toLongLong();
}

QString formatUsd(qint64 nanos)
{
    QString text =
        QString::number(nanos / 1'000'000'000) + u'.' + QString::number(nanos % 1'000'000'000).rightJustified(9, u'0');
    while (text.endsWith(u'0') && text.indexOf(u'.') < text.size() - 3)
        text.chop(1);
    return u"$"_s + text;
}

// "30d", "2w", "12h", "90m", "3600s"; a plain number is seconds (as everywhere else).
std::optional<qint64> parseLifetimeMs(const QString &text)
{
    static const QRegularExpression daysOrWeeks(u"^\\s*(\\d+)\\s*([dw])\\s*$"_s);
    if (const auto match = daysOrWeeks.match(text); match.hasMatch()) {
        const qint64 count = match.captured(1).toLongLong();
        const qint64 day = 24LL * 3600 * 1000;
        return count * (match.captured(2) == u"w" ? 7 * day : day);
    }
    if (const auto duration = Config::parseDuration(text))
        return duration->count();
    return std::nullopt;
}

QList<QByteArray> splitList(const QString &text)
{
    QList<QByteArray> out;
    for (const QString &part : text.split(u',')) {
        if (const QString item = part.trimmed(); !item.isEmpty())
            out << item.toUtf8();
    }
    return out;
}

// "2026-12-31", "2026-12-31T18:00", "2026-12-31T18:00:00+02:00": without an offset the time is UTC.
std::optional<qint64> parseTimeMs(const QString &text)
{
    QDateTime time = QDateTime::fromString(text.trimmed(), Qt::ISODate);
    if (!time.isValid())
        return std::nullopt;
    if (time.timeSpec() == Qt::LocalTime)
        time.setTimeSpec(Qt::UTC);
    return time.toMSecsSinceEpoch();
}

QString formatDuration(qint64 ms)
{
    const qint64 hour = 3600LL * 1000;
    if (ms % (24 * hour) == 0)
        return u"%1d"_s.arg(ms / (24 * hour));
    if (ms % hour == 0)
        return u"%1h"_s.arg(ms / hour);
    return u"%1m"_s.arg(ms / 60000);
}

QString formatExpiry(const Domain::ApiKey &key)
{
    if (key.needsActivation())
        return u"%1 after first use"_s.arg(formatDuration(key.expiresAfterFirstUseMs));
    return formatTime(key.expiresAt);
}

QJsonArray toJsonArray(const QList<QByteArray> &values)
{
    QJsonArray out;
    for (const QByteArray &value : values)
        out.append(QString::fromUtf8(value));
    return out;
}

std::optional<int> parseCount(const QString &text, int maximum)
{
    bool ok = false;
    const int value = text.trimmed().toInt(&ok);
    if (!ok || value < 0 || value > maximum)
        return std::nullopt;
    return value;
}

void printTable(QTextStream &out, const QStringList &header, const QList<QStringList> &rows)
{
    QList<qsizetype> widths;
    for (const QString &h : header)
        widths << h.size();
    for (const QStringList &row : rows) {
        for (qsizetype i = 0; i < row.size() && i < widths.size(); ++i)
            widths[i] = std::max(widths[i], row.at(i).size());
    }
    auto line = [&](const QStringList &cells) {
        QString text;
        for (qsizetype i = 0; i < cells.size(); ++i)
            text += i + 1 == cells.size() ? cells.at(i) : cells.at(i).leftJustified(widths.at(i) + 2);
        out << text << '\n';
    };
    line(header);
    for (const QStringList &row : rows)
        line(row);
}

QJsonObject keyJson(const Domain::ApiKey &key)
{
    return {
        {u"id"_s, QString::fromLatin1(key.id)},
        {u"name"_s, key.name},
        {u"description"_s, key.description},
        {u"hint"_s, QString::fromLatin1(key.hint)},
        {u"enabled"_s, key.enabled},
        {u"concurrency_limit"_s, key.concurrencyLimit},
        {u"concurrency_wait_ms"_s, key.concurrencyWaitMs},
        {u"limits"_s, key.limits.toJson()},
        {u"limit_time_zone"_s, key.limitTimeZone.isEmpty() ? QJsonValue() : QString::fromUtf8(key.limitTimeZone)},
        {u"created_at"_s, key.createdAt},
        {u"updated_at"_s, key.updatedAt},
        {u"expires_at"_s, key.expiresAt},
        {u"last_used_at"_s, key.lastUsedAt},
        {u"tags"_s, QJsonArray::fromStringList(key.tags)},
        {u"permissions"_s, toJsonArray([&] {
             QList<QByteArray> names;
             for (Domain::Endpoint endpoint : key.permissions.isEmpty() ? Domain::allEndpoints() : key.permissions)
                 names << Domain::endpointName(endpoint).toByteArray();
             return names;
         }())},
        {u"model_rule"_s, QString::fromLatin1(Domain::modelRuleModeName(key.modelRule.mode))},
        {u"models"_s, toJsonArray(key.modelRule.models)},
        {u"client"_s, QString::fromLatin1(Domain::clientRestrictionName(key.client))},
        {u"expires_after_first_use_ms"_s, key.expiresAfterFirstUseMs},
        {u"activated_at"_s, key.activatedAt},
        {u"bound_account"_s, QString::fromLatin1(key.boundAccountId)},
        {u"bound_group"_s, QString::fromLatin1(key.boundGroupId)},
    };
}

QJsonObject accountJson(const Domain::Account &account)
{
    return {
        {u"id"_s, QString::fromLatin1(account.id)},
        {u"name"_s, account.name},
        {u"type"_s, QString::fromLatin1(Domain::accountTypeName(account.type))},
        {u"base_url"_s, account.baseUrl},
        {u"priority"_s, account.priority},
        {u"enabled"_s, account.enabled},
        {u"schedulable"_s, account.schedulable},
        {u"max_concurrency"_s, account.maxConcurrency},
        {u"created_at"_s, account.createdAt},
        {u"updated_at"_s, account.updatedAt},
        {u"secret_readable"_s, account.secretError.isEmpty()},
        // Secrets are never printed, only whether they are set.
        {u"secret"_s, account.secret.isEmpty() ? u"not set"_s : u"set"_s},
        {u"refresh_token"_s, account.refreshToken.isEmpty() ? u"not set"_s : u"set"_s},
        {u"token_expires_at"_s, account.tokenExpiresAt},
        {u"proxy"_s, account.proxyUrl},
        {u"proxy_password"_s, account.proxyPassword.isEmpty() ? u"not set"_s : u"set"_s},
        {u"model_mapping"_s,
         [&] {
             QJsonObject mapping;
             for (auto it = account.modelMapping.cbegin(); it != account.modelMapping.cend(); ++it)
                 mapping.insert(it.key(), it.value());
             return mapping;
         }()},
        {u"daily_cost_quota_nanos"_s, account.dailyCostQuotaNanos},
        {u"notes"_s, account.notes},
        {u"group_ids"_s, toJsonArray(account.groupIds)},
    };
}

// An account's health from its rd:{acct:<id>}:state hash.
struct HealthView
{
    Proxy::AccountEntry entry;

    QString text(qint64 nowMs) const
    {
        QString out = QString::fromLatin1(Proxy::accountHealthName(entry.effectiveHealth(nowMs)));
        if (entry.health == Proxy::AccountHealth::Cooling && entry.coolingUntilMs > nowMs)
            out += u" until "_s + formatTime(entry.coolingUntilMs);
        for (auto it = entry.familyCooldowns.cbegin(); it != entry.familyCooldowns.cend(); ++it) {
            if (it->untilMs > nowMs)
                out += u", %1 until %2"_s.arg(QString::fromUtf8(it.key()), formatTime(it->untilMs));
        }
        return out;
    }
    QJsonObject json() const
    {
        QJsonObject families;
        for (auto it = entry.familyCooldowns.cbegin(); it != entry.familyCooldowns.cend(); ++it)
            families.insert(QString::fromUtf8(it.key()),
                            QJsonObject{{u"until"_s, it->untilMs}, {u"reason"_s, it->reason}});
        return {{u"status"_s, QString::fromLatin1(Proxy::accountHealthName(entry.health))},
                {u"until"_s, entry.coolingUntilMs},
                {u"reason"_s, entry.reason},
                {u"changed_at"_s, entry.changedAtMs},
                {u"families"_s, families}};
    }
};

HealthView healthFrom(const QList<QByteArray> &stateFields)
{
    HealthView view;
    Proxy::applyHealthState(view.entry, stateFields);
    return view;
}

QJsonObject groupJson(const Domain::AccountGroup &group)
{
    return {{u"id"_s, QString::fromLatin1(group.id)}, {u"name"_s, group.name},
            {u"description"_s, group.description},    {u"members"_s, toJsonArray(group.memberIds)},
            {u"created_at"_s, group.createdAt},       {u"updated_at"_s, group.updatedAt}};
}

QString jsonText(const QJsonDocument &document)
{
    return QString::fromUtf8(document.toJson(QJsonDocument::Indented));
}

QJsonObject adminUserJson(const Admin::AdminUser &user)
{
    return {
        {u"name"_s, user.name}, {u"created_at"_s, user.createdAt}, {u"password_changed_at"_s, user.passwordChangedAt}};
}

// An AdminError as one line for a terminal, with its field problems ("password: must have at least 12 characters").
QString adminErrorText(const Admin::AdminError &error)
{
    if (error.fields.isEmpty())
        return error.message;
    QStringList problems;
    for (auto it = error.fields.constBegin(); it != error.fields.constEnd(); ++it)
        problems << it.key() + u": "_s + it.value().toString();
    return problems.join(u"; "_s);
}

} // namespace

struct ManagementCli::Command
{
    Target target = Target::Key;
    Action action = Action::List;
    QByteArray id;
    bool json = false;
    Domain::NewApiKey newKey;
    Domain::ApiKeyChanges keyChanges;
    Domain::NewAccount newAccount;
    Domain::AccountPatch accountPatch;
    QByteArray memberId; // group add-member / remove-member: the account
    QString adminUser;
    QString password; // admin set-password: the new password (from stdin or generated)
    bool generatedPassword = false;

    QString noun() const
    {
        switch (target) {
        case Target::Key:
            return u"API key"_s;
        case Target::Account:
            return u"account"_s;
        case Target::Group:
            return u"group"_s;
        case Target::Admin:
            return u"admin user"_s;
        }
        return {};
    }
};

void ManagementCli::addOptions(QCommandLineParser &parser)
{
    for (const OptionSpec &spec : optionSpecs()) {
        QCommandLineOption option(spec.name, spec.description, spec.valueName);
        option.setFlags(QCommandLineOption::HiddenFromHelp); // listed in usageText() instead
        parser.addOption(option);
    }
}

QString ManagementCli::usageText()
{
    return uR"(
Management commands (same --redis, --data-dir, --config, --key-prefix and --secret-file as the relay):
  relaydeckd key create --name NAME [KEY OPTIONS] [--json]
      Creates an API key and prints it once on stdout (its id goes to stderr). Store it now: only its
      HMAC is kept.
  relaydeckd key update ID [--name NAME] [KEY OPTIONS] [--any-model] [--json]
      Changes only the settings given; other settings (even ones changed meanwhile) are kept.
  relaydeckd key regenerate ID [--json]
      Prints a new key for ID once; the old key stops working at once.
  relaydeckd key list [--json]
  relaydeckd key enable|disable|delete ID
  KEY OPTIONS: [--description TEXT] [--tag TAG]... [--permissions messages,count_tokens,models]
      [--allow-models A,B | --deny-models A,B] [--client any|claude_code] [--concurrency N]
      [--expires-in 30d | --expires-at 2026-12-31T00:00Z | --expires-after-first-use 7d]
      [--bind-account ID | --bind-group ID] [--queue-wait DURATION]
      [--window MINUTES] [--window-requests N] [--window-tokens N] [--window-cost USD]
      [--daily-cost USD] [--total-cost USD] [--weekly-cost opus=USD]... [--limit-time-zone ZONE]
      Limits are checked and reserved atomically per request; 0 removes a limit, and on update each
      option changes only its own limit. Days and weeks follow --limit-time-zone, else the relay's time-zone.
      Model names match after the price table's normalisation (claude-sonnet-4-5 also covers its dated and
      Bedrock/Vertex names). claude_code accepts only Claude Code (user-agent claude-cli/<version>, x-app and
      its metadata.user_id); count_tokens and models are never refused for the client.
  relaydeckd account add --type apikey|oauth --name NAME [--base-url URL] [--api-key-file FILE|-]
                         [--priority N] [--max-concurrency N] [ACCOUNT OPTIONS] [--json]
      Adds an upstream account. The secret (API key or OAuth token) is read from --api-key-file, or from
      stdin when FILE is - or stdin is a pipe; it is never taken from the command line. Stored encrypted.
  relaydeckd account update ID [--name NAME] [--base-url URL] [--api-key-file FILE] [--priority N]
                         [--max-concurrency N] [--schedulable true|false] [ACCOUNT OPTIONS] [--json]
      Changes only the settings given; other settings (even ones changed meanwhile) are kept.
  relaydeckd account show ID [--json]
      The account's settings and health; secrets show only as "set" or "not set".
  relaydeckd account list [--json]
  relaydeckd account enable|disable|delete ID
  relaydeckd account reset ID
      Puts the account's health back to active (the only way out of unauthorized or blocked).
  ACCOUNT OPTIONS: [--refresh-token-file FILE] [--token-expires-at TIME] [--proxy URL]
      [--proxy-password-file FILE] [--model-map FROM=TO]... [--daily-quota USD] [--notes TEXT]
      The proxy is http://[user@]host:port or socks5://[user@]host:port; its password comes only from
      --proxy-password-file (stored encrypted). --proxy '' removes the proxy, --model-map '' the mapping.
  relaydeckd group create --name NAME [--description TEXT] [--json]
  relaydeckd group list [--json]
  relaydeckd group delete ID
  relaydeckd group add-member|remove-member GROUP_ID ACCOUNT_ID
      A key bound to a group (key --bind-group) is served only by the group's members; the members still
      serve unbound keys from the shared pool too.
  relaydeckd admin set-password [--user NAME] [--generate] [--json]
      Sets the password of an admin API user (default admin; created if missing) and ends its sessions.
      The new password is one line on stdin (at least 12 characters; asked for without echo on a terminal),
      or with --generate a random one printed once on stdout. A first-start password file for that user
      (admin.password-file, default <data-dir>/admin-password) no longer applies and is removed.
  relaydeckd admin list [--json]
      Admin users with when they were created and last changed their password.
  relaydeckd admin delete --user NAME
      Removes an admin user and ends its sessions; the last user cannot be removed.
Without --redis the commands use the running relay's embedded Redis (<data-dir>/redis.sock) or start it for
the duration of the command. The server secret (RELAYDECK_SECRET or --secret-file) must be the relay's.
)"_s;
}

bool ManagementCli::isCommand(const QString &word)
{
    return word == u"key" || word == u"account" || word == u"group" || word == u"admin";
}

QString ManagementCli::commandOptionIn(const QCommandLineParser &parser)
{
    for (const OptionSpec &spec : optionSpecs()) {
        if (parser.isSet(spec.name))
            return u"--"_s + spec.name;
    }
    return {};
}

ManagementCli::ManagementCli(const Config::LoadResult &loaded, const QCommandLineParser &parser, QObject *parent)
    : QObject(parent)
    , m_loaded(loaded)
    , m_parser(parser)
    , m_out(stdout)
    , m_err(stderr)
{}

ManagementCli::~ManagementCli()
{
    m_adminAuth.reset();
    m_client.reset(); // before the embedded Redis goes away, so it does not chase a dead socket
    if (m_embedded)
        m_embedded->stop();
}

int ManagementCli::exec()
{
    if (const int code = prepare(); code != 0) {
        m_err.flush();
        return code;
    }
    Log::LogOptions logOptions;
    // A command's output is its result: only warnings and errors go to stderr unless asked for more.
    const bool levelChosen = m_loaded.origins.value(u"log.level"_s).source != Config::Source::Default;
    logOptions.level = levelChosen ? Log::levelFromName(m_loaded.settings.logLevel).value_or(spdlog::level::warn)
                                   : spdlog::level::warn;
    if (const auto init = Log::init(logOptions); !init.ok()) {
        m_err << "relaydeckd: " << init.error << '\n';
        return ExitUsage;
    }
    QTimer::singleShot(0, this, &ManagementCli::connectRedis);
    const int loopCode = QCoreApplication::exec();
    m_out.flush();
    m_err.flush();
    m_adminAuth.reset();
    m_client.reset();
    if (m_embedded) {
        m_embedded->stop();
        m_embedded.reset();
    }
    Log::shutdown();
    return m_exitCode >= 0 ? m_exitCode : loopCode;
}

int ManagementCli::prepare()
{
    const QStringList args = m_loaded.positionalArguments;
    const QString target = args.value(0);
    const QString verb = args.value(1);
    auto usage = [this](const QString &message) {
        m_err << "relaydeckd: " << message << "; see relaydeckd --help\n";
        return ExitUsage;
    };
    m_command = std::make_unique<Command>();
    Command &command = *m_command;
    command.target = target == u"key"       ? Target::Key
                     : target == u"account" ? Target::Account
                     : target == u"admin"   ? Target::Admin
                                            : Target::Group;
    command.json = m_parser.isSet(u"json"_s);
    if (command.target == Target::Admin) {
        if (const QString error = parseAdminCommand(verb); !error.isEmpty())
            return usage(error);
        return loadSecret();
    }
    const QString createVerb = command.target == Target::Account ? u"add"_s : u"create"_s;
    if (command.target == Target::Group) {
        static const QHash<QString, Action> groupVerbs{{u"create"_s, Action::Create},
                                                       {u"list"_s, Action::List},
                                                       {u"delete"_s, Action::Delete},
                                                       {u"add-member"_s, Action::AddMember},
                                                       {u"remove-member"_s, Action::RemoveMember}};
        if (verb.isEmpty())
            return usage(u"\"group\" needs a subcommand (create, list, delete, add-member, remove-member)"_s);
        if (!groupVerbs.contains(verb))
            return usage(u"unknown subcommand \"%1 %2\""_s.arg(target, verb));
        command.action = groupVerbs.value(verb);
    } else if (verb == createVerb)
        command.action = Action::Create;
    else if (verb == u"list")
        command.action = Action::List;
    else if (verb == u"enable")
        command.action = Action::Enable;
    else if (verb == u"disable")
        command.action = Action::Disable;
    else if (verb == u"delete")
        command.action = Action::Delete;
    else if (verb == u"update")
        command.action = Action::Update;
    else if (verb == u"show" && command.target == Target::Account)
        command.action = Action::Show;
    else if (verb == u"reset" && command.target == Target::Account)
        command.action = Action::Reset;
    else if (verb == u"regenerate" && command.target == Target::Key)
        command.action = Action::Regenerate;
    else if (verb.isEmpty())
        return usage(u"\"%1\" needs a subcommand (%2, list, enable, disable, delete, update%3)"_s.arg(
            target, createVerb, command.target == Target::Key ? u", regenerate"_s : u", show, reset"_s));
    else
        return usage(u"unknown subcommand \"%1 %2\""_s.arg(target, verb));

    const bool needsId = command.action != Action::Create && command.action != Action::List;
    const bool needsMember = command.action == Action::AddMember || command.action == Action::RemoveMember;
    const qsizetype expected = needsMember ? 4 : needsId ? 3 : 2;
    if (needsId && args.size() < 3)
        return usage(u"\"%1 %2\" needs the id of the %3"_s.arg(target, verb, command.noun()));
    if (needsMember && args.size() < 4)
        return usage(u"\"%1 %2\" needs the group id and the account id"_s.arg(target, verb));
    if (args.size() > expected)
        return usage(u"unexpected argument \"%1\""_s.arg(args.at(expected)));
    if (needsId) {
        command.id = args.at(2).toUtf8();
        if (!Domain::isValidId(command.id))
            return usage(u"\"%1\" is not a valid id"_s.arg(args.at(2)));
    }
    if (needsMember) {
        command.memberId = args.at(3).toUtf8();
        if (!Domain::isValidId(command.memberId))
            return usage(u"\"%1\" is not a valid id"_s.arg(args.at(3)));
    }

    // Options that belong to another command are mistakes, not something to ignore silently.
    QStringList allowed{u"json"_s};
    const QStringList keySettings{
        u"description"_s,  u"concurrency"_s, u"expires-in"_s,   u"expires-at"_s,      u"expires-after-first-use"_s,
        u"tag"_s,          u"permissions"_s, u"allow-models"_s, u"deny-models"_s,     u"client"_s,
        u"bind-account"_s, u"bind-group"_s,  u"window"_s,       u"window-requests"_s, u"window-tokens"_s,
        u"window-cost"_s,  u"daily-cost"_s,  u"total-cost"_s,   u"weekly-cost"_s,     u"limit-time-zone"_s,
        u"queue-wait"_s};
    const QStringList accountSettings{
        u"base-url"_s,           u"api-key-file"_s,     u"priority"_s, u"max-concurrency"_s,
        u"refresh-token-file"_s, u"token-expires-at"_s, u"proxy"_s,    u"proxy-password-file"_s,
        u"model-map"_s,          u"daily-quota"_s,      u"notes"_s};
    if (command.action == Action::Create && command.target == Target::Key)
        allowed << u"name"_s << keySettings;
    if (command.action == Action::Update && command.target == Target::Key)
        allowed << u"name"_s << keySettings << u"any-model"_s;
    if (command.action == Action::Create && command.target == Target::Account)
        allowed << u"name"_s << u"type"_s << accountSettings;
    if (command.action == Action::Update && command.target == Target::Account)
        allowed << u"name"_s << u"schedulable"_s << accountSettings;
    if (command.action == Action::Create && command.target == Target::Group)
        allowed << u"name"_s << u"description"_s;
    for (const OptionSpec &spec : optionSpecs()) {
        if (m_parser.isSet(spec.name) && !allowed.contains(spec.name))
            return usage(u"--%1 does not apply to \"%2 %3\""_s.arg(spec.name, target, verb));
    }

    if (command.target == Target::Key && (command.action == Action::Create || command.action == Action::Update)) {
        if (const QString error = parseKeySettings(); !error.isEmpty())
            return usage(error);
    }
    if (command.target == Target::Account && (command.action == Action::Create || command.action == Action::Update)) {
        if (const QString error = parseAccountSettings(); !error.isEmpty())
            return usage(error);
    }

    if (command.action == Action::Create) {
        const QString name = m_parser.value(u"name"_s).trimmed();
        if (name.isEmpty())
            return usage(u"\"%1 %2\" needs --name NAME"_s.arg(target, verb));
        if (command.target == Target::Group) {
            if (const QString error = Domain::GroupStore::validate(name, m_parser.value(u"description"_s));
                !error.isEmpty())
                return usage(error);
        } else if (command.target == Target::Key) {
            // The settings were parsed into keyChanges (shared with update); a new key starts from the defaults.
            Domain::NewApiKey &key = command.newKey;
            key = Domain::newApiKeyFrom(command.keyChanges);
            key.name = name;
            key.limits = mergedLimits(Limits::LimitPolicy());
            Domain::ApiKey probe;
            probe.name = key.name;
            probe.concurrencyLimit = key.concurrencyLimit;
            probe.limits = key.limits;
            probe.limitTimeZone = key.limitTimeZone;
            probe.concurrencyWaitMs = key.concurrencyWaitMs;
            if (const QString error = Domain::validateApiKeySettings(probe); !error.isEmpty())
                return usage(error);
        } else {
            Domain::NewAccount &account = command.newAccount;
            account.name = name;
            const QString type = m_parser.value(u"type"_s);
            if (type.isEmpty())
                return usage(u"\"account add\" needs --type apikey or --type oauth"_s);
            const auto parsedType = Domain::accountTypeFromName(type.toUtf8());
            if (!parsedType)
                return usage(u"--type must be apikey or oauth, not \"%1\""_s.arg(type));
            account.type = *parsedType;
            // The settings were parsed into accountPatch (shared with update); a new account starts from defaults.
            const Domain::AccountPatch &p = command.accountPatch;
            account.baseUrl = p.baseUrl.value_or(account.baseUrl);
            account.priority = p.priority.value_or(account.priority);
            account.maxConcurrency = p.maxConcurrency.value_or(0);
            account.refreshToken = p.refreshToken.value_or(QByteArray());
            account.tokenExpiresAt = p.tokenExpiresAt.value_or(0);
            account.proxyUrl = p.proxyUrl.value_or(QString());
            account.proxyPassword = p.proxyPassword.value_or(QByteArray());
            account.modelMapping = p.modelMapping.value_or(QMap<QString, QString>());
            account.dailyCostQuotaNanos = p.dailyCostQuotaNanos.value_or(0);
            account.notes = p.notes.value_or(QString());
            QByteArray secret = p.secret.value_or(QByteArray());
            if (!p.secret) {
                // Without --api-key-file the secret comes from a pipe on stdin.
                if (::isatty(STDIN_FILENO))
                    return usage(u"give the account's secret with --api-key-file FILE, or pipe it on stdin"_s);
                QString error;
                secret = readSecret({}, u"secret"_s, &error);
                if (!error.isEmpty())
                    return usage(error);
            }
            account.secret = secret;
            if (const QString error = Domain::AccountStore::validate(account); !error.isEmpty())
                return usage(error);
            if (account.type != Domain::AccountType::OAuth && !account.refreshToken.isEmpty())
                return usage(u"--refresh-token-file applies to oauth accounts only"_s);
        }
    }

    return loadSecret();
}

int ManagementCli::loadSecret()
{
    const auto secret = Domain::ServerSecret::load(m_loaded.settings.secretFile);
    if (!secret.ok()) {
        m_err << "relaydeckd: " << secret.error.message << '\n';
        return ExitFailed;
    }
    m_secret = secret.value;
    m_keys = Domain::DomainKeys(Redis::KeySpace(m_loaded.settings.keyPrefix.toUtf8()));
    return 0;
}

QString ManagementCli::parseAdminCommand(const QString &verb)
{
    Command &command = *m_command;
    static const QHash<QString, Action> verbs{
        {u"set-password"_s, Action::SetPassword}, {u"list"_s, Action::List}, {u"delete"_s, Action::Delete}};
    if (verb.isEmpty())
        return u"\"admin\" needs a subcommand (set-password, list, delete)"_s;
    if (!verbs.contains(verb))
        return u"unknown subcommand \"admin %1\""_s.arg(verb);
    command.action = verbs.value(verb);
    if (m_loaded.positionalArguments.size() > 2)
        return u"unexpected argument \"%1\" (name the user with --user NAME)"_s.arg(m_loaded.positionalArguments.at(2));
    QStringList allowed{u"json"_s};
    if (command.action == Action::SetPassword)
        allowed << u"user"_s << u"generate"_s;
    if (command.action == Action::Delete)
        allowed << u"user"_s;
    for (const OptionSpec &spec : optionSpecs()) {
        if (m_parser.isSet(spec.name) && !allowed.contains(spec.name))
            return u"--%1 does not apply to \"admin %2\""_s.arg(spec.name, verb);
    }
    if (command.action == Action::List)
        return {};
    if (command.action == Action::Delete && !m_parser.isSet(u"user"_s))
        return u"\"admin delete\" needs --user NAME"_s;
    command.adminUser = m_parser.isSet(u"user"_s) ? m_parser.value(u"user"_s).trimmed() : u"admin"_s;
    if (!Admin::AdminAuth::isValidUserName(command.adminUser))
        return u"--user must be 1 to 64 letters, digits, '.', '_' or '-', not \"%1\""_s.arg(command.adminUser);
    if (command.action != Action::SetPassword)
        return {};
    if (m_parser.isSet(u"generate"_s)) {
        command.password = Admin::AdminAuth::generatePassword();
        command.generatedPassword = true;
        return command.password.isEmpty() ? u"no random bytes for a password"_s : QString();
    }
    QString error;
    command.password = readNewPassword(&error);
    return error;
}

QString ManagementCli::readNewPassword(QString *error)
{
    m_stdinUsed = true;
    QByteArray line;
    if (::isatty(STDIN_FILENO)) {
        // Typed by a person: ask, and keep the password off the screen. getline returns at the line end (a
        // buffered QFile read would wait for a whole block).
        m_err << "New password for admin user \"" << m_command->adminUser << "\": ";
        m_err.flush();
        termios saved{};
        const bool quiet = ::tcgetattr(STDIN_FILENO, &saved) == 0;
        if (quiet) {
            termios noEcho = saved;
            noEcho.c_lflag &= ~tcflag_t(ECHO);
            ::tcsetattr(STDIN_FILENO, TCSANOW, &noEcho);
        }
        char *buffer = nullptr;
        size_t capacity = 0;
        const ssize_t length = ::getline(&buffer, &capacity, stdin);
        if (length > 0)
            line = QByteArray(buffer, qsizetype(length));
        ::free(buffer);
        if (quiet)
            ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        m_err << '\n';
        m_err.flush();
    } else {
        QFile in;
        if (!in.open(stdin, QIODevice::ReadOnly)) {
            *error = u"cannot read stdin"_s;
            return {};
        }
        line = in.read(64 * 1024);
    }
    // Only the line end goes: spaces are valid password characters.
    if (line.endsWith('\n'))
        line.chop(1);
    if (line.endsWith('\r'))
        line.chop(1);
    const int minimum = Admin::AdminAuthOptions().minPasswordLength;
    if (line.isEmpty())
        *error = u"the new password from stdin is empty (or use --generate)"_s;
    else if (line.contains('\n') || line.contains('\r'))
        *error = u"the new password from stdin must be a single line"_s;
    else if (QString::fromUtf8(line).size() < minimum)
        *error = u"the new password must have at least %1 characters (or use --generate)"_s.arg(minimum);
    return QString::fromUtf8(line);
}

QString ManagementCli::parseKeySettings()
{
    Domain::ApiKeyChanges &changes = m_command->keyChanges;
    const bool updating = m_command->action == Action::Update;
    auto isSet = [this](const QString &name) { return m_parser.isSet(name); };
    auto value = [this](const QString &name) { return m_parser.value(name); };

    if (updating && isSet(u"name"_s))
        changes.name = value(u"name"_s).trimmed();
    if (isSet(u"description"_s))
        changes.description = value(u"description"_s);
    if (isSet(u"concurrency"_s)) {
        const auto count = parseCount(value(u"concurrency"_s), 100000);
        if (!count)
            return u"--concurrency must be an integer from 0 to 100000"_s;
        changes.concurrencyLimit = *count;
    }

    const int expiryOptions =
        int(isSet(u"expires-in"_s)) + int(isSet(u"expires-at"_s)) + int(isSet(u"expires-after-first-use"_s));
    if (expiryOptions > 1)
        return u"give only one of --expires-in, --expires-at and --expires-after-first-use"_s;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (isSet(u"expires-in"_s)) {
        const auto lifetime = parseLifetimeMs(value(u"expires-in"_s));
        if (!lifetime || *lifetime <= 0)
            return u"--expires-in must be a positive duration such as 30d, 2w, 12h or 90m"_s;
        changes.expiresAt = now + *lifetime;
    }
    if (isSet(u"expires-at"_s)) {
        const QString text = value(u"expires-at"_s);
        if (text.trimmed() == u"never") {
            changes.expiresAt = 0;
        } else {
            const auto at = parseTimeMs(text);
            if (!at)
                return u"--expires-at must be an ISO 8601 time such as 2026-12-31 or 2026-12-31T18:00:00+02:00, or never"_s;
            if (*at <= now)
                return u"--expires-at %1 is in the past"_s.arg(text);
            changes.expiresAt = *at;
        }
    }
    if (isSet(u"expires-after-first-use"_s)) {
        const auto lifetime = parseLifetimeMs(value(u"expires-after-first-use"_s));
        if (!lifetime || *lifetime <= 0)
            return u"--expires-after-first-use must be a positive duration such as 7d, 12h or 90m"_s;
        changes.expiresAfterFirstUseMs = *lifetime;
    }

    if (isSet(u"tag"_s)) {
        QStringList tags;
        for (const QString &tag : m_parser.values(u"tag"_s)) {
            if (!tag.trimmed().isEmpty() && !tags.contains(tag.trimmed()))
                tags << tag.trimmed();
        }
        changes.tags = tags;
    }
    if (isSet(u"permissions"_s)) {
        QList<Domain::Endpoint> permissions;
        for (const QByteArray &name : splitList(value(u"permissions"_s))) {
            const auto endpoint = Domain::endpointFromName(name);
            if (!endpoint)
                return u"--permissions: unknown permission \"%1\" (allowed: messages, count_tokens, models)"_s.arg(
                    QString::fromUtf8(name));
            if (!permissions.contains(*endpoint))
                permissions << *endpoint;
        }
        if (permissions.isEmpty())
            return u"--permissions needs at least one of messages, count_tokens, models"_s;
        changes.permissions = permissions;
    }

    const int modelOptions = int(isSet(u"allow-models"_s)) + int(isSet(u"deny-models"_s)) + int(isSet(u"any-model"_s));
    if (modelOptions > 1)
        return u"--allow-models, --deny-models and --any-model exclude each other: a key has one model rule"_s;
    for (const auto &[option, mode] : {std::pair{u"allow-models"_s, Domain::ModelRuleMode::Allow},
                                       std::pair{u"deny-models"_s, Domain::ModelRuleMode::Deny}}) {
        if (!isSet(option))
            continue;
        const QList<QByteArray> models = splitList(value(option));
        if (models.isEmpty())
            return u"--%1 needs at least one model name"_s.arg(option);
        changes.modelRule = Domain::ModelRule{mode, models};
    }
    if (isSet(u"any-model"_s))
        changes.modelRule = Domain::ModelRule{};

    if (isSet(u"client"_s)) {
        const auto client = Domain::clientRestrictionFromName(value(u"client"_s).trimmed().toUtf8());
        if (!client)
            return u"--client must be any or claude_code, not \"%1\""_s.arg(value(u"client"_s));
        changes.client = *client;
    }

    if (isSet(u"bind-account"_s) && isSet(u"bind-group"_s))
        return u"--bind-account and --bind-group exclude each other: a key is bound to an account or a group"_s;
    for (const QString &option : {u"bind-account"_s, u"bind-group"_s}) {
        if (!isSet(option))
            continue;
        const QByteArray id = value(option).trimmed().toUtf8();
        if (!id.isEmpty() && !Domain::isValidId(id))
            return u"--%1: \"%2\" is not a valid id"_s.arg(option, value(option));
        changes.binding =
            option == u"bind-account" ? Domain::ApiKeyChanges::Binding{id, {}} : Domain::ApiKeyChanges::Binding{{}, id};
    }

    if (const QString error = parseLimitOptions(); !error.isEmpty())
        return error;
    if (updating && changes.isEmpty() && m_limitEdits.isEmpty())
        return u"\"key update\" needs at least one setting to change"_s;
    return {};
}

// The limit options as edits of a policy: each given option replaces one limit and leaves the others, so
// "key update ID --daily-cost 5" keeps the key's rate window.
QString ManagementCli::parseLimitOptions()
{
    Domain::ApiKeyChanges &changes = m_command->keyChanges;
    auto isSet = [this](const QString &name) { return m_parser.isSet(name); };
    auto value = [this](const QString &name) { return m_parser.value(name).trimmed(); };
    struct Scalar
    {
        const char16_t *option;
        qint64 Limits::LimitPolicy::*field;
        bool dollars;
    };
    static const Scalar scalars[] = {
        {u"window", &Limits::LimitPolicy::windowMinutes, false},
        {u"window-requests", &Limits::LimitPolicy::windowRequests, false},
        {u"window-tokens", &Limits::LimitPolicy::windowTokens, false},
        {u"window-cost", &Limits::LimitPolicy::windowCostNanos, true},
        {u"daily-cost", &Limits::LimitPolicy::dailyCostNanos, true},
        {u"total-cost", &Limits::LimitPolicy::totalCostNanos, true},
    };
    for (const Scalar &s : scalars) {
        const QString option = QString::fromUtf16(s.option);
        if (!isSet(option))
            continue;
        const std::optional<qint64> parsed =
            s.dollars ? parseUsdNanos(value(option)) : std::optional<qint64>(parseCount(value(option), 1'000'000'000));
        if (!parsed)
            return s.dollars ? u"--%1 must be an amount in USD such as 25 or 12.50 (0 = no limit)"_s.arg(option)
                             : u"--%1 must be an integer from 0 to 1000000000 (0 = no limit)"_s.arg(option);
        const qint64 v = *parsed;
        const auto field = s.field;
        m_limitEdits.append([field, v](Limits::LimitPolicy &p) { p.*field = v; });
    }
    for (const QString &entry : m_parser.values(u"weekly-cost"_s)) {
        const qsizetype eq = entry.indexOf(u'=');
        const QByteArray family = entry.left(eq).trimmed().toLower().toUtf8();
        const auto nanos = eq > 0 ? parseUsdNanos(entry.mid(eq + 1).trimmed()) : std::nullopt;
        if (!nanos || (family != "opus" && family != "sonnet" && family != "haiku"))
            return u"--weekly-cost must be FAMILY=USD with FAMILY opus, sonnet or haiku, e.g. opus=50, not \"%1\""_s
                .arg(entry);
        m_limitEdits.append([family, v = *nanos](Limits::LimitPolicy &p) {
            if (v > 0)
                p.weeklyFamilyCostNanos.insert(family, v);
            else
                p.weeklyFamilyCostNanos.remove(family);
        });
    }
    if (isSet(u"limit-time-zone"_s)) {
        const QByteArray zone = value(u"limit-time-zone"_s).toUtf8();
        if (!zone.isEmpty() && !QTimeZone(zone).isValid())
            return u"--limit-time-zone: \"%1\" is not a time zone (use an IANA name such as Europe/Berlin, or '' for "
                   u"the "
                   "relay's)"_s.arg(QString::fromUtf8(zone));
        changes.limitTimeZone = zone;
    }
    if (isSet(u"queue-wait"_s)) {
        const auto wait = Config::parseDuration(value(u"queue-wait"_s));
        if (!wait || wait->count() < 0 || wait->count() > 600'000)
            return u"--queue-wait must be a duration from 0 to 10m, such as 30s (0 = answer 429 at once)"_s;
        changes.concurrencyWaitMs = wait->count();
    }
    return {};
}

Limits::LimitPolicy ManagementCli::mergedLimits(Limits::LimitPolicy policy) const
{
    for (const auto &edit : m_limitEdits)
        edit(policy);
    return policy;
}

QByteArray ManagementCli::readSecret(const QString &option, const QString &what, QString *error)
{
    const QString path = option.isEmpty() ? u"-"_s : m_parser.value(option);
    QFile source;
    QString sourceName;
    if (path == u"-") {
        if (m_stdinUsed) {
            *error = u"only one secret can be read from stdin"_s;
            return {};
        }
        m_stdinUsed = true;
        if (!source.open(stdin, QIODevice::ReadOnly)) {
            *error = u"cannot read stdin"_s;
            return {};
        }
        sourceName = u"stdin"_s;
    } else {
        source.setFileName(path);
        if (!source.open(QIODevice::ReadOnly)) {
            *error = u"cannot read --%1 %2: %3"_s.arg(option, path, source.errorString());
            return {};
        }
        sourceName = path;
    }
    QByteArray value = source.read(64 * 1024).trimmed();
    if (value.isEmpty())
        *error = u"the %1 from %2 is empty"_s.arg(what, sourceName);
    else if (value.contains('\n') || value.contains(' '))
        *error = u"the %1 from %2 must be a single line without spaces"_s.arg(what, sourceName);
    return value;
}

QString ManagementCli::parseAccountSettings()
{
    Domain::AccountPatch &patch = m_command->accountPatch;
    const bool updating = m_command->action == Action::Update;
    auto isSet = [this](const QString &name) { return m_parser.isSet(name); };
    auto value = [this](const QString &name) { return m_parser.value(name); };
    QString error;

    if (updating && isSet(u"name"_s))
        patch.name = value(u"name"_s).trimmed();
    if (isSet(u"base-url"_s)) {
        const QString url = Domain::normalizeBaseUrl(value(u"base-url"_s));
        if (const QString invalid = Domain::validateBaseUrl(url); !invalid.isEmpty())
            return u"bad --base-url: %1"_s.arg(invalid);
        patch.baseUrl = url;
    }
    if (isSet(u"api-key-file"_s)) {
        patch.secret = readSecret(u"api-key-file"_s, u"secret"_s, &error);
        if (!error.isEmpty())
            return error;
    }
    if (isSet(u"priority"_s)) {
        const auto count = parseCount(value(u"priority"_s), Domain::Account::MaxPriority);
        if (!count)
            return u"--priority must be an integer from 0 to %1"_s.arg(Domain::Account::MaxPriority);
        patch.priority = *count;
    }
    if (isSet(u"max-concurrency"_s)) {
        const auto count = parseCount(value(u"max-concurrency"_s), 100000);
        if (!count)
            return u"--max-concurrency must be an integer from 0 to 100000"_s;
        patch.maxConcurrency = *count;
    }
    if (isSet(u"schedulable"_s)) {
        const QString text = value(u"schedulable"_s).trimmed().toLower();
        if (text != u"true" && text != u"false")
            return u"--schedulable must be true or false"_s;
        patch.schedulable = text == u"true";
    }
    if (isSet(u"refresh-token-file"_s)) {
        patch.refreshToken = readSecret(u"refresh-token-file"_s, u"refresh token"_s, &error);
        if (!error.isEmpty())
            return error;
    }
    if (isSet(u"token-expires-at"_s)) {
        const auto at = parseTimeMs(value(u"token-expires-at"_s));
        if (!at || *at <= 0)
            return u"--token-expires-at must be an ISO 8601 time such as 2026-12-31T18:00:00Z"_s;
        patch.tokenExpiresAt = *at;
    }
    if (isSet(u"proxy"_s)) {
        const QString url = value(u"proxy"_s).trimmed();
        if (const QString invalid = Domain::validateProxyUrl(url); !invalid.isEmpty())
            return u"bad --proxy: %1"_s.arg(invalid);
        patch.proxyUrl = url;
    }
    if (isSet(u"proxy-password-file"_s)) {
        if (!updating && value(u"proxy"_s).trimmed().isEmpty())
            return u"--proxy-password-file needs --proxy"_s;
        patch.proxyPassword = readSecret(u"proxy-password-file"_s, u"proxy password"_s, &error);
        if (!error.isEmpty())
            return error;
    }
    if (isSet(u"model-map"_s)) {
        QMap<QString, QString> mapping;
        const QStringList entries = m_parser.values(u"model-map"_s);
        const bool clear = entries.size() == 1 && entries.constFirst().trimmed().isEmpty();
        for (const QString &entry : clear ? QStringList() : entries) {
            const qsizetype eq = entry.indexOf(u'=');
            const QString from = entry.left(eq).trimmed();
            const QString to = entry.mid(eq + 1).trimmed();
            if (eq < 0 || from.isEmpty() || to.isEmpty())
                return u"--model-map needs FROM=TO with two model names, not \"%1\""_s.arg(entry);
            mapping.insert(from, to);
        }
        if (const QString invalid = Domain::validateModelMapping(mapping); !invalid.isEmpty())
            return u"bad --model-map: %1"_s.arg(invalid);
        patch.modelMapping = mapping;
    }
    if (isSet(u"daily-quota"_s)) {
        const auto nanos = parseUsdNanos(value(u"daily-quota"_s));
        if (!nanos)
            return u"--daily-quota must be an amount in USD such as 25 or 12.50 (0 = no quota)"_s;
        patch.dailyCostQuotaNanos = *nanos;
    }
    if (isSet(u"notes"_s)) {
        if (value(u"notes"_s).size() > Domain::Account::MaxNotesLength)
            return u"--notes must be at most %1 characters"_s.arg(Domain::Account::MaxNotesLength);
        patch.notes = value(u"notes"_s);
    }
    if (updating) {
        if (patch.isEmpty())
            return u"\"account update\" needs at least one setting to change"_s;
        if (const QString invalid = Domain::AccountStore::validatePatch(patch); !invalid.isEmpty())
            return invalid;
    }
    return {};
}

void ManagementCli::connectRedis()
{
    if (!m_loaded.settings.redisUrl.isEmpty())
        return useRedis(m_loaded.settings.redisUrl, false);
    const QString socket = m_loaded.settings.dataDir + u"/redis.sock"_s;
    if (QFileInfo::exists(socket))
        return useRedis(u"unix://"_s + socket, true); // a relay is running (or died and left its socket)
    startEmbedded();
}

void ManagementCli::useRedis(const QString &url, bool probeFirst)
{
    QString error;
    auto options = Redis::ConnectionOptions::fromUrl(url, &error);
    if (!options)
        return failText(u"invalid Redis URL %1: %2"_s.arg(Log::redactUrl(url), error));
    options->commandTimeoutMs = int(m_loaded.settings.redisCommandTimeout.count());
    m_client = std::make_unique<Redis::Client>(*options);
    const QString endpoint = options->endpoint();
    // Reaching Redis is the first command's job; a short PING turns "unreachable" into a clear message.
    m_client->ping(this, [this, endpoint, probeFirst](const Redis::Error &error, qint64) {
        if (!error)
            return runCommand();
        if (probeFirst) { // a stale socket from a relay that is gone: start our own
            m_client.reset();
            return startEmbedded();
        }
        failText(u"cannot reach Redis at %1: %2"_s.arg(endpoint, error.message));
    });
}

void ManagementCli::startEmbedded()
{
    m_embedded = std::make_unique<Embedded::EmbeddedRedis>();
    connect(m_embedded.get(), &Embedded::EmbeddedRedis::ready, this,
            [this](const QString &url) { useRedis(url, false); });
    connect(m_embedded.get(), &Embedded::EmbeddedRedis::failed, this,
            [this](const QString &message) { failText(u"cannot start the embedded Redis: %1"_s.arg(message)); });
    m_embedded->start(m_loaded.settings.dataDir);
}

void ManagementCli::runCommand()
{
    // Refuse to write with a secret the relay does not share: its keys would never match.
    Domain::SecretCheck::verify(m_client.get(), m_keys, m_secret, this, [this](const Domain::Error &error) {
        if (error)
            return fail(error);
        switch (m_command->target) {
        case Target::Key:
            return runKeyCommand();
        case Target::Account:
            return runAccountCommand();
        case Target::Group:
            return runGroupCommand();
        case Target::Admin:
            return runAdminCommand();
        }
    });
}

// A clear key exists only in this answer: on stdout (alone, or in the JSON), the explanation on stderr.
void ManagementCli::showClearKey(const Domain::CreatedApiKey &created, const QString &note)
{
    if (m_command->json) {
        QJsonObject object = keyJson(created.key);
        object.insert(u"key"_s, QString::fromLatin1(created.clearKey));
        m_out << jsonText(QJsonDocument(object));
    } else {
        m_out << created.clearKey << '\n';
        m_err << note << '\n';
    }
    finish(0);
}

void ManagementCli::runKeyCommand()
{
    const Command &command = *m_command;
    const Domain::KeyStore keys(m_client.get(), m_keys, m_secret, m_loaded.settings.apiKeyPrefix.toUtf8());
    switch (command.action) {
    case Action::Create:
        return keys.create(command.newKey, this, [this](const Domain::Result<Domain::CreatedApiKey> &result) {
            if (!result.ok())
                return fail(result.error);
            const Domain::ApiKey &key = result.value.key;
            showClearKey(result.value, u"Created API key "_s + QString::fromLatin1(key.id) + u" ("_s + key.name +
                                           u"). Copy the key above now: it is not shown again."_s);
        });
    case Action::Update:
        if (!m_limitEdits.isEmpty()) {
            // The limits are one policy in the store (validated as a whole): read the key's, apply the edits.
            return keys.get(command.id, this, [this, keys](const Domain::Result<Domain::ApiKey> &current) {
                if (!current.ok())
                    return fail(current.error);
                m_command->keyChanges.limits = mergedLimits(current.value.limits);
                m_limitEdits.clear();
                runKeyCommand();
            });
        }
        return keys.update(command.id, command.keyChanges, this, [this](const Domain::Result<Domain::ApiKey> &result) {
            if (!result.ok())
                return fail(result.error);
            if (m_command->json)
                m_out << jsonText(QJsonDocument(keyJson(result.value)));
            else
                m_out << "API key " << result.value.id << " updated.\n";
            finish(0);
        });
    case Action::Regenerate:
        return keys.regenerate(command.id, this, [this](const Domain::Result<Domain::CreatedApiKey> &result) {
            if (!result.ok())
                return fail(result.error);
            const Domain::ApiKey &key = result.value.key;
            showClearKey(result.value, u"New key for API key "_s + QString::fromLatin1(key.id) + u" ("_s + key.name +
                                           u"); the old key no longer works. Copy the key above now: it is not shown "
                                           u"again."_s);
        });
    case Action::List:
        return keys.list(this, [this](const Domain::Result<QList<Domain::ApiKey>> &result) {
            if (!result.ok())
                return fail(result.error);
            if (m_command->json) {
                QJsonArray array;
                for (const Domain::ApiKey &key : result.value)
                    array.append(keyJson(key));
                m_out << jsonText(QJsonDocument(array));
                return finish(0);
            }
            const qint64 now = QDateTime::currentMSecsSinceEpoch();
            QList<QStringList> rows;
            for (const Domain::ApiKey &key : result.value) {
                const QString state = !key.enabled ? u"disabled"_s : key.isExpired(now) ? u"expired"_s : u"enabled"_s;
                rows.append({QString::fromLatin1(key.id), key.name, QString::fromLatin1(key.hint), state,
                             key.tags.isEmpty() ? u"-"_s : key.tags.join(u","), formatTime(key.createdAt),
                             formatTime(key.lastUsedAt), formatExpiry(key)});
            }
            printTable(
                m_out,
                {u"ID"_s, u"NAME"_s, u"HINT"_s, u"STATE"_s, u"TAGS"_s, u"CREATED"_s, u"LAST USED"_s, u"EXPIRES"_s},
                rows);
            finish(0);
        });
    case Action::Enable:
    case Action::Disable:
        return keys.setEnabled(command.id, command.action == Action::Enable, this, [this](const Domain::Error &error) {
            if (error)
                return fail(error);
            m_out << "API key " << m_command->id << (m_command->action == Action::Enable ? " enabled" : " disabled")
                  << ".\n";
            finish(0);
        });
    case Action::Delete:
        return keys.remove(command.id, this, [this](const Domain::Error &error) {
            if (error)
                return fail(error);
            m_out << "API key " << m_command->id << " deleted.\n";
            finish(0);
        });
    case Action::Show: // prepare() accepts these verbs for accounts and groups only
    case Action::Reset:
    case Action::AddMember:
    case Action::RemoveMember:
    case Action::SetPassword:
        return failText(u"\"key\" has no such subcommand"_s, ExitUsage);
    }
}

void ManagementCli::runAccountCommand()
{
    const Command &command = *m_command;
    const Domain::AccountStore accounts(m_client.get(), m_keys, Domain::SecretBox(m_secret.encryptionKey()));
    switch (command.action) {
    case Action::Create:
        return accounts.create(command.newAccount, this, [this](const Domain::Result<Domain::Account> &result) {
            if (!result.ok())
                return fail(result.error);
            const Domain::Account &account = result.value;
            if (m_command->json)
                m_out << jsonText(QJsonDocument(accountJson(account)));
            else
                m_out << "Added account " << account.id << " (" << account.name << ", "
                      << Domain::accountTypeName(account.type).toByteArray() << ", " << account.baseUrl << ", priority "
                      << account.priority << ").\n";
            finish(0);
        });
    case Action::List:
        return accounts.list(this, [this](const Domain::Result<QList<Domain::Account>> &result) {
            if (!result.ok())
                return fail(result.error);
            const QList<Domain::Account> list = result.value;
            if (list.isEmpty() && !m_command->json) {
                m_out << "No accounts.\n";
                return finish(0);
            }
            QList<QList<QByteArray>> reads;
            for (const Domain::Account &account : list)
                reads.append({"HGETALL", m_keys.accountState(account.id)});
            if (reads.isEmpty())
                reads.append({"PING"}); // keeps one code path for an empty JSON list
            m_client->pipeline(reads, this, [this, list](const Redis::BatchResult &states) {
                if (!states.isSuccess())
                    return failText(u"cannot read the accounts' health: %1"_s.arg(states.error.message));
                const qint64 now = QDateTime::currentMSecsSinceEpoch();
                if (m_command->json) {
                    QJsonArray array;
                    for (qsizetype i = 0; i < list.size(); ++i) {
                        QJsonObject object = accountJson(list.at(i));
                        object.insert(u"health"_s, healthFrom(states.replies.at(i).toByteArrayList()).json());
                        array.append(object);
                    }
                    m_out << jsonText(QJsonDocument(array));
                    return finish(0);
                }
                QList<QStringList> rows;
                for (qsizetype i = 0; i < list.size(); ++i) {
                    const Domain::Account &account = list.at(i);
                    const HealthView health = healthFrom(states.replies.at(i).toByteArrayList());
                    const QString state = !account.enabled       ? u"disabled"_s
                                          : !account.schedulable ? u"paused"_s
                                                                 : u"enabled"_s;
                    rows.append({QString::fromLatin1(account.id), account.name,
                                 QString::fromLatin1(Domain::accountTypeName(account.type)),
                                 QString::number(account.priority), state, health.text(now),
                                 health.entry.reason.isEmpty() ? u"-"_s : health.entry.reason,
                                 account.maxConcurrency > 0 ? QString::number(account.maxConcurrency) : u"-"_s,
                                 account.secretError.isEmpty() ? u"ok"_s : u"UNREADABLE"_s, account.baseUrl});
                }
                printTable(m_out,
                           {u"ID"_s, u"NAME"_s, u"TYPE"_s, u"PRIORITY"_s, u"STATE"_s, u"HEALTH"_s, u"REASON"_s,
                            u"MAX CONC"_s, u"SECRET"_s, u"BASE URL"_s},
                           rows);
                finish(0);
            });
        });
    case Action::Update:
        return accounts.update(command.id, command.accountPatch, this,
                               [this](const Domain::Result<Domain::Account> &result) {
                                   if (!result.ok())
                                       return fail(result.error);
                                   if (m_command->json)
                                       m_out << jsonText(QJsonDocument(accountJson(result.value)));
                                   else
                                       m_out << "Account " << result.value.id << " updated.\n";
                                   finish(0);
                               });
    case Action::Show:
        return accounts.get(command.id, this, [this](const Domain::Result<Domain::Account> &result) {
            if (!result.ok())
                return fail(result.error);
            const Domain::Account account = result.value;
            m_client->command(
                {"HGETALL", m_keys.accountState(account.id)}, this, [this, account](const Redis::Result &state) {
                    if (!state.isSuccess())
                        return failText(u"cannot read the account's health: %1"_s.arg(state.errorMessage()));
                    showAccount(account, state.reply.toByteArrayList());
                });
        });
    case Action::Reset:
        return accounts.resetState(command.id, this, [this](const Domain::Error &error) {
            if (error)
                return fail(error);
            m_out << "Account " << m_command->id << " reset to active.\n";
            finish(0);
        });
    case Action::Enable:
    case Action::Disable:
        return accounts.setEnabled(
            command.id, command.action == Action::Enable, this, [this](const Domain::Error &error) {
                if (error)
                    return fail(error);
                m_out << "Account " << m_command->id << (m_command->action == Action::Enable ? " enabled" : " disabled")
                      << ".\n";
                finish(0);
            });
    case Action::Delete:
        return accounts.remove(command.id, this, [this](const Domain::Error &error) {
            if (error)
                return fail(error);
            m_out << "Account " << m_command->id << " deleted.\n";
            finish(0);
        });
    case Action::Regenerate: // prepare() accepts these verbs for other targets only
    case Action::AddMember:
    case Action::RemoveMember:
    case Action::SetPassword:
        return failText(u"\"account\" has no such subcommand"_s, ExitUsage);
    }
}

void ManagementCli::showAccount(const Domain::Account &account, const QList<QByteArray> &state)
{
    const HealthView health = healthFrom(state);
    if (m_command->json) {
        QJsonObject object = accountJson(account);
        object.insert(u"health"_s, health.json());
        m_out << jsonText(QJsonDocument(object));
        return finish(0);
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    auto setOrNot = [](bool set) { return set ? u"set"_s : u"not set"_s; };
    QStringList mapping;
    for (auto it = account.modelMapping.cbegin(); it != account.modelMapping.cend(); ++it)
        mapping << it.key() + u" -> "_s + it.value();
    QString healthText = health.text(now);
    if (!health.entry.reason.isEmpty())
        healthText += u" ("_s + health.entry.reason + u')';
    if (health.entry.changedAtMs > 0)
        healthText += u", since "_s + formatTime(health.entry.changedAtMs);
    QStringList groups;
    for (const QByteArray &id : account.groupIds)
        groups << QString::fromLatin1(id);
    const QList<std::pair<QString, QString>> rows{
        {u"ID"_s, QString::fromLatin1(account.id)},
        {u"Name"_s, account.name},
        {u"Type"_s, QString::fromLatin1(Domain::accountTypeName(account.type))},
        {u"Base URL"_s, account.baseUrl},
        {u"State"_s, !account.enabled       ? u"disabled"_s
                     : !account.schedulable ? u"paused"_s
                                            : u"enabled"_s},
        {u"Health"_s, healthText},
        {u"Priority"_s, QString::number(account.priority)},
        {u"Max concurrency"_s, account.maxConcurrency > 0 ? QString::number(account.maxConcurrency) : u"-"_s},
        {u"Secret"_s, setOrNot(!account.secret.isEmpty())},
        {u"Refresh token"_s, setOrNot(!account.refreshToken.isEmpty())},
        {u"Token expires"_s, formatTime(account.tokenExpiresAt)},
        {u"Proxy"_s, account.proxyUrl.isEmpty() ? u"-"_s : account.proxyUrl},
        {u"Proxy password"_s, setOrNot(!account.proxyPassword.isEmpty())},
        {u"Model mapping"_s, mapping.isEmpty() ? u"-"_s : mapping.join(u", "_s)},
        {u"Daily quota"_s, account.dailyCostQuotaNanos > 0 ? formatUsd(account.dailyCostQuotaNanos) : u"none"_s},
        {u"Groups"_s, groups.isEmpty() ? u"-"_s : groups.join(u", "_s)},
        {u"Notes"_s, account.notes.isEmpty() ? u"-"_s : account.notes},
        {u"Created"_s, formatTime(account.createdAt)},
        {u"Updated"_s, formatTime(account.updatedAt)},
    };
    for (const auto &[label, value] : rows)
        m_out << (label + u':').leftJustified(17) << value << '\n';
    finish(0);
}

void ManagementCli::runGroupCommand()
{
    const Command &command = *m_command;
    const Domain::GroupStore groups(m_client.get(), m_keys);
    switch (command.action) {
    case Action::Create:
        return groups.create(m_parser.value(u"name"_s), m_parser.value(u"description"_s), this,
                             [this](const Domain::Result<Domain::AccountGroup> &result) {
                                 if (!result.ok())
                                     return fail(result.error);
                                 if (m_command->json)
                                     m_out << jsonText(QJsonDocument(groupJson(result.value)));
                                 else
                                     m_out << "Created group " << result.value.id << " (" << result.value.name
                                           << ").\n";
                                 finish(0);
                             });
    case Action::List:
        return groups.list(this, [this](const Domain::Result<QList<Domain::AccountGroup>> &result) {
            if (!result.ok())
                return fail(result.error);
            if (m_command->json) {
                QJsonArray array;
                for (const Domain::AccountGroup &group : result.value)
                    array.append(groupJson(group));
                m_out << jsonText(QJsonDocument(array));
                return finish(0);
            }
            QList<QStringList> rows;
            for (const Domain::AccountGroup &group : result.value) {
                QStringList members;
                for (const QByteArray &id : group.memberIds)
                    members << QString::fromLatin1(id);
                rows.append({QString::fromLatin1(group.id), group.name,
                             members.isEmpty() ? u"-"_s : members.join(u","_s),
                             group.description.isEmpty() ? u"-"_s : group.description});
            }
            printTable(m_out, {u"ID"_s, u"NAME"_s, u"MEMBERS"_s, u"DESCRIPTION"_s}, rows);
            finish(0);
        });
    case Action::Delete:
        return groups.remove(command.id, this, [this](const Domain::Error &error) {
            if (error)
                return fail(error);
            m_out << "Group " << m_command->id << " deleted.\n";
            finish(0);
        });
    case Action::AddMember:
    case Action::RemoveMember: {
        const bool add = command.action == Action::AddMember;
        auto done = [this, add](const Domain::Error &error) {
            if (error)
                return fail(error);
            m_out << "Account " << m_command->memberId << (add ? " added to" : " removed from") << " group "
                  << m_command->id << ".\n";
            finish(0);
        };
        if (add)
            return groups.addMember(command.id, command.memberId, this, done);
        return groups.removeMember(command.id, command.memberId, this, done);
    }
    case Action::Enable:
    case Action::Disable:
    case Action::Update:
    case Action::Regenerate:
    case Action::Show:
    case Action::Reset:
    case Action::SetPassword:
        return failText(u"\"group\" has no such subcommand"_s, ExitUsage);
    }
}

void ManagementCli::runAdminCommand()
{
    m_adminAuth =
        std::make_unique<Admin::AdminAuth>(m_client.get(), m_keys.keySpace(), Admin::AdminAuthOptions(), nullptr);
    Admin::AdminAuth &auth = *m_adminAuth;
    const QString user = m_command->adminUser;
    switch (m_command->action) {
    case Action::SetPassword:
        // Listing first only to say whether the user is new; setPassword creates it either way.
        return auth.listUsers([this, user](const QList<Admin::AdminUser> &users, const Admin::AdminError &error) {
            if (error)
                return failAdmin(error);
            const bool existed =
                std::any_of(users.cbegin(), users.cend(), [&](const Admin::AdminUser &u) { return u.name == user; });
            m_adminAuth->setPassword(user, m_command->password, [this, user, existed](const Admin::AdminError &error) {
                if (error)
                    return failAdmin(error);
                const QString done = existed
                                         ? u"Password of admin user \"%1\" set; its sessions have ended."_s.arg(user)
                                         : u"Created admin user \"%1\"."_s.arg(user);
                if (m_command->json) {
                    QJsonObject object{{u"user"_s, user}, {u"created"_s, !existed}};
                    if (m_command->generatedPassword)
                        object.insert(u"password"_s, m_command->password);
                    m_out << jsonText(QJsonDocument(object));
                } else if (m_command->generatedPassword) {
                    // The password alone on stdout (for scripts), the explanation on stderr.
                    m_out << m_command->password << '\n';
                    m_err << done << " Copy the password above now: it is not shown again.\n";
                } else {
                    m_out << done << '\n';
                }
                removeStalePasswordFile(user);
                finish(0);
            });
        });
    case Action::List:
        return auth.listUsers([this](const QList<Admin::AdminUser> &users, const Admin::AdminError &error) {
            if (error)
                return failAdmin(error);
            if (m_command->json) {
                QJsonArray array;
                for (const Admin::AdminUser &user : users)
                    array.append(adminUserJson(user));
                m_out << jsonText(QJsonDocument(array));
                return finish(0);
            }
            if (users.isEmpty()) {
                m_out << "No admin users (the relay creates one on its first start).\n";
                return finish(0);
            }
            QList<QStringList> rows;
            for (const Admin::AdminUser &user : users)
                rows.append({user.name, formatTime(user.createdAt), formatTime(user.passwordChangedAt)});
            printTable(m_out, {u"USER"_s, u"CREATED"_s, u"PASSWORD CHANGED"_s}, rows);
            finish(0);
        });
    case Action::Delete:
        return auth.removeUser(user, [this, user](const Admin::AdminError &error) {
            if (error)
                return failAdmin(error);
            m_out << "Admin user \"" << user << "\" deleted; its sessions have ended.\n";
            removeStalePasswordFile(user);
            finish(0);
        });
    case Action::Create: // prepare() accepts only set-password, list and delete for admin
    case Action::Enable:
    case Action::Disable:
    case Action::Update:
    case Action::Regenerate:
    case Action::Show:
    case Action::Reset:
    case Action::AddMember:
    case Action::RemoveMember:
        return failText(u"\"admin\" has no such subcommand"_s, ExitUsage);
    }
}

// The first start wrote the generated password of "admin" to a file; once that password is replaced (or its user
// removed) the file only misleads, so it goes.
void ManagementCli::removeStalePasswordFile(const QString &user)
{
    const QString path = m_loaded.settings.adminPasswordFile.isEmpty()
                             ? m_loaded.settings.dataDir + u"/admin-password"_s
                             : m_loaded.settings.adminPasswordFile;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return;
    const QByteArray firstLine = file.readLine(1024).trimmed();
    file.close();
    if (firstLine != "user: " + user.toUtf8())
        return;
    if (file.remove())
        m_err << "Removed " << path << ": the password in it no longer works.\n";
    else
        m_err << "relaydeckd: the password in " << path << " no longer works; remove the file (" << file.errorString()
              << ")\n";
}

void ManagementCli::finish(int exitCode)
{
    m_exitCode = exitCode;
    m_out.flush();
    m_err.flush();
    QCoreApplication::exit(exitCode);
}

void ManagementCli::fail(const Domain::Error &error)
{
    // Input the store refused (e.g. a limit combination only checkable against the stored key) is a usage error.
    failText(error.message, error.kind == Domain::Error::Kind::InvalidArgument ? ExitUsage : ExitFailed);
}

void ManagementCli::failAdmin(const Admin::AdminError &error)
{
    // Refused input (a short password, the last user) is a usage error; Redis trouble or an unknown user is not.
    const bool refused = error.status == 400 || error.status == 409 || error.status == 422;
    failText(adminErrorText(error), refused ? ExitUsage : ExitFailed);
}

void ManagementCli::failText(const QString &message, int exitCode)
{
    m_err << "relaydeckd: " << message << '\n';
    finish(exitCode);
}

} // namespace Relay::Cli
