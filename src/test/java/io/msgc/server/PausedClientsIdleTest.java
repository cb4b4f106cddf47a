package io.msgc.server;

import io.msgc.client.MsgcClient;
import io.msgc.client.TestMember;
import io.msgc.wire.ServiceType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9, defect 7: while a stopped peer makes the server stop reading its clients, their idle time does not
 * grow, so they are not disconnected as idle when the pause outlasts {@code idle_timeout}; once the peer resumes,
 * the server reads them again. (The member on the stopped node may then be cut as a slow consumer by its own
 * server: a catch-up burst is flow control's business, not this test's.)
 */
class PausedClientsIdleTest
{
    private static final int SIZE = 60_000;

    @Test
    void clientsPausedForPeerBackPressureAreNotCutAsIdle() throws Exception
    {
        // clients of node2 are cut after one idle second; node1 is stopped for longer than that, not for a peer timeout
        try (Cluster cluster = new Cluster(2, b -> b.idleTimeout(1).keepaliveInterval(1).peerTimeoutMs(30_000)))
        {
            cluster.startAll();
            Cluster.await("mesh", 10_000, cluster::fullMesh);
            try (TestMember ghost = TestMember.connect("ghost", cluster.address(1));
                TestMember alice = TestMember.connect("alice", cluster.address(2)))
            {
                ghost.joinAndWait("g");
                Cluster.await("node2 knows the ghost", 5000,
                    () -> Admin.request(cluster.address(2), "groups").contains("#ghost#node1"));
                cluster.server(1).faults().pause(true);

                // node2 keeps its stream for node1 until node1 processes it: past the stream's high-water mark,
                // it stops reading its clients
                final UnsafeBuffer payload = new UnsafeBuffer(new byte[SIZE]);
                // past node2's stream log, its window towards node1, socket buffers and alice's own send queue
                final int limit = (int)((2 * Membership.LOG_HIGH_WATER + Membership.STREAM_WINDOW + (64 << 20)) / SIZE);
                int sent = 0;
                long refusedSinceNs = 0;
                while (sent < limit)
                {
                    payload.putLong(0, sent);
                    if (alice.client.multicast(ServiceType.RELIABLE, 1, payload, 0, SIZE, "g") ==
                        MsgcClient.BACK_PRESSURED)
                    {
                        refusedSinceNs = refusedSinceNs == 0 ? System.nanoTime() : refusedSinceNs;
                        if (System.nanoTime() - refusedSinceNs > 500_000_000L)
                        {
                            break;
                        }
                        Thread.onSpinWait();
                        continue;
                    }
                    refusedSinceNs = 0;
                    sent++;
                }
                assertTrue(sent < limit, "node2 never pushed back: alice sent " + sent + " messages");
                final long read = stat(cluster, "messages-from-clients");
                // three idle_timeouts with alice's reads paused
                Thread.sleep(3500);
                assertTrue(stat(cluster, "messages-from-clients") < sent,
                    "node2 stopped reading alice: it has read " + read + " of " + sent);
                assertTrue(alice.events.isEmpty(), "alice was cut: " + alice.events + " " + alice.errors);
                assertTrue(alice.errors.isEmpty(), "alice got errors: " + alice.errors);
                assertTrue(alice.client.isConnected());

                cluster.server(1).faults().pause(false);
                final int expected = sent;
                Cluster.await("node2 reads the rest of alice's messages once node1 resumes", 30_000,
                    () -> stat(cluster, "messages-from-clients") == expected,
                    () -> stat(cluster, "messages-from-clients") + " of " + expected + "\n" + cluster.logs());
                assertTrue(alice.client.isConnected());
            }
        }
    }

    private static long stat(final Cluster cluster, final String name)
    {
        for (final String line : Admin.request(cluster.address(2), "stats").split("\n"))
        {
            if (line.startsWith(name + " "))
            {
                return Long.parseLong(line.substring(name.length() + 1).trim());
            }
        }
        throw new AssertionError("no stat " + name);
    }
}
