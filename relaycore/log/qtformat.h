// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

#include <fmt/format.h>

#include <string_view>

// Lets spdlog/fmt format Qt strings directly: logger().info("key {}", name) with a QString or QByteArray.

template <>
struct fmt::formatter<QString> : fmt::formatter<std::string_view>
{
    template <typename FormatContext>
    auto format(const QString &value, FormatContext &ctx) const
    {
        const QByteArray utf8 = value.toUtf8();
        return fmt::formatter<std::string_view>::format(std::string_view(utf8.constData(), size_t(utf8.size())), ctx);
    }
};

template <>
struct fmt::formatter<QByteArray> : fmt::formatter<std::string_view>
{
    template <typename FormatContext>
    auto format(const QByteArray &value, FormatContext &ctx) const
    {
        return fmt::formatter<std::string_view>::format(std::string_view(value.constData(), size_t(value.size())), ctx);
    }
};
