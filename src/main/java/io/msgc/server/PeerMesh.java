package io.msgc.server;

import io.msgc.admin.EventLog;
import io.msgc.conf.PeerConfig;
import io.msgc.conf.ServerConfig;
import io.msgc.io.Backoff;
import io.msgc.io.Connection;
import io.msgc.io.Poller;
import io.msgc.io.Timers;
import io.msgc.wire.ErrorCode;
import io.msgc.wire.FrameType;
import io.msgc.wire.HeartbeatFrame;
import io.msgc.wire.HelloFrame;
import io.msgc.wire.ReasonFrame;
import io.msgc.wire.WelcomeFrame;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Keeps a link to every other node of the peers list: dials each one, answers their dials, resolves
 * simultaneous dials (the link dialled by the node listed first wins), sends heartbeats, declares a peer down on
 * close or after {@code peer_timeout_ms} of silence, redials with capped exponential backoff and jitter, and
 * keeps the {@link NodeView}. Node changes go to a {@link Listener} (the group layer).
 */
final class PeerMesh
{
    /** Bytes a peer link may queue before the link is declared broken (it would otherwise grow without bound). */
    static final int PEER_WRITE_LIMIT = 256 * 1024 * 1024;
    /** Above this many pending bytes on any peer link, the server stops reading its clients (back-pressure). */
    static final int CONGESTION_HIGH = 8 * 1024 * 1024;
    /** Reading from clients resumes once every peer link is below this. */
    static final int CONGESTION_LOW = 2 * 1024 * 1024;
    /** An unreachable peer is a WARNING at its first failed dial, then at most once per this many ms. */
    static final long UNREACHABLE_WARN_INTERVAL_MS = 30_000;

    /**
     * Told of node reachability changes and peer member-state frames.
     */
    interface Listener
    {
        /**
         * A link came up: send it this node's full member state.
         *
         * @param link the peer.
         */
        void onPeerUp(PeerLink link);

        /**
         * A peer became unreachable.
         *
         * @param link the peer.
         */
        void onPeerDown(PeerLink link);

        /**
         * A frame other than HEARTBEAT arrived on an up link.
         *
         * @param link   source.
         * @param buffer frame bytes.
         * @param offset frame start.
         * @param length frame length.
         */
        void onPeerFrame(PeerLink link, org.agrona.DirectBuffer buffer, int offset, int length);
    }

    private final ServerConfig config;
    private final PeerConfig self;
    private final long incarnation;
    private final Poller poller;
    private final Timers timers;
    private final EventLog log;
    private final LinkFaults faults;
    private final io.msgc.io.FrameHandler handler;
    private final PeerLink[] links;
    private final NodeView nodeView;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[4096]);
    private final HelloFrame hello = new HelloFrame();
    private final WelcomeFrame welcome = new WelcomeFrame();
    private final ReasonFrame reasonFrame = new ReasonFrame();
    private Listener listener;
    private boolean congested;
    private long startedMs;

    PeerMesh(
        final ServerConfig config,
        final PeerConfig self,
        final long incarnation,
        final Poller poller,
        final Timers timers,
        final EventLog log,
        final LinkFaults faults,
        final io.msgc.io.FrameHandler handler)
    {
        this.config = config;
        this.self = self;
        this.incarnation = incarnation;
        this.poller = poller;
        this.timers = timers;
        this.log = log;
        this.faults = faults;
        this.handler = handler;
        links = new PeerLink[config.peers().size()];
        for (final PeerConfig peer : config.peers())
        {
            if (peer.index() != self.index())
            {
                links[peer.index()] = new PeerLink(peer);
            }
        }
        nodeView = new NodeView(self.index());
    }

    void listener(final Listener listener)
    {
        this.listener = listener;
    }

    void start()
    {
        startedMs = poller.nowMs();
        for (final PeerLink link : links)
        {
            if (link != null)
            {
                dial(link);
            }
        }
        scheduleHeartbeat();
    }

    PeerLink link(final int index)
    {
        return links[index];
    }

    PeerLink[] links()
    {
        return links;
    }

    NodeView nodeView()
    {
        return nodeView;
    }

    long incarnation()
    {
        return incarnation;
    }

    /**
     * @param name node name bytes.
     * @return index of the node in the peers list, or -1.
     */
    int nodeIndex(final org.agrona.DirectBuffer buffer, final int offset, final int length)
    {
        for (final PeerConfig peer : config.peers())
        {
            final String name = peer.name();
            if (name.length() == length)
            {
                boolean same = true;
                for (int i = 0; i < length && same; i++)
                {
                    same = name.charAt(i) == buffer.getByte(offset + i);
                }
                if (same)
                {
                    return peer.index();
                }
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- dialling

    private void dial(final PeerLink link)
    {
        link.redialTimer = -1;
        if (link.isUp() || link.dialling != null)
        {
            return;
        }
        if (faults.isPartitioned(link.index()))
        {
            link.reason = "partitioned (fault injection)";
            scheduleRedial(link);
            return;
        }
        try
        {
            final Connection connection = poller.dial(
                link.peer.address(), new InetSocketAddress(self.host(), 0), handler,
                config.maxFrameSize(), PEER_WRITE_LIMIT, config.tcpbufSize());
            connection.attachment(new Dial(link));
            link.dialling = connection;
            if (link.state != PeerLink.State.REFUSED)
            {
                link.state = PeerLink.State.CONNECTING;
            }
            final long deadline = poller.nowMs() + config.connectTimeout() * 1000L;
            final Connection dialled = connection;
            timers.schedule(deadline, () ->
            {
                if (link.dialling == dialled)
                {
                    dialled.close("handshake timeout after " + config.connectTimeout() + "s");
                }
            });
        }
        catch (final IOException ex)
        {
            link.reason = "dial failed: " + ex.getMessage();
            unreachable(link, link.reason);
            scheduleRedial(link);
        }
    }

    private void scheduleRedial(final PeerLink link)
    {
        if (link.redialTimer != -1 || link.isUp())
        {
            return;
        }
        final long delay = Backoff.delayMs(config.reconnectInitialMs(), config.reconnectInterval() * 1000L,
            link.attempts++);
        link.redialTimer = timers.schedule(poller.nowMs() + delay, () -> dial(link));
    }

    /**
     * Marks a connection as our outbound dial to a peer.
     */
    static final class Dial
    {
        final PeerLink link;

        Dial(final PeerLink link)
        {
            this.link = link;
        }
    }

    void onDialConnected(final Connection connection)
    {
        final int length = HelloFrame.encode(
            scratch, 0, HelloFrame.ROLE_PEER, incarnation, config.peersDigest(), self.name());
        connection.offer(scratch, 0, length);
    }

    /**
     * A frame on our outbound dial before the handshake finished: WELCOME or REJECT.
     */
    void onDialFrame(final Dial dial, final Connection connection, final org.agrona.DirectBuffer buffer,
        final int offset, final int length)
    {
        final PeerLink link = dial.link;
        final int type = io.msgc.wire.FrameHeader.type(buffer, offset);
        if (type == FrameType.WELCOME)
        {
            final String error = welcome.wrap(buffer, offset, length);
            if (error != null)
            {
                connection.close("bad WELCOME from " + link.peer.name() + ": " + error);
                return;
            }
            link.dialling = null;
            up(link, connection, welcome.incarnation(), true);
        }
        else if (type == FrameType.REJECT)
        {
            final String error = reasonFrame.wrap(buffer, offset, length);
            final String reason = error != null ? error : reasonFrame.reason();
            final int code = error != null ? ErrorCode.MALFORMED_FRAME : reasonFrame.code();
            if (code == ErrorCode.DUPLICATE_LINK)
            {
                log.info("peer-dial-dropped", "node=" + link.peer.name() + " reason=\"" + reason + "\"");
            }
            else
            {
                link.state = PeerLink.State.REFUSED;
                link.reason = "refused by " + link.peer.name() + ": " + ErrorCode.name(code) + ": " + reason;
                log.warn("peer-refused", "node=" + link.peer.name() + " code=" + ErrorCode.name(code) +
                    " reason=\"" + reason + "\"");
            }
            connection.close("rejected");
        }
        else
        {
            connection.close("unexpected " + FrameType.name(type) + " from " + link.peer.name() + " during handshake");
        }
    }

    void onDialClosed(final Dial dial, final Connection connection, final String reason)
    {
        final PeerLink link = dial.link;
        if (link.dialling != connection)
        {
            return;
        }
        link.dialling = null;
        if (!link.isUp())
        {
            if (link.state != PeerLink.State.REFUSED)
            {
                link.state = PeerLink.State.DOWN;
                link.reason = reason;
            }
            if (link.state == PeerLink.State.REFUSED)
            {
                log.info("peer-dial-failed", "node=" + link.peer.name() + " addr=" + link.peer.host() + ":" +
                    link.peer.port() + " reason=\"" + reason + "\"");
            }
            else
            {
                unreachable(link, reason);
            }
            scheduleRedial(link);
        }
    }

    /**
     * A dial failed: a WARNING at the first failure since the link was last up, then at most once per
     * {@link #UNREACHABLE_WARN_INTERVAL_MS} with the attempt count; INFO in between. In the first
     * {@code reconnect_interval} after start the failures are INFO: peers started at the same time are not
     * listening yet, which is normal.
     */
    private void unreachable(final PeerLink link, final String reason)
    {
        final long now = poller.nowMs();
        final int attempt = link.attempts + 1;
        final String details = "node=" + link.peer.name() + " addr=" + link.peer.host() + ":" + link.peer.port() +
            " attempts=" + attempt + " reason=\"" + reason + "\"";
        final boolean starting = link.incarnation == 0 && now - startedMs < config.reconnectInterval() * 1000L;
        final boolean due = !link.unreachableWarned || now - link.unreachableWarnedMs >= UNREACHABLE_WARN_INTERVAL_MS;
        if (!starting && due)
        {
            link.unreachableWarned = true;
            link.unreachableWarnedMs = now;
            log.warn("peer-unreachable", details + " next-warning-in=" + UNREACHABLE_WARN_INTERVAL_MS / 1000 + "s");
        }
        else
        {
            log.info("peer-dial-failed", details);
        }
    }

    // ---------------------------------------------------------------- accepting

    /**
     * A HELLO with role peer arrived on an accepted connection: accept it, or REJECT with a reason.
     */
    void onPeerHello(final Connection connection, final HelloFrame hello)
    {
        final String name = hello.name();
        final PeerConfig peer = config.peer(name);
        if (peer == null)
        {
            reject(connection, ErrorCode.UNKNOWN_NODE, "unknown node '" + name + "'; " + self.name() +
                " has peers " + config.peersDescription());
            return;
        }
        if (peer.index() == self.index())
        {
            reject(connection, ErrorCode.DUPLICATE_NAME, "node name '" + name + "' is this node itself");
            return;
        }
        if (hello.digest() != config.peersDigest())
        {
            reject(connection, ErrorCode.CONFIG_MISMATCH, "config digest differs: " + self.name() + " has peers " +
                config.peersDescription() + "; every node must use the same peers list");
            return;
        }
        final PeerLink link = links[peer.index()];
        if (faults.isPartitioned(peer.index()))
        {
            connection.close("partitioned (fault injection)");
            return;
        }
        if (link.isUp())
        {
            // a restarted peer's old socket is closed by its kernel, so an up link means the name is taken;
            // the same incarnation is the other half of a simultaneous dial: normal on start, not a WARNING
            reject(connection, ErrorCode.DUPLICATE_LINK, "node " + name + " is already connected to " +
                self.name() + " (link up since " + java.time.Instant.ofEpochMilli(link.upSinceMs) + ")",
                hello.incarnation() == link.incarnation ? EventLog.Level.INFO : EventLog.Level.WARNING);
            return;
        }
        if (link.dialling != null)
        {
            if (peer.index() < self.index())
            {
                final Connection ours = link.dialling;
                link.dialling = null;
                ours.close("simultaneous dial: keeping the link dialled by " + name + " (listed first)");
            }
            else
            {
                reject(connection, ErrorCode.DUPLICATE_LINK, "simultaneous dial: keeping the link dialled by " +
                    self.name() + " (listed first)", EventLog.Level.INFO);
                return;
            }
        }
        final int length = WelcomeFrame.encode(scratch, 0, incarnation, self.index(), self.name(), "");
        connection.offer(scratch, 0, length);
        up(link, connection, hello.incarnation(), false);
    }

    private void reject(final Connection connection, final int code, final String reason)
    {
        reject(connection, code, reason, EventLog.Level.WARNING);
    }

    private void reject(final Connection connection, final int code, final String reason, final EventLog.Level level)
    {
        log.log(level, "peer-rejected", "remote=" + connection.remote() + " code=" + ErrorCode.name(code) +
            " reason=\"" + reason + "\"");
        final int length = ReasonFrame.encode(scratch, 0, FrameType.REJECT, code, reason);
        connection.offer(scratch, 0, length);
        connection.close("rejected: " + reason);
    }

    // ---------------------------------------------------------------- up / down

    private void up(final PeerLink link, final Connection connection, final long peerIncarnation, final boolean dialled)
    {
        if (link.redialTimer != -1)
        {
            timers.cancel(link.redialTimer);
            link.redialTimer = -1;
        }
        final boolean restarted = link.incarnation != 0 && link.incarnation != peerIncarnation;
        connection.attachment(link);
        link.link = connection;
        link.linkDialledByUs = dialled;
        link.state = PeerLink.State.UP;
        link.reason = "";
        link.attempts = 0;
        link.unreachableWarned = false;
        link.incarnation = peerIncarnation;
        link.upSinceMs = poller.nowMs();
        link.lastHeartbeatMs = poller.nowMs();
        nodeView.add(link.index());
        log.notice("peer-up", "node=" + link.peer.name() + " addr=" + link.peer.host() + ":" + link.peer.port() +
            " incarnation=" + Long.toHexString(peerIncarnation) + (restarted ? " restarted=yes" : "") +
            " dialled-by=" + (dialled ? self.name() : link.peer.name()));
        logNodeView("up " + link.peer.name());
        sendHeartbeat(link);
        listener.onPeerUp(link);
    }

    void onLinkClosed(final PeerLink link, final Connection connection, final String reason)
    {
        if (link.link != connection)
        {
            return;
        }
        link.closedBytesIn += connection.bytesIn();
        link.closedBytesOut += connection.bytesOut();
        link.link = null;
        link.state = PeerLink.State.DOWN;
        link.reason = reason;
        link.syncing = false;
        nodeView.remove(link.index());
        log.notice("peer-down", "node=" + link.peer.name() + " reason=\"" + reason + "\"");
        logNodeView("down " + link.peer.name());
        listener.onPeerDown(link);
        scheduleRedial(link);
    }

    private void logNodeView(final String cause)
    {
        final StringBuilder names = new StringBuilder();
        for (final PeerConfig peer : config.peers())
        {
            if (nodeView.contains(peer.index()))
            {
                names.append(names.length() == 0 ? "" : ",").append(peer.name());
            }
        }
        log.notice("node-view", "id=" + nodeView.viewId() + " nodes=[" + names + "] cause=\"" + cause + "\"");
    }

    void onLinkFrame(final PeerLink link, final org.agrona.DirectBuffer buffer, final int offset, final int length)
    {
        if (faults.isPartitioned(link.index()))
        {
            return;
        }
        link.lastHeartbeatMs = poller.nowMs();
        if (io.msgc.wire.FrameHeader.type(buffer, offset) != FrameType.HEARTBEAT)
        {
            listener.onPeerFrame(link, buffer, offset, length);
        }
    }

    // ---------------------------------------------------------------- heartbeats and failure detection

    private void scheduleHeartbeat()
    {
        timers.schedule(poller.nowMs() + config.heartbeatIntervalMs(), this::onHeartbeatTick);
    }

    private void onHeartbeatTick()
    {
        final long now = poller.nowMs();
        for (final PeerLink link : links)
        {
            if (link == null || !link.isUp())
            {
                continue;
            }
            if (now - link.lastHeartbeatMs > config.peerTimeoutMs())
            {
                link.link.close("no frame for " + (now - link.lastHeartbeatMs) + " ms (peer_timeout_ms=" +
                    config.peerTimeoutMs() + ")");
                continue;
            }
            sendHeartbeat(link);
        }
        scheduleHeartbeat();
    }

    private void sendHeartbeat(final PeerLink link)
    {
        if (faults.isPartitioned(link.index()))
        {
            return;
        }
        final int length = HeartbeatFrame.encode(scratch, 0, poller.nowMs());
        send(link, scratch, 0, length);
    }

    /**
     * Queue a frame on an up link; a link that cannot take it (over {@link #PEER_WRITE_LIMIT}) is closed, which
     * makes the peer down: receivers learn of the loss through NETWORK views, never through a silent gap.
     */
    void send(final PeerLink link, final org.agrona.DirectBuffer buffer, final int offset, final int length)
    {
        if (!link.link.offer(buffer, offset, length))
        {
            link.link.close("peer link backlog over " + PEER_WRITE_LIMIT + " bytes");
        }
    }

    /**
     * Queue a frame on every up link.
     */
    void broadcast(final org.agrona.DirectBuffer buffer, final int offset, final int length)
    {
        for (final PeerLink link : links)
        {
            if (link != null && link.isUp())
            {
                send(link, buffer, offset, length);
            }
        }
    }

    /**
     * Close every peer link first on shutdown, so peers see this node leave the network (NETWORK views).
     */
    void closeLinks()
    {
        for (final PeerLink link : links)
        {
            if (link != null && link.link != null)
            {
                link.link.close("node " + self.name() + " shutting down");
            }
        }
    }

    /**
     * Check peer link backlogs for back-pressure with hysteresis.
     *
     * @return true while clients should not be read.
     */
    boolean updateCongestion()
    {
        int maxPending = 0;
        for (final PeerLink link : links)
        {
            if (link != null && link.link != null)
            {
                maxPending = Math.max(maxPending, link.link.pendingBytes());
            }
        }
        if (!congested && maxPending > CONGESTION_HIGH)
        {
            congested = true;
        }
        else if (congested && maxPending < CONGESTION_LOW)
        {
            congested = false;
        }
        return congested;
    }
}
