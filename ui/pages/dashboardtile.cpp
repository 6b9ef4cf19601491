// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/dashboardtile.h"

#include <QLabel>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace Console {

DashboardTile::DashboardTile(const QString &objectName, QWidget *parent)
    : QFrame(parent)
    , m_title(new QLabel(this))
    , m_value(new QLabel(u"–"_s, this))
    , m_detail(new QLabel(this))
{
    setObjectName(objectName);
    m_value->setObjectName(objectName + u"Value"_s);
    m_detail->setObjectName(objectName + u"Detail"_s);
    setFrameShape(QFrame::StyledPanel);
    setStyleSheet(
        u"Console--DashboardTile{background:palette(base);border:1px solid palette(mid);border-radius:6px;}"_s);
    m_title->setStyleSheet(u"color:#6b7280;"_s);
    m_value->setStyleSheet(u"font-size:20px;font-weight:600;"_s);
    m_detail->setStyleSheet(u"color:#6b7280;font-size:11px;"_s);
    m_value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(12, 8, 12, 8);
    layout->setSpacing(2);
    layout->addWidget(m_title);
    layout->addWidget(m_value);
    layout->addWidget(m_detail);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

void DashboardTile::setTitle(const QString &title)
{
    m_title->setText(title);
    setAccessibleName(title);
}

void DashboardTile::setValue(const QString &value)
{
    m_value->setText(value);
    setAccessibleDescription(value);
}

void DashboardTile::setDetail(const QString &detail)
{
    m_detail->setText(detail);
}

QString DashboardTile::value() const
{
    return m_value->text();
}

QString DashboardTile::detail() const
{
    return m_detail->text();
}

} // namespace Console
