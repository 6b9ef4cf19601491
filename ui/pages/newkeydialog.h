// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace Console {

// Shows a clear API key once, right after it was created or regenerated: the relay keeps only its hash, so this is
// the operator's only chance to copy it.
class NewKeyDialog : public QDialog
{
    Q_OBJECT
public:
    enum class Reason { Created, Regenerated };

    NewKeyDialog(const QString &keyName, const QString &clearKey, Reason reason, QWidget *parent = nullptr);

    QString clearKey() const;

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    void copy();

    QString m_keyName;
    Reason m_reason;
    bool m_copied = false;
    QLabel *m_intro;
    QLineEdit *m_key;
    QPushButton *m_copy;
    QLabel *m_warning;
    QDialogButtonBox *m_buttons;
};

} // namespace Console
