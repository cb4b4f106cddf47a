package io.msgc.conf;

import java.net.InetSocketAddress;

/**
 * One node of the cluster: an entry of {@code msgc_server}'s {@code peers} map.
 *
 * @param name  node name, lowercase, 1-31 characters of {@code [a-z0-9_.-]}.
 * @param host  host name or address.
 * @param port  TCP port.
 * @param index 0-based position in the peers map: the node order every node agrees on.
 */
public record PeerConfig(String name, String host, int port, int index)
{
    /**
     * Resolve to a socket address (a DNS lookup when the host is a name).
     *
     * @return the node's address.
     */
    public InetSocketAddress address()
    {
        return new InetSocketAddress(host, port);
    }
}
