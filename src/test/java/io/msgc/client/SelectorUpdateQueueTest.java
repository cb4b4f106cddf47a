package io.msgc.client;

import io.msgc.conf.ClientConfig;
import io.msgc.io.Poller;
import io.msgc.server.Cluster;
import io.msgc.wire.ServiceType;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.nio.channels.Selector;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A connected client reads its socket without the selector, so it must not hand the selector interest-op changes
 * that only a select would consume: the JDK queues each one until the next select, and a client that never
 * selects grew that queue by one or two entries per poll (about 150,000 after 300,000 messages). Measured here
 * on the selector itself (Linux's EPollSelectorImpl.updateKeys; needs {@code --add-opens
 * java.base/sun.nio.ch=ALL-UNNAMED}, which the test runner passes).
 */
class SelectorUpdateQueueTest
{
    private static final int COUNT = 20_000;

    @Test
    void aBusyClientLeavesNoPendingSelectorUpdates() throws Exception
    {
        try (Cluster cluster = new Cluster(1).startAll())
        {
            final InetSocketAddress server = cluster.address(1);
            try (MsgcClient receiver = MsgcClient.connect(ClientConfig.builder()
                .server(server.getHostString(), server.getPort()).name("receiver").reconnect(false).build());
                TestMember sender = TestMember.connect("sender", server))
            {
                final Collection<?> updates = pendingUpdates(receiver);
                final int[] received = {0};
                final MessageHandler handler = m -> received[0]++;
                receiver.join("g");
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                // the own view arrives: the sender's messages will reach the receiver
                while (received[0] == 0 && System.nanoTime() < deadline)
                {
                    receiver.poll(handler, 1);
                    if (receiver.multicast(ServiceType.FIFO, 1, new org.agrona.concurrent.UnsafeBuffer(new byte[8]),
                        0, 8, "#receiver#node1") < 0)
                    {
                        Thread.onSpinWait();
                    }
                }
                received[0] = 0;
                final Thread sending = new Thread(() ->
                {
                    for (int i = 0; i < COUNT; i++)
                    {
                        sender.send(i, "g");
                    }
                });
                sending.start();
                while (received[0] < COUNT && System.nanoTime() < deadline)
                {
                    // a limit of 1 pauses and resumes reading on every pass: the interest-op toggle under test
                    receiver.poll(handler, 1);
                }
                sending.join(10_000);
                assertTrue(received[0] >= COUNT, "received " + received[0]);
                assertTrue(updates.size() < 16, updates.size() + " interest updates wait for a select that " +
                    "never comes");
                assertEquals(true, receiver.isConnected());
            }
        }
    }

    private static Collection<?> pendingUpdates(final MsgcClient client) throws Exception
    {
        final Poller poller = (Poller)field(MsgcClient.class, "poller").get(client);
        final Selector selector = (Selector)field(Poller.class, "selector").get(poller);
        Field updateKeys = null;
        for (Class<?> c = selector.getClass(); c != null && updateKeys == null; c = c.getSuperclass())
        {
            try
            {
                updateKeys = c.getDeclaredField("updateKeys");
            }
            catch (final NoSuchFieldException ignore)
            {
                // look further up
            }
        }
        assumeTrue(updateKeys != null, "this JDK's selector " + selector.getClass().getName() +
            " keeps no update queue to measure");
        updateKeys.setAccessible(true);
        return (Collection<?>)updateKeys.get(selector);
    }

    private static Field field(final Class<?> type, final String name) throws NoSuchFieldException
    {
        final Field f = type.getDeclaredField(name);
        f.setAccessible(true);
        return f;
    }
}
