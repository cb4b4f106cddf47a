package io.msgc.client;

import io.msgc.conf.ClientConfig;
import io.msgc.conf.IdleStrategyKind;
import io.msgc.io.SelectIdleStrategy;
import io.msgc.server.Cluster;
import io.msgc.wire.ServiceType;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Not a test: a round-trip measurement of the client's idle strategies, run by hand.
 * <pre>
 *   java -cp target/classes:target/test-classes:$(ls ~/.m2/repository/org/agrona/agrona/1.23.1/*.jar) \
 *     io.msgc.client.RoundTripHarness [seconds] [rate]
 * </pre>
 * One server in this JVM (its default idle strategy), two clients on their own threads: "ping" and "echo". The
 * main thread multicasts a ping every 1/rate s (open loop; the payload carries the intended send time); echo's
 * handler answers from its I/O thread; ping's handler records now - intended time. Each client profile runs in
 * turn, then a blocking-socket ping-pong on loopback (one echo thread, the same rate) as the baseline. Prints
 * p50/p90/p99/max and the CPU time the two client threads used. {@code -Donly=default|backoff|baseline|
 * selectBackoff|busySpin} runs one profile (one JVM per profile keeps the runs apart).
 */
public final class RoundTripHarness
{
    private static final int WARMUP_S = 3;

    private RoundTripHarness()
    {
    }

    /**
     * @param args measured seconds per profile (default 10), messages per second (default 2000).
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        final int rate = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        System.out.printf("round trip, one server in-process, %d msg/s, %d s measured after %d s warm-up%n",
            rate, seconds, WARMUP_S);
        System.out.println("| client profile | p50 us | p90 us | p99 us | max us | client threads CPU |");
        System.out.println("|---|---|---|---|---|---|");
        final String only = System.getProperty("only", "");
        switch (only)
        {
            case "default": run("default startThread(handler)", null, seconds, rate); return;
            case "backoff": run("Agrona BackoffIdleStrategy()", BackoffIdleStrategy::new, seconds, rate); return;
            case "baseline": baseline(seconds, rate); return;
            case "selectBackoff":
                run("SelectIdleStrategy backoff (spin 50 us, yield, select)",
                    () -> SelectIdleStrategy.forKind(IdleStrategyKind.BACKOFF), seconds, rate);
                return;
            case "busySpin": run("Agrona BusySpinIdleStrategy", BusySpinIdleStrategy::new, seconds, rate); return;
            default: break;
        }
        for (int repeat = 0; repeat < 2; repeat++)
        {
            run("default startThread(handler)", null, seconds, rate);
            run("Agrona BackoffIdleStrategy()", BackoffIdleStrategy::new, seconds, rate);
            baseline(seconds, rate);
        }
    }

    private interface Strategy
    {
        IdleStrategy create();
    }

    private static void run(final String name, final Strategy strategy, final int seconds, final int rate)
        throws Exception
    {
        try (Cluster cluster = new Cluster(1).startAll())
        {
            final InetSocketAddress server = cluster.address(1);
            final MsgcClient ping = MsgcClient.connect(config(server, "ping"));
            final MsgcClient echo = MsgcClient.connect(config(server, "echo"));
            final long[] samples = new long[(seconds + WARMUP_S + 1) * rate];
            final int[] count = {0};
            final boolean[] measuring = {false};
            final String[] pong = {ping.memberId()};
            final MessageHandler echoHandler = m ->
            {
                while (echo.multicast(ServiceType.FIFO, 2, m.buffer(), m.payloadOffset(), m.payloadLength(), pong) ==
                    MsgcClient.BACK_PRESSURED)
                {
                    Thread.onSpinWait();
                }
            };
            final MessageHandler pingHandler = m ->
            {
                final long rtt = System.nanoTime() - m.payload().getLong(0);
                if (measuring[0] && count[0] < samples.length)
                {
                    samples[count[0]++] = rtt;
                }
            };
            if (strategy == null)
            {
                echo.startThread(echoHandler);
                ping.startThread(pingHandler);
            }
            else
            {
                echo.startThread(echoHandler, strategy.create());
                ping.startThread(pingHandler, strategy.create());
            }
            final String[] to = {echo.memberId()};
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
            final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            final Thread pingThread = ClientWaitTest.findThread("msgc-client-ping");
            final Thread echoThread = ClientWaitTest.findThread("msgc-client-echo");
            final long periodNs = TimeUnit.SECONDS.toNanos(1) / rate;
            final long start = System.nanoTime();
            long cpuStart = 0;
            long measureStart = 0;
            for (long i = 0; ; i++)
            {
                final long intended = start + i * periodNs;
                if (!measuring[0] && intended - start >= TimeUnit.SECONDS.toNanos(WARMUP_S))
                {
                    measuring[0] = true;
                    cpuStart = threads.getThreadCpuTime(pingThread.getId()) + threads.getThreadCpuTime(echoThread.getId());
                    measureStart = intended;
                }
                if (intended - start >= TimeUnit.SECONDS.toNanos(WARMUP_S + seconds))
                {
                    break;
                }
                waitUntil(intended);
                payload.putLong(0, intended);
                while (ping.multicast(ServiceType.FIFO, 1, payload, 0, payload.capacity(), to) ==
                    MsgcClient.BACK_PRESSURED)
                {
                    Thread.onSpinWait();
                }
            }
            Thread.sleep(100);
            measuring[0] = false;
            final long wall = System.nanoTime() - measureStart;
            final long cpu = threads.getThreadCpuTime(pingThread.getId()) + threads.getThreadCpuTime(echoThread.getId()) -
                cpuStart;
            ping.close();
            echo.close();
            report(name, Arrays.copyOf(samples, count[0]), (double)cpu / wall);
        }
    }

    /**
     * Blocking sockets on loopback: the main thread writes a ping at the same rate, an echo thread answers, a
     * reader thread records. Every hop wakes a thread blocked in the kernel.
     */
    private static void baseline(final int seconds, final int rate) throws Exception
    {
        try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            final Thread echo = new Thread(() ->
            {
                try (Socket s = listener.accept())
                {
                    s.setTcpNoDelay(true);
                    final DataInputStream in = new DataInputStream(s.getInputStream());
                    final DataOutputStream out = new DataOutputStream(s.getOutputStream());
                    final byte[] message = new byte[64];
                    while (true)
                    {
                        in.readFully(message);
                        out.write(message);
                    }
                }
                catch (final Exception ex)
                {
                    // closed
                }
            });
            echo.setDaemon(true);
            echo.start();
            try (Socket socket = new Socket(listener.getInetAddress(), listener.getLocalPort()))
            {
                socket.setTcpNoDelay(true);
                final long[] samples = new long[(seconds + WARMUP_S + 1) * rate];
                final int[] count = {0};
                final boolean[] measuring = {false};
                final Thread reader = new Thread(() ->
                {
                    try
                    {
                        final DataInputStream in = new DataInputStream(socket.getInputStream());
                        final byte[] message = new byte[64];
                        final UnsafeBuffer view = new UnsafeBuffer(message);
                        while (true)
                        {
                            in.readFully(message);
                            final long rtt = System.nanoTime() - view.getLong(0);
                            if (measuring[0] && count[0] < samples.length)
                            {
                                samples[count[0]++] = rtt;
                            }
                        }
                    }
                    catch (final Exception ex)
                    {
                        // closed
                    }
                });
                reader.setDaemon(true);
                reader.start();
                final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
                final byte[] message = new byte[64];
                final UnsafeBuffer view = new UnsafeBuffer(message);
                final long periodNs = TimeUnit.SECONDS.toNanos(1) / rate;
                final long start = System.nanoTime();
                for (long i = 0; ; i++)
                {
                    final long intended = start + i * periodNs;
                    measuring[0] = intended - start >= TimeUnit.SECONDS.toNanos(WARMUP_S);
                    if (intended - start >= TimeUnit.SECONDS.toNanos(WARMUP_S + seconds))
                    {
                        break;
                    }
                    waitUntil(intended);
                    view.putLong(0, intended);
                    out.write(message);
                }
                Thread.sleep(100);
                measuring[0] = false;
                report("blocking TCP ping-pong (baseline)", Arrays.copyOf(samples, count[0]), Double.NaN);
            }
        }
    }

    private static void waitUntil(final long deadlineNs)
    {
        long left;
        while ((left = deadlineNs - System.nanoTime()) > 0)
        {
            if (left > 100_000)
            {
                LockSupport.parkNanos(left - 80_000);
            }
            else
            {
                Thread.onSpinWait();
            }
        }
    }

    private static ClientConfig config(final InetSocketAddress server, final String name)
    {
        return ClientConfig.builder().server(server.getHostString(), server.getPort()).name(name).reconnect(false)
            .build();
    }

    private static void report(final String name, final long[] samples, final double cpuShare)
    {
        Arrays.sort(samples);
        System.out.printf("| %s | %.1f | %.1f | %.1f | %.0f | %s |%n", name, percentile(samples, 0.50),
            percentile(samples, 0.90), percentile(samples, 0.99), samples.length == 0 ? 0.0 :
            samples[samples.length - 1] / 1000.0,
            Double.isNaN(cpuShare) ? "-" : String.format("%.0f %% of one core", cpuShare * 100));
    }

    private static double percentile(final long[] sorted, final double p)
    {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int)(sorted.length * p))] / 1000.0;
    }
}
