package io.msgc.io;

import io.msgc.conf.IdleStrategyKind;
import org.agrona.concurrent.IdleStrategy;

/**
 * The configured {@code idle_strategy} for an event loop built on a {@link java.nio.channels.Selector}: after a
 * turn with no work it spins, then yields, then lets the next select block, which returns as soon as a socket
 * is ready. Blocking in the selector instead of parking the thread is the point: a parked thread wakes only when
 * its timer fires (Linux adds ~50 µs of timer slack to every park), a thread blocked in {@code epoll_wait} wakes
 * when the data arrives.
 * <ul>
 *   <li>{@code busy-spin}: never blocks; one core per loop.</li>
 *   <li>{@code backoff}: spins for 50 µs of idle turns, yields for 10 more turns, then selects that block up to
 *   1 ms. The spin phase is measured in time, not turns, because a turn is a system call whose cost varies
 *   with the number of sockets: any loop using this strategy spins for the same wall-clock time.</li>
 *   <li>{@code blocking}: every select blocks, up to the next timer (at most 100 ms).</li>
 * </ul>
 * The agent runner calls {@link #idle(int)} after each turn; the loop asks {@link #selectTimeoutMs} before its
 * next select. One instance per loop; not thread-safe.
 */
public final class SelectIdleStrategy implements IdleStrategy
{
    private static final long BACKOFF_SPIN_NS = 50_000;
    private static final int BACKOFF_YIELDS = 10;
    private static final long BACKOFF_BLOCK_MS = 1;
    private static final long BLOCKING_BLOCK_MS = 100;

    private final IdleStrategyKind kind;
    private final long spinNs;
    private final int yields;
    private final long maxBlockMs;
    private final boolean alwaysBlocks;
    private long idleSinceNs;
    private int yieldTurns;
    private boolean spinning;
    private boolean blocking;

    private SelectIdleStrategy(final IdleStrategyKind kind, final long spinNs, final int yields, final long maxBlockMs)
    {
        this.kind = kind;
        this.spinNs = spinNs;
        this.yields = yields;
        this.maxBlockMs = maxBlockMs;
        alwaysBlocks = maxBlockMs > 0 && spinNs == 0 && yields == 0;
        blocking = alwaysBlocks;
    }

    /**
     * @param kind the configured kind.
     * @return a fresh strategy for one loop.
     */
    public static SelectIdleStrategy forKind(final IdleStrategyKind kind)
    {
        switch (kind)
        {
            case BUSY_SPIN: return new SelectIdleStrategy(kind, Long.MAX_VALUE, 0, 0);
            case BLOCKING: return new SelectIdleStrategy(kind, 0, 0, BLOCKING_BLOCK_MS);
            default: return new SelectIdleStrategy(kind, BACKOFF_SPIN_NS, BACKOFF_YIELDS, BACKOFF_BLOCK_MS);
        }
    }

    /**
     * @param msUntilTimer ms until the loop's next timer is due.
     * @return how long the next select may block: 0 (select without blocking) while the loop is busy, spinning
     *         or yielding; else up to the next timer, at most this strategy's cap.
     */
    public long selectTimeoutMs(final long msUntilTimer)
    {
        return blocking ? Math.min(maxBlockMs, msUntilTimer) : 0;
    }

    /** {@inheritDoc} */
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    /** {@inheritDoc} */
    public void idle()
    {
        if (blocking)
        {
            return; // the next select blocks, which is the wait
        }
        if (maxBlockMs == 0)
        {
            Thread.onSpinWait(); // busy-spin: no clock needed
            return;
        }
        if (!spinning)
        {
            spinning = true;
            idleSinceNs = System.nanoTime();
        }
        if (System.nanoTime() - idleSinceNs < spinNs)
        {
            Thread.onSpinWait();
        }
        else if (yieldTurns < yields)
        {
            yieldTurns++;
            Thread.yield();
        }
        else
        {
            blocking = true;
        }
    }

    /** {@inheritDoc} */
    public void reset()
    {
        spinning = false;
        yieldTurns = 0;
        blocking = alwaysBlocks;
    }

    /** {@inheritDoc} */
    public String alias()
    {
        return kind.configName();
    }
}
