package io.msgc.conf;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Well-formed input: samples, includes, merging, case, comments, booleans, defaults and the typed model.
 */
class ConfigParseTest
{
    private static final String RES = "src/test/resources/conf/";

    private static ServerConfig server(final String body) throws ConfigException
    {
        return MsgcConfig.parse("t.conf", "msgc_server {\n  peers = [ node1 = \"127.0.0.1\" ]\n" + body + "}\n")
            .server();
    }

    @Test
    void everySampleParses() throws Exception
    {
        try (Stream<Path> files = Files.list(Path.of("conf")))
        {
            final List<Path> samples = files.filter(p -> p.toString().endsWith(".conf")).sorted().toList();
            assertTrue(samples.size() >= 3, samples.toString());
            for (final Path sample : samples)
            {
                final MsgcConfig config = MsgcConfig.load(sample);
                assertNotNull(config.server(), sample.toString());
                assertEquals(3, config.server().peers().size(), sample.toString());
            }
        }
    }

    @Test
    void sampleServerIsTheThreeNodeLoopbackCluster() throws Exception
    {
        final ServerConfig server = MsgcConfig.load(Path.of("conf/msgc_server.conf")).server();
        assertEquals(List.of(
            new PeerConfig("node1", "127.0.0.1", 4809, 0),
            new PeerConfig("node2", "127.0.0.2", 4809, 1),
            new PeerConfig("node3", "127.0.0.3", 4809, 2)), server.peers());
        assertEquals("[node1=127.0.0.1:4809 node2=127.0.0.2:4809 node3=127.0.0.3:4809]", server.peersDescription());
    }

    @Test
    void ecclusterSampleReportsOtherModulesAsIgnored() throws Exception
    {
        final MsgcConfig config = MsgcConfig.load(Path.of("conf/eccluster.conf"));
        assertEquals(List.of(
            "ignored option 'keep_message_dicts_in_memory' at conf/eccluster.conf:5:1",
            "ignored scope 'cluster' at conf/eccluster.conf:7:1",
            "ignored scope 'ecstream_listener' at conf/eccluster.conf:17:1",
            "ignored scope 'control_listener' at conf/eccluster.conf:21:1",
            "ignored scope 'paniclog /var/log/eccluster/paniclog.ec' at conf/eccluster.conf:26:1"),
            config.ignored());
        // ecstream_listener's Listen ":1812" is not ours
        assertTrue(config.listener().listens().isEmpty());
        assertEquals(3, config.listener().acl().size());
    }

    @Test
    void ecelerityClusterSampleHasAClient() throws Exception
    {
        final MsgcConfig config = MsgcConfig.load(Path.of("conf/ecelerity-cluster.conf"));
        assertEquals(List.of(new HostPort("127.0.0.1", 4809), new HostPort("127.0.0.2", 4809)),
            config.client().servers());
        assertEquals(10, config.client().connectTimeout());
        assertTrue(config.ignored().contains("ignored scope 'domain example.com' at conf/ecelerity-cluster.conf:22:1"),
            config.ignored().toString());
    }

    @Test
    void emptyFileHasDefaults() throws Exception
    {
        final MsgcConfig config = MsgcConfig.parse("empty.conf", "");
        assertNull(config.server());
        assertTrue(config.listener().listens().isEmpty());
        assertTrue(config.listener().acl().isEmpty());
        assertTrue(config.listener().allows(InetAddress.getByName("192.0.2.1")));
        final ClientConfig client = config.client();
        assertEquals(List.of(new HostPort("127.0.0.1", 4809)), client.servers());
        assertNull(client.bindAddress());
        assertNull(client.name());
        assertTrue(client.reconnect());
        assertEquals(60, client.connectTimeout());
        assertEquals(30, client.idleTimeout());
        assertEquals(5, client.keepaliveInterval());
        assertEquals(5, client.reconnectInterval());
        assertEquals(100, client.reconnectInitialMs());
        assertEquals(1048576, client.sendQueueCapacity());
        assertEquals(1048576, client.maxFrameSize());
        assertTrue(config.ignored().isEmpty());
    }

    @Test
    void serverDefaults() throws Exception
    {
        final ServerConfig s = server("");
        assertEquals(4809, s.port());
        assertEquals(60, s.connectTimeout());
        assertEquals(30, s.idleTimeout());
        assertEquals(5, s.keepaliveInterval());
        assertEquals(5, s.reconnectInterval());
        assertEquals(5000, s.maxBacklog());
        assertEquals(20, s.messagesPerIter());
        assertEquals(0, s.tcpbufSize());
        assertEquals("ERROR", s.debugLevel());
        assertTrue(s.enabled());
        assertEquals(1048576, s.maxFrameSize());
        assertEquals(8388608, s.clientOutboundLimit());
        assertEquals(IdleStrategyKind.BACKOFF, s.idleStrategy());
        assertEquals(250, s.heartbeatIntervalMs());
        assertEquals(1500, s.peerTimeoutMs());
        assertEquals(100, s.reconnectInitialMs());
        assertEquals(1000, s.maxGroupsPerClient());
        assertEquals(10000, s.maxClients());
    }

    @Test
    void everyServerOptionIsRead() throws Exception
    {
        final ServerConfig s = server("  port = 5000\n  connect_timeout = 7\n  idle_timeout = 8\n" +
            "  keepalive_interval = 9\n  reconnect_interval = 10\n  max_backlog = 11\n  messages_per_iter = 12\n" +
            "  tcpbuf_size = 65536\n  debug_level = notice\n  enabled = off\n  max_frame_size = 2048\n" +
            "  client_outbound_limit = 65536\n  idle_strategy = busy-spin\n  heartbeat_interval_ms = 50\n" +
            "  peer_timeout_ms = 300\n  reconnect_initial_ms = 20\n  max_groups_per_client = 3\n  max_clients = 4\n");
        assertEquals(5000, s.port());
        assertEquals(5000, s.peer("node1").port());
        assertEquals(7, s.connectTimeout());
        assertEquals(8, s.idleTimeout());
        assertEquals(9, s.keepaliveInterval());
        assertEquals(10, s.reconnectInterval());
        assertEquals(11, s.maxBacklog());
        assertEquals(12, s.messagesPerIter());
        assertEquals(65536, s.tcpbufSize());
        assertEquals("NOTICE", s.debugLevel());
        assertFalse(s.enabled());
        assertEquals(2048, s.maxFrameSize());
        assertEquals(65536, s.clientOutboundLimit());
        assertEquals(IdleStrategyKind.BUSY_SPIN, s.idleStrategy());
        assertEquals(50, s.heartbeatIntervalMs());
        assertEquals(300, s.peerTimeoutMs());
        assertEquals(20, s.reconnectInitialMs());
        assertEquals(3, s.maxGroupsPerClient());
        assertEquals(4, s.maxClients());
    }

    @Test
    void everyClientOptionIsRead() throws Exception
    {
        final ClientConfig c = MsgcConfig.parse("t.conf", "msgc_client {\n" +
            "  server = ( \"10.0.0.1\", \"10.0.0.2:5000\" \"[::1]:6000\" )\n  bind_address = 10.0.0.9\n" +
            "  name = Alice_1\n  reconnect = no\n  reconnect_initial_ms = 7\n  send_queue_capacity = 4096\n" +
            "  max_frame_size = 1024\n  connect_timeout = 1\n  idle_timeout = 2\n  keepalive_interval = 3\n" +
            "  reconnect_interval = 4\n}\n").client();
        assertEquals(List.of(new HostPort("10.0.0.1", 4809), new HostPort("10.0.0.2", 5000),
            new HostPort("::1", 6000)), c.servers());
        assertEquals("10.0.0.9", c.bindAddress());
        assertEquals("Alice_1", c.name());
        assertFalse(c.reconnect());
        assertEquals(7, c.reconnectInitialMs());
        assertEquals(4096, c.sendQueueCapacity());
        assertEquals(1024, c.maxFrameSize());
        assertEquals(1, c.connectTimeout());
        assertEquals(2, c.idleTimeout());
        assertEquals(3, c.keepaliveInterval());
        assertEquals(4, c.reconnectInterval());
    }

    @Test
    void includeOfADirectoryInNameOrderInsideAScope() throws Exception
    {
        final MsgcConfig config = MsgcConfig.load(Path.of(RES + "include_dir.conf"));
        final ServerConfig server = config.server();
        // server.d/01-peers.conf and 02-tuning.conf went into msgc_server
        assertEquals(5000, server.port());
        assertEquals(IdleStrategyKind.BLOCKING, server.idleStrategy());
        assertEquals("[node1=127.0.0.1:5000 node2=127.0.0.2:5000]", server.peersDescription());
        // incdir: 10-a.conf (zeta) before 20-b.conf (alpha): file name order, not scope name order
        assertEquals(List.of(
            "ignored scope 'zeta' at " + RES + "incdir/10-a.conf:2:1",
            "ignored scope 'alpha' at " + RES + "incdir/20-b.conf:2:1"), config.ignored());
    }

    @Test
    void includeRelativeToCurrentDirectoryFromParse() throws Exception
    {
        final MsgcConfig config = MsgcConfig.parse("inline.conf", "include \"conf/msgc_server.conf\"\n");
        assertEquals(3, config.server().peers().size());
    }

    @Test
    void includeFileInsideScope(@org.junit.jupiter.api.io.TempDir final Path dir) throws Exception
    {
        Files.writeString(dir.resolve("peers.inc"), "peers = [ a = \"10.0.0.1\", b = \"10.0.0.2\" ]\n",
            StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("main.conf"), "msgc_server {\n  readonly_include \"peers.inc\"\n}\n",
            StandardCharsets.UTF_8);
        final ServerConfig server = MsgcConfig.load(dir.resolve("main.conf")).server();
        assertEquals("[a=10.0.0.1:4809 b=10.0.0.2:4809]", server.peersDescription());
    }

    @Test
    void reopenedScopeMerges() throws Exception
    {
        final MsgcConfig config = MsgcConfig.parse("t.conf",
            "msgc_server {\n  peers = [ node1 = \"127.0.0.1\" ]\n}\n" +
            "cluster { }\n" +
            "msgc_server {\n  port = 6000\n}\n" +
            "msgcserver_listener { Peer \"10.0.0.0/8\" { } }\n" +
            "msgcserver_listener { Peer \"10.0.0.0/8\" { action = deny } }\n");
        assertEquals(6000, config.server().peer("node1").port());
        assertEquals(List.of(AclRule.parse("10.0.0.0/8", false)), config.listener().acl());
    }

    @Test
    void namesAreCaseInsensitive() throws Exception
    {
        final MsgcConfig config = MsgcConfig.parse("t.conf",
            "MSGC_Server {\n  PEERS = [ Node1 = \"127.0.0.1\" ]\n  Debug_Level = warning\n" +
            "  Idle_Strategy = BUSY-SPIN\n  Enabled = TRUE\n}\n" +
            "MsgcServer_Listener { LISTEN \"*:4900\" { } peer \"127.0.0.1\" { ACTION = Deny } }\n");
        final ServerConfig server = config.server();
        assertEquals("node1", server.peers().get(0).name());
        assertEquals(server.peers().get(0), server.peer("NODE1"));
        assertNull(server.peer("node2"));
        assertEquals("WARNING", server.debugLevel());
        assertEquals(IdleStrategyKind.BUSY_SPIN, server.idleStrategy());
        assertEquals(List.of(new ListenConfig("*", 4900)), config.listener().listens());
        assertFalse(config.listener().acl().get(0).allow());
    }

    @Test
    void commentsAnywhere() throws Exception
    {
        final ServerConfig server = MsgcConfig.parse("t.conf",
            "# leading comment\n/* block\n   comment { } */ msgc_server /* inline */ {\n" +
            "  peers = [ # in a map\n    node1 = \"127.0.0.1\" /* after a value */\n" +
            "    node2 = \"127.0.0.2\" ]\n" +
            "  port = 4810# right after a word\n}\n# trailing").server();
        assertEquals("[node1=127.0.0.1:4810 node2=127.0.0.2:4810]", server.peersDescription());
    }

    @Test
    void hashInsideAStringIsNotAComment() throws Exception
    {
        final MsgcConfig config = MsgcConfig.parse("t.conf", "Domain \"a#b\" { }\n");
        assertEquals(List.of("ignored scope 'domain a#b' at t.conf:1:1"), config.ignored());
    }

    @Test
    void stringEscapes() throws Exception
    {
        final MsgcConfig config = MsgcConfig.parse("t.conf", "Domain \"q\\\"b\\\\s\\tt\" { }\n");
        assertEquals(List.of("ignored scope 'domain q\"b\\s\tt' at t.conf:1:1"), config.ignored());
    }

    @Test
    void everyBooleanSpelling() throws Exception
    {
        final String[] yes = {"on", "true", "yes", "enabled", "1", "ON", "\"True\""};
        final String[] no = {"off", "false", "no", "disabled", "0", "Off", "\"no\""};
        for (final String word : yes)
        {
            assertTrue(server("  enabled = " + word + "\n").enabled(), word);
        }
        for (final String word : no)
        {
            assertFalse(server("  enabled = " + word + "\n").enabled(), word);
        }
    }

    @Test
    void bareAndQuotedMapValuesWithCommas() throws Exception
    {
        final ServerConfig parsed = MsgcConfig.parse("t.conf",
            "msgc_server { peers = [ a = 10.0.0.1:5000, \"b\" = \"10.0.0.2\",c=host-c.example.com ] }").server();
        assertEquals("[a=10.0.0.1:5000 b=10.0.0.2:4809 c=host-c.example.com:4809]", parsed.peersDescription());
        assertEquals(List.of(0, 1, 2), parsed.peers().stream().map(PeerConfig::index).toList());
    }

    @Test
    void otherModulesOptionsAreKeptButIgnored() throws Exception
    {
        final MsgcConfig config = MsgcConfig.parse("t.conf",
            "Keep_Message_Dicts_In_Memory = true\nDomain example.com {\n  Nested { x = ( 1, 2 ) y = [ k = v ] }\n}\n");
        assertEquals(List.of(
            "ignored option 'keep_message_dicts_in_memory' at t.conf:1:1",
            "ignored scope 'domain example.com' at t.conf:2:1"), config.ignored());
    }

    @Test
    void listenDefaultsToServerPortAndAnyInterface() throws Exception
    {
        final MsgcConfig config = MsgcConfig.parse("t.conf",
            "msgcserver_listener {\n  Listen \":4901\" { }\n  Listen \"127.0.0.1\" { }\n}\n" +
            "msgc_server {\n  peers = [ n = \"127.0.0.1\" ]\n  port = 4902\n}\n");
        final List<ListenConfig> listens = config.listener().listens();
        assertEquals(List.of(new ListenConfig("", 4901), new ListenConfig("127.0.0.1", 4902)), listens);
        assertTrue(listens.get(0).anyInterface());
        assertTrue(listens.get(0).address().getAddress().isAnyLocalAddress());
        assertFalse(listens.get(1).anyInterface());
    }

    @Test
    void aclLongestPrefixWinsAndNoMatchIsRefused() throws Exception
    {
        final ListenerConfig listener = MsgcConfig.parse("t.conf",
            "msgcserver_listener {\n  Peer \"10.0.0.0/8\" { }\n  Peer \"10.1.0.0/16\" { action = deny }\n" +
            "  Peer \"10.1.2.3\" { action = allow }\n  Peer \"0.0.0.0/0\" { action = \"deny\" }\n}\n").listener();
        assertTrue(listener.allows(InetAddress.getByName("10.9.9.9")));
        assertFalse(listener.allows(InetAddress.getByName("10.1.9.9")));
        assertTrue(listener.allows(InetAddress.getByName("10.1.2.3")));
        assertFalse(listener.allows(InetAddress.getByName("192.168.1.1")));

        final ListenerConfig only = MsgcConfig.parse("t.conf",
            "msgcserver_listener { Peer \"127.0.0.0/8\" { } }").listener();
        assertTrue(only.allows(InetAddress.getByName("127.0.0.2")));
        assertFalse(only.allows(InetAddress.getByName("192.0.2.1")));
        assertFalse(only.allows(InetAddress.getByName("::1")));
    }

    @Test
    void aclRuleMasksHostBits() throws Exception
    {
        final AclRule rule = MsgcConfig.parse("t.conf", "msgcserver_listener { Peer \"192.168.1.77/24\" { } }")
            .listener().acl().get(0);
        assertEquals("192.168.1.0/24 allow", rule.toString());
        assertTrue(rule.matches(InetAddress.getByName("192.168.1.1")));
    }

    @Test
    void peersDigestIsFnv1aOfTheList()
    {
        final ServerConfig a = ServerConfig.builder().peer("node1", "127.0.0.1", 4809)
            .peer("node2", "127.0.0.2", 4809).build();
        long hash = 0xcbf29ce484222325L;
        for (final byte b : "node1=127.0.0.1:4809;node2=127.0.0.2:4809;".getBytes(StandardCharsets.UTF_8))
        {
            hash = (hash ^ (b & 0xFF)) * 0x100000001b3L;
        }
        assertEquals(hash, a.peersDigest());
        final ServerConfig swapped = ServerConfig.builder().peer("node2", "127.0.0.2", 4809)
            .peer("node1", "127.0.0.1", 4809).build();
        assertNotEquals(a.peersDigest(), swapped.peersDigest());
        assertEquals(0xcbf29ce484222325L, ServerConfig.builder().build().peersDigest());
        assertEquals("[]", ServerConfig.builder().build().peersDescription());
    }

    @Test
    void builderDefaultsAndChecks()
    {
        final ServerConfig built = ServerConfig.builder().peer("Node1", "h", 1).heartbeatIntervalMs(100)
            .peerTimeoutMs(600).build();
        assertEquals("node1", built.peers().get(0).name());
        assertEquals(600, built.peerTimeoutMs());
        assertThrows(IllegalArgumentException.class,
            () -> ServerConfig.builder().heartbeatIntervalMs(500).peerTimeoutMs(500).build());
        assertThrows(IllegalArgumentException.class,
            () -> ServerConfig.builder().peer("a", "h", 1).peer("A", "h", 2).build());
        final ClientConfig client = ClientConfig.builder().server("h", 1).server("g", 2).name("x").build();
        assertEquals(List.of(new HostPort("h", 1), new HostPort("g", 2)), client.servers());
    }

    @Test
    void hostPortParsing()
    {
        assertEquals(new HostPort("example.com", 4809), HostPort.parse("example.com", 4809));
        assertEquals(new HostPort("10.0.0.1", 1), HostPort.parse("10.0.0.1:1", 4809));
        assertEquals(new HostPort("::1", 4809), HostPort.parse("[::1]", 4809));
        assertEquals("[::1]:4809", HostPort.parse("[::1]", 4809).toString());
        assertEquals("10.0.0.1:65535", HostPort.parse("10.0.0.1:65535", 1).toString());
        assertEquals("too many ':' (write an IPv6 address as [address]:port)",
            assertThrows(IllegalArgumentException.class, () -> HostPort.parse("::1", 1)).getMessage());
        assertEquals("empty address",
            assertThrows(IllegalArgumentException.class, () -> HostPort.parse("", 1)).getMessage());
    }

    @Test
    void idleStrategyConfigNames()
    {
        assertEquals("busy-spin", IdleStrategyKind.BUSY_SPIN.configName());
        assertEquals("backoff", IdleStrategyKind.BACKOFF.configName());
        assertEquals("blocking", IdleStrategyKind.BLOCKING.configName());
    }

    @Test
    void describeListsTheEffectiveConfiguration() throws Exception
    {
        final String text = MsgcConfig.load(Path.of("conf/eccluster.conf")).describe();
        assertTrue(text.contains("msgc_server.peers = [node1=127.0.0.1:4809 node2=127.0.0.2:4809 " +
            "node3=127.0.0.3:4809]\n"), text);
        assertTrue(text.contains("msgc_server.idle_strategy = backoff\n"), text);
        assertTrue(text.contains("msgcserver_listener.listen = (own peers entry)\n"), text);
        assertTrue(text.contains("msgcserver_listener.peer = 10.1.2.0/24 deny\n"), text);
        assertTrue(text.contains("msgc_client.server = (127.0.0.1:4809)\n"), text);
        assertTrue(text.contains("# ignored scope 'cluster' at conf/eccluster.conf:7:1\n"), text);
        for (final String line : text.split("\n"))
        {
            assertTrue(line.startsWith("# ") || line.matches("[a-z_]+(\\.[a-z_]+)? = .+"), line);
        }
    }

    @Test
    void configErrorFormat()
    {
        final ConfigError error = new ConfigError("a.conf", 3, 5, "boom");
        assertEquals("a.conf:3:5: boom", error.toString());
        final ConfigException ex = new ConfigException(List.of(error, new ConfigError("b.conf", 1, 1, "bang")));
        assertEquals("a.conf:3:5: boom\nb.conf:1:1: bang", ex.getMessage());
        assertEquals(2, ex.errors().size());
    }

    @Test
    void loadOfAMissingFile()
    {
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> MsgcConfig.load(Path.of("no/such/file.conf")));
        assertEquals(1, ex.errors().size());
        assertTrue(ex.getMessage().startsWith("no/such/file.conf:1:1: cannot read configuration file: "),
            ex.getMessage());
    }
}
