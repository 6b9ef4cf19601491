// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "domain/domainerror.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QProcessEnvironment>
#include <QString>

namespace Relay::Domain {

// The server secret: 32 random bytes from which the keys for API-key hashing and for encrypting upstream secrets
// are derived (HKDF-SHA256, one label each, so neither key reveals the other).
//
// It comes from RELAYDECK_SECRET (64 hex characters) when that is set, otherwise from the secret file (setting
// secret-file), which is created with mode 0600 on first use. Every relay and CLI sharing one Redis must use the
// same secret: with another one, API keys do not match and account secrets cannot be decrypted (fingerprint()
// lets them check, see SecretCheck). A plain value, safe to copy to other threads.
class ServerSecret
{
public:
    static constexpr qsizetype Size = 32;
    static constexpr QStringView EnvironmentVariable = u"RELAYDECK_SECRET";

    ServerSecret() = default; // null

    // 32 raw bytes; a null secret for any other size.
    static ServerSecret fromBytes(QByteArrayView bytes, QString origin = {});
    // 64 hex characters (surrounding white space allowed).
    static Result<ServerSecret> fromHex(QByteArrayView hex, QString origin = {});
    // RELAYDECK_SECRET if set in env, otherwise loadFile(secretFile, true).
    static Result<ServerSecret> load(const QString &secretFile,
                                     const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment());
    // Reads the file (64 hex characters, or 32 raw bytes). A missing file is created when `create` is set
    // (mode 0600; missing parent directories 0700). A file readable by group or others is refused.
    static Result<ServerSecret> loadFile(const QString &path, bool create = true);

    bool isNull() const { return m_hashKey.isEmpty(); }
    // Where the secret came from ("RELAYDECK_SECRET" or the file path), for messages.
    const QString &origin() const { return m_origin; }

    // HMAC-SHA256 of a client API key, lower-case hex: what Redis stores instead of the key.
    QByteArray hashApiKey(QByteArrayView clearKey) const;
    // The AES-256-GCM key for upstream secrets.
    const QByteArray &encryptionKey() const { return m_encryptionKey; }
    // 32 hex characters that identify the secret without revealing anything about the derived keys.
    const QByteArray &fingerprint() const { return m_fingerprint; }

private:
    QByteArray m_hashKey;
    QByteArray m_encryptionKey;
    QByteArray m_fingerprint;
    QString m_origin;
};

} // namespace Relay::Domain
