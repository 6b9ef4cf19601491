// SPDX-License-Identifier: GPL-3.0-or-later
#include "service/eventdispatcher.h"

#include <QByteArray>

namespace Relay::Service {

void preferPlainEventDispatcher(PlainDispatcher scope)
{
    const char *name = scope == PlainDispatcher::AllThreads ? "QT_NO_GLIB" : "QT_NO_THREADED_GLIB";
    // Either variable set, even to nothing, is the operator's choice (an empty one is how to ask for GLib back).
    if (!qEnvironmentVariableIsSet("QT_NO_GLIB") && !qEnvironmentVariableIsSet("QT_NO_THREADED_GLIB")) {
        qputenv(name, QByteArrayLiteral("1"));
    }
}

} // namespace Relay::Service
