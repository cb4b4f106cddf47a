package io.msgc.server;

import io.msgc.admin.EventLog;
import io.msgc.admin.NodeCounters;
import io.msgc.conf.PeerConfig;
import io.msgc.conf.ServerConfig;
import io.msgc.io.Connection;
import io.msgc.io.Poller;
import io.msgc.io.SinkConnections;
import io.msgc.io.Timers;
import io.msgc.wire.DataFrame;
import io.msgc.wire.MemberSyncFrame;
import io.msgc.wire.NameRules;
import io.msgc.wire.ServiceType;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * Routing of one DATA message through the real {@link Router}: group lookup by the frame's bytes in a table of
 * 1 to 100,000 joined groups, then a copy into the write buffer of each of N local members and of each of M peer
 * links. The node is real ({@link PeerMesh}, {@link GroupService}, groups joined through {@code join} and
 * MEMBER_SYNC), its connections are real {@link Connection}s on unconnected sockets ({@link SinkConnections}):
 * every operation also drains them, as the loop's end-of-turn flush would, without the system call.
 * {@code fromClient}: a local member's message to the group; {@code fromPeer}: a peer's copy of a message, for
 * the local members; {@code toMember}: a local member's message to one member id (unicast).
 * Run with {@code -prof gc}: routing must allocate 0 B per operation and cost the same for 1 or 100,000 groups.
 * Every message goes to the same group, so its table slot stays in cache: flat cost here shows the lookup does
 * no work that grows with the table, not how a lookup behaves when the slot must come from memory.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouterBenchmark
{
    /** The group every benchmarked message goes to. */
    static final String TARGET = "orders";
    /** Payload of the routed message. */
    static final int PAYLOAD_SIZE = 64;

    /**
     * A node whose client sends one message to {@link #TARGET}, which N local members and members on M other
     * nodes have joined; the rest of the group table is filled with groups joined by one other local member.
     */
    @State(Scope.Thread)
    public static class FromClient
    {
        /** Groups in this node's table, {@link #TARGET} included. */
        @Param({"1", "1000", "100000"})
        int groups;

        /** Local members of the target group, the sender among them. */
        @Param({"1", "8"})
        int localMembers;

        /** Other nodes with a member in the target group: each gets one copy over its peer link. */
        @Param({"0", "2"})
        int remoteNodes;

        BenchNode node;

        /**
         * Build the node and check one routing does what it should.
         *
         * @throws IOException when a socket channel cannot be opened.
         */
        @Setup
        public void setup() throws IOException
        {
            node = new BenchNode(groups, localMembers, remoteNodes);
            node.checkFromClient(localMembers, remoteNodes);
        }

        /** Close the node's sockets and selector. */
        @TearDown
        public void tearDown()
        {
            node.close();
        }
    }

    /**
     * A node that receives, from the one peer that has a member in {@link #TARGET}, a message for its N local
     * members; the rest of the group table is filled as in {@link FromClient}.
     */
    @State(Scope.Thread)
    public static class FromPeer
    {
        /** Groups in this node's table, {@link #TARGET} included. */
        @Param({"1", "1000", "100000"})
        int groups;

        /** Local members of the target group. */
        @Param({"1", "8"})
        int localMembers;

        BenchNode node;

        /**
         * Build the node and check one delivery does what it should.
         *
         * @throws IOException when a socket channel cannot be opened.
         */
        @Setup
        public void setup() throws IOException
        {
            node = new BenchNode(groups, localMembers, 1);
            node.checkFromPeer(localMembers);
        }

        /** Close the node's sockets and selector. */
        @TearDown
        public void tearDown()
        {
            node.close();
        }
    }

    /**
     * A node where member {@code m0} sends to one member id instead of a group: {@code #m1#node0} on this node
     * (a lookup in the session table) or {@code #r1#node1} on the one other node (the node index is found from
     * the id's bytes, the frame is forwarded once). The group table holds 1,000 groups.
     */
    @State(Scope.Thread)
    public static class ToMember
    {
        /** {@code local} or {@code remote}. */
        @Param({"local", "remote"})
        String member;

        BenchNode node;
        final UnsafeBuffer frame = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));
        int frameLength;

        /**
         * Build the node and check one routing does what it should.
         *
         * @throws IOException when a socket channel cannot be opened.
         */
        @Setup
        public void setup() throws IOException
        {
            node = new BenchNode(1000, 2, 1);
            final boolean local = "local".equals(member);
            frameLength = BenchNode.encode(frame, "", local ? "#m1#node0" : "#r1#node1");
            node.checkFromClient(frame, frameLength, local ? 1 : 0, local ? 0 : 1);
        }

        /** Close the node's sockets and selector. */
        @TearDown
        public void tearDown()
        {
            node.close();
        }
    }

    /**
     * A DATA frame from a local member: stamp the sender, deliver to N local members, forward to M nodes.
     *
     * @param state the node.
     * @return deliveries so far, consumed so the work is not eliminated.
     */
    @Benchmark
    public long fromClient(final FromClient state)
    {
        final BenchNode node = state.node;
        final String error = node.router.fromClient(node.sender, node.clientFrame, 0, node.clientFrameLength);
        node.drain();
        return error == null ? node.counters.messagesOutClient.get() : -1;
    }

    /**
     * A DATA frame from a local member to one member id: find the member or its node, deliver or forward once.
     *
     * @param state the node.
     * @return deliveries plus forwards so far, consumed so the work is not eliminated.
     */
    @Benchmark
    public long toMember(final ToMember state)
    {
        final BenchNode node = state.node;
        final String error = node.router.fromClient(node.sender, state.frame, 0, state.frameLength);
        node.drain();
        return error == null ? node.counters.messagesOutClient.get() + node.counters.messagesOutPeer.get() : -1;
    }

    /**
     * A DATA frame forwarded by a peer: deliver the bytes unchanged to N local members.
     *
     * @param state the node.
     * @return deliveries so far, consumed so the work is not eliminated.
     */
    @Benchmark
    public long fromPeer(final FromPeer state)
    {
        final BenchNode node = state.node;
        final String error = node.router.fromPeer(node.peerFrame, 0, node.peerFrameLength);
        node.drain();
        return error == null ? node.counters.messagesOutClient.get() : -1;
    }

    /**
     * One server node wired like {@code ServerAgent} wires it (mesh, group service, router), without its
     * event loop: peer links are set up by hand and every connection is a {@link SinkConnections} sink.
     */
    static final class BenchNode
    {
        final NodeCounters counters = NodeCounters.inMemory();
        final Poller poller;
        final PeerMesh mesh;
        final GroupService groupService;
        final Router router;
        final ClientSession sender;
        final UnsafeBuffer clientFrame = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));
        final UnsafeBuffer peerFrame = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));
        final int clientFrameLength;
        final int peerFrameLength;
        private final Connection[] sinks;
        private int sinkCount;

        BenchNode(final int groups, final int localMembers, final int remoteNodes) throws IOException
        {
            final ServerConfig.Builder builder = ServerConfig.builder().maxGroupsPerClient(Math.max(groups, 1));
            for (int i = 0; i <= remoteNodes; i++)
            {
                builder.peer("node" + i, "127.0.0.1", 4809 + i);
            }
            final ServerConfig config = builder.build();
            final PeerConfig self = config.peer("node0");
            // NOTICE and above only: the per-join INFO lines would cost setup time and go nowhere anyway
            final EventLog log = new EventLog("node0", new PrintStream(OutputStream.nullOutputStream()), "notice");
            poller = new Poller();
            sinks = new Connection[localMembers + remoteNodes + 1];
            // the mesh's frame handler serves dials only, and this mesh never dials (start() is not called)
            mesh = new PeerMesh(config, self, 1L, poller, new Timers(), log, new LinkFaults(), null);
            groupService = new GroupService(config, self, mesh, log, (session, buffer, offset, length) ->
            {
                if (!session.connection.offer(buffer, offset, length))
                {
                    throw new IllegalStateException("membership frame did not fit: " + session.memberId);
                }
            });
            mesh.listener(groupService);
            router = new Router(self.index(), config.maxFrameSize(), mesh, groupService, counters, session ->
            {
                throw new IllegalStateException("slow consumer in a benchmark: " + session.memberId);
            });

            for (int i = 1; i <= remoteNodes; i++)
            {
                final PeerLink link = mesh.link(i);
                link.link = sink(PeerMesh.PEER_WRITE_LIMIT);
                link.link.attachment(link);
                link.state = PeerLink.State.UP;
            }

            ClientSession first = null;
            for (int i = 0; i < localMembers; i++)
            {
                final ClientSession member = session("m" + i, config.clientOutboundLimit());
                join(member, TARGET);
                first = first == null ? member : first;
            }
            sender = first;
            final UnsafeBuffer sync = new UnsafeBuffer(new byte[512]);
            for (int i = 1; i <= remoteNodes; i++)
            {
                final int length = MemberSyncFrame.encode(
                    sync, 0, MemberSyncFrame.OP_JOIN, (1L << 16) | i, TARGET, "r" + i);
                groupService.onPeerFrame(mesh.link(i), sync, 0, length);
                drain();
            }
            if (groups > 1)
            {
                final ClientSession filler = session("filler", config.clientOutboundLimit());
                for (int g = 1; g < groups; g++)
                {
                    join(filler, "g." + g);
                }
            }
            if (groupService.groups().size() != groups)
            {
                throw new IllegalStateException(groupService.groups().size() + " groups, expected " + groups);
            }

            clientFrameLength = encode(clientFrame, "", TARGET);
            peerFrameLength = encode(peerFrame, NameRules.memberId("r1", "node1"), TARGET);
        }

        /** A FIFO DATA frame of {@link #PAYLOAD_SIZE} bytes to one destination; sender "" as a client sends it. */
        static int encode(final UnsafeBuffer buffer, final String sender, final String destination)
        {
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD_SIZE]);
            return DataFrame.encode(
                buffer, 0, ServiceType.FIFO, 7, sender, new String[]{destination}, 1, payload, 0, PAYLOAD_SIZE);
        }

        private Connection sink(final int writeLimit) throws IOException
        {
            final Connection connection = SinkConnections.open(poller, writeLimit);
            sinks[sinkCount++] = connection;
            return connection;
        }

        private ClientSession session(final String name, final int writeLimit) throws IOException
        {
            final Connection connection = sink(writeLimit);
            final ClientSession session = new ClientSession(name, NameRules.memberId(name, "node0"), connection, 0);
            connection.attachment(session);
            groupService.addSession(session);
            return session;
        }

        private void join(final ClientSession session, final String group)
        {
            final String error = groupService.join(session, group);
            if (error != null)
            {
                throw new IllegalStateException(error);
            }
            drain();
        }

        /** Drop what routing queued, as the end-of-turn flush would after writing it. */
        void drain()
        {
            SinkConnections.drain(poller, sinks, sinkCount);
        }

        void checkFromClient(final int localMembers, final int remoteNodes)
        {
            checkFromClient(clientFrame, clientFrameLength, localMembers, remoteNodes);
        }

        void checkFromClient(final UnsafeBuffer frame, final int frameLength, final int localMembers,
            final int remoteNodes)
        {
            final long deliveries = counters.messagesOutClient.get();
            final long forwards = counters.messagesOutPeer.get();
            final int pending = pendingBytes();
            final String error = router.fromClient(sender, frame, 0, frameLength);
            final int routedLength = frameLength + sender.memberIdBytes.length;
            check(error, counters.messagesOutClient.get() - deliveries, localMembers,
                counters.messagesOutPeer.get() - forwards, remoteNodes, pendingBytes() - pending,
                (localMembers + remoteNodes) * routedLength);
        }

        void checkFromPeer(final int localMembers)
        {
            final long deliveries = counters.messagesOutClient.get();
            final long forwards = counters.messagesOutPeer.get();
            final int pending = pendingBytes();
            final String error = router.fromPeer(peerFrame, 0, peerFrameLength);
            check(error, counters.messagesOutClient.get() - deliveries, localMembers,
                counters.messagesOutPeer.get() - forwards, 0, pendingBytes() - pending, localMembers * peerFrameLength);
        }

        private void check(
            final String error,
            final long deliveries,
            final int expectedDeliveries,
            final long forwards,
            final int expectedForwards,
            final int bytes,
            final int expectedBytes)
        {
            if (error != null || deliveries != expectedDeliveries || forwards != expectedForwards ||
                bytes != expectedBytes)
            {
                throw new IllegalStateException("routing check failed: error=" + error + " deliveries=" + deliveries +
                    "/" + expectedDeliveries + " forwards=" + forwards + "/" + expectedForwards + " bytes=" + bytes +
                    "/" + expectedBytes);
            }
            drain();
        }

        private int pendingBytes()
        {
            int pending = 0;
            for (int i = 0; i < sinkCount; i++)
            {
                pending += sinks[i].pendingBytes();
            }
            return pending;
        }

        void close()
        {
            drain();
            poller.close();
        }
    }
}
