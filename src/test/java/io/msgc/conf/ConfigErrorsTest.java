package io.msgc.conf;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Malformed input: every test asserts the exact message and the exact file:line:column.
 */
class ConfigErrorsTest
{
    private static final String PEERS = "  peers = [ node1 = \"127.0.0.1\" ]\n";
    private static final String RES = "src/test/resources/conf/";

    private static void assertErrors(final String text, final String expected)
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> MsgcConfig.parse("t.conf", text));
        assertEquals(expected, ex.getMessage());
    }

    private static void assertServerError(final String body, final String expected)
    {
        assertErrors("msgc_server {\n" + PEERS + body + "}\n", expected);
    }

    // ---- lexical ------------------------------------------------------------------------------------------

    @Test
    void unterminatedString()
    {
        assertErrors("msgc_server {\n  debug_level = \"ERROR\n}\n",
            "t.conf:2:17: unterminated string: missing closing '\"' before end of line");
    }

    @Test
    void unterminatedBlockComment()
    {
        assertErrors("# fine\n  /* never closed\nmsgc_server { }\n",
            "t.conf:2:3: unterminated block comment: missing '*/' before end of file");
    }

    @Test
    void invalidEscape()
    {
        assertErrors("Domain \"a\\qb\" { }\n",
            "t.conf:1:10: invalid escape '\\q' in string; valid escapes: \\\" \\\\ \\n \\t");
    }

    // ---- structure ----------------------------------------------------------------------------------------

    @Test
    void missingClosingBrace()
    {
        assertErrors("msgc_server {\n  port = 4809\n",
            "t.conf:1:1: missing closing '}' for scope 'msgc_server' before end of file");
    }

    @Test
    void missingClosingBraceOfNestedScope()
    {
        assertErrors("msgcserver_listener {\n  Listen \":4809\" {\n}\n",
            "t.conf:1:1: missing closing '}' for scope 'msgcserver_listener' before end of file");
    }

    @Test
    void unexpectedClosingBrace()
    {
        assertErrors("msgc_server {\n" + PEERS + "}\n}\n", "t.conf:4:1: unexpected '}' with no open scope");
    }

    @Test
    void missingEquals()
    {
        assertErrors("msgc_server {\n  port 4809\n}\n", "t.conf:2:8: expected '=' or '{' after 'port', found '4809'");
    }

    @Test
    void missingBraceAfterNamedScope()
    {
        assertErrors("msgcserver_listener {\n  Listen \":4809\" }\n",
            "t.conf:2:18: expected '{' after Listen \":4809\", found '}'");
    }

    @Test
    void missingValueBeforeBrace()
    {
        assertErrors("msgc_server {\n  port =\n}\n",
            "t.conf:3:1: missing value for 'port': expected a word, string, list or map, found '}'");
    }

    @Test
    void missingValueBeforeNextOption()
    {
        assertErrors("msgc_server {\n  port =\n  idle_timeout = 3\n}\n",
            "t.conf:3:3: missing value for 'port': found the next option 'idle_timeout =' instead");
    }

    @Test
    void unterminatedList()
    {
        assertErrors("msgc_client {\n  server = ( \"a:1\" \"b:2\"\n",
            "t.conf:2:12: unterminated list: missing ')' before end of file");
    }

    @Test
    void unterminatedMap()
    {
        assertErrors("msgc_server {\n  peers = [ node1 = \"127.0.0.1\"\n",
            "t.conf:2:11: unterminated map: missing ']' before end of file");
    }

    @Test
    void mapKeyWithoutEquals()
    {
        assertErrors("msgc_server {\n  peers = [ node1 \"127.0.0.1\" ]\n}\n",
            "t.conf:2:19: expected '=' after map key 'node1', found string \"127.0.0.1\"");
    }

    @Test
    void strayStringAtTopLevel()
    {
        assertErrors("msgc_server {\n" + PEERS + "}\n\"stray\"\n",
            "t.conf:4:1: expected an option or scope name, found string \"stray\"");
    }

    @Test
    void strayBracketAtTopLevel()
    {
        assertErrors("  ]\n", "t.conf:1:3: expected an option or scope name, found ']'");
    }

    @Test
    void strayWordAtEndOfFile()
    {
        assertErrors("msgc_server {\n" + PEERS + "}\nleftover\n",
            "t.conf:4:1: expected '=' or '{' after 'leftover', found end of file");
    }

    // ---- includes -----------------------------------------------------------------------------------------

    @Test
    void includeFileNotFound()
    {
        assertErrors("cluster { }\ninclude \"no-such-dir/missing.conf\"\n",
            "t.conf:2:9: include file not found: no-such-dir/missing.conf");
    }

    @Test
    void readonlyIncludeNotFoundIsRelativeToTheIncludingFile()
    {
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> MsgcConfig.load(Path.of(RES + "missing_include.conf")));
        assertEquals(RES + "missing_include.conf:4:18: include file not found: " + RES + "missing.conf",
            ex.getMessage());
    }

    @Test
    void includeCycleShowsTheChain()
    {
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> MsgcConfig.load(Path.of(RES + "cycle_a.conf")));
        assertEquals(RES + "cycle_b.conf:2:11: include cycle: " + RES + "cycle_a.conf -> " + RES +
            "cycle_b.conf -> " + RES + "cycle_a.conf", ex.getMessage());
    }

    @Test
    void syntaxErrorInIncludedFileNamesThatFile()
    {
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> MsgcConfig.load(Path.of(RES + "bad_syntax_outer.conf")));
        assertEquals(RES + "bad_syntax_inner.conf:3:13: expected a map key, ',' or ']' in map, found '}'",
            ex.getMessage());
    }

    // ---- msgc_server: peers -------------------------------------------------------------------------------

    @Test
    void duplicatePeerName()
    {
        assertErrors("msgc_server {\n  peers = [\n    node1 = \"127.0.0.1\"\n    NODE1 = \"127.0.0.2\"\n  ]\n}\n",
            "t.conf:4:5: duplicate peer name 'node1' (first at t.conf:3:5)");
    }

    @Test
    void emptyPeersMap()
    {
        assertErrors("msgc_server {\n  peers = [ ]\n}\n", "t.conf:2:11: empty peers map; at least one peer is required");
    }

    @Test
    void missingPeers()
    {
        assertErrors("msgc_server {\n  port = 4809\n}\n",
            "t.conf:1:1: msgc_server has no 'peers' option; at least one peer is required");
    }

    @Test
    void badPeerName()
    {
        assertErrors("msgc_server {\n  peers = [ \"node 1\" = \"127.0.0.1\" ]\n}\n",
            "t.conf:2:13: invalid peer name 'node 1'; must be 1-31 characters of [a-z0-9_.-]");
    }

    @Test
    void peerNameTooLong()
    {
        final String name = "n".repeat(32);
        assertErrors("msgc_server {\n  peers = [ " + name + " = \"127.0.0.1\" ]\n}\n",
            "t.conf:2:13: invalid peer name '" + name + "'; must be 1-31 characters of [a-z0-9_.-]");
    }

    @Test
    void peerAddressWithoutHost()
    {
        assertErrors("msgc_server {\n  peers = [ node1 = \":4809\" ]\n}\n",
            "t.conf:2:21: invalid address \":4809\" for peer 'node1': no host before the port");
    }

    @Test
    void peerAddressGarbage()
    {
        assertErrors("msgc_server {\n  peers = [ node1 = \"no such$host\" ]\n}\n",
            "t.conf:2:21: invalid address \"no such$host\" for peer 'node1': invalid host 'no such$host'");
    }

    @Test
    void peerAddressBadIpv4()
    {
        assertErrors("msgc_server {\n  peers = [ node1 = \"127.0.0.300\" ]\n}\n",
            "t.conf:2:21: invalid address \"127.0.0.300\" for peer 'node1': invalid IPv4 address '127.0.0.300'");
    }

    @Test
    void peerPortZero()
    {
        assertErrors("msgc_server {\n  peers = [ node1 = \"127.0.0.1:0\" ]\n}\n",
            "t.conf:2:21: invalid address \"127.0.0.1:0\" for peer 'node1': port 0 is out of range 1..65535");
    }

    @Test
    void peerPortTooLarge()
    {
        assertErrors("msgc_server {\n  peers = [ node1 = \"127.0.0.1:70000\" ]\n}\n",
            "t.conf:2:21: invalid address \"127.0.0.1:70000\" for peer 'node1': port 70000 is out of range 1..65535");
    }

    @Test
    void peerPortNotANumber()
    {
        assertErrors("msgc_server {\n  peers = [ node1 = \"127.0.0.1:abc\" ]\n}\n",
            "t.conf:2:21: invalid address \"127.0.0.1:abc\" for peer 'node1': invalid port 'abc' " +
            "(expected a number 1..65535)");
    }

    @Test
    void twoPeersWithTheSameAddress()
    {
        assertErrors("msgc_server {\n  peers = [\n    node1 = \"127.0.0.1:4809\"\n    node2 = \"127.0.0.1\"\n  ]\n}\n",
            "t.conf:4:13: peer 'node2' has the same address 127.0.0.1:4809 as peer 'node1'");
    }

    @Test
    void peersGivenAsAList()
    {
        assertErrors("msgc_server {\n  peers = ( \"127.0.0.1\" )\n}\n",
            "t.conf:2:11: expected a map [ name = \"host:port\" ... ] for 'peers', found a list");
    }

    // ---- msgc_server: options -----------------------------------------------------------------------------

    @Test
    void unknownOptionInServer()
    {
        assertServerError("  prot = 4809\n",
            "t.conf:3:3: unknown option 'prot' in msgc_server; valid options: admin_secret_file, auth_secret_file, " +
            "auth_timeout_ms, client_outbound_limit, connect_burst, connect_rate, " +
            "connect_timeout, counters_file, debug_level, enabled, heartbeat_interval_ms, idle_strategy, " +
            "idle_timeout, keepalive_interval, log_file, log_format, max_backlog, max_buffer_memory, max_clients, " +
            "max_frame_size, max_groups_per_client, max_handshakes, messages_per_iter, metrics_listen, " +
            "peer_address_check, peer_timeout_ms, peers, port, reconnect_initial_ms, reconnect_interval, " +
            "slow_consumer_timeout, tcpbuf_size");
    }

    @Test
    void stringWhereNumberExpected()
    {
        assertServerError("  port = \"4809\"\n",
            "t.conf:3:10: expected an integer 1..65535 for 'port', found string \"4809\"");
    }

    @Test
    void wordWhereNumberExpected()
    {
        assertServerError("  connect_timeout = soon\n",
            "t.conf:3:21: expected an integer 1..86400 for 'connect_timeout', found 'soon'");
    }

    @Test
    void negativeNumber()
    {
        assertServerError("  max_backlog = -1\n",
            "t.conf:3:17: expected an integer 1..10000000 for 'max_backlog', found '-1'");
    }

    @Test
    void listWhereNumberExpected()
    {
        assertServerError("  max_clients = ( 1 2 )\n",
            "t.conf:3:17: expected an integer 1..1000000 for 'max_clients', found a list");
    }

    @Test
    void scopeWhereNumberExpected()
    {
        assertServerError("  port { }\n", "t.conf:3:3: expected 'port = value', found a scope");
    }

    @Test
    void numberOutOfRange()
    {
        assertServerError("  max_frame_size = 512\n",
            "t.conf:3:20: value 512 for 'max_frame_size' is out of range 1024..67108864");
    }

    @Test
    void hugeNumberOutOfRange()
    {
        assertServerError("  port = 99999999999999999999\n",
            "t.conf:3:10: value 99999999999999999999 for 'port' is out of range 1..65535");
    }

    @Test
    void clientOutboundLimitBelowMinimum()
    {
        assertServerError("  client_outbound_limit = 1000\n",
            "t.conf:3:27: value 1000 for 'client_outbound_limit' is out of range 65536..1073741824");
    }

    @Test
    void clientOutboundLimitWhoseArithmeticWouldOverflow()
    {
        // limit + one frame + alignment must stay below 2^31 (the connection's write buffer checks and growth)
        assertServerError("  client_outbound_limit = 2147483647\n",
            "t.conf:3:27: value 2147483647 for 'client_outbound_limit' is out of range 65536..1073741824");
        assertServerError("  client_outbound_limit = 1073741825\n",
            "t.conf:3:27: value 1073741825 for 'client_outbound_limit' is out of range 65536..1073741824");
    }

    @Test
    void integerRangesKeepTheDerivedArithmeticWithinAnInt() throws Exception
    {
        // the largest value of every integer option is accepted, and what msgc computes from it fits an int
        final ServerConfig s = MsgcConfig.parse("t.conf", "msgc_server {\n  peers = [ n = \"127.0.0.1\" ]\n" +
            "  connect_timeout = 86400\n  idle_timeout = 86400\n  keepalive_interval = 86400\n" +
            "  reconnect_interval = 86400\n  max_frame_size = 67108864\n  client_outbound_limit = 1073741824\n" +
            "  tcpbuf_size = 67108864\n  heartbeat_interval_ms = 60000\n  peer_timeout_ms = 600000\n" +
            "  reconnect_initial_ms = 60000\n}\n").server();
        Math.multiplyExact(s.idleTimeout(), 1000);
        Math.multiplyExact(s.connectTimeout(), 1000);
        // Connection.ensureWritable: pending (up to the limit) + one frame with the sender header, then aligned
        Math.addExact(Math.addExact(s.clientOutboundLimit(), s.maxFrameSize() + 1024), 64);
        Math.addExact(s.maxFrameSize(), 1024 + 64);
        final ClientConfig c = MsgcConfig.parse("t.conf", "msgc_client {\n  max_frame_size = 67108864\n" +
            "  send_queue_capacity = 1073741824\n}\n").client();
        // MsgcClient: findNextPositivePowerOfTwo(max(send_queue_capacity, (max_frame_size + 1024) * 8))
        final int queue = Math.max(c.sendQueueCapacity(), Math.multiplyExact(c.maxFrameSize() + 1024, 8));
        assertEquals(1 << 30, org.agrona.BitUtil.findNextPositivePowerOfTwo(queue));
        assertServerError("  max_frame_size = 67108865\n",
            "t.conf:3:20: value 67108865 for 'max_frame_size' is out of range 1024..67108864");
        assertErrors("msgc_client {\n  send_queue_capacity = 1073741825\n}\n",
            "t.conf:2:25: value 1073741825 for 'send_queue_capacity' is out of range 4096..1073741824");
    }

    @Test
    void buildersRefuseSizesWhoseArithmeticWouldOverflow()
    {
        assertEquals("client_outbound_limit 2147483647 is out of range 1..1073741824",
            assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.builder().clientOutboundLimit(Integer.MAX_VALUE).build()).getMessage());
        assertEquals("max_frame_size 2147483647 is out of range 1024..67108864",
            assertThrows(IllegalArgumentException.class,
                () -> ServerConfig.builder().maxFrameSize(Integer.MAX_VALUE).build()).getMessage());
        assertEquals("send_queue_capacity 1073741825 is out of range 1..1073741824",
            assertThrows(IllegalArgumentException.class,
                () -> ClientConfig.builder().sendQueueCapacity((1 << 30) + 1).build()).getMessage());
        assertEquals("max_frame_size 100 is out of range 1024..67108864",
            assertThrows(IllegalArgumentException.class,
                () -> ClientConfig.builder().maxFrameSize(100).build()).getMessage());
    }

    @Test
    void badBoolean()
    {
        assertServerError("  enabled = maybe\n",
            "t.conf:3:13: expected a boolean (on/off, true/false, yes/no, enabled/disabled, 1/0) for 'enabled', " +
            "found 'maybe'");
    }

    @Test
    void badDebugLevel()
    {
        assertServerError("  debug_level = \"LOUD\"\n",
            "t.conf:3:17: invalid debug_level string \"LOUD\"; valid: DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL");
    }

    @Test
    void badIdleStrategy()
    {
        assertServerError("  idle_strategy = spin\n",
            "t.conf:3:19: invalid idle_strategy 'spin'; valid: busy-spin, backoff, blocking");
    }

    @Test
    void peerTimeoutNotAboveHeartbeat()
    {
        assertServerError("  heartbeat_interval_ms = 500\n  peer_timeout_ms = 500\n",
            "t.conf:4:3: peer_timeout_ms (500) must be greater than heartbeat_interval_ms (500)");
    }

    @Test
    void heartbeatAboveDefaultPeerTimeout()
    {
        assertServerError("  heartbeat_interval_ms = 2000\n",
            "t.conf:3:3: peer_timeout_ms (1500) must be greater than heartbeat_interval_ms (2000)");
    }

    @Test
    void duplicateOptionInSameScope()
    {
        assertServerError("  port = 4809\n  PORT = 4810\n",
            "t.conf:4:3: duplicate option 'port' (first set at t.conf:3:3)");
    }

    @Test
    void duplicateOptionAcrossReopenedScope()
    {
        assertErrors("msgc_server {\n" + PEERS + "  port = 1\n}\nmsgc_server {\n  port = 2\n}\n",
            "t.conf:6:3: duplicate option 'port' (first set at t.conf:3:3)");
    }

    @Test
    void serverScopeWithInstanceName()
    {
        assertErrors("msgc_server \"main\" {\n" + PEERS + "}\n",
            "t.conf:1:13: scope 'msgc_server' takes no instance name, found string \"main\"");
    }

    @Test
    void everySemanticErrorIsCollected()
    {
        assertServerError("  port = 0\n  prot = 1\n  enabled = perhaps\n",
            "t.conf:3:10: value 0 for 'port' is out of range 1..65535\n" +
            "t.conf:4:3: unknown option 'prot' in msgc_server; valid options: admin_secret_file, auth_secret_file, " +
            "auth_timeout_ms, client_outbound_limit, connect_burst, connect_rate, " +
            "connect_timeout, counters_file, debug_level, enabled, heartbeat_interval_ms, idle_strategy, " +
            "idle_timeout, keepalive_interval, log_file, log_format, max_backlog, max_buffer_memory, max_clients, " +
            "max_frame_size, max_groups_per_client, max_handshakes, messages_per_iter, metrics_listen, " +
            "peer_address_check, peer_timeout_ms, peers, port, reconnect_initial_ms, reconnect_interval, " +
            "slow_consumer_timeout, tcpbuf_size\n" +
            "t.conf:5:13: expected a boolean (on/off, true/false, yes/no, enabled/disabled, 1/0) for 'enabled', " +
            "found 'perhaps'");
    }

    // ---- msgcserver_listener ------------------------------------------------------------------------------

    @Test
    void unknownOptionInListen()
    {
        assertErrors("msgcserver_listener {\n  Listen \":4809\" {\n    tls = on\n  }\n}\n",
            "t.conf:3:5: unknown option 'tls' in Listen \":4809\"; Listen takes no options, only Peer scopes");
    }

    @Test
    void unknownOptionInPeer()
    {
        assertErrors("msgcserver_listener {\n  Peer \"10.0.0.0/8\" {\n    acton = allow\n  }\n}\n",
            "t.conf:3:5: unknown option 'acton' in Peer \"10.0.0.0/8\"; valid options: action");
    }

    @Test
    void unknownScopeInListener()
    {
        assertErrors("msgcserver_listener {\n  Listener \":4809\" { }\n}\n",
            "t.conf:2:3: unknown scope 'listener' in msgcserver_listener; valid scopes: Listen, Peer");
    }

    @Test
    void unknownOptionInListener()
    {
        assertErrors("msgcserver_listener {\n  tls = on\n}\n",
            "t.conf:2:3: unknown option 'tls' in msgcserver_listener; valid options: debug_level, enabled; " +
            "valid scopes: Listen, Peer");
    }

    @Test
    void commonOptionAsAScopeInListener()
    {
        assertErrors("msgcserver_listener {\n  enabled { }\n}\n",
            "t.conf:2:3: expected 'enabled = value', found a scope");
    }

    @Test
    void badCommonOptionsInListenerAndClient()
    {
        assertErrors("msgc_client {\n  debug_level = ( INFO )\n  enabled = \"sure\"\n}\n" +
            "msgcserver_listener {\n  enabled = maybe\n  debug_level = loud\n}\n",
            "t.conf:2:17: expected a string for 'debug_level', found a list\n" +
            "t.conf:3:13: expected a boolean (on/off, true/false, yes/no, enabled/disabled, 1/0) for 'enabled', " +
            "found string \"sure\"\n" +
            "t.conf:6:13: expected a boolean (on/off, true/false, yes/no, enabled/disabled, 1/0) for 'enabled', " +
            "found 'maybe'\n" +
            "t.conf:7:17: invalid debug_level 'loud'; valid: DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL");
    }

    @Test
    void unknownScopeInListen()
    {
        assertErrors("msgcserver_listener {\n  Listen \":4809\" {\n    Deny \"10.0.0.0/8\" { }\n  }\n}\n",
            "t.conf:3:5: unknown scope 'deny' in Listen \":4809\"; valid scopes: Peer");
    }

    @Test
    void badRuleInListen()
    {
        assertErrors("msgcserver_listener {\n  Listen \":4809\" {\n    Peer \"10.0.0.0/40\" { action = maybe }\n" +
            "  }\n}\n",
            "t.conf:3:35: invalid action 'maybe' in Peer \"10.0.0.0/40\"; valid: allow, deny\n" +
            "t.conf:3:10: invalid CIDR \"10.0.0.0/40\" in Peer; prefix length must be 0..32");
    }

    @Test
    void duplicateRuleInOneListen()
    {
        assertErrors("msgcserver_listener {\n  Listen \":4809\" {\n    Peer \"10.0.0.0/8\" { }\n" +
            "    Peer \"10.9.9.9/8\" { action = deny }\n  }\n}\n",
            "t.conf:4:10: duplicate Peer rule 10.0.0.0/8 (first at t.conf:3:10)");
    }

    @Test
    void theSameNetworkInTwoListensAndInTheListenerIsFine() throws Exception
    {
        final ListenerConfig listener = MsgcConfig.parse("t.conf", "msgcserver_listener {\n" +
            "  Listen \"10.0.0.1:4809\" { Peer \"10.0.0.0/8\" { } }\n" +
            "  Listen \"10.0.0.2:4809\" { Peer \"10.0.0.0/8\" { action = deny } }\n" +
            "  Peer \"10.0.0.0/8\" { }\n}\n").listener();
        assertEquals(2, listener.listens().size());
        assertEquals(1, listener.acl().size());
    }

    @Test
    void ipv6PrefixTooLong()
    {
        assertErrors("msgcserver_listener {\n  Peer \"fd00::/129\" { }\n}\n",
            "t.conf:2:8: invalid CIDR \"fd00::/129\" in Peer; prefix length must be 0..128");
    }

    @Test
    void ipv6RuleGarbage()
    {
        final String expected = "\" in Peer; expected a.b.c.d or a.b.c.d/prefix, or an IPv6 address such as " +
            "fd00::/8 or ::1";
        for (final String bad : new String[]{"fd00:::1", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", "fe80::1%eth0",
            "::g", "12345::", "1.2.3.4::", "::1.2.3", ":1::", "1::2:", "[10.0.0.1]", "[::1"})
        {
            final String text = "msgcserver_listener {\n  Peer \"" + bad + "\" { }\n}\n";
            final ConfigException ex = assertThrows(ConfigException.class, () -> MsgcConfig.parse("t.conf", text));
            final String message = bad.startsWith("[") && !bad.startsWith("[10") ?
                "\" in Peer; write a bracketed IPv6 network as [address] or [address]/prefix" : expected;
            assertEquals("t.conf:2:8: invalid CIDR \"" + bad + message, ex.getMessage(), bad);
        }
    }

    @Test
    void bracketedIpv6RuleWithThePrefixInsideTheBrackets()
    {
        assertErrors("msgcserver_listener {\n  Peer \"[fd00::/8]\" { }\n}\n",
            "t.conf:2:8: invalid CIDR \"[fd00::/8]\" in Peer; expected a.b.c.d or a.b.c.d/prefix, or an IPv6 " +
            "address such as fd00::/8 or ::1");
    }

    @Test
    void duplicateIpv6RuleSpelledDifferently()
    {
        assertErrors("msgcserver_listener {\n  Peer \"fd00::/8\" { }\n  Peer \"[FD00:0::1]/8\" { }\n}\n",
            "t.conf:3:8: duplicate Peer rule fd00::/8 (first at t.conf:2:8)");
    }

    @Test
    void anIpv4MappedRuleIsTheIpv4Rule()
    {
        assertErrors("msgcserver_listener {\n  Peer \"10.0.0.0/8\" { }\n  Peer \"::ffff:10.1.0.0/104\" { }\n}\n",
            "t.conf:3:8: duplicate Peer rule 10.0.0.0/8 (first at t.conf:2:8)");
    }

    @Test
    void controlCharactersInMessagesAreEscaped()
    {
        assertErrors("msgcserver_listener {\n  Peer \"10.0.0.1\\t\" { }\n}\n",
            "t.conf:2:8: invalid CIDR \"10.0.0.1\\t\" in Peer; expected a.b.c.d or a.b.c.d/prefix, or an IPv6 " +
            "address such as fd00::/8 or ::1");
        assertServerError("  port = a\u0000b\n",
            "t.conf:3:10: expected an integer 1..65535 for 'port', found 'a\\x00b'");
    }

    @Test
    void aHugeTokenIsCutInMessages()
    {
        assertServerError("  port = " + "9".repeat(100_000) + "\n",
            "t.conf:3:10: value " + "9".repeat(80) + "...(100000 characters) for 'port' is out of range 1..65535");
    }

    @Test
    void badAction()
    {
        assertErrors("msgcserver_listener {\n  Peer \"10.0.0.0/8\" { action = permit }\n}\n",
            "t.conf:2:32: invalid action 'permit' in Peer \"10.0.0.0/8\"; valid: allow, deny");
    }

    @Test
    void cidrPrefixTooLong()
    {
        assertErrors("msgcserver_listener {\n  Peer \"10.0.0.0/33\" { }\n}\n",
            "t.conf:2:8: invalid CIDR \"10.0.0.0/33\" in Peer; prefix length must be 0..32");
    }

    @Test
    void cidrNotAnAddress()
    {
        assertErrors("msgcserver_listener {\n  Peer \"10.0.0/8\" { }\n}\n",
            "t.conf:2:8: invalid CIDR \"10.0.0/8\" in Peer; expected a.b.c.d or a.b.c.d/prefix, or an IPv6 " +
            "address such as fd00::/8 or ::1");
    }

    @Test
    void duplicatePeerRule()
    {
        assertErrors("msgcserver_listener {\n  Peer \"127.0.0.2\" { }\n  Peer \"127.0.0.2/32\" { action = deny }\n}\n",
            "t.conf:3:8: duplicate Peer rule 127.0.0.2/32 (first at t.conf:2:8)");
    }

    @Test
    void badListenPort()
    {
        assertErrors("msgcserver_listener {\n  Listen \"*:0\" { }\n}\n",
            "t.conf:2:10: invalid Listen address \"*:0\": port 0 is out of range 1..65535");
    }

    @Test
    void badListenHost()
    {
        assertErrors("msgcserver_listener {\n  Listen \"in valid:4809\" { }\n}\n",
            "t.conf:2:10: invalid Listen address \"in valid:4809\": invalid host 'in valid'");
    }

    @Test
    void listenWithoutAddress()
    {
        assertErrors("msgcserver_listener {\n  Listen { }\n}\n",
            "t.conf:2:3: Listen needs an address: Listen \"host:port\" { }");
    }

    @Test
    void duplicateListenAddress()
    {
        assertErrors("msgcserver_listener {\n  Listen \":4809\" { }\n  Listen \"*:4809\" { }\n}\n",
            "t.conf:3:10: duplicate Listen address *:4809 (first at t.conf:2:10)");
    }

    // ---- msgc_client --------------------------------------------------------------------------------------

    @Test
    void unknownOptionInClient()
    {
        assertErrors("msgc_client {\n  servers = ( \"127.0.0.1\" )\n}\n",
            "t.conf:2:3: unknown option 'servers' in msgc_client; valid options: auth_secret_file, bind_address, " +
            "connect_timeout, " +
            "debug_level, enabled, idle_timeout, keepalive_interval, max_frame_size, name, reconnect, " +
            "reconnect_initial_ms, reconnect_interval, send_queue_capacity, server");
    }

    @Test
    void mapWhereListExpected()
    {
        assertErrors("msgc_client {\n  server = [ a = \"127.0.0.1\" ]\n}\n",
            "t.conf:2:12: expected a list ( \"host:port\" ... ) for 'server', found a map");
    }

    @Test
    void badServerAddress()
    {
        assertErrors("msgc_client {\n  server = ( \"127.0.0.1\", \"host:\" )\n}\n",
            "t.conf:2:27: invalid server address \"host:\": missing port after ':'");
    }

    @Test
    void badClientName()
    {
        assertErrors("msgc_client {\n  name = \"#alice\"\n}\n",
            "t.conf:2:10: invalid client name '#alice'; must be 1-31 characters of [A-Za-z0-9_.-]");
    }

    @Test
    void sendQueueBelowMinimum()
    {
        assertErrors("msgc_client {\n  send_queue_capacity = 1024\n}\n",
            "t.conf:2:25: value 1024 for 'send_queue_capacity' is out of range 4096..1073741824");
    }

    @Test
    void badBindAddress()
    {
        assertErrors("msgc_client {\n  bind_address = \"10.0.0.1:99\"\n}\n",
            "t.conf:2:18: invalid bind_address \"10.0.0.1:99\": invalid host '10.0.0.1:99' (a host has no ':port')");
    }
}
