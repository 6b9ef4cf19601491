// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace Relay::Admin {

class AdminApi;

// Adds every resource's routes (keys, accounts, groups, usage, metrics, requests, Redis, logs) to the API, with the
// control-thread objects they need (key catalog, live metrics) as children of the API.
void registerAllRoutes(AdminApi &api);

} // namespace Relay::Admin
