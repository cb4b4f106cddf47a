package io.msgc.server;

import io.msgc.client.MsgcException;
import io.msgc.wire.ServiceType;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * A seeded workload for {@link HistoryRecorder} members on real servers: one driver thread that, every millisecond
 * or so, makes several members on different nodes send bursts of FIFO, RELIABLE, CAUSAL, AGREED and SAFE messages
 * that race each other, and now and then joins and leaves groups, connects new members and disconnects old ones.
 * It drives only the members it connected. The choices follow the seed; the interleaving with the servers does not. The test opens and closes nodes to new
 * members around its faults ({@link #open}) so that the driver never waits on a node that cannot answer.
 */
public final class Workload implements AutoCloseable
{
    /** The groups members use. */
    public static final String[] GROUPS = {"g0", "g1", "g2"};
    private static final int[] SERVICES = {
        ServiceType.FIFO, ServiceType.RELIABLE, ServiceType.CAUSAL, ServiceType.AGREED, ServiceType.AGREED,
        ServiceType.SAFE};

    private final HistoryRecorder recorder;
    private final Random random;
    private final int nodeCount;
    private final IntFunction<InetSocketAddress> address;
    private final AtomicIntegerArray open;
    private final int maxSends;
    private final List<HistoryRecorder.Member> mine = new ArrayList<>();
    private volatile boolean running;
    private volatile Throwable failure;
    private Thread thread;
    private int names;
    private long sends;
    private long steps;

    /**
     * @param recorder  records members.
     * @param seed      the choices' seed.
     * @param nodeCount nodes, numbered 1..nodeCount.
     * @param address   a node's client address.
     * @param maxSends  the driver stops sending after this many messages (bounds a run on a slow machine).
     */
    public Workload(
        final HistoryRecorder recorder,
        final long seed,
        final int nodeCount,
        final IntFunction<InetSocketAddress> address,
        final int maxSends)
    {
        this.recorder = recorder;
        this.random = new Random(seed);
        this.nodeCount = nodeCount;
        this.address = address;
        this.maxSends = maxSends;
        this.open = new AtomicIntegerArray(nodeCount + 1);
        for (int i = 1; i <= nodeCount; i++)
        {
            open.set(i, 1);
        }
    }

    /**
     * Let the driver connect new members to a node, or not (before the node is stopped, paused or cut off).
     *
     * @param node node (1-based).
     * @param yes  true to allow.
     */
    public void open(final int node, final boolean yes)
    {
        open.set(node, yes ? 1 : 0);
    }

    /**
     * Connect members to a node, each joining the given groups. Call before {@link #start} or after {@link #stop}.
     *
     * @param node   node (1-based).
     * @param count  members.
     * @param groups groups each one joins.
     * @return the members.
     */
    public List<HistoryRecorder.Member> connect(final int node, final int count, final String... groups)
    {
        final List<HistoryRecorder.Member> out = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final HistoryRecorder.Member m = connectOne(node);
            if (m == null)
            {
                throw new AssertionError("cannot connect a member to node" + node + " at " + address.apply(node));
            }
            for (final String g : groups)
            {
                m.join(g);
            }
            out.add(m);
        }
        return out;
    }

    private HistoryRecorder.Member connectOne(final int node)
    {
        try
        {
            final HistoryRecorder.Member m = recorder.connect("m" + names++, node, address.apply(node));
            mine.add(m);
            return m;
        }
        catch (final MsgcException ex)
        {
            return null;
        }
    }

    /**
     * Start the driver thread.
     */
    public void start()
    {
        running = true;
        thread = new Thread(this::drive, "workload");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Stop the driver and wait for it; rethrows what failed it.
     */
    public void stop()
    {
        running = false;
        if (thread != null)
        {
            try
            {
                thread.join(10_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
        if (failure != null)
        {
            throw new AssertionError("workload failed: " + failure, failure);
        }
    }

    /**
     * @return messages sent so far.
     */
    public long sends()
    {
        return sends;
    }

    /**
     * @return a one-line summary.
     */
    public String summary()
    {
        return steps + " steps, " + sends + " sends, " + names + " members";
    }

    private void drive()
    {
        try
        {
            while (running)
            {
                step();
                steps++;
                LockSupport.parkNanos(1_000_000);
            }
        }
        catch (final Throwable t)
        {
            failure = t;
        }
    }

    private void step()
    {
        final List<HistoryRecorder.Member> alive = new ArrayList<>();
        for (final HistoryRecorder.Member m : mine)
        {
            if (m.alive())
            {
                alive.add(m);
            }
        }
        // per step, about a millisecond: membership changes a few times a second, messages most of the time
        final int action = random.nextInt(1000);
        if (action < 2 || alive.size() < nodeCount)
        {
            final int node = 1 + random.nextInt(nodeCount);
            if (open.get(node) == 1 && alive.size() < 4 * nodeCount)
            {
                final HistoryRecorder.Member m = connectOne(node);
                if (m != null)
                {
                    m.join(GROUPS[random.nextInt(GROUPS.length)]);
                }
            }
        }
        else if (action < 12)
        {
            final HistoryRecorder.Member m = alive.get(random.nextInt(alive.size()));
            final String group = GROUPS[random.nextInt(GROUPS.length)];
            if (!m.groups().contains(group))
            {
                m.join(group);
            }
        }
        else if (action < 18)
        {
            final HistoryRecorder.Member m = alive.get(random.nextInt(alive.size()));
            final String group = GROUPS[random.nextInt(GROUPS.length)];
            if (m.groups().contains(group))
            {
                m.leave(group);
            }
        }
        else if (action < 19)
        {
            if (alive.size() > 2 * nodeCount)
            {
                alive.get(random.nextInt(alive.size())).close();
            }
        }
        else if (sends < maxSends)
        {
            // several members, likely on different nodes, interleave their bursts: the servers see them race
            final int senders = 1 + random.nextInt(Math.min(3, alive.size()));
            final int burst = 1 + random.nextInt(6);
            final HistoryRecorder.Member[] chosen = new HistoryRecorder.Member[senders];
            for (int i = 0; i < senders; i++)
            {
                chosen[i] = alive.get(random.nextInt(alive.size()));
            }
            for (int k = 0; k < burst; k++)
            {
                for (final HistoryRecorder.Member m : chosen)
                {
                    final String group = GROUPS[random.nextInt(GROUPS.length)];
                    if (m.groups().contains(group) && m.send(SERVICES[random.nextInt(SERVICES.length)], group))
                    {
                        sends++;
                    }
                }
            }
        }
    }

    /** {@inheritDoc} */
    public void close()
    {
        running = false;
    }
}
