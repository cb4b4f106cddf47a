package io.msgc.server;

import io.msgc.io.Connection;
import io.msgc.io.SinkConnections;
import io.msgc.wire.DataFrame;
import io.msgc.wire.NameRules;
import io.msgc.wire.ServiceType;
import io.msgc.wire.StreamFrame;
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
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * One DATA message through a real node's whole path: the {@link Router}'s group lookup by the frame's bytes in a
 * table of 1 to 100,000 groups, the {@link Membership}'s stream (the node's log, or its copy of a peer's stream),
 * and a copy into the write buffer of each of N local members and of each of M peer links. The nodes are real
 * engines that formed a real view and installed real joins ({@link BenchCluster}); the benchmarked node's
 * connections are real {@link Connection}s on unconnected sockets ({@link SinkConnections}), drained every
 * operation as the loop's end-of-turn flush would, without the system call.
 * <ul>
 *   <li>{@code fromClient}: a local member's FIFO or AGREED message to the group (this node is the sequencer, so
 *   AGREED costs an ordered entry in its stream, sent to every member);</li>
 *   <li>{@code fromPeer}: a peer's message in its stream, for the local members;</li>
 *   <li>{@code toMember}: a local member's message to one member id (unicast);</li>
 *   <li>{@code sequence}: the ordering step: the sequencer takes another node's AGREED message and puts it in the
 *   total order (its stream, to every member) and delivers it to its own members.</li>
 * </ul>
 * Run with {@code -prof gc}: the path must allocate 0 B per operation and cost the same for 1 or 100,000 groups.
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
    /** Operations between two acknowledgements from the peers (their LINK_STATE). */
    private static final int ACK_EVERY = 1024;

    /**
     * Node 0, whose member sends one message to {@link #TARGET}, which N local members and members on M other
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

        /** {@code FIFO} or {@code AGREED}. */
        @Param({"FIFO", "AGREED"})
        String service;

        BenchNode node;

        /**
         * Build the cluster and check one message does what it should.
         *
         * @throws IOException when a socket channel cannot be opened.
         */
        @Setup
        public void setup() throws IOException
        {
            node = new BenchNode(groups, localMembers, remoteNodes, remoteNodes);
            node.clientFrameLength = BenchNode.encode(
                node.clientFrame, ServiceType.parse(service), node.sender.memberId, TARGET);
            // AGREED goes to every other node of the view (there is always one); FIFO to those with members
            final int sentTo = ServiceType.isOrdered(ServiceType.parse(service)) ? Math.max(remoteNodes, 1) : remoteNodes;
            node.checkFromClient(node.clientFrame, node.clientFrameLength, localMembers, sentTo);
        }

        /** Close the node's sockets and selector. */
        @TearDown
        public void tearDown()
        {
            node.close();
        }
    }

    /**
     * Node 0, which receives in node 1's stream a message for its N local members; the rest of the group table is
     * filled as in {@link FromClient}.
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
         * Build the cluster and check one delivery does what it should.
         *
         * @throws IOException when a socket channel cannot be opened.
         */
        @Setup
        public void setup() throws IOException
        {
            node = new BenchNode(groups, localMembers, 1, 1);
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
     * Node 0, where member {@code m0} sends to one member id instead of a group: {@code #m1#node0} on this node
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
         * Build the cluster and check one message does what it should.
         *
         * @throws IOException when a socket channel cannot be opened.
         */
        @Setup
        public void setup() throws IOException
        {
            node = new BenchNode(1000, 2, 1, 1);
            final boolean local = "local".equals(member);
            frameLength = BenchNode.encode(frame, ServiceType.FIFO, node.sender.memberId,
                local ? "#m1#node0" : "#r1#node1");
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
     * Node 0 (the sequencer) with N local members in the target group and 2 other nodes, which receives node 1's
     * AGREED message to order.
     */
    @State(Scope.Thread)
    public static class Sequence
    {
        /** Local members of the target group. */
        @Param({"1", "8"})
        int localMembers;

        BenchNode node;

        /**
         * Build the cluster and check one ordering does what it should.
         *
         * @throws IOException when a socket channel cannot be opened.
         */
        @Setup
        public void setup() throws IOException
        {
            node = new BenchNode(1000, localMembers, 2, 2);
            node.checkSequence(localMembers, 2);
        }

        /** Close the node's sockets and selector. */
        @TearDown
        public void tearDown()
        {
            node.close();
        }
    }

    /**
     * A DATA frame from a local member: check the sender, number it in the node's stream, deliver to N local
     * members, send to M nodes.
     *
     * @param state the node.
     * @return deliveries so far, consumed so the work is not eliminated.
     */
    @Benchmark
    public long fromClient(final FromClient state)
    {
        final BenchNode node = state.node;
        node.fromClient(node.clientFrame, node.clientFrameLength);
        node.turn();
        return node.deliveries();
    }

    /**
     * A DATA frame from a local member to one member id: find the member or its node, deliver or send once.
     *
     * @param state the node.
     * @return deliveries plus forwards so far, consumed so the work is not eliminated.
     */
    @Benchmark
    public long toMember(final ToMember state)
    {
        final BenchNode node = state.node;
        node.fromClient(state.frame, state.frameLength);
        node.turn();
        return node.deliveries();
    }

    /**
     * A DATA frame in a peer's stream: hold a copy, deliver the bytes to N local members.
     *
     * @param state the node.
     * @return deliveries so far, consumed so the work is not eliminated.
     */
    @Benchmark
    public long fromPeer(final FromPeer state)
    {
        final BenchNode node = state.node;
        node.fromPeer(node.peerFrame, node.peerFrameLength);
        node.turn();
        return node.deliveries();
    }

    /**
     * The ordering step: another node's AGREED frame becomes the next entry of the total order, sent to every
     * member and delivered to N local members.
     *
     * @param state the node.
     * @return deliveries so far, consumed so the work is not eliminated.
     */
    @Benchmark
    public long sequence(final Sequence state)
    {
        final BenchNode node = state.node;
        node.fromPeer(node.submitFrame, node.submitFrameLength);
        node.turn();
        return node.deliveries();
    }

    /**
     * Node 0 of a {@link BenchCluster}, set up for one benchmark.
     */
    static final class BenchNode
    {
        final BenchCluster cluster;
        final BenchCluster.Node self;
        final ClientSession sender;
        final UnsafeBuffer clientFrame = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));
        final UnsafeBuffer peerFrame = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));
        final UnsafeBuffer submitFrame = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));
        int clientFrameLength;
        final int peerFrameLength;
        final int submitFrameLength;
        private final long[] acknowledged;
        private long peerSeq;
        private int operations;

        BenchNode(final int groups, final int localMembers, final int remoteMembers, final int otherNodes)
            throws IOException
        {
            final int nodes = 1 + Math.max(otherNodes, 1);
            cluster = new BenchCluster(nodes, 1 << 20);
            self = cluster.node(0);
            ClientSession first = null;
            for (int i = 0; i < localMembers; i++)
            {
                final ClientSession member = self.member("m" + i, 8 << 20);
                self.join(member, TARGET);
                first = first == null ? member : first;
            }
            sender = first;
            for (int i = 1; i <= remoteMembers; i++)
            {
                final BenchCluster.Node remote = cluster.node(i);
                remote.join(remote.member("r" + i, 8 << 20), TARGET);
            }
            if (groups > 1)
            {
                final ClientSession filler = self.member("filler", 64 << 20);
                for (int g = 1; g < groups; g++)
                {
                    self.join(filler, "g." + g);
                    if (g % 1000 == 0)
                    {
                        cluster.settle();
                    }
                }
            }
            cluster.settle();
            if (self.table.groups().size() != groups)
            {
                throw new IllegalStateException(self.table.groups().size() + " groups, expected " + groups);
            }
            acknowledged = new long[nodes];
            cluster.measure();
            clientFrameLength = encode(clientFrame, ServiceType.FIFO, sender.memberId, TARGET);
            peerFrameLength = encode(peerFrame, ServiceType.FIFO, NameRules.memberId("r1", "node1"), TARGET);
            submitFrameLength = encode(submitFrame, ServiceType.AGREED, NameRules.memberId("r1", "node1"), TARGET);
            StreamFrame.submit(submitFrame, 0, true);
            peerSeq = 1L << 40; // past whatever node 1 sent during setup
        }

        long deliveries()
        {
            return self.counters.messagesOutClient.get();
        }

        /** A DATA frame of {@link #PAYLOAD_SIZE} bytes to one destination, with the sender the library writes. */
        static int encode(final UnsafeBuffer buffer, final int service, final String sender, final String destination)
        {
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD_SIZE]);
            return DataFrame.encode(
                buffer, 0, 0L, service, 7, sender, new String[]{destination}, 1, payload, 0, PAYLOAD_SIZE);
        }

        /** What ServerAgent does with a client's DATA frame. */
        void fromClient(final UnsafeBuffer frame, final int length)
        {
            final String error = self.router.check(sender, frame, 0, length);
            if (error != null)
            {
                throw new IllegalStateException(error);
            }
            self.membership.onClientData(sender, self.router.checkedBuffer(), self.router.checkedOffset(),
                self.router.checkedLength());
        }

        /** A frame of node 1's stream arrives. */
        void fromPeer(final UnsafeBuffer frame, final int length)
        {
            StreamFrame.seq(frame, 0, ++peerSeq);
            final String error = self.membership.onFrame(1, frame, 0, length);
            if (error != null)
            {
                throw new IllegalStateException(error);
            }
        }

        /** The end of a loop turn: the flush (drain), and now and then the peers' acknowledgement. */
        void turn()
        {
            self.membership.endTurn();
            cluster.drain();
            if (++operations % ACK_EVERY == 0)
            {
                Arrays.fill(acknowledged, Long.MAX_VALUE / 2);
                cluster.acknowledge(acknowledged);
            }
        }

        void checkFromClient(final UnsafeBuffer frame, final int length, final int localMembers, final int remote)
        {
            final long deliveries = deliveries();
            final int pending = cluster.pendingBytes();
            fromClient(frame, length);
            self.membership.endTurn();
            check(deliveries() - deliveries, localMembers, cluster.pendingBytes() - pending,
                (localMembers + remote) * length);
        }

        void checkFromPeer(final int localMembers)
        {
            final long deliveries = deliveries();
            final int pending = cluster.pendingBytes();
            fromPeer(peerFrame, peerFrameLength);
            self.membership.endTurn();
            check(deliveries() - deliveries, localMembers, cluster.pendingBytes() - pending,
                localMembers * peerFrameLength);
        }

        void checkSequence(final int localMembers, final int remoteNodes)
        {
            final long deliveries = deliveries();
            final int pending = cluster.pendingBytes();
            fromPeer(submitFrame, submitFrameLength);
            self.membership.endTurn();
            check(deliveries() - deliveries, localMembers, cluster.pendingBytes() - pending,
                (localMembers + remoteNodes) * submitFrameLength);
        }

        private void check(final long deliveries, final int expectedDeliveries, final int bytes, final int expectedBytes)
        {
            if (deliveries != expectedDeliveries || bytes != expectedBytes)
            {
                throw new IllegalStateException("path check failed: deliveries=" + deliveries + "/" +
                    expectedDeliveries + " bytes=" + bytes + "/" + expectedBytes);
            }
            cluster.drain();
        }

        void close()
        {
            cluster.close();
        }
    }
}
