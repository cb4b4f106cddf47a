package io.msgc.bench.rig;

import io.msgc.conf.IdleStrategyKind;

/**
 * How the servers (and relays) idle, and how the clients are driven.
 */
enum Profile
{
    /** Servers and relays busy-spin; the driver thread spins over every client ({@code poll} without waiting). */
    BUSY_SPIN("busy-spin", IdleStrategyKind.BUSY_SPIN, false),
    /** Servers and relays use {@code backoff}; the driver thread spins over every client. */
    BACKOFF("backoff", IdleStrategyKind.BACKOFF, false),
    /**
     * What a service gets without tuning: servers with their default {@code backoff}, each client on its own
     * thread that waits in epoll ({@code MsgcClient.startThread(handler)}); the baselines' clients are blocking
     * sockets with a reading thread each. The driver parks between sends.
     */
    DEFAULT("default", IdleStrategyKind.BACKOFF, true);

    final String label;
    final IdleStrategyKind idle;
    final boolean threaded;

    Profile(final String label, final IdleStrategyKind idle, final boolean threaded)
    {
        this.label = label;
        this.idle = idle;
        this.threaded = threaded;
    }

    /**
     * @param label a profile's label.
     * @return the profile, or null.
     */
    static Profile of(final String label)
    {
        for (final Profile p : values())
        {
            if (p.label.equals(label))
            {
                return p;
            }
        }
        return null;
    }
}
