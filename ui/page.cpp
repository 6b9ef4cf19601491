// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/page.h"

#include <QEvent>

namespace Console {

Page::Page(AdminClient *client, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
{}

void Page::setActive(bool active)
{
    if (active == m_active)
        return;
    m_active = active;
    if (active)
        activate();
    else
        deactivate();
}

void Page::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

} // namespace Console
