// SPDX-License-Identifier: GPL-3.0-or-later
// Build-time tool: renders the application SVG icon to the PNG sizes of the hicolor icon theme, so the PNGs are never
// committed and always match the SVG.
//   relaydeck-rendericon INPUT.svg OUTPUT_DIR SIZE... → OUTPUT_DIR/<SIZE>x<SIZE>/apps/<INPUT basename>.png
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QSvgRenderer>
#include <QTextStream>

int main(int argc, char *argv[])
{
    // No display is needed: the offscreen platform is enough to paint into a QImage.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    QTextStream err(stderr);
    const QStringList args = QCoreApplication::arguments();
    if (args.size() < 4) {
        err << "usage: relaydeck-rendericon INPUT.svg OUTPUT_DIR SIZE...\n";
        return 2;
    }
    QSvgRenderer renderer(args.at(1));
    if (!renderer.isValid()) {
        err << "relaydeck-rendericon: cannot read " << args.at(1) << '\n';
        return 1;
    }
    const QString name = QFileInfo(args.at(1)).completeBaseName() + QStringLiteral(".png");
    for (qsizetype i = 3; i < args.size(); ++i) {
        bool ok = false;
        const int size = args.at(i).toInt(&ok);
        if (!ok || size <= 0 || size > 4096) {
            err << "relaydeck-rendericon: bad size " << args.at(i) << '\n';
            return 2;
        }
        QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        {
            QPainter painter(&image);
            painter.setRenderHint(QPainter::Antialiasing);
            renderer.render(&painter);
        }
        const QString dir = QStringLiteral("%1/%2x%2/apps").arg(args.at(2)).arg(size);
        if (!QDir().mkpath(dir) || !image.save(dir + QLatin1Char('/') + name, "PNG")) {
            err << "relaydeck-rendericon: cannot write " << dir << '/' << name << '\n';
            return 1;
        }
    }
    return 0;
}
