// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Relay::Config {

// Edits a config file in the format SettingsLoader reads (see settingsloader.cpp), changing only the lines of the
// settings it is told to change: comments, blank lines, other settings, unknown lines and the [section] layout stay
// as they are. Values are written so that SettingsLoader reads back exactly the given text.
//
//   ConfigFileWriter file(settings.configFile);
//   if (!file.load()) ...                       // a missing file is an empty one
//   file.setValue(u"log.level"_s, u"debug"_s);  // replaces "level = ..." under [log], or adds a line
//   file.remove(u"workers"_s);                  // back to the default
//   if (!file.save()) ...                       // atomic, mode 0600, directory created
class ConfigFileWriter
{
public:
    explicit ConfigFileWriter(QString path);

    QString path() const { return m_path; }
    // Set by a failed load() or save().
    QString errorString() const { return m_error; }

    bool load();
    // Starts from the given text instead of the file (tests, previews).
    void setText(const QString &text);
    QString text() const { return m_lines.join(u'\n'); }

    // The value the file sets for key (the last line wins, as when loading), or nullopt if the file does not set it.
    std::optional<QString> value(const QString &key) const;
    // 1-based line of the setting that wins, 0 if the file does not set it.
    int lineOf(const QString &key) const;

    // Why value cannot be written into the file (a line break; a double quote in a value that needs quotes), or
    // an empty string when it can.
    static QString writeProblem(const QString &value);
    // Replaces the line that sets key (removing earlier duplicates) or adds one where SettingsLoader reads it as
    // key: under an existing [section] for "section.name", else at the top level. False if writeProblem(value).
    bool setValue(const QString &key, const QString &value);
    // Removes every line that sets key; true if there was one.
    bool remove(const QString &key);

    // Writes the text atomically (QSaveFile) with mode 0600 (the file can hold a Redis password), creating the
    // directory first.
    bool save();

private:
    struct Entry
    {
        QString key;     // full setting key ("log.level")
        QString section; // "" at the top level
        int line = 0;    // 0-based index into m_lines
        QString value;   // as SettingsLoader reads it
    };

    void parse();
    QList<int> entryIndexes(const QString &key) const;
    struct Insertion
    {
        int line = -1; // index in m_lines to insert at; -1 = the end of the file
        QString name;  // as written: "level" under [log], else the full key
        bool blankAfter = false;
    };
    Insertion insertionFor(const QString &key) const;

    QString m_path;
    QString m_error;
    QStringList m_lines; // the file split on '\n'; a trailing newline leaves an empty last element
    QList<Entry> m_entries;
    QList<QPair<int, QString>> m_sections; // line and name of every [section] header, in file order
};

} // namespace Relay::Config
