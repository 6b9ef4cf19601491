// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/redisinspector.h"

#include "redis/client.h"

#include <QHash>
#include <QJsonArray>
#include <QSet>

#include <algorithm>
#include <memory>

namespace Relay::Admin {

namespace {

using Redis::BatchResult;
using Redis::Reply;
using Redis::Result;

const QByteArray Redacted = QByteArrayLiteral("(redacted)");
constexpr int MemoryPipelineSize = 200;

AdminError transportError(const QString &message)
{
    return AdminError::unavailable(QStringLiteral("Redis did not answer: %1").arg(message));
}

// The error of a reply, or none: the server answered with an error (a command disabled or renamed, …).
AdminError errorOf(const Result &result, const char *command)
{
    if (result.error)
        return transportError(result.error.message);
    if (result.reply.isError())
        return AdminError::internal(QStringLiteral("Redis refused %1: %2")
                                        .arg(QLatin1StringView(command), QString::fromUtf8(result.reply.bytes())));
    return {};
}

AdminError errorOf(const BatchResult &batch, const char *command)
{
    if (batch.error)
        return transportError(batch.error.message);
    for (const Reply &reply : batch.replies) {
        if (reply.isError())
            return AdminError::internal(QStringLiteral("Redis refused %1: %2")
                                            .arg(QLatin1StringView(command), QString::fromUtf8(reply.bytes())));
    }
    return {};
}

bool isDigits(QByteArrayView text)
{
    return !text.isEmpty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A decimal integer without leading zeros ("00000000" is a git sha, not zero).
bool isPlainInteger(QByteArrayView text)
{
    if (text.startsWith('-'))
        text = text.sliced(1);
    return isDigits(text) && (text.size() == 1 || text.front() != '0') && text.size() <= 18;
}

bool isPlainDecimal(QByteArrayView text)
{
    const qsizetype dot = text.indexOf('.');
    return dot > 0 && isPlainInteger(text.first(dot)) && isDigits(text.sliced(dot + 1));
}

QJsonValue infoValue(const QByteArray &text)
{
    if (isPlainInteger(text))
        return QJsonValue(text.toLongLong());
    if (isPlainDecimal(text))
        return QJsonValue(text.toDouble());
    return QJsonValue(QString::fromUtf8(text));
}

bool equalsIgnoringCase(const QByteArray &a, const char *b)
{
    return a.compare(QByteArrayView(b), Qt::CaseInsensitive) == 0;
}

bool isSecretConfig(const QByteArray &name)
{
    return equalsIgnoringCase(name, "requirepass") || equalsIgnoringCase(name, "masterauth") ||
           equalsIgnoringCase(name, "masteruser") || equalsIgnoringCase(name, "tls-key-file-pass") ||
           equalsIgnoringCase(name, "tls-client-key-file-pass");
}

bool looksLikeDate(QByteArrayView s)
{
    // 2024-05-01, 2024-05-01T13, 2024-W18
    return s.size() >= 7 && isDigits(s.first(4)) && s.at(4) == '-';
}

// A key segment that varies per owner or per period: it becomes `*` in the group name.
bool isVariableSegment(QByteArrayView s)
{
    if (s.isEmpty())
        return false;
    if (isDigits(s) || looksLikeDate(s))
        return true;
    const bool hasDigit = std::any_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    const bool allHex = std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
    // Ids, UUIDs and hashes are long and mix digits in (a hex hash may by chance have none); plain words
    // ("usage", "record") stay.
    return (hasDigit && s.size() >= 6) || (allHex && s.size() >= 12) || s.size() >= 24;
}

} // namespace

RedisInspector::RedisInspector(Redis::Client *client, QObject *context)
    : m_client(client)
    , m_context(context)
{}

// --- slowlog -----------------------------------------------------------------------------------------------------

QList<QByteArray> RedisInspector::maskCommand(QList<QByteArray> args)
{
    if (args.isEmpty())
        return args;
    const QByteArray &name = args.at(0);
    auto redactFrom = [&args](qsizetype from) {
        for (qsizetype i = from; i < args.size(); ++i)
            args[i] = Redacted;
    };
    if (equalsIgnoringCase(name, "auth")) {
        redactFrom(1);
    } else if (equalsIgnoringCase(name, "hello")) {
        // HELLO [protover [AUTH username password] [SETNAME name]]; a slowlog entry keeps at most 32 arguments, so
        // a cut-off AUTH hides everything after it.
        for (qsizetype i = 1; i < args.size(); ++i) {
            if (!equalsIgnoringCase(args.at(i), "auth"))
                continue;
            if (i + 2 >= args.size()) {
                redactFrom(i + 1);
                break;
            }
            args[i + 2] = Redacted;
            i += 2;
        }
    } else if (equalsIgnoringCase(name, "migrate")) {
        for (qsizetype i = 1; i < args.size(); ++i) {
            if (equalsIgnoringCase(args.at(i), "auth") && i + 1 < args.size()) {
                args[i + 1] = Redacted;
                ++i;
            } else if (equalsIgnoringCase(args.at(i), "auth2") && i + 2 < args.size()) {
                args[i + 2] = Redacted;
                i += 2;
            }
        }
    } else if (equalsIgnoringCase(name, "config") && args.size() > 1 && equalsIgnoringCase(args.at(1), "set")) {
        // CONFIG SET name value [name value …]
        for (qsizetype i = 2; i + 1 < args.size(); i += 2) {
            if (isSecretConfig(args.at(i)))
                args[i + 1] = Redacted;
        }
    } else if (equalsIgnoringCase(name, "acl") && args.size() > 1 && equalsIgnoringCase(args.at(1), "setuser")) {
        // Rules ">password", "<password", "#hash", "!hash" carry secrets.
        for (qsizetype i = 3; i < args.size(); ++i) {
            const QByteArray &rule = args.at(i);
            if (rule.startsWith('>') || rule.startsWith('<') || rule.startsWith('#') || rule.startsWith('!'))
                args[i] = Redacted;
        }
    }
    return args;
}

void RedisInspector::slowlog(int count, Callback callback) const
{
    if (!m_context)
        return;
    m_client->pipeline(
        {{QByteArrayLiteral("SLOWLOG"), QByteArrayLiteral("LEN")},
         {QByteArrayLiteral("SLOWLOG"), QByteArrayLiteral("GET"), QByteArray::number(count)}},
        m_context, [callback](const BatchResult &batch) {
            if (const AdminError error = errorOf(batch, "SLOWLOG"))
                return callback({}, error);
            QJsonArray items;
            for (const Reply &entry : batch.replies.at(1).elements()) {
                const QList<Reply> &fields = entry.elements();
                if (fields.size() < 4)
                    continue;
                QJsonArray command;
                for (const QByteArray &arg : maskCommand(fields.at(3).toByteArrayList()))
                    command.append(QString::fromUtf8(arg));
                items.append(QJsonObject{{QStringLiteral("id"), fields.at(0).integer()},
                                         {QStringLiteral("time"), fields.at(1).integer() * 1000},
                                         {QStringLiteral("duration_us"), fields.at(2).integer()},
                                         {QStringLiteral("command"), command},
                                         // Redis 4 and later add the client; older servers do not.
                                         {QStringLiteral("client_addr"),
                                          fields.size() > 4 ? QString::fromUtf8(fields.at(4).bytes()) : QString()},
                                         {QStringLiteral("client_name"),
                                          fields.size() > 5 ? QString::fromUtf8(fields.at(5).bytes()) : QString()}});
            }
            callback(QJsonObject{{QStringLiteral("length"), batch.replies.at(0).integer()},
                                 {QStringLiteral("items"), items}},
                     {});
        });
}

void RedisInspector::resetSlowlog(Callback callback) const
{
    if (!m_context)
        return;
    m_client->command({QByteArrayLiteral("SLOWLOG"), QByteArrayLiteral("RESET")}, m_context,
                      [callback](const Result &result) {
                          if (const AdminError error = errorOf(result, "SLOWLOG RESET"))
                              return callback({}, error);
                          callback(QJsonObject{{QStringLiteral("reset"), true}}, {});
                      });
}

// --- INFO --------------------------------------------------------------------------------------------------------

QJsonObject RedisInspector::parseInfoPairs(const QByteArray &value)
{
    QJsonObject object;
    for (const QByteArray &pair : value.split(',')) {
        const qsizetype eq = pair.indexOf('=');
        if (eq <= 0)
            continue;
        object.insert(QString::fromUtf8(pair.first(eq)), infoValue(pair.mid(eq + 1)));
    }
    return object;
}

QJsonObject RedisInspector::parseInfoSection(const QByteArray &text, bool nestedValues)
{
    QJsonObject object;
    for (QByteArray line : text.split('\n')) {
        line = line.trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray value = line.mid(colon + 1);
        const QString name = QString::fromUtf8(line.first(colon));
        if (nestedValues && value.contains('='))
            object.insert(name, parseInfoPairs(value));
        else
            object.insert(name, infoValue(value));
    }
    return object;
}

void RedisInspector::info(const QStringList &sections, Callback callback) const
{
    if (!m_context)
        return;
    // One INFO per section: servers before 7.0 take only one section name per call.
    QList<QList<QByteArray>> commands;
    for (const QString &section : sections)
        commands.append({QByteArrayLiteral("INFO"), section.toUtf8()});
    m_client->pipeline(std::move(commands), m_context, [callback, sections](const BatchResult &batch) {
        if (const AdminError error = errorOf(batch, "INFO"))
            return callback({}, error);
        QJsonObject result;
        for (qsizetype i = 0; i < sections.size() && i < batch.replies.size(); ++i) {
            const QString &section = sections.at(i);
            const bool nested = section == u"keyspace" || section == u"commandstats" || section == u"errorstats" ||
                                section == u"latencystats";
            result.insert(section, parseInfoSection(batch.replies.at(i).bytes(), nested));
        }
        callback(result, {});
    });
}

void RedisInspector::commandStats(StatsSort sort, Callback callback) const
{
    if (!m_context)
        return;
    m_client->command(
        {QByteArrayLiteral("INFO"), QByteArrayLiteral("commandstats")}, m_context,
        [callback, sort](const Result &result) {
            if (const AdminError error = errorOf(result, "INFO commandstats"))
                return callback({}, error);
            const QJsonObject stats = parseInfoSection(result.reply.bytes(), true);
            QList<QJsonObject> rows;
            for (auto it = stats.begin(); it != stats.end(); ++it) {
                if (!it.key().startsWith(u"cmdstat_"))
                    continue;
                const QJsonObject fields = it.value().toObject();
                const qint64 calls = fields.value(QStringLiteral("calls")).toInteger();
                const qint64 usec = fields.value(QStringLiteral("usec")).toInteger();
                const double perCall = fields.contains(QStringLiteral("usec_per_call"))
                                           ? fields.value(QStringLiteral("usec_per_call")).toDouble()
                                           : (calls > 0 ? double(usec) / double(calls) : 0.0);
                // Subcommands come as "client|setname"; rejected/failed exist only from Redis 6.2 on.
                rows.append(QJsonObject{
                    {QStringLiteral("command"), it.key().mid(int(qstrlen("cmdstat_")))},
                    {QStringLiteral("calls"), calls},
                    {QStringLiteral("usec"), usec},
                    {QStringLiteral("usec_per_call"), perCall},
                    {QStringLiteral("rejected_calls"), fields.value(QStringLiteral("rejected_calls")).toInteger()},
                    {QStringLiteral("failed_calls"), fields.value(QStringLiteral("failed_calls")).toInteger()}});
            }
            const QString key = sort == StatsSort::Calls  ? QStringLiteral("calls")
                                : sort == StatsSort::Usec ? QStringLiteral("usec")
                                                          : QStringLiteral("usec_per_call");
            std::stable_sort(rows.begin(), rows.end(), [&key](const QJsonObject &a, const QJsonObject &b) {
                const double x = a.value(key).toDouble();
                const double y = b.value(key).toDouble();
                if (x != y)
                    return x > y;
                return a.value(QStringLiteral("command")).toString() < b.value(QStringLiteral("command")).toString();
            });
            QJsonArray items;
            for (const QJsonObject &row : rows)
                items.append(row);
            callback(QJsonObject{{QStringLiteral("items"), items}}, {});
        });
}

// --- latency, dbsize ---------------------------------------------------------------------------------------------

void RedisInspector::latency(Callback callback) const
{
    if (!m_context)
        return;
    m_client->command({QByteArrayLiteral("LATENCY"), QByteArrayLiteral("LATEST")}, m_context,
                      [callback](const Result &result) {
                          if (const AdminError error = errorOf(result, "LATENCY LATEST"))
                              return callback({}, error);
                          QJsonArray items;
                          for (const Reply &row : result.reply.elements()) {
                              const QList<Reply> &f = row.elements();
                              if (f.size() < 4)
                                  continue;
                              items.append(QJsonObject{{QStringLiteral("event"), QString::fromUtf8(f.at(0).bytes())},
                                                       {QStringLiteral("time"), f.at(1).toInteger() * 1000},
                                                       {QStringLiteral("latest_ms"), f.at(2).toInteger()},
                                                       {QStringLiteral("max_ms"), f.at(3).toInteger()}});
                          }
                          callback(QJsonObject{{QStringLiteral("items"), items}}, {});
                      });
}

void RedisInspector::dbSize(Callback callback) const
{
    if (!m_context)
        return;
    m_client->command({QByteArrayLiteral("DBSIZE")}, m_context, [callback](const Result &result) {
        if (const AdminError error = errorOf(result, "DBSIZE"))
            return callback({}, error);
        callback(QJsonObject{{QStringLiteral("db_keys"), result.reply.toInteger()}}, {});
    });
}

// --- slowlog settings --------------------------------------------------------------------------------------------

void RedisInspector::slowlogConfig(Callback callback) const
{
    if (!m_context)
        return;
    // Two CONFIG GETs: servers before 7.0 take one parameter per call.
    m_client->pipeline(
        {{QByteArrayLiteral("CONFIG"), QByteArrayLiteral("GET"), QByteArrayLiteral("slowlog-log-slower-than")},
         {QByteArrayLiteral("CONFIG"), QByteArrayLiteral("GET"), QByteArrayLiteral("slowlog-max-len")}},
        m_context, [callback](const BatchResult &batch) {
            if (const AdminError error = errorOf(batch, "CONFIG GET"))
                return callback({}, error);
            auto valueOf = [](const Reply &reply) {
                const QList<Reply> &pair = reply.elements();
                return pair.size() >= 2 ? pair.at(1).toInteger() : qint64(0);
            };
            callback(QJsonObject{{QStringLiteral("slower_than_us"), valueOf(batch.replies.at(0))},
                                 {QStringLiteral("max_len"), valueOf(batch.replies.at(1))}},
                     {});
        });
}

void RedisInspector::setSlowlogConfig(std::optional<qint64> slowerThanUs, std::optional<qint64> maxLength,
                                      Callback callback) const
{
    if (!m_context)
        return;
    QList<QList<QByteArray>> commands;
    if (slowerThanUs)
        commands.append({QByteArrayLiteral("CONFIG"), QByteArrayLiteral("SET"),
                         QByteArrayLiteral("slowlog-log-slower-than"), QByteArray::number(*slowerThanUs)});
    if (maxLength)
        commands.append({QByteArrayLiteral("CONFIG"), QByteArrayLiteral("SET"), QByteArrayLiteral("slowlog-max-len"),
                         QByteArray::number(*maxLength)});
    const RedisInspector self = *this;
    m_client->pipeline(std::move(commands), m_context, [self, callback](const BatchResult &batch) {
        if (const AdminError error = errorOf(batch, "CONFIG SET"))
            return callback({}, error);
        self.slowlogConfig(callback);
    });
}

// --- memory by prefix --------------------------------------------------------------------------------------------

QByteArray RedisInspector::normalisedPrefix(const QByteArray &key)
{
    QList<QByteArray> segments = key.split(':');
    for (QByteArray &segment : segments) {
        // Keep hash-tag braces: "{key" and "4f2a…}" are the two halves of "{key:4f2a…}".
        const bool open = segment.startsWith('{');
        const bool close = segment.endsWith('}') && segment.size() > (open ? 1 : 0);
        const QByteArrayView core =
            QByteArrayView(segment).sliced(open ? 1 : 0, segment.size() - (open ? 1 : 0) - (close ? 1 : 0));
        if (isVariableSegment(core))
            segment =
                (open ? QByteArrayLiteral("{") : QByteArray()) + '*' + (close ? QByteArrayLiteral("}") : QByteArray());
    }
    return segments.join(':');
}

namespace {

struct MemorySampling : std::enable_shared_from_this<MemorySampling>
{
    struct Group
    {
        qint64 keys = 0;
        qint64 bytes = 0;
    };

    Redis::Client *client = nullptr;
    QPointer<QObject> context;
    RedisInspector::Callback callback;
    int samples = 0;
    qint64 dbSize = 0;
    bool scannedAll = false;
    QList<QByteArray> keys;
    QSet<QByteArray> seen; // SCAN may return a key twice while the table is rehashed
    qsizetype nextKey = 0;
    qint64 sampledKeys = 0;
    qint64 sampledBytes = 0;
    QHash<QByteArray, Group> groups;

    void scan();
    void measureNext();
    void finish();
};

void MemorySampling::scan()
{
    if (!context)
        return;
    Redis::ScanRequest request;
    request.kind = Redis::ScanRequest::Kind::Keys;
    request.count = std::clamp(samples, 10, 1000);
    client->scan(
        request, context,
        [this, self = shared_from_this()](const Redis::Error &error, const QList<QByteArray> &batch, bool finished) {
            if (error) {
                callback({}, transportError(error.message));
                return false;
            }
            for (const QByteArray &key : batch) {
                if (keys.size() >= samples)
                    break;
                if (!seen.contains(key)) {
                    seen.insert(key);
                    keys.append(key);
                }
            }
            const bool enough = keys.size() >= samples;
            if (finished || enough) {
                scannedAll = finished && !enough;
                seen.clear();
                measureNext();
                return false;
            }
            return true;
        });
}

void MemorySampling::measureNext()
{
    if (!context)
        return;
    if (nextKey >= keys.size())
        return finish();
    QList<QList<QByteArray>> commands;
    const qsizetype end = std::min(keys.size(), nextKey + MemoryPipelineSize);
    for (qsizetype i = nextKey; i < end; ++i)
        commands.append({QByteArrayLiteral("MEMORY"), QByteArrayLiteral("USAGE"), keys.at(i)});
    const qsizetype first = nextKey;
    nextKey = end;
    client->pipeline(std::move(commands), context, [this, self = shared_from_this(), first](const BatchResult &batch) {
        if (const AdminError error = errorOf(batch, "MEMORY USAGE"))
            return callback({}, error);
        for (qsizetype i = 0; i < batch.replies.size(); ++i) {
            const Reply &reply = batch.replies.at(i);
            if (reply.isNil()) // expired or deleted since SCAN saw it
                continue;
            Group &group = groups[RedisInspector::normalisedPrefix(keys.at(first + i))];
            ++group.keys;
            group.bytes += reply.integer();
            ++sampledKeys;
            sampledBytes += reply.integer();
        }
        measureNext();
    });
}

void MemorySampling::finish()
{
    const double factor = sampledKeys > 0 ? double(std::max(dbSize, sampledKeys)) / double(sampledKeys) : 0.0;
    struct Row
    {
        QByteArray prefix;
        Group group;
        qint64 estimatedBytes;
    };
    QList<Row> rows;
    for (auto it = groups.cbegin(); it != groups.cend(); ++it)
        rows.append({it.key(), it.value(), qint64(double(it.value().bytes) * factor + 0.5)});
    std::sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) {
        return a.estimatedBytes != b.estimatedBytes ? a.estimatedBytes > b.estimatedBytes : a.prefix < b.prefix;
    });
    QJsonArray items;
    for (const Row &row : rows)
        items.append(QJsonObject{{QStringLiteral("prefix"), QString::fromUtf8(row.prefix)},
                                 {QStringLiteral("sampled_keys"), row.group.keys},
                                 {QStringLiteral("sampled_bytes"), row.group.bytes},
                                 {QStringLiteral("estimated_keys"), qint64(double(row.group.keys) * factor + 0.5)},
                                 {QStringLiteral("estimated_bytes"), row.estimatedBytes}});
    callback(QJsonObject{{QStringLiteral("db_keys"), dbSize},
                         {QStringLiteral("samples"), samples},
                         {QStringLiteral("sampled_keys"), sampledKeys},
                         {QStringLiteral("sampled_bytes"), sampledBytes},
                         {QStringLiteral("estimated_bytes"), qint64(double(sampledBytes) * factor + 0.5)},
                         {QStringLiteral("complete"), scannedAll},
                         {QStringLiteral("items"), items}},
             {});
}

} // namespace

void RedisInspector::memoryByPrefix(int samples, Callback callback) const
{
    if (!m_context)
        return;
    auto state = std::make_shared<MemorySampling>();
    state->client = m_client;
    state->context = m_context;
    state->samples = samples;
    state->callback = callback;
    // The state lives as long as a callback of the walk may still run: each step's lambda holds it.
    m_client->command({QByteArrayLiteral("DBSIZE")}, m_context, [state](const Result &result) {
        if (const AdminError error = errorOf(result, "DBSIZE"))
            return state->callback({}, error);
        state->dbSize = result.reply.toInteger();
        state->scan();
    });
}

} // namespace Relay::Admin
