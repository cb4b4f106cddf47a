package io.msgc.conf;

import java.net.InetSocketAddress;

/**
 * One {@code Listen "host:port" { }} scope of {@code msgcserver_listener}.
 *
 * @param host host to bind; {@code ""} or {@code "*"} means every interface.
 * @param port TCP port.
 */
public record ListenConfig(String host, int port)
{
    /**
     * @return true when the host is empty or {@code *}: bind every interface.
     */
    public boolean anyInterface()
    {
        return host.isEmpty() || "*".equals(host);
    }

    /**
     * @return the address to bind: the wildcard address for {@link #anyInterface()}, else the host resolved.
     */
    public InetSocketAddress address()
    {
        return anyInterface() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }
}
