package io.msgc.client;

import io.msgc.conf.ClientConfig;
import io.msgc.server.Cluster;
import io.msgc.wire.ServiceType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that waits on the socket: {@code poll} with a timeout blocks in the selector and returns as soon as
 * data arrives or another thread sends; the default {@code startThread} idles there instead of spinning.
 */
class ClientWaitTest
{
    private static final long LONG_WAIT_MS = 20_000;

    private Cluster cluster;
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[64]);

    @BeforeEach
    void start()
    {
        // keepalives far apart: nothing but the event under test may wake a waiting poll
        cluster = new Cluster(1, b -> b.keepaliveInterval(60).idleTimeout(120)).startAll();
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

    private MsgcClient client(final String name) throws MsgcException
    {
        final InetSocketAddress server = cluster.address(1);
        final MsgcClient client = MsgcClient.connect(ClientConfig.builder()
            .server(server.getHostString(), server.getPort()).name(name).reconnect(false).connectTimeout(3)
            .keepaliveInterval(60).idleTimeout(120).build());
        closeables.add(client);
        return client;
    }

    @Test
    void pollWithATimeoutReturnsWhenAMessageArrivesNotWhenTheTimeoutEnds() throws Exception
    {
        final MsgcClient receiver = client("receiver");
        final AtomicInteger received = new AtomicInteger();
        final MessageHandler handler = m -> received.incrementAndGet();
        receiver.join("g");
        final TestMember sender = TestMember.connect("sender", cluster.address(1));
        closeables.add(sender);
        // the receiver's own join view arrives: from here on the socket is quiet
        final long viewDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        final boolean[] joined = {false};
        final MessageHandler viewHandler = new MessageHandler()
        {
            public void onMessage(final Message message)
            {
            }

            public void onMembership(final MembershipView view)
            {
                joined[0] = true;
            }
        };
        while (!joined[0] && System.nanoTime() < viewDeadline)
        {
            receiver.poll(viewHandler, 10, 100);
        }
        assertTrue(joined[0], "own join view");

        final CompletableFuture<Void> later = CompletableFuture.runAsync(() ->
        {
            sleep(200);
            sender.send(1, "g");
        });
        final long startNs = System.nanoTime();
        int work = 0;
        while (received.get() == 0 && System.nanoTime() - startNs < TimeUnit.MILLISECONDS.toNanos(LONG_WAIT_MS))
        {
            work += receiver.poll(handler, 10, LONG_WAIT_MS);
        }
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        later.get(5, TimeUnit.SECONDS);
        assertEquals(1, received.get());
        assertTrue(work > 0);
        assertTrue(elapsedMs < 5_000, "poll woke on the socket, not on its " + LONG_WAIT_MS + " ms timeout: " +
            elapsedMs + " ms");
    }

    @Test
    void aSendFromAnotherThreadWakesAPollWaitingInTheSelector() throws Exception
    {
        final MsgcClient client = client("waker");
        final TestMember watcher = TestMember.connect("watcher", cluster.address(1));
        closeables.add(watcher);
        watcher.joinAndWait("g");
        final MessageHandler ignore = m -> { };
        final CompletableFuture<Void> quiet = new CompletableFuture<>();
        final CompletableFuture<long[]> poller = CompletableFuture.supplyAsync(() ->
        {
            while (client.poll(ignore, 10) > 0)
            {
                Thread.onSpinWait();
            }
            quiet.complete(null);
            final long startNs = System.nanoTime();
            final int work = client.poll(ignore, 10, LONG_WAIT_MS);
            return new long[]{work, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs)};
        });
        quiet.get(5, TimeUnit.SECONDS);
        sleep(200);
        payload.putLong(0, 42);
        assertTrue(client.multicast(ServiceType.FIFO, 1, payload, 0, 16, "g") > 0);
        final long[] result = poller.get(10, TimeUnit.SECONDS);
        assertTrue(result[0] > 0, "the waiting poll sent the frame");
        assertTrue(result[1] < 2_000, "the waiting poll was woken by the send: " + result[1] + " ms");
        watcher.awaitMessages(1, 5000);
        assertEquals(42, watcher.messages.peek().sequence());
    }

    @Test
    void pollWithATimeoutWaitsWhenNothingHappens() throws Exception
    {
        final MsgcClient client = client("idle");
        final MessageHandler ignore = m -> { };
        client.poll(ignore, 10); // takes the WELCOME's followers, if any
        final long startNs = System.nanoTime();
        int work = 0;
        for (int i = 0; i < 3; i++)
        {
            work += client.poll(ignore, 10, 100);
        }
        final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        assertEquals(0, work);
        assertTrue(elapsedMs >= 250, "three idle polls of 100 ms waited: " + elapsedMs + " ms");
    }

    @Test
    void theDefaultThreadIsADaemonThatWaitsInTheSelectorWhenIdle() throws Exception
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final TestMember member = TestMember.connect("quiet", cluster.address(1));
        closeables.add(member);
        member.joinAndWait("g");
        final Thread thread = findThread("msgc-client-quiet");
        assertTrue(thread.isDaemon(), "the client's own thread must not keep the JVM alive");
        sleep(100); // past the spin phase
        final long cpuBeforeNs = threads.getThreadCpuTime(thread.getId());
        final long startNs = System.nanoTime();
        sleep(1000);
        final long cpuNs = threads.getThreadCpuTime(thread.getId()) - cpuBeforeNs;
        final long wallNs = System.nanoTime() - startNs;
        assertTrue(cpuNs < wallNs / 10, "an idle client thread used " + cpuNs / 1_000_000 + " ms of CPU in " +
            wallNs / 1_000_000 + " ms");

        // and still answers at once
        final TestMember other = TestMember.connect("other", cluster.address(1));
        closeables.add(other);
        other.send(7, "g");
        member.awaitMessages(1, 5000);
    }

    static Thread findThread(final String name)
    {
        for (final Thread t : Thread.getAllStackTraces().keySet())
        {
            if (t.getName().equals(name))
            {
                return t;
            }
        }
        throw new AssertionError("no thread named " + name);
    }

    static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }
}
