// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QString>

#include <utility>

namespace Relay::Domain {

// Why a domain operation failed. Messages are for operators: they never contain a secret.
struct Error
{
    enum class Kind {
        None,
        NotFound,        // no record with that id (or key)
        InvalidArgument, // the request itself is wrong (empty name, bad URL, ...)
        Redis,           // Redis did not answer or answered with an error
        Crypto,          // a secret could not be decrypted (wrong server secret or tampered data) or generated
        Corrupt,         // a record in Redis is not in the expected shape
        SecretMismatch,  // Redis was set up with another server secret
    };

    Kind kind = Kind::None;
    QString message;

    bool isError() const { return kind != Kind::None; }
    explicit operator bool() const { return isError(); }
};

// A value or the reason there is none.
template <typename T>
struct Result
{
    Error error;
    T value{};

    bool ok() const { return !error; }

    static Result success(T value) { return Result{Error{}, std::move(value)}; }
    static Result failure(Error::Kind kind, QString message) { return Result{Error{kind, std::move(message)}, T{}}; }
    static Result failure(Error error) { return Result{std::move(error), T{}}; }
};

} // namespace Relay::Domain
