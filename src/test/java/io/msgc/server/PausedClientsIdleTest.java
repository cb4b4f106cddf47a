package io.msgc.server;

import io.msgc.client.TestMember;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import io.msgc.wire.HeartbeatFrame;
import io.msgc.wire.HelloFrame;
import io.msgc.wire.MemberSyncFrame;
import io.msgc.wire.ServiceType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9, defect 7: while a slow peer makes the server stop reading its clients, their idle time does not
 * grow, so they are not disconnected as idle when the pause outlasts {@code idle_timeout}.
 */
class PausedClientsIdleTest
{
    @Test
    void clientsPausedForPeerBackPressureAreNotCutAsIdle() throws Exception
    {
        // node1 is a fake peer that never reads; node2 is real, with a one-second idle_timeout for clients
        try (Cluster cluster = new Cluster(2, b -> b.idleTimeout(1).keepaliveInterval(1).tcpbufSize(65536)
            .peerTimeoutMs(10_000)))
        {
            cluster.start(2);
            final AtomicBoolean running = new AtomicBoolean(true);
            try (Socket fakePeer = new Socket())
            {
                fakePeer.setReceiveBufferSize(4096);
                fakePeer.connect(cluster.address(2), 2000);
                fakePeer.setSoTimeout(5000);
                final UnsafeBuffer out = new UnsafeBuffer(new byte[256]);
                final OutputStream peerOut = fakePeer.getOutputStream();
                peerOut.write(out.byteArray(), 0, HelloFrame.encode(out, 0, HelloFrame.ROLE_PEER, 7,
                    cluster.config().peersDigest(), "node1"));
                final DataInputStream peerIn = new DataInputStream(fakePeer.getInputStream());
                final byte[] header = new byte[FrameHeader.LENGTH];
                peerIn.readFully(header);
                assertEquals(FrameType.WELCOME, FrameHeader.type(new UnsafeBuffer(header), 0));
                // a member in group g on the fake node: node2 forwards g's messages to it
                int at = MemberSyncFrame.encode(out, 0, MemberSyncFrame.OP_RESET, 1 << 16, "", "");
                at += MemberSyncFrame.encode(out, at, MemberSyncFrame.OP_JOIN, 2 << 16, "g", "ghost");
                at += MemberSyncFrame.encode(out, at, MemberSyncFrame.OP_DONE, 3 << 16, "", "");
                peerOut.write(out.byteArray(), 0, at);
                // alive: heartbeats keep coming, but it never reads again
                final Thread heartbeats = new Thread(() ->
                {
                    final UnsafeBuffer hb = new UnsafeBuffer(new byte[HeartbeatFrame.LENGTH]);
                    HeartbeatFrame.encode(hb, 0, 0);
                    while (running.get())
                    {
                        try
                        {
                            peerOut.write(hb.byteArray());
                            Thread.sleep(50);
                        }
                        catch (final Exception ex)
                        {
                            return;
                        }
                    }
                });
                heartbeats.start();
                Cluster.await("node2 knows the ghost", 5000,
                    () -> Admin.request(cluster.address(2), "groups").contains("g 1 [#ghost#node1]"));

                try (TestMember alice = TestMember.connect("alice", cluster.address(2)))
                {
                    // about 10 MiB for the fake peer: more than the 8 MiB at which node2 stops reading clients
                    final int count = 170;
                    for (int i = 0; i < count; i++)
                    {
                        alice.send(ServiceType.RELIABLE, i, 60_000, "g");
                    }
                    Cluster.await("node2 reads alice until the link backs up", 5000, () -> stat(cluster, "messages-from-clients") > 100);
                    final long read = stat(cluster, "messages-from-clients");
                    // three idle_timeouts with alice's reads paused
                    Thread.sleep(3500);
                    assertTrue(stat(cluster, "messages-from-clients") < count,
                        "node2 stopped reading alice: it has read " + read + " of " + count);
                    assertTrue(alice.events.isEmpty(), "alice was cut: " + alice.events + " " + alice.errors);
                    assertTrue(alice.errors.isEmpty(), "alice got errors: " + alice.errors);
                    assertTrue(alice.client.isConnected());
                }
            }
            finally
            {
                running.set(false);
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
