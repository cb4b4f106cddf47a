package io.msgc.conf;

import org.junit.jupiter.api.Test;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code msgcserver_listener} access rule: Peer rules inside Listen scopes and at listener level, longest
 * prefix wins, the Listen rule wins a tie, IPv4 and IPv6 rules, and the common module options.
 */
class ListenerAclTest
{
    private static ListenerConfig listener(final String body) throws ConfigException
    {
        return MsgcConfig.parse("t.conf", "msgcserver_listener {\n" + body + "}\n").listener();
    }

    private static InetAddress ip(final String text) throws Exception
    {
        return InetAddress.getByName(text);
    }

    private static InetSocketAddress local(final String host, final int port) throws Exception
    {
        return new InetSocketAddress(InetAddress.getByName(host), port);
    }

    /** What a dual-stack socket may report for an IPv4 client: an Inet6Address holding ::ffff:a.b.c.d. */
    private static InetAddress mapped(final String ipv4) throws Exception
    {
        final byte[] v4 = InetAddress.getByName(ipv4).getAddress();
        final byte[] v6 = new byte[16];
        v6[10] = (byte)0xFF;
        v6[11] = (byte)0xFF;
        System.arraycopy(v4, 0, v6, 12, 4);
        return Inet6Address.getByAddress(null, v6, -1);
    }

    // ---- Peer rules inside Listen scopes ----------------------------------------------------------------------

    @Test
    void peerRulesInsideAListenBelongToThatListen() throws Exception
    {
        final ListenerConfig config = listener(
            "  Listen \"10.0.0.5:4810\" {\n    Peer \"10.1.0.0/16\" { action = allow }\n" +
            "    Peer \"192.168.0.0/16\" { }\n  }\n" +
            "  Listen \"*:4810\" { }\n" +
            "  Peer \"10.0.0.0/8\" { action = allow }\n  Peer \"10.1.0.0/16\" { action = deny }\n");
        assertEquals(List.of(
            new ListenConfig("10.0.0.5", 4810, List.of(AclRule.parse("10.1.0.0/16", true),
                AclRule.parse("192.168.0.0/16", true))),
            new ListenConfig("*", 4810)), config.listens());
        assertEquals(List.of(AclRule.parse("10.0.0.0/8", true), AclRule.parse("10.1.0.0/16", false)), config.acl());

        final InetSocketAddress specific = local("10.0.0.5", 4810);
        final InetSocketAddress other = local("10.0.0.6", 4810);
        assertSame(config.listens().get(0), config.listenFor(specific));
        assertSame(config.listens().get(1), config.listenFor(other));

        // a tie at /16: the Listen rule (allow) wins over the listener rule (deny)
        assertTrue(config.allows(ip("10.1.9.9"), specific));
        // accepted on the wildcard Listen, which has no rules: the listener rule decides
        assertFalse(config.allows(ip("10.1.9.9"), other));
        // only the 10.0.0.5 Listen allows 192.168/16
        assertTrue(config.allows(ip("192.168.1.1"), specific));
        assertFalse(config.allows(ip("192.168.1.1"), other));
        // listener rules apply on every Listen
        assertTrue(config.allows(ip("10.2.0.1"), specific));
        assertTrue(config.allows(ip("10.2.0.1"), other));
        assertFalse(config.allows(ip("172.16.0.1"), specific));
        // the listener-level decision alone, as for a node that binds its own peers entry
        assertFalse(config.allows(ip("10.1.9.9")));
        assertFalse(config.allows(ip("192.168.1.1")));
    }

    @Test
    void theLongestPrefixWinsWhicheverScopeItIsIn() throws Exception
    {
        final ListenerConfig config = listener(
            "  Listen \":4812\" {\n    Peer \"10.0.0.0/8\" { action = deny }\n    Peer \"10.3.3.0/24\" { }\n  }\n" +
            "  Peer \"10.3.0.0/16\" { action = allow }\n  Peer \"10.3.3.3\" { action = deny }\n");
        final InetSocketAddress on = local("127.0.0.1", 4812);
        assertFalse(config.allows(ip("10.9.9.9"), on));
        assertTrue(config.allows(ip("10.3.1.1"), on));   // listener /16 beats Listen /8
        assertTrue(config.allows(ip("10.3.3.1"), on));   // Listen /24 beats listener /16
        assertFalse(config.allows(ip("10.3.3.3"), on));  // listener /32 beats Listen /24
    }

    @Test
    void withoutListenScopesOnlyListenerRulesApply() throws Exception
    {
        final ListenerConfig config = listener("  Peer \"127.0.0.0/8\" { }\n  Peer \"127.0.0.9\" { action = deny }\n");
        for (final String local : new String[]{"127.0.0.1", "127.0.0.9", "10.0.0.1"})
        {
            final InetSocketAddress address = local(local, 4809);
            assertNull(config.listenFor(address));
            assertTrue(config.allows(ip("127.0.0.2"), address));
            assertFalse(config.allows(ip("127.0.0.9"), address));
            assertFalse(config.allows(ip("10.0.0.1"), address));
        }
    }

    @Test
    void aListenWithRulesAndNoListenerRulesLeavesOtherListensOpen() throws Exception
    {
        final ListenerConfig config = listener(
            "  Listen \":4813\" { Peer \"127.0.0.0/8\" { } }\n  Listen \":4814\" { }\n");
        assertTrue(config.allows(ip("127.0.0.2"), local("127.0.0.1", 4813)));
        assertFalse(config.allows(ip("10.0.0.1"), local("127.0.0.1", 4813)));
        assertTrue(config.allows(ip("10.0.0.1"), local("127.0.0.1", 4814)));
        // a connection on no Listen scope (none on that port): the listener rules, here none
        assertNull(config.listenFor(local("127.0.0.1", 4815)));
        assertTrue(config.allows(ip("10.0.0.1"), local("127.0.0.1", 4815)));
        assertTrue(config.allows(ip("10.0.0.1"), null));
    }

    @Test
    void theSpecificListenBeatsTheWildcardOfTheSamePortWhateverTheOrder() throws Exception
    {
        final ListenerConfig config = listener("  Listen \"*:4809\" { Peer \"0.0.0.0/0\" { action = deny } }\n" +
            "  Listen \"127.0.0.1:4809\" { Peer \"0.0.0.0/0\" { } }\n" +
            "  Listen \"[::1]:4809\" { Peer \"::/0\" { } }\n");
        assertTrue(config.allows(ip("127.0.0.1"), local("127.0.0.1", 4809)));
        assertFalse(config.allows(ip("127.0.0.1"), local("127.0.0.2", 4809)));
        assertSame(config.listens().get(2), config.listenFor(local("::1", 4809)));
        assertTrue(config.allows(ip("::1"), local("::1", 4809)));
        // the same address on another port is another socket
        assertNull(config.listenFor(local("127.0.0.1", 4810)));
    }

    @Test
    void aListenByHostNameMatchesOnceItWasResolvedForTheBind() throws Exception
    {
        final ListenerConfig config =
            listener("  Listen \"localhost:4816\" { Peer \"127.0.0.0/8\" { action = deny } }\n");
        final ListenConfig listen = config.listens().get(0);
        // no DNS lookup on the accept path: before the bind resolved the name, nothing is known about it
        assertNull(config.listenFor(local("127.0.0.1", 4816)));
        final InetSocketAddress bound = listen.address();
        assertSame(listen, config.listenFor(bound));
        assertFalse(config.allows(bound.getAddress(), bound));
    }

    @Test
    void reopenedListenScopesMergeTheirRules() throws Exception
    {
        final ListenerConfig config = MsgcConfig.parse("t.conf",
            "msgcserver_listener { Listen \":4809\" { Peer \"10.0.0.0/8\" { } } }\n" +
            "msgcserver_listener { Listen \":4809\" { Peer \"fd00::/8\" { action = deny } } }\n").listener();
        assertEquals(List.of(new ListenConfig("", 4809, List.of(AclRule.parse("10.0.0.0/8", true),
            AclRule.parse("fd00::/8", false)))), config.listens());
    }

    // ---- IPv6 -------------------------------------------------------------------------------------------------

    @Test
    void ipv6RulesMatchIpv6RemotesAndIpv4RulesMatchIpv4AndMappedRemotes() throws Exception
    {
        final ListenerConfig config = listener("  Peer \"fd00::/8\" { }\n  Peer \"::1\" { }\n" +
            "  Peer \"[2001:db8::]/32\" { action = deny }\n  Peer \"[2001:db8::7]\" { }\n" +
            "  Peer \"::/0\" { action = deny }\n  Peer \"10.0.0.0/8\" { }\n  Peer \"10.9.0.0/16\" { action = deny }\n");
        assertEquals("[fd00::/8 allow, ::1/128 allow, 2001:db8::/32 deny, 2001:db8::7/128 allow, ::/0 deny, " +
            "10.0.0.0/8 allow, 10.9.0.0/16 deny]", config.acl().toString());
        assertTrue(config.allows(ip("fd12:3456::1")));
        assertTrue(config.allows(ip("::1")));
        assertFalse(config.allows(ip("2001:db8::5")));
        assertTrue(config.allows(ip("2001:db8::7")));
        assertFalse(config.allows(ip("2001:db9::1")));
        // ::/0 is IPv6 only: IPv4 remotes, plain or mapped, go by the IPv4 rules
        assertTrue(config.allows(ip("10.1.2.3")));
        assertTrue(config.allows(mapped("10.1.2.3")));
        assertFalse(config.allows(mapped("10.9.2.3")));
        assertFalse(config.allows(ip("192.0.2.1")));
        assertFalse(config.allows(mapped("192.0.2.1")));
    }

    @Test
    void ipv4RulesAloneRefuseIpv6AndIpv6RulesAloneRefuseIpv4() throws Exception
    {
        final ListenerConfig v4 = listener("  Peer \"0.0.0.0/0\" { }\n");
        assertTrue(v4.allows(ip("192.0.2.1")));
        assertTrue(v4.allows(mapped("192.0.2.1")));
        assertFalse(v4.allows(ip("::1")));
        final ListenerConfig v6 = listener("  Peer \"::/0\" { }\n");
        assertTrue(v6.allows(ip("::1")));
        assertFalse(v6.allows(ip("192.0.2.1")));
        assertFalse(v6.allows(mapped("192.0.2.1")));
    }

    @Test
    void ruleTextForms() throws Exception
    {
        assertEquals("fd12::/16 allow", AclRule.parse("fd12:3456::1/16", true).toString());
        assertEquals("2001:db8::1:0:0:1/128 deny", AclRule.parse("2001:db8:0:0:1:0:0:1", false).toString());
        assertEquals("2001:0:0:1::1/128 allow", AclRule.parse("2001:0:0:1:0:0:0:1", true).toString());
        assertEquals("::/0 allow", AclRule.parse("[::]/0", true).toString());
        assertEquals("1:2:3:4:5:6:7:8/128 allow", AclRule.parse("1:2:3:4:5:6:7:8", true).toString());
        assertEquals("::102:304/128 allow", AclRule.parse("::1.2.3.4", true).toString());
        // in the IPv4-mapped range with a prefix of 96 or more: the IPv4 rule
        assertEquals("10.0.0.0/8 allow", AclRule.parse("::ffff:10.1.2.3/104", true).toString());
        assertEquals("10.1.2.3/32 allow", AclRule.parse("::FFFF:0a01:0203", true).toString());
        assertEquals("0.0.0.0/0 allow", AclRule.parse("::ffff:0:0/96", true).toString());
        assertEquals("::/80 allow", AclRule.parse("::ffff:0:0/80", true).toString());
        assertEquals("192.168.1.0/24 deny", AclRule.parse("192.168.1.77/24", false).toString());
        assertFalse(AclRule.parse("10.0.0.0/8", true).ipv6());
        assertTrue(AclRule.parse("::1", true).ipv6());
        // the record masks host bits whoever builds it
        assertEquals(AclRule.parse("10.0.0.0/8", true), new AclRule(ip("10.20.30.40"), 8, true));
    }

    @Test
    void ipv6Parsing()
    {
        assertArrayEquals(new byte[16], HostPort.parseIpv6("::"));
        assertArrayEquals(new byte[16], HostPort.parseIpv6("0:0:0:0:0:0:0:0"));
        final byte[] one = new byte[16];
        one[15] = 1;
        assertArrayEquals(one, HostPort.parseIpv6("::1"));
        assertArrayEquals(one, HostPort.parseIpv6("0::0001"));
        final byte[] fd = new byte[16];
        fd[0] = (byte)0xFD;
        assertArrayEquals(fd, HostPort.parseIpv6("fd00::"));
        assertArrayEquals(fd, HostPort.parseIpv6("FD00:0:0:0:0:0:0::"));
        for (final String bad : new String[]{"", ":", ":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
            "1:2:3:4::5:6:7:8", "12345::", "g::", "::1.2.3", "::1.2.3.256", "1.2.3.4::", "::1.2.3.4:1", "1::2:", ":1::",
            "::%eth0", "1:2:3:4:5:6:7:8%1"})
        {
            assertNull(HostPort.parseIpv6(bad), bad);
        }
    }

    // ---- common module options ----------------------------------------------------------------------------------

    @Test
    void commonModuleOptionsInEveryScope() throws Exception
    {
        final MsgcConfig config = MsgcConfig.parse("t.conf",
            "msgc_server {\n  peers = [ n = \"127.0.0.1\" ]\n  enabled = no\n  debug_level = info\n}\n" +
            "msgcserver_listener {\n  Enabled = off\n  Debug_Level = \"Warning\"\n}\n" +
            "msgc_client {\n  enabled = false\n  debug_level = DEBUG\n}\n");
        assertFalse(config.server().enabled());
        assertEquals("INFO", config.server().debugLevel());
        assertFalse(config.listener().enabled());
        assertEquals("WARNING", config.listener().debugLevel());
        assertFalse(config.client().enabled());
        assertEquals("DEBUG", config.client().debugLevel());
        final String text = config.describe();
        assertTrue(text.contains("msgcserver_listener.enabled = false\nmsgcserver_listener.debug_level = WARNING\n"),
            text);
        assertTrue(text.contains("msgc_client.enabled = false\nmsgc_client.debug_level = DEBUG\n"), text);

        final MsgcConfig defaults = MsgcConfig.parse("t.conf", "");
        assertTrue(defaults.listener().enabled());
        assertEquals("ERROR", defaults.listener().debugLevel());
        assertTrue(defaults.client().enabled());
        assertEquals("ERROR", defaults.client().debugLevel());
        final ClientConfig built = ClientConfig.builder().enabled(false).debugLevel("notice").build();
        assertFalse(built.enabled());
        assertEquals("NOTICE", built.debugLevel());
    }

    @Test
    void describeShowsTheRulesOfEachListen() throws Exception
    {
        final String text = MsgcConfig.parse("t.conf", "msgcserver_listener {\n" +
            "  Listen \"*:4809\" { Peer \"10.0.0.0/8\" { } Peer \"fd00::/8\" { action = deny } }\n" +
            "  Listen \"[::1]:4810\" { }\n}\n").describe();
        assertTrue(text.contains("msgcserver_listener.listen = *:4809 (Peer 10.0.0.0/8 allow, Peer fd00::/8 deny)\n" +
            "msgcserver_listener.listen = [::1]:4810\nmsgcserver_listener.peer = (none)\n"), text);
    }
}
