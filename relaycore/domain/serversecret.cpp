// SPDX-License-Identifier: GPL-3.0-or-later
#include "domain/serversecret.h"

#include "domain/crypto.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <openssl/crypto.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Relay::Domain {

namespace {

constexpr QByteArrayView Salt = "relaydeck server secret";

bool isHex(QByteArrayView text)
{
    for (char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    }
    return true;
}

QString systemError()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

// Writes a new secret to a private temporary file and links it into place: link() fails if another process created
// the file meanwhile, so two processes starting together end up with the same secret, never a half-written one.
Result<ServerSecret> createFile(const QString &path)
{
    const QFileInfo info(path);
    const QString dir = info.absolutePath();
    if (!QFileInfo::exists(dir)) {
        if (!QDir().mkpath(dir))
            return Result<ServerSecret>::failure(Error::Kind::Crypto, u"cannot create directory %1"_s.arg(dir));
        QFile::setPermissions(dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }
    const std::optional<QByteArray> random = Crypto::randomBytes(ServerSecret::Size);
    if (!random)
        return Result<ServerSecret>::failure(Error::Kind::Crypto, u"the random number generator failed"_s);
    const QByteArray text = random->toHex() + '\n';

    QByteArray temp = QFile::encodeName(dir + u"/.secret.key.XXXXXX"_s);
    const int fd = ::mkstemp(temp.data()); // mkstemp creates with mode 0600
    if (fd < 0)
        return Result<ServerSecret>::failure(Error::Kind::Crypto,
                                             u"cannot create a file in %1: %2"_s.arg(dir, systemError()));
    const bool written = ::write(fd, text.constData(), size_t(text.size())) == text.size() && ::fsync(fd) == 0;
    ::close(fd);
    const QByteArray target = QFile::encodeName(path);
    const bool linked = written && ::link(temp.constData(), target.constData()) == 0;
    const int linkErrno = errno;
    ::unlink(temp.constData());
    if (!written)
        return Result<ServerSecret>::failure(Error::Kind::Crypto, u"cannot write the secret file %1"_s.arg(path));
    if (!linked && linkErrno != EEXIST)
        return Result<ServerSecret>::failure(
            Error::Kind::Crypto,
            u"cannot create the secret file %1: %2"_s.arg(path, QString::fromLocal8Bit(std::strerror(linkErrno))));
    return ServerSecret::loadFile(path, false); // ours, or the one another process linked first
}

} // namespace

ServerSecret ServerSecret::fromBytes(QByteArrayView bytes, QString origin)
{
    ServerSecret secret;
    if (bytes.size() != Size)
        return secret;
    secret.m_hashKey = Crypto::hkdfSha256(bytes, Salt, "api-key hmac v1", 32);
    secret.m_encryptionKey = Crypto::hkdfSha256(bytes, Salt, "upstream secret aes-256-gcm v1", 32);
    secret.m_fingerprint = Crypto::hkdfSha256(bytes, Salt, "fingerprint v1", 16).toHex();
    secret.m_origin = std::move(origin);
    if (secret.m_hashKey.isEmpty() || secret.m_encryptionKey.isEmpty() || secret.m_fingerprint.isEmpty())
        return ServerSecret();
    return secret;
}

Result<ServerSecret> ServerSecret::fromHex(QByteArrayView hex, QString origin)
{
    const QByteArrayView trimmed = hex.trimmed();
    if (trimmed.size() != Size * 2 || !isHex(trimmed))
        return Result<ServerSecret>::failure(
            Error::Kind::InvalidArgument,
            u"the server secret%1 must be %2 hex characters"_s.arg(origin.isEmpty() ? QString() : u" in "_s + origin)
                .arg(Size * 2));
    QByteArray raw = QByteArray::fromHex(trimmed.toByteArray());
    ServerSecret secret = fromBytes(raw, std::move(origin));
    OPENSSL_cleanse(raw.data(), size_t(raw.size()));
    if (secret.isNull())
        return Result<ServerSecret>::failure(Error::Kind::Crypto, u"cannot derive keys from the server secret"_s);
    return Result<ServerSecret>::success(std::move(secret));
}

Result<ServerSecret> ServerSecret::load(const QString &secretFile, const QProcessEnvironment &env)
{
    const QString variable = EnvironmentVariable.toString();
    if (env.contains(variable))
        return fromHex(env.value(variable).toLatin1(), variable);
    if (secretFile.isEmpty())
        return Result<ServerSecret>::failure(Error::Kind::InvalidArgument,
                                             u"no server secret: set secret-file or RELAYDECK_SECRET"_s);
    return loadFile(secretFile, true);
}

Result<ServerSecret> ServerSecret::loadFile(const QString &path, bool create)
{
    const QByteArray native = QFile::encodeName(path);
    struct stat st = {};
    if (::stat(native.constData(), &st) != 0) {
        if (errno == ENOENT && create)
            return createFile(path);
        return Result<ServerSecret>::failure(Error::Kind::Crypto,
                                             u"cannot read the secret file %1: %2"_s.arg(path, systemError()));
    }
    if (!S_ISREG(st.st_mode))
        return Result<ServerSecret>::failure(Error::Kind::Crypto, u"the secret file %1 is not a file"_s.arg(path));
    if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
        return Result<ServerSecret>::failure(
            Error::Kind::Crypto, u"the secret file %1 is accessible by other users (mode %2); run chmod 600 %1"_s.arg(
                                     path, QString::number(st.st_mode & 0777, 8).rightJustified(4, u'0')));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Result<ServerSecret>::failure(Error::Kind::Crypto,
                                             u"cannot read the secret file %1: %2"_s.arg(path, file.errorString()));
    QByteArray content = file.read(256);
    Result<ServerSecret> result =
        content.size() == Size ? Result<ServerSecret>::success(fromBytes(content, path)) : fromHex(content, path);
    OPENSSL_cleanse(content.data(), size_t(content.size()));
    if (result.ok() && result.value.isNull())
        return Result<ServerSecret>::failure(Error::Kind::Crypto, u"cannot derive keys from %1"_s.arg(path));
    return result;
}

QByteArray ServerSecret::hashApiKey(QByteArrayView clearKey) const
{
    if (isNull())
        return {};
    return Crypto::hmacSha256(m_hashKey, clearKey).toHex();
}

} // namespace Relay::Domain
