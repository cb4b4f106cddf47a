package io.msgc.client;

import io.msgc.conf.ClientConfig;
import io.msgc.server.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A handler that throws is reported once to the configured error handler and the message is skipped: the client
 * neither redelivers it nor stops delivering the ones after it.
 */
class HandlerErrorTest
{
    private Cluster cluster;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void start()
    {
        cluster = new Cluster(1).startAll();
    }

    @AfterEach
    void stop() throws Exception
    {
        for (final AutoCloseable c : closeables)
        {
            c.close();
        }
        cluster.close();
    }

    @Test
    void aThrowingHandlerIsReportedOnceAndTheMessageSkipped() throws Exception
    {
        final ConcurrentLinkedQueue<Throwable> reported = new ConcurrentLinkedQueue<>();
        final InetSocketAddress server = cluster.address(1);
        final MsgcClient client = MsgcClient.connect(ClientConfig.builder()
            .server(server.getHostString(), server.getPort()).name("fragile").reconnect(false).connectTimeout(3)
            .errorHandler(reported::add).build());
        closeables.add(client);
        final TestMember sender = TestMember.connect("sender", server);
        closeables.add(sender);

        final RuntimeException boom = new IllegalStateException("boom on message 1");
        final List<Long> delivered = new ArrayList<>();
        final int[] views = {0};
        final MessageHandler handler = new MessageHandler()
        {
            public void onMessage(final Message message)
            {
                final long sequence = message.payload().getLong(0);
                delivered.add(sequence);
                if (sequence == 1)
                {
                    throw boom;
                }
            }

            public void onMembership(final MembershipView view)
            {
                views[0]++;
                throw new IllegalStateException("views fail too");
            }
        };
        client.join("g");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (views[0] == 0 && System.nanoTime() < deadline)
        {
            client.poll(handler, 10);
        }
        assertEquals(1, views[0]);
        for (long i = 0; i < 3; i++)
        {
            sender.send(i, "g");
        }
        while (delivered.size() < 3 && System.nanoTime() < deadline)
        {
            client.poll(handler, 10);
        }
        // a few more passes: a redelivery would show here
        for (int i = 0; i < 100; i++)
        {
            client.poll(handler, 10);
        }
        assertEquals(List.of(0L, 1L, 2L), delivered);
        assertEquals(2, reported.size(), reported.toString());
        assertEquals("views fail too", reported.poll().getMessage());
        assertSame(boom, reported.poll());
        assertTrue(client.isConnected());
    }
}
