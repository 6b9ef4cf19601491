// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/router.h"

#include <algorithm>

namespace Relay::Http {

int Router::nameIndex(QByteArrayView name)
{
    qsizetype index = m_names.indexOf(name.toByteArray());
    if (index < 0) {
        index = m_names.size();
        m_names.append(name.toByteArray());
    }
    return int(index);
}

int Router::add(QByteArrayView method, QByteArrayView path, QByteArrayView name, QList<Stage> stages)
{
    const int index = nameIndex(name);
    Route route{method.toByteArray(), path.toByteArray(), name.toByteArray(), index, std::move(stages)};
    m_byPath[route.path].append(std::move(route));
    return index;
}

int Router::addPrefix(QByteArrayView prefix, QByteArrayView name, QList<Stage> stages)
{
    const int index = nameIndex(name);
    Route route{QByteArray(), prefix.toByteArray(), name.toByteArray(), index, std::move(stages)};
    const auto longer = [&route](const Route &r) { return r.path.size() >= route.path.size(); };
    m_prefixes.insert(std::partition_point(m_prefixes.begin(), m_prefixes.end(), longer) - m_prefixes.begin(),
                      std::move(route));
    return index;
}

Router::Match Router::match(const QByteArray &method, const QByteArray &path, const Route **route) const
{
    const auto it = m_byPath.constFind(path);
    if (it == m_byPath.constEnd()) {
        for (const Route &r : m_prefixes) {
            if (path.startsWith(r.path)) {
                *route = &r;
                return Match::Found;
            }
        }
        return Match::NotFound;
    }
    for (const Route &r : *it) {
        if (r.method == method || (method == "HEAD" && r.method == "GET")) {
            *route = &r;
            return Match::Found;
        }
    }
    return Match::MethodNotAllowed;
}

QByteArray Router::allowedMethods(const QByteArray &path) const
{
    QList<QByteArray> methods;
    for (const Route &r : m_byPath.value(path))
        methods.append(r.method);
    return methods.join(", ");
}

} // namespace Relay::Http
