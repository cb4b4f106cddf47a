package io.msgc.bench.rig;

import io.msgc.wire.ServiceType;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the results of each scenario (one per system) into the markdown table with ratios, the target checks,
 * one {@code .hdr} file per run and one percentile plot per scenario.
 * <p>
 * Each row's ratios are against its baseline, measured in the same run: the blocking relay for msgc and the
 * selector relay (the selector relay for msgc where the blocking one did not run); msgc over TCP for the
 * in-process members; msgc's FIFO run of the same traffic for an AGREED run.
 */
final class Report
{
    /** Ratio and throughput targets, checked at 64 B. */
    static final int TARGET_SIZE = 64;
    static final double RTT_P50_RATIO = 1.25;
    static final double RTT_P99_RATIO = 1.5;
    static final double THROUGHPUT_RATIO = 0.6;
    static final double TWO_NODE_MSG_PER_SEC = 2_000_000;
    static final double AGREED_THROUGHPUT_RATIO = 0.5;
    static final double AGREED_RTT_P50_RATIO = 1.5;
    static final long IN_PROCESS_RTT_P50_NS = 2_000;

    /** The results of one scenario, in the order of its systems. */
    record Entry(Scenario scenario, List<RunResult> results)
    {
        RunResult of(final Sut system)
        {
            for (final RunResult r : results)
            {
                if (r.system() == system)
                {
                    return r;
                }
            }
            return null;
        }
    }

    private final List<Entry> entries = new ArrayList<>();

    /**
     * @param scenario what ran.
     * @param results  one result per system.
     */
    void add(final Scenario scenario, final List<RunResult> results)
    {
        entries.add(new Entry(scenario, results));
    }

    /**
     * @return true when every run met its rate with no loss and no duplicate.
     */
    boolean allRunsPassed()
    {
        for (final Entry entry : entries)
        {
            for (final RunResult r : entry.results())
            {
                if (r.failure() != null)
                {
                    return false;
                }
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
        for (final Entry entry : entries)
        {
            final String id = entry.scenario().id();
            final List<RunResult> results = entry.results();
            final String[] labels = new String[results.size()];
            final Histogram[] histograms = new Histogram[results.size()];
            for (int i = 0; i < results.size(); i++)
            {
                final RunResult r = results.get(i);
                try (PrintStream out = new PrintStream(new File(hdr, id + "-" + r.system().fileLabel() + ".hdr")))
                {
                    final HistogramLogWriter writer = new HistogramLogWriter(out);
                    writer.outputComment("msgc-bench " + id + " " + r.system().label + ", latency in ns");
                    writer.outputLogFormatVersion();
                    writer.outputLegend();
                    writer.outputIntervalHistogram(r.histogram());
                }
                labels[i] = label(r);
                histograms[i] = r.histogram();
            }
            PercentilePlot.write(new File(plots, id + ".png"), id, labels, histograms);
        }
    }

    private static String label(final RunResult r)
    {
        final Histogram h = r.histogram();
        return String.format("%s  p50 %s  p99 %s µs", r.system().label, micros(h.getValueAtPercentile(50)),
            micros(h.getValueAtPercentile(99)));
    }

    /**
     * @return the markdown table, one section per profile, then the target checks.
     */
    String markdown()
    {
        final StringBuilder sb = new StringBuilder();
        for (final Profile profile : Profile.values())
        {
            boolean header = false;
            for (final Entry entry : entries)
            {
                if (entry.scenario().profile() == profile)
                {
                    if (!header)
                    {
                        header = true;
                        section(sb, profile);
                    }
                    boolean first = true;
                    for (final RunResult r : entry.results())
                    {
                        row(sb, r, baseline(entry, r), first);
                        first = false;
                    }
                }
            }
        }
        sb.append("\n### Targets (").append(TARGET_SIZE).append(" B)\n\n");
        targets(sb);
        return sb.toString();
    }

    private static void section(final StringBuilder sb, final Profile profile)
    {
        sb.append("\n### Profile `").append(profile.label).append("`\n\n")
            .append("| scenario | nodes | size B | rate | service | system | p50 µs | p90 µs | p99 µs | p99.9 µs |")
            .append(" max µs | msg/s | MB/s | baseline | p50 ÷ | p99 ÷ | msg/s ÷ | result |\n")
            .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    }

    /**
     * @return the result a row is compared with, or null.
     */
    RunResult baseline(final Entry entry, final RunResult r)
    {
        final Scenario s = entry.scenario();
        if (r.system() == Sut.IN_PROCESS)
        {
            return entry.of(Sut.MSGC);
        }
        if (s.service() != ServiceType.FIFO && r.system() == Sut.MSGC)
        {
            for (final Entry other : entries)
            {
                if (other.scenario().service() == ServiceType.FIFO && other.scenario().twinOf(s) &&
                    other.of(Sut.MSGC) != null)
                {
                    return other.of(Sut.MSGC);
                }
            }
            return null;
        }
        if (r.system() == Sut.BLOCKING)
        {
            return null;
        }
        final RunResult blocking = entry.of(Sut.BLOCKING);
        return blocking != null || r.system() == Sut.RELAY ? blocking : entry.of(Sut.RELAY);
    }

    private static void row(final StringBuilder sb, final RunResult r, final RunResult base, final boolean first)
    {
        final Scenario s = r.scenario();
        final Histogram h = r.histogram();
        sb.append("| ").append(first ? s.title() : "")
            .append(" | ").append(first ? Integer.toString(s.nodes()) : "")
            .append(" | ").append(first ? Integer.toString(s.size()) : "")
            .append(" | ").append(first ? s.rateLabel() : "")
            .append(" | ").append(first ? s.serviceName() : "")
            .append(" | ").append(r.system().label)
            .append(" | ").append(micros(h.getValueAtPercentile(50)))
            .append(" | ").append(micros(h.getValueAtPercentile(90)))
            .append(" | ").append(micros(h.getValueAtPercentile(99)))
            .append(" | ").append(micros(h.getValueAtPercentile(99.9)))
            .append(" | ").append(micros(h.getMaxValue()))
            .append(" | ").append(count(r.msgPerSec()))
            .append(" | ").append(String.format("%.1f", r.megabytesPerSec()));
        if (base != null)
        {
            sb.append(" | ").append(base.system().label)
                .append(base.scenario().service() != s.service() ? " " + base.scenario().serviceName() : "")
                .append(" | ").append(ratio(h.getValueAtPercentile(50), base.histogram().getValueAtPercentile(50)))
                .append(" | ").append(ratio(h.getValueAtPercentile(99), base.histogram().getValueAtPercentile(99)))
                .append(" | ").append(ratio(r.msgPerSec(), base.msgPerSec()));
        }
        else
        {
            sb.append(" | | | | ");
        }
        sb.append(" | ").append(r.failure() == null ? "ok" : "**FAIL** " + r.failure()).append(" |\n");
    }

    private void targets(final StringBuilder sb)
    {
        int checked = 0;
        for (final Entry entry : entries)
        {
            final Scenario s = entry.scenario();
            final RunResult m = entry.of(Sut.MSGC);
            final String where = s.id();
            if (s.kind() == Scenario.Kind.FLOW)
            {
                for (final RunResult r : entry.results())
                {
                    sb.append(String.format("- %s %s %s: %s msg/s, %s%n", r.failure() == null ? "met" : "**MISSED**",
                        where, r.system().label, count(r.msgPerSec()), r.failure() == null ?
                        "every message delivered once, in order, no disconnect" : r.failure()));
                    checked++;
                }
                continue;
            }
            if (s.size() != TARGET_SIZE)
            {
                continue;
            }
            final RunResult inProcess = entry.of(Sut.IN_PROCESS);
            if (inProcess != null && s.kind() == Scenario.Kind.RTT)
            {
                final long p50 = inProcess.histogram().getValueAtPercentile(50);
                sb.append(String.format("- %s %s in-process round-trip p50 %s µs (target ≤ %s µs)%s%n",
                    p50 <= IN_PROCESS_RTT_P50_NS ? "met" : "**MISSED**", where, micros(p50),
                    micros(IN_PROCESS_RTT_P50_NS), m == null ? "" : String.format("; %.3f× msgc over TCP (%s µs)",
                    p50 / (double)m.histogram().getValueAtPercentile(50),
                    micros(m.histogram().getValueAtPercentile(50)))));
                checked++;
            }
            if (m == null)
            {
                continue;
            }
            if (s.service() != ServiceType.FIFO)
            {
                final RunResult fifo = baseline(entry, m);
                if (fifo == null)
                {
                    continue;
                }
                if (s.kind() == Scenario.Kind.RTT)
                {
                    checked += check(sb, where + " AGREED round-trip p50", m.histogram().getValueAtPercentile(50),
                        fifo.histogram().getValueAtPercentile(50), "FIFO", AGREED_RTT_P50_RATIO);
                }
                else if (s.rate() == 0)
                {
                    final double r = m.msgPerSec() / fifo.msgPerSec();
                    sb.append(String.format("- %s %s AGREED throughput %s msg/s = %.2f× FIFO %s msg/s (target ≥ %.2f×)%n",
                        r >= AGREED_THROUGHPUT_RATIO ? "met" : "**MISSED**", where, count(m.msgPerSec()), r,
                        count(fifo.msgPerSec()), AGREED_THROUGHPUT_RATIO));
                    checked++;
                }
                continue;
            }
            final RunResult blocking = entry.of(Sut.BLOCKING);
            if (blocking == null)
            {
                continue;
            }
            if (s.kind() == Scenario.Kind.RTT)
            {
                checked += check(sb, where + " round-trip p50", m.histogram().getValueAtPercentile(50),
                    blocking.histogram().getValueAtPercentile(50), "blocking relay", RTT_P50_RATIO);
                checked += check(sb, where + " round-trip p99", m.histogram().getValueAtPercentile(99),
                    blocking.histogram().getValueAtPercentile(99), "blocking relay", RTT_P99_RATIO);
            }
            else if (s.kind() == Scenario.Kind.ONE_WAY && s.rate() == 0)
            {
                final double r = m.msgPerSec() / blocking.msgPerSec();
                sb.append(String.format("- %s %s throughput %s msg/s = %.2f× blocking relay (target ≥ %.2f×)%n",
                    r >= THROUGHPUT_RATIO ? "met" : "**MISSED**", where, count(m.msgPerSec()), r, THROUGHPUT_RATIO));
                checked++;
                if (s.nodes() == 2 && s.profile() == Profile.BUSY_SPIN)
                {
                    sb.append(String.format("- %s %s two-node throughput %s msg/s (target ≥ %s msg/s)%n",
                        m.msgPerSec() >= TWO_NODE_MSG_PER_SEC ? "met" : "**MISSED**", where, count(m.msgPerSec()),
                        count(TWO_NODE_MSG_PER_SEC)));
                }
            }
        }
        if (checked == 0)
        {
            sb.append("- no scenario with a target in this run\n");
        }
    }

    private static int check(
        final StringBuilder sb,
        final String what,
        final double value,
        final double base,
        final String baseName,
        final double limit)
    {
        final double r = value / base;
        sb.append(String.format("- %s %s %s µs = %.2f× %s %s µs (target ≤ %.2f×)%n",
            r <= limit ? "met" : "**MISSED**", what, micros((long)value), r, baseName, micros((long)base), limit));
        return 1;
    }

    static String micros(final long nanos)
    {
        if (nanos < 10_000)
        {
            return String.format("%.2f", nanos / 1000.0);
        }
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

    private static String ratio(final double value, final double base)
    {
        return base <= 0 ? "-" : String.format("%.2f×", value / base);
    }
}
