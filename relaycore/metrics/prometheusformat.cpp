// SPDX-License-Identifier: GPL-3.0-or-later
#include "metrics/prometheusformat.h"

#include "metrics/registry.h"

namespace Relay::Metrics {

namespace {

QByteArray typeName(MetricType type)
{
    switch (type) {
    case MetricType::Counter:
        return QByteArrayLiteral("counter");
    case MetricType::Gauge:
        return QByteArrayLiteral("gauge");
    case MetricType::Histogram:
        return QByteArrayLiteral("histogram");
    }
    return QByteArrayLiteral("untyped");
}

// {a="x",b="y"} plus an optional trailing le pair; empty when there is nothing to put in braces.
void appendLabels(QByteArray &out, const QByteArrayList &names, const QByteArrayList &values, const QByteArray &le = {})
{
    if (names.isEmpty() && le.isEmpty())
        return;
    out += '{';
    for (qsizetype i = 0; i < names.size(); ++i) {
        if (i > 0)
            out += ',';
        out += names.at(i);
        out += "=\"";
        out += escapePrometheusLabelValue(values.value(i));
        out += '"';
    }
    if (!le.isEmpty()) {
        if (!names.isEmpty())
            out += ',';
        out += "le=\"";
        out += le;
        out += '"';
    }
    out += '}';
}

void appendSample(QByteArray &out, const QByteArray &name, const QByteArrayList &labelNames,
                  const QByteArrayList &labelValues, const QByteArray &value, const QByteArray &le = {})
{
    out += name;
    appendLabels(out, labelNames, labelValues, le);
    out += ' ';
    out += value;
    out += '\n';
}

} // namespace

QByteArray escapePrometheusLabelValue(const QByteArray &value)
{
    QByteArray out;
    out.reserve(value.size());
    for (const char c : value) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

QByteArray escapePrometheusHelp(const QByteArray &help)
{
    QByteArray out;
    out.reserve(help.size());
    for (const char c : help) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

QByteArray formatMicrosAsSeconds(quint64 usec)
{
    QByteArray out = QByteArray::number(usec / 1'000'000);
    quint64 fraction = usec % 1'000'000;
    if (fraction == 0)
        return out;
    QByteArray digits = QByteArray::number(fraction).rightJustified(6, '0');
    while (digits.endsWith('0'))
        digits.chop(1);
    out += '.';
    out += digits;
    return out;
}

QByteArray renderPrometheus(const MetricsSnapshot &snapshot)
{
    QByteArray out;
    for (const FamilySnapshot &family : snapshot.families) {
        out += "# HELP " + family.name + ' ' + escapePrometheusHelp(family.help) + '\n';
        out += "# TYPE " + family.name + ' ' + typeName(family.type) + '\n';
        for (const SeriesSnapshot &series : family.series) {
            switch (family.type) {
            case MetricType::Counter:
                appendSample(out, family.name, family.labelNames, series.labelValues,
                             QByteArray::number(series.counter));
                break;
            case MetricType::Gauge:
                appendSample(out, family.name, family.labelNames, series.labelValues, QByteArray::number(series.gauge));
                break;
            case MetricType::Histogram: {
                const QByteArray bucketName = family.name + "_bucket";
                const QList<quint64> cumulative = series.histogram.cumulativeCounts(family.bucketBoundsUsec);
                for (qsizetype i = 0; i < family.bucketBoundsUsec.size(); ++i)
                    appendSample(out, bucketName, family.labelNames, series.labelValues,
                                 QByteArray::number(cumulative.at(i)),
                                 formatMicrosAsSeconds(family.bucketBoundsUsec.at(i)));
                const QByteArray count = QByteArray::number(series.histogram.count());
                appendSample(out, bucketName, family.labelNames, series.labelValues, count, QByteArrayLiteral("+Inf"));
                appendSample(out, family.name + "_sum", family.labelNames, series.labelValues,
                             formatMicrosAsSeconds(series.histogram.sum()));
                appendSample(out, family.name + "_count", family.labelNames, series.labelValues, count);
                break;
            }
            }
        }
    }
    return out;
}

QByteArray renderPrometheus(const Registry &registry)
{
    return renderPrometheus(registry.collect());
}

} // namespace Relay::Metrics
