// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/adminroutes.h"

#include "admin/accountroutes.h"
#include "admin/adminapi.h"
#include "admin/grouproutes.h"
#include "admin/keycatalog.h"
#include "admin/keyroutes.h"
#include "admin/livemetrics.h"
#include "admin/logroutes.h"
#include "admin/metricsroutes.h"
#include "admin/redisroutes.h"
#include "admin/settingsroutes.h"
#include "admin/usageroutes.h"

namespace Relay::Admin {

void registerAllRoutes(AdminApi &api)
{
    const AdminContext &context = api.context();
    AdminRouter &router = api.router();

    // The key list is served from memory: every key record, loaded once and kept current by the change feed.
    auto *catalog = new KeyCatalog(context.redis, context.keys, &api);
    catalog->follow(context.changeFeed);
    catalog->load();
    registerKeyRoutes(router, context, catalog, &api);

    registerAccountRoutes(router, context, &api);
    registerGroupRoutes(router, context, &api);
    registerUsageRoutes(router, context, &api);

    auto *live = new LiveMetrics(context, &api);
    live->start();
    registerMetricsRoutes(router, context, live, &api);

    registerRedisRoutes(router, context, &api);
    registerLogRoutes(router, context, &api);
    registerSettingsRoutes(router, context);
}

} // namespace Relay::Admin
