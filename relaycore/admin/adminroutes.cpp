// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/adminroutes.h"

#include "admin/adminapi.h"

namespace Relay::Admin {

void registerAllRoutes(AdminApi &api)
{
    Q_UNUSED(api)
}

} // namespace Relay::Admin
