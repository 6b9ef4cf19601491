// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QList>
#include <QString>
#include <QWidget>

namespace Console {

// The stages of one request as a waterfall: one bar per stage on a common time axis (milliseconds from the
// request's first byte), the stage's name on the left and its duration next to the bar. Colours come from a small
// fixed set chosen to read on both light and dark palettes; text uses the palette.
class WaterfallWidget : public QWidget
{
    Q_OBJECT
public:
    struct Stage
    {
        QString name;
        qint64 startUs = 0;
        qint64 endUs = 0;
        qint64 durationUs() const { return endUs - startUs; }
    };

    explicit WaterfallWidget(QWidget *parent = nullptr);

    void setStages(const QList<Stage> &stages);
    QList<Stage> stages() const { return m_stages; }
    void clear();
    // Shown when there are no stages ("Select a request…").
    void setEmptyText(const QString &text);
    QString emptyText() const { return m_emptyText; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    QList<Stage> m_stages;
    QString m_emptyText;
};

} // namespace Console
