// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/page.h"

class QLabel;

namespace Console {

// (being written) The Logs page.
class LogsPage : public Page
{
    Q_OBJECT
public:
    explicit LogsPage(AdminClient *client, QWidget *parent = nullptr);

    QString title() const override { return tr("Logs"); }
    QString iconName() const override { return QStringLiteral("logs"); }

private:
    QLabel *m_placeholder;
};

} // namespace Console
