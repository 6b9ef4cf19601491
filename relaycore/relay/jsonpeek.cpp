// SPDX-License-Identifier: GPL-3.0-or-later
#include "relay/jsonpeek.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>

#include <array>

namespace Relay::Proxy {

namespace {

constexpr int MaxDepth = 512;

qsizetype skipSpace(QByteArrayView s, qsizetype i)
{
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t'))
        ++i;
    return i;
}

// The bytes a string scan must stop at: the closing quote, an escape, and control characters (which JSON requires
// escaped).
constexpr auto StopsStringScan = [] {
    std::array<bool, 256> table{};
    for (int c = 0; c < 0x20; ++c)
        table[c] = true;
    table['"'] = true;
    table['\\'] = true;
    return table;
}();

// At an opening quote: returns the index after the closing quote, or -1. Message text is most of a body, so the
// plain bytes are passed over with one table lookup each.
qsizetype skipString(QByteArrayView s, qsizetype i)
{
    const auto *data = reinterpret_cast<const unsigned char *>(s.data());
    const qsizetype size = s.size();
    ++i;
    for (;;) {
        while (i < size && !StopsStringScan[data[i]])
            ++i;
        if (i >= size)
            return -1;
        if (data[i] == '"')
            return i + 1;
        if (data[i] != '\\')
            return -1; // a control character
        i += 2;
    }
}

qsizetype skipLiteral(QByteArrayView s, qsizetype i, QByteArrayView literal)
{
    return s.sliced(i).startsWith(literal) ? i + literal.size() : -1;
}

qsizetype skipNumber(QByteArrayView s, qsizetype i)
{
    const qsizetype start = i;
    if (i < s.size() && s[i] == '-')
        ++i;
    while (i < s.size() &&
           ((s[i] >= '0' && s[i] <= '9') || s[i] == '.' || s[i] == 'e' || s[i] == 'E' || s[i] == '+' || s[i] == '-'))
        ++i;
    return i > start && (s[i - 1] >= '0' && s[i - 1] <= '9') ? i : -1;
}

} // namespace

qsizetype JsonPeek::skipValue(QByteArrayView s, qsizetype i, int depth)
{
    if (depth > MaxDepth)
        return -1;
    i = skipSpace(s, i);
    if (i >= s.size())
        return -1;
    switch (s[i]) {
    case '"':
        return skipString(s, i);
    case 't':
        return skipLiteral(s, i, "true");
    case 'f':
        return skipLiteral(s, i, "false");
    case 'n':
        return skipLiteral(s, i, "null");
    case '{': {
        i = skipSpace(s, i + 1);
        if (i < s.size() && s[i] == '}')
            return i + 1;
        for (;;) {
            i = skipSpace(s, i);
            if (i >= s.size() || s[i] != '"')
                return -1;
            i = skipString(s, i);
            if (i < 0)
                return -1;
            i = skipSpace(s, i);
            if (i >= s.size() || s[i] != ':')
                return -1;
            i = skipValue(s, i + 1, depth + 1);
            if (i < 0)
                return -1;
            i = skipSpace(s, i);
            if (i < s.size() && s[i] == ',') {
                ++i;
                continue;
            }
            return i < s.size() && s[i] == '}' ? i + 1 : -1;
        }
    }
    case '[': {
        i = skipSpace(s, i + 1);
        if (i < s.size() && s[i] == ']')
            return i + 1;
        for (;;) {
            i = skipValue(s, i, depth + 1);
            if (i < 0)
                return -1;
            i = skipSpace(s, i);
            if (i < s.size() && s[i] == ',') {
                ++i;
                continue;
            }
            return i < s.size() && s[i] == ']' ? i + 1 : -1;
        }
    }
    default:
        return skipNumber(s, i);
    }
}

bool JsonPeek::parse(QByteArrayView s)
{
    m_members.clear();
    m_error.clear();
    // Requests and answers have a handful of top-level members; growing the list one reallocation at a time cost
    // more than the scan of a small object.
    m_members.reserve(16);
    qsizetype i = skipSpace(s, 0);
    if (i >= s.size() || s[i] != '{') {
        m_error = QStringLiteral("the request body must be a JSON object");
        return false;
    }
    i = skipSpace(s, i + 1);
    bool empty = i < s.size() && s[i] == '}';
    if (empty)
        ++i;
    while (!empty) {
        i = skipSpace(s, i);
        if (i >= s.size() || s[i] != '"')
            break;
        const qsizetype keyEnd = skipString(s, i);
        if (keyEnd < 0)
            break;
        const QByteArrayView key = s.sliced(i + 1, keyEnd - i - 2);
        i = skipSpace(s, keyEnd);
        if (i >= s.size() || s[i] != ':')
            break;
        const qsizetype valueStart = skipSpace(s, i + 1);
        const qsizetype valueEnd = skipValue(s, valueStart, 1);
        if (valueEnd < 0)
            break;
        m_members.append({key, s.sliced(valueStart, valueEnd - valueStart)});
        i = skipSpace(s, valueEnd);
        if (i < s.size() && s[i] == ',') {
            ++i;
            continue;
        }
        if (i < s.size() && s[i] == '}') {
            ++i;
            empty = true; // done
            break;
        }
        break;
    }
    if (!empty || skipSpace(s, i) != s.size()) {
        m_members.clear();
        m_error = QStringLiteral("the request body is not valid JSON (near byte %1)").arg(i);
        return false;
    }
    return true;
}

std::optional<QByteArrayView> JsonPeek::value(QByteArrayView key) const
{
    for (const Member &m : m_members) {
        if (m.key == key)
            return m.value;
    }
    return std::nullopt;
}

std::optional<QByteArray> JsonPeek::toString(QByteArrayView raw)
{
    if (raw.size() < 2 || raw.front() != '"')
        return std::nullopt;
    if (!raw.contains('\\'))
        return raw.sliced(1, raw.size() - 2).toByteArray();
    // Rare: let Qt unescape (wrap in an array so any string is a valid document).
    const QJsonDocument doc = QJsonDocument::fromJson("[" + raw.toByteArray() + "]");
    if (!doc.isArray())
        return std::nullopt;
    return doc.array().at(0).toString().toUtf8();
}

std::optional<qint64> JsonPeek::toInteger(QByteArrayView raw)
{
    bool ok = false;
    const qint64 v = raw.toLongLong(&ok); // on the view: no copy per number
    return ok ? std::optional<qint64>(v) : std::nullopt;
}

std::optional<bool> JsonPeek::toBool(QByteArrayView raw)
{
    if (raw == "true")
        return true;
    if (raw == "false")
        return false;
    return std::nullopt;
}

} // namespace Relay::Proxy
