// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/widgets/messagebar.h"

#include "ui/icons.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QTimer>
#include <QToolButton>

using namespace Qt::StringLiterals;

namespace Console {

MessageBar::MessageBar(QWidget *parent)
    : QFrame(parent)
    , m_icon(new QLabel(this))
    , m_text(new QLabel(this))
    , m_close(new QToolButton(this))
{
    setObjectName(u"messageBar"_s);
    setFrameShape(QFrame::StyledPanel);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(8, 4, 4, 4);
    layout->addWidget(m_icon);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_close);
    m_text->setWordWrap(true);
    m_text->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_close->setIcon(icon(u"close"_s));
    m_close->setAutoRaise(true);
    m_close->setAccessibleName(tr("Close message"));
    connect(m_close, &QToolButton::clicked, this, &MessageBar::clear);
    hide();
}

void MessageBar::showMessage(Kind kind, const QString &text)
{
    m_kind = kind;
    m_text->setText(text);
    m_text->setAccessibleName(text);
    const int generation = ++m_generation;
    QString colors;
    QString iconName;
    switch (kind) {
    case Kind::Error:
        colors = u"background:#fdecea;border:1px solid #f5c2c0;color:#7f1d1d;"_s;
        iconName = u"error"_s;
        break;
    case Kind::Success:
        colors = u"background:#e8f5e9;border:1px solid #b7dfb9;color:#1b5e20;"_s;
        iconName = u"ok"_s;
        break;
    case Kind::Busy:
        colors = u"background:#eef4fb;border:1px solid #c6d9f1;color:#1e3a5f;"_s;
        iconName = u"busy"_s;
        break;
    case Kind::Information:
        colors = u"background:#eef4fb;border:1px solid #c6d9f1;color:#1e3a5f;"_s;
        iconName = u"info"_s;
        break;
    }
    setStyleSheet(u"#messageBar{"_s + colors +
                  u"border-radius:4px;} #messageBar QLabel{border:none;background:transparent;}"_s);
    m_icon->setPixmap(icon(iconName).pixmap(16, 16));
    m_close->setVisible(kind != Kind::Busy);
    show();
    if (kind == Kind::Success || kind == Kind::Information)
        QTimer::singleShot(6000, this, [this, generation] {
            if (generation == m_generation)
                clear();
        });
}

void MessageBar::clear()
{
    ++m_generation;
    m_text->clear();
    hide();
}

QString MessageBar::text() const
{
    return isVisible() || !m_text->text().isEmpty() ? m_text->text() : QString();
}

} // namespace Console
