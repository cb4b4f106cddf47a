package io.msgc.server;

import io.msgc.admin.CounterKind;
import io.msgc.admin.CountersFile;
import io.msgc.admin.CountersSnapshot;
import io.msgc.admin.EventLog;
import io.msgc.admin.EventLogTest;
import io.msgc.admin.ReloadResult;
import io.msgc.client.TestMember;
import io.msgc.conf.MsgcConfig;
import io.msgc.conf.Secret;
import io.msgc.conf.ServerConfig;
import io.msgc.wire.FrameType;
import io.msgc.wire.GroupOpFrame;
import io.msgc.wire.HelloFrame;
import io.msgc.wire.RawConnection;
import org.agrona.concurrent.errors.ErrorLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operator's view of in-JVM nodes: counters in the counters file, chunked admin answers, reload, fatal
 * errors, log levels that mean something, and a blocked log output that does not stall the loop.
 */
class OperationsTest
{
    @TempDir
    Path dir;

    private static CountersSnapshot counters(final MsgcServer server) throws Exception
    {
        try (CountersFile file = CountersFile.open(server.countersFile()))
        {
            return CountersSnapshot.read(file);
        }
    }

    private static int count(final String text, final String needle)
    {
        int n = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1))
        {
            n++;
        }
        return n;
    }

    @Test
    void trafficPeersAndClientsAreCountedInTheCountersFile() throws Exception
    {
        try (Cluster cluster = new Cluster(3).startAll())
        {
            Cluster.await("3-node mesh", 5000, cluster::fullMesh);
            try (TestMember alice = TestMember.connect("alice", cluster.address(3));
                TestMember bob = TestMember.connect("bob", cluster.address(1)))
            {
                alice.joinAndWait("orders");
                Cluster.await("node1 learns alice", 3000,
                    () -> Admin.request(cluster.address(1), "groups").contains("orders 1 [#alice#node3]"));
                for (int i = 0; i < 10; i++)
                {
                    bob.send(i, "orders");
                }
                alice.awaitMessages(10, 5000);
                Cluster.await("counters sampled", 3000, () ->
                {
                    try
                    {
                        return counters(cluster.server(3)).value(CounterKind.MESSAGES_OUT_CLIENT) == 10 &&
                            counters(cluster.server(1)).peerValue("node3", CounterKind.PEER_BYTES_OUT) > 0;
                    }
                    catch (final Exception ex)
                    {
                        throw new AssertionError(ex);
                    }
                });
                final CountersSnapshot one = counters(cluster.server(1));
                final CountersSnapshot three = counters(cluster.server(3));
                assertEquals(10, one.value(CounterKind.MESSAGES_IN_CLIENT));
                assertEquals(10, one.value(CounterKind.MESSAGES_OUT_PEER));
                assertTrue(one.value(CounterKind.BYTES_IN_CLIENT) >= 10 * 16, one.statText(0, ""));
                assertEquals(10, three.value(CounterKind.MESSAGES_IN_PEER));
                assertEquals(10, three.value(CounterKind.MESSAGES_OUT_CLIENT));
                assertEquals(1, one.value(CounterKind.CLIENTS_CONNECTED));
                assertEquals(1, one.value(CounterKind.CLIENTS_ACCEPTED));
                assertEquals(2, one.value(CounterKind.PEER_UPS));
                assertEquals(2, one.value(CounterKind.PEERS_UP));
                assertEquals(cluster.server(1).nodeViewId(), one.value(CounterKind.NODE_VIEW_ID));
                assertEquals("up", one.peerState("node2"));
                assertTrue(one.value(CounterKind.LOOP_MAX_TURN_NS) > 0);
                assertTrue(one.meshComplete());
                // the admin answer agrees, under the names it always had
                assertTrue(AdminAccess.stats(cluster.address(1)).contains("messages-from-clients 10\n"));
            }
            final long viewChanges = counters(cluster.server(1)).value(CounterKind.NODE_VIEW_CHANGES);
            cluster.stop(2);
            Cluster.await("node2 down in node1's counters", 3000, () ->
            {
                try
                {
                    final CountersSnapshot one = counters(cluster.server(1));
                    return "down".equals(one.peerState("node2")) && one.value(CounterKind.PEER_DOWNS) == 1 &&
                        one.peerValue("node2", CounterKind.PEER_LINK_DOWNS) == 1 && !one.meshComplete() &&
                        one.value(CounterKind.NODE_VIEW_CHANGES) > viewChanges &&
                        one.value(CounterKind.NODE_VIEW_ID) == cluster.server(1).nodeViewId();
                }
                catch (final Exception ex)
                {
                    throw new AssertionError(ex);
                }
            });
            final Path file = cluster.server(1).countersFile();
            cluster.stop(1);
            assertFalse(Files.exists(file), "a clean stop removes the counters file");
        }
    }

    @Test
    void anAdminAnswerLargerThanTheClientLimitArrivesWholeInFramesOfMaxFrameSize() throws Exception
    {
        // before: the answer was one frame, offered against client_outbound_limit, and silently dropped
        try (Cluster cluster = new Cluster(1, b -> b.maxFrameSize(1024).clientOutboundLimit(65536)
            .maxGroupsPerClient(10_000)).startAll())
        {
            final List<String> groups = new ArrayList<>();
            try (RawConnection member = new RawConnection(cluster.address(1)))
            {
                member.hello(HelloFrame.ROLE_CLIENT, "alice");
                member.readType(FrameType.WELCOME, 2000);
                for (int i = 0; i < 700; i++)
                {
                    final String group = "group-" + i + "-" + "x".repeat(100);
                    groups.add(group);
                    member.send(GroupOpFrame.encode(member.buffer, 0, FrameType.JOIN, i, group));
                    member.readType(FrameType.MEMBERSHIP, 2000);
                }
                final String answer = Admin.request(cluster.address(1), "groups");
                assertTrue(answer.length() > 65536, "the answer is over client_outbound_limit: " + answer.length());
                assertTrue(answer.startsWith("node node1 groups 700\n"), answer.substring(0, 100));
                for (final String group : groups)
                {
                    assertTrue(answer.contains(group + " 1 [#alice#node1]\n"), group);
                }
            }
        }
    }

    @Test
    void reloadAppliesLogSettingsLiveAndNamesTheRestNeedsRestart() throws Exception
    {
        try (Cluster cluster = new Cluster(2).startAll())
        {
            Cluster.await("mesh", 5000, cluster::fullMesh);
            final MsgcServer node1 = cluster.server(1);
            final ServerConfig.Builder next = ServerConfig.builder().heartbeatIntervalMs(100).peerTimeoutMs(900)
                .reconnectInitialMs(50).reconnectInterval(1).debugLevel("info");
            for (int i = 1; i <= 2; i++)
            {
                next.peer("node" + i, cluster.host(i), cluster.port());
            }
            final ReloadResult result = node1.reload(MsgcConfig.of(next.build(), MsgcConfig.parse("e", "").listener()));
            assertTrue(result.ok(), result.text());
            assertEquals(List.of(new ReloadResult.Change("msgc_server.debug_level", "ERROR", "INFO")),
                result.applied());
            assertEquals(List.of(new ReloadResult.Change("msgc_server.peer_timeout_ms", "600", "900")),
                result.needsRestart());
            try (TestMember carol = TestMember.connect("carol", cluster.address(1)))
            {
                Cluster.await("INFO lines now shown", 3000,
                    () -> cluster.logs().contains("INFO node1 client-connected member=#carol#node1"));
            }
            final String logs = cluster.logs();
            assertTrue(logs.contains("NOTICE node1 reload-applied option=msgc_server.debug_level old=\"ERROR\" " +
                "new=\"INFO\""), logs);
            assertTrue(logs.contains("WARNING node1 reload-needs-restart option=msgc_server.peer_timeout_ms " +
                "running=\"600\" new=\"900\""), logs);

            // a peers list whose common part changed (node2 moved) cannot run: named as needing a restart
            final ServerConfig.Builder moved = ServerConfig.builder().heartbeatIntervalMs(100).peerTimeoutMs(600)
                .reconnectInitialMs(50).reconnectInterval(1).debugLevel("info")
                .peer("node1", cluster.host(1), cluster.port())
                .peer("node9", Loopback.block() + "9", cluster.port())
                .peer("node2", cluster.host(2), cluster.port());
            final ReloadResult reordered =
                node1.reload(MsgcConfig.of(moved.build(), MsgcConfig.parse("e", "").listener()));
            assertTrue(reordered.ok(), reordered.text());
            assertTrue(reordered.applied().isEmpty(), reordered.text());
            assertEquals("msgc_server.peers", reordered.needsRestart().get(0).option());
            assertTrue(cluster.logs().contains("WARNING node1 reload-peers-refused reason=\"the new peers list " +
                "changes entry 2 of the running one; while the cluster runs, nodes may only be appended to the end " +
                "of the list or dropped from its end"), cluster.logs());
            assertTrue(cluster.fullMesh());

            // a configuration without this node changes nothing
            final ServerConfig other = ServerConfig.builder().peer("nodex", "127.0.0.1", 4809).build();
            final ReloadResult refused = node1.reload(MsgcConfig.of(other, MsgcConfig.parse("e", "").listener()));
            assertFalse(refused.ok());
            assertTrue(refused.errors().get(0).startsWith("node node1 is not in the new peers list"), refused.text());
            // an embedded node has no file for the admin command to re-read
            assertTrue(Admin.request(cluster.address(1), "reload").startsWith("error: node node1 runs without a " +
                "config file"));
        }
    }

    @Test
    void aFatalErrorOnTheLoopStopsTheNodeAndIsRecorded() throws Exception
    {
        final String host = Loopback.block() + "1";
        final ServerConfig config = ServerConfig.builder().peer("node1", host, Loopback.freePort(host))
            .countersFile(dir.resolve("%n.counters").toString()).build();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final EventLog log = new EventLog("node1", new PrintStream(bytes, true), "NOTICE");
        System.setProperty(ServerAgent.INJECT_FATAL_PROPERTY, "200");
        final MsgcServer server;
        try
        {
            server = MsgcServer.start(config, MsgcConfig.parse("e", "").listener(), "node1", log);
        }
        finally
        {
            System.clearProperty(ServerAgent.INJECT_FATAL_PROPERTY);
        }
        try
        {
            final Throwable cause = server.terminated().get(10, TimeUnit.SECONDS);
            assertTrue(cause instanceof Error && cause.getMessage().startsWith("injected fatal error"), "" + cause);
            log.flush(2000);
            assertTrue(bytes.toString().contains("CRITICAL node1 fatal-error exception=\"java.lang.Error: injected " +
                "fatal error"), bytes.toString());
            assertTrue(bytes.toString().contains("at io.msgc.server.ServerAgent"), bytes.toString());
            assertEquals(dir.resolve("node1.counters"), server.countersFile());
            try (CountersFile file = CountersFile.open(server.countersFile()))
            {
                final List<String> traces = new ArrayList<>();
                ErrorLogReader.read(file.errorLogBuffer(), (count, first, last, trace) -> traces.add(trace));
                assertEquals(1, traces.size());
                assertTrue(traces.get(0).startsWith("java.lang.Error: injected fatal error"), traces.get(0));
            }
        }
        finally
        {
            server.close();
            log.close();
        }
        assertTrue(Files.exists(dir.resolve("node1.counters")), "kept after a fatal error, for msgc errors");
    }

    @Test
    void aCleanStartLogsNoWarningAndAnUnreachablePeerWarnsOnce() throws Exception
    {
        // simultaneous dials on start: one link wins, the other is refused or closed: not a WARNING; with a
        // secret (odd rounds) not even the one that says nobody authenticates
        for (int round = 0; round < 4; round++)
        {
            final boolean secret = round % 2 == 1;
            try (Cluster cluster = new Cluster(2, b -> secret ? b.authSecret(Secret.of("operations-test-secret")) : b))
            {
                final Thread t = new Thread(() -> cluster.start(2));
                t.start();
                cluster.start(1);
                t.join();
                Cluster.await("2-node mesh", 5000, cluster::fullMesh);
                Thread.sleep(200);
                final String logs = cluster.logs();
                assertEquals(secret ? 0 : 2, count(logs, " auth-disabled "), logs);
                assertEquals(0, count(logs, " WARNING ") - count(logs, " auth-disabled "), logs);
            }
        }

        // node2 never starts: node1 warns once (after reconnect_interval: a peer starting at the same time is
        // normal), then tells only at INFO, with the attempt count
        final String prefix = Loopback.block();
        final int port = Loopback.freePort(prefix + "1");
        final ServerConfig config = ServerConfig.builder().peer("node1", prefix + "1", port)
            .peer("node2", prefix + "2", port).reconnectInitialMs(20).reconnectInterval(1)
            .authSecret(Secret.of("operations-test-secret")).build();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final EventLog log = new EventLog("node1", new PrintStream(bytes, true), "INFO");
        try (MsgcServer node1 = MsgcServer.start(config, MsgcConfig.parse("e", "").listener(), "node1", log))
        {
            Cluster.await("the warning and three more failed dials", 8000, () ->
            {
                log.flush(1000);
                final String text = bytes.toString();
                final int warned = text.indexOf("peer-unreachable");
                return warned > 0 && count(text.substring(warned), "peer-dial-failed node=node2") >= 3;
            });
        }
        log.close();
        final String text = bytes.toString();
        assertEquals(1, count(text, " WARNING "), text);
        assertTrue(text.contains("WARNING node1 peer-unreachable node=node2 addr=" + prefix + "2:" + port +
            " attempts="), text);
        final Matcher attempts = Pattern.compile("node1 peer-(dial-failed|unreachable) node=node2 .* attempts=(\\d+) ")
            .matcher(text);
        int last = 0;
        while (attempts.find())
        {
            final int attempt = Integer.parseInt(attempts.group(2));
            assertEquals(last + 1, attempt, text);
            last = attempt;
        }
        assertTrue(last >= 5, text);
    }

    @Test
    void aBlockedLogOutputDoesNotStallTheLoop() throws Exception
    {
        final EventLogTest.BlockingOutput output = new EventLogTest.BlockingOutput();
        final EventLog blocked = new EventLog("node1", new PrintStream(output, false), "INFO", 16 * 1024);
        final String prefix = Loopback.block();
        final int port = Loopback.freePort(prefix + "1");
        final ServerConfig config = ServerConfig.builder().peer("node1", prefix + "1", port)
            .peer("node2", prefix + "2", port).heartbeatIntervalMs(50).peerTimeoutMs(400).debugLevel("info").build();
        final ByteArrayOutputStream node2Bytes = new ByteArrayOutputStream();
        final EventLog node2Log = new EventLog("node2", new PrintStream(node2Bytes, true), "NOTICE");
        final List<RawConnection> clients = new ArrayList<>();
        try (MsgcServer node1 = MsgcServer.start(config, MsgcConfig.parse("e", "").listener(), "node1", blocked);
            MsgcServer node2 = MsgcServer.start(config, MsgcConfig.parse("e", "").listener(), "node2", node2Log))
        {
            assertTrue(output.blocked.await(5, TimeUnit.SECONDS), "node1's log output is blocked from its first line");
            Cluster.await("mesh while node1's log is blocked", 5000,
                () -> node1.reachableNodes() == 3 && node2.reachableNodes() == 3);
            // each client logs two INFO lines at node1: 300 clients overflow its 16 KiB ring several times
            for (int i = 0; i < 300; i++)
            {
                final RawConnection client = new RawConnection(new InetSocketAddress(prefix + "1", port));
                clients.add(client);
                client.hello(HelloFrame.ROLE_CLIENT, "c" + i);
                client.readType(FrameType.WELCOME, 2000);
            }
            // heartbeats kept flowing: several peer timeouts later the link never went down
            Thread.sleep(1200);
            assertTrue(node1.reachableNodes() == 3 && node2.reachableNodes() == 3);
            node2Log.flush(1000);
            assertFalse(node2Bytes.toString().contains("peer-down"), node2Bytes.toString());
            final String stats = Admin.request(new InetSocketAddress(prefix + "1", port), "stats");
            assertTrue(stats.contains("clients-connected 300\n"), stats);
            assertTrue(blocked.droppedTotal() > 0);
            Cluster.await("dropped lines in the counters file", 2000, () ->
            {
                try
                {
                    return counters(node1).value(CounterKind.LOG_LINES_DROPPED) == blocked.droppedTotal();
                }
                catch (final Exception ex)
                {
                    throw new AssertionError(ex);
                }
            });

            output.release.countDown();
            assertTrue(blocked.flush(5000));
            assertTrue(output.text().contains("WARNING node1 log-dropped lines="), output.text());
        }
        finally
        {
            output.release.countDown();
            for (final RawConnection client : clients)
            {
                client.close();
            }
            blocked.close();
            node2Log.close();
        }
    }
}
