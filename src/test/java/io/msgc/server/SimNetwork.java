package io.msgc.server;

import io.msgc.admin.EventLog;
import io.msgc.admin.NodeCounters;
import io.msgc.io.FrameSink;
import io.msgc.wire.DataFrame;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import io.msgc.wire.MembershipFrame;
import io.msgc.wire.NameRules;
import io.msgc.wire.ServiceType;
import io.msgc.wire.StreamFrame;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * Whole clusters of real {@link Membership} engines (with their real {@link GroupTable} and {@link Router}) on a
 * simulated network: a seeded scheduler delivers frames per directed link in FIFO order after random delays,
 * and can break links, crash nodes, pause them (as SIGSTOP does) and partition the network. Members are
 * recorded by a {@link History} as they receive messages and views. Time is simulated: thousands of view changes
 * run in a second, and a seed replays exactly.
 */
final class SimNetwork implements AutoCloseable
{
    static final long MS = 1_000_000L;
    /** The wall clock of the simulation starts on 2026-06-01. */
    private static final long EPOCH_MS = 1_780_272_000_000L;
    static final long HEARTBEAT_NS = 20 * MS;
    static final long PEER_TIMEOUT_NS = 120 * MS;
    /** max_backlog of every node: small, so a stuck peer is found after a few messages. */
    static final int MAX_BACKLOG = 100;
    private static final int MAX_FRAME = 64 * 1024;
    private static final boolean TRACE = Boolean.getBoolean("msgc.sim.trace");


    private final Random random;
    private final int nodeCount;
    private final String[] nodeNames;
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    private final Node[] nodes;
    private final boolean[][] blocked;
    private final Link[][] links;
    private final History history;
    private final ByteArrayOutputStream logBytes = new ByteArrayOutputStream();
    private final PrintStream logStream = new PrintStream(logBytes, true);
    /** Every node's log (they write off the caller's thread): flushed by {@link #logs}, closed by {@link #close}. */
    private final List<EventLog> eventLogs = new ArrayList<>();
    private long now = 1_000 * MS;
    private long order;
    private long maxDelayNs = 2 * MS;
    private boolean logToStdout;

    /** Something that happens at a simulated time; ties keep the order they were scheduled in. */
    private abstract static class Event implements Comparable<Event>
    {
        long at;
        long order;

        public int compareTo(final Event other)
        {
            return at != other.at ? Long.compare(at, other.at) : Long.compare(order, other.order);
        }

        abstract void run();
    }

    /** One direction of a link between two nodes: frames in flight, in order. */
    private static final class Link
    {
        boolean up;
        long lastDelivery;
        int epoch;
        long bytesInFlight;
        /** The receiving node reads nothing more of this connection, though it still writes to it. */
        boolean stalled;
    }

    /** One node: its engine and what surrounds it in a server. */
    final class Node implements Membership.Transport, Membership.Local, GroupTable.Deliverer,
        Router.SlowConsumerHandler
    {
        final int index;
        final long incarnation;
        final NameTable<ClientSession> sessions = new NameTable<>();
        final GroupTable table;
        final Router router;
        final Membership membership;
        final NodeCounters counters = NodeCounters.inMemory();
        boolean crashed;
        long pausedUntil;
        final ArrayList<ClientSession> gone = new ArrayList<>();
        /** Frames that arrived while the process was stopped, in arrival order: its socket buffers. */
        final ArrayDeque<Object[]> inbox = new ArrayDeque<>();
        boolean drainScheduled;

        Node(final int index, final long incarnation)
        {
            this.index = index;
            this.incarnation = incarnation;
            final NodeNames names = new NodeNames(nodeNames);
            table = new GroupTable(index, names, MAX_FRAME, sessions, this);
            router = new Router(index, MAX_FRAME, names, table.groups(), sessions, counters, this);
            final EventLog eventLog = new EventLog(nodeNames[index], logStream, "INFO");
            eventLogs.add(eventLog);
            membership = new Membership(index, names, incarnation,
                new Membership.Limits(MAX_FRAME, PEER_TIMEOUT_NS, MAX_BACKLOG, 64 << 20, 10 * PEER_TIMEOUT_NS),
                () -> now, () -> EPOCH_MS + now / MS, this, this, table, eventLog);
        }

        public boolean offer(
            final int node, final DirectBuffer buffer, final int offset, final int length, final boolean bulk)
        {
            final Link link = links[index][node];
            if (!link.up || crashed)
            {
                return false;
            }
            if (bulk && link.bytesInFlight > 4 << 20)
            {
                return false;
            }
            final byte[] frame = new byte[length];
            buffer.getBytes(offset, frame);
            final int epoch = link.epoch;
            final long at = Math.max(link.lastDelivery, now + 1 + (long)(random.nextDouble() * maxDelayNs));
            link.lastDelivery = at;
            link.bytesInFlight += length;
            schedule(at, () ->
            {
                link.bytesInFlight -= length;
                if (link.epoch == epoch && link.up && !blocked[index][node] && !link.stalled)
                {
                    nodes[node].receive(index, frame);
                }
            });
            return true;
        }

        public void close(final int node, final String reason)
        {
            breakLink(index, node);
        }

        public long deliver(final ClientSession sender, final DirectBuffer buffer, final int offset, final int length)
        {
            trace(buffer, offset, length);
            return router.deliver(sender, buffer, offset, length);
        }

        private void trace(final DirectBuffer buffer, final int offset, final int length)
        {
            if (TRACE)
            {
                final DataFrame d = new DataFrame();
                d.wrap(buffer, offset, length);
                final Group g = table.groups().find(d.destination(0));
                final StringBuilder locals = new StringBuilder();
                for (int i = 0; g != null && i < g.localCount; i++)
                {
                    locals.append(g.local[i].memberId).append(g.local[i].closing ? "(closing)" : "").append(' ');
                }
                logStream.println("TRACE " + nodeNames[index] + " deliver " + d.sender() + "/" +
                    buffer.getLong(d.payloadOffset()) + " " + ServiceType.name(d.service()) + " to " +
                    d.destination(0) + " at " + now / 1000 + "us view=" + membership.viewId() + " locals=" + locals);
            }
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
            final ClientSession blocker = router.deliverIfRoom(sender, buffer, offset, length, check);
            if (blocker == null)
            {
                trace(buffer, offset, length);
            }
            return blocker;
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
            final ClientSession session = sessions.find(privateName);
            if (session != null)
            {
                session.requested.remove(group);
            }
            history.refused(nodeNames[index], privateName, group);
        }

        public void deliverControl(final ClientSession session, final DirectBuffer buffer, final int offset,
            final int length)
        {
            if (TRACE && FrameHeader.type(buffer, offset) == FrameType.MEMBERSHIP)
            {
                final MembershipFrame v = new MembershipFrame();
                v.wrap(buffer, offset, length);
                logStream.println("TRACE " + nodeNames[index] + " view " + v.group() + " " + (v.viewId() & 0xFFFFF) + "@" + (v.viewId() >> 20) +
                    " " + MembershipFrame.causeName(v.cause()) + " to " + session.memberId + " at " + now / 1000 +
                    "us changed=" + Arrays.asList(v.changed()));
            }
            if (!session.closing)
            {
                session.out.offer(buffer, offset, length);
            }
        }

        public void onSlowConsumer(final ClientSession session)
        {
            throw new AssertionError("slow consumer in a simulation: " + session.memberId);
        }

        void receive(final int from, final byte[] frame)
        {
            if (crashed)
            {
                return;
            }
            if (now < pausedUntil || !inbox.isEmpty())
            {
                // a stopped process reads nothing: the frame waits in the socket, in order
                inbox.add(new Object[]{from, frame});
                scheduleDrain();
                return;
            }
            process(from, frame);
        }

        private void scheduleDrain()
        {
            if (!drainScheduled)
            {
                drainScheduled = true;
                schedule(Math.max(now + 1, pausedUntil), () ->
                {
                    drainScheduled = false;
                    if (crashed)
                    {
                        inbox.clear();
                        return;
                    }
                    if (now < pausedUntil)
                    {
                        scheduleDrain();
                        return;
                    }
                    while (!inbox.isEmpty())
                    {
                        final Object[] next = inbox.poll();
                        process((Integer)next[0], (byte[])next[1]);
                    }
                });
            }
        }

        private void process(final int from, final byte[] frame)
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(frame);
            if (TRACE)
            {
                final int type = FrameHeader.type(buffer, 0);
                String what = FrameType.name(type);
                if (type == FrameType.DATA)
                {
                    final DataFrame d = new DataFrame();
                    d.wrap(buffer, 0, frame.length);
                    what += " " + d.sender() + "/" + buffer.getLong(d.payloadOffset()) + " flags=" +
                        FrameHeader.flags(buffer, 0);
                }
                if (StreamFrame.isStreamType(type))
                {
                    what += " seq=" + StreamFrame.seq(buffer, 0);
                }
                logStream.println("TRACE " + nodeNames[index] + " recv from " + nodeNames[from] + " " + what + " at " +
                    now / 1000 + "us");
            }
            final String error = membership.onFrame(from, buffer, 0, frame.length);
            if (error != null)
            {
                throw new AssertionError(nodeNames[index] + " refused a frame from " + nodeNames[from] + ": " + error);
            }
            endTurn();
        }

        void endTurn()
        {
            for (final ClientSession session : gone)
            {
                membership.onClientGone(session);
            }
            gone.clear();
            membership.endTurn();
        }

        void tick()
        {
            if (crashed)
            {
                return;
            }
            if (now >= pausedUntil)
            {
                membership.tick();
                endTurn();
            }
            schedule(now + HEARTBEAT_NS, this::tick);
        }
    }

    /**
     * A network whose nodes all started and agreed on their first view (within 2 s of simulated time).
     *
     * @param nodeCount nodes (at most 64).
     * @param seed      the scheduler's seed.
     * @return the settled network.
     */
    static SimNetwork settled(final int nodeCount, final long seed)
    {
        final SimNetwork net = new SimNetwork(nodeCount, seed);
        net.startAll();
        net.awaitSettled(2000 * MS);
        return net;
    }

    /**
     * @param nodeCount nodes (at most 64).
     * @param seed      the scheduler's seed.
     */
    SimNetwork(final int nodeCount, final long seed)
    {
        this.random = new Random(seed);
        this.nodeCount = nodeCount;
        nodeNames = new String[nodeCount];
        for (int i = 0; i < nodeCount; i++)
        {
            nodeNames[i] = "node" + (i + 1);
        }
        nodes = new Node[nodeCount];
        blocked = new boolean[nodeCount][nodeCount];
        links = new Link[nodeCount][nodeCount];
        for (int i = 0; i < nodeCount; i++)
        {
            for (int j = 0; j < nodeCount; j++)
            {
                links[i][j] = new Link();
            }
        }
        history = new History(nodeNames);
    }

    Random random()
    {
        return random;
    }

    History history()
    {
        return history;
    }

    long now()
    {
        return now;
    }

    String[] nodeNames()
    {
        return nodeNames;
    }

    Node node(final int i)
    {
        return nodes[i];
    }

    /**
     * @param maxDelayNs the longest one-way delay of a frame.
     */
    void maxDelay(final long maxDelayNs)
    {
        this.maxDelayNs = maxDelayNs;
    }

    /**
     * @return the engines' log lines.
     */
    String logs()
    {
        for (final EventLog eventLog : eventLogs)
        {
            eventLog.flush(2000);
        }
        return logBytes.toString();
    }

    /**
     * Stop the nodes' log threads and free their buffers (a long series of runs would exhaust direct memory).
     */
    public void close()
    {
        for (final EventLog eventLog : eventLogs)
        {
            eventLog.close();
        }
        eventLogs.clear();
    }

    void schedule(final long at, final Runnable action)
    {
        final Event event = new Event()
        {
            void run()
            {
                action.run();
            }
        };
        event.at = at;
        event.order = order++;
        queue.add(event);
    }

    /**
     * Start every node and connect each pair.
     */
    void startAll()
    {
        for (int i = 0; i < nodeCount; i++)
        {
            start(i);
        }
    }

    /**
     * Start (or restart, with a new incarnation) node i and let it connect to every running node.
     */
    void start(final int i)
    {
        nodes[i] = new Node(i, 1 + random.nextLong() & Long.MAX_VALUE | 1);
        schedule(now + 1, nodes[i]::tick);
        for (int j = 0; j < nodeCount; j++)
        {
            if (j != i && nodes[j] != null && !nodes[j].crashed)
            {
                connectLater(i, j, 1 + random.nextInt(5) * MS);
            }
        }
    }

    private void connectLater(final int a, final int b, final long delayNs)
    {
        schedule(now + delayNs, () -> connect(a, b));
    }

    private void connect(final int a, final int b)
    {
        final Node na = nodes[a];
        final Node nb = nodes[b];
        if (na == null || nb == null || na.crashed || nb.crashed || blocked[a][b] || blocked[b][a] ||
            links[a][b].up)
        {
            return;
        }
        if (now < na.pausedUntil || now < nb.pausedUntil)
        {
            // a stopped process does not complete a handshake
            connectLater(a, b, 20 * MS);
            return;
        }
        links[a][b].up = true;
        links[b][a].up = true;
        links[a][b].epoch++;
        links[b][a].epoch++;
        final String refusedA = na.membership.onLinkUp(b, nb.incarnation);
        final String refusedB = refusedA != null ? "" : nb.membership.onLinkUp(a, na.incarnation);
        if (refusedA != null || refusedB != null)
        {
            links[a][b].up = false;
            links[b][a].up = false;
            if (refusedA == null)
            {
                na.membership.onLinkDown(b);
            }
            connectLater(a, b, 20 * MS);
            return;
        }
        na.endTurn();
        nb.endTurn();
    }

    /** Both directions of a link go down, frames in flight are lost, and both ends redial soon. */
    void breakLink(final int a, final int b)
    {
        if (!links[a][b].up)
        {
            return;
        }
        links[a][b].up = false;
        links[b][a].up = false;
        links[a][b].epoch++;
        links[b][a].epoch++;
        links[a][b].stalled = false;
        links[b][a].stalled = false;
        for (final int[] end : new int[][]{{a, b}, {b, a}})
        {
            final Node n = nodes[end[0]];
            if (n != null && !n.crashed)
            {
                final int peer = end[1];
                schedule(now + 1, () ->
                {
                    n.membership.onLinkDown(peer);
                    n.endTurn();
                });
            }
        }
        connectLater(a, b, 5 * MS + random.nextInt(10) * MS);
    }

    /** A process dies: its links close at once, and redials to it are refused until it restarts. */
    void crash(final int i)
    {
        final Node n = nodes[i];
        n.crashed = true;
        for (int j = 0; j < nodeCount; j++)
        {
            if (j != i && links[i][j].up)
            {
                links[i][j].up = false;
                links[j][i].up = false;
                links[i][j].epoch++;
                links[j][i].epoch++;
                final Node other = nodes[j];
                if (other != null && !other.crashed)
                {
                    final int dead = i;
                    schedule(now + 1, () ->
                    {
                        other.membership.onLinkDown(dead);
                        other.membership.onPeerGone(dead);
                        other.endTurn();
                    });
                }
            }
        }
        history.crashed(nodeNames[i]);
    }

    /**
     * Node {@code to} reads nothing more of its connection from {@code from}, though it still writes to it: a
     * stuck reader. What it does not read it never gets; the next connection resends it, as the origin holds it.
     */
    void stall(final int from, final int to)
    {
        links[from][to].stalled = true;
    }

    /** A process stops (SIGSTOP) for a while: it reads nothing and its timers do not run; links stay open. */
    void pause(final int i, final long forNs)
    {
        nodes[i].pausedUntil = now + forNs;
    }

    /** Frames between the two sides are silently dropped, and new connections across fail, until {@link #heal()}. */
    void partition(final long sideA)
    {
        for (int i = 0; i < nodeCount; i++)
        {
            for (int j = 0; j < nodeCount; j++)
            {
                final boolean ia = (sideA & (1L << i)) != 0;
                final boolean ja = (sideA & (1L << j)) != 0;
                blocked[i][j] = ia != ja;
            }
        }
    }

    /** Lift every partition; nodes reconnect. */
    void heal()
    {
        for (int i = 0; i < nodeCount; i++)
        {
            for (int j = 0; j < nodeCount; j++)
            {
                if (blocked[i][j])
                {
                    blocked[i][j] = false;
                    if (i < j)
                    {
                        // a TCP connection that lost packets for long is reset once packets flow again
                        breakLink(i, j);
                        connectLater(i, j, MS);
                    }
                }
            }
        }
    }

    /**
     * Run the scheduler until a time.
     */
    void runUntil(final long time)
    {
        while (!queue.isEmpty() && queue.peek().at <= time)
        {
            final Event event = queue.poll();
            now = Math.max(now, event.at);
            event.run();
        }
        now = Math.max(now, time);
    }

    /**
     * Run for a while.
     */
    void run(final long forNs)
    {
        runUntil(now + forNs);
    }

    /**
     * @return true when every running node has installed the same view with exactly the running nodes.
     */
    boolean settled()
    {
        long running = 0;
        for (int i = 0; i < nodeCount; i++)
        {
            if (nodes[i] != null && !nodes[i].crashed)
            {
                running |= 1L << i;
            }
        }
        long view = -1;
        for (int i = 0; i < nodeCount; i++)
        {
            final Node n = nodes[i];
            if (n != null && !n.crashed)
            {
                if (n.membership.members() != running || n.membership.changing() ||
                    view != -1 && n.membership.viewId() != view)
                {
                    return false;
                }
                view = n.membership.viewId();
            }
        }
        return true;
    }

    /**
     * Run until {@link #settled()}, at most a bound.
     */
    void awaitSettled(final long maxNs)
    {
        final long deadline = now + maxNs;
        while (!settled() && now < deadline)
        {
            run(5 * MS);
        }
        if (!settled())
        {
            final StringBuilder sb = new StringBuilder("cluster did not settle; views:");
            for (int i = 0; i < nodeCount; i++)
            {
                final Node n = nodes[i];
                if (n != null && !n.crashed)
                {
                    sb.append(' ').append(nodeNames[i]).append('=').append(n.membership.viewId()).append('/')
                        .append(Long.toBinaryString(n.membership.members()))
                        .append(n.membership.changing() ? "(changing)" : "");
                }
            }
            throw new AssertionError(sb + "\n" + tail(logs(), 6000));
        }
    }

    static String tail(final String text, final int chars)
    {
        return text.length() <= chars ? text : text.substring(text.length() - chars);
    }

    // ---------------------------------------------------------------- members

    /**
     * A member for the simulation: a session on a node whose frames go to the history.
     */
    final class Member implements FrameSink
    {
        final int node;
        final String name;
        final String memberId;
        final ClientSession session;
        private long sent;

        Member(final int node, final String name)
        {
            this.node = node;
            this.name = name;
            this.memberId = NameRules.memberId(name, nodeNames[node]);
            this.session = new ClientSession(name, memberId, null, this, now);
        }

        public boolean offer(final DirectBuffer buffer, final int offset, final int length)
        {
            if (session.closing)
            {
                return false; // a closed connection takes nothing
            }
            history.received(memberId, buffer, offset, length);
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

        boolean alive()
        {
            return nodes[node] != null && !nodes[node].crashed && !session.closing &&
                nodes[node].sessions.find(name) == session;
        }

        void join(final String group)
        {
            final String error = nodes[node].membership.onJoin(session, group, 0, 1000);
            if (error == null)
            {
                history.requested(memberId, group, true);
            }
            nodes[node].endTurn();
        }

        void leave(final String group)
        {
            final String error = nodes[node].membership.onLeave(session, group, 0);
            if (error == null)
            {
                history.requested(memberId, group, false);
            }
            nodes[node].endTurn();
        }

        /** Send one message whose payload is this member's next sequence number. */
        void send(final int service, final String group)
        {
            final Node n = nodes[node];
            final long seq = ++sent;
            final UnsafeBuffer payload = new UnsafeBuffer(new byte[8]);
            payload.putLong(0, seq);
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[256]);
            final int length = DataFrame.encode(frame, 0, 0, service, 1, memberId, new String[]{group}, 1,
                payload, 0, 8);
            final String error = n.router.check(session, frame, 0, length);
            if (error != null)
            {
                throw new AssertionError(error);
            }
            history.sent(memberId, seq, group, service);
            n.membership.onClientData(session, n.router.checkedBuffer(), n.router.checkedOffset(),
                n.router.checkedLength());
            n.endTurn();
        }

        void disconnect()
        {
            final Node n = nodes[node];
            session.closing = true;
            n.sessions.remove(session);
            n.gone.add(session);
            history.disconnected(memberId);
            n.endTurn();
        }
    }

    /**
     * @return a member connected to node i.
     */
    Member connect(final int node, final String name)
    {
        final Member m = new Member(node, name);
        nodes[node].sessions.add(m.session);
        history.connected(m.memberId);
        return m;
    }

    /**
     * Decodes what a member receives, for the history.
     */
    static void decode(final History history, final String receiver, final DirectBuffer buffer, final int offset,
        final int length)
    {
        final int type = FrameHeader.type(buffer, offset);
        if (type == FrameType.DATA)
        {
            final DataFrame data = new DataFrame();
            if (data.wrap(buffer, offset, length) != null)
            {
                throw new AssertionError("malformed DATA to " + receiver);
            }
            history.data(receiver, data.sender(), data.destination(0), buffer.getLong(data.payloadOffset()),
                data.service() & ServiceType.LEVEL_MASK);
        }
        else if (type == FrameType.MEMBERSHIP)
        {
            final MembershipFrame view = new MembershipFrame();
            if (view.wrap(buffer, offset, length) != null)
            {
                throw new AssertionError("malformed MEMBERSHIP to " + receiver);
            }
            history.view(receiver, view.group(), view.viewId(), view.cause(), Arrays.asList(view.members()),
                view.myIndex());
        }
    }

    List<Member> members(final List<Member> all)
    {
        final ArrayList<Member> alive = new ArrayList<>();
        for (final Member m : all)
        {
            if (m.alive())
            {
                alive.add(m);
            }
        }
        return alive;
    }
}
