// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "usage/usage.h"

#include <QByteArray>

namespace Relay::Proxy {

// The usage of a complete (non-stream) /v1/messages answer, read with the JSON peeker instead of a full document:
// the same result as Upstream::usageFromJson, at a fraction of the cost. Empty usage if the answer has none.
Usage::TokenUsage usageOfAnswer(const QByteArray &body);

} // namespace Relay::Proxy
