package io.msgc.client;

import io.msgc.conf.ClientConfig;
import io.msgc.server.Cluster;
import io.msgc.wire.DataFrame;
import io.msgc.wire.ServiceType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One frame-size contract for every reader: a frame of exactly {@code max_frame_size} crosses every peer link
 * (dialled or accepted) without breaking it, and a client whose own {@code max_frame_size} is smaller than the
 * server's still receives every frame the server may send.
 */
class FrameSizeContractTest
{
    private static final int MAX_FRAME = 8192;

    private Cluster cluster;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void start()
    {
        cluster = new Cluster(3, b -> b.maxFrameSize(MAX_FRAME)).startAll();
        Cluster.await("3-node mesh", 5000, cluster::fullMesh);
    }

    @AfterEach
    void stop() throws Exception
    {
        for (final AutoCloseable c : closeables)
        {
            c.close();
        }
        cluster.close();
    }

    private TestMember member(final String name, final int node, final int clientMaxFrame) throws Exception
    {
        final TestMember m = TestMember.connect(name, ClientConfig.builder()
            .server(cluster.host(node), cluster.port()).name(name).reconnect(false).connectTimeout(3)
            .maxFrameSize(clientMaxFrame).build());
        closeables.add(m);
        return m;
    }

    @Test
    void fullSizeFramesCrossEveryLinkInBothDirections() throws Exception
    {
        final TestMember[] members = new TestMember[3];
        for (int i = 0; i < 3; i++)
        {
            members[i] = member("m" + (i + 1), i + 1, MAX_FRAME);
            members[i].joinAndWait("big");
        }
        for (final TestMember m : members)
        {
            m.awaitView(v -> v.group.equals("big") && v.members.size() == 3, "all three in big");
        }
        final long viewId = cluster.server(1).nodeViewId();
        for (final TestMember sender : members)
        {
            final int overhead = DataFrame.length(sender.client.memberId().length(), new String[]{"big"}, 1, 0);
            sender.send(ServiceType.FIFO, 1, MAX_FRAME - overhead, "big");
        }
        for (final TestMember m : members)
        {
            m.awaitMessages(3, 5000);
            for (final TestMember.Received r : m.messages)
            {
                assertEquals(MAX_FRAME - DataFrame.length(r.sender.length(), new String[]{"big"}, 1, 0),
                    r.payload.length);
            }
            assertTrue(m.errors.isEmpty(), m.errors.toString());
        }
        assertTrue(cluster.fullMesh(), "no link broke");
        assertEquals(viewId, cluster.server(1).nodeViewId(), "no node view change");
    }

    @Test
    void aClientWithASmallerLimitReceivesEveryFrameTheServerMaySend() throws Exception
    {
        final TestMember small = member("small", 2, 1024);
        small.joinAndWait("big");
        final TestMember sender = member("sender", 1, MAX_FRAME);
        small.awaitView(v -> v.members.size() == 1, "own view");
        final int overhead = DataFrame.length(sender.client.memberId().length(), new String[]{"big"}, 1, 0);
        sender.send(ServiceType.FIFO, 1, MAX_FRAME - overhead, "big");
        small.awaitMessages(1, 5000);
        assertTrue(small.client.isConnected());
        assertTrue(small.events.isEmpty(), small.events.toString());
    }
}
