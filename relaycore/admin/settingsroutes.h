// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

namespace Relay::Admin {

class AdminRouter;
struct AdminContext;

// /admin/settings: GET lists every setting (value, default, limits, where the value came from, what the config file
// says); PUT validates new config-file values, rewrites the config file (comments and layout kept, mode 0600) and
// applies log.level and log.sample-rate at once; everything else takes effect at the next start. Runs on the control
// thread; the file is small and read or written only by these handlers, never on the request path.
void registerSettingsRoutes(AdminRouter &router, const AdminContext &context);

} // namespace Relay::Admin
