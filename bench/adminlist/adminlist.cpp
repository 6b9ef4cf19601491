// SPDX-License-Identifier: GPL-3.0-or-later
// The admin key list at 10,000 keys: a real redis-server filled with 10,000 key records (pipelined, as the
// store writes them), last-used scores for most of them and 100 accounts; then the KeyCatalog's load time and
// GET /admin/keys pages through the registered route handler, timed from the call to the serialized body (the
// handler's whole path: query parsing, the last-used index read from Redis, filter/sort/page, JSON).
#include "admin/admincontext.h"
#include "admin/adminrouter.h"
#include "admin/keycatalog.h"
#include "admin/keyjson.h"
#include "admin/keyroutes.h"
#include "domain/apikey.h"
#include "redis/client.h"
#include "redisserver.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace Relay;
using namespace Qt::StringLiterals;

namespace {

constexpr int KeyCount = 10'000;
constexpr int AccountCount = 100;
constexpr int Chunk = 1000;

const char *const Words[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"};

Domain::ServerSecret benchSecret()
{
    return Domain::ServerSecret::fromBytes(QByteArray(Domain::ServerSecret::Size, 'b'), u"bench"_s);
}

bool fill(RedisServer &server, const Domain::DomainKeys &keys)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<QByteArray> accounts;
    QList<QList<QByteArray>> commands;
    for (int i = 0; i < AccountCount; ++i) {
        const QByteArray id = "acct" + QByteArray::number(i).rightJustified(4, '0');
        accounts << id;
        commands.append({"HSET", keys.accountRecord(id), "id", id, "name", "account " + QByteArray::number(i), "type",
                         "apikey", "enabled", "1", "priority", "50", "created_at", QByteArray::number(now)});
        commands.append({"SADD", keys.accountIndex(), id});
    }
    for (int i = 0; i < KeyCount; ++i) {
        Domain::ApiKey key;
        key.id = Domain::generateId();
        const QByteArray clear = Domain::generateClearKey();
        key.hash = benchSecret().hashApiKey(clear);
        key.hint = Domain::keyHint(clear);
        key.name = u"key %1 %2"_s.arg(i, 5, 10, QChar(u'0')).arg(QString::fromLatin1(Words[i % 8]));
        key.description = u"benchmark key"_s;
        key.createdAt = key.updatedAt = now - qint64(KeyCount - i) * 60'000;
        key.enabled = i % 10 != 0;
        key.expiresAt = i % 17 == 0 ? now - 1000 : 0;
        key.tags = {u"team-%1"_s.arg(i % 20), u"env-%1"_s.arg(i % 3)};
        key.concurrencyLimit = i % 5;
        if (i % 4 == 0)
            key.boundAccountId = accounts.at(i % AccountCount);
        if (i % 3 == 0) {
            key.limits.dailyCostNanos = 5'000'000'000;
            key.limits.windowMinutes = 60;
            key.limits.windowRequests = 1000;
        }
        QList<QByteArray> hset{"HSET", keys.keyRecord(key.id)};
        hset << key.toRecordFields();
        commands.append(hset);
        commands.append({"SADD", keys.keyIndex(), key.id});
        commands.append({"HSET", keys.keyHashIndex(), key.hash, key.id});
        if (i % 5 != 0) // 80 % have been used, at scattered times
            commands.append({"ZADD", keys.keyLastUsedIndex(),
                             QByteArray::number(now - qint64((i * 7919) % 86'400) * 1000), key.id});
        if (commands.size() >= Chunk * 4) {
            for (const RedisServer::Reply &reply : server.commands(commands)) {
                if (reply.isError())
                    return false;
            }
            commands.clear();
        }
    }
    for (const RedisServer::Reply &reply : server.commands(commands)) {
        if (reply.isError())
            return false;
    }
    return true;
}

struct Scenario
{
    const char *name;
    QByteArray query;
    bool traffic = false; // a key is used (ZADD to the last-used index) before each call: the order must be rebuilt
};

double percentile(std::vector<double> sorted, double p)
{
    std::sort(sorted.begin(), sorted.end());
    const size_t index = std::min(sorted.size() - 1, size_t(p * double(sorted.size() - 1) + 0.5));
    return sorted.at(index);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int iterations = argc > 1 ? std::max(1, atoi(argv[1])) : 300;
    QTextStream out(stdout);

    RedisServer server;
    if (!server.start()) {
        out << "cannot start redis-server: " << server.errorString() << '\n';
        return 1;
    }
    const Domain::DomainKeys keys;
    QElapsedTimer fillTimer;
    fillTimer.start();
    if (!fill(server, keys)) {
        out << "filling Redis failed\n";
        return 1;
    }
    out << "filled " << KeyCount << " keys and " << AccountCount << " accounts in " << fillTimer.elapsed() << " ms\n";

    Redis::Client client(*Redis::ConnectionOptions::fromUrl(server.url()));
    QObject owner;
    Admin::KeyCatalog catalog(&client, keys);
    Admin::AdminRouter router;
    Admin::AdminContext context;
    context.redis = &client;
    context.keys = keys;
    context.secret = benchSecret();
    context.apiKeyPrefix = "rd_";
    Admin::registerKeyRoutes(router, context, &catalog, &owner);

    {
        QEventLoop loop;
        QElapsedTimer wall;
        QObject::connect(&catalog, &Admin::KeyCatalog::loaded, &loop, &QEventLoop::quit);
        QObject::connect(&catalog, &Admin::KeyCatalog::loadFailed, &loop, &QEventLoop::quit);
        QTimer::singleShot(0, &catalog, [&] {
            wall.start();
            catalog.load();
        });
        loop.exec();
        if (!catalog.isLoaded()) {
            out << "catalog load failed\n";
            return 1;
        }
        out << "catalog load: " << catalog.size() << " keys in " << catalog.lastLoadMs() << " ms\n";
    }

    const Scenario scenarios[] = {
        {"first page, sort=last_used", "limit=50"},
        {"filtered: q=alpha&tag=team-8&status=active", "q=alpha&tag=team-8&status=active&limit=50"},
        {"deep page: offset=9000, sort=last_used", "offset=9000&limit=50"},
        {"first page, sort=name", "sort=name&limit=50"},
        {"500 rows, sort=last_used", "limit=500"},
        {"first page, sort=last_used, under traffic", "limit=50", true},
    };
    out << "iterations per scenario: " << iterations << " (ms from the handler call to the serialized body)\n";
    bool allUnder50 = true;
    for (const Scenario &scenario : scenarios) {
        const Admin::AdminRouter::Route *route = nullptr;
        Admin::AdminRequest request;
        request.method = "GET";
        request.path = "/admin/keys";
        request.query = QUrlQuery(QString::fromLatin1(scenario.query));
        router.match(request.method, request.path, &route, &request.params);
        std::vector<double> times;
        times.reserve(size_t(iterations));
        qint64 total = -1;
        qsizetype bytes = 0;
        const QList<QByteArray> ids = server.command({"SRANDMEMBER", keys.keyIndex(), "500"}).toList();
        for (int i = 0; i < iterations; ++i) {
            if (scenario.traffic)
                server.command({"ZADD", keys.keyLastUsedIndex(), "GT",
                                QByteArray::number(QDateTime::currentMSecsSinceEpoch()), ids.at(i % ids.size())});
            QEventLoop loop;
            QElapsedTimer timer;
            timer.start();
            route->handler(request, [&](Admin::AdminResult result) {
                const QByteArray body = result.toJson();
                times.push_back(double(timer.nsecsElapsed()) / 1e6);
                bytes = body.size();
                total = result.body.toObject().value(u"total").toInteger(-1);
                loop.quit();
            });
            loop.exec();
        }
        const double p50 = percentile(times, 0.50);
        const double p95 = percentile(times, 0.95);
        const double max = *std::max_element(times.begin(), times.end());
        if (!QByteArray(scenario.query).contains("limit=500"))
            allUnder50 = allUnder50 && max < 50.0;
        out << QString::asprintf("%-44s total %5lld  body %7lld B  p50 %6.2f  p95 %6.2f  max %6.2f ms\n", scenario.name,
                                 total, qint64(bytes), p50, p95, max);
    }
    // Where the time goes, without the event loop and Redis: the in-memory list alone and the JSON of one page.
    {
        Admin::KeyCatalog::Query query;
        query.nowMs = QDateTime::currentMSecsSinceEpoch();
        std::vector<double> listing;
        std::vector<double> json;
        for (int i = 0; i < iterations; ++i) {
            QElapsedTimer timer;
            timer.start();
            const Admin::KeyCatalog::Page page = catalog.list(query);
            listing.push_back(double(timer.nsecsElapsed()) / 1e6);
            timer.start();
            QJsonArray items;
            for (const Admin::KeyCatalog::Item &item : page.items)
                items.append(Admin::KeyJson::withUse(item.recordJson, *item.key, query.nowMs, item.lastUsedAt));
            const QByteArray body = QJsonDocument(QJsonObject{{u"items"_s, items}}).toJson(QJsonDocument::Compact);
            json.push_back(double(timer.nsecsElapsed()) / 1e6);
        }
        out << QString::asprintf("%-44s p50 %6.2f  p95 %6.2f ms\n", "  catalog.list() only, first page",
                                 percentile(listing, 0.5), percentile(listing, 0.95));
        out << QString::asprintf("%-44s p50 %6.2f  p95 %6.2f ms\n", "  JSON of 50 rows only", percentile(json, 0.5),
                                 percentile(json, 0.95));
    }
    out << (allUnder50 ? "PASS: every 50-row page under 50 ms\n" : "MISS: a 50-row page took 50 ms or more\n");
    return 0;
}
