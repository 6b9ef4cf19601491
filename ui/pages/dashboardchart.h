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

// One Dashboard chart: line series over a time axis (HH:mm:ss) and a value axis from 0 that grows at once with the
// data and shrinks only when the data fall well below it, so the scale does not jump every second. Light theme,
// antialiased, legend at the bottom; a centred hint ("No requests yet") over the empty plot.
class DashboardChart : public QChartView
{
    Q_OBJECT
public:
    explicit DashboardChart(QWidget *parent = nullptr);

    QLineSeries *addSeries(const QString &objectName, const QColor &color);
    // The smallest top of the value axis (so an idle chart still shows a sensible scale) and its label format.
    void setValueFloor(double floor, const QString &labelFormat);
    // The visible time span and the largest value shown; call once per update.
    void setTimeRange(qint64 fromMs, qint64 toMs);
    void setValueMaximum(double maximum);
    // An empty text hides the hint.
    void setHint(const QString &text);
    QString hint() const;

    QDateTimeAxis *timeAxis() const { return m_timeAxis; }
    QValueAxis *valueAxis() const { return m_valueAxis; }

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    void placeHint();

    QDateTimeAxis *m_timeAxis;
    QValueAxis *m_valueAxis;
    QLabel *m_hint;
    double m_floor = 1;
};

} // namespace Console
