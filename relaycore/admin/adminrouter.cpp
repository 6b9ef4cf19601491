// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/adminrouter.h"

#include <QJsonArray>
#include <QSet>

namespace Relay::Admin {

namespace {

bool isParameter(const QString &segment)
{
    return segment.size() > 2 && segment.startsWith(u'{') && segment.endsWith(u'}');
}

QString parameterName(const QString &segment)
{
    return segment.mid(1, segment.size() - 2);
}

// Matches path segments against a pattern's; fills params for {name} segments (percent-decoded).
bool segmentsMatch(const QStringList &pattern, const QList<QByteArray> &path, QHash<QString, QString> *params)
{
    if (pattern.size() != path.size())
        return false;
    QHash<QString, QString> found;
    for (qsizetype i = 0; i < pattern.size(); ++i) {
        const QString &expected = pattern[i];
        if (isParameter(expected)) {
            if (path[i].isEmpty())
                return false;
            found.insert(parameterName(expected), QString::fromUtf8(QByteArray::fromPercentEncoding(path[i])));
        } else if (path[i] != expected.toUtf8()) {
            return false;
        }
    }
    if (params)
        *params = std::move(found);
    return true;
}

QJsonObject errorSchemaRef()
{
    return QJsonObject{{QStringLiteral("$ref"), QStringLiteral("#/components/schemas/Error")}};
}

QJsonObject jsonContent(const QJsonObject &schema)
{
    return QJsonObject{{QStringLiteral("application/json"), QJsonObject{{QStringLiteral("schema"), schema}}}};
}

QJsonObject errorSchema()
{
    const QJsonObject str{{QStringLiteral("type"), QStringLiteral("string")}};
    return QJsonObject{
        {QStringLiteral("type"), QStringLiteral("object")},
        {QStringLiteral("properties"),
         QJsonObject{{QStringLiteral("type"), str},
                     {QStringLiteral("error"),
                      QJsonObject{{QStringLiteral("type"), QStringLiteral("object")},
                                  {QStringLiteral("properties"),
                                   QJsonObject{{QStringLiteral("type"), str},
                                               {QStringLiteral("code"), str},
                                               {QStringLiteral("message"), str},
                                               {QStringLiteral("fields"),
                                                QJsonObject{{QStringLiteral("type"), QStringLiteral("object")},
                                                            {QStringLiteral("additionalProperties"), str}}}}}}}}}};
}

} // namespace

void AdminRouter::add(QByteArray method, QString pattern, RouteDoc doc, Handler handler, Access access)
{
    Route route;
    route.method = std::move(method);
    route.segments = pattern.split(u'/');
    route.pattern = std::move(pattern);
    route.doc = std::move(doc);
    route.handler = std::move(handler);
    route.access = access;
    m_routes.append(std::move(route));
}

void AdminRouter::addStream(QString pattern, RouteDoc doc, StreamHandler handler, Access access)
{
    Route route;
    route.method = QByteArrayLiteral("GET");
    route.segments = pattern.split(u'/');
    route.pattern = std::move(pattern);
    route.doc = std::move(doc);
    route.streamHandler = std::move(handler);
    route.access = access;
    m_routes.append(std::move(route));
}

AdminRouter::Match AdminRouter::match(const QByteArray &method, const QByteArray &path, const Route **route,
                                      QHash<QString, QString> *params) const
{
    const QList<QByteArray> segments = path.split('/');
    const QByteArray effective = method == "HEAD" ? QByteArrayLiteral("GET") : method;
    bool pathKnown = false;
    // Literal segments win over parameters ("/admin/keys/export" before "/admin/keys/{id}"): try exact patterns
    // first by preferring the route with the fewest parameters.
    const Route *best = nullptr;
    int bestParams = 0;
    QHash<QString, QString> bestFound;
    for (const Route &candidate : m_routes) {
        QHash<QString, QString> found;
        if (!segmentsMatch(candidate.segments, segments, &found))
            continue;
        pathKnown = true;
        if (candidate.method != effective)
            continue;
        const int count = int(found.size());
        if (!best || count < bestParams) {
            best = &candidate;
            bestParams = count;
            bestFound = std::move(found);
        }
    }
    if (best) {
        if (route)
            *route = best;
        if (params)
            *params = std::move(bestFound);
        return Match::Found;
    }
    return pathKnown ? Match::MethodNotAllowed : Match::NotFound;
}

QByteArray AdminRouter::allowedMethods(const QByteArray &path) const
{
    const QList<QByteArray> segments = path.split('/');
    QByteArrayList methods;
    for (const Route &candidate : m_routes) {
        if (segmentsMatch(candidate.segments, segments, nullptr) && !methods.contains(candidate.method))
            methods.append(candidate.method);
    }
    return methods.join(", ");
}

QJsonObject AdminRouter::openApi(const QString &version) const
{
    QJsonObject paths;
    QSet<QString> tags;
    for (const Route &route : m_routes) {
        QJsonObject operation;
        if (!route.doc.operationId.isEmpty())
            operation.insert(QStringLiteral("operationId"), route.doc.operationId);
        operation.insert(QStringLiteral("summary"), route.doc.summary);
        if (!route.doc.tag.isEmpty()) {
            operation.insert(QStringLiteral("tags"), QJsonArray{route.doc.tag});
            tags.insert(route.doc.tag);
        }
        QJsonArray parameters;
        for (const QString &segment : route.segments) {
            if (isParameter(segment))
                parameters.append(QJsonObject{
                    {QStringLiteral("name"), parameterName(segment)},
                    {QStringLiteral("in"), QStringLiteral("path")},
                    {QStringLiteral("required"), true},
                    {QStringLiteral("schema"), QJsonObject{{QStringLiteral("type"), QStringLiteral("string")}}}});
        }
        for (const RouteDoc::Param &param : route.doc.query)
            parameters.append(
                QJsonObject{{QStringLiteral("name"), param.name},
                            {QStringLiteral("in"), QStringLiteral("query")},
                            {QStringLiteral("required"), param.required},
                            {QStringLiteral("description"), param.description},
                            {QStringLiteral("schema"), QJsonObject{{QStringLiteral("type"), param.type}}}});
        if (!parameters.isEmpty())
            operation.insert(QStringLiteral("parameters"), parameters);
        if (!route.doc.requestBody.isEmpty())
            operation.insert(QStringLiteral("requestBody"),
                             QJsonObject{{QStringLiteral("required"), true},
                                         {QStringLiteral("content"), jsonContent(route.doc.requestBody)}});
        QJsonObject responses;
        if (route.isStream()) {
            responses.insert(QString::number(200),
                             QJsonObject{{QStringLiteral("description"), QStringLiteral("server-sent events")},
                                         {QStringLiteral("content"),
                                          QJsonObject{{QStringLiteral("text/event-stream"), QJsonObject{}}}}});
        } else if (route.doc.successStatus == 204) {
            responses.insert(QString::number(204),
                             QJsonObject{{QStringLiteral("description"), QStringLiteral("done")}});
        } else {
            const QJsonObject schema = route.doc.response.isEmpty()
                                           ? QJsonObject{{QStringLiteral("type"), QStringLiteral("object")}}
                                           : route.doc.response;
            responses.insert(QString::number(route.doc.successStatus),
                             QJsonObject{{QStringLiteral("description"), QStringLiteral("success")},
                                         {QStringLiteral("content"), jsonContent(schema)}});
        }
        responses.insert(QStringLiteral("default"),
                         QJsonObject{{QStringLiteral("description"), QStringLiteral("error")},
                                     {QStringLiteral("content"), jsonContent(errorSchemaRef())}});
        operation.insert(QStringLiteral("responses"), responses);
        if (route.access == Access::Public)
            operation.insert(QStringLiteral("security"), QJsonArray{});

        QJsonObject item = paths.value(route.pattern).toObject();
        item.insert(QString::fromLatin1(route.method).toLower(), operation);
        paths.insert(route.pattern, item);
    }
    QJsonArray tagList;
    QStringList sortedTags(tags.begin(), tags.end());
    sortedTags.sort();
    for (const QString &tag : sortedTags)
        tagList.append(QJsonObject{{QStringLiteral("name"), tag}});
    return QJsonObject{
        {QStringLiteral("openapi"), QStringLiteral("3.0.3")},
        {QStringLiteral("info"), QJsonObject{{QStringLiteral("title"), QStringLiteral("RelayDeck admin API")},
                                             {QStringLiteral("version"), version}}},
        {QStringLiteral("tags"), tagList},
        {QStringLiteral("paths"), paths},
        {QStringLiteral("security"), QJsonArray{QJsonObject{{QStringLiteral("session"), QJsonArray{}}}}},
        {QStringLiteral("components"),
         QJsonObject{{QStringLiteral("securitySchemes"),
                      QJsonObject{{QStringLiteral("session"),
                                   QJsonObject{{QStringLiteral("type"), QStringLiteral("http")},
                                               {QStringLiteral("scheme"), QStringLiteral("bearer")}}}}},
                     {QStringLiteral("schemas"), QJsonObject{{QStringLiteral("Error"), errorSchema()}}}}}};
}

} // namespace Relay::Admin
