package io.msgc.server;

import io.msgc.admin.EventLog;
import io.msgc.wire.ErrorCode;

import java.util.function.Supplier;

/**
 * WARNING lines for refused connections, at most one per second per refusal code: a flood of bad handshakes must
 * not become a flood of log lines. The first refusal of a code is logged at once; the ones in the following second
 * are counted and the next line says how many were not logged ({@code suppressed=N}). The counters count all.
 */
final class RefusalLog
{
    /** Least time between two lines of one code. */
    static final long INTERVAL_MS = 1000;
    private static final int CODES = 64;

    private final EventLog log;
    private final long[] lastMs = new long[CODES];
    private final long[] suppressed = new long[CODES];
    private final boolean[] logged = new boolean[CODES];

    /**
     * @param log where lines go.
     */
    RefusalLog(final EventLog log)
    {
        this.log = log;
    }

    /**
     * Log one refusal, or count it when its code was logged less than a second ago.
     *
     * @param nowMs   the loop's monotonic clock.
     * @param event   the event name, e.g. {@code rejected}.
     * @param code    its {@link ErrorCode}: lines are limited per code.
     * @param details {@code key=value} pairs, the code among them (built only when the line is due).
     */
    void warn(final long nowMs, final String event, final int code, final Supplier<String> details)
    {
        final int slot = code & (CODES - 1);
        if (logged[slot] && nowMs - lastMs[slot] < INTERVAL_MS)
        {
            suppressed[slot]++;
            return;
        }
        final long skipped = suppressed[slot];
        logged[slot] = true;
        lastMs[slot] = nowMs;
        suppressed[slot] = 0;
        log.warn(event, details.get() + (skipped > 0 ? " suppressed=" + skipped + " (refusals of this code not logged in the last second)" : ""));
    }
}
