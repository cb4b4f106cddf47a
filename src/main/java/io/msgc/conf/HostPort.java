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

    /**
     * @param v4 an IPv4 address as a big-endian int.
     * @return its 4 bytes, most significant first.
     */
    static byte[] ipv4Bytes(final int v4)
    {
        return new byte[]{(byte)(v4 >>> 24), (byte)(v4 >>> 16), (byte)(v4 >>> 8), (byte)v4};
    }

    /**
     * Parse an IPv6 address without brackets or zone: eight groups of 1-4 hex digits separated by {@code :}, at
     * most one {@code ::} standing for one or more zero groups, and optionally a dotted IPv4 address as the last
     * 32 bits ({@code ::ffff:10.0.0.1}). Never a DNS lookup.
     *
     * @param text the address.
     * @return the 16 bytes, or null when the text is not such an address.
     */
    static byte[] parseIpv6(final String text)
    {
        final int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0)
        {
            return null;
        }
        final int[] head = groups(gap < 0 ? text : text.substring(0, gap), gap < 0);
        final int[] tail = gap < 0 ? new int[0] : groups(text.substring(gap + 2), true);
        if (head == null || tail == null)
        {
            return null;
        }
        final int count = head.length + tail.length;
        if (gap < 0 ? count != 8 : count > 7)
        {
            return null;
        }
        final byte[] bytes = new byte[16];
        for (int i = 0; i < head.length; i++)
        {
            bytes[2 * i] = (byte)(head[i] >>> 8);
            bytes[2 * i + 1] = (byte)head[i];
        }
        for (int i = 0; i < tail.length; i++)
        {
            final int at = 8 - tail.length + i;
            bytes[2 * at] = (byte)(tail[i] >>> 8);
            bytes[2 * at + 1] = (byte)tail[i];
        }
        return bytes;
    }

    /** The 16-bit groups of one side of {@code ::}; an IPv4 tail (two groups) only when it ends the address. */
    private static int[] groups(final String text, final boolean endsAddress)
    {
        if (text.isEmpty())
        {
            return new int[0];
        }
        final String[] parts = text.split(":", -1);
        final boolean ipv4Tail = endsAddress && parts[parts.length - 1].indexOf('.') >= 0;
        final int[] groups = new int[parts.length + (ipv4Tail ? 1 : 0)];
        for (int i = 0; i < parts.length; i++)
        {
            final String part = parts[i];
            if (ipv4Tail && i == parts.length - 1)
            {
                final Integer v4 = parseIpv4(part);
                if (v4 == null)
                {
                    return null;
                }
                groups[i] = v4 >>> 16;
                groups[i + 1] = v4 & 0xFFFF;
            }
            else if (part.isEmpty() || part.length() > 4 || !part.matches("[0-9A-Fa-f]+"))
            {
                return null;
            }
            else
            {
                groups[i] = Integer.parseInt(part, 16);
            }
        }
        return groups;
    }

    /**
     * Format 16 bytes as RFC 5952 recommends: lower-case hex without leading zeros, the longest run (first of
     * equals) of two or more zero groups as {@code ::}.
     *
     * @param bytes the address.
     * @return e.g. {@code fd00::}, {@code ::1}, {@code 2001:db8::1:0:0:1}.
     */
    static String formatIpv6(final byte[] bytes)
    {
        final int[] groups = new int[8];
        for (int i = 0; i < 8; i++)
        {
            groups[i] = ((bytes[2 * i] & 0xFF) << 8) | (bytes[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; )
        {
            if (groups[i] != 0)
            {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0)
            {
                j++;
            }
            if (j - i > bestLength)
            {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':')
            {
                sb.append(':');
            }
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }
}
