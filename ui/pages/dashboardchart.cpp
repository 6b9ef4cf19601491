// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/pages/dashboardchart.h"

#include <QDateTime>
#include <QDateTimeAxis>
#include <QHash>
#include <QLabel>
#include <QLineSeries>
#include <QPen>
#include <QValueAxis>
#include <QVariant>

#include <cmath>

using namespace Qt::StringLiterals;

namespace Console {

namespace {

constexpr int MaxValueIntervals = 5;
constexpr qreal DotRadius = 3;

// The smallest round step (1, 2 or 5 × 10^k) that covers value in at most MaxValueIntervals ticks.
double niceStep(double value)
{
    const double rough = value / MaxValueIntervals;
    const double magnitude = std::pow(10.0, std::floor(std::log10(rough)));
    for (const double step : {1.0, 2.0, 5.0})
        if (step * magnitude >= rough * (1 - 1e-9))
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
    // %g: 0.5, 1, 2.5, 20 — no trailing zeros, no needless decimals.
    m_valueAxis->setLabelFormat(u"%g"_s);
    m_valueAxis->setTickType(QValueAxis::TicksFixed);
    m_valueAxis->setMinorTickCount(0);
    chart->addAxis(m_timeAxis, Qt::AlignBottom);
    chart->addAxis(m_valueAxis, Qt::AlignLeft);
    setValueTop(m_floor);
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
    series->setMarkerSize(DotRadius);
    chart()->addSeries(series);
    series->attachAxis(m_timeAxis);
    series->attachAxis(m_valueAxis);
    return series;
}

void DashboardChart::setPoints(QLineSeries *series, const QList<QPointF> &points, double maxStepMs)
{
    QHash<int, QHash<QXYSeries::PointConfiguration, QVariant>> dots;
    const qsizetype count = points.size();
    for (qsizetype i = 0; i < count; ++i) {
        const bool gapBefore = i > 0 && points.at(i).x() - points.at(i - 1).x() > maxStepMs;
        const bool gapAfter = i + 1 < count && points.at(i + 1).x() - points.at(i).x() > maxStepMs;
        const bool alone = (i == 0 || gapBefore) && (i + 1 == count || gapAfter);
        if (gapBefore || gapAfter || alone)
            dots.insert(int(i), {{QXYSeries::PointConfiguration::Visibility, true},
                                 {QXYSeries::PointConfiguration::Size, DotRadius}});
    }
    series->replace(points);
    if (dots != series->pointsConfiguration())
        series->setPointsConfiguration(dots);
}

void DashboardChart::setValueFloor(double floor)
{
    m_floor = floor;
    if (m_valueAxis->max() < floor)
        setValueTop(floor);
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
    const double wanted = std::max(m_floor, maximum * 1.1);
    const double current = m_valueAxis->max();
    // Grow at once; shrink only when the data use less than a third of the axis.
    if (wanted > current || wanted < current / 3 || current < m_floor)
        setValueTop(wanted);
}

void DashboardChart::setValueTop(double top)
{
    m_step = niceStep(top);
    const int intervals = std::max(1, int(std::ceil(top / m_step - 1e-9)));
    m_valueAxis->setRange(0, intervals * m_step);
    m_valueAxis->setTickCount(intervals + 1);
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
