package io.msgc.cli;

import io.msgc.client.TestMember;
import io.msgc.conf.ClientConfig;
import io.msgc.server.Loopback;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 12, lame-duck stop: {@code msgc drain} makes a real daemon tell its clients to move, leave the mesh with a
 * view change, and exit 0; a client that lists two servers carries on through the other one.
 */
class DrainTest
{
    @TempDir
    Path dir;

    @Test
    void drainMovesClientsOffLeavesTheMeshAndExitsZero() throws Exception
    {
        final String prefix = Loopback.block();
        final int port = Loopback.freePort(prefix + "1");
        final Path config = dir.resolve("msgc.conf");
        Files.writeString(config, "msgc_server {\n" +
            "  heartbeat_interval_ms = 100\n" +
            "  peer_timeout_ms = 5000\n" +
            "  reconnect_initial_ms = 50\n" +
            "  reconnect_interval = 1\n" +
            "  debug_level = notice\n" +
            "  counters_file = \"" + dir.resolve("%n.counters") + "\"\n" +
            "  peers = [\n" +
            "    node1 = \"" + prefix + "1:" + port + "\"\n" +
            "    node2 = \"" + prefix + "2:" + port + "\"\n" +
            "  ]\n" +
            "}\n");
        try (DaemonProcess node1 = DaemonProcess.daemon(config, "node1");
            DaemonProcess node2 = DaemonProcess.daemon(config, "node2"))
        {
            assertTrue(node1.awaitOutput("nodes=[node1,node2]", 15_000), node1.output());
            // alice lists node1 and node2 (the client tries them in a shuffled order): she starts on node1, and
            // after the drain she is on node2
            final ClientConfig aliceConfig = ClientConfig.builder().name("alice")
                .server(prefix + "1", port).server(prefix + "2", port).reconnectInitialMs(50).build();
            try (TestMember alice = connectTo("#alice#node1", aliceConfig);
                TestMember bob = TestMember.connect("bob", new InetSocketAddress(prefix + "2", port)))
            {
                alice.joinAndWait("g");
                bob.joinAndWait("g");
                bob.awaitView(v -> v.members.equals(List.of("#alice#node1", "#bob#node2")), "alice and bob");

                final long started = System.nanoTime();
                final Console drained = Console.run("drain", "-s", prefix + "1:" + port);
                assertEquals(0, drained.exit(), drained.toString());
                assertEquals("drained node1: 1 client(s) told to move, left the mesh; the node stops now\n",
                    drained.out());
                assertEquals(0, node1.waitFor(10_000), node1.output());
                // well before node2 would have noticed node1 silent (peer_timeout_ms = 5000)
                assertTrue(node2.awaitOutput("node-view id=", 1000) &&
                    node2.awaitOutput("nodes=[node2]", 2000), node2.output());
                assertTrue((System.nanoTime() - started) / 1_000_000 < 5000, "the drain took a peer timeout");
                assertTrue(node1.output().contains("NOTICE node1 leaving"), node1.output());
                assertTrue(node1.output().contains("NOTICE node1 stopping signal=drain"), node1.output());

                alice.awaitView(v -> v.group.equals("g") && v.members.contains("#alice#node2"),
                    "alice back in g through node2");
                bob.awaitView(v -> v.members.equals(List.of("#alice#node2", "#bob#node2")), "alice moved to node2");
                assertTrue(alice.errors.stream().anyMatch(e -> e.startsWith("SHUTDOWN: server node1 is draining")),
                    alice.errors.toString());
            }
        }
    }

    /** Connect until the shuffled server list put the member on the node its id names (bounded). */
    private static TestMember connectTo(final String memberId, final ClientConfig config) throws Exception
    {
        for (int attempt = 0; attempt < 40; attempt++)
        {
            final TestMember member = TestMember.connect(config.name(), config);
            if (member.client.memberId().equals(memberId))
            {
                return member;
            }
            member.close();
        }
        throw new AssertionError(memberId + ": 40 connects never reached that node");
    }
}
