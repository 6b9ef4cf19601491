// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QPair>

namespace Relay::Http {

// Header names are stored lower-cased, in arrival order; values as sent.
using HeaderList = QList<QPair<QByteArray, QByteArray>>;

// One parsed HTTP/1.x request. Plain value type: the connection fills it, handlers read it.
class Request
{
public:
    QByteArray method;
    QByteArray target; // as sent: path plus optional query
    QByteArray path;   // target without the query string
    QByteArray query;  // without the '?'
    HeaderList headers;
    QByteArray body;
    int versionMajor = 1;
    int versionMinor = 1;
    bool keepAlive = true;
    QHostAddress peerAddress;

    // First header with this (lower-case) name, or an empty array.
    QByteArray header(QByteArrayView lowerName) const;
    bool hasHeader(QByteArrayView lowerName) const;
    bool isHead() const { return method == "HEAD"; }
};

} // namespace Relay::Http
