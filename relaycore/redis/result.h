// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "redis/reply.h"

#include <QString>

namespace Relay::Redis {

// A transport-level failure: the command got no reply from the server. A reply carrying a server error
// (-ERR, -NOSCRIPT, ...) is not an Error; it is a Reply of type Error.
struct Error
{
    enum class Kind {
        None,
        Timeout,         // no reply within the command's timeout; the connection is reset
        Disconnected,    // not connected (fail-fast), or the connection dropped before the reply came
        QueueFull,       // disconnected and the bounded wait queue is full
        Protocol,        // the server sent something hiredis could not parse
        ReplyError,      // scan()/ping() got an error reply where they needed a value (message has the reply text)
        InvalidArgument, // the command could not be issued (e.g. empty argument list)
    };

    Kind kind = Kind::None;
    QString message;

    bool isError() const { return kind != Kind::None; }
    explicit operator bool() const { return isError(); }
};

// What a command callback receives.
struct Result
{
    Error error;
    Reply reply;
    // Time from writing the command to reading its reply, in microseconds; -1 without a reply.
    qint64 roundTripUsec = -1;

    // True when the server answered and the answer is not an error reply.
    bool isSuccess() const { return !error && !reply.isError(); }
    // The transport error message, or the server's error reply text; empty on success.
    QString errorMessage() const;
};

// What a pipeline() callback receives: one reply per command, in order, or the first transport error.
struct BatchResult
{
    Error error;
    QList<Reply> replies;

    // True when every command got a reply and none is an error reply.
    bool isSuccess() const;
    // The transport error message, or the first error reply's text; empty on success.
    QString errorMessage() const;
};

inline QString Result::errorMessage() const
{
    if (error)
        return error.message;
    if (reply.isError())
        return QString::fromUtf8(reply.bytes());
    return {};
}

inline QString BatchResult::errorMessage() const
{
    if (error)
        return error.message;
    for (const Reply &r : replies) {
        if (r.isError())
            return QString::fromUtf8(r.bytes());
    }
    return {};
}

inline bool BatchResult::isSuccess() const
{
    if (error)
        return false;
    for (const Reply &r : replies) {
        if (r.isError())
            return false;
    }
    return true;
}

} // namespace Relay::Redis
