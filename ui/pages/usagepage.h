// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/page.h"

class QLabel;

namespace Console {

// (being written) The Usage page.
class UsagePage : public Page
{
    Q_OBJECT
public:
    explicit UsagePage(AdminClient *client, QWidget *parent = nullptr);

    QString title() const override { return tr("Usage"); }
    QString iconName() const override { return QStringLiteral("usage"); }

private:
    QLabel *m_placeholder;
};

} // namespace Console
