// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>

namespace Relay::Admin {

class AdminRouter;
struct AdminContext;
class KeyCatalog;

// The API key routes (tag "api_keys"):
//   GET    /admin/keys                  list: ?q=&tag=&status=active|disabled|expired&sort=last_used|name|created
//                                       &offset=&limit= (from the catalog, in memory)
//   GET    /admin/keys/{id}             one key (read from Redis)
//   POST   /admin/keys                  create: 201 with the record and the clear `key`, shown this once
//   PATCH  /admin/keys/{id}             change the fields present (limits merge limit by limit)
//   POST   /admin/keys/{id}/enable      enabled = true
//   POST   /admin/keys/{id}/disable     enabled = false
//   POST   /admin/keys/{id}/regenerate  a new clear `key` (shown once); the old one stops working at once
//   DELETE /admin/keys/{id}             204
// Writes go through Domain::KeyStore on context.redis (field-level, published on the change feed) and are applied
// to the catalog at once. `catalog` and `owner` must outlive the router; `owner` is the context of Redis callbacks.
void registerKeyRoutes(AdminRouter &router, const AdminContext &context, KeyCatalog *catalog, QObject *owner);

} // namespace Relay::Admin
