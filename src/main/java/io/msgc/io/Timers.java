package io.msgc.io;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.DeadlineTimerWheel;

import java.util.concurrent.TimeUnit;

/**
 * Timers of one loop thread on an Agrona {@link DeadlineTimerWheel}: heartbeats, redials, handshake timeouts.
 * Deadlines are on the poller's monotonic clock ({@link Poller#nowMs}), so a wall-clock step neither stops nor
 * fires them. Each timer runs a {@link Runnable} once at its deadline, inside a loop turn of the poller (a close
 * it asks for is deferred to the end of the turn); an exception from one goes to the poller's error handler and
 * the other timers still run. Not for the data path: scheduling allocates.
 */
public final class Timers
{
    private final Poller poller;
    private final DeadlineTimerWheel wheel;
    private final Long2ObjectHashMap<Runnable> actions = new Long2ObjectHashMap<>();
    private final DeadlineTimerWheel.TimerHandler onExpiry = this::onExpiry;
    private long polledMs = Long.MIN_VALUE;

    /**
     * @param poller whose clock and turns the timers use.
     */
    public Timers(final Poller poller)
    {
        this.poller = poller;
        wheel = new DeadlineTimerWheel(TimeUnit.MILLISECONDS, poller.nowMs(), 8, 512);
    }

    /**
     * Schedule an action.
     *
     * @param deadlineMs poller time ({@link Poller#nowMs}, monotonic ms) at which to run.
     * @param action     what to run.
     * @return timer id for {@link #cancel}.
     */
    public long schedule(final long deadlineMs, final Runnable action)
    {
        final long id = wheel.scheduleTimer(deadlineMs);
        actions.put(id, action);
        polledMs = Long.MIN_VALUE;
        return id;
    }

    /**
     * Cancel a timer; unknown or expired ids are ignored.
     *
     * @param timerId id from {@link #schedule}.
     */
    public void cancel(final long timerId)
    {
        if (actions.remove(timerId) != null)
        {
            wheel.cancelTimer(timerId);
        }
    }

    /**
     * Run every action whose deadline is at or before the poller's clock, as one loop turn.
     *
     * @return actions run.
     */
    public int poll()
    {
        final long nowMs = poller.nowMs();
        if (nowMs == polledMs)
        {
            // polled at this ms and nothing scheduled since: nothing can be due (a wheel poll scans a whole spoke)
            return 0;
        }
        polledMs = nowMs;
        int fired = 0;
        poller.beginTurn();
        try
        {
            // the wheel advances one tick per poll: catch up after a pause, bounded
            for (int i = 0; i < 4096 && wheel.timerCount() > 0; i++)
            {
                fired += wheel.poll(nowMs, onExpiry, Integer.MAX_VALUE);
                if (wheel.currentTickTime() > nowMs)
                {
                    break;
                }
            }
            if (wheel.timerCount() == 0)
            {
                wheel.currentTickTime(nowMs);
            }
        }
        finally
        {
            poller.endTurn();
        }
        return fired;
    }

    /**
     * @param capMs most to return.
     * @return ms until the wheel's next tick, at least 1 and at most {@code capMs}; for blocking selects.
     */
    public long msUntilNext(final long capMs)
    {
        final long deadline = wheel.timerCount() == 0 ? Long.MAX_VALUE : wheel.currentTickTime();
        return Math.max(1, Math.min(capMs, deadline - poller.nowMs()));
    }

    private boolean onExpiry(final TimeUnit timeUnit, final long now, final long timerId)
    {
        final Runnable action = actions.remove(timerId);
        if (action != null)
        {
            try
            {
                action.run();
            }
            catch (final RuntimeException ex)
            {
                poller.onError(ex);
            }
        }
        return true;
    }
}
