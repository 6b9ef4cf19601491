// SPDX-License-Identifier: GPL-3.0-or-later
#include "freeport.h"

#include <QTcpServer>

quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}
