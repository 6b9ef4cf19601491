// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/connectiondialog.h"

#include "ui/adminclient.h"
#include "ui/widgets/messagebar.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Console {

ConnectionDialog::ConnectionDialog(AdminClient *client, QWidget *parent)
    : QDialog(parent)
    , m_client(client)
    , m_url(new QLineEdit(this))
    , m_user(new QLineEdit(this))
    , m_password(new QLineEdit(this))
    , m_remember(new QCheckBox(tr("Remember the address and user name (never the password)"), this))
    , m_message(new MessageBar(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(u"connectionDialog"_s);
    setWindowTitle(tr("Connect to a relay"));
    m_url->setObjectName(u"connectionUrl"_s);
    m_user->setObjectName(u"connectionUser"_s);
    m_password->setObjectName(u"connectionPassword"_s);
    m_password->setEchoMode(QLineEdit::Password);
    m_url->setPlaceholderText(u"http://127.0.0.1:3000"_s);
    m_url->setAccessibleName(tr("Relay address"));
    m_user->setAccessibleName(tr("User name"));
    m_password->setAccessibleName(tr("Password"));
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Sign in"));

    auto *intro = new QLabel(tr("Sign in to a RelayDeck relay's admin API. A relay started with relaydeckd prints the "
                                "first password once and keeps it in <i>admin-password</i> in its data directory."),
                             this);
    intro->setWordWrap(true);
    auto *form = new QFormLayout;
    form->addRow(tr("&Address:"), m_url);
    form->addRow(tr("&User:"), m_user);
    form->addRow(tr("&Password:"), m_password);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_message);
    layout->addLayout(form);
    layout->addWidget(m_remember);
    layout->addWidget(m_buttons);
    setMinimumWidth(460);

    QSettings settings;
    m_url->setText(settings.value(u"connection/url"_s, client->baseUrl().toString()).toString());
    m_user->setText(settings.value(u"connection/user"_s, u"admin"_s).toString());
    m_remember->setChecked(settings.value(u"connection/remember"_s, true).toBool());
    if (!m_url->text().isEmpty() && !m_user->text().isEmpty())
        m_password->setFocus();

    connect(m_buttons, &QDialogButtonBox::accepted, this, &ConnectionDialog::signIn);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
}

void ConnectionDialog::setUrl(const QString &url)
{
    m_url->setText(url);
}

void ConnectionDialog::setUser(const QString &user)
{
    m_user->setText(user);
}

void ConnectionDialog::signIn()
{
    QUrl url = QUrl::fromUserInput(m_url->text().trimmed());
    if (!url.isValid() || (url.scheme() != u"http"_s && url.scheme() != u"https"_s) || url.host().isEmpty()) {
        m_message->showError(tr("Enter the relay's address, for example http://127.0.0.1:3000."));
        m_url->setFocus();
        return;
    }
    if (m_user->text().trimmed().isEmpty() || m_password->text().isEmpty()) {
        m_message->showError(tr("Enter the user name and the password."));
        (m_user->text().trimmed().isEmpty() ? m_user : m_password)->setFocus();
        return;
    }
    setBusy(true);
    m_message->showBusy(tr("Signing in to %1…").arg(url.toDisplayString()));
    m_client->setBaseUrl(url);
    m_client->signIn(m_user->text().trimmed(), m_password->text(), this, [this, url](const AdminReply &reply) {
        setBusy(false);
        if (!reply.ok()) {
            m_message->showError(reply.status == 401 ? tr("Wrong user name or password.") : reply.errorText());
            m_password->selectAll();
            m_password->setFocus();
            return;
        }
        QSettings settings;
        settings.setValue(u"connection/remember"_s, m_remember->isChecked());
        if (m_remember->isChecked()) {
            settings.setValue(u"connection/url"_s, url.toString());
            settings.setValue(u"connection/user"_s, m_user->text().trimmed());
        } else {
            settings.remove(u"connection/url"_s);
            settings.remove(u"connection/user"_s);
        }
        m_password->clear();
        Q_EMIT signedIn();
        accept();
    });
}

void ConnectionDialog::setBusy(bool busy)
{
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!busy);
    m_url->setEnabled(!busy);
    m_user->setEnabled(!busy);
    m_password->setEnabled(!busy);
}

} // namespace Console
