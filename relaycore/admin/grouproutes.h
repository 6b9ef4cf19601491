// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "admin/admincontext.h"
#include "admin/adminrouter.h"

#include <QObject>

namespace Relay::Admin {

// The account group routes (tag "groups"): list, get, create, patch (name, description), delete, and membership
// (POST /admin/groups/{id}/members, DELETE /admin/groups/{id}/members/{account_id}); membership changes both the
// group's member set and the account's group_ids. Handlers run on the control thread; `owner` is the context of
// their Redis callbacks.
void registerGroupRoutes(AdminRouter &router, const AdminContext &context, QObject *owner);

} // namespace Relay::Admin
