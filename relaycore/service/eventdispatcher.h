// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace Relay::Service {

enum class PlainDispatcher {
    AllThreads,     // relaydeckd: no thread needs GLib
    BackgroundOnly, // the console: its GUI thread keeps GLib for the desktop's integration
};

// Makes Qt give the relay's threads its own poll()-based event dispatcher instead of the GLib one. On this
// project's request path the GLib dispatcher costs 8 more eventfd writes and 3 more reads per relayed request
// (strace, one worker, sequential requests), which shows up as CPU and as latency at one connection.
// Qt reads QT_NO_GLIB / QT_NO_THREADED_GLIB when each thread creates its dispatcher, so this must run first in
// main(), before QCoreApplication and before any thread exists. If the user set either variable (even to nothing,
// which asks for GLib), both are left as they are.
void preferPlainEventDispatcher(PlainDispatcher scope);

} // namespace Relay::Service
