package io.msgc.io;

import io.msgc.conf.IdleStrategyKind;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * When each {@code idle_strategy} lets the event loop's select block.
 */
class SelectIdleStrategyTest
{
    @Test
    void busySpinNeverBlocks()
    {
        final SelectIdleStrategy idle = SelectIdleStrategy.forKind(IdleStrategyKind.BUSY_SPIN);
        for (int i = 0; i < 100_000; i++)
        {
            idle.idle(0);
        }
        assertEquals(0, idle.selectTimeoutMs(50));
    }

    @Test
    void blockingAlwaysBlocksUpToTheNextTimer()
    {
        final SelectIdleStrategy idle = SelectIdleStrategy.forKind(IdleStrategyKind.BLOCKING);
        assertEquals(50, idle.selectTimeoutMs(50));
        idle.idle(3);
        assertEquals(50, idle.selectTimeoutMs(50));
        assertEquals(100, idle.selectTimeoutMs(10_000), "capped at 100 ms");
    }

    @Test
    void backoffSpinsThenYieldsThenBlocksAndWorkStartsOver()
    {
        final SelectIdleStrategy idle = SelectIdleStrategy.forKind(IdleStrategyKind.BACKOFF);
        assertEquals(0, idle.selectTimeoutMs(50), "busy: select without blocking");
        final long start = System.nanoTime();
        long turns = 0;
        while (idle.selectTimeoutMs(50) == 0)
        {
            idle.idle(0);
            turns++;
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "never blocked");
        }
        assertTrue(System.nanoTime() - start >= 50_000, "spins at least 50 us before blocking");
        assertTrue(turns > 10, "spins and yields first: " + turns);
        assertEquals(1, idle.selectTimeoutMs(50), "blocks at most 1 ms");
        idle.idle(1);
        assertEquals(0, idle.selectTimeoutMs(50), "work: back to spinning");
    }
}
