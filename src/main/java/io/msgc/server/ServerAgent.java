package io.msgc.server;

import io.msgc.admin.CountersFile;
import io.msgc.admin.EventLog;
import io.msgc.admin.NodeCounters;
import io.msgc.admin.ReloadResult;
import io.msgc.admin.Version;
import io.msgc.conf.ListenConfig;
import io.msgc.conf.ListenerConfig;
import io.msgc.conf.MsgcConfig;
import io.msgc.conf.PeerConfig;
import io.msgc.conf.ServerConfig;
import io.msgc.io.Connection;
import io.msgc.io.FrameHandler;
import io.msgc.io.Poller;
import io.msgc.io.SelectIdleStrategy;
import io.msgc.io.Timers;
import io.msgc.wire.AdminFrame;
import io.msgc.wire.ErrorCode;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import io.msgc.wire.GroupOpFrame;
import io.msgc.wire.HelloFrame;
import io.msgc.wire.NameRules;
import io.msgc.wire.ReasonFrame;
import io.msgc.wire.WelcomeFrame;
import io.msgc.wire.HeartbeatFrame;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The whole server on one thread: listeners, the peer mesh, client sessions, the group table and routing.
 * Every socket, buffer and table belongs to this agent; nothing here takes a lock.
 */
final class ServerAgent implements Agent, FrameHandler, GroupService.Deliverer, Router.SlowConsumerHandler
{
    /** Longest a select may block: bounds how late a timer can run. */
    private static final long SELECT_CAP_MS = 100;
    /** Period of the counters-file heartbeat and of the per-peer counter samples. */
    private static final long STATS_INTERVAL_MS = 100;
    /** Test hook: the loop throws an {@link Error} this many ms after start (a fatal error on the loop). */
    static final String INJECT_FATAL_PROPERTY = "msgc.test.injectFatalErrorAfterMs";

    private final ServerConfig config;
    private final ListenerConfig listenerConfig;
    private final PeerConfig self;
    private final EventLog log;
    private final LinkFaults faults = new LinkFaults();
    private final long incarnation = new SecureRandom().nextLong() & Long.MAX_VALUE | 1;
    private final NodeCounters counters;
    private final NanoClock nanoClock = SystemNanoClock.INSTANCE;
    private final ManyToOneConcurrentArrayQueue<Runnable> tasks = new ManyToOneConcurrentArrayQueue<>(256);
    private final Consumer<Runnable> runTask = Runnable::run;
    private final long injectFatalMs = Long.getLong(INJECT_FATAL_PROPERTY, -1);
    private final Poller poller;
    private final Timers timers = new Timers();
    private final PeerMesh mesh;
    private final GroupService groupService;
    private final Router router;
    private final List<ServerSocketChannel> listeners = new ArrayList<>();
    private final List<InetSocketAddress> boundAddresses = new ArrayList<>();
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[8192]);
    private final HelloFrame hello = new HelloFrame();
    private final GroupOpFrame groupOp = new GroupOpFrame();
    private final AdminFrame admin = new AdminFrame();
    private final AdminReport adminReport;
    private final SelectIdleStrategy idleStrategy;
    private final NodeOperations operations;
    private int clientCount;
    private boolean clientsPaused;
    private Consumer<Consumer<String>> adminReload;
    private Runnable onClosed;
    private Throwable fatal;

    /** Attachment of an accepted connection until its HELLO arrives. */
    private static final class Pending
    {
        long timer;
    }

    /** Attachment of an admin console connection. */
    private static final class AdminSession
    {
    }

    ServerAgent(
        final ServerConfig config,
        final ListenerConfig listenerConfig,
        final PeerConfig self,
        final EventLog log,
        final NodeCounters counters,
        final CountersFile countersFile,
        final MsgcConfig running) throws IOException
    {
        this.config = config;
        this.listenerConfig = listenerConfig;
        this.self = self;
        this.log = log;
        this.counters = counters;
        this.poller = new Poller();
        this.idleStrategy = SelectIdleStrategy.forKind(config.idleStrategy());
        this.mesh = new PeerMesh(config, self, incarnation, poller, timers, log, faults, this);
        this.groupService = new GroupService(config, self, mesh, log, this);
        this.router = new Router(self.index(), config.maxFrameSize(), mesh, groupService, counters, this);
        this.adminReport = new AdminReport(config, self, mesh, groupService, counters);
        this.operations = new NodeOperations(config, self, log, counters, countersFile, running, mesh);
        mesh.listener(new PeerMesh.Listener()
        {
            public void onPeerUp(final PeerLink link)
            {
                operations.onPeerChange(link, true);
                groupService.onPeerUp(link);
            }

            public void onPeerDown(final PeerLink link)
            {
                operations.onPeerChange(link, false);
                groupService.onPeerDown(link);
            }

            public void onPeerFrame(final PeerLink link, final DirectBuffer buffer, final int offset, final int length)
            {
                onPeerData(link, buffer, offset, length);
            }
        });
    }

    LinkFaults faults()
    {
        return faults;
    }

    NodeView nodeView()
    {
        return mesh.nodeView();
    }

    List<InetSocketAddress> boundAddresses()
    {
        return boundAddresses;
    }

    /**
     * Bind every listen address. Runs on the caller's thread before the agent starts, so bind errors reach it.
     */
    void bind() throws IOException
    {
        final List<InetSocketAddress> addresses = new ArrayList<>();
        if (listenerConfig.listens().isEmpty())
        {
            addresses.add(self.address());
        }
        else
        {
            for (final ListenConfig listen : listenerConfig.listens())
            {
                addresses.add(listen.address());
            }
        }
        for (final InetSocketAddress address : addresses)
        {
            try
            {
                final ServerSocketChannel channel = poller.listen(address, this::onAccept);
                listeners.add(channel);
                boundAddresses.add((InetSocketAddress)channel.getLocalAddress());
            }
            catch (final IOException ex)
            {
                throw new IOException("cannot listen on " + address.getAddress().getHostAddress() + ":" +
                    address.getPort() + " for node " + self.name() + ": " + ex.getMessage() +
                    " (is another msgc_server running there? check msgcserver_listener / peers)", ex);
            }
        }
        log.notice("listening", "node=" + self.name() + " version=" + Version.VERSION + " pid=" +
            ProcessHandle.current().pid() + " addresses=" + boundAddresses + " incarnation=" +
            Long.toHexString(incarnation) + " peers=" + config.peersDescription() +
            " idle_strategy=" + config.idleStrategy().configName());
    }

    /**
     * @return the idle strategy the agent runner must use: the agent blocks in its selector when it says so.
     */
    SelectIdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /** {@inheritDoc} */
    public String roleName()
    {
        return "msgc-server-" + self.name();
    }

    /** {@inheritDoc} */
    public void onStart()
    {
        mesh.start();
        scheduleClientSweep();
        scheduleStats();
        if (injectFatalMs >= 0)
        {
            timers.schedule(poller.nowMs() + injectFatalMs, () ->
            {
                throw new Error("injected fatal error (" + INJECT_FATAL_PROPERTY + "=" + injectFatalMs + ")");
            });
        }
    }

    /**
     * One loop turn. An {@link Error} (out of memory, stack overflow, ...) ends the loop: the agent runner would
     * rethrow it and let the thread die without {@link #onClose}, so it is turned into a termination here; the
     * error handler records it and the node stops (a daemon then exits non-zero).
     */
    public int doWork()
    {
        try
        {
            return turn();
        }
        catch (final Error error)
        {
            throw new AgentTerminationException(error);
        }
    }

    private int turn()
    {
        if (fatal != null)
        {
            throw new AgentTerminationException(fatal);
        }
        final long startNs = nanoClock.nanoTime();
        final long timeout = idleStrategy.selectTimeoutMs(timers.msUntilNext(poller.nowMs(), SELECT_CAP_MS));
        int work = poller.poll(timeout);
        work += timers.poll(poller.nowMs());
        work += tasks.drain(runTask);
        final boolean congested = mesh.updateCongestion();
        if (congested != clientsPaused)
        {
            pauseClients(congested);
        }
        work += poller.flushDirty();
        // a turn that may block in select is counted from the end of the time it was allowed to block
        operations.onTurn(nanoClock.nanoTime() - startNs - TimeUnit.MILLISECONDS.toNanos(timeout));
        return work;
    }

    /**
     * A fatal error happened on this thread: stop the loop at the start of the next turn (the agent runner then
     * calls {@link #onClose}). Called by the error handler, which runs on the agent thread.
     *
     * @param error the cause.
     */
    void fail(final Throwable error)
    {
        if (fatal == null)
        {
            fatal = error;
        }
    }

    /**
     * @param onClosed run on the agent thread once the loop has stopped, for whatever reason.
     */
    void onClosed(final Runnable onClosed)
    {
        this.onClosed = onClosed;
    }

    /**
     * @param adminReload runs the admin {@code reload} command off the loop and hands its answer back; null when
     *                    this node has no config file to re-read.
     */
    void adminReload(final Consumer<Consumer<String>> adminReload)
    {
        this.adminReload = adminReload;
    }

    /**
     * Run an action on the agent thread, at the next loop turn (within {@value #SELECT_CAP_MS} ms).
     *
     * @param task the action.
     * @return false when the queue stayed full for a second (the loop is stuck).
     */
    boolean submit(final Runnable task)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (!tasks.offer(task))
        {
            if (System.nanoTime() > deadline)
            {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return true;
    }

    /**
     * Close the sockets of an agent whose start failed after {@link #bind()}; its thread never ran.
     */
    void abort()
    {
        poller.close();
    }

    /** {@inheritDoc} */
    public void onClose()
    {
        try
        {
            closeAll();
        }
        finally
        {
            if (onClosed != null)
            {
                onClosed.run();
            }
        }
    }

    private void closeAll()
    {
        mesh.closeLinks();
        groupService.sessions().forEach(session ->
        {
            final int length = ReasonFrame.encode(scratch, 0, FrameType.ERROR, ErrorCode.SHUTDOWN,
                "server " + self.name() + " is shutting down");
            session.connection.offer(scratch, 0, length);
        });
        poller.close();
        log.notice("stopped", "node=" + self.name());
    }

    private void pauseClients(final boolean pause)
    {
        clientsPaused = pause;
        log.info(pause ? "clients-paused" : "clients-resumed", "reason=\"peer link backlog\"");
        groupService.sessions().forEach(session ->
        {
            session.connection.stopReading(pause);
            if (!pause)
            {
                session.connection.deliverBuffered();
            }
        });
    }

    // ---------------------------------------------------------------- accept and handshake

    private void onAccept(final SocketChannel channel)
    {
        final Connection connection;
        try
        {
            connection = poller.adopt(channel, this, config.maxFrameSize() + Router.SENDER_HEADROOM,
                config.clientOutboundLimit(), config.tcpbufSize());
        }
        catch (final IOException ex)
        {
            log.warn("accept-failed", "reason=\"" + ex.getMessage() + "\"");
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // gone already
            }
            return;
        }
        final java.net.InetAddress remote = ((InetSocketAddress)channel.socket().getRemoteSocketAddress()).getAddress();
        if (!listenerConfig.allows(remote))
        {
            reject(connection, ErrorCode.NOT_ALLOWED, "address " + remote.getHostAddress() +
                " is not allowed by the msgcserver_listener Peer access list of " + self.name());
            return;
        }
        final Pending pending = new Pending();
        connection.attachment(pending);
        pending.timer = timers.schedule(poller.nowMs() + config.connectTimeout() * 1000L, () ->
        {
            if (connection.attachment() == pending)
            {
                reject(connection, ErrorCode.TIMEOUT, "no HELLO within connect_timeout=" + config.connectTimeout() + "s");
            }
        });
        log.info("accepted", "remote=" + connection.remote());
    }

    private void reject(final Connection connection, final int code, final String reason)
    {
        log.warn("rejected", "remote=" + connection.remote() + " code=" + ErrorCode.name(code) +
            " reason=\"" + reason + "\"");
        sendReason(connection, FrameType.REJECT, code, reason);
        connection.close("rejected: " + reason);
    }

    private void sendReason(final Connection connection, final int type, final int code, final String reason)
    {
        final int length = ReasonFrame.encode(scratch, 0, type, code, reason);
        connection.offer(scratch, 0, length);
    }

    private void onHello(final Connection connection, final Pending pending, final DirectBuffer buffer,
        final int offset, final int length)
    {
        final int type = FrameHeader.type(buffer, offset);
        if (type != FrameType.HELLO)
        {
            counters.protocolErrors.incrementRelease();
            reject(connection, ErrorCode.UNEXPECTED_FRAME, "expected HELLO as the first frame, got " +
                FrameType.name(type));
            return;
        }
        final String error = hello.wrap(buffer, offset, length);
        if (error != null)
        {
            counters.protocolErrors.incrementRelease();
            reject(connection, ErrorCode.MALFORMED_FRAME, error);
            return;
        }
        timers.cancel(pending.timer);
        connection.attachment(null);
        switch (hello.role())
        {
            case HelloFrame.ROLE_PEER:
                connection.writeLimit(PeerMesh.PEER_WRITE_LIMIT);
                mesh.onPeerHello(connection, hello);
                break;
            case HelloFrame.ROLE_CLIENT:
                onClientHello(connection);
                break;
            default:
                connection.attachment(new AdminSession());
                final int welcomeLength = WelcomeFrame.encode(scratch, 0, incarnation, self.index(), self.name(), "");
                connection.offer(scratch, 0, welcomeLength);
                break;
        }
    }

    private void onClientHello(final Connection connection)
    {
        if (!NameRules.isPrivateName(hello.buffer(), hello.nameOffset(), hello.nameLength()))
        {
            counters.clientsRejected.incrementRelease();
            reject(connection, ErrorCode.BAD_NAME, "bad private name '" + hello.name() +
                "': 1-31 characters of [A-Za-z0-9_.-]");
            return;
        }
        final String name = hello.name();
        if (groupService.sessions().find(name) != null)
        {
            counters.clientsRejected.incrementRelease();
            reject(connection, ErrorCode.DUPLICATE_NAME, "private name '" + name + "' is already connected to " +
                self.name() + "; choose another name");
            return;
        }
        if (clientCount >= config.maxClients())
        {
            counters.clientsRejected.incrementRelease();
            reject(connection, ErrorCode.LIMIT_EXCEEDED, self.name() + " has " + clientCount +
                " clients (max_clients=" + config.maxClients() + ")");
            return;
        }
        final ClientSession session =
            new ClientSession(name, NameRules.memberId(name, self.name()), connection, poller.nowMs());
        connection.attachment(session);
        if (clientsPaused)
        {
            connection.stopReading(true);
        }
        groupService.addSession(session);
        clientCount++;
        counters.clientsConnected.setRelease(clientCount);
        counters.clientsAccepted.incrementRelease();
        final int length = WelcomeFrame.encode(scratch, 0, incarnation, self.index(), self.name(), session.memberId);
        connection.offer(scratch, 0, length);
        log.info("client-connected", "member=" + session.memberId + " remote=" + connection.remote());
    }

    // ---------------------------------------------------------------- frames

    /** {@inheritDoc} */
    public void onFrame(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
    {
        final Object attachment = connection.attachment();
        if (attachment instanceof ClientSession)
        {
            onClientFrame((ClientSession)attachment, buffer, offset, length);
        }
        else if (attachment instanceof PeerLink)
        {
            mesh.onLinkFrame((PeerLink)attachment, buffer, offset, length);
        }
        else if (attachment instanceof PeerMesh.Dial)
        {
            mesh.onDialFrame((PeerMesh.Dial)attachment, connection, buffer, offset, length);
        }
        else if (attachment instanceof Pending)
        {
            onHello(connection, (Pending)attachment, buffer, offset, length);
        }
        else if (attachment instanceof AdminSession)
        {
            onAdminFrame(connection, buffer, offset, length);
        }
    }

    private void onClientFrame(final ClientSession session, final DirectBuffer buffer, final int offset, final int length)
    {
        final int type = FrameHeader.type(buffer, offset);
        switch (type)
        {
            case FrameType.DATA:
            {
                if (length > config.maxFrameSize())
                {
                    clientError(session, ErrorCode.OVERSIZE_FRAME, "DATA frame of " + length +
                        " bytes is over max_frame_size=" + config.maxFrameSize());
                    break;
                }
                final String error = router.fromClient(session, buffer, offset, length);
                if (error != null)
                {
                    clientError(session, ErrorCode.MALFORMED_FRAME, error);
                }
                break;
            }
            case FrameType.JOIN:
            case FrameType.LEAVE:
            {
                String error = groupOp.wrap(buffer, offset, length);
                int code = ErrorCode.BAD_NAME;
                if (error == null)
                {
                    code = ErrorCode.LIMIT_EXCEEDED;
                    error = type == FrameType.JOIN ?
                        groupService.join(session, groupOp.group()) : groupService.leave(session, groupOp.group());
                }
                if (error != null)
                {
                    clientError(session, code, FrameType.name(type) + " refused: " + error);
                }
                break;
            }
            case FrameType.HEARTBEAT:
                break;
            default:
                counters.protocolErrors.incrementRelease();
                sendReason(session.connection, FrameType.ERROR, ErrorCode.UNEXPECTED_FRAME,
                    "unexpected frame " + FrameType.name(type) + " from a client; closing");
                session.connection.close("protocol error: unexpected " + FrameType.name(type));
                break;
        }
    }

    private void clientError(final ClientSession session, final int code, final String reason)
    {
        counters.protocolErrors.incrementRelease();
        log.info("client-error", "member=" + session.memberId + " code=" + ErrorCode.name(code) +
            " reason=\"" + reason + "\"");
        final int length = ReasonFrame.encode(scratch, 0, FrameType.ERROR, code, reason);
        deliverControl(session, scratch, 0, length);
    }

    private void onPeerData(final PeerLink link, final DirectBuffer buffer, final int offset, final int length)
    {
        final int type = FrameHeader.type(buffer, offset);
        if (type == FrameType.DATA)
        {
            final String error = router.fromPeer(buffer, offset, length);
            if (error != null)
            {
                link.link.close("bad DATA from " + link.peer.name() + ": " + error);
            }
        }
        else if (type == FrameType.MEMBER_SYNC)
        {
            groupService.onPeerFrame(link, buffer, offset, length);
        }
        else
        {
            link.link.close("unexpected " + FrameType.name(type) + " from peer " + link.peer.name());
        }
    }

    private void onAdminFrame(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
    {
        if (FrameHeader.type(buffer, offset) != FrameType.ADMIN_REQUEST)
        {
            return;
        }
        admin.wrap(buffer, offset, length);
        final String command = admin.text().trim();
        if ("reload".equals(command))
        {
            if (adminReload == null)
            {
                operations.sendAdminAnswer(connection, "error: node " + self.name() +
                    " runs without a config file (embedded); there is nothing to reload\n");
            }
            else
            {
                // reading and checking the file happens off the loop; the answer comes back as a task
                adminReload.accept(answer -> submit(() -> operations.sendAdminAnswer(connection, answer)));
            }
            return;
        }
        operations.sendAdminAnswer(connection, adminReport.answer(command, poller.nowMs()));
    }

    /**
     * Apply a re-read configuration; runs on the agent thread. See {@link NodeOperations#reload}.
     *
     * @param next   the new configuration, parsed and validated.
     * @param source where it came from.
     * @return what was applied and what needs a restart, or why nothing changed.
     */
    ReloadResult reload(final MsgcConfig next, final String source)
    {
        return operations.reload(next, source);
    }

    private void scheduleStats()
    {
        timers.schedule(poller.nowMs() + STATS_INTERVAL_MS, () ->
        {
            operations.onStatsTick(poller.nowMs());
            scheduleStats();
        });
    }

    /** {@inheritDoc} */
    public void deliverControl(final ClientSession session, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!session.closing && !session.connection.offer(buffer, offset, length))
        {
            onSlowConsumer(session);
        }
    }

    /** {@inheritDoc} */
    public void onSlowConsumer(final ClientSession session)
    {
        session.closing = true;
        counters.slowConsumers.incrementRelease();
        log.warn("slow-consumer", "member=" + session.memberId + " pending=" + session.connection.pendingBytes() +
            " limit=" + session.connection.writeLimit());
        // the buffer is full: the reason cannot queue behind it, so it replaces what is pending
        session.connection.close("slow consumer: outbound buffer over client_outbound_limit=" +
            config.clientOutboundLimit());
    }

    /** {@inheritDoc} */
    public void onFramingError(final Connection connection, final int errorCode, final String reason)
    {
        counters.protocolErrors.incrementRelease();
        final boolean handshaking = connection.attachment() instanceof Pending;
        log.warn("framing-error", "remote=" + connection.remote() + " code=" + ErrorCode.name(errorCode) +
            " reason=\"" + reason + "\"");
        sendReason(connection, handshaking ? FrameType.REJECT : FrameType.ERROR, errorCode, reason);
    }

    /** {@inheritDoc} */
    public void onConnected(final Connection connection)
    {
        mesh.onDialConnected(connection);
    }

    /** {@inheritDoc} */
    public void onClosed(final Connection connection, final String reason)
    {
        final Object attachment = connection.attachment();
        if (attachment instanceof ClientSession)
        {
            final ClientSession session = (ClientSession)attachment;
            session.closing = true;
            clientCount--;
            counters.clientsConnected.setRelease(clientCount);
            log.info("client-disconnected", "member=" + session.memberId + " reason=\"" + reason + "\"");
            groupService.disconnect(session);
        }
        else if (attachment instanceof PeerLink)
        {
            mesh.onLinkClosed((PeerLink)attachment, connection, reason);
        }
        else if (attachment instanceof PeerMesh.Dial)
        {
            mesh.onDialClosed((PeerMesh.Dial)attachment, connection, reason);
        }
        else if (attachment instanceof Pending)
        {
            timers.cancel(((Pending)attachment).timer);
        }
    }

    // ---------------------------------------------------------------- client liveness

    private void scheduleClientSweep()
    {
        final long intervalMs = Math.max(100, config.keepaliveInterval() * 1000L);
        timers.schedule(poller.nowMs() + intervalMs, this::sweepClients);
    }

    /** Heartbeat every client and close those silent for longer than {@code idle_timeout}. */
    private void sweepClients()
    {
        final long now = poller.nowMs();
        final long idleMs = config.idleTimeout() * 1000L;
        final int length = HeartbeatFrame.encode(scratch, 0, now);
        groupService.sessions().forEach(session ->
        {
            if (now - session.connection.lastReadMs() > idleMs)
            {
                sendReason(session.connection, FrameType.ERROR, ErrorCode.TIMEOUT,
                    "no frame from client for " + config.idleTimeout() + "s (idle_timeout)");
                session.connection.close("idle for more than idle_timeout=" + config.idleTimeout() + "s");
            }
            else
            {
                deliverControl(session, scratch, 0, length);
            }
        });
        scheduleClientSweep();
    }
}
