// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/dashboardchart.h"

#include <QDateTime>
#include <QDateTimeAxis>
#include <QLabel>
#include <QLineSeries>
#include <QPen>
#include <QValueAxis>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Console {

namespace {

// The next "nice" number (1, 2, 2.5, 5 × 10^k) at or above value.
double niceCeiling(double value)
{
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (const double step : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (step * magnitude >= value * (1 - 1e-9))
            return step * magnitude;
    return 10 * magnitude;
}

} // namespace

DashboardChart::DashboardChart(QWidget *parent)
    : QChartView(parent)
    , m_timeAxis(new QDateTimeAxis)
    , m_valueAxis(new QValueAxis)
    , m_hint(new QLabel(this))
{
    auto *chart = new QChart;
    chart->setTheme(QChart::ChartThemeLight);
    chart->setBackgroundRoundness(0);
    chart->setMargins(QMargins(4, 4, 4, 4));
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setAnimationOptions(QChart::NoAnimation); // a second's data must not glide in over the next second
    m_timeAxis->setFormat(u"HH:mm:ss"_s);
    m_timeAxis->setTickCount(6);
    m_valueAxis->setRange(0, m_floor);
    m_valueAxis->setTickCount(5);
    m_valueAxis->setLabelFormat(u"%g"_s);
    chart->addAxis(m_timeAxis, Qt::AlignBottom);
    chart->addAxis(m_valueAxis, Qt::AlignLeft);
    setChart(chart);
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(220);

    m_hint->setAlignment(Qt::AlignCenter);
    m_hint->setAttribute(Qt::WA_TransparentForMouseEvents);
    m_hint->setStyleSheet(u"color:#6b7280;font-size:13px;background:transparent;"_s);
    m_hint->hide();
}

QLineSeries *DashboardChart::addSeries(const QString &objectName, const QColor &color)
{
    auto *series = new QLineSeries;
    series->setObjectName(objectName);
    QPen pen(color);
    pen.setWidthF(1.8);
    series->setPen(pen);
    chart()->addSeries(series);
    series->attachAxis(m_timeAxis);
    series->attachAxis(m_valueAxis);
    return series;
}

void DashboardChart::setValueFloor(double floor, const QString &labelFormat)
{
    m_floor = floor;
    m_valueAxis->setLabelFormat(labelFormat);
    if (m_valueAxis->max() < floor)
        m_valueAxis->setRange(0, floor);
}

void DashboardChart::setTimeRange(qint64 fromMs, qint64 toMs)
{
    const QDateTime from = QDateTime::fromMSecsSinceEpoch(fromMs);
    const QDateTime to = QDateTime::fromMSecsSinceEpoch(toMs);
    if (m_timeAxis->min() != from || m_timeAxis->max() != to)
        m_timeAxis->setRange(from, to);
}

void DashboardChart::setValueMaximum(double maximum)
{
    const double wanted = niceCeiling(std::max(m_floor, maximum * 1.1));
    const double current = m_valueAxis->max();
    // Grow at once; shrink only when the data use less than a third of the axis.
    if (wanted > current || wanted < current / 3 || current < m_floor)
        m_valueAxis->setRange(0, wanted);
}

void DashboardChart::setHint(const QString &text)
{
    m_hint->setText(text);
    m_hint->setVisible(!text.isEmpty());
    placeHint();
}

QString DashboardChart::hint() const
{
    return m_hint->isVisible() ? m_hint->text() : QString();
}

void DashboardChart::resizeEvent(QResizeEvent *event)
{
    QChartView::resizeEvent(event);
    placeHint();
}

void DashboardChart::placeHint()
{
    const QRectF plot = chart()->plotArea();
    const QRect area = plot.isEmpty() ? rect() : mapFromScene(plot).boundingRect();
    m_hint->setGeometry(area);
}

} // namespace Console
