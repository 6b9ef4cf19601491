// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

class QObject;

namespace Relay::Admin {

class AdminRouter;
struct AdminContext;

// /admin/redis/…: slowlog (read, reset, settings), commandstats, INFO sections, latency, key count and memory by key
// prefix of the relay's Redis, through context.redis. Callbacks run with `owner` as their context object.
void registerRedisRoutes(AdminRouter &router, const AdminContext &context, QObject *owner);

} // namespace Relay::Admin
