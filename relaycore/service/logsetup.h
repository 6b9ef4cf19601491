// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "config/settings.h"
#include "log/logger.h"

namespace Relay::Service {

// The logging options a relay process starts with (level, file, rotation, sampling), from its settings; shared by
// relaydeckd and the console's bundled relay.
Log::LogOptions logOptionsFor(const Config::Settings &settings);

} // namespace Relay::Service
