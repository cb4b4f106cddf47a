package io.msgc.server;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-address connection rate limit on an injected clock: the burst, the refill at the rate, addresses apart
 * (IPv4, IPv6, IPv4-mapped), a table of fixed size under a flood of addresses, and off.
 */
class ConnectLimiterTest
{
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aBurstThenTheRate() throws Exception
    {
        final ConnectLimiter limiter = new ConnectLimiter(10, 5);
        final InetAddress a = InetAddress.getByName("10.0.0.1");
        final long t0 = -123_456_789L; // the monotonic clock may be negative
        for (int i = 0; i < 5; i++)
        {
            assertTrue(limiter.tryAcquire(a, t0), "burst " + i);
        }
        assertFalse(limiter.tryAcquire(a, t0), "past the burst");
        assertFalse(limiter.tryAcquire(a, t0 + SECOND / 10 - 1), "not a whole interval later");
        assertTrue(limiter.tryAcquire(a, t0 + SECOND / 10), "one interval later: one more");
        assertFalse(limiter.tryAcquire(a, t0 + SECOND / 10));
        // a long pause refills the bucket to the burst, never beyond
        int admitted = 0;
        while (limiter.tryAcquire(a, t0 + 100 * SECOND))
        {
            admitted++;
        }
        assertEquals(5, admitted);
    }

    @Test
    void addressesHaveBucketsOfTheirOwn() throws Exception
    {
        final ConnectLimiter limiter = new ConnectLimiter(1, 1);
        assertTrue(limiter.tryAcquire(InetAddress.getByName("10.0.0.1"), 0));
        assertFalse(limiter.tryAcquire(InetAddress.getByName("10.0.0.1"), 0));
        assertTrue(limiter.tryAcquire(InetAddress.getByName("10.0.0.2"), 0));
        assertTrue(limiter.tryAcquire(InetAddress.getByName("fd00::1"), 0));
        assertFalse(limiter.tryAcquire(InetAddress.getByName("fd00::1"), 0));
        assertTrue(limiter.tryAcquire(InetAddress.getByName("fd00::2"), 0));
        // what a dual-stack socket reports for an IPv4 client is that client
        assertFalse(limiter.tryAcquire(InetAddress.getByName("::ffff:10.0.0.2"), 0));
    }

    @Test
    void aFloodOfAddressesNeitherGrowsTheTableNorFreesTheBusyAddress() throws Exception
    {
        final ConnectLimiter limiter = new ConnectLimiter(1, 2);
        final InetAddress busy = InetAddress.getByName("192.0.2.1");
        assertTrue(limiter.tryAcquire(busy, 0));
        assertTrue(limiter.tryAcquire(busy, 0));
        assertFalse(limiter.tryAcquire(busy, 0));
        // every flooding address connects once, each a fresh bucket; the table stays at its fixed size
        final Random random = new Random(42);
        final byte[] bytes = new byte[16];
        bytes[0] = 0x20;
        bytes[1] = 0x01;
        for (int i = 0; i < 4 * ConnectLimiter.SLOTS; i++)
        {
            random.nextBytes(bytes);
            bytes[0] = (byte)0xfd;
            assertTrue(limiter.tryAcquire(InetAddress.getByAddress(bytes), 0));
        }
        // the flood ran at the same instant: an entry whose bucket is still empty is evicted only when every way
        // of its set is busy, which the busy address's set may be; the address is limited again at once after
        int refusedAfter = 0;
        for (int i = 0; i < 3; i++)
        {
            refusedAfter += limiter.tryAcquire(busy, 0) ? 0 : 1;
        }
        assertTrue(refusedAfter >= 1, "the busy address is limited again");
    }

    @Test
    void rateZeroIsOff() throws Exception
    {
        final ConnectLimiter limiter = new ConnectLimiter(0, 1);
        for (int i = 0; i < 10_000; i++)
        {
            assertTrue(limiter.tryAcquire(InetAddress.getByName("10.0.0.1"), 0));
        }
    }
}
