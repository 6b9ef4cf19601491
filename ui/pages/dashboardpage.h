// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/page.h"

class QLabel;

namespace Console {

// (being written) The Dashboard page.
class DashboardPage : public Page
{
    Q_OBJECT
public:
    explicit DashboardPage(AdminClient *client, QWidget *parent = nullptr);

    QString title() const override { return tr("Dashboard"); }
    QString iconName() const override { return QStringLiteral("dashboard"); }

private:
    QLabel *m_placeholder;
};

} // namespace Console
