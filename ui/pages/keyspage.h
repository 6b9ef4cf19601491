// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/page.h"

class QLabel;

namespace Console {

// (being written) The API keys page.
class KeysPage : public Page
{
    Q_OBJECT
public:
    explicit KeysPage(AdminClient *client, QWidget *parent = nullptr);

    QString title() const override { return tr("API keys"); }
    QString iconName() const override { return QStringLiteral("keys"); }

private:
    QLabel *m_placeholder;
};

} // namespace Console
