package io.msgc.conf;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * One {@code Peer "CIDR" { action = allow|deny }} scope of {@code msgcserver_listener}: an IPv4 network and
 * whether connections from it are accepted.
 *
 * @param network      network address as a big-endian int, host bits cleared.
 * @param prefixLength prefix length 0..32.
 * @param allow        true to accept, false to refuse.
 */
public record AclRule(int network, int prefixLength, boolean allow)
{
    /**
     * @param a a remote address.
     * @return true when it is an IPv4 address inside this network (IPv6 addresses never match).
     */
    public boolean matches(final InetAddress a)
    {
        if (!(a instanceof Inet4Address))
        {
            return false;
        }
        final byte[] b = a.getAddress();
        final int address = ((b[0] & 0xFF) << 24) | ((b[1] & 0xFF) << 16) | ((b[2] & 0xFF) << 8) | (b[3] & 0xFF);
        return (address & mask(prefixLength)) == network;
    }

    /**
     * @return {@code a.b.c.d/n allow|deny}.
     */
    @Override
    public String toString()
    {
        return ((network >>> 24) & 0xFF) + "." + ((network >>> 16) & 0xFF) + "." + ((network >>> 8) & 0xFF) + "." +
            (network & 0xFF) + "/" + prefixLength + (allow ? " allow" : " deny");
    }

    /**
     * @param prefixLength 0..32.
     * @return the netmask with the top prefixLength bits set.
     */
    static int mask(final int prefixLength)
    {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }
}
