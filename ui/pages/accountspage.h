// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/page.h"

class QLabel;

namespace Console {

// (being written) The Accounts page.
class AccountsPage : public Page
{
    Q_OBJECT
public:
    explicit AccountsPage(AdminClient *client, QWidget *parent = nullptr);

    QString title() const override { return tr("Accounts"); }
    QString iconName() const override { return QStringLiteral("accounts"); }

private:
    QLabel *m_placeholder;
};

} // namespace Console
