// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/dashboardpage.h"

#include <QLabel>
#include <QVBoxLayout>

namespace Console {

DashboardPage::DashboardPage(AdminClient *client, QWidget *parent)
    : Page(client, parent)
    , m_placeholder(new QLabel(this))
{
    setObjectName(QStringLiteral("dashboardPage"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_placeholder);
}

} // namespace Console
