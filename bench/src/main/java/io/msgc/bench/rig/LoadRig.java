package io.msgc.bench.rig;

import io.msgc.conf.HostPort;
import io.msgc.wire.ServiceType;
import org.HdrHistogram.Histogram;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
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
 * {@code tools/msgc-bench}: the open-loop load rig. Runs each scenario on real msgc servers (in this process, as
 * {@code msgcd} processes, or a deployed cluster; real sockets, the real client library), on in-process members
 * where the scenario says so, and on the relay baselines in the same topology, all in the same run, and writes
 * the table with ratios, the {@code .hdr} files and the percentile plots.
 */
public final class LoadRig
{
    private static final int[] FULL_SIZES = {32, 64, 288, 1344};
    private static final int[] LATENCY_RATES = {10_000, 100_000};
    private static final int FAN_OUT = 8;
    private static final long POST_GC_PAUSE_MS = 1_200;
    private static final List<Sut> BASELINES = List.of(Sut.MSGC, Sut.RELAY, Sut.BLOCKING);
    private static final List<Sut> SELECT_BASELINE = List.of(Sut.MSGC, Sut.RELAY);
    private static final List<Sut> IN_PROCESS = List.of(Sut.IN_PROCESS, Sut.MSGC, Sut.BLOCKING);
    private static final List<Sut> ALONE = List.of(Sut.MSGC);
    private static final List<Sut> FLOW_SYSTEMS = List.of(Sut.MSGC, Sut.BLOCKING);

    /** Where the msgc servers run. */
    private enum Mode
    {
        /** In the rig's JVM. */
        IN_JVM,
        /** {@code msgcd} processes (and relay processes). */
        PROCESSES,
        /** A deployed cluster ({@code --servers}): msgc only. */
        EXTERNAL
    }

    private final Mode mode;
    private final List<InetSocketAddress> external;

    private LoadRig(final Mode mode, final List<InetSocketAddress> external)
    {
        this.mode = mode;
        this.external = external;
    }

    /**
     * @param args see {@link #usage()}.
     * @throws Exception on a setup failure (a run that fails is reported, not thrown).
     */
    public static void main(final String[] args) throws Exception
    {
        boolean quick = false;
        boolean processes = false;
        String servers = null;
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
                case "--processes" -> processes = true;
                case "--servers" -> servers = value(args, ++i, "--servers");
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
        if (profile != null && !profile.equals("all") && Profile.of(profile) == null)
        {
            System.err.println("msgc-bench: unknown profile '" + profile + "'; valid: busy-spin, backoff, default, all");
            System.exit(2);
        }
        if (processes && servers != null)
        {
            System.err.println("msgc-bench: --processes and --servers exclude each other");
            System.exit(2);
        }
        final List<InetSocketAddress> external = new ArrayList<>();
        if (servers != null)
        {
            for (final String server : servers.split(","))
            {
                try
                {
                    final HostPort hp = HostPort.parse(server.trim(), 4809);
                    external.add(new InetSocketAddress(hp.host(), hp.port()));
                }
                catch (final IllegalArgumentException ex)
                {
                    System.err.println("msgc-bench: bad --servers entry '" + server + "': " + ex.getMessage());
                    System.exit(2);
                }
            }
        }
        final Mode mode = servers != null ? Mode.EXTERNAL : processes ? Mode.PROCESSES : Mode.IN_JVM;
        // warm-up must outlast C2: with 1 s, compilations landed in the measured window and showed, on 2 cores,
        // as msgc-only latency outliers of 0.2-10 ms (JIT threads preempting the spinning ones)
        warmup = warmup >= 0 ? warmup : quick ? 2 : 3;
        measure = measure > 0 ? measure : quick ? 1 : 5;
        out = out != null ? out : quick ? "bench/results/quick" : "bench/results";
        final LoadRig rig = new LoadRig(mode, external);
        final List<Scenario> plan = rig.plan(quick, profile == null ? "all" : profile, only);
        if (plan.isEmpty())
        {
            System.err.println("msgc-bench: no scenario matches");
            System.exit(2);
        }
        final boolean passed = rig.run(plan, (long)(warmup * 1e9), (long)(measure * 1e9), new File(out), args);
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
            usage: tools/msgc-bench [--quick] [--profile busy-spin|backoff|default|all] [--processes]
                                    [--servers HOST:PORT,...] [--out DIR] [--warmup SECONDS] [--measure SECONDS]
                                    [--only REGEX]
              --quick      smoke run: 64 B, 13 scenarios (31 runs), 2 s warm-up + 1 s measured each (about 3 min)
              --profile    busy-spin: servers and relays spin, one driver thread spins over every client;
                           backoff: servers and relays back off, the driver spins over the clients;
                           default: servers back off, each client on its own thread waiting in epoll
                           (MsgcClient.startThread(handler)), the baselines' clients block in read
              --processes  servers as msgcd processes (and the relays as processes), clients in this JVM
              --servers    measure a deployed cluster (first address: the publisher's node, last: the
                           subscribers'); msgc only, no baselines, no in-process members
              --out        results directory (default bench/results, or bench/results/quick)
              --only       run only scenarios whose id matches, e.g. 'default-rtt-1n'
            systems: msgc; in-process members of an embedded server; the selector relay; the blocking relay
            (blocking sockets, a thread per connection), whose figures the ratios are against.
            exit status: 0 when every run kept its rate with no loss, duplicate or disconnect, 1 otherwise""");
    }

    List<Scenario> plan(final boolean quick, final String profile, final Pattern only)
    {
        final List<Scenario> plan = new ArrayList<>();
        final int size = Report.TARGET_SIZE;
        if (quick)
        {
            final Profile busy = Profile.BUSY_SPIN;
            final Profile def = Profile.DEFAULT;
            plan.add(scenario(Scenario.Kind.RTT, 1, 1, size, 10_000, busy, BASELINES));
            plan.add(scenario(Scenario.Kind.RTT, 1, 1, size, 10_000, busy, IN_PROCESS));
            plan.add(scenario(Scenario.Kind.ONE_WAY, 1, 1, size, 0, busy, BASELINES));
            plan.add(scenario(Scenario.Kind.FAN_OUT, 1, FAN_OUT, size, 10_000, busy, BASELINES));
            plan.add(scenario(Scenario.Kind.RTT, 1, 1, size, 10_000, def, BASELINES));
            plan.add(scenario(Scenario.Kind.RTT, 2, 1, size, 10_000, def, BASELINES));
            plan.add(agreed(scenario(Scenario.Kind.RTT, 2, 1, size, 10_000, def, ALONE)));
            plan.add(scenario(Scenario.Kind.ONE_WAY, 2, 1, size, 0, Profile.BACKOFF, BASELINES));
            plan.add(agreed(scenario(Scenario.Kind.ONE_WAY, 2, 1, size, 0, Profile.BACKOFF, ALONE)));
            addFlow(plan, def);
        }
        else
        {
            for (final Profile p : Profile.values())
            {
                if (profile.equals("all") || profile.equals(p.label))
                {
                    add(plan, p);
                }
            }
        }
        plan.removeIf(s -> only != null && !only.matcher(s.id()).find());
        if (mode == Mode.EXTERNAL)
        {
            // a deployed cluster: msgc alone, on as many nodes as were given
            plan.removeIf(s -> s.nodes() > external.size() || !s.systems().contains(Sut.MSGC));
            plan.replaceAll(s -> new Scenario(s.kind(), s.nodes(), s.subscribers(), s.size(), s.rate(), s.profile(),
                s.service(), s.slowed(), ALONE));
            final List<Scenario> unique = new ArrayList<>();
            for (final Scenario s : plan)
            {
                if (unique.stream().noneMatch(u -> u.id().equals(s.id())))
                {
                    unique.add(s);
                }
            }
            return unique;
        }
        return plan;
    }

    private static Scenario scenario(
        final Scenario.Kind kind,
        final int nodes,
        final int subscribers,
        final int size,
        final int rate,
        final Profile profile,
        final List<Sut> systems)
    {
        return new Scenario(kind, nodes, subscribers, size, rate, profile, ServiceType.FIFO, false, systems);
    }

    private static Scenario agreed(final Scenario s)
    {
        return new Scenario(s.kind(), s.nodes(), s.subscribers(), s.size(), s.rate(), s.profile(),
            ServiceType.AGREED, s.slowed(), ALONE);
    }

    private static void addFlow(final List<Scenario> plan, final Profile profile)
    {
        for (final boolean slowed : new boolean[]{false, true})
        {
            for (final int nodes : new int[]{1, 2})
            {
                plan.add(new Scenario(Scenario.Kind.FLOW, nodes, 1, Report.TARGET_SIZE, 0, profile, ServiceType.FIFO,
                    slowed, FLOW_SYSTEMS));
            }
        }
    }

    private static void add(final List<Scenario> plan, final Profile profile)
    {
        // every size on busy-spin, 64 B on the others; the blocking relay at 64 B
        final int[] sizes = profile == Profile.BUSY_SPIN ? FULL_SIZES : new int[]{Report.TARGET_SIZE};
        for (final int size : sizes)
        {
            final List<Sut> systems = size == Report.TARGET_SIZE ? BASELINES : SELECT_BASELINE;
            for (final int nodes : new int[]{1, 2})
            {
                for (final int rate : LATENCY_RATES)
                {
                    plan.add(scenario(Scenario.Kind.RTT, nodes, 1, size, rate, profile, systems));
                    if (nodes == 2 && size == Report.TARGET_SIZE)
                    {
                        plan.add(agreed(scenario(Scenario.Kind.RTT, nodes, 1, size, rate, profile, ALONE)));
                    }
                }
                plan.add(scenario(Scenario.Kind.ONE_WAY, nodes, 1, size, 0, profile, systems));
                if (nodes == 2 && size == Report.TARGET_SIZE)
                {
                    plan.add(agreed(scenario(Scenario.Kind.ONE_WAY, nodes, 1, size, 0, profile, ALONE)));
                }
            }
            for (final int rate : LATENCY_RATES)
            {
                plan.add(scenario(Scenario.Kind.FAN_OUT, 1, FAN_OUT, size, rate, profile, systems));
            }
            plan.add(scenario(Scenario.Kind.FAN_OUT, 1, FAN_OUT, size, 0, profile, systems));
        }
        if (profile == Profile.BUSY_SPIN)
        {
            for (final int rate : LATENCY_RATES)
            {
                plan.add(scenario(Scenario.Kind.RTT, 1, 1, Report.TARGET_SIZE, rate, profile, IN_PROCESS));
            }
        }
        if (profile == Profile.DEFAULT)
        {
            addFlow(plan, profile);
        }
    }

    private boolean run(
        final List<Scenario> plan, final long warmupNs, final long measureNs, final File out, final String[] args)
        throws Exception
    {
        final long started = System.nanoTime();
        int runs = 0;
        for (final Scenario s : plan)
        {
            runs += s.systems().size();
        }
        System.err.printf("msgc-bench: %d scenarios, %d runs, %.1f s warm-up + %.1f s measured each, servers %s%n",
            plan.size(), runs, warmupNs / 1e9, measureNs / 1e9, modeName());
        // one throw-away pass of the first scenario, so that it does not pay for JIT compilation (on 2 cores the
        // compiler threads take CPU from the spinning threads, which shows as ms-long latency outliers)
        final Scenario first = plan.get(0);
        System.err.printf("[warm-up] %s (not reported)%n", first.id());
        for (final Sut system : first.systems())
        {
            runOne(first, system, warmupNs, measureNs);
        }

        final Report report = new Report();
        int index = 0;
        for (final Scenario scenario : plan)
        {
            index++;
            final List<RunResult> results = new ArrayList<>();
            for (final Sut system : scenario.systems())
            {
                System.err.printf("[%d/%d %s] %s %s ...%n", index, plan.size(), elapsed(started), scenario.id(),
                    system.label);
                final RunResult r = runOne(scenario, system, warmupNs, measureNs);
                results.add(r);
                System.err.printf("    p50 %s µs  p99 %s µs  max %s µs  %s msg/s  %s%n",
                    Report.micros(r.histogram().getValueAtPercentile(50)),
                    Report.micros(r.histogram().getValueAtPercentile(99)),
                    Report.micros(r.histogram().getMaxValue()), Report.count(r.msgPerSec()),
                    r.failure() == null ? "ok" : "FAIL " + r.failure());
            }
            report.add(scenario, results);
        }

        if (!out.isDirectory() && !out.mkdirs())
        {
            throw new IOException("cannot create " + out);
        }
        report.writeFiles(out);
        final String table = report.markdown();
        final String header = "# msgc-bench results\n\n" + machine() + "\nCommand: `tools/msgc-bench" +
            (args.length == 0 ? "" : " " + String.join(" ", args)) + "`; msgc servers " + modeName() + ".  \n" +
            String.format("Each run: %.1f s warm-up, %.1f s measured. Latency: µs from send time to receipt " +
            "(round trip for `round trip`), open loop (a spinning driver stamps the intended send time, a parking " +
            "one the time it sends). msg/s and MB/s: deliveries (payload bytes) per second in the measured " +
            "window. Ratios (÷): the row's figure ÷ its baseline's, measured in the same run.%n",
            warmupNs / 1e9, measureNs / 1e9);
        Files.writeString(new File(out, "results.md").toPath(), header + table, StandardCharsets.UTF_8);
        System.out.println(header + table);
        System.err.printf("msgc-bench: done in %s; results in %s (results.md, hdr/, plots/)%n", elapsed(started),
            out.getPath());
        return report.allRunsPassed();
    }

    private String modeName()
    {
        return switch (mode)
        {
            case IN_JVM -> "in the rig's JVM";
            case PROCESSES -> "as msgcd processes (relays as processes too)";
            case EXTERNAL -> "deployed at " + external;
        };
    }

    private RunResult runOne(final Scenario scenario, final Sut system, final long warmupNs, final long measureNs)
        throws InterruptedException
    {
        // free the previous run's direct buffers now, then let the JVM's cleanup safepoint (it follows a GC by
        // about a second and stops every thread for a few ms) pass before anything is measured
        System.gc();
        Thread.sleep(POST_GC_PAUSE_MS);
        final boolean threaded = scenario.profile().threaded || scenario.kind() == Scenario.Kind.FLOW;
        final Topology topology;
        try
        {
            topology = switch (system)
            {
                case MSGC -> MsgcTopology.start(scenario, servers(scenario), threaded);
                case IN_PROCESS -> InProcessTopology.start(scenario, scenario.profile().idle, threaded);
                case RELAY, BLOCKING -> RelayTopology.start(system, scenario.nodes(), scenario.subscribers(),
                    scenario.profile().idle, threaded, mode == Mode.PROCESSES);
            };
        }
        catch (final Exception ex)
        {
            return new RunResult(scenario, system, new Histogram(3), 0, 0, 0, "setup failed: " + ex);
        }
        try (topology)
        {
            return new Driver(scenario, topology, warmupNs, measureNs).run();
        }
    }

    private Servers servers(final Scenario scenario) throws IOException
    {
        return switch (mode)
        {
            case IN_JVM -> Servers.inJvm(scenario.nodes(), scenario.profile().idle);
            case PROCESSES -> Servers.processes(scenario.nodes(), scenario.profile().idle);
            case EXTERNAL -> Servers.external(external);
        };
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
        double load = -1;
        try
        {
            load = Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        }
        catch (final IOException | RuntimeException ignore)
        {
            // not Linux
        }
        return String.format("Run %s on %s, %d cores visible to the JVM, %s %s (%s), Java %s (%s)%s.%n",
            ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME), cpu,
            Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
            System.getProperty("os.version"), System.getProperty("os.arch"), System.getProperty("java.version"),
            System.getProperty("java.vm.name"), load < 0 ? "" : String.format("; load average %.1f at the start", load));
    }
}
