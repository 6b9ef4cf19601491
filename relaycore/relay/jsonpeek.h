// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArrayView>
#include <QList>

#include <optional>

namespace Relay::Proxy {

// Finds the raw text of top-level members of a JSON object without building a document. Real Claude Code bodies
// are 76 KB to several MB, and the relay needs only a few small members (model, stream, max_tokens, metadata, the
// start of system/messages) while passing the body through untouched, so a full parse per request would cost more
// than everything else on the path. The scan validates structure (strings, escapes, nesting) as it skips values.
class JsonPeek
{
public:
    struct Member
    {
        QByteArrayView key;   // without quotes, escapes left as they are
        QByteArrayView value; // the raw JSON value
    };

    // False when `json` is not a single well-formed JSON object (trailing garbage included).
    bool parse(QByteArrayView json);
    QString error() const { return m_error; }

    std::optional<QByteArrayView> value(QByteArrayView key) const;
    const QList<Member> &members() const { return m_members; }

    // Small helpers for raw values.
    static std::optional<QByteArray> toString(QByteArrayView rawValue); // unescaped; nullopt if not a string
    static std::optional<qint64> toInteger(QByteArrayView rawValue);
    static std::optional<bool> toBool(QByteArrayView rawValue);

    // Skips one JSON value starting at `pos` (after whitespace); returns the index after it or -1 on error.
    static qsizetype skipValue(QByteArrayView json, qsizetype pos, int depth = 0);

private:
    QList<Member> m_members;
    QString m_error;
};

} // namespace Relay::Proxy
