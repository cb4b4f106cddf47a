package io.msgc.conf;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One {@code Listen "host:port" { Peer "CIDR" { } ... }} scope of {@code msgcserver_listener}: an address the
 * server binds and the access-list rules that apply to connections accepted on it (with the listener's own).
 * Immutable, except that it remembers the address its host name resolved to when bound.
 */
public final class ListenConfig
{
    private final String host;
    private final int port;
    private final List<AclRule> acl;
    /** The literal address, or what {@link #address()} resolved the host name to; null until then. */
    private volatile InetAddress known;

    /**
     * A Listen scope without rules of its own.
     *
     * @param host host to bind; {@code ""} or {@code "*"} means every interface.
     * @param port TCP port.
     */
    public ListenConfig(final String host, final int port)
    {
        this(host, port, List.of());
    }

    /**
     * @param host host to bind; {@code ""} or {@code "*"} means every interface.
     * @param port TCP port.
     * @param acl  the {@code Peer} rules inside this Listen scope, in file order.
     */
    public ListenConfig(final String host, final int port, final List<AclRule> acl)
    {
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.acl = List.copyOf(acl);
        this.known = literal(host);
    }

    /** @return the host to bind; {@code ""} or {@code "*"} means every interface. */
    public String host()
    {
        return host;
    }

    /** @return the TCP port. */
    public int port()
    {
        return port;
    }

    /** @return the {@code Peer} rules inside this Listen scope, in file order; often empty. */
    public List<AclRule> acl()
    {
        return acl;
    }

    /**
     * @return true when the host is empty or {@code *}: bind every interface.
     */
    public boolean anyInterface()
    {
        return host.isEmpty() || "*".equals(host);
    }

    /**
     * The address to bind: the wildcard address for {@link #anyInterface()}, else the host resolved (a DNS lookup
     * for a name, which is remembered so that {@link ListenerConfig#listenFor} never needs one).
     *
     * @return the socket address.
     */
    public InetSocketAddress address()
    {
        if (anyInterface())
        {
            return new InetSocketAddress(port);
        }
        final InetSocketAddress address = new InetSocketAddress(host, port);
        if (!address.isUnresolved())
        {
            known = address.getAddress();
        }
        return address;
    }

    /**
     * @param local the local address of an accepted connection.
     * @return true when this scope names that exact address and port (not as a wildcard); a host name only once
     *         {@link #address()} resolved it.
     */
    boolean boundTo(final InetSocketAddress local)
    {
        final InetAddress address = known;
        return !anyInterface() && address != null && port == local.getPort() && local.getAddress() != null &&
            Arrays.equals(AclRule.familyBytes(address), AclRule.familyBytes(local.getAddress()));
    }

    /**
     * @return {@code host:port}, {@code *:port} for every interface, {@code [ipv6]:port}.
     */
    @Override
    public String toString()
    {
        return (anyInterface() ? "*" : host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * @param o another object.
     * @return true for a ListenConfig with the same host, port and rules.
     */
    @Override
    public boolean equals(final Object o)
    {
        return o instanceof ListenConfig that && host.equals(that.host) && port == that.port && acl.equals(that.acl);
    }

    /**
     * @return a hash of host, port and rules.
     */
    @Override
    public int hashCode()
    {
        return Objects.hash(host, port, acl);
    }

    /** An IPv4 or IPv6 literal without DNS, else null (a name is known only once resolved by address()). */
    private static InetAddress literal(final String host)
    {
        final Integer v4 = HostPort.parseIpv4(host);
        final byte[] bytes = v4 != null ? HostPort.ipv4Bytes(v4) : host.indexOf(':') >= 0 ? HostPort.parseIpv6(host) :
            null;
        try
        {
            return bytes == null ? null : InetAddress.getByAddress(bytes);
        }
        catch (final UnknownHostException ex)
        {
            return null;
        }
    }
}
