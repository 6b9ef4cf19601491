// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QChartView>
#include <QColor>
#include <QList>
#include <QPointF>

class QDateTimeAxis;
class QLabel;
class QLineSeries;
class QValueAxis;

namespace Console {

// One Dashboard chart: line series over a time axis (HH:mm:ss) and a value axis from 0 with round ticks (steps of
// 1, 2 or 5 × 10^k) that grows at once with the data and shrinks only when the data fall well below it, so the
// scale does not jump every second. Light theme, antialiased, legend at the bottom; a centred hint ("No requests
// yet") over the empty plot.
class DashboardChart : public QChartView
{
    Q_OBJECT
public:
    explicit DashboardChart(QWidget *parent = nullptr);

    QLineSeries *addSeries(const QString &objectName, const QColor &color);
    // Replaces a series' points (oldest first). A line needs two neighbouring points, so a point next to a gap wider
    // than maxStepMs (an isolated second with traffic, or the end of a stretch of data) gets a dot: nothing measured
    // is invisible, and the line drawn across a gap is told apart from measurements.
    static void setPoints(QLineSeries *series, const QList<QPointF> &points, double maxStepMs);
    // The smallest top of the value axis, so an idle chart still shows a sensible scale.
    void setValueFloor(double floor);
    // The visible time span and the largest value shown; call once per update.
    void setTimeRange(qint64 fromMs, qint64 toMs);
    void setValueMaximum(double maximum);
    // The distance between two value ticks (a round number).
    double valueStep() const { return m_step; }
    // An empty text hides the hint.
    void setHint(const QString &text);
    QString hint() const;

    QDateTimeAxis *timeAxis() const { return m_timeAxis; }
    QValueAxis *valueAxis() const { return m_valueAxis; }

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void setValueTop(double top);
    void placeHint();

    QDateTimeAxis *m_timeAxis;
    QValueAxis *m_valueAxis;
    QLabel *m_hint;
    double m_floor = 1;
    double m_step = 0.2;
};

} // namespace Console
