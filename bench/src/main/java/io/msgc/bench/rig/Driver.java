package io.msgc.bench.rig;

import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.TimeUnit;

/**
 * Runs one scenario on one topology from a single driver thread that owns every endpoint.
 * <p>
 * Open loop: at a fixed rate, message i is due at {@code start + i / rate}; its payload carries that intended
 * time, and the receiver records {@code now - intended}. A stall anywhere (server, relay, kernel, this thread)
 * therefore shows as latency of every message it delayed: no coordinated omission. At rate 0 the publisher sends
 * as fast as it can with a bounded number in flight, and the payload carries the actual send time.
 * <p>
 * Every payload carries a sequence number; each receiver checks it is the next one, so a lost or duplicated
 * message fails the run, as does a publisher that cannot keep the rate.
 */
final class Driver
{
    private static final long PROBE = -1;
    private static final long PROBE_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final long DRAIN_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);
    private static final int MAX_BURST = 1024;
    /** Bytes in flight at "as fast as possible": well under the server's 8 MiB per-client outbound limit. */
    private static final int WINDOW_BYTES = Integer.getInteger("msgc.bench.window", 2 * 1024 * 1024);

    /**
     * Checks sequence and records latency for one receiving endpoint.
     */
    private final class Receiver implements PayloadHandler
    {
        long expected;
        long duplicates;
        long gaps;
        long measured;
        long probes;

        @Override
        public void onPayload(final DirectBuffer buffer, final int offset, final int length)
        {
            final long now = System.nanoTime();
            final long seq = buffer.getLong(offset);
            final long intended = buffer.getLong(offset + 8);
            if (seq == PROBE)
            {
                probes++;
                return;
            }
            if (seq == expected)
            {
                expected++;
            }
            else if (seq < expected)
            {
                duplicates++;
                return;
            }
            else
            {
                gaps += seq - expected;
                expected = seq + 1;
            }
            if (intended >= measureFrom && intended < sendUntil)
            {
                histogram.recordValue(Math.max(0, now - intended));
                measured++;
            }
        }
    }

    private final Scenario scenario;
    private final Topology topology;
    private final long warmupNs;
    private final long measureNs;
    private final UnsafeBuffer payload;
    private final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    private final Endpoint publisher;
    private final Endpoint[] subscribers;
    private final Receiver[] receivers;
    private final PayloadHandler publisherHandler;
    private final PayloadHandler[] subscriberHandlers;
    private long echoFailures;
    private long measureFrom = Long.MAX_VALUE;
    private long sendUntil = Long.MAX_VALUE;

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
        subscriberHandlers = new PayloadHandler[subscribers.length];
        if (scenario.kind() == Scenario.Kind.RTT)
        {
            final Receiver a = new Receiver();
            receivers = new Receiver[]{a};
            publisherHandler = a;
            for (int i = 0; i < subscribers.length; i++)
            {
                final Endpoint b = subscribers[i];
                subscriberHandlers[i] = (buffer, offset, length) ->
                {
                    if (!b.send(buffer, offset, length))
                    {
                        echoFailures++;
                    }
                };
            }
        }
        else
        {
            receivers = new Receiver[subscribers.length];
            for (int i = 0; i < subscribers.length; i++)
            {
                receivers[i] = new Receiver();
                subscriberHandlers[i] = receivers[i];
            }
            publisherHandler = (buffer, offset, length) -> { };
        }
    }

    /**
     * Probe the path, then send for warm-up plus measurement, then drain and check.
     *
     * @return the result, failed or not.
     */
    RunResult run()
    {
        final String noPath = probe();
        if (noPath != null)
        {
            return result(0, noPath);
        }
        final int rate = scenario.rate();
        final long interval = rate == 0 ? 0 : 1_000_000_000L / rate;
        final long window = Math.max(64, WINDOW_BYTES / (scenario.size() + 64));
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
            for (int burst = 0; burst < MAX_BURST; burst++)
            {
                final long intended;
                if (rate != 0)
                {
                    if (next > now)
                    {
                        break;
                    }
                    intended = next;
                }
                else
                {
                    if (seq - minExpected() >= window)
                    {
                        break;
                    }
                    intended = now;
                }
                payload.putLong(0, seq);
                payload.putLong(8, intended);
                if (!publisher.send(payload, 0, payload.capacity()))
                {
                    break;
                }
                seq++;
                next += interval;
                if (intended >= measureFrom)
                {
                    sentInWindow++;
                }
            }
            pollAll();
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
            pollAll();
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
            pollAll();
        }
        return null;
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
            pollAll();
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
        for (final Receiver receiver : receivers)
        {
            delivered += receiver.measured;
        }
        return new RunResult(scenario, topology.system(), histogram, sent, delivered, delivered / (measureNs / 1e9),
            failure);
    }
}
