// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>

namespace Relay::Admin {

class AdminRouter;
struct AdminContext;

// The usage routes (tag "usage"), read from the usage counters and indexes in Redis (admin/usagequery.h); days and
// hours are those of the relay's time zone (context.timeZone):
//   GET /admin/usage/summary   ?scope=relay|key|account&id=   totals of today, the last 7 and 30 days (+ lifetime)
//   GET /admin/usage/trend     ?scope=&id=&granularity=hour|day&count=   points, oldest first; days per model
//   GET /admin/usage/top ?dimension=api_keys|accounts|models&days=1..30&metric=cost|requests|tokens&offset=&limit= GET
//   /admin/keys/{id}/usage       summary + the 30-day daily trend of one key (404 when the key does not exist) GET
//   /admin/accounts/{id}/usage   the same for one account
// Bad parameters answer 422 with one entry per field. `owner` must outlive the router; it is the context of the
// Redis callbacks.
void registerUsageRoutes(AdminRouter &router, const AdminContext &context, QObject *owner);

} // namespace Relay::Admin
