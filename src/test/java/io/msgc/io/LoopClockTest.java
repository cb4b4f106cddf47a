package io.msgc.io;

import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Deadlines follow the monotonic clock: a step of the wall clock neither stops timers nor fires them; the
 * idle time of a connection does not grow while the loop itself does not read it.
 */
class LoopClockTest
{
    private static final long HOUR_MS = 3_600_000;

    private final CachedNanoClock nanoClock = new CachedNanoClock();
    private final CachedEpochClock epochClock = new CachedEpochClock();

    LoopClockTest()
    {
        nanoClock.update(TimeUnit.SECONDS.toNanos(1000));
        epochClock.update(1_700_000_000_000L);
    }

    private void advanceMs(final long ms)
    {
        nanoClock.advance(TimeUnit.MILLISECONDS.toNanos(ms));
        epochClock.advance(ms);
    }

    @Test
    void timersFireByTheMonotonicClockWhenTheWallClockStepsBack() throws Exception
    {
        try (Poller poller = new Poller(nanoClock, epochClock, Long.MAX_VALUE))
        {
            final Timers timers = new Timers(poller);
            final List<String> fired = new ArrayList<>();
            timers.schedule(poller.nowMs() + 250, () -> fired.add("heartbeat"));

            epochClock.advance(-HOUR_MS); // NTP steps the wall clock back an hour
            advanceMs(300);
            poller.poll(0);
            timers.poll();

            assertEquals(List.of("heartbeat"), fired);
            assertEquals(1_700_000_000_000L - HOUR_MS + 300, poller.epochMs(), "epoch time is still there for display");
        }
    }

    @Test
    void aForwardStepOfTheWallClockFiresNothingEarly() throws Exception
    {
        try (Poller poller = new Poller(nanoClock, epochClock, Long.MAX_VALUE))
        {
            final Timers timers = new Timers(poller);
            final List<String> fired = new ArrayList<>();
            timers.schedule(poller.nowMs() + 1500, () -> fired.add("peer timeout"));

            epochClock.advance(HOUR_MS);
            advanceMs(100);
            poller.poll(0);
            timers.poll();
            assertTrue(fired.isEmpty(), "a peer timeout fired on a wall-clock step: " + fired);

            advanceMs(1500);
            poller.poll(0);
            timers.poll();
            assertEquals(List.of("peer timeout"), fired);
        }
    }

    @Test
    void aTimerDueNowFiresOnTheNextPollEvenWhenTheClockHasNotMoved() throws Exception
    {
        try (Poller poller = new Poller(nanoClock, epochClock, Long.MAX_VALUE))
        {
            final Timers timers = new Timers(poller);
            final List<String> fired = new ArrayList<>();
            advanceMs(10);
            poller.poll(0);
            timers.poll(); // polled at this ms: the next poll at the same ms may skip the wheel
            timers.schedule(poller.nowMs(), () -> fired.add("due now"));
            timers.schedule(poller.nowMs() + 1, () -> fired.add("next ms"));

            poller.poll(0);
            timers.poll();
            assertEquals(List.of("due now"), fired, "a timer scheduled after a poll at the same ms must still fire");

            poller.poll(0);
            timers.poll();
            assertEquals(List.of("due now"), fired);
            advanceMs(1);
            poller.poll(0);
            timers.poll();
            assertEquals(List.of("due now", "next ms"), fired);
        }
    }

    @Test
    void idleTimeDoesNotGrowWhileReadingIsPaused() throws Exception
    {
        final Poller poller = new Poller(nanoClock, epochClock, Long.MAX_VALUE);
        try (PollerFixture fixture = new PollerFixture(poller, new PollerFixture.Handler()))
        {
            fixture.connect();
            final Connection connection = fixture.accepted.get(0);
            advanceMs(2000);
            poller.poll(0);
            assertEquals(2000, connection.idleMs(poller.nowMs()));

            connection.stopReading(true); // back-pressure: the loop stops reading this client
            advanceMs(60_000);
            poller.poll(0);
            assertEquals(2000, connection.idleMs(poller.nowMs()), "idle time grew while the loop did not read");

            connection.stopReading(false);
            advanceMs(500);
            poller.poll(0);
            assertEquals(2500, connection.idleMs(poller.nowMs()));
        }
    }
}
