// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "domain/domainerror.h"

#include <QByteArray>
#include <QByteArrayView>

namespace Relay::Domain {

// Encrypts upstream secrets for storage: AES-256-GCM with a random 12-byte nonce, stored as
// "v1:" + base64(nonce | ciphertext | tag). The associated data (the account id) binds a ciphertext to its record,
// so a secret copied into another account's record does not decrypt.
class SecretBox
{
public:
    static constexpr QByteArrayView VersionPrefix = "v1:";

    SecretBox() = default;
    explicit SecretBox(QByteArray key); // 32 bytes, e.g. ServerSecret::encryptionKey()

    bool isNull() const { return m_key.size() != 32; }

    Result<QByteArray> encrypt(QByteArrayView plaintext, QByteArrayView associatedData) const;
    // Fails with Error::Kind::Crypto on an unknown version, bad encoding, a wrong key or tampered data.
    Result<QByteArray> decrypt(QByteArrayView stored, QByteArrayView associatedData) const;

private:
    QByteArray m_key;
};

} // namespace Relay::Domain
