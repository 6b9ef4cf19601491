// SPDX-License-Identifier: GPL-3.0-or-later
#include "ui/widgets/waterfallwidget.h"

#include "ui/format.h"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <array>
#include <cmath>

namespace Console {

namespace {

constexpr int RowHeight = 24;
constexpr int AxisHeight = 22;
constexpr int Margin = 8;

// Mid-saturation hues: dark enough for white-ish backgrounds, light enough for dark ones.
const std::array<QColor, 7> StageColors{QColor(0x4c, 0x8b, 0xf5), QColor(0x9b, 0x6b, 0xd6), QColor(0x2f, 0xa8, 0x9a),
                                        QColor(0xe0, 0x8a, 0x2e), QColor(0xd9, 0x5b, 0x7a), QColor(0x3f, 0xa9, 0x4f),
                                        QColor(0x8a, 0x8f, 0x98)};

// A tick step of 1, 2 or 5 times a power of ten that gives about `wanted` ticks over `range`.
double niceStep(double range, int wanted)
{
    const double raw = range / std::max(1, wanted);
    const double power = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double factor : {1.0, 2.0, 5.0, 10.0})
        if (raw <= factor * power)
            return factor * power;
    return 10 * power;
}

} // namespace

WaterfallWidget::WaterfallWidget(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
}

void WaterfallWidget::setStages(const QList<Stage> &stages)
{
    m_stages = stages;
    updateGeometry();
    update();
}

void WaterfallWidget::clear()
{
    setStages({});
}

void WaterfallWidget::setEmptyText(const QString &text)
{
    m_emptyText = text;
    update();
}

QSize WaterfallWidget::sizeHint() const
{
    const int rows = std::max<int>(int(m_stages.size()), 6);
    return {600, 2 * Margin + AxisHeight + rows * RowHeight};
}

QSize WaterfallWidget::minimumSizeHint() const
{
    return {300, 2 * Margin + AxisHeight + 3 * RowHeight};
}

void WaterfallWidget::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    const QRect area = rect().adjusted(Margin, Margin, -Margin, -Margin);
    if (m_stages.isEmpty()) {
        painter.setPen(pal.color(QPalette::PlaceholderText));
        painter.drawText(area, Qt::AlignCenter | Qt::TextWordWrap, m_emptyText);
        return;
    }

    const QFontMetrics metrics(font());
    int labelWidth = 0;
    qint64 endUs = 1;
    for (const Stage &stage : m_stages) {
        labelWidth = std::max(labelWidth, metrics.horizontalAdvance(stage.name));
        endUs = std::max(endUs, stage.endUs);
    }
    labelWidth += 12;
    const int valueWidth = metrics.horizontalAdvance(Format::milliseconds(double(endUs) / 1000)) + 16;
    const QRect bars(area.left() + labelWidth, area.top() + AxisHeight, area.width() - labelWidth - valueWidth,
                     area.height() - AxisHeight);
    if (bars.width() < 20)
        return;
    const double totalMs = double(endUs) / 1000;
    const auto xFor = [&](qint64 us) { return bars.left() + double(us) / double(endUs) * bars.width(); };

    // Axis: ms ticks with grid lines down through the rows.
    const double step = niceStep(totalMs, std::max(2, bars.width() / 90));
    QColor grid = pal.color(QPalette::Text);
    grid.setAlpha(40);
    for (double ms = 0; ms <= totalMs + step * 1e-6; ms += step) {
        const double x = xFor(qint64(ms * 1000));
        painter.setPen(grid);
        painter.drawLine(QPointF(x, bars.top()), QPointF(x, bars.top() + m_stages.size() * RowHeight));
        painter.setPen(pal.color(QPalette::PlaceholderText));
        const QString text = Format::milliseconds(ms);
        const int w = metrics.horizontalAdvance(text);
        painter.drawText(QRectF(x - w / 2.0, area.top(), w, AxisHeight - 4), Qt::AlignCenter, text);
    }

    for (qsizetype i = 0; i < m_stages.size(); ++i) {
        const Stage &stage = m_stages.at(i);
        const int top = bars.top() + int(i) * RowHeight;
        painter.setPen(pal.color(QPalette::Text));
        painter.drawText(QRect(area.left(), top, labelWidth - 8, RowHeight), Qt::AlignRight | Qt::AlignVCenter,
                         stage.name);
        const double left = xFor(stage.startUs);
        const double width = std::max(2.0, xFor(stage.endUs) - left);
        QPainterPath path;
        path.addRoundedRect(QRectF(left, top + 5, width, RowHeight - 10), 3, 3);
        painter.fillPath(path, StageColors.at(size_t(i) % StageColors.size()));
        painter.setPen(pal.color(QPalette::Text));
        painter.drawText(QRectF(left + width + 6, top, valueWidth + bars.right() - (left + width), RowHeight),
                         Qt::AlignLeft | Qt::AlignVCenter, Format::milliseconds(double(stage.durationUs()) / 1000));
    }
}

} // namespace Console
