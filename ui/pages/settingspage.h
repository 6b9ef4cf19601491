// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "ui/page.h"

class QLabel;

namespace Console {

class LanguageManager;
class RelayController;

// (being written) The Settings page.
class SettingsPage : public Page
{
    Q_OBJECT
public:
    explicit SettingsPage(AdminClient *client, LanguageManager *languages, RelayController *relay,
                          QWidget *parent = nullptr);

    QString title() const override { return tr("Settings"); }
    QString iconName() const override { return QStringLiteral("settings"); }

private:
    QLabel *m_placeholder;
};

} // namespace Console
