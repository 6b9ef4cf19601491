// SPDX-License-Identifier: GPL-3.0-or-later
#include "config/configfilewriter.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSaveFile>

using namespace Qt::StringLiterals;

// The line syntax below mirrors SettingsLoader::readConfigFile; tst_configfilewriter loads every edited file back
// through SettingsLoader, so a drift between the two shows up there.

namespace Relay::Config {

namespace {

const QRegularExpression &sectionPattern()
{
    static const QRegularExpression pattern(u"^\\[\\s*([a-z0-9-]*)\\s*\\]$"_s);
    return pattern;
}

const QRegularExpression &keyPattern()
{
    static const QRegularExpression pattern(u"^[a-z0-9-]+(\\.[a-z0-9-]+)?$"_s);
    return pattern;
}

// Whitespace followed by # or ;: where an unquoted value's comment starts.
const QRegularExpression &commentPattern()
{
    static const QRegularExpression pattern(u"\\s[#;]"_s);
    return pattern;
}

struct RawValue
{
    QString value;
    QString comment; // a trailing "# ..." kept when the line is rewritten
};

// The value part after '=' as SettingsLoader reads it; nullopt for broken quotes (the loader rejects the line).
std::optional<RawValue> splitValue(const QString &raw)
{
    const QString text = raw.trimmed();
    if (text.startsWith(u'"')) {
        const qsizetype close = text.indexOf(u'"', 1);
        if (close < 0)
            return std::nullopt;
        const QString after = text.mid(close + 1).trimmed();
        if (!after.isEmpty() && !after.startsWith(u'#') && !after.startsWith(u';'))
            return std::nullopt;
        return RawValue{text.mid(1, close - 1), after};
    }
    if (text.startsWith(u'#') || text.startsWith(u';'))
        return RawValue{QString(), text};
    const qsizetype at = text.indexOf(commentPattern());
    if (at < 0)
        return RawValue{text, QString()};
    return RawValue{text.left(at).trimmed(), text.mid(at).trimmed()};
}

bool needsQuotes(const QString &value)
{
    return value.isEmpty() || value.startsWith(u'"') || value.startsWith(u'#') || value.startsWith(u';') ||
           value.contains(commentPattern());
}

QString encodeValue(const QString &value)
{
    const QString trimmed = value.trimmed();
    return needsQuotes(trimmed) ? u'"' + trimmed + u'"' : trimmed;
}

QString leadingSpace(const QString &line)
{
    qsizetype i = 0;
    while (i < line.size() && line.at(i).isSpace())
        ++i;
    return line.left(i);
}

bool isCommentOrBlank(const QString &line)
{
    const QString trimmed = line.trimmed();
    return trimmed.isEmpty() || trimmed.startsWith(u'#') || trimmed.startsWith(u';');
}

} // namespace

ConfigFileWriter::ConfigFileWriter(QString path)
    : m_path(std::move(path))
{
    setText({});
}

bool ConfigFileWriter::load()
{
    m_error.clear();
    QFile file(m_path);
    if (!file.exists()) {
        setText({});
        return true;
    }
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        m_error = u"cannot read %1: %2"_s.arg(m_path, file.errorString());
        return false;
    }
    setText(QString::fromUtf8(file.readAll()));
    return true;
}

void ConfigFileWriter::setText(const QString &text)
{
    m_lines = text.split(u'\n');
    parse();
}

void ConfigFileWriter::parse()
{
    m_entries.clear();
    m_sections.clear();
    QString section;
    for (int i = 0; i < m_lines.size(); ++i) {
        QString line = m_lines.at(i).trimmed();
        if (i == 0 && line.startsWith(QChar(0xfeff)))
            line.remove(0, 1);
        if (line.isEmpty() || line.startsWith(u'#') || line.startsWith(u';'))
            continue;
        if (line.startsWith(u'[')) {
            const auto match = sectionPattern().match(line);
            if (match.hasMatch()) {
                section = match.captured(1);
                m_sections.append({i, section});
            }
            continue;
        }
        // Lines the loader would reject are kept as they are and never taken for a setting.
        const qsizetype eq = line.indexOf(u'=');
        if (eq < 0)
            continue;
        const QString name = line.left(eq).trimmed();
        if (!keyPattern().match(name).hasMatch() || (!section.isEmpty() && name.contains(u'.')))
            continue;
        const auto raw = splitValue(line.mid(eq + 1));
        if (!raw)
            continue;
        m_entries.append({section.isEmpty() ? name : section + u'.' + name, section, i, raw->value});
    }
}

QList<int> ConfigFileWriter::entryIndexes(const QString &key) const
{
    QList<int> indexes;
    for (int i = 0; i < m_entries.size(); ++i) {
        if (m_entries.at(i).key == key)
            indexes.append(i);
    }
    return indexes;
}

std::optional<QString> ConfigFileWriter::value(const QString &key) const
{
    const QList<int> indexes = entryIndexes(key);
    if (indexes.isEmpty())
        return std::nullopt;
    return m_entries.at(indexes.last()).value;
}

int ConfigFileWriter::lineOf(const QString &key) const
{
    const QList<int> indexes = entryIndexes(key);
    return indexes.isEmpty() ? 0 : m_entries.at(indexes.last()).line + 1;
}

QString ConfigFileWriter::writeProblem(const QString &value)
{
    if (value.contains(u'\n') || value.contains(u'\r'))
        return u"cannot contain a line break"_s;
    const QString trimmed = value.trimmed();
    if (needsQuotes(trimmed) && trimmed.contains(u'"'))
        return u"cannot contain a double quote when it starts with \", # or ; or contains \" #\" or \" ;\""_s;
    return {};
}

ConfigFileWriter::Insertion ConfigFileWriter::insertionFor(const QString &key) const
{
    const qsizetype dot = key.indexOf(u'.');
    if (dot > 0) {
        const QString section = key.left(dot);
        int after = -1;
        for (const Entry &entry : m_entries) {
            if (entry.section == section)
                after = entry.line;
        }
        if (after < 0) {
            for (const auto &header : m_sections) {
                if (header.second == section)
                    after = header.first;
            }
        }
        if (after >= 0)
            return {after + 1, key.mid(dot + 1), false};
    }
    // Top level, written as the full key ("workers", or "log.level" when there is no [log] section).
    int after = -1;
    for (const Entry &entry : m_entries) {
        if (entry.section.isEmpty())
            after = entry.line;
    }
    if (after >= 0)
        return {after + 1, key, false};
    if (!m_sections.isEmpty()) {
        // The first top-level setting goes before the first section, above the comment block that introduces
        // it, with a blank line between them.
        int line = m_sections.first().first;
        while (line > 0 && !m_lines.at(line - 1).trimmed().isEmpty() && isCommentOrBlank(m_lines.at(line - 1)))
            --line;
        return {line, key, true};
    }
    return {-1, key, false};
}

bool ConfigFileWriter::setValue(const QString &key, const QString &value)
{
    if (!writeProblem(value).isEmpty())
        return false;
    const QString encoded = encodeValue(value);
    const QList<int> indexes = entryIndexes(key);
    if (!indexes.isEmpty()) {
        // Rewrite the winning line in its own form (indentation, short or dotted name, trailing comment).
        const Entry &entry = m_entries.at(indexes.last());
        const QString original = m_lines.at(entry.line);
        const qsizetype eq = original.indexOf(u'=');
        QString name = original.left(eq).trimmed();
        if (entry.line == 0 && name.startsWith(QChar(0xfeff)))
            name.remove(0, 1);
        const auto raw = splitValue(original.mid(eq + 1));
        const QString comment = raw ? raw->comment : QString();
        m_lines[entry.line] =
            leadingSpace(original) + name + u" = "_s + encoded + (comment.isEmpty() ? QString() : u"  "_s + comment);
        for (qsizetype i = indexes.size() - 2; i >= 0; --i)
            m_lines.removeAt(m_entries.at(indexes.at(i)).line);
        parse();
        return true;
    }

    const Insertion at = insertionFor(key);
    const QString newLine = at.name + u" = "_s + encoded;
    if (at.line < 0) {
        if (m_lines.size() == 1 && m_lines.first().isEmpty())
            m_lines = {newLine, QString()};
        else if (m_lines.last().isEmpty())
            m_lines.insert(m_lines.size() - 1, newLine);
        else
            m_lines << newLine << QString();
    } else {
        if (at.blankAfter)
            m_lines.insert(at.line, QString());
        m_lines.insert(at.line, newLine);
    }
    parse();
    return true;
}

bool ConfigFileWriter::remove(const QString &key)
{
    const QList<int> indexes = entryIndexes(key);
    if (indexes.isEmpty())
        return false;
    for (qsizetype i = indexes.size() - 1; i >= 0; --i)
        m_lines.removeAt(m_entries.at(indexes.at(i)).line);
    parse();
    return true;
}

bool ConfigFileWriter::save()
{
    m_error.clear();
    const QFileInfo info(m_path);
    if (!info.absoluteDir().mkpath(u"."_s)) {
        m_error = u"cannot create the directory %1"_s.arg(info.absolutePath());
        return false;
    }
    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly)) {
        m_error = u"cannot write %1: %2"_s.arg(m_path, file.errorString());
        return false;
    }
    // Before any byte is written: the file may hold a Redis password.
    if (!file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)) {
        m_error = u"cannot make %1 private: %2"_s.arg(m_path, file.errorString());
        file.cancelWriting();
        return false;
    }
    QString content = text();
    if (!content.isEmpty() && !content.endsWith(u'\n'))
        content += u'\n';
    file.write(content.toUtf8());
    if (!file.commit()) {
        m_error = u"cannot write %1: %2"_s.arg(m_path, file.errorString());
        return false;
    }
    return true;
}

} // namespace Relay::Config
