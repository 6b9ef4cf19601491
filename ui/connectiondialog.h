// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>

class QCheckBox;
class QDialogButtonBox;
class QLineEdit;

namespace Console {

class AdminClient;
class MessageBar;

// Sign in to a relay: its URL, a user and a password. The URL and user are remembered (QSettings
// "connection/url", "connection/user"); the password never is.
class ConnectionDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ConnectionDialog(AdminClient *client, QWidget *parent = nullptr);

    void setUrl(const QString &url);
    void setUser(const QString &user);

Q_SIGNALS:
    void signedIn();

private:
    void signIn();
    void setBusy(bool busy);

    AdminClient *m_client;
    QLineEdit *m_url;
    QLineEdit *m_user;
    QLineEdit *m_password;
    QCheckBox *m_remember;
    MessageBar *m_message;
    QDialogButtonBox *m_buttons;
};

} // namespace Console
