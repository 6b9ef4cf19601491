// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/jsontablemodel.h"

#include "ui/format.h"

namespace Console {

JsonTableModel::JsonTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void JsonTableModel::setColumns(QList<Column> columns)
{
    beginResetModel();
    m_columns = std::move(columns);
    endResetModel();
}

void JsonTableModel::setTitles(const QStringList &titles)
{
    m_titles = titles;
    if (!m_columns.isEmpty())
        Q_EMIT headerDataChanged(Qt::Horizontal, 0, int(m_columns.size()) - 1);
}

void JsonTableModel::setRows(const QJsonArray &rows)
{
    if (rows.size() == m_rows.size() && !rows.isEmpty()) {
        // Same shape: update in place so views keep selection, scroll position and sort.
        m_rows = rows;
        Q_EMIT dataChanged(index(0, 0), index(int(rows.size()) - 1, int(m_columns.size()) - 1));
        return;
    }
    beginResetModel();
    m_rows = rows;
    endResetModel();
}

int JsonTableModel::findRow(const QString &path, const QJsonValue &value) const
{
    for (qsizetype i = 0; i < m_rows.size(); ++i)
        if (Format::value(m_rows.at(i).toObject(), path) == value)
            return int(i);
    return -1;
}

int JsonTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int JsonTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_columns.size());
}

QVariant JsonTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size() || index.column() >= m_columns.size())
        return {};
    const Column &column = m_columns.at(index.column());
    const QJsonObject row = m_rows.at(index.row()).toObject();
    const QJsonValue value = Format::value(row, column.path);
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole: {
        if (column.format)
            return column.format(value, row);
        if (value.isDouble())
            return value.toDouble() == double(value.toInteger()) ? Format::integer(value.toInteger())
                                                                 : QString::number(value.toDouble());
        if (value.isBool())
            return value.toBool() ? tr("yes") : tr("no");
        if (value.isArray()) {
            QStringList parts;
            for (const QJsonValue &part : value.toArray())
                parts.append(part.toString());
            return parts.join(QStringLiteral(", "));
        }
        return value.toString();
    }
    case Qt::TextAlignmentRole:
        return QVariant::fromValue(column.alignment);
    case Qt::ForegroundRole:
        return column.foreground ? column.foreground(value, row) : QVariant();
    case RawRole:
        return value.toVariant();
    case RowObjectRole:
        return row;
    default:
        return {};
    }
}

QVariant JsonTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= m_titles.size())
        return QAbstractTableModel::headerData(section, orientation, role);
    return m_titles.at(section);
}

} // namespace Console
