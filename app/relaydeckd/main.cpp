// SPDX-License-Identifier: GPL-3.0-or-later
// relaydeckd: the headless relay. Composition root only: settings → logging → RelayService → event loop.
#include "cli/managementcli.h"
#include "config/settingsloader.h"
#include "log/logger.h"
#include "service/eventdispatcher.h"
#include "service/logsetup.h"
#include "service/relayservice.h"
#include "service/unixsignalwatcher.h"

#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>

#include <unistd.h>

using namespace Relay;

int main(int argc, char *argv[])
{
    Service::preferPlainEventDispatcher(Service::PlainDispatcher::AllThreads);
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("relaydeck"));
    QCoreApplication::setApplicationVersion(QStringLiteral(RELAYDECK_VERSION));
    QTextStream out(stdout);
    QTextStream err(stderr);

    Config::SettingsLoader loader;
    loader.parser().setApplicationDescription(
        QStringLiteral("RelayDeck relay daemon: a self-hosted relay for the Anthropic Claude API."));
    Cli::ManagementCli::addOptions(loader.parser());
    const Config::LoadResult loaded = loader.load(QCoreApplication::arguments());
    if (loaded.helpRequested) {
        out << loader.helpText() << Cli::ManagementCli::usageText();
        return 0;
    }
    if (loaded.versionRequested) {
        out << Config::SettingsLoader::versionText() << '\n';
        return 0;
    }
    if (!loaded.ok()) {
        err << "relaydeckd: " << loaded.error << '\n';
        return 2;
    }
    if (loaded.printConfigRequested) {
        out << Config::SettingsLoader::formatEffectiveConfig(loaded);
        return 0;
    }
    if (!loaded.positionalArguments.isEmpty() &&
        Cli::ManagementCli::isCommand(loaded.positionalArguments.constFirst())) {
        out.flush();
        Cli::ManagementCli command(loaded, loader.parser());
        return command.exec();
    }
    if (const QString option = Cli::ManagementCli::commandOptionIn(loader.parser()); !option.isEmpty()) {
        err << "relaydeckd: " << option
            << " belongs to the key, account, group and admin commands; see relaydeckd --help\n";
        return 2;
    }
    if (!loaded.positionalArguments.isEmpty()) {
        err << "relaydeckd: unknown command \"" << loaded.positionalArguments.constFirst()
            << "\"; see relaydeckd --help\n";
        return 2;
    }

    const Config::Settings &settings = loaded.settings;
    if (const auto init = Log::init(Service::logOptionsFor(settings)); !init.ok()) {
        err << "relaydeckd: " << init.error << '\n';
        return 2;
    }

    int exitCode = 0;
    {
        Service::RelayService service(settings);
        service.setSettingOrigins(loaded.origins);
        Service::UnixSignalWatcher signals;
        bool stopping = false;
        QObject::connect(&signals, &Service::UnixSignalWatcher::terminationRequested, &app, [&](int number) {
            if (stopping) {
                Log::logger().warn("signal {} again: stopping now", number);
                QCoreApplication::exit(1);
                return;
            }
            stopping = true;
            service.stop();
        });
        QObject::connect(&service, &Service::RelayService::stopped, &app, [] { QCoreApplication::quit(); });

        QObject::connect(&service, &Service::RelayService::startFailed, &app, [&err](const QString &error) {
            Log::logger().critical("cannot start: {}", error);
            err << "relaydeckd: " << error << '\n';
            err.flush();
            QCoreApplication::exit(1);
        });
        // Shown once, on the terminal of whoever started the relay for the first time; never written to the log.
        // Only to a terminal: under systemd standard output is the journal, which keeps what it is given. The
        // log's warning names the file that holds the password either way.
        QObject::connect(&service, &Service::RelayService::adminPasswordCreated, &app,
                         [](const QString &user, const QString &password, const QString &file) {
                             if (!isatty(STDOUT_FILENO))
                                 return;
                             QTextStream out(stdout);
                             out << "\nRelayDeck admin API: created user \"" << user << "\" with password\n\n    "
                                 << password << "\n\n(also saved in " << file
                                 << ", readable only by you; change it after signing in)\n\n";
                             out.flush();
                         });
        service.start();
        exitCode = QCoreApplication::exec();
        service.stopAndWait();
        Log::logger().info("stopped");
    }
    Log::shutdown();
    return exitCode;
}
