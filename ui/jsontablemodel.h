// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QAbstractTableModel>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>

#include <functional>

namespace Console {

// A table of JSON objects (the rows of an admin API list) with declared columns. Each column reads a dotted path
// from the row and may format it; Qt::UserRole gives the raw value for sorting (numbers sort as numbers), and
// SortProxy-style views can sort on it. Pages set the titles in retranslate().
//
//   model->setColumns({{u"name"_s}, {u"today.cost_usd"_s, Format::usd, Qt::AlignRight}});
//   model->setTitles({tr("Name"), tr("Cost today")});
class JsonTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    static constexpr int RawRole = Qt::UserRole;           // the JSON value (as QVariant), for sorting and tests
    static constexpr int RowObjectRole = Qt::UserRole + 1; // the whole row object

    struct Column
    {
        QString path;
        // Display text from the value (and the row for columns that combine fields); empty = the value as text.
        std::function<QString(const QJsonValue &value, const QJsonObject &row)> format = {};
        Qt::Alignment alignment = Qt::AlignLeft | Qt::AlignVCenter;
        // Optional colour (e.g. a state column).
        std::function<QVariant(const QJsonValue &value, const QJsonObject &row)> foreground = {};
    };

    explicit JsonTableModel(QObject *parent = nullptr);

    void setColumns(QList<Column> columns);
    void setTitles(const QStringList &titles);
    // Replaces the rows; keeps the views' selection stable when `idPath` is set and rows keep their ids.
    void setRows(const QJsonArray &rows);
    const QJsonArray &rows() const { return m_rows; }
    QJsonObject rowObject(int row) const { return m_rows.at(row).toObject(); }
    // The row whose `path` equals `value`, or -1.
    int findRow(const QString &path, const QJsonValue &value) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QList<Column> m_columns;
    QStringList m_titles;
    QJsonArray m_rows;
};

} // namespace Console
