package io.msgc.server;

import io.msgc.admin.EventLog;
import io.msgc.conf.MsgcConfig;
import io.msgc.conf.ServerConfig;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import io.msgc.wire.LinkStateFrame;
import io.msgc.wire.HelloFrame;
import io.msgc.wire.RawConnection;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The peer mesh on loopback: formation, failure detection, healing, partitions, refusals, fake peers.
 */
class PeerMeshTest
{
    @Test
    void threeNodesFormAFullMesh()
    {
        try (Cluster cluster = new Cluster(3).startAll())
        {
            Cluster.await("3-node mesh", 5000, cluster::fullMesh);
            final String peers = Admin.request(cluster.address(2), "peers");
            assertTrue(peers.matches("(?s).*node1\\s+up\\s.*"), peers);
            assertTrue(peers.matches("(?s).*node3\\s+up\\s.*"), peers);
        }
    }

    @Test
    void fiveNodesFormAFullMesh()
    {
        try (Cluster cluster = new Cluster(5).startAll())
        {
            Cluster.await("5-node mesh", 5000, cluster::fullMesh);
        }
    }

    @Test
    void sixteenNodesFormAFullMeshWithinSeconds()
    {
        try (Cluster cluster = new Cluster(16, b -> b.peerTimeoutMs(2000)).startAll())
        {
            Cluster.await("16-node mesh", 8000, cluster::fullMesh, () -> SimNetwork.tail(cluster.logs(), 6000));
            // one link per pair: 15 peer-up lines per node, no flapping
            final String logs = cluster.logs();
            assertEquals(16 * 15, count(logs, " peer-up "), logs);
        }
    }

    @Test
    void simultaneousDialsEndInExactlyOneLinkDialledByTheFirstNode() throws Exception
    {
        for (int round = 0; round < 5; round++)
        {
            try (Cluster cluster = new Cluster(2))
            {
                // start both at once so that both dial before either accepts
                final Thread t = new Thread(() -> cluster.start(2));
                t.start();
                cluster.start(1);
                t.join();
                Cluster.await("2-node mesh", 5000, cluster::fullMesh);
                Thread.sleep(300);
                final String logs = cluster.logs();
                assertEquals(2, count(logs, " peer-up "), logs);
                assertEquals(0, count(logs, " peer-down "), logs);
                assertTrue(cluster.fullMesh());
                // whichever dial won, both sides agree on who dialled the surviving link
                final Matcher m = Pattern.compile("peer-up .* dialled-by=(node\\d)").matcher(logs);
                assertTrue(m.find());
                final String first = m.group(1);
                assertTrue(m.find());
                assertEquals(first, m.group(1), logs);
            }
        }
    }

    @Test
    void killedNodeIsSeenDownAndHealsOnRestartWithInterestResent() throws Exception
    {
        try (Cluster cluster = new Cluster(3).startAll())
        {
            Cluster.await("3-node mesh", 5000, cluster::fullMesh);
            try (RawConnection member = new RawConnection(cluster.address(1)))
            {
                member.hello(HelloFrame.ROLE_CLIENT, "alice");
                member.readType(FrameType.WELCOME, 2000);
                member.send(io.msgc.wire.GroupOpFrame.encode(member.buffer, 0, FrameType.JOIN, 0, "orders"));
                member.readType(FrameType.MEMBERSHIP, 2000);
                Cluster.await("node3 learns alice", 3000,
                    () -> Admin.request(cluster.address(3), "groups").contains("orders 1 [#alice#node1]"));

                final long before = cluster.server(1).nodeViewId();
                cluster.stop(3);
                // detection: at once on socket close, at the latest after peer_timeout_ms
                Cluster.await("node3 down at node1 and node2", 3000,
                    () -> cluster.sees(1, 1, 2) && cluster.sees(2, 1, 2));
                assertTrue(cluster.server(1).nodeViewId() > before);

                cluster.start(3);
                Cluster.await("mesh healed", 5000, cluster::fullMesh);
                // the restarted node is a new incarnation and got node1's member state again
                Cluster.await("node3 relearns alice", 3000,
                    () -> Admin.request(cluster.address(3), "groups").contains("orders 1 [#alice#node1]"));
                assertTrue(cluster.logs().contains("restarted=yes"), cluster.logs());
            }
        }
    }

    @Test
    void partitionSplitsBothSidesAndHealingMerges()
    {
        try (Cluster cluster = new Cluster(3).startAll())
        {
            Cluster.await("3-node mesh", 5000, cluster::fullMesh);
            cluster.server(1).faults().partition(2);
            cluster.server(2).faults().partition(2);
            cluster.server(3).faults().partition(0, 1);
            Cluster.await("split {1,2} | {3}", 4000,
                () -> cluster.sees(1, 1, 2) && cluster.sees(2, 1, 2) && cluster.sees(3, 3));
            for (int i = 1; i <= 3; i++)
            {
                cluster.server(i).faults().heal();
            }
            Cluster.await("merged", 5000, cluster::fullMesh);
        }
    }

    @Test
    void nodeWithDifferentPeersListIsRefusedWithAClearReason() throws Exception
    {
        try (Cluster cluster = new Cluster(2))
        {
            cluster.start(1);
            // node2 runs with a peers list that has another node where node1's list has node2
            final ServerConfig other = ServerConfig.builder()
                .peer("node1", cluster.host(1), cluster.port())
                .peer("node9", cluster.host(2), cluster.port() + 1)
                .peer("node2", cluster.host(2), cluster.port())
                .reconnectInitialMs(50).reconnectInterval(1).build();
            final ByteArrayOutputStream otherLog = new ByteArrayOutputStream();
            try (MsgcServer node2 = MsgcServer.start(other, MsgcConfig.parse("x.conf", "").listener(), "node2",
                new EventLog("node2", new PrintStream(otherLog, true), "NOTICE")))
            {
                Cluster.await("refusal logged on both sides", 5000,
                    () -> cluster.logs().contains("code=CONFIG_MISMATCH") &&
                        otherLog.toString().contains("peer-refused node=node1 code=CONFIG_MISMATCH"));
                assertTrue(otherLog.toString().contains("reason=\"peers lists differ at entry 2 (node1 has node2=" +
                    cluster.host(2) + ":" + cluster.port() + "); nodes may only be appended to the end of the list " +
                    "or dropped from its end while the cluster runs"), otherLog.toString());
                assertTrue(cluster.sees(1, 1));
                assertEquals(1L << 2, node2.reachableNodes());
                final String peers = Admin.request(cluster.address(2), "peers");
                assertTrue(peers.contains("refused"), peers);
            }
        }
    }

    @Test
    void listsThatDifferOnlyByNodesAtTheEndLinkUp() throws Exception
    {
        try (Cluster cluster = new Cluster(2))
        {
            cluster.start(1);
            // node2 already has node3 appended (a rolling change of the list): the common part is the same
            final ServerConfig longer = ServerConfig.builder()
                .peer("node1", cluster.host(1), cluster.port())
                .peer("node2", cluster.host(2), cluster.port())
                .peer("node3", Loopback.block() + "3", cluster.port())
                .reconnectInitialMs(50).reconnectInterval(1).build();
            try (MsgcServer node2 = MsgcServer.start(longer, MsgcConfig.parse("x.conf", "").listener(), "node2",
                new EventLog("node2", new PrintStream(new ByteArrayOutputStream(), true), "NOTICE")))
            {
                Cluster.await("node1 and node2 linked and in one view", 5000,
                    () -> cluster.sees(1, 1, 2) && node2.reachableNodes() == 0b11);
                assertFalse(cluster.logs().contains("CONFIG_MISMATCH"), cluster.logs());
            }
        }
    }

    @Test
    void fakePeersLeaveTheRealMeshUntouched() throws Exception
    {
        try (Cluster cluster = new Cluster(2, b -> b.connectTimeout(1)).startAll())
        {
            Cluster.await("mesh", 5000, cluster::fullMesh);
            final long viewId = cluster.server(1).nodeViewId();
            // garbage
            try (RawConnection c = new RawConnection(cluster.address(1)))
            {
                c.sendBytes(new byte[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
                assertTrue(c.closedByPeer(2000));
            }
            // wrong version
            try (RawConnection c = new RawConnection(cluster.address(1)))
            {
                final int length = HelloFrame.encode(c.buffer, 0, HelloFrame.ROLE_PEER, 1,
                    cluster.config().peersDigest(), "node2");
                c.buffer.putByte(FrameHeader.VERSION_OFFSET, (byte)(FrameHeader.VERSION + 1));
                c.send(length);
                assertTrue(RawConnection.reason(c.readType(FrameType.REJECT, 2000)).startsWith("BAD_VERSION"));
            }
            // slow handshake: says nothing
            try (RawConnection c = new RawConnection(cluster.address(1)))
            {
                assertTrue(RawConnection.reason(c.readType(FrameType.REJECT, 4000)).startsWith("TIMEOUT"));
            }
            // duplicate name: poses as node2, which is up, from node2's own address
            try (RawConnection c = new RawConnection(cluster.address(1), new InetSocketAddress(cluster.host(2), 0)))
            {
                c.send(HelloFrame.encode(c.buffer, 0, HelloFrame.ROLE_PEER, 1, cluster.config().peersDigest(), "node2"));
                final String reason = RawConnection.reason(c.readType(FrameType.REJECT, 2000));
                assertTrue(reason.startsWith("DUPLICATE_LINK: node node2 is already connected to node1"), reason);
            }
            assertEquals(viewId, cluster.server(1).nodeViewId());
            assertTrue(cluster.fullMesh());
            assertEquals(0, count(cluster.logs(), " peer-down "), cluster.logs());
        }
    }

    @Test
    void idleLinksCarryHeartbeatsOnly() throws Exception
    {
        try (Cluster cluster = new Cluster(2, b -> b.heartbeatIntervalMs(100)).startAll())
        {
            Cluster.await("mesh", 5000, cluster::fullMesh);
            Thread.sleep(300);
            final long before = Admin.linkBytes(cluster.address(1), "node2");
            final long start = System.nanoTime();
            Thread.sleep(1000);
            final long after = Admin.linkBytes(cluster.address(1), "node2");
            final long elapsedMs = (System.nanoTime() - start) / 1_000_000;
            final long delta = after - before;
            // both directions, one LINK_STATE per interval each, nothing else
            final int heartbeat = LinkStateFrame.length(2);
            assertEquals(0, delta % heartbeat, "bytes are whole LINK_STATE frames: " + delta);
            final long maxHeartbeats = 2 * (elapsedMs / 100 + 3);
            assertTrue(delta <= maxHeartbeats * heartbeat, delta + " bytes in " + elapsedMs + " ms");
            assertTrue(delta >= 2 * heartbeat, "heartbeats flow: " + delta);
        }
    }

    private static int count(final String text, final String needle)
    {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1))
        {
            n++;
        }
        return n;
    }

}
