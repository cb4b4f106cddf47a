package io.msgc.conf;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Objects;

/**
 * One {@code Peer "CIDR" { action = allow|deny }} scope, in {@code msgcserver_listener} or in one of its
 * {@code Listen} scopes: an IPv4 or IPv6 network and whether connections from it are accepted.
 * <p>
 * The families stay apart: an IPv4 rule matches IPv4 remotes, including IPv4-mapped IPv6 remotes
 * ({@code ::ffff:a.b.c.d}, what a dual-stack socket reports for an IPv4 client); an IPv6 rule matches the other
 * IPv6 remotes. A rule written in the mapped range ({@code ::ffff:a.b.c.d/n}, n at least 96) is the IPv4 rule
 * {@code a.b.c.d/(n-96)}.
 *
 * @param network      the network address with its host bits cleared: an {@link java.net.Inet4Address} or an
 *                     {@link Inet6Address}.
 * @param prefixLength prefix length, 0..32 for IPv4, 0..128 for IPv6.
 * @param allow        true to accept, false to refuse.
 */
public record AclRule(InetAddress network, int prefixLength, boolean allow)
{
    /**
     * @param network      the network address; host bits are cleared.
     * @param prefixLength prefix length within the address's family.
     * @param allow        true to accept, false to refuse.
     * @throws IllegalArgumentException when the prefix length does not fit the family.
     */
    public AclRule
    {
        Objects.requireNonNull(network, "network");
        final byte[] bytes = familyBytes(network);
        if (prefixLength < 0 || prefixLength > bytes.length * 8)
        {
            throw new IllegalArgumentException("prefix length " + prefixLength + " is outside 0.." + bytes.length * 8);
        }
        network = address(mask(bytes, prefixLength));
    }

    /**
     * Parse the argument of a {@code Peer} scope: {@code a.b.c.d}, {@code a.b.c.d/n}, an IPv6 address, or an
     * IPv6 address with {@code /n}; the IPv6 address may be in brackets ({@code [::1]}, {@code [fd00::]/8}) as
     * in {@code "[ipv6]:port"} addresses. Without {@code /n}, the rule is one address (/32 or /128).
     *
     * @param text  the CIDR text.
     * @param allow the action.
     * @return the rule.
     * @throws IllegalArgumentException when the text is not a network; the message is the part after
     *                                  {@code invalid CIDR "text" in Peer; }.
     */
    public static AclRule parse(final String text, final boolean allow)
    {
        String addressText = text;
        String prefixText = null;
        if (text.startsWith("["))
        {
            final int close = text.indexOf(']');
            final String rest = close < 0 ? "" : text.substring(close + 1);
            if (close < 0 || !(rest.isEmpty() || rest.startsWith("/")))
            {
                throw new IllegalArgumentException("write a bracketed IPv6 network as [address] or [address]/prefix");
            }
            addressText = text.substring(1, close);
            prefixText = rest.isEmpty() ? null : rest.substring(1);
        }
        else if (text.indexOf('/') >= 0)
        {
            addressText = text.substring(0, text.indexOf('/'));
            prefixText = text.substring(text.indexOf('/') + 1);
        }
        byte[] bytes;
        if (addressText.indexOf(':') >= 0)
        {
            bytes = HostPort.parseIpv6(addressText);
        }
        else
        {
            final Integer v4 = text.startsWith("[") ? null : HostPort.parseIpv4(addressText);
            bytes = v4 == null ? null : HostPort.ipv4Bytes(v4);
        }
        if (bytes == null)
        {
            throw new IllegalArgumentException("expected a.b.c.d or a.b.c.d/prefix, or an IPv6 address such as " +
                "fd00::/8 or ::1");
        }
        final int bits = bytes.length * 8;
        int prefix = bits;
        if (prefixText != null)
        {
            prefix = prefixText.matches("[0-9]{1,3}") ? Integer.parseInt(prefixText) : -1;
            if (prefix < 0 || prefix > bits)
            {
                throw new IllegalArgumentException("prefix length must be 0.." + bits);
            }
        }
        if (bits == 128 && prefix >= 96 && isMapped(bytes))
        {
            bytes = new byte[]{bytes[12], bytes[13], bytes[14], bytes[15]};
            prefix -= 96;
        }
        // masked first: unmasked, ::ffff:0:0/80 would read as the IPv4 address 0.0.0.0
        return new AclRule(address(mask(bytes, prefix)), prefix, allow);
    }

    /**
     * @return true for an IPv6 rule.
     */
    public boolean ipv6()
    {
        return network instanceof Inet6Address;
    }

    /**
     * @param a a remote address.
     * @return true when it is in this rule's family (IPv4-mapped IPv6 counting as IPv4) and inside its network.
     */
    public boolean matches(final InetAddress a)
    {
        final byte[] remote = familyBytes(a);
        final byte[] net = network.getAddress();
        if (remote.length != net.length)
        {
            return false;
        }
        final byte[] masked = mask(remote, prefixLength);
        for (int i = 0; i < net.length; i++)
        {
            if (masked[i] != net[i])
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return the network as written back: {@code 10.0.0.0/8}, {@code fd00::/8}.
     */
    public String cidr()
    {
        return (ipv6() ? HostPort.formatIpv6(network.getAddress()) : network.getHostAddress()) + "/" + prefixLength;
    }

    /**
     * @return {@code network/n allow|deny}, e.g. {@code 10.0.0.0/8 allow}, {@code fd00::/8 deny}.
     */
    @Override
    public String toString()
    {
        return cidr() + (allow ? " allow" : " deny");
    }

    /**
     * @param a an address.
     * @return its 4 bytes for IPv4 and IPv4-mapped IPv6, else its 16 bytes.
     */
    static byte[] familyBytes(final InetAddress a)
    {
        final byte[] bytes = a.getAddress();
        if (bytes.length == 16 && isMapped(bytes))
        {
            return new byte[]{bytes[12], bytes[13], bytes[14], bytes[15]};
        }
        return bytes;
    }

    private static boolean isMapped(final byte[] bytes)
    {
        for (int i = 0; i < 10; i++)
        {
            if (bytes[i] != 0)
            {
                return false;
            }
        }
        return bytes[10] == (byte)0xFF && bytes[11] == (byte)0xFF;
    }

    private static byte[] mask(final byte[] bytes, final int prefixLength)
    {
        final byte[] masked = bytes.clone();
        for (int i = 0; i < masked.length; i++)
        {
            final int keep = Math.max(0, Math.min(8, prefixLength - i * 8));
            masked[i] &= (byte)(0xFF00 >>> keep);
        }
        return masked;
    }

    private static InetAddress address(final byte[] bytes)
    {
        try
        {
            // 16 bytes make an Inet6Address unless they are IPv4-mapped, which masked 16-byte rules never are
            return InetAddress.getByAddress(bytes);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException(ex);
        }
    }
}
