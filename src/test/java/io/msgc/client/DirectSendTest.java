package io.msgc.client;

import io.msgc.conf.ClientConfig;
import io.msgc.server.Cluster;
import io.msgc.wire.ServiceType;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Sends made by the I/O thread skip the send queue (single-threaded clients, replies from inside poll). They must
 * keep every message, in order, behind whatever is still queued (a JOIN, or frames queued while the socket's
 * write buffer was full).
 */
class DirectSendTest
{
    private static final int COUNT = 20_000;

    private Cluster cluster;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void start()
    {
        cluster = new Cluster(2).startAll();
        Cluster.await("2-node mesh", 5000, cluster::fullMesh);
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
    void singleThreadedSenderKeepsOrderBehindItsQueuedJoin() throws Exception
    {
        final TestMember receiver = TestMember.connect("r", cluster.address(2));
        closeables.add(receiver);
        receiver.joinAndWait("g");
        final MsgcClient sender = MsgcClient.connect(config("s", cluster.address(1)).singleThreaded(true).build());
        closeables.add(sender);
        final List<Long> own = new ArrayList<>();
        final MessageHandler handler = message -> own.add(message.payload().getLong(0));
        // the JOIN goes through the queue; the first sends must wait behind it, or the sender would miss them
        sender.join("g");
        final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (long i = 0; i < COUNT && System.nanoTime() < deadline; )
        {
            payload.putLong(0, i);
            if (sender.multicast(ServiceType.FIFO, 1, payload, 0, payload.capacity(), "g") > 0)
            {
                i++;
            }
            if (i % 64 == 0)
            {
                sender.poll(handler, 1000);
            }
        }
        while (own.size() < COUNT && System.nanoTime() < deadline)
        {
            sender.poll(handler, 1000);
        }
        receiver.awaitMessages(COUNT, 20_000);
        assertInOrder(own);
        final List<Long> received = new ArrayList<>();
        receiver.messages.forEach(m -> received.add(m.sequence()));
        assertInOrder(received);
    }

    @Test
    void repliesFromInsidePollArriveInOrder() throws Exception
    {
        final MsgcClient echo = MsgcClient.connect(config("echo", cluster.address(2)).build());
        closeables.add(echo);
        echo.join("ping");
        echo.startThread(message ->
        {
            // runs on the client's I/O thread: the reply is written straight to the socket's buffer
            while (echo.multicast(ServiceType.FIFO, 2, message.buffer(), message.payloadOffset(),
                message.payloadLength(), "pong") == MsgcClient.BACK_PRESSURED)
            {
                Thread.onSpinWait();
            }
        }, new BusySpinIdleStrategy());
        final TestMember origin = TestMember.connect("origin", cluster.address(1));
        closeables.add(origin);
        origin.joinAndWait("pong");
        // wait until the echo's JOIN of ping has reached node1: a probe comes back
        final long probeDeadline = System.currentTimeMillis() + 5000;
        while (origin.messages.isEmpty() && System.currentTimeMillis() < probeDeadline)
        {
            origin.send(-1, "ping");
            Thread.sleep(20);
        }
        Cluster.await("probe echoed", 5000, () -> !origin.messages.isEmpty());
        Thread.sleep(100);
        origin.messages.clear();
        for (long i = 0; i < COUNT; i++)
        {
            origin.send(ServiceType.FIFO, i, 64, "ping");
        }
        Cluster.await("all echoes", 20_000,
            () -> origin.messages.stream().filter(m -> m.sequence() >= 0).count() >= COUNT);
        final List<Long> echoed = new ArrayList<>();
        // a probe's echo may still come in after the clear on a loaded machine: probes carry -1
        origin.messages.forEach(m ->
        {
            if (m.sequence() >= 0)
            {
                echoed.add(m.sequence());
            }
        });
        assertInOrder(echoed);
    }

    private static ClientConfig.Builder config(final String name, final InetSocketAddress server)
    {
        return ClientConfig.builder().server(server.getHostString(), server.getPort()).name(name).reconnect(false)
            .connectTimeout(3);
    }

    private static void assertInOrder(final List<Long> sequences)
    {
        assertEquals(COUNT, sequences.size());
        for (int i = 0; i < COUNT; i++)
        {
            assertEquals(i, sequences.get(i).longValue(), "message " + i);
        }
    }
}
