// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/newkeydialog.h"

#include "ui/icons.h"

#include <QClipboard>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Console {

NewKeyDialog::NewKeyDialog(const QString &keyName, const QString &clearKey, Reason reason, QWidget *parent)
    : QDialog(parent)
    , m_keyName(keyName)
    , m_reason(reason)
    , m_intro(new QLabel(this))
    , m_key(new QLineEdit(clearKey, this))
    , m_copy(new QPushButton(icon(u"copy"_s), QString(), this))
    , m_warning(new QLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Close, this))
{
    setObjectName(u"newKeyDialog"_s);
    setAttribute(Qt::WA_DeleteOnClose);
    m_intro->setWordWrap(true);
    m_key->setObjectName(u"newKeyValue"_s);
    m_key->setReadOnly(true);
    m_key->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_key->setMinimumWidth(m_key->fontMetrics().horizontalAdvance(clearKey) + 24);
    m_key->setCursorPosition(0);
    m_copy->setObjectName(u"copyKeyButton"_s);
    m_warning->setObjectName(u"newKeyWarning"_s);
    m_warning->setWordWrap(true);
    m_warning->setStyleSheet(u"color:#92400e;"_s);

    auto *keyRow = new QHBoxLayout;
    keyRow->addWidget(m_key, 1);
    keyRow->addWidget(m_copy);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_intro);
    layout->addLayout(keyRow);
    layout->addWidget(m_warning);
    layout->addWidget(m_buttons);

    connect(m_copy, &QPushButton::clicked, this, &NewKeyDialog::copy);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    m_copy->setDefault(true);
    m_copy->setFocus();
    retranslate();
}

QString NewKeyDialog::clearKey() const
{
    return m_key->text();
}

void NewKeyDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QDialog::changeEvent(event);
}

void NewKeyDialog::retranslate()
{
    setWindowTitle(m_reason == Reason::Created ? tr("API key created") : tr("API key regenerated"));
    m_intro->setText(m_reason == Reason::Created
                         ? tr("The API key \"%1\" was created. Give this key to its user:").arg(m_keyName)
                         : tr("The API key \"%1\" has a new secret; the old one no longer works. Give this key to "
                              "its user:")
                               .arg(m_keyName));
    m_key->setAccessibleName(tr("New API key"));
    m_copy->setText(m_copied ? tr("Copied") : tr("Copy"));
    m_copy->setAccessibleName(tr("Copy the key to the clipboard"));
    m_warning->setText(
        tr("This key will not be shown again. The relay keeps only a hash of it: copy it now and store it safely."));
}

void NewKeyDialog::copy()
{
    QGuiApplication::clipboard()->setText(m_key->text());
    m_copied = true;
    retranslate();
}

} // namespace Console
