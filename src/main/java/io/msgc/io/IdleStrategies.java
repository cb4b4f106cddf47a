package io.msgc.io;

import io.msgc.conf.IdleStrategyKind;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;

/**
 * Maps the configured {@code idle_strategy} to an Agrona {@link IdleStrategy}. With {@code blocking} the loop
 * waits inside {@code Selector.select(timeout)} instead, so the runner's own strategy does nothing.
 */
public final class IdleStrategies
{
    private IdleStrategies()
    {
    }

    /**
     * @param kind configured kind.
     * @return the strategy for the agent runner.
     */
    public static IdleStrategy forKind(final IdleStrategyKind kind)
    {
        switch (kind)
        {
            case BUSY_SPIN: return new BusySpinIdleStrategy();
            case BLOCKING: return NoOpIdleStrategy.INSTANCE;
            default: return new BackoffIdleStrategy(100, 10, 1_000, 1_000_000);
        }
    }
}
