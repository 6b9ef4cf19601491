// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

class QObject;

namespace Relay::Admin {

class AdminRouter;
struct AdminContext;

// /admin/logs (a filtered page of the in-memory log ring, pollable with `after`) and /admin/logs/stream (SSE tail).
// Reads context.logs; the stream's poll timers live under `owner` until their stream closes.
void registerLogRoutes(AdminRouter &router, const AdminContext &context, QObject *owner);

} // namespace Relay::Admin
