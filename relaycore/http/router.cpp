// SPDX-License-Identifier: GPL-3.0-or-later
#include "http/router.h"

namespace Relay::Http {

int Router::add(QByteArrayView method, QByteArrayView path, QByteArrayView name, QList<Stage> stages)
{
    qsizetype index = m_names.indexOf(name.toByteArray());
    if (index < 0) {
        index = m_names.size();
        m_names.append(name.toByteArray());
    }
    Route route{method.toByteArray(), path.toByteArray(), name.toByteArray(), int(index), std::move(stages)};
    m_byPath[route.path].append(std::move(route));
    return int(index);
}

Router::Match Router::match(const QByteArray &method, const QByteArray &path, const Route **route) const
{
    const auto it = m_byPath.constFind(path);
    if (it == m_byPath.constEnd())
        return Match::NotFound;
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
