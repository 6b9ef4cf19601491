// SPDX-License-Identifier: GPL-3.0-or-later
#include "redis/script.h"

#include <QCryptographicHash>

namespace Relay::Redis {

Script::Script(QByteArray source)
    : m_source(std::move(source))
    , m_sha1(QCryptographicHash::hash(m_source, QCryptographicHash::Sha1).toHex())
{}

} // namespace Relay::Redis
