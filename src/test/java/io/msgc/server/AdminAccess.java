package io.msgc.server;

import java.net.InetSocketAddress;

/**
 * Admin requests for tests in other packages.
 */
public final class AdminAccess
{
    private AdminAccess()
    {
    }

    /**
     * @param server node address.
     * @return the {@code stats} text.
     */
    public static String stats(final InetSocketAddress server)
    {
        return Admin.request(server, "stats");
    }

    /**
     * @param server node address.
     * @return the {@code groups} text.
     */
    public static String groups(final InetSocketAddress server)
    {
        return Admin.request(server, "groups");
    }
}
