// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/settingspage.h"

#include <QLabel>
#include <QVBoxLayout>

namespace Console {

SettingsPage::SettingsPage(AdminClient *client, LanguageManager *, RelayController *, QWidget *parent)
    : Page(client, parent)
    , m_placeholder(new QLabel(this))
{
    setObjectName(QStringLiteral("settingsPage"));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_placeholder);
}

} // namespace Console
