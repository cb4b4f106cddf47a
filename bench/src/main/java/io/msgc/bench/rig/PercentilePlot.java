package io.msgc.bench.rig;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;

/**
 * Draws latency-by-percentile curves (the usual HdrHistogram plot: percentile on a log "nines" axis, latency on a
 * log axis) of every system of one scenario, as a PNG.
 */
final class PercentilePlot
{
    private static final int WIDTH = 900;
    private static final int HEIGHT = 540;
    private static final int LEFT = 80;
    private static final int RIGHT = 30;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final double MAX_NINES = 5; // 99.999%
    private static final String[] NINES = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%"};
    private static final Color[] COLORS =
        {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e)};

    private PercentilePlot()
    {
    }

    /**
     * @param file   PNG to write.
     * @param title  plot title.
     * @param labels one label per histogram.
     * @param histograms latency in ns.
     * @throws IOException when the file cannot be written.
     */
    static void write(final File file, final String title, final String[] labels, final Histogram[] histograms)
        throws IOException
    {
        long maxNs = 1000;
        long minNs = Long.MAX_VALUE;
        for (final Histogram h : histograms)
        {
            if (h.getTotalCount() > 0)
            {
                maxNs = Math.max(maxNs, h.getMaxValue());
                minNs = Math.min(minNs, Math.max(1, h.getMinValue()));
            }
        }
        final double yLow = Math.floor(Math.log10(Math.min(minNs, maxNs) / 1000.0));
        final double yHigh = Math.max(yLow + 1, Math.ceil(Math.log10(maxNs / 1000.0)));

        final BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        final int plotW = WIDTH - LEFT - RIGHT;
        final int plotH = HEIGHT - TOP - BOTTOM;

        g.setColor(new Color(0xdddddd));
        for (int i = 0; i <= MAX_NINES; i++)
        {
            final int x = LEFT + (int)(plotW * i / MAX_NINES);
            g.drawLine(x, TOP, x, TOP + plotH);
        }
        for (double d = yLow; d <= yHigh; d++)
        {
            final int y = TOP + plotH - (int)(plotH * (d - yLow) / (yHigh - yLow));
            g.drawLine(LEFT, y, LEFT + plotW, y);
        }
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, plotW, plotH);
        for (int i = 0; i <= MAX_NINES; i++)
        {
            final int x = LEFT + (int)(plotW * i / MAX_NINES);
            final int w = g.getFontMetrics().stringWidth(NINES[i]);
            g.drawString(NINES[i], Math.min(x - w / 2, WIDTH - w - 2), TOP + plotH + 18);
        }
        for (double d = yLow; d <= yHigh; d++)
        {
            final int y = TOP + plotH - (int)(plotH * (d - yLow) / (yHigh - yLow));
            g.drawString(formatMicros(Math.pow(10, d)), 10, y + 4);
        }
        g.drawString("percentile", LEFT + plotW / 2 - 30, HEIGHT - 15);
        g.drawString("latency (µs, log)", 10, TOP - 10);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(title, LEFT, 25);

        g.setStroke(new BasicStroke(2f));
        for (int k = 0; k < histograms.length; k++)
        {
            final Histogram h = histograms[k];
            g.setColor(COLORS[k % COLORS.length]);
            g.drawString(labels[k], LEFT + plotW - 220, TOP + 20 + 18 * k);
            if (h.getTotalCount() == 0)
            {
                continue;
            }
            final Path2D.Double path = new Path2D.Double();
            boolean first = true;
            for (final HistogramIterationValue v : h.percentiles(5))
            {
                final double p = v.getPercentileLevelIteratedTo() / 100.0;
                final double nines = p >= 1 ? MAX_NINES : Math.min(MAX_NINES, -Math.log10(1 - p));
                final double micros = Math.max(h.highestEquivalentValue(v.getValueIteratedTo()), 1) / 1000.0;
                final double x = LEFT + plotW * nines / MAX_NINES;
                final double y = TOP + plotH - plotH * (Math.log10(micros) - yLow) / (yHigh - yLow);
                if (first)
                {
                    path.moveTo(x, y);
                    first = false;
                }
                else
                {
                    path.lineTo(x, y);
                }
            }
            g.draw(path);
        }
        g.dispose();
        ImageIO.write(image, "png", file);
    }

    private static String formatMicros(final double micros)
    {
        return micros >= 1 ? String.format("%.0f", micros) : String.format("%.2f", micros);
    }
}
