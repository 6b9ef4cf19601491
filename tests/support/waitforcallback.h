// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QObject>
#include <QTest>

#include <optional>

// Calls call(context, callback) and spins the event loop (tests only) until the callback has run; returns the value
// it was given, or nullopt after timeoutMs. The context object dies on return, so a late callback is dropped.
template <typename Value, typename Call>
std::optional<Value> waitForCallback(const Call &call, int timeoutMs)
{
    std::optional<Value> result;
    QObject context;
    call(&context, [&](const Value &value) { result = value; });
    if (!QTest::qWaitFor([&] { return result.has_value(); }, timeoutMs))
        return std::nullopt;
    return result;
}
