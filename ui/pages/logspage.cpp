// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/logspage.h"

#include <QLabel>
#include <QVBoxLayout>

namespace Console {

LogsPage::LogsPage(AdminClient *client, QWidget *parent)
    : Page(client, parent)
    , m_placeholder(new QLabel(this))
{
    setObjectName(QStringLiteral("logsPage"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_placeholder);
}

} // namespace Console
