package io.msgc.bench.rig;

import io.msgc.conf.IdleStrategyKind;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code tools/msgc-bench}: the open-loop load rig. Runs each scenario on real msgc servers (in this process, on
 * loopback, real sockets, real client library) and then on the dumb relay baseline in the same topology, and
 * writes the table with ratios, the {@code .hdr} files and the percentile plots.
 */
public final class LoadRig
{
    private static final int[] FULL_SIZES = {32, 64, 288, 1344};
    private static final int[] LATENCY_RATES = {10_000, 100_000};
    private static final int FAN_OUT = 8;
    private static final long POST_GC_PAUSE_MS = 1_200;
    /** Run the relay before msgc in each scenario, to check that the order does not favour either. */
    private static final boolean RELAY_FIRST = Boolean.getBoolean("msgc.bench.relayFirst");

    private LoadRig()
    {
    }

    /**
     * @param args {@code [--quick] [--profile busy-spin|backoff|all] [--out DIR] [--warmup S] [--measure S]
     *             [--only REGEX]}.
     * @throws Exception on a setup failure (a run that fails is reported, not thrown).
     */
    public static void main(final String[] args) throws Exception
    {
        boolean quick = false;
        String profile = null;
        String out = null;
        double warmup = -1;
        double measure = -1;
        Pattern only = null;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--quick" -> quick = true;
                case "--profile" -> profile = value(args, ++i, "--profile");
                case "--out" -> out = value(args, ++i, "--out");
                case "--warmup" -> warmup = Double.parseDouble(value(args, ++i, "--warmup"));
                case "--measure" -> measure = Double.parseDouble(value(args, ++i, "--measure"));
                case "--only" -> only = Pattern.compile(value(args, ++i, "--only"));
                case "-h", "--help" ->
                {
                    usage();
                    return;
                }
                default ->
                {
                    System.err.println("msgc-bench: unknown argument '" + args[i] + "'");
                    usage();
                    System.exit(2);
                }
            }
        }
        // warm-up must outlast C2: with 1 s, compilations landed in the measured window and showed, on 2 cores,
        // as msgc-only latency outliers of 0.2-10 ms (JIT threads preempting the spinning ones)
        warmup = warmup >= 0 ? warmup : quick ? 2 : 3;
        measure = measure > 0 ? measure : quick ? 1 : 5;
        out = out != null ? out : quick ? "bench/results/quick" : "bench/results";
        final List<Scenario> plan = plan(quick, profile == null ? (quick ? "quick" : "all") : profile, only);
        if (plan.isEmpty())
        {
            System.err.println("msgc-bench: no scenario matches");
            System.exit(2);
        }
        final boolean passed = run(plan, (long)(warmup * 1e9), (long)(measure * 1e9), new File(out), args);
        System.exit(passed ? 0 : 1);
    }

    private static String value(final String[] args, final int i, final String name)
    {
        if (i >= args.length)
        {
            System.err.println("msgc-bench: " + name + " needs a value");
            System.exit(2);
        }
        return args[i];
    }

    private static void usage()
    {
        System.err.println("""
            usage: tools/msgc-bench [--quick] [--profile busy-spin|backoff|all] [--out DIR]
                                    [--warmup SECONDS] [--measure SECONDS] [--only REGEX]
              --quick    smoke run: 64 B, 6 scenarios, 2 s warm-up + 1 s measured each (about a minute)
              --profile  idle strategy of the servers and relays (default: all for a full run)
              --out      results directory (default bench/results, or bench/results/quick)
              --only     run only scenarios whose id matches, e.g. 'busy-spin-rtt-1n'
            exit status: 0 when every run kept its rate with no loss or duplicate, 1 otherwise""");
    }

    static List<Scenario> plan(final boolean quick, final String profile, final Pattern only)
    {
        final List<Scenario> plan = new ArrayList<>();
        if (quick)
        {
            final IdleStrategyKind busy = IdleStrategyKind.BUSY_SPIN;
            plan.add(new Scenario(Scenario.Kind.RTT, 1, 1, 64, 10_000, busy));
            plan.add(new Scenario(Scenario.Kind.RTT, 2, 1, 64, 10_000, busy));
            plan.add(new Scenario(Scenario.Kind.ONE_WAY, 1, 1, 64, 0, busy));
            plan.add(new Scenario(Scenario.Kind.ONE_WAY, 2, 1, 64, 0, busy));
            plan.add(new Scenario(Scenario.Kind.FAN_OUT, 1, FAN_OUT, 64, 10_000, busy));
            plan.add(new Scenario(Scenario.Kind.RTT, 1, 1, 64, 10_000, IdleStrategyKind.BACKOFF));
        }
        else
        {
            if (profile.equals("all") || profile.equals("busy-spin"))
            {
                add(plan, IdleStrategyKind.BUSY_SPIN, FULL_SIZES);
            }
            if (profile.equals("all") || profile.equals("backoff"))
            {
                add(plan, IdleStrategyKind.BACKOFF, new int[]{Report.TARGET_SIZE});
            }
        }
        if (only != null)
        {
            plan.removeIf(s -> !only.matcher(s.id()).find());
        }
        return plan;
    }

    private static void add(final List<Scenario> plan, final IdleStrategyKind idle, final int[] sizes)
    {
        for (final int size : sizes)
        {
            for (final int nodes : new int[]{1, 2})
            {
                for (final int rate : LATENCY_RATES)
                {
                    plan.add(new Scenario(Scenario.Kind.RTT, nodes, 1, size, rate, idle));
                }
                plan.add(new Scenario(Scenario.Kind.ONE_WAY, nodes, 1, size, 0, idle));
            }
            for (final int rate : LATENCY_RATES)
            {
                plan.add(new Scenario(Scenario.Kind.FAN_OUT, 1, FAN_OUT, size, rate, idle));
            }
            plan.add(new Scenario(Scenario.Kind.FAN_OUT, 1, FAN_OUT, size, 0, idle));
        }
    }

    private static boolean run(
        final List<Scenario> plan, final long warmupNs, final long measureNs, final File out, final String[] args)
        throws Exception
    {
        final long started = System.nanoTime();
        System.err.printf("msgc-bench: %d scenarios x (msgc, relay), %.1f s warm-up + %.1f s measured each%n",
            plan.size(), warmupNs / 1e9, measureNs / 1e9);
        // one throw-away pass of the first scenario, so that it does not pay for JIT compilation (on 2 cores the
        // compiler threads take CPU from the spinning threads, which shows as ms-long latency outliers)
        final Scenario first = plan.get(0);
        System.err.printf("[warm-up] %s msgc, relay (not reported)%n", first.id());
        runOne(first, false, warmupNs, measureNs);
        runOne(first, true, warmupNs, measureNs);

        final Report report = new Report();
        int index = 0;
        for (final Scenario scenario : plan)
        {
            index++;
            final RunResult[] pair = new RunResult[2];
            for (int k = 0; k < 2; k++)
            {
                final boolean relay = (k == 1) != RELAY_FIRST;
                System.err.printf("[%d/%d %s] %s %s ...%n", index, plan.size(), elapsed(started), scenario.id(),
                    relay ? "relay" : "msgc");
                final RunResult r = runOne(scenario, relay, warmupNs, measureNs);
                pair[relay ? 1 : 0] = r;
                System.err.printf("    p50 %s µs  p99 %s µs  max %s µs  %s msg/s  %s%n",
                    Report.micros(r.histogram().getValueAtPercentile(50)),
                    Report.micros(r.histogram().getValueAtPercentile(99)),
                    Report.micros(r.histogram().getMaxValue()), Report.count(r.msgPerSec()),
                    r.failure() == null ? "ok" : "FAIL " + r.failure());
            }
            report.add(pair[0], pair[1]);
        }

        if (!out.isDirectory() && !out.mkdirs())
        {
            throw new IOException("cannot create " + out);
        }
        report.writeFiles(out);
        final String table = report.markdown();
        final String header = "# msgc-bench results\n\n" + machine() + "\nCommand: `tools/msgc-bench" +
            (args.length == 0 ? "" : " " + String.join(" ", args)) + "`  \n" +
            String.format("Each run: %.1f s warm-up, %.1f s measured. Latency: µs from intended send time to " +
            "receipt (round trip for `round trip`), open loop. msg/s and MB/s: deliveries (payload bytes) per " +
            "second in the measured window. Ratios: msgc ÷ relay in the same run.%n", warmupNs / 1e9, measureNs / 1e9);
        Files.writeString(new File(out, "results.md").toPath(), header + table, StandardCharsets.UTF_8);
        System.out.println(header + table);
        System.err.printf("msgc-bench: done in %s; results in %s (results.md, hdr/, plots/)%n", elapsed(started),
            out.getPath());
        return report.allRunsPassed();
    }

    private static RunResult runOne(final Scenario scenario, final boolean relay, final long warmupNs,
        final long measureNs) throws Exception
    {
        // free the previous run's direct buffers now, then let the JVM's cleanup safepoint (it follows a GC by
        // about a second and stops every thread for a few ms) pass before anything is measured
        System.gc();
        Thread.sleep(POST_GC_PAUSE_MS);
        try (Topology topology = relay ?
            RelayTopology.start(scenario.nodes(), scenario.subscribers(), scenario.idle()) :
            MsgcTopology.start(scenario.nodes(), scenario.subscribers(), scenario.idle()))
        {
            return new Driver(scenario, topology, warmupNs, measureNs).run();
        }
    }

    private static String elapsed(final long started)
    {
        final long s = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        return String.format("%dm%02ds", s / 60, s % 60);
    }

    private static String machine()
    {
        String cpu = "unknown CPU";
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/cpuinfo")))
            {
                if (line.startsWith("model name"))
                {
                    cpu = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        }
        catch (final IOException | RuntimeException ignore)
        {
            // not Linux: the CPU model is left out
        }
        return String.format("Run %s on %s, %d cores visible to the JVM, %s %s (%s), Java %s (%s).%n",
            ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), cpu,
            Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
            System.getProperty("os.version"), System.getProperty("os.arch"), System.getProperty("java.version"),
            System.getProperty("java.vm.name"));
    }
}
