package io.msgc.server;

import java.net.InetAddress;

/**
 * Per source address connection rate limit: a token bucket per address ({@code connect_rate} per second,
 * {@code connect_burst} at once), kept as GCRA (one "theoretical arrival time" per address) in a small table of
 * fixed size, so a flood from many addresses costs no memory. The table is set-associative: an address hashes to a
 * set of {@value #WAYS} slots; a slot whose bucket is full again holds nothing worth keeping and is reused first,
 * else the slot closest to full is. One host therefore cannot fill the handshake slots faster than its rate; many
 * hosts at once are bounded by {@code max_handshakes}. Single-threaded (the event loop).
 */
final class ConnectLimiter
{
    /** Slots in the table: 4096 addresses remembered at most. */
    static final int SLOTS = 4096;
    private static final int WAYS = 8;

    private final long intervalNs;
    private final long toleranceNs;
    private final boolean off;
    private final boolean[] used = new boolean[SLOTS];
    private final long[] keyHigh = new long[SLOTS];
    private final long[] keyLow = new long[SLOTS];
    /** When each address's bucket is full again (GCRA's theoretical arrival time), ns of the loop's clock. */
    private final long[] full = new long[SLOTS];

    /**
     * @param ratePerSecond connections per second one address may open on average; 0 turns the limit off.
     * @param burst         connections one address may open at once.
     */
    ConnectLimiter(final int ratePerSecond, final int burst)
    {
        off = ratePerSecond <= 0;
        intervalNs = off ? 0 : 1_000_000_000L / ratePerSecond;
        toleranceNs = intervalNs * (Math.max(burst, 1) - 1);
    }

    /**
     * @param address a connection's source address.
     * @param nowNs   the loop's monotonic clock.
     * @return true to accept the connection (and charge the address), false to refuse it.
     */
    boolean tryAcquire(final InetAddress address, final long nowNs)
    {
        if (off)
        {
            return true;
        }
        final byte[] bytes = address.getAddress();
        long high = 0;
        long low;
        if (bytes.length == 4)
        {
            low = 0xFFFF_0000_0000L | (bytes[0] & 0xFFL) << 24 | (bytes[1] & 0xFFL) << 16 | (bytes[2] & 0xFFL) << 8 |
                (bytes[3] & 0xFFL);
        }
        else
        {
            for (int i = 0; i < 8; i++)
            {
                high = high << 8 | (bytes[i] & 0xFFL);
            }
            low = 0;
            for (int i = 8; i < 16; i++)
            {
                low = low << 8 | (bytes[i] & 0xFFL);
            }
        }
        long hash = (high * 0x9E3779B97F4A7C15L) ^ (low * 0xC2B2AE3D27D4EB4FL);
        hash ^= hash >>> 29;
        final int set = (int)(hash & (SLOTS - 1)) & ~(WAYS - 1);
        int reusable = -1;
        int closestToFull = set;
        for (int i = set; i < set + WAYS; i++)
        {
            if (used[i] && keyHigh[i] == high && keyLow[i] == low)
            {
                return charge(i, nowNs);
            }
            if (reusable < 0 && (!used[i] || full[i] - nowNs <= 0))
            {
                reusable = i;
            }
            if (full[i] - full[closestToFull] < 0)
            {
                closestToFull = i;
            }
        }
        final int slot = reusable >= 0 ? reusable : closestToFull;
        used[slot] = true;
        keyHigh[slot] = high;
        keyLow[slot] = low;
        full[slot] = nowNs;
        return charge(slot, nowNs);
    }

    private boolean charge(final int slot, final long nowNs)
    {
        final long from = full[slot] - nowNs > 0 ? full[slot] : nowNs;
        if (from - nowNs > toleranceNs)
        {
            return false;
        }
        full[slot] = from + intervalNs;
        return true;
    }
}
