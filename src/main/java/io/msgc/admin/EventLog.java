package io.msgc.admin;

import java.io.PrintStream;
import java.time.Instant;
import java.util.Locale;

/**
 * One line per event, greppable: {@code 2026-11-25T01:02:03.456Z NOTICE node1 peer-up node=node2 ...}.
 * Lifecycle events (NOTICE and above) are always written; {@code debug_level} lowers the threshold to show
 * INFO/DEBUG detail. Never called per message: only on events.
 */
public final class EventLog
{
    /** Momentum's levels, lowest first. */
    public enum Level
    {
        /** Detail for debugging. */
        DEBUG,
        /** Per-connection detail. */
        INFO,
        /** Lifecycle events: always shown. */
        NOTICE,
        /** Something is wrong but service continues. */
        WARNING,
        /** An operation failed. */
        ERROR,
        /** The process cannot continue. */
        CRITICAL
    }

    private final String source;
    private final PrintStream out;
    private final Level threshold;

    /**
     * @param source    node or client name written in every line.
     * @param out       destination.
     * @param debugLevel configured {@code debug_level}; NOTICE and above are always written.
     */
    public EventLog(final String source, final PrintStream out, final String debugLevel)
    {
        this.source = source;
        this.out = out;
        final Level configured = Level.valueOf(debugLevel.toUpperCase(Locale.ROOT));
        this.threshold = configured.compareTo(Level.NOTICE) < 0 ? configured : Level.NOTICE;
    }

    /**
     * @param level a level.
     * @return true when lines of that level are written.
     */
    public boolean isEnabled(final Level level)
    {
        return level.compareTo(threshold) >= 0;
    }

    /**
     * Write one event line.
     *
     * @param level   severity.
     * @param event   short dash-separated event name, e.g. {@code peer-up}.
     * @param details {@code key=value} pairs.
     */
    public void log(final Level level, final String event, final String details)
    {
        if (isEnabled(level))
        {
            final String line = Instant.now() + " " + level + " " + source + " " + event +
                (details.isEmpty() ? "" : " " + details);
            synchronized (out)
            {
                out.println(line);
            }
        }
    }

    /**
     * @param event   event name.
     * @param details key=value pairs.
     */
    public void notice(final String event, final String details)
    {
        log(Level.NOTICE, event, details);
    }

    /**
     * @param event   event name.
     * @param details key=value pairs.
     */
    public void warn(final String event, final String details)
    {
        log(Level.WARNING, event, details);
    }

    /**
     * @param event   event name.
     * @param details key=value pairs.
     */
    public void info(final String event, final String details)
    {
        log(Level.INFO, event, details);
    }
}
