// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "http/exchange.h"

#include <QByteArray>
#include <QHash>
#include <QList>

namespace Relay::Http {

struct Route
{
    QByteArray method;
    QByteArray path;
    QByteArray name; // stable label for metrics ("messages", "health", ...)
    int index = 0;   // dense index for per-route counters
    QList<Stage> stages;
};

// Exact-path router. Built once before the workers start and read-only afterwards, so workers share it
// without locks.
class Router
{
public:
    // Registers `method path`; the same name may serve several paths (e.g. /v1/messages and /api/v1/messages).
    // Returns the route's index.
    int add(QByteArrayView method, QByteArrayView path, QByteArrayView name, QList<Stage> stages);
    // Every method on every path that starts with `prefix` ("/admin/"), for a sub-application that routes by
    // itself (the admin API). Exact routes win over prefixes; among prefixes the longest wins.
    int addPrefix(QByteArrayView prefix, QByteArrayView name, QList<Stage> stages);

    enum class Match { Found, NotFound, MethodNotAllowed };
    // HEAD falls back to a GET route.
    Match match(const QByteArray &method, const QByteArray &path, const Route **route) const;
    // Allowed methods for a path, for the Allow header of a 405.
    QByteArray allowedMethods(const QByteArray &path) const;

    // Route names in index order; the same name always has the same index.
    QList<QByteArray> routeNames() const { return m_names; }

private:
    int nameIndex(QByteArrayView name);

    QHash<QByteArray, QList<Route>> m_byPath;
    QList<Route> m_prefixes; // longest first
    QList<QByteArray> m_names;
};

} // namespace Relay::Http
