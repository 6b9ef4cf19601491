// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/usagepage.h"

#include <QLabel>
#include <QVBoxLayout>

namespace Console {

UsagePage::UsagePage(AdminClient *client, QWidget *parent)
    : Page(client, parent)
    , m_placeholder(new QLabel(this))
{
    setObjectName(QStringLiteral("usagePage"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_placeholder);
}

} // namespace Console
