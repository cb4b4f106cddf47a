package io.msgc.server;

import io.msgc.admin.EventLog;
import io.msgc.admin.NodeCounters;
import io.msgc.io.Connection;
import io.msgc.io.FrameSink;
import io.msgc.io.Poller;
import io.msgc.io.SinkConnections;
import io.msgc.wire.LinkStateFrame;
import io.msgc.wire.NameRules;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayDeque;

/**
 * Real server engines ({@link Membership}, {@link GroupTable}, {@link Router}) wired in one thread with a
 * synchronous in-memory transport, for benchmarks: they form a real view and install real joins by exchanging
 * their frames until quiet. Then {@link #measure()} switches node 0's links to sinks: what it sends is copied into a
 * real {@link Connection}'s write buffer (what a socket link costs short of the system call) and dropped at each
 * {@link #drain()}, so an operation on node 0 costs exactly what it would on a live server.
 */
final class BenchCluster implements AutoCloseable
{
    /** A frame in flight between two engines during setup. */
    private static final class Flight
    {
        final int from;
        final int to;
        final byte[] frame;

        Flight(final int from, final int to, final byte[] frame)
        {
            this.from = from;
            this.to = to;
            this.frame = frame;
        }
    }

    /** One engine and what surrounds it in a server. */
    final class Node implements Membership.Transport, Membership.Local, GroupTable.Deliverer,
        Router.SlowConsumerHandler
    {
        final int index;
        final NameTable<ClientSession> sessions = new NameTable<>();
        final NodeCounters counters = NodeCounters.inMemory();
        final GroupTable table;
        final Router router;
        final Membership membership;

        Node(final int index, final int maxFrameSize, final EventLog log)
        {
            this.index = index;
            final NodeNames nodeNames = new NodeNames(names);
            table = new GroupTable(index, nodeNames, maxFrameSize, sessions, this);
            router = new Router(index, maxFrameSize, nodeNames, table.groups(), sessions, counters, this);
            membership = new Membership(index, nodeNames, 1 + index,
                new Membership.Limits(maxFrameSize, PEER_TIMEOUT_NS, 5000, 512 << 20, PEER_TIMEOUT_NS),
                System::nanoTime, System::currentTimeMillis, this, this, table, log);
        }

        public boolean offer(
            final int node, final DirectBuffer buffer, final int offset, final int length, final boolean bulk)
        {
            if (measuring)
            {
                return index != 0 || links[node].offer(buffer, offset, length);
            }
            final byte[] frame = new byte[length];
            buffer.getBytes(offset, frame);
            flights.add(new Flight(index, node, frame));
            return true;
        }

        public void close(final int node, final String reason)
        {
            throw new IllegalStateException("node" + index + " closed its link to node" + node + ": " + reason);
        }

        public long deliver(final ClientSession sender, final DirectBuffer buffer, final int offset, final int length)
        {
            return router.deliver(sender, buffer, offset, length);
        }

        public long route(final DirectBuffer buffer, final int offset, final int length)
        {
            return router.route(buffer, offset, length);
        }

        public ClientSession deliverIfRoom(
            final ClientSession sender,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final boolean check)
        {
            return router.deliverIfRoom(sender, buffer, offset, length, check);
        }

        public long routed()
        {
            return router.routed();
        }

        public void cutSlowConsumer(final ClientSession session, final long stalledMs)
        {
            throw new IllegalStateException("slow consumer: " + session.memberId + " stalled " + stalledMs + " ms");
        }

        public void pauseClients(final boolean pause)
        {
        }

        public void refused(final String privateName, final String group, final long correlation, final String reason)
        {
            throw new IllegalStateException(reason);
        }

        public void deliverControl(
            final ClientSession session, final DirectBuffer buffer, final int offset, final int length)
        {
            if (!session.out.offer(buffer, offset, length))
            {
                throw new IllegalStateException("view did not fit: " + session.memberId);
            }
        }

        public void onSlowConsumer(final ClientSession session)
        {
            throw new IllegalStateException("slow consumer in a benchmark: " + session.memberId);
        }

        /**
         * @param name       private name.
         * @param writeLimit the sink's write limit.
         * @return a member of this node whose frames go to a sink.
         * @throws IOException when a socket channel cannot be opened.
         */
        ClientSession member(final String name, final int writeLimit) throws IOException
        {
            final Connection connection = sink(writeLimit);
            final ClientSession session =
                new ClientSession(name, NameRules.memberId(name, names[index]), connection, 0);
            connection.attachment(session);
            sessions.add(session);
            return session;
        }

        /**
         * @param name private name.
         * @return a member of this node whose frames are dropped on the spot (no socket: for many members).
         */
        ClientSession discardingMember(final String name)
        {
            final ClientSession session =
                new ClientSession(name, NameRules.memberId(name, names[index]), null, DISCARD, 0);
            sessions.add(session);
            return session;
        }

        void join(final ClientSession session, final String group)
        {
            final String error = membership.onJoin(session, group, 0, Integer.MAX_VALUE);
            if (error != null)
            {
                throw new IllegalStateException(error);
            }
        }
    }

    /**
     * An hour: the engines run in one thread, so one may not hear from another for as long as a big batch takes;
     * that must not look like a silent peer.
     */
    private static final long PEER_TIMEOUT_NS = 3_600_000_000_000L;
    /** Takes every frame and keeps none. */
    private static final FrameSink DISCARD = new FrameSink()
    {
        public boolean offer(final DirectBuffer buffer, final int offset, final int length)
        {
            return true;
        }

        public int pendingBytes()
        {
            return 0;
        }

        public int writeLimit()
        {
            return Integer.MAX_VALUE;
        }
    };

    private final String[] names;
    private final Node[] nodes;
    private final ArrayDeque<Flight> flights = new ArrayDeque<>();
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[1024]);
    private final Poller poller;
    private final Connection[] sinks = new Connection[1024];
    private final Connection[] links;
    private int sinkCount;
    private boolean measuring;

    /**
     * @param nodeCount    nodes; they form one view before the constructor returns.
     * @param maxFrameSize largest frame.
     * @throws IOException when the poller cannot be opened.
     */
    BenchCluster(final int nodeCount, final int maxFrameSize) throws IOException
    {
        names = new String[nodeCount];
        for (int i = 0; i < nodeCount; i++)
        {
            names[i] = "node" + i;
        }
        poller = new Poller();
        // NOTICE and above only, to nowhere: setup logs a line per view
        final EventLog log = new EventLog("bench", new PrintStream(OutputStream.nullOutputStream()), "notice");
        nodes = new Node[nodeCount];
        for (int i = 0; i < nodeCount; i++)
        {
            nodes[i] = new Node(i, maxFrameSize, log);
        }
        links = new Connection[nodeCount];
        for (int i = 0; i < nodeCount; i++)
        {
            for (int j = 0; j < nodeCount; j++)
            {
                if (i != j)
                {
                    nodes[i].membership.onLinkUp(j, 1 + j);
                }
            }
        }
        settle();
        for (int round = 0; round < 20 && nodes[0].membership.members() != (1L << nodeCount) - 1; round++)
        {
            for (final Node node : nodes)
            {
                node.membership.tick();
            }
            settle();
        }
        if (nodes[0].membership.members() != (1L << nodeCount) - 1 || nodes[0].membership.changing())
        {
            throw new IllegalStateException("the bench cluster did not form a view");
        }
    }

    /**
     * @param i node index.
     * @return that node.
     */
    Node node(final int i)
    {
        return nodes[i];
    }

    /**
     * Exchange frames between the engines until none is in flight.
     */
    void settle()
    {
        for (int turns = 0; turns < 10_000_000; turns++)
        {
            final Flight flight = flights.poll();
            if (flight == null)
            {
                boolean quiet = true;
                for (final Node node : nodes)
                {
                    node.membership.endTurn();
                    quiet &= flights.isEmpty();
                }
                if (quiet)
                {
                    drain();
                    return;
                }
                continue;
            }
            final UnsafeBuffer buffer = new UnsafeBuffer(flight.frame);
            final String error = nodes[flight.to].membership.onFrame(flight.from, buffer, 0, flight.frame.length);
            if (error != null)
            {
                throw new IllegalStateException(names[flight.to] + " refused a frame: " + error);
            }
        }
        throw new IllegalStateException("frames never stopped flowing");
    }

    /**
     * From now on node 0's links are sinks, and the other nodes send nothing anywhere.
     *
     * @throws IOException when a socket channel cannot be opened.
     */
    void measure() throws IOException
    {
        for (int i = 1; i < nodes.length; i++)
        {
            links[i] = sink(PeerMesh.PEER_WRITE_LIMIT);
        }
        measuring = true;
    }

    private Connection sink(final int writeLimit) throws IOException
    {
        final Connection connection = SinkConnections.open(poller, writeLimit);
        sinks[sinkCount++] = connection;
        return connection;
    }

    /**
     * @return bytes queued on every sink now.
     */
    int pendingBytes()
    {
        int pending = 0;
        for (int i = 0; i < sinkCount; i++)
        {
            pending += sinks[i].pendingBytes();
        }
        return pending;
    }

    /**
     * Drop what the sinks hold, as the end-of-turn flush would after writing it.
     */
    void drain()
    {
        SinkConnections.drain(poller, sinks, sinkCount);
    }

    /**
     * Every peer tells node 0 it has processed everything so far, as their LINK_STATE would: node 0 then drops
     * what it held for them (its stream and its copies of theirs), so a long run does not fill its logs.
     *
     * @param processed per node index, the position each peer claims to have processed.
     */
    void acknowledge(final long[] processed)
    {
        for (int i = 1; i < nodes.length; i++)
        {
            final int length = LinkStateFrame.encode(scratch, 0, 0, 0, 0, nodes[0].membership.viewId(),
                (1L << nodes.length) - 1, 0, processed, nodes.length);
            final String error = nodes[0].membership.onFrame(i, scratch, 0, length);
            if (error != null)
            {
                throw new IllegalStateException(error);
            }
        }
    }

    /** {@inheritDoc} */
    public void close()
    {
        drain();
        poller.close();
    }
}
