// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "log/qtformat.h"
#include "log/ringbuffersink.h"

#include <QString>
#include <QStringView>
#include <QtGlobal>

#include <spdlog/logger.h>

#include <memory>
#include <optional>
#include <string>

// The relay's logging: one async spdlog logger (bounded queue, overrun_oldest, so the request path never blocks on
// a slow terminal or disk) writing to stderr, an optional rotating file and an in-memory ring for the console.
//
// Use: Relay::Log::logger().info("listening on {}:{}", host, port);   (QString/QByteArray format directly)
// Per-request lines at info go through sampleRequest(); bodies and secrets are never logged (see redaction.h).
namespace Relay::Log {

struct LogOptions
{
    spdlog::level::level_enum level = spdlog::level::info;
    bool toStderr = true;
    QString filePath;                      // empty = no file
    qint64 maxFileSize = 10 * 1024 * 1024; // rotate when a file reaches this size
    int maxFiles = 5;                      // rotated files kept besides the current one
    int ringCapacity = RingBufferSink::DefaultCapacity;
    int queueSize = 8192;     // async queue slots; when full the oldest queued line is dropped
    double sampleRate = 0.01; // fraction of per-request lines logged, see sampleRequest()
};

struct InitResult
{
    QString error; // empty on success
    bool ok() const { return error.isEmpty(); }
};

// Call once at start-up, before worker threads exist; calling again replaces the previous set-up.
[[nodiscard]] InitResult init(const LogOptions &options);
// Drains the queue, flushes every sink and falls back to a synchronous stderr logger. Call at exit, after worker
// threads have stopped; loggers from makeLogger() must not be used afterwards.
void shutdown();

// The relay's main logger (a plain stderr logger before init()). Thread-safe to log through.
spdlog::logger &logger();
// A logger with its own name (shown in the line and in the ring buffer) sharing the sinks and queue of the main one.
std::shared_ptr<spdlog::logger> makeLogger(const std::string &name);
// The in-memory sink, or nullptr before init().
std::shared_ptr<RingBufferSink> ringBuffer();

void setLevel(spdlog::level::level_enum level);
// trace, debug, info, warn (or warning), error, critical, off; case-insensitive.
std::optional<spdlog::level::level_enum> levelFromName(QStringView name);
QString levelName(spdlog::level::level_enum level);

// Per-request sampling: true for the configured fraction of calls, counted per thread (exactly 1 in 4 for 0.25),
// so the decision costs one thread-local addition. 0 = never, 1 = always.
void setSampleRate(double rate);
double sampleRate();
bool sampleRequest();

} // namespace Relay::Log
