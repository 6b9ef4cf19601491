// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

class QObject;

namespace Relay::Admin {

class AdminRouter;
struct AdminContext;
class LiveMetrics;

// GET /admin/metrics/live (SSE), /admin/metrics/snapshot, /admin/metrics/history, /admin/requests and
// /admin/requests/{id}. `live` and `owner` live on the control thread and outlive the router; the request routes
// read context.relay's request log.
void registerMetricsRoutes(AdminRouter &router, const AdminContext &context, LiveMetrics *live, QObject *owner);

} // namespace Relay::Admin
