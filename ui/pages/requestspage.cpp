// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/requestspage.h"

#include <QLabel>
#include <QVBoxLayout>

namespace Console {

RequestsPage::RequestsPage(AdminClient *client, QWidget *parent)
    : Page(client, parent)
    , m_placeholder(new QLabel(this))
{
    setObjectName(QStringLiteral("requestsPage"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_placeholder);
}

} // namespace Console
