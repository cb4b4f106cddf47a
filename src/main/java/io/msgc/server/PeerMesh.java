package io.msgc.server;

import io.msgc.admin.EventLog;
import io.msgc.admin.NodeCounters;
import io.msgc.conf.PeerConfig;
import io.msgc.conf.ServerConfig;
import io.msgc.io.Backoff;
import io.msgc.io.Connection;
import io.msgc.io.FrameHandler;
import io.msgc.io.Poller;
import io.msgc.io.Resolver;
import io.msgc.io.Timers;
import io.msgc.wire.ErrorCode;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import io.msgc.wire.HandshakeInitiator;
import io.msgc.wire.HelloFrame;
import io.msgc.wire.ReasonFrame;
import io.msgc.wire.WelcomeFrame;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Keeps a connection to every other node of the peers list: dials each one, answers their dials, resolves
 * simultaneous dials (the link dialled by the node listed first wins), redials with capped exponential backoff and
 * jitter, and hands every frame of an established link to the {@link Membership}, which owns what flows on it.
 * It is the membership's {@link Membership.Transport}.
 */
final class PeerMesh implements Membership.Transport
{
    /** Bytes a peer link may queue before it is declared broken: only control frames get this far. */
    static final int PEER_WRITE_LIMIT = 256 * 1024 * 1024;
    /** Stream frames stop here; the stream log keeps the rest until the link drains. */
    static final int PEER_SOFT_LIMIT = 4 * 1024 * 1024;
    /** Least time between two WARNING lines about one peer host that does not resolve. */
    private static final long RESOLVE_WARN_INTERVAL_MS = 60_000;
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
        void onPeerFrame(PeerLink link, DirectBuffer buffer, int offset, int length);
    }

    private final ServerConfig config;
    private final PeerConfig self;
    private final long incarnation;
    private final Poller poller;
    private final Timers timers;
    private final EventLog log;
    private final LinkFaults faults;
    private final FrameHandler handler;
    private final PeerLink[] links;
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[4096]);
    private final HelloFrame hello = new HelloFrame();
    private final WelcomeFrame welcome = new WelcomeFrame();
    private final ReasonFrame reasonFrame = new ReasonFrame();
    private final InetSocketAddress localAddress;
    private final boolean[] resolving;
    private final int[] resolveFailures;
    private final long[] resolveWarnMs;
    private final Consumer<Resolver.Request> onResolved = this::onResolved;
    private Resolver resolver;
    private final NodeCounters counters;
    /** The configuration whose peers list is in force: the start one, or one applied by a reload. */
    private ServerConfig peers;
    private Membership membership;
    private NodeOperations operations;
    private Authenticator authenticator;
    private RefusalLog refusalLog;
    private final SecureRandom random = new SecureRandom();
    private long startedMs;

    PeerMesh(
        final ServerConfig config,
        final PeerConfig self,
        final long incarnation,
        final Poller poller,
        final Timers timers,
        final EventLog log,
        final LinkFaults faults,
        final FrameHandler handler,
        final NodeCounters counters)
    {
        this.counters = counters;
        this.config = config;
        this.self = self;
        this.incarnation = incarnation;
        this.poller = poller;
        this.timers = timers;
        this.log = log;
        this.faults = faults;
        this.handler = handler;
        this.peers = config;
        links = new PeerLink[NodeNames.MAX];
        for (final PeerConfig peer : config.peers())
        {
            if (peer.index() != self.index())
            {
                links[peer.index()] = new PeerLink(peer);
            }
        }
        resolving = new boolean[links.length];
        resolveFailures = new int[links.length];
        resolveWarnMs = new long[links.length];
        localAddress = localAddress(self);
    }

    /**
     * Dials leave from this node's own address (its peers entry), resolved once here, before the loop runs.
     */
    private static InetSocketAddress localAddress(final PeerConfig self)
    {
        try
        {
            return new InetSocketAddress(InetAddress.getByName(self.host()), 0);
        }
        catch (final UnknownHostException ex)
        {
            return null; // let the OS choose; the listener bind reports the bad name
        }
    }

    /**
     * @return the configuration whose peers list is in force (a reload may have changed it).
     */
    ServerConfig peers()
    {
        return peers;
    }

    void membership(final Membership membership)
    {
        this.membership = membership;
    }

    void operations(final NodeOperations operations)
    {
        this.operations = operations;
    }

    /**
     * @param authenticator the node's secrets: this node proves the cluster secret to the peers it dials.
     * @param refusalLog    where refused peers are logged, rate-limited.
     */
    void trust(final Authenticator authenticator, final RefusalLog refusalLog)
    {
        this.authenticator = authenticator;
        this.refusalLog = refusalLog;
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
    }

    PeerLink link(final int index)
    {
        return links[index];
    }

    PeerLink[] links()
    {
        return links;
    }

    long incarnation()
    {
        return incarnation;
    }

    // ---------------------------------------------------------------- Membership.Transport

    /** {@inheritDoc} */
    public boolean offer(
        final int node, final DirectBuffer buffer, final int offset, final int length, final boolean bulk)
    {
        final PeerLink link = links[node];
        if (link == null || !link.isUp() || faults.isPartitioned(node))
        {
            return false;
        }
        final Connection connection = link.link;
        if (bulk && connection.pendingBytes() >= PEER_SOFT_LIMIT)
        {
            return false;
        }
        if (!connection.offer(buffer, offset, length))
        {
            // closing makes the peer down: its members learn of the loss through views, never a silent gap
            connection.close(connection.pendingBytes() + length > PEER_WRITE_LIMIT ?
                "peer link backlog over " + PEER_WRITE_LIMIT + " bytes" :
                "peer link buffer cannot grow: max_buffer_memory=" + config.maxBufferMemory() + " is in use");
            return false;
        }
        if (FrameHeader.type(buffer, offset) == FrameType.DATA)
        {
            counters.messagesOutPeer.incrementOrdered();
            counters.bytesOutPeer.getAndAddOrdered(length);
        }
        return true;
    }

    /** {@inheritDoc} */
    public void close(final int node, final String reason)
    {
        final PeerLink link = links[node];
        if (link != null && link.link != null)
        {
            link.link.close(reason);
        }
    }

    // ---------------------------------------------------------------- dialling

    private void dial(final PeerLink link)
    {
        link.redialTimer = -1;
        if (links[link.index()] != link)
        {
            return; // removed from the peers list
        }
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
        final String host = link.peer.host();
        if (Resolver.isLiteral(host))
        {
            try
            {
                connect(link, InetAddress.getByName(host)); // a literal is parsed, never looked up
            }
            catch (final UnknownHostException ex)
            {
                unresolved(link, "bad address '" + host + "'");
            }
            return;
        }
        // a name: looked up on the resolver thread, never on the loop; the answer comes back via pollResolver
        if (!resolving[link.index()])
        {
            resolving[link.index()] = true;
            if (link.state != PeerLink.State.REFUSED)
            {
                link.state = PeerLink.State.CONNECTING;
            }
            if (resolver == null)
            {
                resolver = new Resolver("msgc-resolver-" + self.name(), InetAddress::getByName, poller::wakeup);
            }
            resolver.resolve(new Resolver.Request(host, link));
        }
    }

    /**
     * Take the resolver's answers and dial the peers whose names resolved. Runs in the loop, each turn.
     *
     * @return answers taken.
     */
    int pollResolver()
    {
        return resolver == null ? 0 : resolver.poll(onResolved);
    }

    private void onResolved(final Resolver.Request request)
    {
        final PeerLink link = (PeerLink)request.token();
        resolving[link.index()] = false;
        if (link.isUp() || link.dialling != null)
        {
            return;
        }
        if (request.address() == null)
        {
            unresolved(link, request.error());
            return;
        }
        connect(link, request.address());
    }

    private void unresolved(final PeerLink link, final String error)
    {
        final int index = link.index();
        final int failures = ++resolveFailures[index];
        if (link.state != PeerLink.State.REFUSED)
        {
            link.state = PeerLink.State.DOWN;
        }
        link.reason = "cannot resolve host '" + link.peer.host() + "' (" + error + ", attempt " + failures +
            "); retrying";
        final long now = poller.nowMs();
        if (failures == 1 || now - resolveWarnMs[index] >= RESOLVE_WARN_INTERVAL_MS)
        {
            resolveWarnMs[index] = now;
            log.warn("peer-unresolved", "node=" + link.peer.name() + " host=" + link.peer.host() + " attempts=" +
                failures + " reason=\"" + error + "\" (repeats at most once a minute)");
        }
        scheduleRedial(link);
    }

    private void connect(final PeerLink link, final InetAddress address)
    {
        link.address = address;
        if (resolveFailures[link.index()] > 0)
        {
            log.notice("peer-resolved", "node=" + link.peer.name() + " host=" + link.peer.host() + " address=" +
                address.getHostAddress() + " after-failures=" + resolveFailures[link.index()]);
            resolveFailures[link.index()] = 0;
        }
        try
        {
            final Connection connection = poller.dial(
                new InetSocketAddress(address, link.peer.port()), localAddress, handler,
                config.maxFrameSize(), PEER_WRITE_LIMIT, config.tcpbufSize());
            connection.useReserve(true);
            connection.attachment(new Dial(link, new HandshakeInitiator(authenticator.cluster(), random)));
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
        catch (final IOException | RuntimeException ex)
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
        /** This side of the handshake: HELLO, AUTH, and the check of the peer's proof. */
        final HandshakeInitiator initiator;

        Dial(final PeerLink link, final HandshakeInitiator initiator)
        {
            this.link = link;
            this.initiator = initiator;
        }
    }

    void onDialConnected(final Connection connection)
    {
        final int length = ((Dial)connection.attachment()).initiator.helloPeer(
            scratch, 0, incarnation, peers.prefixDigests(), peers.peers().size(), self.name());
        connection.offer(scratch, 0, length);
    }

    /**
     * A frame on our outbound dial before the handshake finished: WELCOME or REJECT.
     */
    void onDialFrame(final Dial dial, final Connection connection, final DirectBuffer buffer,
        final int offset, final int length)
    {
        final PeerLink link = dial.link;
        final int type = FrameHeader.type(buffer, offset);
        if (type == FrameType.WELCOME)
        {
            final String error = welcome.wrap(buffer, offset, length);
            if (error != null)
            {
                connection.close("bad WELCOME from " + link.peer.name() + ": " + error);
                return;
            }
            if (welcome.nodeIndex() != link.index() || !link.peer.name().equals(welcome.node()))
            {
                // whoever answers at that address must be the node we dialled
                connection.close("WELCOME from " + link.peer.host() + ":" + link.peer.port() + " names node '" +
                    welcome.node() + "' (index " + welcome.nodeIndex() + "), not " + link.peer.name());
                return;
            }
            final String untrusted = dial.initiator.checkWelcome(welcome);
            if (untrusted != null)
            {
                dialRefused(link, connection, ErrorCode.AUTH_FAILED, untrusted);
                return;
            }
            link.dialling = null;
            up(link, connection, welcome.incarnation(), true);
        }
        else if (type == FrameType.CHALLENGE)
        {
            final int authLength = dial.initiator.onChallenge(buffer, offset, length, link.peer.name(), scratch, 0);
            if (authLength > 0)
            {
                connection.offer(scratch, 0, authLength);
            }
            else if (authLength < 0)
            {
                dialRefused(link, connection, ErrorCode.AUTH_FAILED, dial.initiator.failure());
            }
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

    /** This node refuses the peer it dialled (it failed to authenticate): the link shows REFUSED with the reason. */
    private void dialRefused(final PeerLink link, final Connection connection, final int code, final String reason)
    {
        link.state = PeerLink.State.REFUSED;
        link.reason = "refused " + link.peer.name() + ": " + ErrorCode.name(code) + ": " + reason;
        log.warn("peer-refused", "node=" + link.peer.name() + " code=" + ErrorCode.name(code) + " reason=\"" +
            reason + "\" by=" + self.name());
        connection.close(link.reason);
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
            if (reason.contains("Connection refused"))
            {
                // nothing listens at its address: the node is gone, no need to wait for its timeout
                membership.onPeerGone(link.index());
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
    void onPeerHello(final Connection connection, final HelloFrame hello, final Authenticator.Handshake handshake)
    {
        final String name = hello.name();
        final PeerConfig peer = peers.peer(name);
        if (peer == null)
        {
            reject(connection, ErrorCode.UNKNOWN_NODE, "unknown node '" + name + "'; " + self.name() +
                " has peers " + peers.peersDescription());
            return;
        }
        if (peer.index() == self.index())
        {
            reject(connection, ErrorCode.DUPLICATE_NAME, "node name '" + name + "' is this node itself");
            return;
        }
        final String mismatch = listMismatch(hello);
        if (mismatch != null)
        {
            reject(connection, ErrorCode.CONFIG_MISMATCH, mismatch);
            return;
        }
        final PeerLink link = links[peer.index()];
        final String wrongAddress = config.peerAddressCheck() ? checkAddress(link, connection) : null;
        if (wrongAddress != null)
        {
            counters.refusedPeerAddress.incrementOrdered();
            refusalLog.warn(poller.nowMs(), "peer-rejected", ErrorCode.ADDRESS_MISMATCH, () -> "remote=" +
                connection.remote() + " code=ADDRESS_MISMATCH reason=\"" + wrongAddress + "\"");
            final int length = ReasonFrame.encode(scratch, 0, FrameType.REJECT, ErrorCode.ADDRESS_MISMATCH,
                wrongAddress);
            connection.offer(scratch, 0, length);
            connection.close("rejected: " + wrongAddress);
            return;
        }
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
                self.name() + " (link up since " +
                Instant.ofEpochMilli(poller.epochMs() - (poller.nowMs() - link.upSinceMs)) + ")",
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
        final int length = WelcomeFrame.encode(
            scratch, 0, incarnation, self.index(), config.maxFrameSize(), self.name(), "");
        connection.offer(scratch, 0, authenticator.seal(handshake, scratch, 0, length));
        up(link, connection, hello.incarnation(), false);
    }

    /**
     * Identity binding: a peer connects from the address its peers entry resolves to (the one this node dials;
     * a host name as this node's resolver last found it). Dials leave from a node's own peers address, so a real
     * peer always passes; {@code peer_address_check = false} turns this off behind NAT.
     *
     * @return null when the address is right, else why not.
     */
    private String checkAddress(final PeerLink link, final Connection connection)
    {
        final InetAddress remote = connection.channel().socket().getInetAddress();
        final String host = link.peer.host();
        InetAddress expected = link.address;
        if (expected == null && Resolver.isLiteral(host))
        {
            try
            {
                expected = InetAddress.getByName(host); // a literal is parsed, never looked up
                link.address = expected;
            }
            catch (final UnknownHostException ex)
            {
                expected = null;
            }
        }
        if (expected == null)
        {
            return link.peer.name() + "'s host '" + host + "' has not resolved on " + self.name() + " yet, so its " +
                "address cannot be checked (peer_address_check); retry later";
        }
        if (remote != null && sameHost(remote, expected))
        {
            return null;
        }
        return "node " + link.peer.name() + " must connect from " + expected.getHostAddress() + " (its peers entry " +
            host + ":" + link.peer.port() + "), not from " + (remote == null ? "?" : remote.getHostAddress()) +
            "; behind NAT set peer_address_check = false";
    }

    private static boolean sameHost(final InetAddress a, final InetAddress b)
    {
        return Arrays.equals(v4(a.getAddress()), v4(b.getAddress()));
    }

    /** An IPv4-mapped IPv6 address as its IPv4 address, so a dual-stack socket's report compares equal. */
    private static byte[] v4(final byte[] address)
    {
        if (address.length == 16)
        {
            for (int i = 0; i < 10; i++)
            {
                if (address[i] != 0)
                {
                    return address;
                }
            }
            if (address[10] == (byte)0xFF && address[11] == (byte)0xFF)
            {
                return Arrays.copyOfRange(address, 12, 16);
            }
        }
        return address;
    }

    /**
     * Two peers lists may differ only by nodes appended or dropped at the end (a rolling change): the part they
     * have in common must be the same, entry by entry, so every node keeps its index.
     *
     * @return null when the HELLO's list is compatible with this node's, else what differs.
     */
    private String listMismatch(final HelloFrame hello)
    {
        final int mine = peers.peers().size();
        final int theirs = hello.prefixCount();
        if (theirs == 0)
        {
            return hello.digest() == peers.peersDigest() ? null : "config digest differs: " + self.name() +
                " has peers " + peers.peersDescription() + "; every node must use the same peers list";
        }
        final int common = Math.min(mine, theirs);
        if (hello.prefixDigest(common) == peers.peersDigest(common))
        {
            return null;
        }
        int entry = 1;
        while (hello.prefixDigest(entry) == peers.peersDigest(entry))
        {
            entry++;
        }
        final PeerConfig differs = peers.peers().get(entry - 1);
        return "peers lists differ at entry " + entry + " (" + self.name() + " has " + differs.name() + "=" +
            differs.host() + ":" + differs.port() + "); nodes may only be appended to the end of the list or " +
            "dropped from its end while the cluster runs";
    }

    /**
     * Take a reloaded peers list, already checked to be this one with nodes appended or dropped at the end:
     * dial the new nodes, close the links of the dropped ones.
     *
     * @param next the configuration with the new list.
     */
    void peersChanged(final ServerConfig next)
    {
        peers = next;
        final int count = next.peers().size();
        for (int i = 0; i < NodeNames.MAX; i++)
        {
            final PeerLink link = links[i];
            if (i < count && i != self.index() && link == null)
            {
                final PeerLink added = new PeerLink(next.peers().get(i));
                links[i] = added;
                log.notice("peer-added", "node=" + added.peer.name() + " addr=" + added.peer.host() + ":" +
                    added.peer.port() + " index=" + i);
                dial(added);
            }
            else if (i >= count && link != null)
            {
                links[i] = null;
                log.notice("peer-removed", "node=" + link.peer.name() + " index=" + i);
                if (link.redialTimer != -1)
                {
                    timers.cancel(link.redialTimer);
                    link.redialTimer = -1;
                }
                if (link.dialling != null)
                {
                    link.dialling.close("node " + link.peer.name() + " was removed from the peers list");
                }
                if (link.link != null)
                {
                    link.link.close("node " + link.peer.name() + " was removed from the peers list");
                }
            }
        }
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
        final String refused = membership.onLinkUp(link.index(), peerIncarnation);
        if (refused != null)
        {
            log.info("peer-deferred", "node=" + link.peer.name() + " reason=\"" + refused + "\"");
            link.reason = refused;
            connection.close(refused);
            scheduleRedial(link);
            return;
        }
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
        link.lastFrameMs = link.upSinceMs;
        link.tainted = false;
        log.notice("peer-up", "node=" + link.peer.name() + " addr=" + link.peer.host() + ":" + link.peer.port() +
            " incarnation=" + Long.toHexString(peerIncarnation) + (restarted ? " restarted=yes" : "") +
            " dialled-by=" + (dialled ? self.name() : link.peer.name()));
        operations.onPeerChange(link, true);
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
        log.notice("peer-down", "node=" + link.peer.name() + " reason=\"" + reason + "\"");
        operations.onPeerChange(link, false);
        membership.onLinkDown(link.index());
        scheduleRedial(link);
    }

    void onLinkFrame(final PeerLink link, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        link.lastFrameMs = poller.nowMs();
        if (FrameHeader.type(buffer, offset) == FrameType.DATA)
        {
            counters.messagesInPeer.incrementOrdered();
            counters.bytesInPeer.getAndAddOrdered(length);
        }
        if (faults.isPartitioned(link.index()))
        {
            // a silent network: nothing arrives, and this connection may not resume with a gap after a heal
            link.tainted = true;
            return;
        }
        if (link.tainted)
        {
            link.link.close("partition healed: reconnect and resume");
            return;
        }
        if (FrameHeader.type(buffer, offset) == FrameType.ERROR)
        {
            // the peer closes the link and says why (e.g. it refused a frame of ours)
            final String bad = reasonFrame.wrap(buffer, offset, length);
            final String reason = bad != null ? bad : ErrorCode.name(reasonFrame.code()) + ": " + reasonFrame.reason();
            log.warn("peer-error", "node=" + link.peer.name() + " reason=\"" + reason + "\"");
            link.link.close(link.peer.name() + " closed the link: " + reason);
            return;
        }
        final String error = membership.onFrame(link.index(), buffer, offset, length);
        if (error != null)
        {
            final boolean forged = error.startsWith(Membership.FORGED);
            if (forged)
            {
                // identity binding: a node speaks for its own members only; tell it why, then drop the link
                counters.refusedForgedIdentity.incrementOrdered();
                final int errorLength = ReasonFrame.encode(scratch, 0, FrameType.ERROR, ErrorCode.FORGED_IDENTITY,
                    self.name() + " refused a frame from " + link.peer.name() + ": " + error);
                link.link.offer(scratch, 0, errorLength);
            }
            log.warn("peer-protocol-error", "node=" + link.peer.name() + (forged ? " code=FORGED_IDENTITY" : "") +
                " reason=\"" + error + "\"");
            link.link.close("bad frame from " + link.peer.name() + ": " + error);
        }
    }

    /**
     * Close every peer link first on shutdown, so peers see this node leave the network.
     */
    void closeLinks()
    {
        if (resolver != null)
        {
            resolver.close();
        }
        for (final PeerLink link : links)
        {
            if (link != null && link.link != null)
            {
                link.link.close("node " + self.name() + " shutting down");
            }
        }
    }
}
