package io.msgc.bench.rig;

import io.msgc.conf.IdleStrategyKind;
import io.msgc.wire.ServiceType;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;

/**
 * What a message costs the servers, in CPU time of their event-loop threads: a publisher on node1 sends as fast as
 * the client accepts to a subscriber on the last node, and the servers' thread CPU time is divided by the messages
 * measured. CPU time counts work, not waiting, so it holds up better than latency on a shared machine. The servers
 * block in the selector when idle (no spinning counted). Run it once with {@code -Dmsgc.bench.secret=SECRET} (every
 * server and client authenticates) and once without, in separate JVMs, and compare.
 * <pre>
 *   java [-Dmsgc.bench.secret=...] -cp bench/target/benchmarks.jar io.msgc.bench.rig.AuthCost [NODES] [MESSAGES]
 * </pre>
 */
public final class AuthCost
{
    private AuthCost()
    {
    }

    /**
     * @param args {@code [nodes (default 2)] [messages measured (default 3000000)]}.
     * @throws Exception when the topology cannot start or the subscriber gets nothing.
     */
    public static void main(final String[] args) throws Exception
    {
        final int nodes = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        final long measured = args.length > 1 ? Long.parseLong(args[1]) : 3_000_000L;
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final Scenario scenario = new Scenario(Scenario.Kind.ONE_WAY, nodes, 1, Scenario.MIN_SIZE, 0, Profile.DEFAULT,
            ServiceType.FIFO, false, List.of(Sut.MSGC));
        try (MsgcTopology topology = MsgcTopology.start(scenario, Servers.inJvm(nodes, IdleStrategyKind.BLOCKING), false))
        {
            final Endpoint publisher = topology.publisher();
            final Endpoint subscriber = topology.subscribers()[0];
            prime(publisher, subscriber);
            run(publisher, subscriber, measured / 2); // warm-up: JIT
            final long cpuBefore = serverCpuNs(threads);
            final long start = System.nanoTime();
            run(publisher, subscriber, measured);
            final long wallNs = System.nanoTime() - start;
            final long cpuNs = serverCpuNs(threads) - cpuBefore;
            System.out.printf("auth=%s nodes=%d messages=%d server-cpu-ns-per-message=%.1f msg/s=%.0f%n",
                System.getProperty("msgc.bench.secret") == null ? "off" : "on", nodes, measured,
                (double)cpuNs / measured, measured * 1e9 / wallNs);
        }
    }

    /** Until the subscriber's join has reached the publisher's node, messages to its group go nowhere. */
    private static void prime(final Endpoint publisher, final Endpoint subscriber) throws InterruptedException
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        final long[] received = {0};
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (received[0] == 0)
        {
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException("the subscriber received nothing within 10 s");
            }
            publisher.send(payload, 0, 64);
            publisher.poll((buffer, offset, length) -> { });
            Thread.sleep(10);
            subscriber.poll((buffer, offset, length) -> received[0]++);
        }
        // let what is still on its way arrive
        for (int i = 0; i < 100; i++)
        {
            publisher.poll((buffer, offset, length) -> { });
            subscriber.poll((buffer, offset, length) -> { });
            Thread.sleep(1);
        }
    }

    private static void run(final Endpoint publisher, final Endpoint subscriber, final long count)
    {
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        final long[] received = {0};
        final PayloadHandler counter = (buffer, offset, length) -> received[0]++;
        final PayloadHandler ignore = (buffer, offset, length) -> { };
        long sent = 0;
        while (received[0] < count)
        {
            // at most 20,000 in flight: the measure is the servers' work, not a queue that grows
            while (sent < count && sent - received[0] < 20_000 && publisher.send(payload, 0, 64))
            {
                sent++;
            }
            publisher.poll(ignore);
            subscriber.poll(counter);
            if (publisher.failure() != null || subscriber.failure() != null)
            {
                throw new IllegalStateException(publisher.failure() + " / " + subscriber.failure());
            }
        }
    }

    private static long serverCpuNs(final ThreadMXBean threads)
    {
        long total = 0;
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (thread.getName().startsWith("msgc-server-"))
            {
                total += Math.max(0, threads.getThreadCpuTime(thread.getId()));
            }
        }
        return total;
    }
}
