// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/page.h"

class QLabel;

namespace Console {

// (being written) The Redis page.
class RedisPage : public Page
{
    Q_OBJECT
public:
    explicit RedisPage(AdminClient *client, QWidget *parent = nullptr);

    QString title() const override { return tr("Redis"); }
    QString iconName() const override { return QStringLiteral("redis"); }

private:
    QLabel *m_placeholder;
};

} // namespace Console
