package io.msgc.conf;

/**
 * How the server's event loop waits when it has no work ({@code idle_strategy} in {@code msgc_server}).
 */
public enum IdleStrategyKind
{
    /** Spin without yielding: lowest latency, burns one core. */
    BUSY_SPIN("busy-spin"),
    /** Spin, then yield, then park with growing sleeps: the default. */
    BACKOFF("backoff"),
    /** Park for a short fixed time: least CPU, highest latency. */
    BLOCKING("blocking");

    private final String configName;

    IdleStrategyKind(final String configName)
    {
        this.configName = configName;
    }

    /**
     * @return the name used in configuration files, e.g. {@code busy-spin}.
     */
    public String configName()
    {
        return configName;
    }

    /**
     * @param name a configuration name, case-insensitive.
     * @return the matching kind, or null when none matches.
     */
    static IdleStrategyKind fromConfigName(final String name)
    {
        for (final IdleStrategyKind kind : values())
        {
            if (kind.configName.equalsIgnoreCase(name))
            {
                return kind;
            }
        }
        return null;
    }
}
