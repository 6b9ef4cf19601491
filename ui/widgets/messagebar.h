// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QFrame>

class QLabel;
class QToolButton;

namespace Console {

// A one-line message at the top of a page: an error (red), a success (green), information, or "working…" with a
// busy indicator. Errors stay until closed or replaced; success and information fade after a few seconds.
class MessageBar : public QFrame
{
    Q_OBJECT
public:
    enum class Kind { Information, Success, Error, Busy };

    explicit MessageBar(QWidget *parent = nullptr);

    void showMessage(Kind kind, const QString &text);
    void showError(const QString &text) { showMessage(Kind::Error, text); }
    void showSuccess(const QString &text) { showMessage(Kind::Success, text); }
    void showBusy(const QString &text) { showMessage(Kind::Busy, text); }
    void clear();

    Kind kind() const { return m_kind; }
    QString text() const;

private:
    QLabel *m_icon;
    QLabel *m_text;
    QToolButton *m_close;
    Kind m_kind = Kind::Information;
    int m_generation = 0;
};

} // namespace Console
