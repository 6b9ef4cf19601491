// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/keyspage.h"

#include <QLabel>
#include <QVBoxLayout>

namespace Console {

KeysPage::KeysPage(AdminClient *client, QWidget *parent)
    : Page(client, parent)
    , m_placeholder(new QLabel(this))
{
    setObjectName(QStringLiteral("keysPage"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_placeholder);
}

} // namespace Console
