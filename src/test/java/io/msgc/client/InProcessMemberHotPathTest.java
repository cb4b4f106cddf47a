package io.msgc.client;

import io.msgc.server.Cluster;
import io.msgc.wire.ServiceType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An in-process member's hot path: multicast and poll allocate nothing per message on the member's thread, and
 * a handler that throws is reported once and its message skipped.
 */
class InProcessMemberHotPathTest
{
    private static final int ROUND = 20_000;

    @Test
    void sendingAndReceivingAllocateNothingPerMessage() throws Exception
    {
        try (Cluster cluster = new Cluster(1).startAll();
            InProcessMember member = cluster.server(1).attach("lean"))
        {
            final com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
            final long self = Thread.currentThread().getId();
            final String[] destinations = {member.memberId(), "nobody-listens"};
            final String me = member.memberId();
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
            final long[] received = {0, 0};
            final StringBuilder sb = new StringBuilder(256);
            final MessageHandler handler = m ->
            {
                received[0]++;
                sb.setLength(0);
                m.appendSender(sb);
                received[1] += (m.senderEquals(me) ? 1 : 0) + m.groupLength(1) + m.payload().getLong(0);
            };
            long allocated = Long.MAX_VALUE;
            for (int round = 0; round < 4; round++)
            {
                final long before = threads.getThreadAllocatedBytes(self);
                final long target = received[0] + ROUND;
                long sent = 0;
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (received[0] < target && System.nanoTime() < deadline)
                {
                    payload.putLong(0, sent);
                    if (sent < ROUND && member.multicast(ServiceType.FIFO, 1, payload, 0, 64, destinations, 2) > 0)
                    {
                        sent++;
                    }
                    member.poll(handler, 64);
                }
                assertTrue(received[0] >= target, "received " + received[0]);
                allocated = Math.min(allocated, threads.getThreadAllocatedBytes(self) - before);
            }
            assertTrue(allocated < 32 * 1024, "a round of " + ROUND + " messages allocated " + allocated + " bytes");
            assertTrue(received[1] > 0);
        }
    }

    @Test
    void aHandlerThatThrowsIsReportedOnceAndTheMessageSkipped() throws Exception
    {
        final List<Throwable> reported = new ArrayList<>();
        try (Cluster cluster = new Cluster(1).startAll();
            InProcessMember member = cluster.server(1).attach("thrower", reported::add))
        {
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
            for (long i = 0; i < 3; i++)
            {
                payload.putLong(0, i);
                assertTrue(member.multicast(ServiceType.FIFO, 1, payload, 0, 8, member.memberId()) > 0);
            }
            final List<Long> seen = new ArrayList<>();
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (seen.size() < 3 && System.nanoTime() < deadline)
            {
                member.poll(m ->
                {
                    final long value = m.payload().getLong(0);
                    seen.add(value);
                    if (value == 1)
                    {
                        throw new IllegalStateException("handler bug");
                    }
                }, 16, 100);
            }
            assertEquals(List.of(0L, 1L, 2L), seen);
            assertEquals(1, reported.size());
            assertEquals("handler bug", reported.get(0).getMessage());
        }
    }
}
