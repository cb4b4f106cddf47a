package io.msgc.bench.rig;

import io.msgc.conf.IdleStrategyKind;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns pairs of results (msgc, relay) into the markdown table with ratios, the target checks, one {@code .hdr}
 * file per run and one percentile plot per scenario.
 */
final class Report
{
    /** Ratio and throughput targets, checked on the busy-spin profile at 64 B. */
    static final int TARGET_SIZE = 64;
    static final double RTT_P50_RATIO = 1.25;
    static final double RTT_P99_RATIO = 1.5;
    static final double THROUGHPUT_RATIO = 0.6;
    static final double TWO_NODE_MSG_PER_SEC = 2_000_000;

    private final List<RunResult[]> pairs = new ArrayList<>();

    /**
     * @param msgc  msgc's result.
     * @param relay the relay's result for the same scenario.
     */
    void add(final RunResult msgc, final RunResult relay)
    {
        pairs.add(new RunResult[]{msgc, relay});
    }

    /**
     * @return true when every run met its rate with no loss and no duplicate.
     */
    boolean allRunsPassed()
    {
        for (final RunResult[] pair : pairs)
        {
            if (pair[0].failure() != null || pair[1].failure() != null)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Write the {@code .hdr} files and plots under {@code dir}.
     *
     * @param dir output directory.
     * @throws IOException when a file cannot be written.
     */
    void writeFiles(final File dir) throws IOException
    {
        final File hdr = new File(dir, "hdr");
        final File plots = new File(dir, "plots");
        if (!hdr.isDirectory() && !hdr.mkdirs() || !plots.isDirectory() && !plots.mkdirs())
        {
            throw new IOException("cannot create " + hdr + " and " + plots);
        }
        for (final RunResult[] pair : pairs)
        {
            final String id = pair[0].scenario().id();
            for (final RunResult r : pair)
            {
                try (PrintStream out = new PrintStream(new File(hdr, id + "-" + r.system() + ".hdr")))
                {
                    final HistogramLogWriter writer = new HistogramLogWriter(out);
                    writer.outputComment("msgc-bench " + id + " " + r.system() + ", latency in ns");
                    writer.outputLogFormatVersion();
                    writer.outputLegend();
                    writer.outputIntervalHistogram(r.histogram());
                }
            }
            PercentilePlot.write(new File(plots, id + ".png"), id,
                new String[]{label(pair[0]), label(pair[1])},
                new Histogram[]{pair[0].histogram(), pair[1].histogram()});
        }
    }

    private static String label(final RunResult r)
    {
        final Histogram h = r.histogram();
        return String.format("%s  p50 %s  p99 %s µs", r.system(), micros(h.getValueAtPercentile(50)),
            micros(h.getValueAtPercentile(99)));
    }

    /**
     * @return the markdown table, one section per idle profile, then the target checks.
     */
    String markdown()
    {
        final StringBuilder sb = new StringBuilder();
        IdleStrategyKind profile = null;
        for (final RunResult[] pair : pairs)
        {
            final Scenario s = pair[0].scenario();
            if (s.idle() != profile)
            {
                profile = s.idle();
                sb.append("\n### Profile `").append(profile.configName()).append("`\n\n")
                    .append("| scenario | nodes | size B | rate | system | p50 µs | p90 µs | p99 µs | p99.9 µs | max µs |")
                    .append(" msg/s | MB/s | p50 ÷ relay | p99 ÷ relay | msg/s ÷ relay | result |\n")
                    .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            }
            row(sb, pair[0], pair[1]);
            row(sb, pair[1], null);
        }
        sb.append("\n### Targets (busy-spin, ").append(TARGET_SIZE).append(" B)\n\n");
        targets(sb);
        return sb.toString();
    }

    private static void row(final StringBuilder sb, final RunResult r, final RunResult relay)
    {
        final Scenario s = r.scenario();
        final Histogram h = r.histogram();
        final String kind = s.kind() == Scenario.Kind.FAN_OUT ? "fan-out 1→" + s.subscribers() :
            s.kind() == Scenario.Kind.RTT ? "round trip" : "1→1";
        sb.append("| ").append(relay == null ? "" : kind)
            .append(" | ").append(s.nodes())
            .append(" | ").append(s.size())
            .append(" | ").append(s.rateLabel())
            .append(" | ").append(r.system())
            .append(" | ").append(micros(h.getValueAtPercentile(50)))
            .append(" | ").append(micros(h.getValueAtPercentile(90)))
            .append(" | ").append(micros(h.getValueAtPercentile(99)))
            .append(" | ").append(micros(h.getValueAtPercentile(99.9)))
            .append(" | ").append(micros(h.getMaxValue()))
            .append(" | ").append(count(r.msgPerSec()))
            .append(" | ").append(String.format("%.1f", r.megabytesPerSec()));
        if (relay != null)
        {
            sb.append(" | ").append(ratio(h.getValueAtPercentile(50), relay.histogram().getValueAtPercentile(50)))
                .append(" | ").append(ratio(h.getValueAtPercentile(99), relay.histogram().getValueAtPercentile(99)))
                .append(" | ").append(ratio(r.msgPerSec(), relay.msgPerSec()));
        }
        else
        {
            sb.append(" | | | ");
        }
        sb.append(" | ").append(r.failure() == null ? "ok" : "**FAIL** " + r.failure()).append(" |\n");
    }

    private void targets(final StringBuilder sb)
    {
        int checked = 0;
        for (final RunResult[] pair : pairs)
        {
            final RunResult m = pair[0];
            final RunResult relay = pair[1];
            final Scenario s = m.scenario();
            if (s.idle() != IdleStrategyKind.BUSY_SPIN || s.size() != TARGET_SIZE)
            {
                continue;
            }
            final String where = s.id();
            if (s.kind() == Scenario.Kind.RTT)
            {
                checked += check(sb, where + " round-trip p50", m.histogram().getValueAtPercentile(50),
                    relay.histogram().getValueAtPercentile(50), RTT_P50_RATIO);
                checked += check(sb, where + " round-trip p99", m.histogram().getValueAtPercentile(99),
                    relay.histogram().getValueAtPercentile(99), RTT_P99_RATIO);
            }
            else if (s.kind() == Scenario.Kind.ONE_WAY && s.rate() == 0)
            {
                final double r = m.msgPerSec() / relay.msgPerSec();
                sb.append(String.format("- %s %s throughput %s msg/s = %.2f× relay (target ≥ %.2f×)%n",
                    r >= THROUGHPUT_RATIO ? "met" : "**MISSED**", where, count(m.msgPerSec()), r, THROUGHPUT_RATIO));
                checked++;
                if (s.nodes() == 2)
                {
                    sb.append(String.format("- %s %s two-node throughput %s msg/s (target ≥ %s msg/s)%n",
                        m.msgPerSec() >= TWO_NODE_MSG_PER_SEC ? "met" : "**MISSED**", where, count(m.msgPerSec()),
                        count(TWO_NODE_MSG_PER_SEC)));
                }
            }
        }
        if (checked == 0)
        {
            sb.append("- no busy-spin ").append(TARGET_SIZE).append(" B scenario in this run\n");
        }
    }

    private static int check(
        final StringBuilder sb, final String what, final double value, final double relay, final double limit)
    {
        final double r = value / relay;
        sb.append(String.format("- %s %s %s µs = %.2f× relay %s µs (target ≤ %.2f×)%n",
            r <= limit ? "met" : "**MISSED**", what, micros((long)value), r, micros((long)relay), limit));
        return 1;
    }

    static String micros(final long nanos)
    {
        return nanos >= 100_000 ? String.format("%.0f", nanos / 1000.0) : String.format("%.1f", nanos / 1000.0);
    }

    static String count(final double perSecond)
    {
        if (perSecond >= 1e6)
        {
            return String.format("%.2fM", perSecond / 1e6);
        }
        return perSecond >= 1e3 ? String.format("%.1fk", perSecond / 1e3) : String.format("%.0f", perSecond);
    }

    private static String ratio(final double value, final double relay)
    {
        return relay <= 0 ? "-" : String.format("%.2f×", value / relay);
    }
}
