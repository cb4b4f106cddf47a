package io.msgc.io;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Names are looked up off the loop; answers, failures included, come back through a queue the loop polls.
 */
class ResolverTest
{
    @Test
    void literalsAreToldApartFromNames()
    {
        for (final String literal : List.of("127.0.0.1", "10.1.2.3", "255.255.255.255", "::1", "fe80::1"))
        {
            assertTrue(Resolver.isLiteral(literal), literal);
        }
        for (final String name : List.of("node1", "nonexistent.invalid", "1.2.3", "1.2.3.4.5", "256.1.1.1",
            "1..2.3", "1.2.3.", "10.0.0.1a", "localhost"))
        {
            assertFalse(Resolver.isLiteral(name), name);
        }
    }

    @Test
    void aLookupThatBlocksDoesNotBlockThePollerAndALateRecordIsSeenOnRetry() throws Exception
    {
        final CountDownLatch dnsAnswers = new CountDownLatch(1);
        final AtomicInteger wakeups = new AtomicInteger();
        final AtomicInteger lookups = new AtomicInteger();
        final InetAddress address = InetAddress.getByAddress("node4.example", new byte[]{10, 0, 0, 4});
        final Resolver.Lookup slowDns = host ->
        {
            try
            {
                dnsAnswers.await(); // a DNS server that takes its time
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            if (lookups.incrementAndGet() == 1)
            {
                throw new UnknownHostException(host); // the record is not there yet
            }
            return address;
        };
        try (Resolver resolver = new Resolver("test-resolver", slowDns, wakeups::incrementAndGet))
        {
            final List<Resolver.Request> answers = new ArrayList<>();
            resolver.resolve(new Resolver.Request("node4.example", "token"));
            assertEquals(0, resolver.poll(answers::add), "polling while the lookup runs returns at once");

            dnsAnswers.countDown();
            awaitAnswer(resolver, answers);
            assertNull(answers.get(0).address());
            assertEquals("unknown host", answers.get(0).error());
            assertEquals("token", answers.get(0).token());

            resolver.resolve(new Resolver.Request("node4.example", "token"));
            awaitAnswer(resolver, answers);
            assertEquals(address, answers.get(1).address());
            assertTrue(wakeups.get() >= 2, "each answer wakes the loop");
        }
    }

    private static void awaitAnswer(final Resolver resolver, final List<Resolver.Request> answers)
        throws InterruptedException
    {
        final int before = answers.size();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (answers.size() == before)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("no answer within 5 s");
            }
            resolver.poll(answers::add);
            Thread.sleep(1);
        }
    }
}
