// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "domain/keystore.h"
#include "relayharness.h"

#include <QTest>

#include <optional>

// Creates a key with every setting of `request` through the harness's store (as the CLI would); the clear key, or
// empty on failure. Spins the test's event loop while it waits.
inline QByteArray createKeyWith(RelayHarness &h, const Relay::Domain::NewApiKey &request, QByteArray *id = nullptr)
{
    std::optional<Relay::Domain::Result<Relay::Domain::CreatedApiKey>> created;
    h.keys().create(request, nullptr,
                    [&](const Relay::Domain::Result<Relay::Domain::CreatedApiKey> &r) { created = r; });
    for (int i = 0; i < 500 && !created; ++i)
        QTest::qWait(10);
    if (!created || !created->ok())
        return {};
    if (id)
        *id = created->value.key.id;
    return created->value.clearKey;
}
