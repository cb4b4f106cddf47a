package io.msgc.bench.rig;

import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one scenario on one topology. The publisher sends from the driver thread. Receivers run on the driver
 * thread too (it polls every endpoint: the spinning profiles), or each on its endpoint's own thread (the default
 * profile, and flow-control runs).
 * <p>
 * Open loop: at a fixed rate, message i is due at {@code start + i / rate}. A driver that spins stamps that
 * intended time into the payload, and the receiver records {@code now - intended}: a stall anywhere (server,
 * relay, kernel, this thread) shows as latency of every message it delayed, with no coordinated omission. A
 * driver that parks between sends (threaded endpoints, so that it does not take a core from the client threads)
 * wakes up to ~60 µs late on this kernel's timer slack, the same for every system: it stamps the time it really
 * sends, so that the slack is not counted as latency. At rate 0 the publisher sends as fast as it can, with at
 * most {@value #WINDOW_BYTES_DEFAULT} bytes in flight ({@link Scenario.Kind#ONE_WAY}, {@link Scenario.Kind#FAN_OUT})
 * or with none but back-pressure ({@link Scenario.Kind#FLOW}); the payload carries the send time.
 * <p>
 * Every payload carries a sequence number; each receiver checks it is the next one, so a lost or duplicated
 * message fails the run, as does a publisher that cannot keep the rate or an endpoint that is disconnected.
 */
final class Driver
{
    private static final long PROBE = -1;
    private static final long PROBE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(20);
    private static final int MAX_BURST = 1024;
    private static final int WINDOW_BYTES_DEFAULT = 2 * 1024 * 1024;
    /** Bytes in flight at "as fast as possible": well under the server's 8 MiB per-client outbound limit. */
    private static final int WINDOW_BYTES = Integer.getInteger("msgc.bench.window", WINDOW_BYTES_DEFAULT);
    /** A slowed subscriber sleeps this long... */
    static final long SLOW_SLEEP_NS = TimeUnit.MILLISECONDS.toNanos(1);
    /** ...after this many messages. */
    static final int SLOW_EVERY = 1000;
    /** A parking driver that is back-pressured or has its window full waits this long before trying again. */
    private static final long BACK_OFF_NS = TimeUnit.MICROSECONDS.toNanos(20);

    private static final AtomicLongFieldUpdater<Receiver> EXPECTED =
        AtomicLongFieldUpdater.newUpdater(Receiver.class, "expected");
    private static final AtomicLongFieldUpdater<Receiver> PROBES =
        AtomicLongFieldUpdater.newUpdater(Receiver.class, "probes");

    /**
     * Checks sequence and records latency for one receiving endpoint, on the thread that reads it. The driver
     * reads {@link #expected} (published with a release store after the rest), and the rest after the drain.
     */
    private final class Receiver implements PayloadHandler
    {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final boolean slowed;
        volatile long expected;
        volatile long probes;
        long duplicates;
        long gaps;
        long measured;
        long count;

        Receiver(final boolean slowed)
        {
            this.slowed = slowed;
        }

        @Override
        public void onPayload(final DirectBuffer buffer, final int offset, final int length)
        {
            final long now = System.nanoTime();
            final long seq = buffer.getLong(offset);
            final long sentAt = buffer.getLong(offset + 8);
            if (seq == PROBE)
            {
                PROBES.lazySet(this, probes + 1);
                return;
            }
            final long next = expected;
            if (seq == next)
            {
                EXPECTED.lazySet(this, next + 1);
            }
            else if (seq < next)
            {
                duplicates++;
                return;
            }
            else
            {
                gaps += seq - next;
                EXPECTED.lazySet(this, seq + 1);
            }
            if (sentAt >= measureFrom && sentAt < sendUntil)
            {
                histogram.recordValue(Math.max(0, now - sentAt));
                measured++;
            }
            if (slowed && ++count % SLOW_EVERY == 0)
            {
                LockSupport.parkNanos(SLOW_SLEEP_NS);
            }
        }
    }

    private final Scenario scenario;
    private final Topology topology;
    private final long warmupNs;
    private final long measureNs;
    private final UnsafeBuffer payload;
    private final Endpoint publisher;
    private final Endpoint[] subscribers;
    private final Receiver[] receivers;
    private final PayloadHandler publisherHandler;
    private final PayloadHandler[] subscriberHandlers;
    private final boolean threaded;
    private volatile long echoFailures;
    private volatile long measureFrom = Long.MAX_VALUE;
    private volatile long sendUntil = Long.MAX_VALUE;

    /**
     * @param scenario what to run.
     * @param topology the running system, endpoints connected.
     * @param warmupNs sending time before measuring starts (not recorded).
     * @param measureNs measured sending time.
     */
    Driver(final Scenario scenario, final Topology topology, final long warmupNs, final long measureNs)
    {
        this.scenario = scenario;
        this.topology = topology;
        this.warmupNs = warmupNs;
        this.measureNs = measureNs;
        payload = new UnsafeBuffer(new byte[scenario.size()]);
        publisher = topology.publisher();
        subscribers = topology.subscribers();
        threaded = publisher.threaded();
        subscriberHandlers = new PayloadHandler[subscribers.length];
        if (scenario.kind() == Scenario.Kind.RTT)
        {
            final Receiver a = new Receiver(false);
            receivers = new Receiver[]{a};
            publisherHandler = a;
            for (int i = 0; i < subscribers.length; i++)
            {
                final Endpoint b = subscribers[i];
                subscriberHandlers[i] = (buffer, offset, length) ->
                {
                    if (!b.send(buffer, offset, length))
                    {
                        echoFailures++; // one echoing thread per subscriber
                    }
                };
            }
        }
        else
        {
            receivers = new Receiver[subscribers.length];
            for (int i = 0; i < subscribers.length; i++)
            {
                receivers[i] = new Receiver(scenario.slowed());
                subscriberHandlers[i] = receivers[i];
            }
            publisherHandler = (buffer, offset, length) -> { };
        }
    }

    /**
     * Start threaded endpoints, probe the path, then send for warm-up plus measurement, then drain and check.
     *
     * @return the result, failed or not.
     */
    RunResult run()
    {
        if (publisher.threaded())
        {
            publisher.start(publisherHandler);
        }
        for (int i = 0; i < subscribers.length; i++)
        {
            if (subscribers[i].threaded())
            {
                subscribers[i].start(subscriberHandlers[i]);
            }
        }
        final String noPath = probe();
        if (noPath != null)
        {
            return result(0, noPath);
        }
        final int rate = scenario.rate();
        final long interval = rate == 0 ? 0 : 1_000_000_000L / rate;
        final long window = scenario.kind() == Scenario.Kind.FLOW ? Long.MAX_VALUE :
            Math.max(64, WINDOW_BYTES / (scenario.size() + 64));
        final long start = System.nanoTime();
        measureFrom = start + warmupNs;
        sendUntil = measureFrom + measureNs;
        long next = start;
        long seq = 0;
        long sentInWindow = 0;
        while (true)
        {
            final long now = System.nanoTime();
            if (now >= sendUntil)
            {
                break;
            }
            boolean blocked = false;
            for (int burst = 0; burst < MAX_BURST; burst++)
            {
                final long stamp;
                if (rate != 0)
                {
                    if (next > now)
                    {
                        break;
                    }
                    stamp = threaded ? System.nanoTime() : next;
                }
                else
                {
                    if (seq - minExpected() >= window)
                    {
                        blocked = true;
                        break;
                    }
                    stamp = System.nanoTime();
                }
                payload.putLong(0, seq);
                payload.putLong(8, stamp);
                if (!publisher.send(payload, 0, payload.capacity()))
                {
                    blocked = true;
                    break;
                }
                seq++;
                next += interval;
                if (stamp >= measureFrom)
                {
                    sentInWindow++;
                }
            }
            if (!threaded)
            {
                pollAll();
            }
            else if (rate != 0)
            {
                final long wait = Math.min(next, sendUntil) - System.nanoTime();
                if (wait > 0)
                {
                    LockSupport.parkNanos(wait);
                }
            }
            else if (blocked)
            {
                LockSupport.parkNanos(BACK_OFF_NS);
            }
            if (threaded && failure() != null)
            {
                break;
            }
        }
        final String lost = drain(seq);
        if (lost != null)
        {
            return result(sentInWindow, lost);
        }
        if (rate != 0 && sentInWindow < 0.99 * rate * (measureNs / 1e9))
        {
            return result(sentInWindow, String.format("missed rate: sent %.0f msg/s of %d",
                sentInWindow / (measureNs / 1e9), rate));
        }
        return result(sentInWindow, null);
    }

    private String probe()
    {
        final long deadline = System.nanoTime() + PROBE_TIMEOUT_NS;
        long nextProbe = 0;
        payload.putLong(0, PROBE);
        while (!allProbed())
        {
            final long now = System.nanoTime();
            if (now > deadline)
            {
                return "no path from publisher to every receiver within 10 s";
            }
            if (now >= nextProbe && publisher.send(payload, 0, payload.capacity()))
            {
                nextProbe = now + 2_000_000;
            }
            idle();
            final String failure = failure();
            if (failure != null)
            {
                return failure;
            }
        }
        // let stray probes arrive before the numbered stream starts
        final long settle = System.nanoTime() + 20_000_000;
        while (System.nanoTime() < settle)
        {
            idle();
        }
        return null;
    }

    private void idle()
    {
        if (threaded)
        {
            LockSupport.parkNanos(BACK_OFF_NS);
        }
        else
        {
            pollAll();
        }
    }

    private boolean allProbed()
    {
        for (final Receiver receiver : receivers)
        {
            if (receiver.probes == 0)
            {
                return false;
            }
        }
        return true;
    }

    private String drain(final long sent)
    {
        final long deadline = System.nanoTime() + DRAIN_TIMEOUT_NS;
        while (minExpected() < sent && System.nanoTime() < deadline && failure() == null)
        {
            idle();
        }
        final String failure = failure();
        if (failure != null)
        {
            return failure;
        }
        long lost = 0;
        long duplicates = 0;
        for (final Receiver receiver : receivers)
        {
            lost += receiver.gaps + (sent - receiver.expected);
            duplicates += receiver.duplicates;
        }
        if (lost != 0 || duplicates != 0 || echoFailures != 0)
        {
            return "lost " + lost + ", duplicated " + duplicates + ", echo refused " + echoFailures + " (of " + sent +
                " sent)";
        }
        return null;
    }

    private long minExpected()
    {
        long min = Long.MAX_VALUE;
        for (final Receiver receiver : receivers)
        {
            min = Math.min(min, receiver.expected);
        }
        return min;
    }

    private void pollAll()
    {
        publisher.poll(publisherHandler);
        for (int i = 0; i < subscribers.length; i++)
        {
            subscribers[i].poll(subscriberHandlers[i]);
        }
    }

    private String failure()
    {
        String failure = publisher.failure();
        for (int i = 0; i < subscribers.length && failure == null; i++)
        {
            failure = subscribers[i].failure();
        }
        return failure;
    }

    private RunResult result(final long sent, final String failure)
    {
        long delivered = 0;
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        for (final Receiver receiver : receivers)
        {
            delivered += receiver.measured;
            histogram.add(receiver.histogram);
        }
        return new RunResult(scenario, topology.system(), histogram, sent, delivered, delivered / (measureNs / 1e9),
            failure);
    }
}
