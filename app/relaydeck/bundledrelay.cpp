// SPDX-License-Identifier: GPL-3.0-or-later
#include "bundledrelay.h"

#include "admin/adminapi.h"
#include "log/logger.h"
#include "service/relayservice.h"

#include <QHostAddress>
#include <QPointer>

#include <memory>

using Console::RelayState;

// Lives on the relay's control thread and owns the RelayService there; everything it tells the controller goes
// through queued calls, so the controller's state is only touched on the GUI thread.
class BundledRelay::Host : public QObject
{
public:
    explicit Host(BundledRelay *controller)
        : m_controller(controller)
    {}

    void startRelay(const Relay::Config::Settings &settings, const Relay::Config::SettingOrigins &origins)
    {
        if (m_service)
            return;
        m_service = std::make_unique<Relay::Service::RelayService>(settings);
        m_service->setSettingOrigins(origins);
        Relay::Service::RelayService *service = m_service.get();
        connect(service, &Relay::Service::RelayService::started, this, [this, service] {
            const quint16 port = service->port();
            const quint16 adminPort = service->adminPort();
            post([port, adminPort](BundledRelay *c) { c->onStarted(port, adminPort); });
            openSession();
        });
        connect(service, &Relay::Service::RelayService::startFailed, this, [this](const QString &message) {
            Relay::Log::logger().error("the bundled relay could not start: {}", message);
            m_service.release()->deleteLater();
            post([message](BundledRelay *c) {
                c->m_error = message;
                c->setState(RelayState::Failed);
            });
        });
        connect(service, &Relay::Service::RelayService::stopped, this, [this] {
            if (m_service)
                m_service.release()->deleteLater();
            post([](BundledRelay *c) { c->onStopped(); });
        });
        connect(service, &Relay::Service::RelayService::adminPasswordCreated, this,
                [this](const QString &user, const QString &password, const QString &file) {
                    post([user, password, file](BundledRelay *c) {
                        Q_EMIT c->initialPasswordCreated(user, password, file);
                    });
                });
        m_service->start();
    }

    void stopRelay()
    {
        if (m_service)
            m_service->stop();
        else
            post([](BundledRelay *c) { c->onStopped(); });
    }

    // Console exit: a graceful stop on this thread while the GUI waits.
    void stopNow()
    {
        if (m_service) {
            disconnect(m_service.get(), nullptr, this, nullptr);
            m_service->stopAndWait();
            m_service.reset();
        }
    }

    void openSession()
    {
        if (!m_service || !m_service->admin()) {
            Relay::Log::logger().warn("the bundled relay has no admin API (admin.access is off); the console "
                                      "cannot show it");
            return;
        }
        m_service->admin()->openConsoleSession(
            [this](const QByteArray &token, const QString &user, const QString &error) {
                if (!error.isEmpty()) {
                    Relay::Log::logger().error("the console could not open an admin session: {}", error);
                    return;
                }
                post([token, user](BundledRelay *c) { Q_EMIT c->sessionOpened(c->m_adminUrl, token, user); });
            });
    }

private:
    template <typename F>
    void post(F function)
    {
        BundledRelay *controller = m_controller;
        QMetaObject::invokeMethod(
            controller, [controller, function] { function(controller); }, Qt::QueuedConnection);
    }

    BundledRelay *m_controller;
    std::unique_ptr<Relay::Service::RelayService> m_service;
};

BundledRelay::BundledRelay(Relay::Config::Settings settings, Relay::Config::SettingOrigins origins, QObject *parent)
    : Console::RelayController(parent)
    , m_settings(std::move(settings))
    , m_origins(std::move(origins))
    , m_host(new Host(this))
{
    m_thread.setObjectName(QStringLiteral("relay-control"));
    m_host->moveToThread(&m_thread);
    m_thread.start();
}

BundledRelay::~BundledRelay()
{
    QMetaObject::invokeMethod(
        m_host, [host = m_host] { host->stopNow(); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
    delete m_host;
}

void BundledRelay::start()
{
    if (m_state == RelayState::Running || m_state == RelayState::Starting || m_state == RelayState::Stopping)
        return;
    m_error.clear();
    if (m_startedOnce && m_source) {
        Loaded loaded = m_source();
        if (!loaded.error.isEmpty()) {
            m_error = loaded.error;
            setState(RelayState::Failed);
            return;
        }
        m_settings = std::move(loaded.settings);
        m_origins = std::move(loaded.origins);
    }
    m_startedOnce = true;
    setState(RelayState::Starting);
    QMetaObject::invokeMethod(
        m_host, [host = m_host, settings = m_settings, origins = m_origins] { host->startRelay(settings, origins); },
        Qt::QueuedConnection);
}

void BundledRelay::stop()
{
    if (m_state != RelayState::Running && m_state != RelayState::Starting)
        return;
    setState(RelayState::Stopping);
    QMetaObject::invokeMethod(
        m_host, [host = m_host] { host->stopRelay(); }, Qt::QueuedConnection);
}

void BundledRelay::restart()
{
    if (m_state == RelayState::Running) {
        m_restartPending = true;
        stop();
    } else {
        start();
    }
}

void BundledRelay::openSession()
{
    QMetaObject::invokeMethod(
        m_host, [host = m_host] { host->openSession(); }, Qt::QueuedConnection);
}

void BundledRelay::onStarted(quint16 port, quint16 adminPort)
{
    m_port = port;
    QString host = m_settings.adminHost.isEmpty() ? m_settings.listenHost : m_settings.adminHost;
    const QHostAddress address(host);
    // A relay listening on every address is reached on loopback (where the admin API accepts it by default).
    if (address == QHostAddress::AnyIPv4 || address == QHostAddress::AnyIPv6 || host.isEmpty())
        host =
            address.protocol() == QAbstractSocket::IPv6Protocol ? QStringLiteral("::1") : QStringLiteral("127.0.0.1");
    m_adminUrl = QUrl();
    m_adminUrl.setScheme(QStringLiteral("http"));
    m_adminUrl.setHost(host);
    m_adminUrl.setPort(adminPort ? adminPort : port);
    const QString listenHost =
        m_settings.listenHost.contains(u':') ? u'[' + m_settings.listenHost + u']' : m_settings.listenHost;
    m_listenAddress = listenHost + u':' + QString::number(port);
    setState(RelayState::Running);
}

void BundledRelay::onStopped()
{
    m_port = 0;
    m_listenAddress.clear();
    setState(RelayState::Stopped);
    if (m_restartPending) {
        m_restartPending = false;
        start();
    }
}

void BundledRelay::setState(RelayState state)
{
    if (state == m_state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}
