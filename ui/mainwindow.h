// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/relaycontroller.h"

#include <QList>
#include <QMainWindow>
#include <QPointer>
#include <QTimer>

class QLabel;
class QListWidget;
class QStackedWidget;
class QSystemTrayIcon;
class QAction;
class QMenu;

namespace Console {

class AdminClient;
class LanguageManager;
class Page;

// The console window: navigation on the left, one page at a time on the right, relay and connection state in the
// status bar. With a bundled relay (`relay` not null) it also starts, stops and restarts it, and closing the window
// can leave the relay running in the tray.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    MainWindow(AdminClient *client, RelayController *relay, LanguageManager *languages, QWidget *parent = nullptr);
    ~MainWindow() override;

    QList<Page *> pages() const { return m_pages; }
    // The page with this objectName ("dashboardPage", "keysPage", …).
    Page *page(const QString &objectName) const;
    Page *currentPage() const;
    void showPage(Page *page);

    // Closing the window hides it to the tray while the bundled relay runs (QSettings "ui/keepRunningInTray").
    static bool keepRunningInTray();
    static void setKeepRunningInTray(bool keep);

    // Asks for a relay URL and credentials (remote relays and expired sessions).
    void showConnectionDialog();

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void createPages(LanguageManager *languages);
    void createActions();
    void createTray();
    void retranslate();
    void refreshStatus();
    void onRelayStateChanged(RelayState state);
    void onSessionOpened(const QUrl &adminUrl, const QByteArray &token, const QString &user);
    void onSessionExpired();
    void setCurrentIndex(int index);
    void quit();

    AdminClient *m_client;
    QPointer<RelayController> m_relay;
    QListWidget *m_navigation;
    QStackedWidget *m_stack;
    QList<Page *> m_pages;

    QLabel *m_statusRelay;
    QLabel *m_statusListen;
    QLabel *m_statusRedis;
    QLabel *m_statusUser;
    QLabel *m_statusVersion;
    QLabel *m_statusBusy;
    QTimer m_statusTimer;

    QMenu *m_relayMenu = nullptr;
    QMenu *m_fileMenu = nullptr;
    QMenu *m_viewMenu = nullptr;
    QMenu *m_helpMenu = nullptr;
    QAction *m_startAction = nullptr;
    QAction *m_stopAction = nullptr;
    QAction *m_restartAction = nullptr;
    QAction *m_connectAction = nullptr;
    QAction *m_signOutAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QAction *m_showAction = nullptr;
    QList<QAction *> m_pageActions;
    QSystemTrayIcon *m_tray = nullptr;
    QMenu *m_trayMenu = nullptr;
    bool m_quitting = false;
    bool m_trayHintShown = false;
};

} // namespace Console
