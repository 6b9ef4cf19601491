// SPDX-License-Identifier: GPL-3.0-or-later
// relaydeck: the operator console. Composition root only: settings → logging → the bundled relay (or a remote
// one with --connect) → the main window.
#include "bundledrelay.h"
#include "config/settingsloader.h"
#include "log/logger.h"
#include "service/eventdispatcher.h"
#include "service/logsetup.h"
#include "ui/adminclient.h"
#include "ui/icons.h"
#include "ui/languagemanager.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QCommandLineOption>
#include <QMessageBox>
#include <QSettings>
#include <QTextStream>

#include <memory>

using namespace Relay;

int main(int argc, char *argv[])
{
    Service::preferPlainEventDispatcher(Service::PlainDispatcher::BackgroundOnly);
    QApplication app(argc, argv);
    // QSettings then keeps the console's window state in ~/.config/relaydeck/console.conf, next to the relay's
    // relaydeck.conf.
    QCoreApplication::setOrganizationName(QStringLiteral("relaydeck"));
    QCoreApplication::setApplicationName(QStringLiteral("console"));
    QCoreApplication::setApplicationVersion(QStringLiteral(RELAYDECK_VERSION));
    QGuiApplication::setApplicationDisplayName(QStringLiteral("RelayDeck"));
    QGuiApplication::setDesktopFileName(QStringLiteral("relaydeck"));
    QApplication::setWindowIcon(Console::icon(QStringLiteral("relaydeck")));
    QTextStream out(stdout);
    QTextStream err(stderr);

    Console::LanguageManager languages;
    languages.applySaved();

    Config::SettingsLoader loader;
    loader.parser().setApplicationDescription(
        QStringLiteral("RelayDeck console: runs the relay in-process (bundled) and shows it, or connects to a "
                       "remote relaydeck with --connect. The relay options below apply to the bundled relay."));
    const QCommandLineOption connectOption(QStringLiteral("connect"),
                                           QStringLiteral("Connect to the relay at URL instead of starting one."),
                                           QStringLiteral("URL"));
    const QCommandLineOption userOption(
        QStringLiteral("user"), QStringLiteral("User name for --connect (default admin)."), QStringLiteral("NAME"));
    loader.parser().addOption(connectOption);
    loader.parser().addOption(userOption);
    const Config::LoadResult loaded = loader.load(QCoreApplication::arguments());
    if (loaded.helpRequested) {
        out << loader.helpText();
        return 0;
    }
    if (loaded.versionRequested) {
        out << Config::SettingsLoader::versionText() << '\n';
        return 0;
    }
    if (!loaded.ok()) {
        err << "relaydeck: " << loaded.error << '\n';
        return 2;
    }
    if (loaded.printConfigRequested) {
        out << Config::SettingsLoader::formatEffectiveConfig(loaded);
        return 0;
    }
    const QString connectUrl = loader.parser().value(connectOption);
    const QUrl remote = QUrl::fromUserInput(connectUrl);
    if (!connectUrl.isEmpty() && (!remote.isValid() || remote.host().isEmpty())) {
        err << "relaydeck: --connect needs a URL such as http://relay.example:3000\n";
        return 2;
    }

    const Config::Settings &settings = loaded.settings;
    if (const auto init = Log::init(Service::logOptionsFor(settings)); !init.ok()) {
        err << "relaydeck: " << init.error << '\n';
        return 2;
    }

    int exitCode = 0;
    {
        Console::AdminClient client;
        std::unique_ptr<BundledRelay> relay;
        if (connectUrl.isEmpty()) {
            relay = std::make_unique<BundledRelay>(settings, loaded.origins);
            // A restart from the console applies what its Settings page saved in the config file.
            relay->setSettingsSource([arguments = QCoreApplication::arguments(), connectOption, userOption] {
                Config::SettingsLoader again;
                again.parser().addOption(connectOption);
                again.parser().addOption(userOption);
                const Config::LoadResult reloaded = again.load(arguments);
                return BundledRelay::Loaded{reloaded.settings, reloaded.origins, reloaded.error};
            });
        } else
            client.setBaseUrl(remote);
        if (!connectUrl.isEmpty()) {
            // The connection dialog starts from these (they are what "remember" stores anyway).
            QSettings remembered;
            remembered.setValue(QStringLiteral("connection/url"), remote.toString());
            if (loader.parser().isSet(userOption))
                remembered.setValue(QStringLiteral("connection/user"), loader.parser().value(userOption));
        }

        Console::MainWindow window(&client, relay.get(), &languages);
        if (relay) {
            // Shown once, like relaydeckd prints it: the password for signing in from another console or curl.
            QObject::connect(relay.get(), &Console::RelayController::initialPasswordCreated, &window,
                             [&window](const QString &user, const QString &password, const QString &file) {
                                 auto *box = new QMessageBox(QMessageBox::Information, QObject::tr("Admin password"),
                                                             QObject::tr("The relay created the admin user \"%1\" "
                                                                         "with the password<p><b><tt>%2</tt></b></p>"
                                                                         "It is also saved in %3 (readable only by "
                                                                         "you). This console signs in by itself; "
                                                                         "you need the password only to sign in "
                                                                         "from elsewhere.")
                                                                 .arg(user, password.toHtmlEscaped(), file),
                                                             QMessageBox::Ok, &window);
                                 box->setTextInteractionFlags(Qt::TextSelectableByMouse);
                                 box->setAttribute(Qt::WA_DeleteOnClose);
                                 box->open();
                             });
        }
        QApplication::setQuitOnLastWindowClosed(false); // the window decides: quit, or keep running in the tray
        window.show();
        if (relay)
            relay->start();
        else
            window.showConnectionDialog();
        exitCode = QApplication::exec();
    }
    Log::shutdown();
    return exitCode;
}
