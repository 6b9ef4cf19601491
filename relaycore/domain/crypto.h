// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <optional>

// The few cryptographic primitives the domain needs, on OpenSSL's EVP interfaces (the only file that knows OpenSSL).
namespace Relay::Domain::Crypto {

// Cryptographically secure random bytes (RAND_bytes); nullopt if the generator fails.
std::optional<QByteArray> randomBytes(qsizetype count);
// SHA-256 (32 bytes); empty on failure.
QByteArray sha256(QByteArrayView message);
// HMAC-SHA256 (32 bytes).
QByteArray hmacSha256(QByteArrayView key, QByteArrayView message);
// HKDF-SHA256 (RFC 5869) output of `length` bytes; empty on failure.
QByteArray hkdfSha256(QByteArrayView inputKey, QByteArrayView salt, QByteArrayView info, qsizetype length);
// Compares in time independent of where the inputs differ.
bool constantTimeEquals(QByteArrayView a, QByteArrayView b);

// AES-256-GCM with a random 12-byte nonce: returns nonce | ciphertext | 16-byte tag, or nullopt on failure.
std::optional<QByteArray> aesGcmSeal(QByteArrayView key, QByteArrayView plaintext, QByteArrayView associatedData);
// Opens what aesGcmSeal produced; nullopt if the key is wrong or the data or associated data were changed.
std::optional<QByteArray> aesGcmOpen(QByteArrayView key, QByteArrayView sealed, QByteArrayView associatedData);

} // namespace Relay::Domain::Crypto
