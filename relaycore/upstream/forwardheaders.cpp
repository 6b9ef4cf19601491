// SPDX-License-Identifier: GPL-3.0-or-later
#include "upstream/forwardheaders.h"

#include <array>

namespace Relay::Upstream {

namespace {

constexpr std::array<QByteArrayView, 9> AllowedNames = {
    "anthropic-version",        "anthropic-beta", "content-type", "accept",
    "accept-language",          "user-agent",     "x-app",        "anthropic-dangerous-direct-browser-access",
    "x-claude-code-session-id",
};

bool hasBetaToken(QByteArrayView list, QByteArrayView token)
{
    for (const QByteArrayView part : QByteArray::fromRawData(list.data(), list.size()).split(',')) {
        if (part.trimmed() == token) {
            return true;
        }
    }
    return false;
}

} // namespace

bool isForwardedHeader(QByteArrayView name)
{
    const QByteArray lower = name.toByteArray().toLower();
    if (lower.startsWith("x-stainless-")) {
        return true;
    }
    for (const QByteArrayView allowed : AllowedNames) {
        if (lower == allowed) {
            return true;
        }
    }
    return false;
}

HeaderList forwardHeaders(const HeaderList &clientHeaders, const AccountCredential &credential)
{
    HeaderList out;
    out.reserve(clientHeaders.size() + 3);
    for (const auto &[rawName, value] : clientHeaders) {
        if (!isForwardedHeader(rawName)) {
            continue;
        }
        const QByteArray name = rawName.toLower();
        auto existing = std::find_if(out.begin(), out.end(), [&](const auto &h) { return h.first == name; });
        if (existing != out.end()) {
            existing->second += ", " + value;
        } else {
            out.append({name, value});
        }
    }
    const auto find = [&out](QByteArrayView name) {
        return std::find_if(out.begin(), out.end(), [&](const auto &h) { return h.first == name; });
    };

    if (credential.kind == AccountCredential::Kind::OAuth) {
        out.append({QByteArrayLiteral("authorization"), "Bearer " + credential.secret});
        const auto beta = find("anthropic-beta");
        if (beta == out.end()) {
            out.append({QByteArrayLiteral("anthropic-beta"), QByteArray(OAuthBeta)});
        } else if (!hasBetaToken(beta->second, OAuthBeta)) {
            beta->second += beta->second.trimmed().isEmpty() ? QByteArray(OAuthBeta) : "," + QByteArray(OAuthBeta);
        }
    } else {
        out.append({QByteArrayLiteral("x-api-key"), credential.secret});
    }
    if (find("anthropic-version") == out.end()) {
        out.append({QByteArrayLiteral("anthropic-version"), QByteArray(DefaultAnthropicVersion)});
    }
    if (find("content-type") == out.end()) {
        out.append({QByteArrayLiteral("content-type"), QByteArrayLiteral("application/json")});
    }
    return out;
}

} // namespace Relay::Upstream
