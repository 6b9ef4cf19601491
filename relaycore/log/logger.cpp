// SPDX-License-Identifier: GPL-3.0-or-later
#include "log/logger.h"

#include <QDir>
#include <QFileInfo>

#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <vector>

namespace Relay::Log {

namespace {

constexpr const char *MainLoggerName = "relay";
constexpr const char *Pattern = "%Y-%m-%d %H:%M:%S.%e %^%-5l%$ [%n] %v";
constexpr quint32 SampleScale = 1'000'000; // sample rate kept in parts per million so counting is exact

struct State
{
    std::mutex mutex;
    std::shared_ptr<spdlog::details::thread_pool> pool;
    std::vector<spdlog::sink_ptr> sinks;
    std::shared_ptr<RingBufferSink> ring;
    std::shared_ptr<spdlog::logger> main;
    std::vector<std::weak_ptr<spdlog::logger>> named;
    spdlog::level::level_enum level = spdlog::level::info;
};

State &state()
{
    static State s;
    return s;
}

std::atomic<quint32> g_samplePpm{SampleScale / 100};

std::shared_ptr<spdlog::logger> makeFallbackLogger()
{
    auto fallback =
        std::make_shared<spdlog::logger>(MainLoggerName, std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
    fallback->set_pattern(Pattern);
    return fallback;
}

std::shared_ptr<spdlog::logger> makeAsyncLogger(State &s, const std::string &name)
{
    auto logger = std::make_shared<spdlog::async_logger>(name, s.sinks.begin(), s.sinks.end(), s.pool,
                                                         spdlog::async_overflow_policy::overrun_oldest);
    logger->set_pattern(Pattern);
    logger->set_level(s.level);
    logger->flush_on(spdlog::level::warn);
    return logger;
}

void shutdownLocked(State &s)
{
    if (!s.main)
        return;
    // Replacing (not dropping) the default logger means a late log call never sees a null default logger.
    spdlog::set_default_logger(makeFallbackLogger());
    s.main.reset();
    s.named.clear();
    // The pool's destructor processes everything already queued, then joins its thread.
    s.pool.reset();
    for (const auto &sink : s.sinks)
        sink->flush();
    s.sinks.clear();
    s.ring.reset();
}

} // namespace

InitResult init(const LogOptions &options)
{
    State &s = state();
    std::lock_guard lock(s.mutex);
    shutdownLocked(s);

    std::vector<spdlog::sink_ptr> sinks;
    if (options.toStderr)
        sinks.push_back(std::make_shared<spdlog::sinks::stderr_color_sink_mt>()); // colours only on a TTY
    if (!options.filePath.isEmpty()) {
        const QFileInfo info(options.filePath);
        if (!QDir().mkpath(info.absolutePath()))
            return {QStringLiteral("cannot create log directory %1").arg(info.absolutePath())};
        try {
            sinks.push_back(std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
                info.absoluteFilePath().toStdString(), size_t(std::max<qint64>(options.maxFileSize, 1)),
                size_t(std::max(options.maxFiles, 0))));
        } catch (const spdlog::spdlog_ex &e) {
            return {QStringLiteral("cannot open log file %1: %2")
                        .arg(info.absoluteFilePath(), QString::fromLocal8Bit(e.what()))};
        }
    }
    auto ring = std::make_shared<RingBufferSink>(options.ringCapacity);
    sinks.push_back(ring);

    s.sinks = std::move(sinks);
    s.ring = std::move(ring);
    s.level = options.level;
    s.pool = std::make_shared<spdlog::details::thread_pool>(size_t(std::max(options.queueSize, 16)), 1);
    s.main = makeAsyncLogger(s, MainLoggerName);
    spdlog::set_default_logger(s.main);
    setSampleRate(options.sampleRate);
    return {};
}

void shutdown()
{
    State &s = state();
    std::lock_guard lock(s.mutex);
    shutdownLocked(s);
}

spdlog::logger &logger()
{
    return *spdlog::default_logger_raw();
}

std::shared_ptr<spdlog::logger> makeLogger(const std::string &name)
{
    State &s = state();
    std::lock_guard lock(s.mutex);
    if (!s.main) {
        auto fallback = makeFallbackLogger()->clone(name);
        return fallback;
    }
    auto logger = makeAsyncLogger(s, name);
    s.named.push_back(logger);
    return logger;
}

std::shared_ptr<RingBufferSink> ringBuffer()
{
    State &s = state();
    std::lock_guard lock(s.mutex);
    return s.ring;
}

void setLevel(spdlog::level::level_enum level)
{
    State &s = state();
    std::lock_guard lock(s.mutex);
    s.level = level;
    spdlog::default_logger_raw()->set_level(level);
    for (const auto &weak : s.named) {
        if (auto logger = weak.lock())
            logger->set_level(level);
    }
}

std::optional<spdlog::level::level_enum> levelFromName(QStringView name)
{
    const QString n = name.trimmed().toString().toLower();
    if (n == u"trace")
        return spdlog::level::trace;
    if (n == u"debug")
        return spdlog::level::debug;
    if (n == u"info")
        return spdlog::level::info;
    if (n == u"warn" || n == u"warning")
        return spdlog::level::warn;
    if (n == u"error")
        return spdlog::level::err;
    if (n == u"critical")
        return spdlog::level::critical;
    if (n == u"off")
        return spdlog::level::off;
    return std::nullopt;
}

QString levelName(spdlog::level::level_enum level)
{
    switch (level) {
    case spdlog::level::trace:
        return QStringLiteral("trace");
    case spdlog::level::debug:
        return QStringLiteral("debug");
    case spdlog::level::info:
        return QStringLiteral("info");
    case spdlog::level::warn:
        return QStringLiteral("warn");
    case spdlog::level::err:
        return QStringLiteral("error");
    case spdlog::level::critical:
        return QStringLiteral("critical");
    case spdlog::level::off:
    case spdlog::level::n_levels:
        break;
    }
    return QStringLiteral("off");
}

void setSampleRate(double rate)
{
    const double clamped = std::clamp(rate, 0.0, 1.0);
    g_samplePpm.store(quint32(clamped * SampleScale + 0.5), std::memory_order_relaxed);
}

double sampleRate()
{
    return double(g_samplePpm.load(std::memory_order_relaxed)) / SampleScale;
}

bool sampleRequest()
{
    const quint32 ppm = g_samplePpm.load(std::memory_order_relaxed);
    if (ppm == 0)
        return false;
    if (ppm >= SampleScale)
        return true;
    // A per-thread accumulator: every call adds the rate, a line is logged each time it crosses one whole.
    thread_local quint32 accumulated = 0;
    accumulated += ppm;
    if (accumulated < SampleScale)
        return false;
    accumulated -= SampleScale;
    return true;
}

} // namespace Relay::Log
