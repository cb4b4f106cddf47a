package io.msgc.server;

import io.msgc.admin.EventLog;
import io.msgc.wire.DataFrame;
import io.msgc.wire.EventFrame;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import io.msgc.wire.LinkStateFrame;
import io.msgc.wire.MarkFrame;
import io.msgc.wire.ServiceType;
import io.msgc.wire.StateFrame;
import io.msgc.wire.StreamFrame;
import io.msgc.wire.ViewChangeFrame;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Agreed views and the order of everything in them, for one node: the state machine behind the guarantees in
 * {@code docs/GUARANTEES.md}. It owns this node's stream (a {@link FrameLog} every member can be re-sent from), what
 * it holds of every other node's stream ({@link Inbound}), the installed view, the sequencer's part when this node
 * is the sequencer, and the view change (flush). It touches no socket: frames come in through {@link #onFrame},
 * go out through a {@link Transport}, and reach local members through {@link Local} and the {@link GroupTable}, so
 * it runs the same over TCP links and in a simulated network. Single-threaded.
 * <p>
 * In one view:
 * <ul>
 *   <li>Each node numbers every frame it originates (its stream) and sends each one to the members that need it.
 *   A receiver processes each stream in order, so FIFO holds per sender; a link that breaks and comes back resumes
 *   right after what the receiver holds.</li>
 *   <li>The sequencer (the lowest node of the view) orders membership events and AGREED/SAFE/CAUSAL messages by
 *   putting them in its own stream, which goes to every member: one total order.</li>
 *   <li>When an event arrives, each node puts a MARK in its stream. A receiver installs the event (changes the
 *   group, delivers the view) only when every member's stream has reached its MARK, and holds back what a stream
 *   carries after its MARK until then. So every member delivers each message in the same view.</li>
 * </ul>
 * A view change (coordinator = lowest reachable node): PROPOSE; every member stops, ends its stream with
 * FLUSH_MARK and tells every member what it holds of each stream (FLUSH_OK); members hand each other the frames of
 * the nodes that left; each member delivers the rest of the old view (the same set everywhere), sends its local
 * members (STATE), and installs the new view when it has every member's state.
 */
final class Membership
{
    /**
     * A group's view id is the node view's id shifted by this many bits, or-ed with a slot: the transitional views
     * into the node view (one per old view), its NETWORK views, then its events in order. Node view ids are a counter shifted by
     * {@link #COORDINATOR_BITS} or-ed with the coordinator's index, so two views formed apart never share an id;
     * the counter starts from the clock in 64ths of a second since 2026, so a restarted node does not reuse the ids of
     * its former life, and 2^63 is 68 years away.
     */
    static final int SLOT_BITS = 20;
    /** Index, in a FLUSH_OK's decoded horizons, of the sender's held event ({@link #heldEvent()}). */
    private static final int HELD = NodeNames.MAX + 1;
    /** Bits of a node view id that name its coordinator. */
    private static final int COORDINATOR_BITS = 6;
    /**
     * Slots 0..63 of a proposal hold the transitional views of the groups of nodes that move on together into it (the
     * slot is the lowest of those nodes); then its NETWORK views; then its events.
     */
    static final long SLOT_NETWORK = 1L << COORDINATOR_BITS;
    /** The last event slot: past it, the sequencer starts a new node view with the same nodes. */
    private static final long LAST_EVENT_SLOT = (1L << SLOT_BITS) - 1;

    private static final long COUNTER_EPOCH_MS = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    private static final double COUNTER_UNIT_MS = 1000.0 / 64;
    /** Above this many bytes held in this node's stream, clients are paused until it drains. */
    static final long LOG_HIGH_WATER = 16L << 20;
    private static final long LOG_LOW_WATER = 4L << 20;
    /** Bytes processed from a stream after which this node reports its progress without waiting for a heartbeat. */
    private static final long REPORT_BYTES = 256 << 10;
    /** Bytes of this node's stream that may be on their way to a peer beyond what it has processed. */
    static final long STREAM_WINDOW = 8L << 20;
    /** Start of the reason {@link #onFrame} gives for a frame that names a sender or member of another node. */
    static final String FORGED = "forged identity: ";

    /**
     * Sizes and timeouts of the engine.
     *
     * @param maxFrameSize          largest frame.
     * @param peerTimeoutNs         a member silent this long (link down or not) is left out of the next view.
     * @param maxBacklog            frames of this node's stream a live member may leave unprocessed for a peer
     *                              timeout before its link is closed as stuck ({@code max_backlog}).
     * @param maxLogBytes           most bytes this node's stream, and what it holds of each other stream, may take.
     * @param slowConsumerTimeoutNs a local member whose full buffer holds a stream back this long without reading
     *                              anything is cut ({@code slow_consumer_timeout}).
     */
    record Limits(int maxFrameSize, long peerTimeoutNs, int maxBacklog, int maxLogBytes, long slowConsumerTimeoutNs)
    {
    }

    /**
     * Carries frames to other nodes.
     */
    interface Transport
    {
        /**
         * Queue a frame on the link to a node.
         *
         * @param node   destination node index.
         * @param buffer frame bytes.
         * @param offset frame start.
         * @param length frame length.
         * @param bulk   true for stream frames, which stop at a soft limit (the log keeps them); false for
         *               control frames, which may queue up to the link's hard limit.
         * @return false when the link is down or full: nothing was queued.
         */
        boolean offer(int node, DirectBuffer buffer, int offset, int length, boolean bulk);

        /**
         * Drop the link to a node.
         *
         * @param node   node index.
         * @param reason why, for the logs.
         */
        void close(int node, String reason);
    }

    /**
     * What the engine asks of the rest of the server.
     */
    interface Local
    {
        /**
         * Deliver a DATA frame to the local members it names, by the installed view.
         *
         * @param sender the local sender when known, else null.
         * @param buffer frame bytes.
         * @param offset frame start.
         * @param length frame length.
         * @return the other nodes the frame must reach (their interest), for a frame a local member sent.
         */
        long deliver(ClientSession sender, DirectBuffer buffer, int offset, int length);

        /**
         * @param buffer a DATA frame.
         * @param offset frame start.
         * @param length frame length.
         * @return the other nodes the frame must reach, without delivering it.
         */
        long route(DirectBuffer buffer, int offset, int length);

        /**
         * Deliver a DATA frame to the local members it names unless flow control holds it: with {@code check}, a
         * reliable frame that a local member it reaches has no room for now goes to none of them.
         *
         * @param sender the local sender when known, else null.
         * @param buffer frame bytes.
         * @param offset frame start.
         * @param length frame length.
         * @param check  true to apply flow control.
         * @return null when delivered ({@link #routed()} then tells the other nodes it must reach), else the first
         *         member without room (never for an UNRELIABLE frame).
         */
        ClientSession deliverIfRoom(ClientSession sender, DirectBuffer buffer, int offset, int length, boolean check);

        /**
         * @return the other nodes the frame last delivered must reach (their interest), for a frame a local member
         *         sent.
         */
        long routed();

        /**
         * A local member held a stream back for {@code slow_consumer_timeout} without reading: disconnect it.
         *
         * @param session   the member.
         * @param stalledMs how long it read nothing.
         */
        void cutSlowConsumer(ClientSession session, long stalledMs);

        /**
         * @param pause true to stop reading local members' requests (a view change, or this node's stream is full).
         */
        void pauseClients(boolean pause);

        /**
         * A local member's join could not be applied (the group's view would pass the frame size): it is not in
         * the group, and hears why.
         *
         * @param privateName the member.
         * @param group       the group.
         * @param correlation its request's correlation id.
         * @param reason      why.
         */
        void refused(String privateName, String group, long correlation, String reason);
    }

    /** A local member's join, leave or disconnect, from the request until its event is installed. */
    private static final class Request
    {
        final int op;
        final String group;
        final String member;
        final long correlation;

        Request(final int op, final String group, final String member, final long correlation)
        {
            this.op = op;
            this.group = group;
            this.member = member;
            this.correlation = correlation;
        }
    }

    /** What this node knows of each other node. */
    private static final class Peer
    {
        /** Handshake done: the link carries frames. */
        boolean up;
        /** The peer said where to resume: stream frames flow. */
        boolean streaming;
        /** The link was refused or its node is gone: not alive until it comes back. */
        boolean gone;
        /** Next record of this node's log to consider sending. */
        long sendPosition;
        long sentSeq;
        long lastHeardNs;
        long incarnation;
        /** A new incarnation tried to connect while the old one is in the view. */
        boolean restarted;
        /** Nothing of this node's stream before here is for the peer's incarnation. */
        long resumeFloor;
        /**
         * This node did not hear from the peer for a long gap (it or this node was stopped, or cut off): the peer may
         * have left this view and settled its pending messages without it, so the sequencer orders nothing more of
         * its until a view change resynchronizes them.
         */
        boolean stale;
        long view;
        long alive;
        /** For each node index, the highest stream position of that node the peer has processed in its view. */
        final long[] processed = new long[LinkStateFrame.MAX_NODES];
        /** The view of {@link #heldEvent}. */
        long heldView;
        /** The held event its LINK_STATE reported for {@link #heldView}. */
        long heldEvent;
        long lastRequestNs;
        /** Log position of the first frame of this node's stream the peer has not processed (flow control). */
        long ackPosition;
        /** Its processed position in this node's stream when last seen to move (or to have nothing to do). */
        long progressSeq;
        long progressNs;
    }

    /** A view being formed, as a member sees it. */
    private static final class Flush
    {
        final long proposal;
        final long target;
        final int coordinator;
        final long startedNs;
        final long[][] horizons = new long[LinkStateFrame.MAX_NODES][];
        final long[] oldViews = new long[LinkStateFrame.MAX_NODES];
        @SuppressWarnings("unchecked")
        final List<String[]>[] states = new List[LinkStateFrame.MAX_NODES];
        /** Each survivor's AGREED/SAFE/CAUSAL frames the sequencer had not ordered when it said so. */
        @SuppressWarnings("unchecked")
        final List<byte[]>[] pending = new List[LinkStateFrame.MAX_NODES];
        /** Each survivor's count of its frames the sequencer's stream carried, when it listed its pending ones. */
        final long[] confirmed = new long[LinkStateFrame.MAX_NODES];
        long okMask;
        long recoverDoneMask;
        long stateDoneMask;
        boolean recoverySent;
        boolean stateSent;

        Flush(final long proposal, final long target, final int coordinator, final long startedNs)
        {
            this.proposal = proposal;
            this.target = target;
            this.coordinator = coordinator;
            this.startedNs = startedNs;
        }
    }

    /** A FLUSH_OK that overtook the PROPOSE it answers. */
    private static final class EarlyOk
    {
        final long id;
        final long alive;
        final long oldView;
        final long[] horizons;

        EarlyOk(final long id, final long alive, final long oldView, final long[] horizons)
        {
            this.id = id;
            this.alive = alive;
            this.oldView = oldView;
            this.horizons = horizons;
        }
    }

    /** A view this node proposed as coordinator. */
    private static final class Proposal
    {
        final long id;
        final long target;
        final long deadlineNs;
        final long[] alive = new long[LinkStateFrame.MAX_NODES];
        long answered;

        Proposal(final long id, final long target, final long deadlineNs)
        {
            this.id = id;
            this.target = target;
            this.deadlineNs = deadlineNs;
        }
    }

    private final int self;
    private final long selfBit;
    /** Node indexes in use: the most nodes the peers list had since start ({@link NodeNames#highWater()}). */
    private int nodeCount;
    private final int maxLogBytes;
    private final NodeNames nodeNames;
    private final long peerTimeoutNs;
    private final int maxBacklog;
    private final long slowConsumerTimeoutNs;
    private final long flushTimeoutNs;
    private final NanoClock clock;
    private final EpochClock epochClock;
    private final Transport transport;
    private final Local local;
    private final GroupTable table;
    private final EventLog log;

    private final FrameLog out;
    private final Inbound[] sources;
    private final Peer[] peers;
    private final EarlyOk[] early;
    private long nextSeq = 1;
    private final long incarnation;

    private long viewId;
    private long members;
    private int sequencer;
    private long highestCounter;
    private long nextEventIndex;
    private long installedEvent;
    private long arrivedEvent;
    private long markedEvent;
    private boolean sequencing;

    private final ArrayDeque<Request> requests = new ArrayDeque<>();
    /** In this view, per node: how many of its members' AGREED/SAFE/CAUSAL messages the sequencer's stream carried. */
    private final long[] orderedFrom;
    /** This node's AGREED/SAFE/CAUSAL messages the sequencer has not ordered yet, to send again after a change. */
    private final FrameLog submits;
    /** Local members' messages taken while a view change runs; sent in the next view. */
    private final FrameLog held;

    private Flush flush;
    private Proposal proposal;
    private boolean flushMarkSent;
    /** The old view is being delivered to its end (a view change). */
    private boolean completing;
    /**
     * The rest of the old view is delivered in the transitional configuration: an event could not be installed, or a
     * SAFE message could not be confirmed, because a node left before it said so. Events are then not installed,
     * MARKs do not wait, and SAFE means held by every node moving on.
     */
    private boolean transitionalMode;
    /** While completing: the old view lost nodes. */
    private boolean lostNodes;
    /** During a view change: the highest sequencer position this node knew every member had processed. */
    private long frozenStable;
    /** While completing: the highest sequencer position any survivor knew every member had processed. */
    private long survivorsKnownStable;
    /**
     * In this view: the highest event index through which this node has held every other member's stream as received
     * from that member (never decreases in a view; {@link #heldEvent()}).
     */
    private long heldEvent;
    /** During a view change: {@link #heldEvent} when the FLUSH_MARK was sent, what this node reports from then on. */
    private long frozenHeld;
    /** While completing with lost nodes: the lowest held event of the survivors, the last that may be installed. */
    private long agreedHeld;
    private boolean oldViewCompleted;
    private long excluded;
    private boolean clientsPaused;
    /** Some stream waits for a local member's buffer (flow control). */
    private boolean anyBlocked;
    /** A drain: this node is leaving the cluster. */
    private boolean leaving;
    private boolean logFull;
    private boolean reportDue;
    private long reportedBytes;
    private boolean marksDue;
    /** Something other streams may wait on changed (an install, a MARK or FLUSH_MARK reached): process them all. */
    private boolean wakeAll;

    private final UnsafeBuffer scratch;
    private final long[] vector = new long[LinkStateFrame.MAX_NODES + 1];
    /** Scratch of {@link #viewTarget}: each alive node's alive mask. */
    private final long[] seen = new long[NodeNames.MAX];
    private final MarkFrame markFrame = new MarkFrame();
    private final DataFrame dataFrame = new DataFrame();
    private final EventFrame eventFrame = new EventFrame();
    private final ViewChangeFrame viewChange = new ViewChangeFrame();
    private final LinkStateFrame linkState = new LinkStateFrame();
    private final StateFrame stateFrame = new StateFrame();

    /**
     * @param self          this node's index.
     * @param nodeNames     node names by index (the peers list, which a reload may extend or shorten).
     * @param incarnation   this node's incarnation.
     * @param limits        sizes and timeouts.
     * @param clock         monotonic clock for every deadline, read per frame (the event loop's time of the turn).
     * @param epochClock    wall clock, for display only.
     * @param transport     links to the other nodes.
     * @param local         local delivery and routing.
     * @param table         the group table this engine changes.
     * @param log           where events are logged.
     */
    Membership(
        final int self,
        final NodeNames nodeNames,
        final long incarnation,
        final Limits limits,
        final NanoClock clock,
        final EpochClock epochClock,
        final Transport transport,
        final Local local,
        final GroupTable table,
        final EventLog log)
    {
        this.self = self;
        this.selfBit = 1L << self;
        this.nodeNames = nodeNames;
        this.incarnation = incarnation;
        this.peerTimeoutNs = limits.peerTimeoutNs();
        this.maxBacklog = limits.maxBacklog();
        this.slowConsumerTimeoutNs = limits.slowConsumerTimeoutNs();
        this.flushTimeoutNs = peerTimeoutNs;
        this.maxLogBytes = limits.maxLogBytes();
        this.clock = clock;
        this.epochClock = epochClock;
        this.transport = transport;
        this.local = local;
        this.table = table;
        this.log = log;
        out = new FrameLog(1 << 20, maxLogBytes);
        submits = new FrameLog(64 << 10, maxLogBytes);
        held = new FrameLog(64 << 10, maxLogBytes);
        sources = new Inbound[NodeNames.MAX];
        peers = new Peer[NodeNames.MAX];
        orderedFrom = new long[NodeNames.MAX];
        early = new EarlyOk[NodeNames.MAX];
        onPeersChanged();
        sources[self].incarnation = incarnation;
        scratch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(Math.max(limits.maxFrameSize(), 1 << 16), 64));
        // alone at first: a view of this node only
        highestCounter = clockCounter();
        viewId = highestCounter << COORDINATOR_BITS | self;
        members = selfBit;
        sequencer = self;
        sequencing = true;
        nextEventIndex = SLOT_NETWORK;
        installedEvent = SLOT_NETWORK;
        arrivedEvent = SLOT_NETWORK;
        markedEvent = SLOT_NETWORK;
        appendMarker(FrameType.VIEW_START, viewId, selfBit);
        advance(sources[self]);
    }

    // ---------------------------------------------------------------- what the rest of the server reads

    /**
     * @return the installed view's id.
     */
    long viewId()
    {
        return viewId;
    }

    /**
     * @return the installed view's nodes (bit n = node n).
     */
    long members()
    {
        return members;
    }

    /**
     * @return the sequencer of the installed view.
     */
    int sequencer()
    {
        return sequencer;
    }

    /**
     * @return true while a view change runs.
     */
    boolean changing()
    {
        return flush != null;
    }


    /**
     * @return bytes this node's stream holds until every member has processed them.
     */
    long logBytes()
    {
        return out.bytes();
    }

    /**
     * @param node another node.
     * @return bytes this node holds of that node's stream (until every member holds what it processed).
     */
    long heldBytes(final int node)
    {
        return sources[node].log.bytes();
    }

    /**
     * Leave the cluster (a drain): this node reports that it sees nobody, so the others form a view without it,
     * and it forms one alone. Its members should be gone first ({@link #requestsPending()}).
     */
    void leave()
    {
        if (!leaving)
        {
            leaving = true;
            log.notice("leaving", "view=" + viewId + " nodes=" + names(members));
            sendLinkStates();
        }
    }

    /**
     * @return true once a {@link #leave()} is done: this node is alone in its view and no change is running.
     */
    boolean left()
    {
        return leaving && members == selfBit && flush == null && proposal == null;
    }

    /**
     * @return true while joins, leaves or disconnects of local members wait to be installed.
     */
    boolean requestsPending()
    {
        return !requests.isEmpty();
    }

    /**
     * @return the name of the node that orders AGREED messages and events in this view.
     */
    String sequencerName()
    {
        return nodeNames.name(sequencer);
    }

    /**
     * @param node a node index.
     * @return true when the node is reachable now (this node included).
     */
    boolean isAlive(final int node)
    {
        return (aliveMask(clock.nanoTime()) & (1L << node)) != 0;
    }

    // ---------------------------------------------------------------- local members

    /**
     * A local member's DATA frame, validated and with its sender filled in: stamp it with this node's next stream
     * position, deliver it locally and send it on, or hand it to the sequencer.
     *
     * @param sender the member.
     * @param buffer frame bytes (stamped in place).
     * @param offset frame start.
     * @param length frame length.
     */
    void onClientData(final ClientSession sender, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        if (flushMarkSent)
        {
            if (held.append(0, 0, buffer, offset, length) < 0)
            {
                log.warn("dropped", "reason=\"view change backlog full\"");
            }
            return;
        }
        final int service = DataFrame.service(buffer, offset);
        if (ServiceType.isOrdered(service) && sequencer != self)
        {
            submit(buffer, offset, length, true);
            return;
        }
        final long seq = nextSeq++;
        DataFrame.stamp(buffer, offset, seq);
        final Inbound own = sources[self];
        if (ServiceType.isOrdered(service))
        {
            // the sequencer's own: in its stream, to every member
            append(seq, members, buffer, offset, length);
            advance(own);
            return;
        }
        if (own.log.recordAt(own.cursor) >= own.log.tail() && !own.done && own.markAt == 0 &&
            local.deliverIfRoom(sender, buffer, offset, length, flowControl()) == null)
        {
            // nothing of this node's stream waits: delivered now; send on only what other nodes want
            final long route = local.routed() & members & ~selfBit;
            if (route != 0)
            {
                append(seq, route, buffer, offset, length);
                own.cursor = out.tail();
            }
            own.processedSeq = seq;
        }
        else
        {
            final long route = local.route(buffer, offset, length) & members & ~selfBit;
            append(seq, route | selfBit, buffer, offset, length);
            advanceFrom(own);
        }
    }

    /**
     * Send an AGREED/SAFE/CAUSAL frame to the sequencer and keep a copy until it comes back in the order.
     */
    private void submit(final MutableDirectBuffer buffer, final int offset, final int length, final boolean keep)
    {
        if (keep && submits.append(0, 0, buffer, offset, length) < 0)
        {
            log.warn("dropped", "reason=\"unordered submissions backlog full\"");
            return;
        }
        final long seq = nextSeq++;
        DataFrame.stamp(buffer, offset, seq);
        StreamFrame.submit(buffer, offset, true);
        append(seq, 1L << sequencer, buffer, offset, length);
        StreamFrame.submit(buffer, offset, false);
        advanceFrom(sources[self]);
    }

    /**
     * A local member asks to join a group.
     *
     * @return null when requested, else why not.
     */
    String onJoin(final ClientSession session, final String group, final long correlation, final int maxGroups)
    {
        if (session.requested.contains(group))
        {
            return "already a member of group '" + group + "'";
        }
        if (session.requested.size() >= maxGroups)
        {
            return "member " + session.memberId + " is in " + session.requested.size() +
                " groups already (max_groups_per_client=" + maxGroups + ")";
        }
        session.requested.add(group);
        request(new Request(EventFrame.OP_JOIN, group, session.name(), correlation));
        return null;
    }

    /**
     * A local member asks to leave a group.
     *
     * @return null when requested, else why not.
     */
    String onLeave(final ClientSession session, final String group, final long correlation)
    {
        if (!session.requested.remove(group))
        {
            return "not a member of group '" + group + "'";
        }
        request(new Request(EventFrame.OP_LEAVE, group, session.name(), correlation));
        return null;
    }

    /**
     * A local member's connection closed: it leaves every group.
     *
     * @param session the member.
     */
    void onClientGone(final ClientSession session)
    {
        session.closing = true;
        if (!session.requested.isEmpty() || !session.groups.isEmpty())
        {
            session.requested.clear();
            request(new Request(EventFrame.OP_DISCONNECT, "", session.name(), 0));
        }
    }

    private void request(final Request request)
    {
        requests.add(request);
        if (!flushMarkSent)
        {
            sendRequest(request);
        }
    }

    private void sendRequest(final Request r)
    {
        if (sequencer == self)
        {
            sequenceEvent(r.op, self, r.group, r.member);
        }
        else
        {
            final long seq = nextSeq++;
            final int length = EventFrame.encode(
                scratch, 0, FrameType.EVENT_REQUEST, seq, 0, r.op, self, r.group, r.member);
            append(seq, 1L << sequencer, scratch, 0, length);
            advanceFrom(sources[self]);
        }
    }

    // ---------------------------------------------------------------- the stream

    private void append(final long seq, final long route, final DirectBuffer buffer, final int offset, final int length)
    {
        final long before = out.tail();
        final long position = out.append(seq, route, buffer, offset, length);
        if (position < 0)
        {
            // the stream may not drop a frame: this only happens past max log bytes, after clients were paused
            throw new IllegalStateException("stream log of node " + nodeNames.name(self) + " is full (" + out.bytes() +
                " bytes): members are not processing");
        }
        for (long mask = route & ~selfBit; mask != 0; mask &= mask - 1)
        {
            final int node = Long.numberOfTrailingZeros(mask);
            final Peer peer = peers[node];
            if (peer.sendPosition >= before && streamsTo(node) && position < windowEnd(peer))
            {
                // the peer has all before it: send the frame from where it is, without walking the log (when the
                // link does not take it now, the end of the turn pumps it from the log)
                if (transport.offer(node, buffer, offset, length, true))
                {
                    peer.sentSeq = seq;
                    peer.sendPosition = out.tail();
                }
            }
            else
            {
                pump(node);
            }
        }
        updateBackPressure();
    }

    private void appendMarker(final int type, final long value, final long route)
    {
        final long seq = nextSeq++;
        final int length = MarkFrame.encode(scratch, 0, type, seq, value);
        append(seq, route, scratch, 0, length);
    }

    /**
     * Send a peer what it has not got of this node's stream, while its link takes it.
     */
    private void pump(final int node)
    {
        final Peer peer = peers[node];
        final long bit = 1L << node;
        if (!streamsTo(node))
        {
            // a node outside this view gets nothing of this stream: what was routed to it before it left may be
            // discarded already, and what followed would reach it past that hole (it would deliver an event at a
            // MARK without the messages this node delivered before it); a view that takes it in starts it again
            return;
        }
        long p = out.recordAt(Math.max(peer.sendPosition, out.head()));
        final long tail = out.tail();
        final long window = windowEnd(peer);
        while (p < tail)
        {
            if ((out.route(p) & bit) != 0)
            {
                if (p >= window ||
                    !transport.offer(node, out.buffer(), out.frameOffset(p), out.frameLength(p), true))
                {
                    break;
                }
            }
            // passed, sent or not meant for the peer: its LINK_STATE says so, so it can acknowledge past it
            peer.sentSeq = out.seq(p);
            p = out.next(p);
        }
        peer.sendPosition = p;
    }

    /** @return true when the node gets this stream now: its link streams and it is in this view. */
    private boolean streamsTo(final int node)
    {
        return peers[node].streaming && (members & (1L << node)) != 0;
    }

    /**
     * Flow control: at most a window of this stream beyond what the peer has processed is on its way to it.
     *
     * @return the first position the peer may not be sent yet.
     */
    private long windowEnd(final Peer peer)
    {
        return Math.max(peer.ackPosition, out.head()) + STREAM_WINDOW;
    }

    /**
     * Send every link what its buffer now takes; called at the end of each loop turn.
     */
    void pumpAll()
    {
        for (int i = 0; i < nodeCount; i++)
        {
            if (i != self && peers[i].streaming && peers[i].sendPosition < out.tail())
            {
                pump(i);
            }
        }
    }

    private void updateBackPressure()
    {
        final boolean full = out.bytes() > LOG_HIGH_WATER || (logFull && out.bytes() > LOG_LOW_WATER);
        if (full != logFull)
        {
            logFull = full;
            log.info(full ? "stream-full" : "stream-drained", "bytes=" + out.bytes());
            updatePause();
        }
    }

    private void updatePause()
    {
        final boolean pause = logFull || flushMarkSent;
        if (pause != clientsPaused)
        {
            clientsPaused = pause;
            local.pauseClients(pause);
        }
    }

    // ---------------------------------------------------------------- frames from peers

    /**
     * A frame from a peer whose handshake is done.
     *
     * @param node   the peer.
     * @param buffer frame bytes.
     * @param offset frame start.
     * @param length frame length.
     * @return null, or why the frame is bad (the caller closes the link).
     */
    String onFrame(final int node, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final Peer peer = peers[node];
        final long now = clock.nanoTime();
        // a coordinator leaves a member out only after a full peer timeout of silence: a shorter gap, with a
        // margin for timer granularity, cannot hide a view this node was left out of
        if (peer.lastHeardNs != 0 && now - peer.lastHeardNs > peerTimeoutNs / 4 * 3 && !peer.stale &&
            (members & (1L << node)) != 0)
        {
            peer.stale = true;
            log.info("peer-gap", "node=" + nodeNames.name(node) + " silent_ms=" + (now - peer.lastHeardNs) / 1_000_000 +
                " reason=\"a long silence: a view change resynchronizes before anything more of it is ordered\"");
        }
        peer.lastHeardNs = now;
        final int type = FrameHeader.type(buffer, offset);
        if (StreamFrame.isStreamType(type))
        {
            if (length < StreamFrame.SEQ_OFFSET + 8)
            {
                return FrameType.name(type) + " too short for a stream position";
            }
            if (StreamFrame.isRecovered(buffer, offset))
            {
                return onRecovered(node, buffer, offset, length);
            }
            return onStreamFrame(node, buffer, offset, length, type);
        }
        switch (type)
        {
            case FrameType.LINK_STATE:
                return onLinkState(node, buffer, offset, length);
            case FrameType.PROPOSE:
            case FrameType.FLUSH_OK:
            case FrameType.RECOVER_DONE:
            case FrameType.STATE_DONE:
            case FrameType.VIEW_NACK:
            case FrameType.VIEW_REQUEST:
            {
                final String error = viewChange.wrap(buffer, offset, length);
                if (error != null)
                {
                    return error;
                }
                onViewChange(node, type);
                return null;
            }
            case FrameType.STATE:
                return onState(node, buffer, offset, length);
            case FrameType.HEARTBEAT:
                return null;
            default:
                return "unexpected " + FrameType.name(type) + " from peer " + nodeNames.name(node);
        }
    }

    private String onStreamFrame(
        final int node, final MutableDirectBuffer buffer, final int offset, final int length, final int type)
    {
        final Inbound source = sources[node];
        final long seq = StreamFrame.seq(buffer, offset);
        if (seq <= source.receivedSeq)
        {
            return null; // sent again after a link came back: already held
        }
        final long bit = 1L << node;
        if (flush != null && (members & bit) != 0 && (flush.target & bit) == 0)
        {
            // a member this view change leaves out: the survivors settle what each holds of its stream by their
            // FLUSH_OKs, so a frame that reaches this node only now must not be delivered here alone; it comes
            // again, after what this node holds, on a later link
            transport.close(node, "left out of view " + flush.proposal + ": its stream waits for a later view");
            return null;
        }
        final String error = validate(type, buffer, offset, length);
        if (error != null)
        {
            return error;
        }
        final String forged = forgedIdentity(node, node, type, buffer, offset);
        if (forged != null)
        {
            return forged;
        }
        if (type == FrameType.DATA && mayProcessUnheld(source) && processData(source, buffer, offset, length, seq))
        {
            // processed from the link's buffer: holding it would only copy it into the log for discardHeld to drop
            // at the end of this turn (a frame that must wait is held below and tried again like any other)
            source.receivedSeq = seq;
            source.processedSeq = seq;
            countProcessed(length);
            advanceFrom(source);
            return null;
        }
        if (source.log.append(seq, 0, buffer, offset, length) < 0)
        {
            return "holding " + source.log.bytes() + " bytes of " + nodeNames.name(node) + "'s stream: it is not stable";
        }
        source.receivedSeq = seq;
        if (type == FrameType.EVENT && node == sequencer && source.receiptView == viewId)
        {
            // (an event of another view, in the tail of a stream from before a merge, is not this view's)
            onEventArrived();
        }
        else if (type == FrameType.FLUSH_MARK)
        {
            source.flushMarkSeq = seq;
        }
        if (type != FrameType.DATA && type != FrameType.EVENT_REQUEST)
        {
            onHeldMark(source, type);
        }
        advanceFrom(source);
        if (flush != null)
        {
            checkFlush();
        }
        return null;
    }

    /**
     * A frame of this stream may skip the log when nothing of the stream waits before it and no node but its origin
     * and this one is in the view: no third node can ever need it from this node (a survivor hands on what it holds
     * only to other survivors of the view, for nodes that left it), and outside a view change nothing else reads a
     * processed frame of another node's stream.
     */
    private boolean mayProcessUnheld(final Inbound s)
    {
        return flush == null && (members & ~selfBit) == 1L << s.node && !s.frozen && !s.done &&
            s.streamView == viewId && s.log.recordAt(s.cursor) >= s.log.tail();
    }

    /**
     * Identity binding, on a validated stream frame: a node speaks for its own members only. A DATA frame's sender
     * is a member of the node that originated it (its {@code origin}); only the sequencer's ordered copies carry
     * other nodes' members, and those must be members of a node of the peers list. An EVENT_REQUEST is for a member
     * of its origin; an EVENT names a node of the list. The check compares the sender's node part as bytes.
     *
     * @return null, or why the frame is refused (starts with {@link #FORGED}).
     */
    private String forgedIdentity(
        final int from, final int origin, final int type, final DirectBuffer buffer, final int offset)
    {
        if (type == FrameType.DATA)
        {
            if (!StreamFrame.isOrdered(buffer, offset))
            {
                return DataFrame.senderIsOn(buffer, offset, nodeNames.bytes(origin), nodeNames.words(origin)) ? null :
                    FORGED + "DATA from " + nodeNames.name(from) + " names sender '" + dataFrame.sender() +
                    "', not a member of " + nodeNames.name(origin);
            }
            return senderNode(buffer, offset) >= 0 ? null : FORGED + "ordered DATA from " + nodeNames.name(from) +
                " names sender '" + dataFrame.sender() + "', a member of no node of the peers list";
        }
        if (type == FrameType.EVENT_REQUEST && eventFrame.node() != origin)
        {
            return FORGED + "EVENT_REQUEST from " + nodeNames.name(from) + " is for a member of node index " +
                eventFrame.node() + ", not of " + nodeNames.name(origin);
        }
        if (type == FrameType.EVENT && eventFrame.node() >= nodeCount)
        {
            return FORGED + "EVENT from " + nodeNames.name(from) + " names node index " + eventFrame.node() + " of " +
                nodeCount;
        }
        return null;
    }

    private String validate(final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        switch (type)
        {
            case FrameType.MARK:
            case FrameType.FLUSH_MARK:
            case FrameType.VIEW_START:
                return markFrame.wrap(buffer, offset, length);
            case FrameType.EVENT:
            case FrameType.EVENT_REQUEST:
                return eventFrame.wrap(buffer, offset, length);
            default:
                return dataFrame.wrap(buffer, offset, length);
        }
    }

    /** An event arrived in the sequencer's stream: route to its joiner from now on, and mark it this turn. */
    private void onEventArrived()
    {
        final long index = eventFrame.index();
        if (index > arrivedEvent)
        {
            arrivedEvent = index;
            if (eventFrame.op() == EventFrame.OP_JOIN)
            {
                table.routeTo(eventFrame.group(), eventFrame.node());
            }
            marksDue = true;
        }
    }

    /**
     * A marker arrived from the stream's origin itself: this node holds the stream with no hole up to there. Called
     * for the frame {@link #validate} just wrapped.
     */
    private void onHeldMark(final Inbound source, final int type)
    {
        switch (type)
        {
            case FrameType.VIEW_START:
                source.receiptView = markFrame.value();
                source.heldMark = 0;
                return;
            case FrameType.MARK:
                source.heldMark = Math.max(source.heldMark, markFrame.value());
                break;
            case FrameType.EVENT:
                source.heldMark = Math.max(source.heldMark, eventFrame.index());
                break;
            case FrameType.FLUSH_MARK:
                source.heldMark = Long.MAX_VALUE;
                break;
            default:
                return;
        }
        final long before = heldEvent;
        if (heldEvent() > before)
        {
            reportDue = true; // members waiting to install an event learn it from the next LINK_STATE
        }
    }

    /**
     * @return the highest event index of this view through which this node holds every other member's stream as
     *         received from that member: no frame meant for it before that event can be missing, so if a member
     *         fails, every survivor that delivers the event delivered everything its origin sent it before.
     *         Frozen from the FLUSH_MARK on, so what the FLUSH_OK says bounds what any LINK_STATE said.
     */
    private long heldEvent()
    {
        if (flushMarkSent)
        {
            return frozenHeld;
        }
        long held = Long.MAX_VALUE;
        for (long mask = members & ~selfBit; mask != 0 && held > heldEvent; mask &= mask - 1)
        {
            final Inbound s = sources[Long.numberOfTrailingZeros(mask)];
            held = Math.min(held, s.receiptView == viewId ? s.heldMark : 0);
        }
        if (held > heldEvent)
        {
            heldEvent = Math.min(held, Integer.MAX_VALUE);
        }
        return heldEvent;
    }

    /**
     * End of a loop turn: put one MARK in this node's stream for every event that arrived during the turn, and
     * report progress when a SAFE message or a lot of processing waits for it.
     */
    void endTurn()
    {
        if (anyBlocked)
        {
            retryBlocked();
        }
        if (logFull)
        {
            collect(); // clients wait for the log to drain: do not leave that to the next heartbeat
        }
        if (marksDue)
        {
            marksDue = false;
            if (!flushMarkSent && arrivedEvent > markedEvent && sequencer != self)
            {
                markedEvent = arrivedEvent;
                appendMarker(FrameType.MARK, markedEvent, members);
                advanceFrom(sources[self]);
            }
        }
        if (reportDue)
        {
            reportDue = false;
            reportedBytes = 0;
            sendLinkStates();
        }
        discardHeld();
        pumpAll();
    }

    /**
     * The peers list was reloaded (nodes appended, or the last ones dropped: {@link NodeNames}). New nodes get their
     * state; dropped ones stop counting as alive, so the next view leaves them out.
     */
    void onPeersChanged()
    {
        for (int i = nodeCount; i < nodeNames.highWater(); i++)
        {
            sources[i] = new Inbound(i, i == self ? out : new FrameLog(64 << 10, maxLogBytes));
            peers[i] = new Peer();
        }
        nodeCount = nodeNames.highWater();
    }

    // ---------------------------------------------------------------- flow control towards local members

    /**
     * Streams wait for a local member's full buffer only outside view changes: a change must end in bounded time,
     * so during one a member whose buffer overflows is cut as before.
     */
    private boolean flowControl()
    {
        return flush == null && !transitionalMode;
    }

    private void block(final Inbound s, final ClientSession blocker)
    {
        s.blockedBy = blocker;
        anyBlocked = true;
        if (blocker.blockedSinceNs == 0)
        {
            blocker.blockedSinceNs = clock.nanoTime();
            blocker.blockedPending = blocker.out.pendingBytes();
        }
    }

    /**
     * Each turn while streams wait for members: go on where a member has read enough, cut a member that read
     * nothing for {@code slow_consumer_timeout}.
     */
    private void retryBlocked()
    {
        anyBlocked = false;
        final long now = clock.nanoTime();
        for (int i = 0; i < nodeCount; i++)
        {
            final Inbound s = sources[i];
            final ClientSession blocker = s.blockedBy;
            if (blocker == null)
            {
                continue;
            }
            s.blockedBy = null;
            if (!blocker.closing)
            {
                final int pending = blocker.out.pendingBytes();
                if (pending < blocker.blockedPending)
                {
                    blocker.blockedPending = pending;
                    blocker.blockedSinceNs = now;
                }
                else if (now - blocker.blockedSinceNs > slowConsumerTimeoutNs)
                {
                    local.cutSlowConsumer(blocker, (now - blocker.blockedSinceNs) / 1_000_000);
                }
            }
            advanceFrom(s);
            if (!isBlocking(blocker))
            {
                blocker.blockedSinceNs = 0;
            }
        }
    }

    private boolean isBlocking(final ClientSession session)
    {
        for (int i = 0; i < nodeCount; i++)
        {
            if (sources[i].blockedBy == session)
            {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- processing streams in order

    private void drainAll()
    {
        boolean progress = true;
        for (int rounds = 0; progress && rounds < 1_000_000; rounds++)
        {
            progress = false;
            wakeAll = false;
            for (int i = 0; i < nodeCount; i++)
            {
                progress |= advance(sources[i]);
            }
            progress |= wakeAll;
        }
    }

    /** Process one stream after something arrived for it, and every stream if that may unblock others. */
    private void advanceFrom(final Inbound source)
    {
        advance(source);
        if (wakeAll)
        {
            drainAll();
        }
    }

    /**
     * Process a stream's frames in order until one must wait.
     *
     * @return true when the cursor moved.
     */
    private boolean advance(final Inbound s)
    {
        if (s.frozen)
        {
            return false;
        }
        final FrameLog frames = s.log;
        boolean progressed = false;
        while (true)
        {
            final long p = frames.recordAt(s.cursor);
            if (p >= frames.tail())
            {
                s.cursor = p;
                return progressed;
            }
            s.cursor = p;
            final long seq = frames.seq(p);
            final UnsafeBuffer buffer = frames.buffer();
            final int offset = frames.frameOffset(p);
            final int length = frames.frameLength(p);
            final int type = FrameHeader.type(buffer, offset);
            if (s.node == self && (frames.route(p) & selfBit) == 0)
            {
                // sent on for others only (a submission, a request to the sequencer)
                s.cursor = frames.next(p);
                s.processedSeq = seq;
                continue;
            }
            if (type == FrameType.VIEW_START)
            {
                markFrame.wrap(buffer, offset, length);
                final long view = markFrame.value();
                if (view != viewId && flush != null && view == flush.proposal)
                {
                    return progressed; // the origin installed the view this node is about to install
                }
                s.streamView = view;
                s.done = false;
            }
            else if (s.streamView != viewId)
            {
                // a frame of a view this node never installed: not for it
                s.done = false;
            }
            else if (s.done)
            {
                return progressed;
            }
            else if (!process(s, type, buffer, offset, length, seq))
            {
                return progressed;
            }
            s.processedSeq = seq;
            s.cursor = frames.next(p);
            progressed = true;
            countProcessed(length);
        }
    }

    /** Processed bytes of other streams are acknowledged in a LINK_STATE once they add up to a report's worth. */
    private void countProcessed(final int length)
    {
        reportedBytes += length;
        if (reportedBytes > REPORT_BYTES)
        {
            reportDue = true;
        }
    }

    /**
     * @return false when the frame must wait; the cursor stays on it.
     */
    private boolean process(
        final Inbound s, final int type, final UnsafeBuffer buffer, final int offset, final int length, final long seq)
    {
        switch (type)
        {
            case FrameType.DATA:
                return processData(s, buffer, offset, length, seq);
            case FrameType.MARK:
            {
                markFrame.wrap(buffer, offset, length);
                final long index = markFrame.value();
                if (index > installedEvent && !transitionalMode)
                {
                    if (s.markAt != index)
                    {
                        s.markAt = index;
                        wakeAll = true; // the sequencer's stream may be waiting for this mark
                    }
                    return false;
                }
                s.markAt = 0;
                return true;
            }
            case FrameType.EVENT:
                // in the transitional configuration the old view's remaining events are not installed: the nodes
                // that left may have installed them among other messages; the next view settles membership
                return s.node != sequencer || transitionalMode || tryInstall(buffer, offset, length);
            case FrameType.EVENT_REQUEST:
                if (!sequencing || peers[s.node].stale)
                {
                    return true; // its origin asks again after the view change
                }
                if (logFull)
                {
                    return false;
                }
                eventFrame.wrap(buffer, offset, length);
                sequenceEvent(eventFrame.op(), s.node, eventFrame.group(), eventFrame.member());
                return true;
            case FrameType.FLUSH_MARK:
                s.done = true;
                wakeAll = true;
                return true;
            default:
                return true;
        }
    }

    private boolean processData(
        final Inbound s, final DirectBuffer buffer, final int offset, final int length, final long seq)
    {
        if (StreamFrame.isSubmit(buffer, offset))
        {
            if (!sequencing || peers[s.node].stale)
            {
                return true; // its origin settles it in the view change: in the order, or at the end of the view
            }
            if (logFull)
            {
                return false;
            }
            final long ordered = nextSeq++;
            // the sequencer's copy: in its own stream, to every member, with its own position
            scratch.putBytes(0, buffer, offset, length);
            StreamFrame.ordered(scratch, 0);
            DataFrame.stamp(scratch, 0, ordered);
            append(ordered, members, scratch, 0, length);
            advance(sources[self]);
            return true;
        }
        final int service = DataFrame.service(buffer, offset);
        if (s.node == sequencer && ServiceType.isSafe(service) && !transitionalMode && !(completing && !lostNodes))
        {
            if (!s.holdingSafe)
            {
                // held: every member must hear so, and the message waits until every member holds it
                s.holdingSafe = true;
                s.processedSeq = seq;
                reportDue = true;
            }
            if (!stable(s.node, seq))
            {
                return false;
            }
            s.holdingSafe = false;
        }
        final ClientSession blocker = local.deliverIfRoom(null, buffer, offset, length, flowControl());
        if (blocker != null)
        {
            // the stream waits for the member to read: its sources fill their logs and stop their senders
            block(s, blocker);
            return false;
        }
        if (s.node == sequencer && ServiceType.isOrdered(service))
        {
            final int submitter = senderNode(buffer, offset);
            if (submitter >= 0)
            {
                orderedFrom[submitter]++;
            }
            if (submitter == self && s.node != self && !submits.isEmpty())
            {
                // one of this node's submissions came back in the order
                submits.discardThrough(submits.seq(submits.head()), submits.next(submits.head()));
            }
        }
        return true;
    }

    private int senderNode(final DirectBuffer buffer, final int offset)
    {
        for (int i = 0; i < nodeCount; i++)
        {
            if (DataFrame.senderIsOn(buffer, offset, nodeNames.bytes(i), nodeNames.words(i)))
            {
                return i;
            }
        }
        return -1;
    }

    private void sequenceEvent(final int op, final int node, final String group, final String member)
    {
        if (nextEventIndex >= LAST_EVENT_SLOT)
        {
            // out of event slots in this node view: a new view with the same nodes starts the count again; the
            // request waits in its origin's queue and is made again there
            if (proposal == null)
            {
                propose(members);
            }
            return;
        }
        final long seq = nextSeq++;
        final long index = ++nextEventIndex;
        final int length = EventFrame.encode(scratch, 0, FrameType.EVENT, seq, index, op, node, group, member);
        eventFrame.wrap(scratch, 0, length);
        arrivedEvent = index;
        markedEvent = index;
        if (op == EventFrame.OP_JOIN)
        {
            table.routeTo(group, node);
        }
        append(seq, members, scratch, 0, length);
        advance(sources[self]);
    }

    /**
     * The sequencer's stream is at an event: install it when every member's stream has reached its MARK.
     */
    private boolean tryInstall(final UnsafeBuffer buffer, final int offset, final int length)
    {
        eventFrame.wrap(buffer, offset, length);
        final long index = eventFrame.index();
        if (index <= installedEvent)
        {
            return true;
        }
        for (long mask = members & ~(1L << sequencer); mask != 0; mask &= mask - 1)
        {
            final Inbound s = sources[Long.numberOfTrailingZeros(mask)];
            // a stream that ended with its node's FLUSH_MARK sent everything before the event; one that ended
            // because its node left, without either, did not say where the event falls in it
            if (!(s.done || s.markAt >= index))
            {
                return false;
            }
        }
        if (!heldByAll(index))
        {
            return false;
        }
        installedEvent = index;
        wakeAll = true;
        final int node = eventFrame.node();
        final String refused = table.apply(
            eventFrame.op(), node, eventFrame.member(), eventFrame.group(), viewId << SLOT_BITS | index);
        if (node == self)
        {
            // this node's requests come back in the order it made them
            final Request r = requests.poll();
            if (refused != null && r != null)
            {
                local.refused(r.member, r.group, r.correlation, "JOIN refused: " + refused);
            }
        }
        if (installedEvent >= arrivedEvent)
        {
            table.settleRoutes();
        }
        return true;
    }

    /**
     * An event is installed only where every member holds every stream up to it as received from its origin: a frame
     * recovered from a third node after a failure may follow a hole that no survivor can see (frames are routed only
     * to the nodes with members in their groups). While the old view completes with lost nodes, the survivors'
     * FLUSH_OKs settle it the same way everywhere; LINK_STATEs never said more than those (frozen at FLUSH_MARK).
     */
    private boolean heldByAll(final long index)
    {
        if (completing)
        {
            return !lostNodes || index <= agreedHeld;
        }
        if (heldEvent() < index)
        {
            return false; // frozen lower by this node's FLUSH_MARK: its FLUSH_OK said so
        }
        for (long mask = members & ~selfBit; mask != 0; mask &= mask - 1)
        {
            final Peer peer = peers[Long.numberOfTrailingZeros(mask)];
            if (peer.heldView != viewId || peer.heldEvent < index)
            {
                return false;
            }
        }
        return true;
    }

    /** @return the highest position of the sequencer's stream this node knows every member has processed. */
    private long knownStable()
    {
        long known = sources[sequencer].processedSeq;
        for (long mask = members & ~selfBit; mask != 0; mask &= mask - 1)
        {
            known = Math.min(known, peers[Long.numberOfTrailingZeros(mask)].processed[sequencer]);
        }
        return known;
    }

    private boolean stable(final int node, final long seq)
    {
        if (completing && seq <= survivorsKnownStable)
        {
            return true; // a survivor knew every member held it: it was safe in the regular view
        }
        if (flushMarkSent)
        {
            return seq <= frozenStable;
        }
        for (long mask = members & ~selfBit; mask != 0; mask &= mask - 1)
        {
            if (peers[Long.numberOfTrailingZeros(mask)].processed[node] < seq)
            {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- links

    /**
     * A peer's handshake finished.
     *
     * @param node              the peer.
     * @param peerIncarnation   its incarnation.
     * @return null when accepted, else why the link must be refused.
     */
    String onLinkUp(final int node, final long peerIncarnation)
    {
        final Peer peer = peers[node];
        final Inbound source = sources[node];
        if (source.incarnation != peerIncarnation)
        {
            if ((members & (1L << node)) != 0 && source.incarnation != 0)
            {
                // the old incarnation must leave the view first: its stream may still be needed by survivors
                peer.restarted = true;
                return "node " + nodeNames.name(node) + " restarted; it can rejoin once its old incarnation left view " +
                    viewId;
            }
            source.reset(peerIncarnation);
            peer.resumeFloor = out.tail();
            peer.sentSeq = 0;
        }
        peer.incarnation = peerIncarnation;
        peer.restarted = false;
        peer.gone = false;
        peer.up = true;
        peer.streaming = false;
        // "sent" speaks of this connection: nothing yet (what the old one sent may be lost with it)
        peer.sentSeq = 0;
        peer.lastHeardNs = clock.nanoTime();
        sendLinkState(node);
        return null;
    }

    /**
     * A peer's link closed. The peer stays in the view for {@code peer_timeout_ms}: a link that comes back sooner
     * resumes where it broke.
     *
     * @param node the peer.
     */
    void onLinkDown(final int node)
    {
        final Peer peer = peers[node];
        peer.up = false;
        peer.streaming = false;
    }

    /**
     * A dial was refused outright (nothing listens): the node is gone, no need to wait for the timeout.
     *
     * @param node the peer.
     */
    void onPeerGone(final int node)
    {
        peers[node].gone = true;
    }

    private String onLinkState(final int node, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final String error = linkState.wrap(buffer, offset, length);
        if (error != null)
        {
            return error;
        }
        final Peer peer = peers[node];
        final Inbound source = sources[node];
        observe(linkState.viewId());
        peer.view = linkState.viewId();
        peer.alive = linkState.alive();
        final int count = Math.min(linkState.count(), nodeCount);
        final boolean sameView = linkState.viewId() == viewId;
        if (sameView)
        {
            // what a node in another view passed on says nothing of this view: it may have dropped, unsent, frames
            // it routed here before it left (a survivor must then still get them from the others)
            source.sentHint = Math.max(source.sentHint, linkState.sent());
        }
        for (int i = 0; i < count; i++)
        {
            peer.processed[i] = sameView ? Math.max(peer.processed[i], linkState.processed(i)) : 0;
        }
        if (peer.heldView != linkState.viewId())
        {
            peer.heldView = linkState.viewId();
            peer.heldEvent = 0;
        }
        final boolean heldMore = linkState.heldEvent() > peer.heldEvent;
        peer.heldEvent = Math.max(peer.heldEvent, linkState.heldEvent());
        // the window's start: the first frame of this node's stream the peer has not processed (the log's index
        // finds it without reading the frames passed)
        peer.ackPosition = out.firstAfter(peer.processed[self], Math.max(peer.ackPosition, out.head()),
            peer.sendPosition);
        if (!peer.streaming && peer.up)
        {
            // the peer holds our stream up to here: a new link resumes right after it
            peer.sendPosition = Math.max(peer.resumeFloor, out.firstAfter(linkState.received()));
            peer.ackPosition = peer.sendPosition;
            peer.streaming = true;
            pump(node);
        }
        if (sources[sequencer].holdingSafe || heldMore && sameView && installedEvent < arrivedEvent)
        {
            advanceFrom(sources[sequencer]);
        }
        collect();
        return null;
    }

    private void sendLinkStates()
    {
        for (int i = 0; i < nodeCount; i++)
        {
            if (i != self && peers[i].up)
            {
                sendLinkState(i);
            }
        }
    }

    private void sendLinkState(final int node)
    {
        for (int i = 0; i < nodeCount; i++)
        {
            vector[i] = (members & (1L << i)) != 0 ? sources[i].horizon() : 0;
        }
        final int length = LinkStateFrame.encode(scratch, 0, epochClock.time(), peers[node].sentSeq,
            sources[node].heldHorizon(), viewId, aliveMask(clock.nanoTime()), (int)heldEvent(), vector, nodeCount);
        transport.offer(node, scratch, 0, length, false);
    }

    /**
     * Drop what every member has processed: from this node's stream, and from what it holds of each other.
     */
    private void collect()
    {
        long limit = sources[self].cursor;
        for (long mask = members & ~selfBit; mask != 0; mask &= mask - 1)
        {
            final int m = Long.numberOfTrailingZeros(mask);
            limit = Math.min(limit, peers[m].streaming ? peers[m].sendPosition : out.head());
        }
        // a frame of this node's stream goes once every node it was routed to has processed it; every node has
        // processed those through `done`, whatever their route: they are passed without reading them
        long done = sources[self].processedSeq;
        for (long mask = members & ~selfBit; mask != 0; mask &= mask - 1)
        {
            done = Math.min(done, peers[Long.numberOfTrailingZeros(mask)].processed[self]);
        }
        long stable = done;
        for (long p = out.firstAfter(done, out.head(), limit); p < limit && p < out.tail(); p = out.next(p))
        {
            final long seq = out.seq(p);
            if (!processedByRoute(out.route(p), seq))
            {
                break;
            }
            stable = seq;
        }
        out.discardThrough(stable, limit);
        discardHeld();
        updateBackPressure();
    }

    /**
     * Drop what this node holds of other nodes' streams once it has processed it and every other member holds it.
     * Called each turn, not only when a LINK_STATE comes: between two LINK_STATEs of the origin (a heartbeat
     * apart when it has nothing to process) a stream at full rate filled tens of megabytes, all written cold.
     */
    private void discardHeld()
    {
        for (long mask = members & ~selfBit; mask != 0; mask &= mask - 1)
        {
            final int x = Long.numberOfTrailingZeros(mask);
            final FrameLog log = sources[x].log;
            if (log.isEmpty() || log.headSeq() > sources[x].processedSeq)
            {
                continue;
            }
            long held = sources[x].processedSeq;
            for (long others = members & ~selfBit & ~(1L << x); others != 0; others &= others - 1)
            {
                held = Math.min(held, peers[Long.numberOfTrailingZeros(others)].processed[x]);
            }
            log.discardThrough(held, sources[x].cursor);
        }
    }

    private boolean processedByRoute(final long route, final long seq)
    {
        if ((route & selfBit) != 0 && sources[self].processedSeq < seq)
        {
            return false;
        }
        for (long mask = route & members & ~selfBit; mask != 0; mask &= mask - 1)
        {
            if (peers[Long.numberOfTrailingZeros(mask)].processed[self] < seq)
            {
                return false;
            }
        }
        return true;
    }

    private long aliveMask(final long nowNs)
    {
        long alive = selfBit;
        for (int i = 0; i < nodeCount && !leaving; i++)
        {
            final Peer peer = peers[i];
            // a node left out of this view change may come back only from another view: as a survivor of this
            // node's old view it would deliver that view's messages differently
            final boolean leftOut = (excluded & (1L << i)) != 0 && peer.view == viewId;
            if (i != self && i < nodeNames.count() && !peer.gone && !peer.restarted && !leftOut &&
                peer.lastHeardNs != 0 &&
                (peer.up || nowNs - peer.lastHeardNs < peerTimeoutNs))
            {
                alive |= 1L << i;
            }
        }
        return alive;
    }

    // ---------------------------------------------------------------- view changes

    /**
     * Every heartbeat: liveness, view changes to start or push on, progress reports to peers.
     */
    void tick()
    {
        final long now = clock.nanoTime();
        for (int i = 0; i < nodeCount; i++)
        {
            final Peer peer = peers[i];
            if (i != self && peer.up && now - peer.lastHeardNs > peerTimeoutNs)
            {
                transport.close(i, "no frame for " + (now - peer.lastHeardNs) / 1_000_000 + " ms (peer_timeout_ms=" +
                    peerTimeoutNs / 1_000_000 + ")");
            }
        }
        if (flush == null && proposal == null)
        {
            closeStuckPeers(now);
        }
        sendLinkStates();
        collect();
        // a node left out ends its old view without those that moved on: they cannot take part in ending it, and
        // waiting for them to include it again waits for ever when a node of that old view has restarted since
        long alive = viewTarget(now) & ~movedOn();
        if (restartedMembers() != 0)
        {
            // this node refuses their new incarnations until this view is over, so nodes outside it cannot end it:
            // its survivors end it first, a merge follows
            alive &= members;
        }
        if (alive == 0)
        {
            // every node it could form a view with moved on without it, or does not reach it: it goes on alone first
            alive = selfBit;
        }
        if (proposal != null)
        {
            final boolean answered = (proposal.answered & proposal.target) == proposal.target;
            if (now > proposal.deadlineNs + (answered ? flushTimeoutNs * 3 : 0))
            {
                // members that did not answer, or a change that does not finish, are left behind
                final long target = (answered ? proposal.target : proposal.answered | selfBit) & alive;
                proposal = null;
                propose(target);
            }
            return;
        }
        final boolean stuck = flush != null && now - flush.startedNs > flushTimeoutNs * 4;
        if (alive == members && !viewBehind() && !stuck && (flush != null || !anyStale()))
        {
            return;
        }
        final int coordinator = Long.numberOfTrailingZeros(alive);
        if (coordinator == self)
        {
            propose(alive);
        }
        else if (now - peers[coordinator].lastRequestNs > flushTimeoutNs / 2)
        {
            peers[coordinator].lastRequestNs = now;
            final int length = ViewChangeFrame.encode(
                scratch, 0, FrameType.VIEW_REQUEST, 0, alive, viewId, 0, null, 0);
            transport.offer(coordinator, scratch, 0, length, false);
        }
    }

    /**
     * A member that keeps answering but processes nothing of this node's stream holds every member's stable point
     * (SAFE delivery, the logs, and at last every client) hostage: once it leaves at least {@code max_backlog}
     * frames unprocessed for a peer timeout, its link is closed and the next view goes on without it.
     */
    private void closeStuckPeers(final long now)
    {
        for (long mask = members & ~selfBit; mask != 0; mask &= mask - 1)
        {
            final int node = Long.numberOfTrailingZeros(mask);
            final Peer peer = peers[node];
            final long acked = peer.processed[self];
            final boolean waiting = peer.up && (peer.sentSeq > acked || peer.sendPosition < out.tail());
            if (!waiting || acked != peer.progressSeq || peer.progressNs == 0)
            {
                peer.progressSeq = acked;
                peer.progressNs = now;
            }
            else if (now - peer.progressNs > peerTimeoutNs)
            {
                final long queued = queuedFor(node, acked);
                if (queued >= maxBacklog)
                {
                    log.warn("peer-stuck", "node=" + nodeNames.name(node) + " queued=" + queued + " stalled_ms=" +
                        (now - peer.progressNs) / 1_000_000 + " max_backlog=" + maxBacklog);
                    peer.progressNs = now; // once per timeout, until the link is down
                    transport.close(node, "peer stuck: " + queued + " frames of " + nodeNames.name(self) +
                        "'s stream unprocessed, no progress for " + peerTimeoutNs / 1_000_000 +
                        " ms (max_backlog=" + maxBacklog + ")");
                }
            }
        }
    }

    /** Frames of this node's stream for {@code node} after the position it has processed. */
    private long queuedFor(final int node, final long acked)
    {
        final long bit = 1L << node;
        long queued = 0;
        for (long p = out.head(); p < out.tail(); p = out.next(p))
        {
            if (out.seq(p) > acked && (out.route(p) & bit) != 0)
            {
                queued++;
            }
        }
        return queued;
    }

    private boolean anyStale()
    {
        for (long mask = members & ~selfBit; mask != 0; mask &= mask - 1)
        {
            if (peers[Long.numberOfTrailingZeros(mask)].stale)
            {
                return true;
            }
        }
        return false;
    }

    /** A member of this view reports a later view this node is not in: it was left out and must move on. */
    private boolean viewBehind()
    {
        return movedOn() != 0;
    }

    /** The members of this view whose new incarnation tried to connect: the old one is gone. */
    private long restartedMembers()
    {
        long restarted = 0;
        for (long mask = members & ~selfBit; mask != 0; mask &= mask - 1)
        {
            final int node = Long.numberOfTrailingZeros(mask);
            if (peers[node].restarted)
            {
                restarted |= 1L << node;
            }
        }
        return restarted;
    }

    /** The members of this view that report a later view this node is not in: they moved on without it. */
    private long movedOn()
    {
        long movedOn = 0;
        for (long mask = members & ~selfBit; mask != 0; mask &= mask - 1)
        {
            final int node = Long.numberOfTrailingZeros(mask);
            final Peer peer = peers[node];
            if (peer.up && peer.view > viewId && (flush == null || peer.view != flush.proposal))
            {
                movedOn |= 1L << node;
            }
        }
        return movedOn;
    }

    private long clockCounter()
    {
        return Math.max(1, (long)((epochClock.time() - COUNTER_EPOCH_MS) / COUNTER_UNIT_MS));
    }

    private void observe(final long id)
    {
        highestCounter = Math.max(highestCounter, id >>> COORDINATOR_BITS);
    }

    private void propose(final long target)
    {
        if ((target & selfBit) == 0)
        {
            return; // the nodes this one reaches do not all reach it: the lowest of those that do proposes
        }
        highestCounter = Math.max(highestCounter + 1, clockCounter());
        final long id = highestCounter << COORDINATOR_BITS | self;
        proposal = new Proposal(id, target, clock.nanoTime() + flushTimeoutNs);
        log.info("view-propose", "proposal=" + id + " nodes=" + names(target));
        final int length = ViewChangeFrame.encode(scratch, 0, FrameType.PROPOSE, id, target, viewId, 0, null, 0);
        for (long mask = target & ~selfBit; mask != 0; mask &= mask - 1)
        {
            transport.offer(Long.numberOfTrailingZeros(mask), scratch, 0, length, false);
        }
        onPropose(self, id, target);
    }

    private void onViewChange(final int from, final int type)
    {
        final long id = viewChange.proposal();
        switch (type)
        {
            case FrameType.PROPOSE:
                onPropose(from, id, viewChange.nodes());
                break;
            case FrameType.FLUSH_OK:
            {
                // the sender's held horizons by node index, then what it knew stable (last, whatever its node count)
                final int count = viewChange.count();
                final long[] horizons = new long[HELD + 1];
                for (int i = 0; i < Math.min(count - 1, nodeCount); i++)
                {
                    horizons[i] = viewChange.vector(i);
                }
                horizons[NodeNames.MAX] = count > 0 ? viewChange.vector(count - 1) : 0;
                horizons[HELD] = viewChange.heldEvent();
                onFlushOk(from, id, viewChange.nodes(), viewChange.value(), horizons);
                break;
            }
            case FrameType.RECOVER_DONE:
                if (flush != null && id == flush.proposal)
                {
                    flush.recoverDoneMask |= 1L << from;
                    flush.confirmed[from] = viewChange.count() > 0 ? viewChange.vector(0) : 0;
                    checkFlush();
                }
                break;
            case FrameType.STATE_DONE:
                if (flush != null && id == flush.proposal)
                {
                    flush.stateDoneMask |= 1L << from;
                    if (flush.states[from] == null)
                    {
                        flush.states[from] = new ArrayList<>();
                    }
                    checkFlush();
                }
                break;
            case FrameType.VIEW_NACK:
                observe(viewChange.value());
                if (proposal != null && id == proposal.id)
                {
                    final long target = proposal.target;
                    proposal = null;
                    propose(target);
                }
                break;
            default: // VIEW_REQUEST
            {
                final long target = viewTarget(clock.nanoTime());
                final boolean member = (members & (1L << from)) != 0;
                // a member still in an older view never installed this one (a frame of the change was lost with a
                // link): it asks only once its change has been stuck for a while, so this view goes through again
                final boolean behind = member && viewChange.value() < viewId && flush == null;
                // a node outside the view asks in vain while it cannot be in one with every member (it is not in
                // all their peers lists yet, or some link to it is down): proposing again would only churn
                if ((viewChange.value() >= viewId || behind) && proposal == null &&
                    Long.numberOfTrailingZeros(target) == self && (member || target != members))
                {
                    propose(target);
                }
                break;
            }
        }
    }

    private void onPropose(final int from, final long id, final long target)
    {
        observe(id);
        if ((target & selfBit) == 0 || leaving && from != self)
        {
            return; // a leaving node answers no other node's proposal: it is left out when the answer does not come
        }
        if (id <= viewId || flush != null && id < flush.proposal)
        {
            final long known = Math.max(viewId, flush == null ? 0 : flush.proposal);
            final int length = ViewChangeFrame.encode(scratch, 0, FrameType.VIEW_NACK, id, 0, known, 0, null, 0);
            transport.offer(from, scratch, 0, length, false);
            return;
        }
        if (flush != null && id == flush.proposal)
        {
            sendFlushOk();
            return;
        }
        final long now = clock.nanoTime();
        if (!flushMarkSent)
        {
            log.info("view-flush", "view=" + viewId + " proposal=" + id + " nodes=" + names(target));
            sequencing = false;
            frozenHeld = heldEvent();
            flushMarkSent = true;
            // what this node says it knows is safe must stay what it delivers as safe until the view ends
            frozenStable = knownStable();
            appendMarker(FrameType.FLUSH_MARK, viewId, members);
            advance(sources[self]);
            updatePause();
        }
        final long newlyExcluded = members & ~target & ~excluded & ~selfBit;
        excluded |= newlyExcluded;
        for (long mask = newlyExcluded; mask != 0; mask &= mask - 1)
        {
            final int node = Long.numberOfTrailingZeros(mask);
            // it must notice it was left out, and may come back only in a later view
            transport.close(node, "left out of view " + id);
        }
        flush = new Flush(id, target, from, now);
        sendFlushOk();
        for (int i = 0; i < nodeCount && flush != null && flush.proposal == id; i++)
        {
            final EarlyOk answer = early[i];
            early[i] = null;
            if (answer != null && answer.id == id)
            {
                onFlushOk(i, answer.id, answer.alive, answer.oldView, answer.horizons);
            }
        }
    }

    private void sendFlushOk()
    {
        for (int i = 0; i < nodeCount; i++)
        {
            vector[i] = (members & (1L << i)) != 0 ? sources[i].heldHorizon() : 0;
        }
        vector[self] = nextSeq - 1;
        vector[nodeCount] = frozenStable;
        final long alive = aliveMask(clock.nanoTime());
        final int length = ViewChangeFrame.encode(
            scratch, 0, FrameType.FLUSH_OK, flush.proposal, alive, viewId, (int)frozenHeld, vector, nodeCount + 1);
        for (long mask = flush.target & ~selfBit; mask != 0; mask &= mask - 1)
        {
            transport.offer(Long.numberOfTrailingZeros(mask), scratch, 0, length, false);
        }
        final long[] own = new long[HELD + 1];
        System.arraycopy(vector, 0, own, 0, nodeCount);
        own[NodeNames.MAX] = frozenStable;
        own[HELD] = frozenHeld;
        onFlushOk(self, flush.proposal, alive, viewId, own);
    }

    private void onFlushOk(final int from, final long id, final long alive, final long oldView, final long[] horizons)
    {
        if (proposal != null && id == proposal.id)
        {
            proposal.alive[from] = alive;
            proposal.answered |= 1L << from;
            if ((proposal.answered & proposal.target) == proposal.target)
            {
                final long clique = clique(proposal.target, proposal.alive);
                if (clique != proposal.target)
                {
                    proposal = null;
                    propose(clique);
                    return;
                }
            }
        }
        if (flush == null || id > flush.proposal)
        {
            // it accepted a proposal whose PROPOSE has not reached this node yet: keep its answer for then
            early[from] = new EarlyOk(id, alive, oldView, horizons);
            return;
        }
        if (id != flush.proposal)
        {
            return;
        }
        flush.horizons[from] = horizons;
        flush.oldViews[from] = oldView;
        // its submissions listed for an earlier proposal arrived before this answer: they are listed again
        flush.pending[from] = null;
        flush.okMask |= 1L << from;
        checkFlush();
    }

    /** The largest set, lowest nodes first, in which every node reaches every other. */
    /**
     * The nodes the next view should have: those alive here that also see each other (by their last LINK_STATE).
     * A node some member does not see, because the link is down or because it is not in that member's peers list
     * yet (a rolling reload), stays out until it is seen by all.
     */
    private long viewTarget(final long now)
    {
        final long alive = aliveMask(now);
        for (long mask = alive; mask != 0; mask &= mask - 1)
        {
            final int n = Long.numberOfTrailingZeros(mask);
            seen[n] = n == self ? alive : peers[n].alive | 1L << n;
        }
        return clique(alive, seen);
    }

    private long clique(final long target, final long[] alive)
    {
        long clique = 0;
        for (long mask = target; mask != 0; mask &= mask - 1)
        {
            final int n = Long.numberOfTrailingZeros(mask);
            boolean fits = true;
            for (long in = clique; in != 0 && fits; in &= in - 1)
            {
                final int m = Long.numberOfTrailingZeros(in);
                fits = (alive[m] & (1L << n)) != 0 && (alive[n] & (1L << m)) != 0;
            }
            if (fits)
            {
                clique |= 1L << n;
            }
        }
        return clique;
    }

    /** The nodes of the old view that move on with this node into the proposed view. */
    private long survivors()
    {
        long keep = selfBit;
        for (long mask = flush.target & members & ~selfBit; mask != 0; mask &= mask - 1)
        {
            final int n = Long.numberOfTrailingZeros(mask);
            if (flush.oldViews[n] == viewId)
            {
                keep |= 1L << n;
            }
        }
        return keep;
    }

    private void checkFlush()
    {
        if (flush == null || (flush.okMask & flush.target) != flush.target)
        {
            return;
        }
        if (!flush.recoverySent)
        {
            flush.recoverySent = true;
            sendRecovery();
        }
        if (!oldViewCompleted && (flush.recoverDoneMask & flush.target) == flush.target && survivorsMarked())
        {
            completeOldView();
        }
        if (oldViewCompleted && !flush.stateSent)
        {
            flush.stateSent = true;
            sendState();
        }
        if (oldViewCompleted && (flush.stateDoneMask & flush.target) == flush.target)
        {
            install();
        }
    }

    private boolean survivorsMarked()
    {
        for (long mask = survivors() & ~selfBit; mask != 0; mask &= mask - 1)
        {
            if (sources[Long.numberOfTrailingZeros(mask)].flushMarkSeq == 0)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Hand every survivor of the old view the frames it lacks of each node that left it.
     */
    private void sendRecovery()
    {
        final long keep = survivors();
        for (long lost = members & ~keep; lost != 0; lost &= lost - 1)
        {
            final int f = Long.numberOfTrailingZeros(lost);
            final FrameLog frames = sources[f].log;
            for (long targets = keep & ~selfBit; targets != 0; targets &= targets - 1)
            {
                final int t = Long.numberOfTrailingZeros(targets);
                final long has = flush.horizons[t][f];
                for (long p = frames.head(); p < frames.tail(); p = frames.next(p))
                {
                    if (frames.seq(p) > has)
                    {
                        final int length = frames.frameLength(p);
                        scratch.putBytes(0, frames.buffer(), frames.frameOffset(p), length);
                        StreamFrame.markRecovered(scratch, 0, f);
                        transport.offer(t, scratch, 0, length, false);
                    }
                }
            }
        }
        // this node's messages the sequencer has not ordered: every survivor delivers them at the end of the view
        final List<byte[]> own = new ArrayList<>();
        for (long p = submits.head(); p < submits.tail(); p = submits.next(p))
        {
            final byte[] frame = new byte[submits.frameLength(p)];
            submits.buffer().getBytes(submits.frameOffset(p), frame);
            own.add(frame);
            scratch.putBytes(0, frame);
            StreamFrame.markRecovered(scratch, 0, self);
            for (long targets = keep & ~selfBit; targets != 0; targets &= targets - 1)
            {
                transport.offer(Long.numberOfTrailingZeros(targets), scratch, 0, frame.length, false);
            }
        }
        flush.pending[self] = own;
        flush.confirmed[self] = orderedFrom[self];
        vector[0] = orderedFrom[self];
        final int length = ViewChangeFrame.encode(
            scratch, 0, FrameType.RECOVER_DONE, flush.proposal, 0, viewId, 0, vector, 1);
        for (long mask = flush.target & ~selfBit; mask != 0; mask &= mask - 1)
        {
            transport.offer(Long.numberOfTrailingZeros(mask), scratch, 0, length, false);
        }
        flush.recoverDoneMask |= selfBit;
    }

    private String onRecovered(final int from, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final int origin = StreamFrame.recoveredOrigin(buffer, offset);
        if (origin >= nodeCount || origin == self)
        {
            return null;
        }
        final int type = FrameHeader.type(buffer, offset);
        if (type == FrameType.DATA || type == FrameType.EVENT || type == FrameType.EVENT_REQUEST)
        {
            // a survivor hands on a failed node's frames as they are: they speak for that node's members only
            final String error = validate(type, buffer, offset, length);
            final String forged = error != null ? error : forgedIdentity(from, origin, type, buffer, offset);
            if (forged != null)
            {
                return forged;
            }
        }
        if (flush == null)
        {
            return null;
        }
        if (origin == from)
        {
            // a survivor's own unordered submission, not its stream
            final byte[] frame = new byte[length];
            buffer.getBytes(offset, frame);
            StreamFrame.clearRecovered(new UnsafeBuffer(frame), 0);
            if (flush.pending[from] == null)
            {
                flush.pending[from] = new ArrayList<>();
            }
            flush.pending[from].add(frame);
            return null;
        }
        final long seq = StreamFrame.seq(buffer, offset);
        final Inbound source = sources[origin];
        if (seq > source.receivedSeq && !source.recovered.containsKey(seq))
        {
            final byte[] frame = new byte[length];
            buffer.getBytes(offset, frame);
            final UnsafeBuffer view = new UnsafeBuffer(frame);
            StreamFrame.clearRecovered(view, 0);
            source.recovered.put(seq, frame);
        }
        return null;
    }

    /**
     * Deliver the rest of the old view: what every survivor's stream carries up to its FLUSH_MARK, and what the
     * survivors hold of the nodes that left. Every survivor delivers the same set, in the same order per stream.
     */
    private void completeOldView()
    {
        final long keep = survivors();
        final long lost = members & ~keep;
        for (long mask = lost; mask != 0; mask &= mask - 1)
        {
            final Inbound s = sources[Long.numberOfTrailingZeros(mask)];
            for (final Map.Entry<Long, byte[]> e : s.recovered.entrySet())
            {
                if (e.getKey() > s.receivedSeq)
                {
                    final UnsafeBuffer frame = new UnsafeBuffer(e.getValue());
                    s.log.append(e.getKey(), 0, frame, 0, frame.capacity());
                    s.receivedSeq = e.getKey();
                    if (FrameHeader.type(frame, 0) == FrameType.EVENT && s.node == sequencer)
                    {
                        eventFrame.wrap(frame, 0, frame.capacity());
                        onEventArrived();
                    }
                }
            }
            s.recovered.clear();
            s.failed = true;
        }
        completing = true;
        lostNodes = lost != 0;
        survivorsKnownStable = 0;
        agreedHeld = Long.MAX_VALUE;
        for (long mask = keep; mask != 0; mask &= mask - 1)
        {
            final long[] ok = flush.horizons[Long.numberOfTrailingZeros(mask)];
            survivorsKnownStable = Math.max(survivorsKnownStable, ok[NodeNames.MAX]);
            agreedHeld = Math.min(agreedHeld, ok[HELD]);
        }
        drainAll();
        // one id per proposal and set of nodes moving on together: those sets are disjoint (a node is in one old view,
        // and a side of a partition moves on without the other), so their lowest nodes differ
        final long transitionalId = flush.proposal << SLOT_BITS | Long.numberOfTrailingZeros(keep);
        if (!oldViewEnded())
        {
            // the sequencer's stream waits at an event or a SAFE message that a node which left never confirmed:
            // everything still waiting, in every stream, is delivered in the transitional configuration
            transitionalMode = true;
            table.transitional(keep, transitionalId);
            drainAll();
        }
        else if (lostNodes)
        {
            table.transitional(keep, transitionalId);
        }
        deliverUnordered(keep);
        completing = false;
        transitionalMode = false;
        for (long mask = members; mask != 0; mask &= mask - 1)
        {
            final Inbound s = sources[Long.numberOfTrailingZeros(mask)];
            final boolean finished = s.done || s.failed && s.log.recordAt(s.cursor) >= s.log.tail();
            if (!finished)
            {
                log.log(EventLog.Level.ERROR, "view-incomplete", "view=" + viewId + " node=" + nodeNames.name(s.node) +
                    " seq=" + s.processedSeq + " mark=" + s.markAt + " reason=\"a stream did not reach its end\"");
            }
            if (s.failed)
            {
                s.frozen = true;
            }
        }
        oldViewCompleted = true;
    }

    /**
     * The survivors' messages the sequencer never ordered, or ordered where no survivor holds them, end the old view
     * in a fixed order (by node, then as sent). When nodes were lost they come after the transitional view: whoever
     * delivered one of them on the other side lost the sequencer's later stream too, so no common pair of messages is
     * ordered differently, and the other side's position of it, among events this side never saw, is no concern of
     * a configuration that has moved on.
     */
    private void deliverUnordered(final long keep)
    {
        for (long mask = keep; mask != 0; mask &= mask - 1)
        {
            final int node = Long.numberOfTrailingZeros(mask);
            final List<byte[]> list = flush.pending[node];
            if (list == null)
            {
                continue;
            }
            final long ordered = orderedFrom[node] - flush.confirmed[node];
            for (int i = (int)Math.max(0, ordered); i < list.size(); i++)
            {
                final UnsafeBuffer frame = new UnsafeBuffer(list.get(i));
                StreamFrame.submit(frame, 0, false);
                local.deliver(null, frame, 0, frame.capacity());
            }
        }
    }

    /** @return true when every stream of the old view reached its end. */
    private boolean oldViewEnded()
    {
        for (long mask = members; mask != 0; mask &= mask - 1)
        {
            final Inbound s = sources[Long.numberOfTrailingZeros(mask)];
            if (!(s.done || s.failed && s.log.recordAt(s.cursor) >= s.log.tail()))
            {
                return false;
            }
        }
        return true;
    }

    private void sendState()
    {
        final List<String[]> state = table.localState();
        final int limit = scratch.capacity();
        int at = StateFrame.begin(scratch, 0, flush.proposal);
        int count = 0;
        for (final String[] entry : state)
        {
            if (at + StateFrame.entryLength(entry[0], entry[1]) > limit)
            {
                broadcastState(StateFrame.finish(scratch, 0, at, count));
                at = StateFrame.begin(scratch, 0, flush.proposal);
                count = 0;
            }
            at = StateFrame.put(scratch, at, entry[0], entry[1]);
            count++;
        }
        if (count > 0)
        {
            broadcastState(StateFrame.finish(scratch, 0, at, count));
        }
        flush.states[self] = state;
        final int length = ViewChangeFrame.encode(
            scratch, 0, FrameType.STATE_DONE, flush.proposal, 0, viewId, 0, null, 0);
        for (long mask = flush.target & ~selfBit; mask != 0; mask &= mask - 1)
        {
            transport.offer(Long.numberOfTrailingZeros(mask), scratch, 0, length, false);
        }
        flush.stateDoneMask |= selfBit;
    }

    private void broadcastState(final int length)
    {
        for (long mask = flush.target & ~selfBit; mask != 0; mask &= mask - 1)
        {
            transport.offer(Long.numberOfTrailingZeros(mask), scratch, 0, length, false);
        }
    }

    private String onState(final int from, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final String error = stateFrame.wrap(buffer, offset, length);
        if (error != null)
        {
            return error;
        }
        if (flush != null && stateFrame.proposal() == flush.proposal)
        {
            if (flush.states[from] == null)
            {
                flush.states[from] = new ArrayList<>();
            }
            while (stateFrame.next())
            {
                flush.states[from].add(new String[]{stateFrame.group(), stateFrame.member()});
            }
        }
        return null;
    }

    /**
     * Every member finished the old view and sent its state: install the new view.
     */
    private void install()
    {
        final Flush f = flush;
        final long oldMembers = members;
        final long oldView = viewId;
        viewId = f.proposal;
        members = f.target;
        sequencer = Long.numberOfTrailingZeros(members);
        flush = null;
        if (proposal != null && proposal.id <= viewId)
        {
            proposal = null;
        }
        nextEventIndex = SLOT_NETWORK;
        installedEvent = SLOT_NETWORK;
        arrivedEvent = SLOT_NETWORK;
        markedEvent = SLOT_NETWORK;
        heldEvent = 0;
        table.replace(f.states, viewId << SLOT_BITS | SLOT_NETWORK);
        for (int i = 0; i < nodeCount; i++)
        {
            final Inbound s = sources[i];
            final Peer peer = peers[i];
            Arrays.fill(peer.processed, 0);
            peer.stale = false;
            if (i == self)
            {
                continue;
            }
            s.done = false;
            s.markAt = 0;
            s.holdingSafe = false;
            s.failed = false;
            s.frozen = false;
            s.flushMarkSeq = 0;
            s.recovered.clear();
            // the old view's frames are all handled; what follows the cursor is already the next view's
            s.log.discardThrough(Long.MAX_VALUE, s.cursor);
            if ((members & (1L << i)) == 0)
            {
                s.log.discardThrough(Long.MAX_VALUE, Long.MAX_VALUE);
                s.cursor = s.log.tail();
            }
        }
        excluded = 0;
        flushMarkSent = false;
        oldViewCompleted = false;
        sequencing = sequencer == self;
        final long start = nextSeq;
        appendMarker(FrameType.VIEW_START, viewId, members);
        final long startPosition = out.tail() - 0;
        for (long mask = members & ~oldMembers; mask != 0; mask &= mask - 1)
        {
            final Peer peer = peers[Long.numberOfTrailingZeros(mask)];
            // a new member needs nothing of this node's stream before the new view
            peer.sendPosition = Math.max(peer.sendPosition, out.firstAfter(start - 1));
        }
        for (long mask = oldMembers & ~members & ~selfBit; mask != 0; mask &= mask - 1)
        {
            final int node = Long.numberOfTrailingZeros(mask);
            peers[node].streaming = false;
            peers[node].sendPosition = startPosition;
        }
        log.notice("node-view", "id=" + viewId + " nodes=[" + names(members) + "] sequencer=" +
            nodeNames.name(sequencer) + " previous=" + oldView);
        eventsArrivedEarly();
        advance(sources[self]);
        // what local members asked for during the change goes to the new sequencer, in order
        final ArrayList<Request> again = new ArrayList<>(requests);
        requests.clear();
        for (final Request r : again)
        {
            request(r);
        }
        submits.clear();
        Arrays.fill(orderedFrom, 0);
        updatePause();
        while (!held.isEmpty())
        {
            final long p = held.head();
            final int length = held.frameLength(p);
            final UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
            copy.putBytes(0, held.buffer(), held.frameOffset(p), length);
            held.discardThrough(held.seq(p), held.next(p));
            onClientData(null, copy, 0, length);
        }
        drainAll();
    }

    /**
     * Events of this view the sequencer sent before this node installed it: they arrived, so this node's stream
     * marks them and routes to their joiners from now on.
     */
    private void eventsArrivedEarly()
    {
        final Inbound s = sources[sequencer];
        if (sequencer == self || s.receiptView != viewId)
        {
            return;
        }
        boolean inView = false;
        for (long p = s.log.recordAt(s.cursor); p < s.log.tail(); p = s.log.next(p))
        {
            final UnsafeBuffer buffer = s.log.buffer();
            final int offset = s.log.frameOffset(p);
            final int type = FrameHeader.type(buffer, offset);
            if (type == FrameType.VIEW_START)
            {
                markFrame.wrap(buffer, offset, s.log.frameLength(p));
                inView = markFrame.value() == viewId;
            }
            else if (type == FrameType.EVENT && inView)
            {
                eventFrame.wrap(buffer, offset, s.log.frameLength(p));
                onEventArrived();
            }
        }
    }

    private String names(final long mask)
    {
        final StringBuilder sb = new StringBuilder();
        for (long m = mask; m != 0; m &= m - 1)
        {
            final int n = Long.numberOfTrailingZeros(m);
            sb.append(sb.length() == 0 ? "" : ",").append(n < nodeCount ? nodeNames.name(n) : "node#" + n);
        }
        return sb.toString();
    }
}
