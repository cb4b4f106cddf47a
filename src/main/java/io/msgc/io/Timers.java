package io.msgc.io;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.DeadlineTimerWheel;

import java.util.concurrent.TimeUnit;

/**
 * Timers of one loop thread on an Agrona {@link DeadlineTimerWheel}: heartbeats, redials, handshake timeouts.
 * Each timer runs a {@link Runnable} once at its deadline. Not for the data path: scheduling allocates.
 */
public final class Timers
{
    private final DeadlineTimerWheel wheel =
        new DeadlineTimerWheel(TimeUnit.MILLISECONDS, System.currentTimeMillis(), 8, 512);
    private final Long2ObjectHashMap<Runnable> actions = new Long2ObjectHashMap<>();
    private final DeadlineTimerWheel.TimerHandler onExpiry = this::onExpiry;

    /**
     * Schedule an action.
     *
     * @param deadlineMs epoch ms at which to run.
     * @param action     what to run.
     * @return timer id for {@link #cancel}.
     */
    public long schedule(final long deadlineMs, final Runnable action)
    {
        final long id = wheel.scheduleTimer(deadlineMs);
        actions.put(id, action);
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
     * Run every expired action.
     *
     * @param nowMs current time in epoch ms.
     * @return actions run.
     */
    public int poll(final long nowMs)
    {
        int fired = 0;
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
        return fired;
    }

    /**
     * @param nowMs current time in epoch ms.
     * @param capMs most to return.
     * @return ms until the earliest deadline, capped; for blocking selects.
     */
    public long msUntilNext(final long nowMs, final long capMs)
    {
        final long deadline = wheel.timerCount() == 0 ? Long.MAX_VALUE : wheel.currentTickTime();
        return Math.max(1, Math.min(capMs, deadline - nowMs));
    }

    private boolean onExpiry(final TimeUnit timeUnit, final long now, final long timerId)
    {
        final Runnable action = actions.remove(timerId);
        if (action != null)
        {
            action.run();
        }
        return true;
    }
}
