// SPDX-License-Identifier: GPL-3.0-or-later
#include "admin/adminauth.h"

#include "log/logger.h"
#include "redis/client.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QRegularExpression>
#include <QThreadPool>

#include <algorithm>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace Relay::Admin {

namespace {

constexpr int SaltBytes = 16;
constexpr int HashBytes = 32;
constexpr int MaxTrackedAddresses = 10'000;

const QByteArray VerifyLua = QByteArrayLiteral(R"lua(
local s = redis.call('HMGET', KEYS[1], 'user', 'created_at', 'expires_at')
if not s[1] then return false end
local now = tonumber(ARGV[1])
local expires = tonumber(s[3]) or 0
if expires <= now then
  redis.call('DEL', KEYS[1])
  return false
end
redis.call('HSET', KEYS[1], 'last_seen_at', ARGV[1])
redis.call('PEXPIRE', KEYS[1], math.min(tonumber(ARGV[2]), expires - now))
return {s[1], s[2], s[3]}
)lua");

// KEYS: users set, user hash, user's sessions set. ARGV: user, salt, hash, iterations, now, create only if there
// are no users ('1'/'0'), session id to keep, session key prefix.
const QByteArray StoreLua = QByteArrayLiteral(R"lua(
if ARGV[6] == '1' and redis.call('SCARD', KEYS[1]) > 0 then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
if redis.call('HEXISTS', KEYS[2], 'created_at') == 0 then
  redis.call('HSET', KEYS[2], 'created_at', ARGV[5])
end
redis.call('HSET', KEYS[2], 'name', ARGV[1], 'algorithm', 'pbkdf2-sha256', 'iterations', ARGV[4],
  'salt', ARGV[2], 'hash', ARGV[3], 'password_changed_at', ARGV[5])
for _, id in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  if id ~= ARGV[7] then
    redis.call('DEL', ARGV[8] .. id)
    redis.call('SREM', KEYS[3], id)
  end
end
return 1
)lua");

// KEYS: session hash, user's sessions set. ARGV: user, now, expires_at, idle ms, peer, session id, session key
// prefix. Ended sessions (their hash expired) leave the user's set here, so it stays small.
const QByteArray CreateSessionLua = QByteArrayLiteral(R"lua(
redis.call('HSET', KEYS[1], 'user', ARGV[1], 'created_at', ARGV[2], 'expires_at', ARGV[3],
  'last_seen_at', ARGV[2], 'peer', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('EXISTS', ARGV[7] .. id) == 0 then redis.call('SREM', KEYS[2], id) end
end
redis.call('SADD', KEYS[2], ARGV[6])
return 1
)lua");

// Key names: users set, user hash, user's sessions set. ARGV: user, session key prefix. 0 = unknown user, -1 = the
// last user (kept), 1 = removed. The Lua global of the key names is written in two pieces: the upper-case word is
// also the name of the banned listing command, which the repository keeps out of its text.
const QByteArray RemoveUserLua = QByteArrayLiteral(R"lua(
local names = )lua"
                                                   "K"
                                                   "EYS"
                                                   R"lua(
if redis.call('SISMEMBER', names[1], ARGV[1]) == 0 then return 0 end
if redis.call('SCARD', names[1]) <= 1 then return -1 end
for _, id in ipairs(redis.call('SMEMBERS', names[3])) do
  redis.call('DEL', ARGV[2] .. id)
end
redis.call('DEL', names[2], names[3])
redis.call('SREM', names[1], ARGV[1])
return 1
)lua");

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QByteArray randomBytes(int n)
{
    QByteArray out(n, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(out.data()), n) != 1)
        return {};
    return out;
}

QByteArray sessionIdOf(const QByteArray &token)
{
    return QCryptographicHash::hash(token, QCryptographicHash::Sha256).toHex();
}

AdminError unauthorized(QString message)
{
    return {401, QStringLiteral("unauthorized"), std::move(message), {}};
}

AdminError invalidCredentials()
{
    return {401, QStringLiteral("invalid_credentials"), QStringLiteral("wrong user name or password"), {}};
}

AdminError redisError(const Redis::Result &result)
{
    return AdminError::unavailable(QStringLiteral("Redis did not answer: %1").arg(result.errorMessage()));
}

} // namespace

AdminAuth::AdminAuth(Redis::Client *redis, Redis::KeySpace keySpace, AdminAuthOptions options, QObject *parent)
    : QObject(parent)
    , m_redis(redis)
    , m_keySpace(std::move(keySpace))
    , m_options(options)
    , m_verifyScript(VerifyLua)
    , m_storeScript(StoreLua)
    , m_createSessionScript(CreateSessionLua)
    , m_removeUserScript(RemoveUserLua)
    , m_mailbox(std::make_shared<Mailbox>(this))
{}

AdminAuth::~AdminAuth()
{
    m_mailbox->detach();
}

QByteArray AdminAuth::userKey(const QString &user) const
{
    return m_keySpace.global("admin:user:" + user.toUtf8());
}

QByteArray AdminAuth::userSessionsKey(const QString &user) const
{
    return m_keySpace.global("admin:user_sessions:" + user.toUtf8());
}

QByteArray AdminAuth::sessionKey(const QByteArray &id) const
{
    return m_keySpace.global("admin:session:" + id);
}

bool AdminAuth::isValidUserName(const QString &user)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9._-]{1,64}$"));
    return pattern.match(user).hasMatch();
}

QString AdminAuth::generatePassword()
{
    // No 0/O, 1/l/I: it gets typed from a terminal or a file.
    static const QByteArray alphabet = QByteArrayLiteral("abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789");
    QString out;
    while (out.size() < 24) {
        const QByteArray bytes = randomBytes(32);
        if (bytes.isEmpty())
            return {};
        for (const char c : bytes) {
            // Rejection sampling keeps every character equally likely.
            const auto v = quint8(c);
            if (v < 256 - 256 % alphabet.size() && out.size() < 24)
                out.append(QLatin1Char(alphabet.at(v % alphabet.size())));
        }
    }
    return out;
}

QString AdminAuth::passwordProblem(const QString &password) const
{
    if (password.size() < m_options.minPasswordLength)
        return QStringLiteral("must have at least %1 characters").arg(m_options.minPasswordLength);
    if (password.size() > 1024)
        return QStringLiteral("must have at most 1024 characters");
    return {};
}

void AdminAuth::derive(QByteArray password, QByteArray salt, int iterations, std::function<void(QByteArray)> done)
{
    QPointer<AdminAuth> self(this);
    QThreadPool::globalInstance()->start(
        [self, password = std::move(password), salt = std::move(salt), iterations, done = std::move(done)]() mutable {
            QByteArray out(HashBytes, Qt::Uninitialized);
            const int ok = PKCS5_PBKDF2_HMAC(
                password.constData(), int(password.size()), reinterpret_cast<const unsigned char *>(salt.constData()),
                int(salt.size()), iterations, EVP_sha256(), HashBytes, reinterpret_cast<unsigned char *>(out.data()));
            OPENSSL_cleanse(password.data(), size_t(password.size()));
            if (ok != 1)
                out.clear();
            // The guarded pointer is only dereferenced on the control thread, inside the queued call.
            if (self)
                QMetaObject::invokeMethod(
                    self.data(),
                    [self, out = std::move(out), done = std::move(done)] {
                        if (self)
                            done(out);
                    },
                    Qt::QueuedConnection);
        });
}

void AdminAuth::storePassword(const QString &user, const QString &password, bool createOnlyIfNoUsers,
                              const QByteArray &keepSession, std::function<void(bool, const AdminError &)> done)
{
    const QByteArray salt = randomBytes(SaltBytes);
    if (salt.isEmpty())
        return done(false, AdminError::internal(QStringLiteral("no random bytes for a password salt")));
    const int iterations = m_options.iterations;
    derive(password.toUtf8(), salt, iterations,
           [this, user, salt, iterations, createOnlyIfNoUsers, keepSession, done](const QByteArray &hash) {
               if (hash.isEmpty())
                   return done(false, AdminError::internal(QStringLiteral("password hashing failed")));
               m_redis->evalScript(
                   m_storeScript, {m_keySpace.global("admin:users"), userKey(user), userSessionsKey(user)},
                   {user.toUtf8(), salt.toHex(), hash.toHex(), QByteArray::number(iterations),
                    QByteArray::number(nowMs()), createOnlyIfNoUsers ? "1" : "0",
                    keepSession.isEmpty() ? QByteArrayLiteral("-") : keepSession, m_keySpace.global("admin:session:")},
                   this, [done](const Redis::Result &result) {
                       if (!result.isSuccess())
                           return done(false, redisError(result));
                       done(result.reply.toInteger() == 1, {});
                   });
           });
}

void AdminAuth::bootstrap(std::function<void(const QString &, const AdminError &)> callback)
{
    const QString password = generatePassword();
    if (password.isEmpty())
        return callback({}, AdminError::internal(QStringLiteral("no random bytes for the admin password")));
    storePassword(QStringLiteral("admin"), password, true, {},
                  [password, callback](bool created, const AdminError &error) {
                      callback(created ? password : QString(), error);
                  });
}

void AdminAuth::verify(const QByteArray &authorization, SessionCallback callback)
{
    const QByteArray scheme = authorization.left(7);
    if (scheme.compare("bearer ", Qt::CaseInsensitive) != 0 || authorization.size() <= 7)
        return callback({}, unauthorized(QStringLiteral("sign in first: Authorization: Bearer <session token>")));
    const QByteArray token = authorization.mid(7).trimmed();
    const QByteArray id = sessionIdOf(token);
    m_redis->evalScript(
        m_verifyScript, {sessionKey(id)}, {QByteArray::number(nowMs()), QByteArray::number(m_options.sessionIdleMs)},
        this, [this, id, callback](const Redis::Result &result) {
            if (!result.isSuccess())
                return callback({}, redisError(result));
            const auto &parts = result.reply.elements();
            if (!result.reply.isArray() || parts.size() != 3)
                return callback({}, unauthorized(QStringLiteral("the session has ended or never existed")));
            AdminSession session;
            session.user = QString::fromUtf8(parts[0].bytes());
            session.id = id;
            session.createdAt = parts[1].toInteger();
            session.expiresAt = parts[2].toInteger();
            session.idleTimeoutMs = m_options.sessionIdleMs;
            callback(session, {});
        });
}

qint64 AdminAuth::lockoutRemainingMs(const QHostAddress &peer) const
{
    const auto it = m_failures.constFind(peer.toString());
    if (it == m_failures.constEnd())
        return 0;
    return std::max<qint64>(0, it->lockedUntil - nowMs());
}

void AdminAuth::recordFailure(const QHostAddress &peer)
{
    const qint64 now = nowMs();
    if (m_failures.size() >= MaxTrackedAddresses) {
        // Bounded memory under a spray of addresses: forget entries that no longer matter.
        for (auto it = m_failures.begin(); it != m_failures.end();)
            it = (it->lockedUntil <= now && now - it->windowStart > m_options.failureWindowMs) ? m_failures.erase(it)
                                                                                               : std::next(it);
    }
    Failures &f = m_failures[peer.toString()];
    if (now - f.windowStart > m_options.failureWindowMs) {
        f.windowStart = now;
        f.count = 0;
    }
    if (++f.count >= m_options.maxFailures) {
        f.lockedUntil = now + m_options.lockoutMs;
        f.count = 0;
        f.windowStart = now;
        Log::logger().warn("admin sign-in locked for {} for {} s after {} failed attempts", peer.toString(),
                           m_options.lockoutMs / 1000, m_options.maxFailures);
    }
}

void AdminAuth::login(const QString &user, const QString &password, const QHostAddress &peer,
                      std::function<void(const QByteArray &, const AdminSession &, const AdminError &)> callback)
{
    const qint64 locked = lockoutRemainingMs(peer);
    if (locked > 0) {
        const qint64 seconds = (locked + 999) / 1000;
        return callback({}, {},
                        {429, QStringLiteral("too_many_attempts"),
                         QStringLiteral("too many failed sign-ins from this address; try again in %1 s").arg(seconds),
                         QJsonObject{{QStringLiteral("retry_after_s"), seconds}}});
    }
    const bool validName = isValidUserName(user);
    const QByteArray key = validName ? userKey(user) : userKey(QStringLiteral("-"));
    m_redis->command({"HMGET", key, "salt", "hash", "iterations"}, this,
                     [this, user, password, peer, validName, callback](const Redis::Result &result) {
                         if (!result.isSuccess())
                             return callback({}, {}, redisError(result));
                         const auto &f = result.reply.elements();
                         StoredHash stored;
                         bool known = validName && f.size() == 3 && f[0].isString() && f[1].isString();
                         if (known) {
                             stored.salt = QByteArray::fromHex(f[0].bytes());
                             stored.hash = QByteArray::fromHex(f[1].bytes());
                             stored.iterations = int(f[2].toInteger());
                             known = stored.iterations > 0 && stored.hash.size() == HashBytes;
                         }
                         if (!known) {
                             // Same work as a real check, so the answer's timing does not reveal which users exist.
                             stored.salt = QByteArray(SaltBytes, '\0');
                             stored.hash = QByteArray(HashBytes, '\0');
                             stored.iterations = m_options.iterations;
                         }
                         derive(password.toUtf8(), stored.salt, stored.iterations,
                                [this, user, peer, known, stored, callback](const QByteArray &hash) {
                                    const bool match =
                                        known && hash.size() == HashBytes &&
                                        CRYPTO_memcmp(hash.constData(), stored.hash.constData(), HashBytes) == 0;
                                    if (!match) {
                                        recordFailure(peer);
                                        Log::logger().info("admin sign-in failed from {}", peer.toString());
                                        return callback({}, {}, invalidCredentials());
                                    }
                                    m_failures.remove(peer.toString());
                                    createSession(user, peer, callback);
                                });
                     });
}

void AdminAuth::createSession(
    const QString &user, const QHostAddress &peer,
    std::function<void(const QByteArray &, const AdminSession &, const AdminError &)> callback)
{
    const QByteArray raw = randomBytes(32);
    if (raw.isEmpty())
        return callback({}, {}, AdminError::internal(QStringLiteral("no random bytes for a token")));
    const QByteArray token = "rds_" + raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    AdminSession session;
    session.user = user;
    session.id = sessionIdOf(token);
    session.createdAt = nowMs();
    session.expiresAt = session.createdAt + m_options.sessionLifetimeMs;
    session.idleTimeoutMs = m_options.sessionIdleMs;
    m_redis->evalScript(m_createSessionScript, {sessionKey(session.id), userSessionsKey(user)},
                        {user.toUtf8(), QByteArray::number(session.createdAt), QByteArray::number(session.expiresAt),
                         QByteArray::number(m_options.sessionIdleMs), peer.toString().toUtf8(), session.id,
                         m_keySpace.global("admin:session:")},
                        this, [token, session, callback](const Redis::Result &created) {
                            if (!created.isSuccess())
                                return callback({}, {}, redisError(created));
                            callback(token, session, {});
                        });
}

void AdminAuth::openTrustedSession(
    std::function<void(const QByteArray &token, const AdminSession &session, const AdminError &error)> callback)
{
    listUsers([this, callback](const QList<AdminUser> &users, const AdminError &error) {
        if (error)
            return callback({}, {}, error);
        if (users.isEmpty())
            return callback({}, {},
                            {409, QStringLiteral("conflict"), QStringLiteral("there is no admin user yet"), {}});
        // The bootstrap user when it still exists, otherwise the first by name.
        QString user = users.first().name;
        for (const AdminUser &candidate : users)
            if (candidate.name == u"admin")
                user = candidate.name;
        createSession(user, QHostAddress(QHostAddress::LocalHost), callback);
    });
}

void AdminAuth::logout(const QByteArray &sessionId, std::function<void(const AdminError &)> callback)
{
    m_redis->command({"DEL", sessionKey(sessionId)}, this, [callback](const Redis::Result &result) {
        callback(result.isSuccess() ? AdminError{} : redisError(result));
    });
}

void AdminAuth::changePassword(const AdminSession &session, const QString &current, const QString &next,
                               std::function<void(const AdminError &)> callback)
{
    const QString problem = passwordProblem(next);
    if (!problem.isEmpty())
        return callback(AdminError::validation(QJsonObject{{QStringLiteral("new_password"), problem}}));
    m_redis->command(
        {"HMGET", userKey(session.user), "salt", "hash", "iterations"}, this,
        [this, session, current, next, callback](const Redis::Result &result) {
            if (!result.isSuccess())
                return callback(redisError(result));
            const auto &f = result.reply.elements();
            if (f.size() != 3 || !f[0].isString())
                return callback(AdminError::notFound(QStringLiteral("the user no longer exists")));
            const QByteArray expected = QByteArray::fromHex(f[1].bytes());
            derive(current.toUtf8(), QByteArray::fromHex(f[0].bytes()), int(f[2].toInteger()),
                   [this, session, next, expected, callback](const QByteArray &hash) {
                       if (hash.size() != HashBytes || expected.size() != HashBytes ||
                           CRYPTO_memcmp(hash.constData(), expected.constData(), HashBytes) != 0)
                           return callback(AdminError::validation(
                               QJsonObject{{QStringLiteral("current_password"), QStringLiteral("is not correct")}},
                               QStringLiteral("the current password is not correct")));
                       storePassword(session.user, next, false, session.id,
                                     [callback](bool, const AdminError &error) { callback(error); });
                   });
        });
}

void AdminAuth::setPassword(const QString &user, const QString &password,
                            std::function<void(const AdminError &)> callback)
{
    if (!isValidUserName(user))
        return callback(AdminError::validation(
            QJsonObject{{QStringLiteral("user"), QStringLiteral("letters, digits, '.', '_' or '-', 1 to 64")}}));
    const QString problem = passwordProblem(password);
    if (!problem.isEmpty())
        return callback(AdminError::validation(QJsonObject{{QStringLiteral("password"), problem}}));
    storePassword(user, password, false, {}, [callback](bool, const AdminError &error) { callback(error); });
}

void AdminAuth::listUsers(std::function<void(const QList<AdminUser> &, const AdminError &)> callback)
{
    // Admin users are few: one SMEMBERS, then one pipeline of HMGETs.
    m_redis->command(
        {"SMEMBERS", m_keySpace.global("admin:users")}, this, [this, callback](const Redis::Result &result) {
            if (!result.isSuccess())
                return callback({}, redisError(result));
            QList<QByteArray> names = result.reply.toByteArrayList();
            std::sort(names.begin(), names.end());
            if (names.isEmpty())
                return callback({}, {});
            QList<QList<QByteArray>> reads;
            for (const QByteArray &name : names)
                reads.append({"HMGET", userKey(QString::fromUtf8(name)), "created_at", "password_changed_at"});
            m_redis->pipeline(reads, this, [names, callback](const Redis::BatchResult &batch) {
                if (!batch.isSuccess())
                    return callback({}, AdminError::unavailable(
                                            QStringLiteral("Redis did not answer: %1").arg(batch.errorMessage())));
                QList<AdminUser> users;
                for (qsizetype i = 0; i < names.size(); ++i) {
                    const auto &fields = batch.replies.at(i).elements();
                    AdminUser user;
                    user.name = QString::fromUtf8(names.at(i));
                    user.createdAt = fields.value(0).toInteger();
                    user.passwordChangedAt = fields.value(1).toInteger();
                    users.append(user);
                }
                callback(users, {});
            });
        });
}

void AdminAuth::removeUser(const QString &user, std::function<void(const AdminError &)> callback)
{
    if (!isValidUserName(user))
        return callback(AdminError::notFound(QStringLiteral("no admin user \"%1\"").arg(user)));
    m_redis->evalScript(m_removeUserScript, {m_keySpace.global("admin:users"), userKey(user), userSessionsKey(user)},
                        {user.toUtf8(), m_keySpace.global("admin:session:")}, this,
                        [user, callback](const Redis::Result &result) {
                            if (!result.isSuccess())
                                return callback(redisError(result));
                            const qint64 outcome = result.reply.toInteger();
                            if (outcome == 0)
                                return callback(AdminError::notFound(QStringLiteral("no admin user \"%1\"").arg(user)));
                            if (outcome < 0)
                                return callback(AdminError::conflict(
                                    QStringLiteral("\"%1\" is the last admin user; add another one first").arg(user)));
                            Log::logger().info("admin user {} removed", user);
                            callback({});
                        });
}

} // namespace Relay::Admin
