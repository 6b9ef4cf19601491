// SPDX-License-Identifier: GPL-3.0-or-later
#include "domain/secretbox.h"

#include "domain/crypto.h"

using namespace Qt::StringLiterals;

namespace Relay::Domain {

SecretBox::SecretBox(QByteArray key)
    : m_key(std::move(key))
{}

Result<QByteArray> SecretBox::encrypt(QByteArrayView plaintext, QByteArrayView associatedData) const
{
    if (isNull())
        return Result<QByteArray>::failure(Error::Kind::Crypto, u"no encryption key"_s);
    const std::optional<QByteArray> sealed = Crypto::aesGcmSeal(m_key, plaintext, associatedData);
    if (!sealed)
        return Result<QByteArray>::failure(Error::Kind::Crypto, u"encryption failed"_s);
    return Result<QByteArray>::success(VersionPrefix.toByteArray() + sealed->toBase64());
}

Result<QByteArray> SecretBox::decrypt(QByteArrayView stored, QByteArrayView associatedData) const
{
    if (isNull())
        return Result<QByteArray>::failure(Error::Kind::Crypto, u"no encryption key"_s);
    if (!stored.startsWith(VersionPrefix))
        return Result<QByteArray>::failure(Error::Kind::Crypto,
                                           u"the stored secret has an unknown format (expected v1:)"_s);
    const auto decoded = QByteArray::fromBase64Encoding(stored.sliced(VersionPrefix.size()).toByteArray(),
                                                        QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return Result<QByteArray>::failure(Error::Kind::Crypto, u"the stored secret is not valid base64"_s);
    std::optional<QByteArray> plain = Crypto::aesGcmOpen(m_key, *decoded, associatedData);
    if (!plain)
        return Result<QByteArray>::failure(
            Error::Kind::Crypto,
            u"the stored secret cannot be decrypted: the server secret differs from the one it was stored with, or "
            "the record was changed"_s);
    return Result<QByteArray>::success(std::move(*plain));
}

} // namespace Relay::Domain
