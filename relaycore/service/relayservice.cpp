// SPDX-License-Identifier: GPL-3.0-or-later
#include "service/relayservice.h"

#include "admin/adminapi.h"
#include "admin/adminroutes.h"
#include "domain/accountstore.h"
#include "domain/changefeed.h"
#include "domain/secretbox.h"
#include "domain/secretcheck.h"
#include "domain/serversecret.h"
#include "embedded/embeddedredis.h"
#include "http/clock.h"
#include "http/exchange.h"
#include "log/logger.h"
#include "log/redaction.h"
#include "metrics/prometheusformat.h"
#include "redis/client.h"
#include "redis/keyspace.h"
#include "relay/accountsync.h"
#include "relay/relaycontext.h"
#include "relay/tokenrefresher.h"
#include "relay/workerrelay.h"
#include "usage/pricingservice.h"
#include "usage/usagerecorder.h"

#include <QDir>
#include <QThread>

#include <sys/resource.h>

namespace Relay::Service {

// Feeds the per-worker metrics shards from the HTTP server's events; runs on the worker threads.
class RelayService::Observer : public Http::ServerObserver
{
public:
    Observer(const RelayMetrics &metrics, std::vector<WorkerState> &workers)
        : m_metrics(metrics)
        , m_workers(workers)
    {}

    void connectionOpened(int worker) override
    {
        Metrics::Shard *s = m_workers[size_t(worker)].shard;
        s->add(m_metrics.connections, 0, 1);
        s->add(m_metrics.connectionsTotal);
    }
    void connectionClosed(int worker) override { m_workers[size_t(worker)].shard->add(m_metrics.connections, 0, -1); }
    void requestStarted(const Http::Exchange &e) override
    {
        if (!isAdmin(e))
            m_workers[size_t(e.workerIndex())].shard->add(m_metrics.inFlight, 0, 1);
    }
    void requestFinished(const Http::Exchange &e) override
    {
        Metrics::Shard *s = m_workers[size_t(e.workerIndex())].shard;
        if (!isAdmin(e))
            s->add(m_metrics.inFlight, 0, -1);
        const int route = e.route() ? e.route()->index : m_metrics.unmatchedRoute();
        const int statusClass = RelayMetrics::statusClass(e.status(), e.isClientGone());
        s->add(m_metrics.requests, m_metrics.requests.series({route, statusClass}));
        const qint64 end = e.finishedNs() ? e.finishedNs() : Http::monotonicNs();
        s->observe(m_metrics.duration, route, quint64(std::max<qint64>(0, end - e.startedNs()) / 1000));
    }

private:
    // The console's open live streams would otherwise show as requests in flight on an idle relay.
    bool isAdmin(const Http::Exchange &e) const { return e.route() && e.route()->index == m_metrics.adminRoute(); }

    const RelayMetrics &m_metrics;
    std::vector<WorkerState> &m_workers;
};

RelayService::RelayService(Config::Settings settings, QObject *parent)
    : QObject(parent)
    , m_settings(std::move(settings))
    , m_version(QStringLiteral(RELAYDECK_VERSION))
{
    m_healthTimer.setInterval(1000);
    connect(&m_healthTimer, &QTimer::timeout, this, &RelayService::checkRedis);
    connect(&m_server, &Http::Server::stopped, this, [this] {
        m_healthTimer.stop();
        if (m_adminServer.isRunning())
            m_adminServer.stopAndWait(1000);
        Q_EMIT stopped();
    });
}

RelayService::~RelayService()
{
    stopAndWait();
}

QString RelayService::redisDescription() const
{
    return m_redisOptions.toUrl(false) + (m_embeddedRedis ? QStringLiteral(" (embedded)") : QString());
}

void RelayService::start()
{
    m_uptime.start();
    if (!m_settings.redisUrl.isEmpty()) {
        QMetaObject::invokeMethod(
            this, [this] { startWithRedis(m_settings.redisUrl); }, Qt::QueuedConnection);
        return;
    }
    m_embeddedRedis = std::make_unique<Embedded::EmbeddedRedis>();
    connect(m_embeddedRedis.get(), &Embedded::EmbeddedRedis::ready, this, &RelayService::startWithRedis);
    connect(m_embeddedRedis.get(), &Embedded::EmbeddedRedis::failed, this, &RelayService::fail);
    connect(m_embeddedRedis.get(), &Embedded::EmbeddedRedis::crashed, this, [](const QString &message) {
        Log::logger().error("the embedded redis-server stopped unexpectedly: {}", message);
    });
    Log::logger().info("starting the embedded redis-server in {}", m_settings.dataDir);
    m_embeddedRedis->start(m_settings.dataDir);
}

void RelayService::fail(const QString &message)
{
    m_healthTimer.stop();
    Q_EMIT startFailed(message);
}

void RelayService::startWithRedis(const QString &redisUrl)
{
    QString urlError;
    const auto options = Redis::ConnectionOptions::fromUrl(redisUrl, &urlError);
    if (!options)
        return fail(QStringLiteral("invalid Redis URL %1: %2").arg(Log::redactUrl(redisUrl), urlError));
    m_redisOptions = *options;
    m_redisOptions.commandTimeoutMs = int(m_settings.redisCommandTimeout.count());

    const auto secret = Domain::ServerSecret::load(m_settings.secretFile);
    if (!secret.ok())
        return fail(secret.error.message);
    m_pricing = std::make_unique<Usage::PricingService>();
    if (!m_pricing->lastError().isEmpty())
        return fail(QStringLiteral("cannot load the built-in price table: %1").arg(m_pricing->lastError()));
    connect(m_pricing.get(), &Usage::PricingService::reloadFailed, this, [](const QString &message) {
        Log::logger().error("price table not reloaded (the previous one stays in use): {}", message);
    });

    const Domain::DomainKeys keys{Redis::KeySpace(m_settings.keyPrefix.toUtf8())};
    Proxy::RelayOptions relayOptions;
    relayOptions.keyPrefix = m_settings.apiKeyPrefix.toUtf8();
    relayOptions.timeouts.connectMs = int(m_settings.upstreamConnectTimeout.count());
    relayOptions.timeouts.firstByteMs = int(m_settings.upstreamFirstByteTimeout.count());
    relayOptions.timeouts.idleMs = int(m_settings.upstreamIdleTimeout.count());
    relayOptions.cleartextMode = m_settings.upstreamCleartext == QLatin1String("h2c") ? Upstream::CleartextMode::H2c
                                 : m_settings.upstreamCleartext == QLatin1String("http1")
                                     ? Upstream::CleartextMode::Http1
                                     : Upstream::CleartextMode::Native;
    relayOptions.failoverRetries = m_settings.failoverRetries;
    relayOptions.clampMaxTokens = m_settings.maxTokensPolicy == QLatin1String("clamp");
    relayOptions.timeZone = QTimeZone(m_settings.timeZone.toUtf8());
    relayOptions.usageFlushMs = int(m_settings.usageFlushInterval.count());
    if (!m_settings.pricingFile.isEmpty() && !m_pricing->setOverridePath(m_settings.pricingFile))
        return fail(
            QStringLiteral("cannot use the price table %1: %2").arg(m_settings.pricingFile, m_pricing->lastError()));
    // Declares the data plane's metric families, so it comes before the shards.
    m_relay =
        std::make_unique<Proxy::RelayContext>(relayOptions, keys, secret.value, m_pricing->accessor(), m_registry);

    buildRoutes();
    m_relay->registerRoutes(m_server.router());
    QByteArrayList routeNames = m_server.router().routeNames();
    // The admin API's prefix is installed on this router later (it needs the metrics); its label is declared now,
    // at the index the router will give it, so its requests are counted as "admin", not as "unmatched".
    if (m_settings.adminAccess != QLatin1String("off") && m_settings.adminHost.isEmpty() &&
        !routeNames.contains("admin"))
        routeNames.append("admin");
    m_metrics = std::make_unique<RelayMetrics>(m_registry, routeNames);
    m_controlShard = m_registry.createShard();
    const int workers = std::max(1, m_settings.workers);
    m_workers.assign(size_t(workers), {});
    for (auto &w : m_workers)
        w.shard = m_registry.createShard();
    m_relay->setWorkerCount(workers);
    m_observer = std::make_unique<Observer>(*m_metrics, m_workers);

    m_controlRedis = new Redis::Client(m_redisOptions, this);
    m_controlRedis->setRoundTripObserver(
        [this](qint64 usec) { m_controlShard->observe(m_metrics->redisRoundTrip, 1, quint64(usec)); });
    connect(m_controlRedis, &Redis::Client::connected, this, [this] { checkRedis(); });
    connect(m_controlRedis, &Redis::Client::disconnected, this, [this] { setRedisUp(false, -1); });
    {
        QMutexLocker lock(&m_redisStatsMutex);
        m_redisStats.push_back(m_controlRedis->statistics());
    }
    m_healthTimer.start();

    // Accounts live in memory on every worker; the change feed keeps them (and the key caches) current.
    m_accountSync = new Proxy::AccountSync(
        m_controlRedis, Domain::AccountStore(m_controlRedis, keys, Domain::SecretBox(secret.value.encryptionKey())),
        keys, m_relay->accounts(), this);
    m_accountSync->setTimeZone(relayOptions.timeZone);
    Proxy::OAuthRefreshOptions oauth;
    oauth.tokenUrl = QUrl(m_settings.oauthTokenUrl);
    oauth.clientId = m_settings.oauthClientId.toUtf8();
    oauth.refreshAheadMs = m_settings.oauthRefreshAhead.count();
    m_tokenRefresher = new Proxy::TokenRefresher(
        m_controlRedis, Domain::AccountStore(m_controlRedis, keys, Domain::SecretBox(secret.value.encryptionKey())),
        keys, m_relay->accounts(), oauth, this);
    // Workers ask for a refresh when an OAuth account's token is refused; requestRefresh() is thread-safe.
    m_relay->setTokenRefresh([refresher = QPointer<Proxy::TokenRefresher>(m_tokenRefresher)](const QByteArray &id) {
        if (refresher)
            refresher->requestRefresh(id);
    });
    m_changeFeed = new Domain::ChangeFeed(m_redisOptions, keys, this);
    connect(m_changeFeed, &Domain::ChangeFeed::keyChanged, this,
            [this](const QByteArray &id) { m_relay->keyCache().invalidateKey(id); });
    connect(m_changeFeed, &Domain::ChangeFeed::accountChanged, m_accountSync, &Proxy::AccountSync::reloadOne);
    connect(m_changeFeed, &Domain::ChangeFeed::resyncNeeded, this, [this] {
        m_relay->keyCache().clear();
        m_accountSync->reloadAll();
    });
    setUpAdmin(keys, secret.value);
    // Serve once the accounts are known (or could not be read: the relay then answers what it can and the
    // change feed's resync loads them later).
    auto *once = new QObject(this);
    connect(m_accountSync, &Proxy::AccountSync::loaded, once, [this, once] {
        once->deleteLater();
        m_tokenRefresher->start();
        if (!m_admin)
            return startServing();
        // The first start creates the admin user before serving, so the password file exists once started() fires.
        connect(m_admin, &Admin::AdminApi::ready, this, &RelayService::startServing, Qt::SingleShotConnection);
        m_admin->start();
    });
    // A relay with another secret than the one the keys were made with would find no key and decrypt no account.
    Domain::SecretCheck::verify(m_controlRedis, keys, secret.value, this, [this](const Domain::Error &error) {
        if (error.kind == Domain::Error::Kind::SecretMismatch)
            return fail(error.message);
        if (error)
            Log::logger().warn("server secret not verified against Redis: {}", error.message);
        m_accountSync->reloadAll();
    });
}

void RelayService::startServing()
{
    auto &log = Log::logger();
    const int workers = int(m_workers.size());
    Http::ServerOptions o;
    o.host = m_settings.listenHost;
    o.port = m_settings.listenPort;
    o.workers = workers;
    o.bodyLimit = m_settings.bodyLimit;
    o.headerLimit = m_settings.headerLimit;
    o.headerTimeoutMs = m_settings.headerTimeout.count();
    o.idleTimeoutMs = m_settings.idleTimeout.count();
    m_server.setOptions(o);
    m_server.setObserver(m_observer.get());
    m_server.setWorkerSetup([this](int index, QObject *context) { setUpWorker(index, context); });
    // Usage still being summed or written goes to Redis before the worker's thread (and its Redis client) ends.
    m_server.setWorkerDrain([this](int index, std::function<void()> done) {
        if (Proxy::WorkerRelay *relay = m_relay->worker(index))
            relay->recorder()->drain(std::move(done));
        else
            done();
    });
    const QString error = m_server.start();
    if (!error.isEmpty())
        return fail(error);
    if (m_admin && !m_settings.adminHost.isEmpty()) {
        Http::ServerOptions admin = o;
        admin.host = m_settings.adminHost;
        admin.port = m_settings.adminPort;
        admin.workers = 1;
        m_adminServer.setOptions(admin);
        const QString adminError = m_adminServer.start();
        if (!adminError.isEmpty()) {
            m_server.stopAndWait(0);
            return fail(QStringLiteral("admin listener: %1").arg(adminError));
        }
        log.info("admin API listening on {}:{}", m_settings.adminHost, m_adminServer.port());
    }
    log.info("RelayDeck {} listening on {}:{} with {} worker(s); Redis {}", m_version, m_settings.listenHost,
             m_server.port(), workers, redisDescription());
    Q_EMIT started();
}

void RelayService::setUpWorker(int index, QObject *context)
{
    WorkerState &w = m_workers[size_t(index)];
    w.redis = new Redis::Client(m_redisOptions, context);
    Metrics::Shard *shard = w.shard;
    const Metrics::HistogramHandle roundTrip = m_metrics->redisRoundTrip;
    w.redis->setRoundTripObserver([shard, roundTrip](qint64 usec) { shard->observe(roundTrip, 0, quint64(usec)); });
    auto *usageRedis = new Redis::Client(m_redisOptions, context);
    usageRedis->setRoundTripObserver([shard, roundTrip](qint64 usec) { shard->observe(roundTrip, 0, quint64(usec)); });
    auto *relay = new Proxy::WorkerRelay(*m_relay, index, w.redis, usageRedis, w.shard, context);
    m_relay->setWorker(index, relay);
    QMutexLocker lock(&m_redisStatsMutex);
    m_redisStats.push_back(w.redis->statistics());
    m_redisStats.push_back(usageRedis->statistics());
    m_recorderStats.push_back(relay->recorderStatistics());
}

void RelayService::buildRoutes()
{
    Http::Router &router = m_server.router();
    router.add("GET", "/health", "health", {[this](Http::Exchange &e) {
                   int status = 200;
                   const QByteArray body = healthJson(&status);
                   e.respondJson(status, body, {{"cache-control", "no-store"}});
                   return Http::StageResult::Answered;
               }});
    router.add("GET", "/metrics", "metrics", {[this](Http::Exchange &e) {
                   e.respond(200, "text/plain; version=0.0.4; charset=utf-8", metricsText());
                   return Http::StageResult::Answered;
               }});
    // Claude Code probes its base URL with HEAD / before the first request; answer quickly and quietly.
    const QByteArray identity = R"({"name":"RelayDeck","version":")" + m_version.toUtf8() + R"("})";
    router.add("GET", "/", "root", {[identity](Http::Exchange &e) {
                   e.respondJson(200, identity);
                   return Http::StageResult::Answered;
               }});
}

void RelayService::setUpAdmin(const Domain::DomainKeys &keys, const Domain::ServerSecret &secret)
{
    if (m_settings.adminAccess == QLatin1String("off"))
        return;
    Admin::AdminContext context;
    context.settings = m_settings;
    context.settingOrigins = m_settingOrigins;
    context.version = m_version;
    context.redis = m_controlRedis;
    context.keys = keys;
    context.secret = secret;
    context.apiKeyPrefix = m_settings.apiKeyPrefix.toUtf8();
    context.timeZone = QTimeZone(m_settings.timeZone.toUtf8());
    context.registry = &m_registry;
    context.relayMetrics = m_metrics.get();
    context.relay = m_relay.get();
    context.changeFeed = m_changeFeed;
    context.logs = Log::ringBuffer();
    context.uptime = m_uptime;
    context.usageBacklog = [this] {
        QMutexLocker lock(&m_redisStatsMutex);
        qint64 backlog = 0;
        for (const auto &stats : m_recorderStats)
            backlog += stats->backlog.load(std::memory_order_relaxed);
        return backlog;
    };
    context.relayStatus = [this] { return statusJson(); };

    Admin::AdminApiOptions options;
    options.allowRemote = m_settings.adminAccess == QLatin1String("any");
    options.passwordFile = m_settings.adminPasswordFile.isEmpty()
                               ? QDir(m_settings.dataDir).filePath(QStringLiteral("admin-password"))
                               : m_settings.adminPasswordFile;
    options.auth.sessionIdleMs = m_settings.adminSessionIdle.count();
    options.auth.sessionLifetimeMs = m_settings.adminSessionLifetime.count();
    m_admin = new Admin::AdminApi(std::move(context), options, this);
    Admin::registerAllRoutes(*m_admin);
    m_admin->installOn(m_settings.adminHost.isEmpty() ? m_server.router() : m_adminServer.router());
    connect(m_admin, &Admin::AdminApi::initialPasswordCreated, this, &RelayService::adminPasswordCreated);
}

QJsonObject RelayService::statusJson() const
{
    const qint64 rtt = m_health.redisRoundTripUs.load(std::memory_order_relaxed);
    return QJsonObject{
        {QStringLiteral("listen"), QStringLiteral("%1:%2").arg(m_settings.listenHost).arg(m_server.port())},
        {QStringLiteral("admin_listen"),
         m_settings.adminHost.isEmpty() ? QStringLiteral("%1:%2/admin/").arg(m_settings.listenHost).arg(m_server.port())
                                        : QStringLiteral("%1:%2").arg(m_settings.adminHost).arg(m_adminServer.port())},
        {QStringLiteral("redis"), QJsonObject{{QStringLiteral("up"), m_health.redisUp.load(std::memory_order_relaxed)},
                                              {QStringLiteral("url"), redisDescription()},
                                              {QStringLiteral("embedded"), bool(m_embeddedRedis)},
                                              {QStringLiteral("round_trip_us"), rtt}}},
        {QStringLiteral("workers"), int(m_workers.size())},
    };
}

void RelayService::checkRedis()
{
    if (!m_controlRedis)
        return;
    Redis::CommandOptions o;
    o.whenDown = Redis::WhenDown::FailFast;
    o.timeoutMs = 1000;
    m_controlRedis->ping(
        this, [this](const Redis::Error &error, qint64 roundTripUs) { setRedisUp(!error, error ? -1 : roundTripUs); },
        o);
}

void RelayService::setRedisUp(bool up, qint64 roundTripUs)
{
    const bool was = m_health.redisUp.exchange(up);
    m_health.redisRoundTripUs = roundTripUs;
    m_health.lastCheckMs = m_uptime.elapsed();
    if (m_controlShard) {
        m_controlShard->set(m_metrics->redisUp, 0, up ? 1 : 0);
        m_controlShard->add(m_metrics->healthChecks, up ? 0 : 1);
    }
    if (was != up) {
        if (up)
            Log::logger().info("Redis is reachable at {}", redisDescription());
        else
            Log::logger().warn("Redis at {} is unreachable: {}", redisDescription(),
                               m_controlRedis ? m_controlRedis->lastError() : QString());
        Q_EMIT redisAvailabilityChanged(up);
    }
}

QByteArray RelayService::healthJson(int *status) const
{
    const bool up = m_health.redisUp.load(std::memory_order_relaxed);
    const qint64 rtt = m_health.redisRoundTripUs.load(std::memory_order_relaxed);
    *status = up ? 200 : 503;
    QByteArray out;
    out.reserve(256);
    out += R"({"status":")";
    out += up ? "ok" : "degraded";
    out += R"(","version":")";
    out += m_version.toUtf8();
    out += R"(","uptime_seconds":)";
    out += QByteArray::number(m_uptime.elapsed() / 1000);
    out += R"(,"workers":)";
    out += QByteArray::number(qsizetype(m_workers.size()));
    out += R"(,"redis":{"connected":)";
    out += up ? "true" : "false";
    out += R"(,"embedded":)";
    out += m_embeddedRedis ? "true" : "false";
    out += R"(,"round_trip_ms":)";
    out += rtt >= 0 ? QByteArray::number(double(rtt) / 1000.0, 'f', 3) : QByteArray("null");
    out += R"(,"checked_ms_ago":)";
    out += QByteArray::number(m_uptime.elapsed() - m_health.lastCheckMs.load(std::memory_order_relaxed));
    out += "}}";
    return out;
}

// Everything comes from memory: the registry, the Redis clients' counters and getrusage (a syscall, no file).
QByteArray RelayService::metricsText() const
{
    QByteArray out = Metrics::renderPrometheus(m_registry);
    quint64 sent = 0, errors = 0, timeouts = 0, failures = 0, reconnects = 0, dropped = 0, written = 0, writes = 0;
    qint64 backlog = 0;
    {
        QMutexLocker lock(&m_redisStatsMutex);
        for (const auto &s : m_recorderStats) {
            backlog += s->backlog.load(std::memory_order_relaxed);
            dropped += s->dropped.load(std::memory_order_relaxed);
            written += s->written.load(std::memory_order_relaxed);
            writes += s->entriesWritten.load(std::memory_order_relaxed);
        }
        for (const auto &s : m_redisStats) {
            sent += s->commandsSent.load(std::memory_order_relaxed);
            errors += s->errorReplies.load(std::memory_order_relaxed);
            timeouts += s->timeouts.load(std::memory_order_relaxed);
            failures += s->failures.load(std::memory_order_relaxed);
            reconnects += s->reconnects.load(std::memory_order_relaxed);
        }
    }
    const auto counter = [&out](const char *name, const char *help, quint64 value) {
        out += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + " counter\n" + name + ' ' +
               QByteArray::number(value) + '\n';
    };
    counter("relaydeck_redis_commands_total", "Redis commands sent by all clients of this process.", sent);
    counter("relaydeck_redis_error_replies_total", "Redis error replies.", errors);
    counter("relaydeck_redis_timeouts_total", "Redis commands that timed out.", timeouts);
    counter("relaydeck_redis_failures_total", "Redis commands failed while disconnected or queue full.", failures);
    counter("relaydeck_redis_reconnects_total", "Redis connections re-established after a loss.", reconnects);
    counter("relaydeck_usage_records_written_total", "Usage records Redis confirmed.", written);
    counter("relaydeck_usage_writes_total",
            "Usage script calls that wrote them (one per record, or one per key, account, model and hour summed over "
            "usage.flush-interval).",
            writes);
    counter("relaydeck_usage_records_dropped_total", "Usage records dropped because the backlog was full.", dropped);
    out += "# HELP relaydeck_usage_backlog Usage records waiting for Redis.\n# TYPE relaydeck_usage_backlog gauge\n"
           "relaydeck_usage_backlog " +
           QByteArray::number(backlog) + '\n';

    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    const double cpu = double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                       double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    out += "# HELP process_cpu_seconds_total User and system CPU time.\n# TYPE process_cpu_seconds_total counter\n"
           "process_cpu_seconds_total " +
           QByteArray::number(cpu, 'f', 3) + '\n';
    out += "# HELP process_max_resident_memory_bytes Peak resident set size.\n"
           "# TYPE process_max_resident_memory_bytes gauge\nprocess_max_resident_memory_bytes " +
           QByteArray::number(qint64(usage.ru_maxrss) * 1024) + '\n';
    out += "# HELP relaydeck_uptime_seconds Seconds since the relay started.\n# TYPE relaydeck_uptime_seconds "
           "gauge\nrelaydeck_uptime_seconds " +
           QByteArray::number(m_uptime.elapsed() / 1000) + '\n';
    out += "# HELP relaydeck_build_info RelayDeck version.\n# TYPE relaydeck_build_info gauge\n"
           "relaydeck_build_info{version=\"" +
           m_version.toUtf8() + "\"} 1\n";
    return out;
}

void RelayService::stop()
{
    if (m_admin)
        m_admin->closeStreams();
    if (!m_server.isRunning()) {
        Q_EMIT stopped();
        return;
    }
    Log::logger().info("stopping: finishing in-flight requests (up to {} ms)", m_settings.shutdownGrace.count());
    m_server.stop(m_settings.shutdownGrace.count());
}

void RelayService::stopAndWait()
{
    m_healthTimer.stop();
    if (m_admin)
        m_admin->closeStreams();
    if (m_server.isRunning())
        m_server.stopAndWait(m_settings.shutdownGrace.count());
    if (m_adminServer.isRunning())
        m_adminServer.stopAndWait(1000);
    delete std::exchange(m_admin, nullptr);
    delete std::exchange(m_changeFeed, nullptr);
    delete std::exchange(m_tokenRefresher, nullptr);
    delete std::exchange(m_accountSync, nullptr);
    delete std::exchange(m_controlRedis, nullptr);
    if (m_embeddedRedis)
        m_embeddedRedis->stop();
}

} // namespace Relay::Service
