package io.msgc.conf;

import java.net.InetSocketAddress;

/**
 * A host (name, IPv4 address or IPv6 address) and a TCP port, as written in {@code "host:port"}.
 *
 * @param host host name or address, without brackets for IPv6.
 * @param port TCP port 1..65535.
 */
public record HostPort(String host, int port)
{
    /** Lowest valid TCP port. */
    static final int MIN_PORT = 1;
    /** Highest valid TCP port. */
    static final int MAX_PORT = 65535;

    /**
     * Resolve to a socket address (a DNS lookup when the host is a name).
     *
     * @return the socket address.
     */
    public InetSocketAddress toSocketAddress()
    {
        return new InetSocketAddress(host, port);
    }

    /**
     * @return {@code host:port}, with brackets around an IPv6 host.
     */
    @Override
    public String toString()
    {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /**
     * Parse {@code host}, {@code host:port}, {@code [ipv6]} or {@code [ipv6]:port}.
     *
     * @param text        the text.
     * @param defaultPort port used when the text has none.
     * @return the parsed address.
     * @throws IllegalArgumentException when the text is malformed; the message says what is wrong.
     */
    public static HostPort parse(final String text, final int defaultPort)
    {
        final String[] parts = split(text);
        if (parts[0].isEmpty())
        {
            throw new IllegalArgumentException("no host before the port");
        }
        checkHost(parts[0]);
        return new HostPort(parts[0], parts[1] == null ? defaultPort : parsePort(parts[1]));
    }

    /**
     * Split into host and port text (port null when absent); the host may be empty. Checks the brackets and
     * colons only.
     */
    static String[] split(final String text)
    {
        if (text.isEmpty())
        {
            throw new IllegalArgumentException("empty address");
        }
        if (text.charAt(0) == '[')
        {
            final int close = text.indexOf(']');
            if (close < 0)
            {
                throw new IllegalArgumentException("missing ']' after IPv6 address");
            }
            final String host = text.substring(1, close);
            if (close == text.length() - 1)
            {
                return new String[]{host, null};
            }
            if (text.charAt(close + 1) != ':')
            {
                throw new IllegalArgumentException("expected ':port' after ']'");
            }
            return new String[]{host, text.substring(close + 2)};
        }
        final int colon = text.indexOf(':');
        if (colon < 0)
        {
            return new String[]{text, null};
        }
        if (text.indexOf(':', colon + 1) >= 0)
        {
            throw new IllegalArgumentException("too many ':' (write an IPv6 address as [address]:port)");
        }
        return new String[]{text.substring(0, colon), text.substring(colon + 1)};
    }

    /**
     * Check a host name, dotted IPv4 address or IPv6 address (without brackets).
     *
     * @param host the host.
     * @throws IllegalArgumentException when it is not one of those.
     */
    static void checkHost(final String host)
    {
        if (host.isEmpty())
        {
            throw new IllegalArgumentException("empty host");
        }
        if (host.indexOf(':') >= 0)
        {
            if (host.indexOf(':') == host.lastIndexOf(':'))
            {
                throw new IllegalArgumentException("invalid host '" + host + "' (a host has no ':port')");
            }
            if (!host.matches("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?"))
            {
                throw new IllegalArgumentException("invalid IPv6 address '" + host + "'");
            }
            return;
        }
        if (host.matches("[0-9.]+"))
        {
            if (parseIpv4(host) == null)
            {
                throw new IllegalArgumentException("invalid IPv4 address '" + host + "'");
            }
            return;
        }
        if (host.length() > 253 || !host.matches("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*\\.?"))
        {
            throw new IllegalArgumentException("invalid host '" + host + "'");
        }
    }

    /**
     * @param text port text.
     * @return the port.
     * @throws IllegalArgumentException when not a decimal number in 1..65535.
     */
    static int parsePort(final String text)
    {
        if (text.isEmpty())
        {
            throw new IllegalArgumentException("missing port after ':'");
        }
        if (!text.matches("[0-9]+"))
        {
            throw new IllegalArgumentException("invalid port '" + text + "' (expected a number " +
                MIN_PORT + ".." + MAX_PORT + ")");
        }
        final long port = text.length() > 9 ? Long.MAX_VALUE : Long.parseLong(text);
        if (port < MIN_PORT || port > MAX_PORT)
        {
            throw new IllegalArgumentException("port " + text + " is out of range " + MIN_PORT + ".." + MAX_PORT);
        }
        return (int)port;
    }

    /**
     * @param text dotted quad.
     * @return the address as a big-endian int, or null when not exactly four decimal octets 0..255.
     */
    static Integer parseIpv4(final String text)
    {
        final String[] octets = text.split("\\.", -1);
        if (octets.length != 4)
        {
            return null;
        }
        int value = 0;
        for (final String octet : octets)
        {
            if (octet.isEmpty() || octet.length() > 3 || !octet.matches("[0-9]+"))
            {
                return null;
            }
            final int n = Integer.parseInt(octet);
            if (n > 255)
            {
                return null;
            }
            value = (value << 8) | n;
        }
        return value;
    }
}
