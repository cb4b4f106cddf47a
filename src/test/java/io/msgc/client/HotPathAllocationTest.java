package io.msgc.client;

import io.msgc.conf.ClientConfig;
import io.msgc.server.Cluster;
import io.msgc.wire.ServiceType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sending and receiving allocate nothing per message on the application's side of the client: multicast (name
 * checks, correlation id, the send queue) and poll (drain, write, read, deliver, the Message accessors), both on
 * the thread that calls them. Measured with the JVM's per-thread allocation counter.
 */
class HotPathAllocationTest
{
    private static final int ROUND = 20_000;

    @Test
    void sendingAndReceivingAllocateNothingPerMessage() throws Exception
    {
        try (Cluster cluster = new Cluster(1).startAll())
        {
            final InetSocketAddress server = cluster.address(1);
            try (MsgcClient client = MsgcClient.connect(ClientConfig.builder()
                .server(server.getHostString(), server.getPort()).name("lean").reconnect(false).build()))
            {
                final com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
                final long self = Thread.currentThread().getId();
                final String[] destinations = {client.memberId(), "nobody-listens"};
                final String me = client.memberId();
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
                        if (sent < ROUND &&
                            client.multicast(ServiceType.FIFO, 1, payload, 0, 64, destinations, 2) > 0)
                        {
                            sent++;
                        }
                        client.poll(handler, 64);
                    }
                    assertTrue(received[0] >= target, "received " + received[0]);
                    allocated = Math.min(allocated, threads.getThreadAllocatedBytes(self) - before);
                }
                // anything per message would be 20,000 times something: hundreds of KB
                assertTrue(allocated < 32 * 1024, "a round of " + ROUND + " messages allocated " + allocated +
                    " bytes");
                assertTrue(received[1] > 0);
            }
        }
    }
}
