// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFrame>

class QLabel;

namespace Console {

// A figure on the Dashboard: a small title, a large value and a line of detail under it.
class DashboardTile : public QFrame
{
    Q_OBJECT
public:
    // The value label is named `<objectName>Value` for tests.
    explicit DashboardTile(const QString &objectName, QWidget *parent = nullptr);

    void setTitle(const QString &title);
    void setValue(const QString &value);
    void setDetail(const QString &detail);
    QString value() const;
    QString detail() const;

private:
    QLabel *m_title;
    QLabel *m_value;
    QLabel *m_detail;
};

} // namespace Console
