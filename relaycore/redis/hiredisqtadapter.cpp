// SPDX-License-Identifier: GPL-3.0-or-later
#include "redis/hiredisqtadapter.h"

#include "redis/command.h"
#include "redis/connectionoptions.h"

#include <QFile>
#include <QSocketNotifier>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <utility>

namespace Relay::Redis {

HiredisQtAdapter::HiredisQtAdapter(QObject *owner, std::function<void()> afterIo)
    : m_owner(owner)
    , m_afterIo(std::move(afterIo))
{}

HiredisQtAdapter::~HiredisQtAdapter()
{
    close();
}

QString HiredisQtAdapter::open(const ConnectionOptions &options)
{
    m_connected = false;
    m_lost = false;
    m_lostReason.clear();

    redisAsyncContext *ac = nullptr;
    if (options.transport == ConnectionOptions::Transport::Unix)
        ac = redisAsyncConnectUnix(QFile::encodeName(options.socketPath).constData());
    else
        ac = redisAsyncConnect(options.host.toUtf8().constData(), options.port);
    if (!ac)
        return QStringLiteral("cannot allocate a Redis connection");
    if (ac->err) {
        const QString message = errorText(ac);
        redisAsyncFree(ac);
        return QStringLiteral("cannot connect to Redis at %1: %2").arg(options.endpoint(), message);
    }
    m_ac = ac;
    ac->data = this;
    ac->ev.data = this;
    ac->ev.addRead = &HiredisQtAdapter::addRead;
    ac->ev.delRead = &HiredisQtAdapter::delRead;
    ac->ev.addWrite = &HiredisQtAdapter::addWrite;
    ac->ev.delWrite = &HiredisQtAdapter::delWrite;
    ac->ev.cleanup = &HiredisQtAdapter::cleanup;
    redisAsyncSetDisconnectCallback(ac, &HiredisQtAdapter::onDisconnect);
    // Registering the connect callback asks for a write event, which is how hiredis notices the connect.
    redisAsyncSetConnectCallback(ac, &HiredisQtAdapter::onConnect);
    return {};
}

void HiredisQtAdapter::close()
{
    if (m_ac) {
        redisAsyncContext *ac = m_ac;
        m_ac = nullptr;
        ac->data = nullptr; // the owner's callbacks ignore the NULL replies hiredis delivers while freeing
        redisAsyncFree(ac);
    }
    cleanup(this);
}

bool HiredisQtAdapter::send(const QList<QByteArray> &args, ReplyCallback callback)
{
    return send(Command::fromArgs(args), callback);
}

bool HiredisQtAdapter::send(const Command &command, ReplyCallback callback)
{
    if (!m_ac)
        return false;
    Q_ASSERT(command.isComplete());
    const QByteArrayView bytes = command.bytes();
    return redisAsyncFormattedCommand(m_ac, callback, nullptr, bytes.data(), size_t(bytes.size())) == REDIS_OK;
}

bool HiredisQtAdapter::takeConnected()
{
    return std::exchange(m_connected, false);
}

std::optional<QString> HiredisQtAdapter::takeLost()
{
    if (!std::exchange(m_lost, false))
        return std::nullopt;
    return m_lostReason;
}

QObject *HiredisQtAdapter::ownerOf(const redisAsyncContext *ac)
{
    const auto *adapter = static_cast<const HiredisQtAdapter *>(ac->data);
    return adapter ? adapter->m_owner : nullptr;
}

QString HiredisQtAdapter::errorText(const redisAsyncContext *ac)
{
    if (ac->errstr[0] == '\0')
        return QStringLiteral("server closed the connection");
    return QString::fromLocal8Bit(ac->errstr);
}

// --- hiredis hooks -----------------------------------------------------------------------------------------------

void HiredisQtAdapter::onConnect(const redisAsyncContext *ac, int status)
{
    auto *self = static_cast<HiredisQtAdapter *>(ac->data);
    if (!self)
        return;
    if (status == REDIS_OK)
        self->m_connected = true;
    else
        self->recordLoss(ac);
}

void HiredisQtAdapter::onDisconnect(const redisAsyncContext *ac, int)
{
    auto *self = static_cast<HiredisQtAdapter *>(ac->data);
    if (self)
        self->recordLoss(ac);
}

void HiredisQtAdapter::recordLoss(const redisAsyncContext *ac)
{
    m_ac = nullptr; // hiredis frees the context after this callback
    m_lost = true;
    m_lostReason = errorText(ac);
}

// One read and one write QSocketNotifier on the hiredis fd. Notifiers are disabled and deleted later on cleanup,
// because cleanup can run inside their own activated() signal.
QSocketNotifier *HiredisQtAdapter::createNotifier(bool write)
{
    auto *notifier = new QSocketNotifier(m_ac->c.fd, write ? QSocketNotifier::Write : QSocketNotifier::Read, m_owner);
    QObject::connect(notifier, &QSocketNotifier::activated, m_owner, [this, write] {
        if (m_ac) {
            if (write)
                redisAsyncHandleWrite(m_ac);
            else
                redisAsyncHandleRead(m_ac);
        }
        m_afterIo();
    });
    return notifier;
}

void HiredisQtAdapter::addRead(void *data)
{
    auto *self = static_cast<HiredisQtAdapter *>(data);
    if (!self->m_readNotifier && self->m_ac)
        self->m_readNotifier = self->createNotifier(false);
    if (self->m_readNotifier)
        self->m_readNotifier->setEnabled(true);
}

void HiredisQtAdapter::delRead(void *data)
{
    auto *self = static_cast<HiredisQtAdapter *>(data);
    if (self->m_readNotifier)
        self->m_readNotifier->setEnabled(false);
}

void HiredisQtAdapter::addWrite(void *data)
{
    auto *self = static_cast<HiredisQtAdapter *>(data);
    if (!self->m_writeNotifier && self->m_ac)
        self->m_writeNotifier = self->createNotifier(true);
    if (self->m_writeNotifier)
        self->m_writeNotifier->setEnabled(true);
}

void HiredisQtAdapter::delWrite(void *data)
{
    auto *self = static_cast<HiredisQtAdapter *>(data);
    if (self->m_writeNotifier)
        self->m_writeNotifier->setEnabled(false);
}

void HiredisQtAdapter::cleanup(void *data)
{
    auto *self = static_cast<HiredisQtAdapter *>(data);
    for (QSocketNotifier **notifier : {&self->m_readNotifier, &self->m_writeNotifier}) {
        if (*notifier) {
            (*notifier)->setEnabled(false);
            (*notifier)->deleteLater();
            *notifier = nullptr;
        }
    }
}

} // namespace Relay::Redis
