// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/settingsloader.h"
#include "domain/accountstore.h"
#include "domain/groupstore.h"
#include "domain/keystore.h"
#include "domain/serversecret.h"

#include <QCommandLineParser>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTextStream>

#include <functional>
#include <memory>

namespace Relay::Admin {
class AdminAuth;
struct AdminError;
} // namespace Relay::Admin
namespace Relay::Embedded {
class EmbeddedRedis;
}
namespace Relay::Redis {
class Client;
}

namespace Relay::Cli {

// The management commands of relaydeckd (`relaydeckd key …`, `account …`, `group …`, `admin …`): they run
// in-process against the same Redis the relay uses. Without --redis they use the running relay's embedded Redis through
// <data-dir>/redis.sock, or start the embedded redis-server for the duration of the command.
//
// Exit codes: 0 success, 1 the command failed (unknown id, Redis unreachable, ...), 2 bad usage.
class ManagementCli : public QObject
{
    Q_OBJECT

public:
    // Adds the commands' own options to the shared parser (hidden from the server's option list).
    static void addOptions(QCommandLineParser &parser);
    // The "Management commands" section appended to --help.
    static QString usageText();
    static bool isCommand(const QString &word);
    // The first command-only option given on the command line, or empty (for a server start that got one).
    static QString commandOptionIn(const QCommandLineParser &parser);

    ManagementCli(const Config::LoadResult &loaded, const QCommandLineParser &parser, QObject *parent = nullptr);
    ~ManagementCli() override;

    // Runs the command to completion (spinning the application's event loop) and returns the exit code.
    int exec();

private:
    struct Command;

    int prepare();
    int loadSecret();
    // Fills m_command for "admin <verb>" (reading the new password from stdin); returns a usage message or empty.
    QString parseAdminCommand(const QString &verb);
    QString readNewPassword(QString *error);
    // Fills m_command->keyChanges from the key options; returns a usage message or empty.
    QString parseKeySettings();
    QString parseLimitOptions();
    Limits::LimitPolicy mergedLimits(Limits::LimitPolicy policy) const;
    void connectRedis();
    void useRedis(const QString &url, bool probeFirst);
    void startEmbedded();
    void runCommand();
    void runKeyCommand();
    void showClearKey(const Domain::CreatedApiKey &created, const QString &note);
    // Fills m_command->accountPatch from the account options; returns a usage message or empty.
    QString parseAccountSettings();
    // One line from the file named by --<option> (stdin for "-" or an empty option, once); sets *error when it
    // cannot be read or is not one token.
    QByteArray readSecret(const QString &option, const QString &what, QString *error);
    void runAccountCommand();
    void showAccount(const Domain::Account &account, const QList<QByteArray> &state);
    void runGroupCommand();
    void runAdminCommand();
    void removeStalePasswordFile(const QString &user);
    void finish(int exitCode);
    void fail(const Domain::Error &error);
    void failAdmin(const Admin::AdminError &error);
    void failText(const QString &message, int exitCode = 1);

    Config::LoadResult m_loaded;
    const QCommandLineParser &m_parser;
    QTextStream m_out;
    QTextStream m_err;
    std::unique_ptr<Command> m_command;
    Domain::ServerSecret m_secret;
    Domain::DomainKeys m_keys;
    std::unique_ptr<Embedded::EmbeddedRedis> m_embedded;
    std::unique_ptr<Redis::Client> m_client;
    std::unique_ptr<Admin::AdminAuth> m_adminAuth; // admin commands only
    int m_exitCode = -1;
    bool m_stdinUsed = false;
    // Edits of the key's limit policy from the limit options (applied to the stored policy on update).
    QList<std::function<void(Limits::LimitPolicy &)>> m_limitEdits;
};

} // namespace Relay::Cli
