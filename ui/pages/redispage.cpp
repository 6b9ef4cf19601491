// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/redispage.h"

#include <QLabel>
#include <QVBoxLayout>

namespace Console {

RedisPage::RedisPage(AdminClient *client, QWidget *parent)
    : Page(client, parent)
    , m_placeholder(new QLabel(this))
{
    setObjectName(QStringLiteral("redisPage"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_placeholder);
}

} // namespace Console
