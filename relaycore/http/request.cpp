// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/request.h"

namespace Relay::Http {

QByteArray Request::header(QByteArrayView lowerName) const
{
    for (const auto &h : headers) {
        if (h.first == lowerName)
            return h.second;
    }
    return {};
}

bool Request::hasHeader(QByteArrayView lowerName) const
{
    for (const auto &h : headers) {
        if (h.first == lowerName)
            return true;
    }
    return false;
}

} // namespace Relay::Http
