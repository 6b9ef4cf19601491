// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/mainwindow.h"

#include "ui/adminclient.h"
#include "ui/connectiondialog.h"
#include "ui/format.h"
#include "ui/icons.h"
#include "ui/languagemanager.h"
#include "ui/page.h"
#include "ui/pages/accountspage.h"
#include "ui/pages/dashboardpage.h"
#include "ui/pages/keyspage.h"
#include "ui/pages/logspage.h"
#include "ui/pages/redispage.h"
#include "ui/pages/requestspage.h"
#include "ui/pages/settingspage.h"
#include "ui/pages/usagepage.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QShowEvent>
#include <QStackedWidget>
#include <QStatusBar>
#include <QSystemTrayIcon>

using namespace Qt::StringLiterals;

namespace Console {

namespace {
constexpr int StatusIntervalMs = 5000;

QLabel *statusLabel(const QString &name, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(name);
    label->setContentsMargins(6, 0, 6, 0);
    return label;
}
} // namespace

MainWindow::MainWindow(AdminClient *client, RelayController *relay, LanguageManager *languages, QWidget *parent)
    : QMainWindow(parent)
    , m_client(client)
    , m_relay(relay)
    , m_navigation(new QListWidget(this))
    , m_stack(new QStackedWidget(this))
    , m_statusRelay(statusLabel(u"statusRelay"_s, this))
    , m_statusListen(statusLabel(u"statusListen"_s, this))
    , m_statusRedis(statusLabel(u"statusRedis"_s, this))
    , m_statusUser(statusLabel(u"statusUser"_s, this))
    , m_statusVersion(statusLabel(u"statusVersion"_s, this))
    , m_statusBusy(statusLabel(u"statusBusy"_s, this))
{
    setObjectName(u"mainWindow"_s);
    setWindowIcon(icon(u"relaydeck"_s));
    resize(1280, 800);

    auto *central = new QWidget(this);
    auto *layout = new QHBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_navigation->setObjectName(u"navigation"_s);
    m_navigation->setIconSize(QSize(20, 20));
    m_navigation->setFixedWidth(184);
    m_navigation->setFrameShape(QFrame::NoFrame);
    m_navigation->setSpacing(2);
    m_navigation->setStyleSheet(u"QListWidget#navigation{background:palette(window);border-right:1px solid "
                                u"palette(mid);padding-top:8px;} QListWidget#navigation::item{padding:7px 10px;}"_s);
    layout->addWidget(m_navigation);
    layout->addWidget(m_stack, 1);
    setCentralWidget(central);

    createPages(languages);
    createActions();
    createTray();

    statusBar()->addWidget(m_statusRelay);
    statusBar()->addWidget(m_statusListen);
    statusBar()->addWidget(m_statusRedis);
    statusBar()->addPermanentWidget(m_statusBusy);
    statusBar()->addPermanentWidget(m_statusUser);
    statusBar()->addPermanentWidget(m_statusVersion);

    connect(m_navigation, &QListWidget::currentRowChanged, this, &MainWindow::setCurrentIndex);
    connect(m_client, &AdminClient::pendingCountChanged, this,
            [this](int count) { m_statusBusy->setText(count > 0 ? tr("Loading…") : QString()); });
    connect(m_client, &AdminClient::sessionExpired, this, &MainWindow::onSessionExpired);
    connect(m_client, &AdminClient::reachabilityChanged, this, [this](bool) { refreshStatus(); });
    connect(&m_statusTimer, &QTimer::timeout, this, &MainWindow::refreshStatus);
    m_statusTimer.start(StatusIntervalMs);

    if (m_relay) {
        connect(m_relay, &RelayController::stateChanged, this, &MainWindow::onRelayStateChanged);
        connect(m_relay, &RelayController::sessionOpened, this, &MainWindow::onSessionOpened);
    }

    retranslate();
    onRelayStateChanged(m_relay ? m_relay->state() : RelayState::Stopped);

    QSettings settings;
    restoreGeometry(settings.value(u"ui/geometry"_s).toByteArray());
    restoreState(settings.value(u"ui/state"_s).toByteArray());
    const int last = settings.value(u"ui/page"_s, 0).toInt();
    m_navigation->setCurrentRow(last >= 0 && last < m_pages.size() ? last : 0);
}

MainWindow::~MainWindow() = default;

void MainWindow::createPages(LanguageManager *languages)
{
    m_pages = {new DashboardPage(m_client, this), new AccountsPage(m_client, this),
               new KeysPage(m_client, this),      new UsagePage(m_client, this),
               new RequestsPage(m_client, this),  new RedisPage(m_client, this),
               new LogsPage(m_client, this),      new SettingsPage(m_client, languages, m_relay, this)};
    for (Page *page : std::as_const(m_pages)) {
        m_stack->addWidget(page);
        auto *item = new QListWidgetItem(icon(page->iconName()), page->title(), m_navigation);
        item->setData(Qt::AccessibleTextRole, page->title());
    }
}

void MainWindow::createActions()
{
    m_fileMenu = menuBar()->addMenu(QString());
    m_connectAction = m_fileMenu->addAction(icon(u"connect"_s), QString(), this, &MainWindow::showConnectionDialog);
    m_connectAction->setObjectName(u"connectAction"_s);
    m_signOutAction = m_fileMenu->addAction(QString(), this, [this] {
        m_client->signOut();
        showConnectionDialog();
    });
    m_fileMenu->addSeparator();
    m_quitAction = m_fileMenu->addAction(icon(u"quit"_s), QString(), this, &MainWindow::quit);
    m_quitAction->setShortcut(QKeySequence::Quit);

    m_relayMenu = menuBar()->addMenu(QString());
    m_startAction = m_relayMenu->addAction(icon(u"start"_s), QString(), this, [this] {
        if (m_relay)
            m_relay->start();
    });
    m_stopAction = m_relayMenu->addAction(icon(u"stop"_s), QString(), this, [this] {
        if (m_relay)
            m_relay->stop();
    });
    m_restartAction = m_relayMenu->addAction(icon(u"restart"_s), QString(), this, [this] {
        if (m_relay)
            m_relay->restart();
    });
    m_startAction->setObjectName(u"startRelayAction"_s);
    m_stopAction->setObjectName(u"stopRelayAction"_s);
    m_restartAction->setObjectName(u"restartRelayAction"_s);
    m_relayMenu->menuAction()->setVisible(m_relay != nullptr);

    m_viewMenu = menuBar()->addMenu(QString());
    for (int i = 0; i < m_pages.size(); ++i) {
        QAction *action = m_viewMenu->addAction(icon(m_pages[i]->iconName()), m_pages[i]->title(), this,
                                                [this, i] { m_navigation->setCurrentRow(i); });
        action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        m_pageActions.append(action);
    }

    m_helpMenu = menuBar()->addMenu(QString());
    m_aboutAction = m_helpMenu->addAction(icon(u"relaydeck"_s), QString(), this, [this] {
        QMessageBox::about(this, tr("About RelayDeck"),
                           tr("<h3>RelayDeck %1</h3><p>A self-hosted relay for the Anthropic Claude API, with this "
                              "operator console.</p><p>Licensed under the GNU General Public License, version 3 or "
                              "later.</p>")
                               .arg(QStringLiteral(RELAYDECK_VERSION)));
    });
}

void MainWindow::createTray()
{
    if (!QSystemTrayIcon::isSystemTrayAvailable())
        return;
    m_tray = new QSystemTrayIcon(icon(u"relaydeck"_s), this);
    m_trayMenu = new QMenu(this);
    m_showAction = m_trayMenu->addAction(QString(), this, [this] {
        showNormal();
        raise();
        activateWindow();
    });
    m_trayMenu->addSeparator();
    m_trayMenu->addAction(m_quitAction);
    m_tray->setContextMenu(m_trayMenu);
    connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick) {
            showNormal();
            raise();
            activateWindow();
        }
    });
    m_tray->show();
}

void MainWindow::retranslate()
{
    setWindowTitle(m_client->baseUrl().isEmpty() ? tr("RelayDeck")
                                                 : tr("RelayDeck — %1").arg(m_client->baseUrl().toDisplayString()));
    m_navigation->setAccessibleName(tr("Pages"));
    for (int i = 0; i < m_pages.size(); ++i) {
        QListWidgetItem *item = m_navigation->item(i);
        item->setText(m_pages[i]->title());
        item->setData(Qt::AccessibleTextRole, m_pages[i]->title());
        if (i < m_pageActions.size())
            m_pageActions[i]->setText(m_pages[i]->title());
    }
    m_fileMenu->setTitle(tr("&Console"));
    m_connectAction->setText(tr("&Connect to a relay…"));
    m_signOutAction->setText(tr("Sign &out"));
    m_quitAction->setText(tr("&Quit"));
    m_relayMenu->setTitle(tr("&Relay"));
    m_startAction->setText(tr("&Start the bundled relay"));
    m_stopAction->setText(tr("S&top the bundled relay"));
    m_restartAction->setText(tr("&Restart the bundled relay"));
    m_viewMenu->setTitle(tr("&View"));
    m_helpMenu->setTitle(tr("&Help"));
    m_aboutAction->setText(tr("&About RelayDeck"));
    if (m_showAction)
        m_showAction->setText(tr("Show the console"));
    if (m_tray)
        m_tray->setToolTip(tr("RelayDeck"));
    m_statusBusy->setText(m_client->pendingCount() > 0 ? tr("Loading…") : QString());
    m_statusUser->setText(m_client->isSignedIn() ? tr("Signed in as %1").arg(m_client->user()) : tr("Not signed in"));
    onRelayStateChanged(m_relay ? m_relay->state() : RelayState::Stopped);
    refreshStatus();
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QMainWindow::changeEvent(event);
}

Page *MainWindow::page(const QString &objectName) const
{
    for (Page *page : m_pages)
        if (page->objectName() == objectName)
            return page;
    return nullptr;
}

Page *MainWindow::currentPage() const
{
    return qobject_cast<Page *>(m_stack->currentWidget());
}

void MainWindow::showPage(Page *page)
{
    const int index = int(m_pages.indexOf(page));
    if (index >= 0)
        m_navigation->setCurrentRow(index);
}

void MainWindow::setCurrentIndex(int index)
{
    if (index < 0 || index >= m_pages.size())
        return;
    if (Page *previous = currentPage(); previous && previous != m_pages[index])
        previous->setActive(false);
    m_stack->setCurrentIndex(index);
    if (m_client->isSignedIn())
        m_pages[index]->setActive(true);
    QSettings().setValue(u"ui/page"_s, index);
}

void MainWindow::refreshStatus()
{
    m_statusUser->setText(m_client->isSignedIn() ? tr("Signed in as %1").arg(m_client->user()) : tr("Not signed in"));
    if (!m_client->isSignedIn()) {
        if (!m_relay) {
            m_statusRelay->setText(tr("Not connected"));
            m_statusListen->clear();
            m_statusRedis->clear();
        }
        return;
    }
    m_client->get(u"/admin/status"_s, {}, this, [this](const AdminReply &reply) {
        if (!reply.ok()) {
            if (!m_relay || m_relay->state() == RelayState::Running)
                m_statusRelay->setText(reply.status == 0 ? tr("Relay unreachable") : tr("Relay error"));
            return;
        }
        const QJsonObject status = reply.object();
        if (!m_relay)
            m_statusRelay->setText(tr("Connected to %1").arg(m_client->baseUrl().toDisplayString()));
        m_statusListen->setText(tr("Listening on %1").arg(status.value(u"listen"_s).toString()));
        const QJsonObject redis = status.value(u"redis"_s).toObject();
        const bool up = redis.value(u"up"_s).toBool();
        const QString where = redis.value(u"embedded"_s).toBool() ? tr("embedded") : tr("external");
        m_statusRedis->setText(
            up ? tr("Redis: up (%1, %2)")
                     .arg(where, Format::milliseconds(redis.value(u"round_trip_us"_s).toDouble() / 1000))
               : tr("Redis: DOWN (%1)").arg(where));
        m_statusRedis->setStyleSheet(up ? QString() : u"color:#b91c1c;font-weight:bold;"_s);
        m_statusVersion->setText(tr("RelayDeck %1").arg(status.value(u"version"_s).toString()));
    });
}

void MainWindow::onRelayStateChanged(RelayState state)
{
    if (!m_relay)
        return;
    const bool running = state == RelayState::Running;
    const bool busy = state == RelayState::Starting || state == RelayState::Stopping;
    m_startAction->setEnabled(!running && !busy);
    m_stopAction->setEnabled(running);
    m_restartAction->setEnabled(running);
    switch (state) {
    case RelayState::Stopped:
        m_statusRelay->setText(tr("Bundled relay stopped"));
        m_statusListen->clear();
        break;
    case RelayState::Starting:
        m_statusRelay->setText(tr("Bundled relay starting…"));
        break;
    case RelayState::Running:
        m_statusRelay->setText(tr("Bundled relay running"));
        break;
    case RelayState::Stopping:
        m_statusRelay->setText(tr("Bundled relay stopping…"));
        break;
    case RelayState::Failed: {
        m_statusRelay->setText(tr("Bundled relay failed: %1").arg(m_relay->errorString()));
        auto *box = new QMessageBox(QMessageBox::Warning, tr("The relay could not start"),
                                    tr("The bundled relay could not start:<p>%1</p>Fix the cause (for example, choose "
                                       "another port with --listen or in relaydeck.conf if another program uses "
                                       "it), then start the relay again from the Relay menu.")
                                        .arg(m_relay->errorString().toHtmlEscaped()),
                                    QMessageBox::Ok, this);
        box->setObjectName(u"relayFailedMessage"_s);
        box->setAttribute(Qt::WA_DeleteOnClose);
        box->open();
        break;
    }
    }
    m_statusRelay->setStyleSheet(state == RelayState::Failed ? u"color:#b91c1c;font-weight:bold;"_s : QString());
    if (state == RelayState::Stopped || state == RelayState::Failed) {
        // The session belongs to the relay that stopped.
        m_client->setSession({}, {});
        for (Page *page : std::as_const(m_pages))
            page->setActive(false);
    }
}

void MainWindow::onSessionOpened(const QUrl &adminUrl, const QByteArray &token, const QString &user)
{
    const bool otherRelay = adminUrl != m_client->baseUrl();
    m_client->setBaseUrl(adminUrl);
    m_client->setSession(token, user);
    if (otherRelay)
        for (Page *page : std::as_const(m_pages))
            page->reset();
    if (Page *page = currentPage())
        page->setActive(true);
    retranslate();
}

void MainWindow::onSessionExpired()
{
    for (Page *page : std::as_const(m_pages))
        page->setActive(false);
    if (m_relay && m_relay->state() == RelayState::Running)
        m_relay->openSession();
    else if (!m_relay)
        QTimer::singleShot(0, this, &MainWindow::showConnectionDialog);
    refreshStatus();
}

void MainWindow::showConnectionDialog()
{
    auto *dialog = new ConnectionDialog(m_client, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ConnectionDialog::signedIn, this, [this] {
        for (Page *page : std::as_const(m_pages))
            page->reset();
        if (Page *page = currentPage())
            page->setActive(true);
        retranslate();
    });
    dialog->open();
}

bool MainWindow::keepRunningInTray()
{
    return QSettings().value(u"ui/keepRunningInTray"_s, true).toBool();
}

void MainWindow::setKeepRunningInTray(bool keep)
{
    QSettings().setValue(u"ui/keepRunningInTray"_s, keep);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    QSettings settings;
    settings.setValue(u"ui/geometry"_s, saveGeometry());
    settings.setValue(u"ui/state"_s, saveState());
    if (!m_quitting && m_tray && m_relay && m_relay->state() == RelayState::Running && keepRunningInTray()) {
        hide();
        for (Page *page : std::as_const(m_pages))
            page->setActive(false);
        if (!m_trayHintShown) {
            m_tray->showMessage(tr("RelayDeck keeps running"),
                                tr("The bundled relay is still serving. Use Quit in the tray menu to stop it."));
            m_trayHintShown = true;
        }
        event->ignore();
        return;
    }
    for (Page *page : std::as_const(m_pages))
        page->setActive(false);
    event->accept();
    QApplication::quit();
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    // Back from the tray: the current page resumes its polling and streams.
    if (Page *page = currentPage(); page && m_client->isSignedIn())
        page->setActive(true);
}

void MainWindow::quit()
{
    m_quitting = true;
    close();
}

} // namespace Console
