// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "admin/adminresult.h"
#include "admin/mailbox.h"
#include "redis/keyspace.h"
#include "redis/script.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>

namespace Relay::Redis {
class Client;
}

namespace Relay::Admin {

struct AdminAuthOptions
{
    qint64 sessionIdleMs = 30 * 60 * 1000;
    qint64 sessionLifetimeMs = 12 * 60 * 60 * 1000;
    int iterations = 600'000; // PBKDF2-HMAC-SHA256 for new password hashes (OWASP 2023)
    int maxFailures = 5;      // failed sign-ins per client address within failureWindowMs before a lockout
    qint64 failureWindowMs = 5 * 60 * 1000;
    qint64 lockoutMs = 5 * 60 * 1000;
    int minPasswordLength = 12;
};

// A signed-in admin.
struct AdminSession
{
    QString user;
    QByteArray id; // SHA-256 of the token, hex: what Redis stores (the token itself is stored nowhere)
    qint64 createdAt = 0;
    qint64 expiresAt = 0; // absolute end
    qint64 idleTimeoutMs = 0;
};

// An admin user as listings show it (never the password hash).
struct AdminUser
{
    QString name;
    qint64 createdAt = 0;
    qint64 passwordChangedAt = 0;
};

// Admin users, passwords and sessions, in Redis so that every relay sharing it accepts the same sign-in.
//
// Passwords: PBKDF2-HMAC-SHA256 with a random 16-byte salt, computed on a pool thread so the control thread never
// stalls for the ~0.3 s it takes; compared in constant time. An unknown user costs the same as a wrong password.
// Sessions: a random 256-bit bearer token; Redis keeps only its SHA-256 with the user, creation time and absolute
// expiry, and a PEXPIRE of the idle timeout renewed by each verified request. Sign-in failures are counted per
// client address in memory; too many within the window lock that address out for a while (429).
//
// Lives on the control thread; callbacks run there.
class AdminAuth : public QObject
{
    Q_OBJECT
public:
    AdminAuth(Redis::Client *redis, Redis::KeySpace keySpace, AdminAuthOptions options, QObject *parent = nullptr);
    ~AdminAuth() override;

    const AdminAuthOptions &options() const { return m_options; }

    // First start: if no admin user exists, creates "admin" with a random password and passes it (once) to the
    // callback; an empty password means users existed already.
    void bootstrap(std::function<void(const QString &generatedPassword, const AdminError &error)> callback);

    using SessionCallback = std::function<void(const AdminSession &session, const AdminError &error)>;
    // The session of an "Authorization: Bearer <token>" header: 401 unauthorized when missing, unknown or expired.
    void verify(const QByteArray &authorization, SessionCallback callback);
    // 401 invalid_credentials for a wrong user or password, 429 too_many_attempts while the address is locked out
    // (the error's fields carry retry_after_s).
    void
    login(const QString &user, const QString &password, const QHostAddress &peer,
          std::function<void(const QByteArray &token, const AdminSession &session, const AdminError &error)> callback);
    // A session for the in-process console, without a password: the process that owns the relay is trusted.
    // The user is "admin" when it exists, else the first user by name. Never reachable over HTTP.
    void openTrustedSession(
        std::function<void(const QByteArray &token, const AdminSession &session, const AdminError &error)> callback);
    void logout(const QByteArray &sessionId, std::function<void(const AdminError &error)> callback);
    // Checks the current password, stores the new one and ends every other session of the user.
    void changePassword(const AdminSession &session, const QString &current, const QString &next,
                        std::function<void(const AdminError &error)> callback);
    // Operator reset (CLI): sets the password of `user` (creating the user if needed) and ends its sessions.
    void setPassword(const QString &user, const QString &password,
                     std::function<void(const AdminError &error)> callback);

    // Every admin user, sorted by name.
    void listUsers(std::function<void(const QList<AdminUser> &users, const AdminError &error)> callback);
    // Removes the user, its password hash and its sessions, atomically: 404 not_found for an unknown user, 409
    // conflict for the last one (nobody could sign in any more).
    void removeUser(const QString &user, std::function<void(const AdminError &error)> callback);

    // A new random password for people to type: 24 characters from an unambiguous alphabet (~140 bits).
    static QString generatePassword();
    static bool isValidUserName(const QString &user);
    // Seconds an address is still locked out (0 = not locked); for tests and the console.
    qint64 lockoutRemainingMs(const QHostAddress &peer) const;

private:
    struct Failures
    {
        int count = 0;
        qint64 windowStart = 0;
        qint64 lockedUntil = 0;
    };
    struct StoredHash
    {
        QByteArray salt;
        QByteArray hash;
        int iterations = 0;
    };

    // PBKDF2 on a pool thread; `done` runs on this object's thread.
    void derive(QByteArray password, QByteArray salt, int iterations, std::function<void(QByteArray)> done);
    void storePassword(const QString &user, const QString &password, bool createOnlyIfNoUsers,
                       const QByteArray &keepSession, std::function<void(bool stored, const AdminError &)> done);
    void recordFailure(const QHostAddress &peer);
    void createSession(const QString &user, const QHostAddress &peer,
                       std::function<void(const QByteArray &, const AdminSession &, const AdminError &)> callback);
    QString passwordProblem(const QString &password) const;
    QByteArray userKey(const QString &user) const;
    QByteArray userSessionsKey(const QString &user) const;
    QByteArray sessionKey(const QByteArray &id) const;

    Redis::Client *m_redis;
    Redis::KeySpace m_keySpace;
    AdminAuthOptions m_options;
    Redis::Script m_verifyScript;
    Redis::Script m_storeScript;
    Redis::Script m_createSessionScript;
    Redis::Script m_removeUserScript;
    std::shared_ptr<Mailbox> m_mailbox;  // pool threads hand PBKDF2 results back through it
    QHash<QString, Failures> m_failures; // by client address
};

} // namespace Relay::Admin
