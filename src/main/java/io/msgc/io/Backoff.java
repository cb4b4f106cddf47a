package io.msgc.io;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Redial delays: exponential from an initial value, capped, half fixed and half random so that many nodes or
 * clients redialling at once spread out without ever waiting longer than the cap.
 */
public final class Backoff
{
    private Backoff()
    {
    }

    /**
     * @param initialMs first delay.
     * @param capMs     longest delay.
     * @param attempt   failed attempts so far (0 for the first redial).
     * @return the delay in ms, in [base/2, base] where base = min(cap, initial * 2^attempt).
     */
    public static long delayMs(final long initialMs, final long capMs, final int attempt)
    {
        final long base = Math.min(capMs, initialMs << Math.min(attempt, 20));
        return base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
    }
}
