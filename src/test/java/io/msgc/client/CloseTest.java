package io.msgc.client;

import io.msgc.conf.ClientConfig;
import io.msgc.server.Cluster;
import io.msgc.wire.ServiceType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code close()} is idempotent and safe from any thread: twice in a row, from a thread other than the one
 * polling (while it waits in the selector), from inside a handler, and on a client running its own thread.
 */
class CloseTest
{
    private Cluster cluster;

    @BeforeEach
    void start()
    {
        cluster = new Cluster(1).startAll();
    }

    @AfterEach
    void stop()
    {
        cluster.close();
    }

    private MsgcClient client(final String name) throws MsgcException
    {
        final InetSocketAddress server = cluster.address(1);
        return MsgcClient.connect(ClientConfig.builder()
            .server(server.getHostString(), server.getPort()).name(name).reconnect(false).connectTimeout(3).build());
    }

    @Test
    void closeTwiceIsFine() throws Exception
    {
        final MsgcClient client = client("twice");
        client.close();
        client.close();
        assertTrue(client.isClosed());
        assertEquals(0, client.poll(m -> { }, 10));
        assertEquals(MsgcClient.CLOSED, client.join("g"));
        assertEquals(MsgcClient.CLOSED, client.multicast(ServiceType.FIFO, 1, new UnsafeBuffer(new byte[8]), 0, 8, "g"));
    }

    @Test
    void closeFromAnotherThreadEndsAPollWaitingInTheSelector() throws Exception
    {
        final MsgcClient client = client("waiting");
        final CompletableFuture<Long> polling = CompletableFuture.supplyAsync(() ->
        {
            final long startNs = System.nanoTime();
            while (!client.isClosed() && System.nanoTime() - startNs < TimeUnit.SECONDS.toNanos(20))
            {
                client.poll(m -> { }, 10, 20_000);
            }
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        });
        Thread.sleep(200);
        client.close();
        assertTrue(client.isClosed(), "closed when close() returns");
        assertTrue(polling.get(10, TimeUnit.SECONDS) < 5_000);
        client.close();
    }

    @Test
    void closeFromInsideAHandlerStopsDeliveryAndClosesWhenPollReturns() throws Exception
    {
        final MsgcClient client = client("inside");
        final int[] views = {0};
        final MessageHandler handler = new MessageHandler()
        {
            public void onMessage(final Message message)
            {
            }

            public void onMembership(final MembershipView view)
            {
                views[0]++;
                client.close();
                client.close();
            }
        };
        client.join("a");
        client.join("b");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!client.isClosed() && System.nanoTime() < deadline)
        {
            client.poll(handler, 10);
        }
        assertTrue(client.isClosed());
        assertEquals(1, views[0], "nothing is delivered after close()");
    }

    @Test
    void closeStopsTheOwnThreadFromAnyThreadAndFromItself() throws Exception
    {
        final MsgcClient outside = client("outside");
        outside.startThread(m -> { });
        final Thread outsideThread = ClientWaitTest.findThread("msgc-client-outside");
        outside.close();
        outside.close();
        outsideThread.join(5000);
        assertFalse(outsideThread.isAlive());
        assertTrue(outside.isClosed());

        final MsgcClient itself = client("itself");
        itself.startThread(new MessageHandler()
        {
            public void onMessage(final Message message)
            {
            }

            public void onMembership(final MembershipView view)
            {
                itself.close();
            }
        });
        final Thread itselfThread = ClientWaitTest.findThread("msgc-client-itself");
        itself.join("g");
        itselfThread.join(5000);
        assertFalse(itselfThread.isAlive());
        assertTrue(itself.isClosed());
        itself.close();
    }
}
