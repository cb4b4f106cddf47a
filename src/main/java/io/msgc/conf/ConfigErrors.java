package io.msgc.conf;

import java.util.ArrayList;
import java.util.List;

/**
 * The errors of one load, in the order found, keeping at most {@link #MAX_ERRORS}: a file of a million bad lines
 * must not turn into a million error objects and a message of hundreds of megabytes.
 */
final class ConfigErrors
{
    /** Errors kept and shown, as compilers do; the rest are counted. */
    static final int MAX_ERRORS = 100;

    private final List<ConfigError> kept = new ArrayList<>();
    private ConfigError firstDropped;
    private int dropped;

    /**
     * @param error an error; kept while fewer than {@link #MAX_ERRORS} are, else only counted.
     */
    void add(final ConfigError error)
    {
        if (kept.size() < MAX_ERRORS)
        {
            kept.add(error);
        }
        else
        {
            if (firstDropped == null)
            {
                firstDropped = error;
            }
            dropped++;
        }
    }

    /** @return true when no error was found. */
    boolean isEmpty()
    {
        return kept.isEmpty();
    }

    /**
     * @return the errors kept, then, when some were dropped, one more located at the first dropped error that
     *         says how many were not shown.
     */
    List<ConfigError> list()
    {
        if (firstDropped == null)
        {
            return List.copyOf(kept);
        }
        final List<ConfigError> all = new ArrayList<>(kept);
        all.add(new ConfigError(firstDropped.file(), firstDropped.line(), firstDropped.column(),
            "too many errors: " + dropped + " more from here on not shown; fix the ones above first"));
        return all;
    }
}
