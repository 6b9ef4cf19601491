// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/accountspage.h"

#include <QLabel>
#include <QVBoxLayout>

namespace Console {

AccountsPage::AccountsPage(AdminClient *client, QWidget *parent)
    : Page(client, parent)
    , m_placeholder(new QLabel(this))
{
    setObjectName(QStringLiteral("accountsPage"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_placeholder);
}

} // namespace Console
