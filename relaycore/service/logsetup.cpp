// SPDX-License-Identifier: GPL-3.0-or-later
#include "service/logsetup.h"

namespace Relay::Service {

Log::LogOptions logOptionsFor(const Config::Settings &settings)
{
    Log::LogOptions options;
    options.level = Log::levelFromName(settings.logLevel).value_or(spdlog::level::info);
    options.filePath = settings.logFile;
    options.maxFileSize = settings.logMaxSize;
    options.maxFiles = settings.logMaxFiles;
    options.sampleRate = settings.logSampleRate;
    return options;
}

} // namespace Relay::Service
