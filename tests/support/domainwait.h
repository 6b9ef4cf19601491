// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "domain/domainerror.h"
#include "waitforcallback.h"

#include <functional>

// Blocking helpers for the domain stores' callback APIs (tests only): run the call and spin the event loop until
// its callback has answered, or give up with a Redis error after timeoutMs.
namespace DomainWait {

constexpr int DefaultTimeoutMs = 15000;

template <typename T>
Relay::Domain::Result<T>
wait(const std::function<void(QObject *, std::function<void(const Relay::Domain::Result<T> &)>)> &call,
     int timeoutMs = DefaultTimeoutMs)
{
    return waitForCallback<Relay::Domain::Result<T>>(call, timeoutMs)
        .value_or(Relay::Domain::Result<T>::failure(Relay::Domain::Error::Kind::Redis,
                                                    QStringLiteral("test gave up waiting")));
}

inline Relay::Domain::Error
waitDone(const std::function<void(QObject *, std::function<void(const Relay::Domain::Error &)>)> &call,
         int timeoutMs = DefaultTimeoutMs)
{
    return waitForCallback<Relay::Domain::Error>(call, timeoutMs)
        .value_or(Relay::Domain::Error{Relay::Domain::Error::Kind::Redis, QStringLiteral("test gave up waiting")});
}

} // namespace DomainWait
