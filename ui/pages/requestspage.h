// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/page.h"

class QLabel;

namespace Console {

// (being written) The Requests page.
class RequestsPage : public Page
{
    Q_OBJECT
public:
    explicit RequestsPage(AdminClient *client, QWidget *parent = nullptr);

    QString title() const override { return tr("Requests"); }
    QString iconName() const override { return QStringLiteral("requests"); }

private:
    QLabel *m_placeholder;
};

} // namespace Console
