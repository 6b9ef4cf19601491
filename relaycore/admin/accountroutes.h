// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "admin/admincontext.h"
#include "admin/adminrouter.h"

#include <QObject>

namespace Relay::Admin {

// The upstream account routes (tag "accounts"): list, get, create, patch, enable/disable, schedulable, health
// reset, a live test request and delete, under /admin/accounts. Handlers run on the control thread; `owner` (on
// that thread, alive as long as the router) is the context of their Redis callbacks and the parent of the
// AccountTester.
void registerAccountRoutes(AdminRouter &router, const AdminContext &context, QObject *owner);

} // namespace Relay::Admin
