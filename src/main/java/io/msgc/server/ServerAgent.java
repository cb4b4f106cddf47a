package io.msgc.server;

import io.msgc.admin.CountersFile;
import io.msgc.admin.EventLog;
import io.msgc.admin.NodeCounters;
import io.msgc.admin.ReloadResult;
import io.msgc.admin.Version;
import io.msgc.client.MsgcException;
import io.msgc.conf.ListenConfig;
import io.msgc.conf.ListenerConfig;
import io.msgc.conf.MsgcConfig;
import io.msgc.conf.PeerConfig;
import io.msgc.conf.ServerConfig;
import io.msgc.io.BufferPool;
import io.msgc.io.Connection;
import io.msgc.io.FrameHandler;
import io.msgc.io.MemberChannel;
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
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

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
final class ServerAgent implements Agent, FrameHandler, GroupTable.Deliverer, Router.SlowConsumerHandler,
    Membership.Local, LocalMembers.Host
{
    /** Longest a select may block: bounds how late a timer can run. */
    private static final long SELECT_CAP_MS = 100;
    /** Most bytes this node's stream, and what it holds of each peer's, may take. */
    private static final int MAX_STREAM_BYTES = 512 * 1024 * 1024;
    /** Longest a drain waits for its clients' departures and the view change before it stops anyway. */
    static final long DRAIN_TIMEOUT_MS = 10_000;
    /** Period of the counters-file heartbeat and of the per-peer counter samples. */
    private static final long STATS_INTERVAL_MS = 100;
    /** Test hook: the loop throws an {@link Error} this many ms after start (a fatal error on the loop). */
    static final String INJECT_FATAL_PROPERTY = "msgc.test.injectFatalErrorAfterMs";
    /** Request ring of an in-process member (the client's default send queue size). */
    private static final int LOCAL_REQUEST_BYTES = 1024 * 1024;
    /**
     * With in-process members, turns that need not block do only the in-process part (their rings, the streams,
     * the flushes) this many times between two full turns (select, timers, tasks): a full turn costs about 0.6 µs,
     * more than the rest of an in-process member's round trip.
     */
    private static final int LOCAL_TURNS = 15;

    private final ServerConfig config;
    private final ListenerConfig listenerConfig;
    private final PeerConfig self;
    private final EventLog log;
    private final LinkFaults faults = new LinkFaults();
    private final long incarnation = new SecureRandom().nextLong() & Long.MAX_VALUE | 1;
    private final NodeCounters counters;
    private final NanoClock nanoClock;
    private final ManyToOneConcurrentArrayQueue<Runnable> tasks = new ManyToOneConcurrentArrayQueue<>(256);
    private final Consumer<Runnable> runTask = Runnable::run;
    private final long injectFatalMs = Long.getLong(INJECT_FATAL_PROPERTY, -1);
    private final Poller poller;
    private final Timers timers;
    private final PeerMesh mesh;
    private final NameTable<ClientSession> sessions = new NameTable<>();
    private final GroupTable table;
    private final Membership membership;
    private final NodeView nodeView = new NodeView();
    private final NodeNames nodeNames;
    private final Router router;
    private final LocalMembers local;
    /** Members whose connection closed during this turn: they leave their groups at its end, never nested. */
    private final ArrayList<ClientSession> gone = new ArrayList<>();
    private final List<ServerSocketChannel> listeners = new ArrayList<>();
    private final List<InetSocketAddress> boundAddresses = new ArrayList<>();
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[8192]);
    private final HelloFrame hello = new HelloFrame();
    private final GroupOpFrame groupOp = new GroupOpFrame();
    private final AdminFrame admin = new AdminFrame();
    private final AdminReport adminReport;
    private final SelectIdleStrategy idleStrategy;
    private final NodeOperations operations;
    private final Authenticator authenticator;
    private final ConnectLimiter connectLimiter;
    private final RefusalLog refusalLog;
    /** The handshake of the connection being welcomed now: its WELCOME carries the server's proof. */
    private Authenticator.Handshake welcoming;
    private int clientCount;
    private int localTurns;
    private boolean clientsPaused;
    /** Connections waiting for HELLO, oldest first: a list through {@link Pending}. */
    private Pending oldestPending;
    private Pending newestPending;
    private int pendingCount;
    private long handshakeWarnMs;
    private long handshakesRefusedUnlogged;
    private Consumer<Consumer<String>> adminReload;
    private Runnable onDrained;
    /** While draining: when it gives up waiting; else 0. */
    private long drainDeadlineMs;
    private Runnable onClosed;
    private Throwable fatal;

    /** Attachment of an accepted connection until its HELLO arrives; a link in the list of such connections. */
    private static final class Pending
    {
        final Connection connection;
        /** The shared-secret handshake, when the node has a secret. */
        Authenticator.Handshake handshake;
        long timer;
        Pending older;
        Pending newer;

        Pending(final Connection connection)
        {
            this.connection = connection;
        }
    }

    /** Attachment of an admin console connection. */
    private static final class AdminSession
    {
        /** False for a console that may only read (see {@link Authenticator}). */
        final boolean mayChange;

        AdminSession(final boolean mayChange)
        {
            this.mayChange = mayChange;
        }
    }

    ServerAgent(
        final ServerConfig config,
        final ListenerConfig listenerConfig,
        final PeerConfig self,
        final EventLog log,
        final NodeCounters counters,
        final CountersFile countersFile,
        final MsgcConfig running,
        final NanoClock nanoClock,
        final EpochClock epochClock) throws IOException
    {
        this.config = config;
        this.listenerConfig = listenerConfig;
        this.self = self;
        this.log = log;
        this.counters = counters;
        this.nanoClock = nanoClock;
        this.poller = new Poller(nanoClock, epochClock, config.maxBufferMemory());
        poller.frameLimit(config.messagesPerIter());
        poller.errorHandler(this::onLoopError);
        this.timers = new Timers(poller);
        this.idleStrategy = SelectIdleStrategy.forKind(config.idleStrategy());
        this.mesh = new PeerMesh(config, self, incarnation, poller, timers, log, faults, this, counters);
        this.nodeNames = new NodeNames(config.peers());
        this.table = new GroupTable(self.index(), nodeNames, config.maxFrameSize(), sessions, this);
        this.router = new Router(self.index(), config.maxFrameSize(), nodeNames, table.groups(), sessions, counters,
            this);
        this.local = new LocalMembers(this, poller, config.messagesPerIter());
        final Membership.Limits limits = new Membership.Limits(config.maxFrameSize(),
            TimeUnit.MILLISECONDS.toNanos(config.peerTimeoutMs()), config.maxBacklog(), MAX_STREAM_BYTES,
            TimeUnit.SECONDS.toNanos(config.slowConsumerTimeout()));
        // the turn's time, not a clock read per peer frame: precise enough for deadlines of a peer timeout
        this.membership = new Membership(
            self.index(), nodeNames, incarnation, limits, poller::nowNs, epochClock, mesh, this, table, log);
        mesh.membership(membership);
        nodeView.set(membership.viewId(), membership.members());
        this.adminReport = new AdminReport(config, self, mesh, membership, table, sessions, counters);
        this.operations = new NodeOperations(config, self, log, counters, countersFile, running, mesh, nodeView);
        mesh.operations(operations);
        this.authenticator = new Authenticator(self.name(), config.authSecret(), config.adminSecret());
        this.connectLimiter = new ConnectLimiter(config.connectRate(), config.connectBurst());
        this.refusalLog = new RefusalLog(log);
        mesh.trust(authenticator, refusalLog);
    }

    LinkFaults faults()
    {
        return faults;
    }

    NodeView nodeView()
    {
        return nodeView;
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
        if (config.authSecret() == null)
        {
            log.warn("auth-disabled", "node=" + self.name() + " reason=\"no auth_secret_file in msgc_server: " +
                "any host the listener accepts may join as a peer, client or console\" action=\"set " +
                "auth_secret_file (see README, Security)\"");
        }
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
        poller.beginTurn();
        try
        {
            mesh.start();
            scheduleTick();
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
        finally
        {
            poller.endTurn();
        }
    }

    private void scheduleTick()
    {
        timers.schedule(poller.nowMs() + config.heartbeatIntervalMs(), () ->
        {
            membership.tick();
            scheduleTick();
        });
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
        if (faults.isPaused())
        {
            LockSupport.parkNanos(1_000_000);
            return 0;
        }
        if (local.count() > 0 && localTurns < LOCAL_TURNS && idleStrategy.selectTimeoutMs(Long.MAX_VALUE) == 0)
        {
            localTurns++;
            return localTurn();
        }
        localTurns = 0;
        long timeout = idleStrategy.selectTimeoutMs(timers.msUntilNext(SELECT_CAP_MS));
        if (timeout > 0 && !local.mayWait())
        {
            timeout = 0; // an in-process member queued work meanwhile
        }
        int work = 0;
        // one turn: closes asked for by timers, tasks, resolver answers or the membership run at its end
        poller.beginTurn();
        try
        {
            work += poller.poll(timeout);
            local.doneWaiting();
            work += local.poll();
            work += timers.poll();
            work += tasks.drain(runTask);
            work += mesh.pollResolver();
            work += endTurn();
        }
        finally
        {
            work += poller.endTurn();
        }
        // members whose connections closed at the end of that turn leave now, not after the next select
        for (int rounds = 0; (!gone.isEmpty() || local.hasCloses()) && rounds < 16; rounds++)
        {
            poller.beginTurn();
            try
            {
                work += endTurn();
            }
            finally
            {
                work += poller.endTurn();
            }
        }
        work += local.afterTurn();
        // counted from the poller's time of the turn, which it reads again after a select that may have waited
        operations.onTurn(nanoClock.nanoTime() - poller.nowNs());
        return work;
    }

    /** A turn for in-process members only: their requests, then what ends every turn. */
    private int localTurn()
    {
        int work = 0;
        poller.beginTurn();
        try
        {
            work += local.poll();
            work += endTurn();
        }
        finally
        {
            work += poller.endTurn();
        }
        return work + local.afterTurn();
    }

    private int endTurn()
    {
        final int work = local.drainCloses() + leaveGone();
        membership.endTurn();
        if (nodeView.viewId() != membership.viewId())
        {
            nodeView.set(membership.viewId(), membership.members());
            operations.onViewChange(membership.viewId());
        }
        return work;
    }

    private void onLoopError(final Throwable error)
    {
        final StackTraceElement[] trace = error.getStackTrace();
        log.log(EventLog.Level.ERROR, "loop-error", "exception=\"" + error + "\"" +
            (trace.length > 0 ? " at=" + trace[0] : ""));
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
        sessions.forEach(session ->
        {
            final int length = ReasonFrame.encode(scratch, 0, FrameType.ERROR, ErrorCode.SHUTDOWN,
                "server " + self.name() + " is shutting down");
            session.out.offer(scratch, 0, length);
        });
        local.shutdown("server " + self.name() + " is shutting down");
        poller.close();
        log.notice("stopped", "node=" + self.name());
    }

    /** {@inheritDoc} */
    public void pauseClients(final boolean pause)
    {
        clientsPaused = pause;
        local.pause(pause);
        log.info(pause ? "clients-paused" : "clients-resumed",
            "reason=\"" + (membership.changing() ? "view change" : "stream backlog") + "\"");
        sessions.forEach(session ->
        {
            if (session.connection != null)
            {
                session.connection.stopReading(pause);
                if (!pause)
                {
                    session.connection.deliverBuffered();
                }
            }
        });
    }

    /** {@inheritDoc} */
    public long deliver(final ClientSession sender, final DirectBuffer buffer, final int offset, final int length)
    {
        return router.deliver(sender, buffer, offset, length);
    }

    /** {@inheritDoc} */
    public long route(final DirectBuffer buffer, final int offset, final int length)
    {
        return router.route(buffer, offset, length);
    }

    /** {@inheritDoc} */
    public ClientSession deliverIfRoom(
        final ClientSession sender,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final boolean check)
    {
        return router.deliverIfRoom(sender, buffer, offset, length, check);
    }

    /** {@inheritDoc} */
    public long routed()
    {
        return router.routed();
    }

    /** {@inheritDoc} */
    public void cutSlowConsumer(final ClientSession session, final long stalledMs)
    {
        disconnectSlow(session, "slow consumer: read nothing for " + stalledMs + " ms while its buffer held " +
            "messages back (slow_consumer_timeout=" + config.slowConsumerTimeout() + "s)");
    }

    /** {@inheritDoc} */
    public void refused(final String privateName, final String group, final long correlation, final String reason)
    {
        final ClientSession session = sessions.find(privateName);
        if (session != null)
        {
            session.requested.remove(group);
            clientError(session, correlation, ErrorCode.LIMIT_EXCEEDED, reason);
        }
    }

    /** The members whose connection closed during the turn leave their groups now, outside every loop. */
    private int leaveGone()
    {
        final int count = gone.size();
        for (int i = 0; i < count; i++)
        {
            membership.onClientGone(gone.get(i));
        }
        gone.clear();
        return count;
    }

    // ---------------------------------------------------------------- accept and handshake

    private void onAccept(final SocketChannel channel)
    {
        final Connection connection;
        try
        {
            connection = poller.adopt(channel, this, config.maxFrameSize(),
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
        // before anything else costs: one host may not open connections faster than connect_rate
        if (!connectLimiter.tryAcquire(remote, nanoClock.nanoTime()))
        {
            refuse(connection, ErrorCode.RATE_LIMITED, counters.refusedRateLimited, "too many connections from " +
                remote.getHostAddress() + ": over connect_rate=" + config.connectRate() + "/s (connect_burst=" +
                config.connectBurst() + ") of " + self.name() + "; retry later");
            return;
        }
        // the local address tells which Listen scope accepted it, and so which Peer rules apply
        if (!listenerConfig.allows(remote, (InetSocketAddress)channel.socket().getLocalSocketAddress()))
        {
            refuse(connection, ErrorCode.NOT_ALLOWED, counters.refusedNotAllowed, "address " +
                remote.getHostAddress() + " is not allowed by the msgcserver_listener Peer access list of " +
                self.name());
            return;
        }
        if (pendingCount >= config.maxHandshakes())
        {
            refuseOldestHandshake();
        }
        // until HELLO, one small read buffer at most: a silent or trickling connection cannot hold more
        connection.readBufferLimit(BufferPool.MIN_CHUNK);
        final Pending pending = new Pending(connection);
        connection.attachment(pending);
        linkPending(pending);
        // with a secret the server speaks first: a fresh nonce the connecting side must prove the secret over
        pending.handshake = authenticator.challenge(scratch, 0);
        final long timeoutMs = pending.handshake == null ? config.connectTimeout() * 1000L :
            Math.min(config.connectTimeout() * 1000L, config.authTimeoutMs());
        if (pending.handshake != null)
        {
            connection.offer(scratch, 0, pending.handshake.challenge.length);
        }
        pending.timer = timers.schedule(poller.nowMs() + timeoutMs, () ->
        {
            if (connection.attachment() == pending)
            {
                refuse(connection, ErrorCode.TIMEOUT, counters.refusedTimeout, pending.handshake == null ?
                    "no HELLO within connect_timeout=" + config.connectTimeout() + "s" :
                    "handshake (HELLO and AUTH) not finished within " + timeoutMs + " ms (auth_timeout_ms=" +
                    config.authTimeoutMs() + ", connect_timeout=" + config.connectTimeout() + "s)");
            }
        });
        log.info("accepted", "remote=" + connection.remote());
    }

    private void linkPending(final Pending pending)
    {
        pending.older = newestPending;
        if (newestPending != null)
        {
            newestPending.newer = pending;
        }
        else
        {
            oldestPending = pending;
        }
        newestPending = pending;
        pendingCount++;
    }

    private void unlinkPending(final Pending pending)
    {
        if (pending.older == null && pending.newer == null && oldestPending != pending)
        {
            return; // not linked
        }
        if (pending.older != null)
        {
            pending.older.newer = pending.newer;
        }
        else
        {
            oldestPending = pending.newer;
        }
        if (pending.newer != null)
        {
            pending.newer.older = pending.older;
        }
        else
        {
            newestPending = pending.older;
        }
        pending.older = null;
        pending.newer = null;
        pendingCount--;
    }

    /**
     * {@code max_handshakes} connections wait for HELLO: refuse the one waiting longest to admit the new one. A
     * real client says HELLO within a round trip, so a flood of silent connections evicts only itself.
     */
    private void refuseOldestHandshake()
    {
        final Pending oldest = oldestPending;
        unlinkPending(oldest);
        timers.cancel(oldest.timer);
        if (oldest.connection.isClosed())
        {
            return; // closing already (timed out this turn): its slot is free now
        }
        final long refused = counters.handshakesRefused.incrementOrdered() + 1;
        final String reason = self.name() + " has " + config.maxHandshakes() +
            " connections waiting for HELLO (max_handshakes=" + config.maxHandshakes() +
            "); the one waiting longest is dropped";
        sendReason(oldest.connection, FrameType.REJECT, ErrorCode.LIMIT_EXCEEDED, reason);
        oldest.connection.close("refused: " + reason);
        // one line per second at most: a flood must not turn into a flood of log lines
        handshakesRefusedUnlogged++;
        if (refused == 1 || poller.nowMs() - handshakeWarnMs >= 1000)
        {
            log.warn("handshakes-refused", "count=" + handshakesRefusedUnlogged + " total=" +
                refused + " max_handshakes=" + config.maxHandshakes() +
                " last-remote=" + oldest.connection.remote());
            handshakeWarnMs = poller.nowMs();
            handshakesRefusedUnlogged = 0;
        }
    }

    /**
     * Refuse a connection during its handshake: counted, REJECT with the reason, closed; the WARNING line is
     * rate-limited per code ({@link RefusalLog}).
     */
    private void refuse(final Connection connection, final int code, final AtomicCounter counter, final String reason)
    {
        counter.incrementOrdered();
        refusalLog.warn(poller.nowMs(), "rejected", code, () -> "remote=" + connection.remote() + " code=" +
            ErrorCode.name(code) + " reason=\"" + reason + "\"");
        sendReason(connection, FrameType.REJECT, code, reason);
        connection.close("rejected: " + reason);
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
        final Authenticator.Handshake handshake = pending.handshake;
        if (handshake != null && handshake.awaitingAuth())
        {
            onAuth(connection, pending, type, buffer, offset, length);
            return;
        }
        if (type != FrameType.HELLO)
        {
            counters.protocolErrors.incrementOrdered();
            reject(connection, ErrorCode.UNEXPECTED_FRAME, "expected HELLO as the first frame, got " +
                FrameType.name(type));
            return;
        }
        final String error = hello.wrap(buffer, offset, length);
        if (error != null)
        {
            counters.protocolErrors.incrementOrdered();
            reject(connection, ErrorCode.MALFORMED_FRAME, error);
            return;
        }
        final int decision = authenticator.onHello(handshake, hello);
        if (decision == Authenticator.AWAIT_AUTH)
        {
            return; // still pending: small read buffer, handshake deadline
        }
        if (decision != Authenticator.PROCEED)
        {
            refuse(connection, decision, decision == ErrorCode.AUTH_REQUIRED ? counters.refusedAuthRequired :
                counters.refusedAuthFailed, authenticator.reason());
            return;
        }
        welcome(connection, pending);
    }

    /** The AUTH that answers this node's CHALLENGE: welcome the connection, or refuse it. */
    private void onAuth(final Connection connection, final Pending pending, final int type, final DirectBuffer buffer,
        final int offset, final int length)
    {
        if (type != FrameType.AUTH)
        {
            counters.protocolErrors.incrementOrdered();
            reject(connection, ErrorCode.UNEXPECTED_FRAME, "expected AUTH after HELLO, got " + FrameType.name(type));
            return;
        }
        final int decision = authenticator.onAuth(pending.handshake, buffer, offset, length);
        if (decision != Authenticator.PROCEED)
        {
            refuse(connection, decision, decision == ErrorCode.MALFORMED_FRAME ? counters.protocolErrors :
                counters.refusedAuthFailed, authenticator.reason());
            return;
        }
        final UnsafeBuffer copy = Authenticator.hello(pending.handshake);
        hello.wrap(copy, 0, copy.capacity());
        welcome(connection, pending);
    }

    /** The handshake is done: hand the connection to its role, which sends WELCOME (or REJECT). */
    private void welcome(final Connection connection, final Pending pending)
    {
        timers.cancel(pending.timer);
        unlinkPending(pending);
        connection.attachment(null);
        connection.readBufferLimit(Integer.MAX_VALUE);
        welcoming = pending.handshake;
        switch (hello.role())
        {
            case HelloFrame.ROLE_PEER:
                connection.writeLimit(PeerMesh.PEER_WRITE_LIMIT);
                connection.useReserve(true);
                mesh.onPeerHello(connection, hello, pending.handshake);
                break;
            case HelloFrame.ROLE_CLIENT:
                onClientHello(connection);
                break;
            default:
                connection.attachment(new AdminSession(pending.handshake == null || pending.handshake.mayChange));
                final int welcomeLength = WelcomeFrame.encode(scratch, 0, incarnation, self.index(), config.maxFrameSize(), self.name(), "");
                connection.offer(scratch, 0, authenticator.seal(pending.handshake, scratch, 0, welcomeLength));
                break;
        }
        welcoming = null;
    }

    private void onClientHello(final Connection connection)
    {
        if (!NameRules.isPrivateName(hello.buffer(), hello.nameOffset(), hello.nameLength()))
        {
            counters.clientsRejected.incrementOrdered();
            reject(connection, ErrorCode.BAD_NAME, "bad private name '" + hello.name() +
                "': 1-31 characters of [A-Za-z0-9_.-]");
            return;
        }
        if (drainDeadlineMs != 0)
        {
            counters.clientsRejected.incrementOrdered();
            reject(connection, ErrorCode.SHUTDOWN, "server " + self.name() + " is draining: connect to another " +
                "server");
            return;
        }
        final String name = hello.name();
        if (sessions.find(name) != null)
        {
            counters.clientsRejected.incrementOrdered();
            reject(connection, ErrorCode.DUPLICATE_NAME, "private name '" + name + "' is already connected to " +
                self.name() + "; choose another name");
            return;
        }
        if (clientCount >= config.maxClients())
        {
            counters.clientsRejected.incrementOrdered();
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
        sessions.add(session);
        clientCount++;
        counters.clientsConnected.setOrdered(clientCount);
        counters.clientsAccepted.incrementOrdered();
        final int length = WelcomeFrame.encode(
            scratch, 0, incarnation, self.index(), config.maxFrameSize(), self.name(), session.memberId);
        connection.offer(scratch, 0, authenticator.seal(welcoming, scratch, 0, length));
        log.info("client-connected", "member=" + session.memberId + " remote=" + connection.remote());
    }

    // ---------------------------------------------------------------- frames

    /** {@inheritDoc} */
    public void onFrame(
        final Connection connection, final MutableDirectBuffer buffer, final int offset, final int length)
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

    private void onClientFrame(
        final ClientSession session, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final int type = FrameHeader.type(buffer, offset);
        switch (type)
        {
            case FrameType.DATA:
            {
                final String error = router.check(session, buffer, offset, length);
                if (error != null)
                {
                    clientError(session, FrameHeader.correlation(buffer, offset, length), ErrorCode.MALFORMED_FRAME,
                        error);
                }
                else
                {
                    membership.onClientData(
                        session, router.checkedBuffer(), router.checkedOffset(), router.checkedLength());
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
                    final long correlation = groupOp.correlation();
                    error = type == FrameType.JOIN ?
                        membership.onJoin(session, groupOp.group(), correlation, config.maxGroupsPerClient()) :
                        membership.onLeave(session, groupOp.group(), correlation);
                }
                if (error != null)
                {
                    clientError(session, FrameHeader.correlation(buffer, offset, length), code,
                        FrameType.name(type) + " refused: " + error);
                }
                break;
            }
            case FrameType.HEARTBEAT:
                break;
            default:
                counters.protocolErrors.incrementOrdered();
                final int errorLength = ReasonFrame.encode(scratch, 0, FrameType.ERROR, ErrorCode.UNEXPECTED_FRAME,
                    "unexpected frame " + FrameType.name(type) + " from a client; closing");
                session.out.offer(scratch, 0, errorLength);
                closeSession(session, "protocol error: unexpected " + FrameType.name(type));
                break;
        }
    }

    private void clientError(final ClientSession session, final long correlation, final int code, final String reason)
    {
        counters.protocolErrors.incrementOrdered();
        log.info("client-error", "member=" + session.memberId + " code=" + ErrorCode.name(code) +
            " correlation=" + correlation + " reason=\"" + reason + "\"");
        final int length = ReasonFrame.encode(scratch, 0, FrameType.ERROR, correlation, code, reason);
        deliverControl(session, scratch, 0, length);
    }

    private void onAdminFrame(final Connection connection, final DirectBuffer buffer, final int offset, final int length)
    {
        if (FrameHeader.type(buffer, offset) != FrameType.ADMIN_REQUEST)
        {
            return;
        }
        admin.wrap(buffer, offset, length);
        final String command = admin.text().trim();
        if (!((AdminSession)connection.attachment()).mayChange && !AdminReport.isReadOnly(command))
        {
            counters.refusedAdminReadOnly.incrementOrdered();
            refusalLog.warn(poller.nowMs(), "admin-refused", ErrorCode.READ_ONLY, () -> "remote=" +
                connection.remote() + " code=READ_ONLY command=\"" + command + "\"");
            operations.sendAdminAnswer(connection, "error: READ_ONLY: '" + command + "' is not a read-only " +
                "command (" + AdminReport.READ_ONLY_COMMANDS + "); it needs the admin secret (admin_secret_file of " +
                self.name() + "), and this console proved only the cluster secret\n");
            return;
        }
        if ("drain".equals(command))
        {
            drain(connection);
            return;
        }
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
     * A lame-duck stop: refuse new clients, tell every client to go to another server and close it, then leave the
     * mesh once their departures are installed; the admin console hears when it is done, and so does
     * {@link #onDrained}. Bounded by {@link #DRAIN_TIMEOUT_MS}.
     */
    private void drain(final Connection admin)
    {
        if (drainDeadlineMs != 0)
        {
            operations.sendAdminAnswer(admin, "error: node " + self.name() + " is draining already\n");
            return;
        }
        drainDeadlineMs = poller.nowMs() + DRAIN_TIMEOUT_MS;
        final int clients = clientCount;
        log.notice("draining", "node=" + self.name() + " clients=" + clients);
        sessions.forEach(session ->
        {
            if (session.connection != null)
            {
                sendReason(session.connection, FrameType.ERROR, ErrorCode.SHUTDOWN, "server " + self.name() +
                    " is draining: connect to another server");
                session.connection.close("draining");
            }
            else
            {
                local.close(session, "server " + self.name() + " is draining"); // in-process: nowhere to move
            }
        });
        checkDrain(admin, clients);
    }

    private void checkDrain(final Connection admin, final int clients)
    {
        if (gone.isEmpty() && !membership.requestsPending())
        {
            membership.leave();
        }
        final boolean timedOut = poller.nowMs() > drainDeadlineMs;
        if (!membership.left() && !timedOut)
        {
            timers.schedule(poller.nowMs() + 20, () -> checkDrain(admin, clients));
            return;
        }
        final String outcome = timedOut ? "gave up waiting after " + DRAIN_TIMEOUT_MS + " ms" : "left the mesh";
        log.notice("drained", "node=" + self.name() + " clients=" + clients + " outcome=\"" + outcome + "\"");
        operations.sendAdminAnswer(admin, "drained " + self.name() + ": " + clients + " client(s) told to move, " +
            outcome + "; the node stops now\n");
        if (onDrained != null)
        {
            onDrained.run();
        }
    }

    /**
     * @param onDrained run on the agent thread once a drain is done (the node should then stop).
     */
    void onDrained(final Runnable onDrained)
    {
        this.onDrained = onDrained;
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
        final ReloadResult result = operations.reload(next, source, this::peersChanged);
        if (result.ok())
        {
            // secret files are re-read with the file: a rotation needs no restart; established connections stay
            final boolean had = authenticator.cluster() != null;
            authenticator.update(next.server().authSecret(), next.server().adminSecret());
            if (had && next.server().authSecret() == null)
            {
                log.warn("auth-disabled", "node=" + self.name() + " reason=\"auth_secret_file removed by a reload: " +
                    "new connections are no longer authenticated\"");
            }
        }
        return result;
    }

    /**
     * A reload brought a peers list with nodes appended or dropped at its end: the engine learns the new
     * indexes, the mesh dials the new nodes and closes the dropped ones; the next view change follows.
     */
    private void peersChanged(final ServerConfig next)
    {
        nodeNames.update(next.peers());
        membership.onPeersChanged();
        mesh.peersChanged(next);
    }

    private void scheduleStats()
    {
        timers.schedule(poller.nowMs() + STATS_INTERVAL_MS, () ->
        {
            operations.onStatsTick(poller.nowMs());
            counters.bufferMemory.setOrdered(poller.bufferPool().inUse());
            counters.bufferMemoryRefusals.setOrdered(poller.bufferPool().refusals());
            scheduleStats();
        });
    }

    /** {@inheritDoc} */
    public void deliverControl(final ClientSession session, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!session.closing && !session.out.offer(buffer, offset, length))
        {
            onSlowConsumer(session);
        }
    }

    /** {@inheritDoc} */
    public void onSlowConsumer(final ClientSession session)
    {
        disconnectSlow(session, "slow consumer: outbound buffer over client_outbound_limit=" +
            config.clientOutboundLimit() + " during a view change");
    }

    private void disconnectSlow(final ClientSession session, final String reason)
    {
        session.closing = true;
        if (session.connection != null ? session.connection.isClosed() : local.isClosing(session))
        {
            return; // closing for another reason already: its queue refuses, it is not slow
        }
        counters.slowConsumers.incrementOrdered();
        log.warn("slow-consumer", "member=" + session.memberId + " pending=" + session.out.pendingBytes() +
            " limit=" + session.out.writeLimit() + " buffer-memory=" + poller.bufferPool().inUse() + "/" +
            config.maxBufferMemory() + " reason=\"" + reason + "\"");
        // the buffer is full: the reason cannot queue behind it, so it replaces what is pending
        closeSession(session, reason);
    }

    /** {@inheritDoc} */
    public void onFramingError(final Connection connection, final int errorCode, final String reason)
    {
        counters.protocolErrors.incrementOrdered();
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
            sessionClosed((ClientSession)attachment, reason);
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
            unlinkPending((Pending)attachment);
        }
    }

    private void sessionClosed(final ClientSession session, final String reason)
    {
        session.closing = true;
        clientCount--;
        if (sessions.find(session.name()) == session)
        {
            sessions.remove(session);
        }
        counters.clientsConnected.setOrdered(clientCount);
        log.info("client-disconnected", "member=" + session.memberId + " reason=\"" + reason + "\"");
        gone.add(session);
    }

    /** Close a member's connection, or end an in-process member's session, at the end of the turn. */
    private void closeSession(final ClientSession session, final String reason)
    {
        if (session.connection != null)
        {
            session.connection.close(reason);
        }
        else
        {
            local.close(session, reason);
        }
    }

    // ---------------------------------------------------------------- in-process members

    /**
     * Attach an in-process member; runs on the agent thread. It counts as a client ({@code max_clients}) and is
     * refused for the same reasons as a client's HELLO.
     *
     * @param name its private name, checked by the caller.
     * @return its channel.
     * @throws MsgcException when the name is taken or the node has {@code max_clients} clients.
     */
    MemberChannel attach(final String name) throws MsgcException
    {
        if (sessions.find(name) != null)
        {
            counters.clientsRejected.incrementOrdered();
            throw new MsgcException(ErrorCode.DUPLICATE_NAME, "private name '" + name +
                "' is already connected to " + self.name() + "; choose another name");
        }
        if (clientCount >= config.maxClients())
        {
            counters.clientsRejected.incrementOrdered();
            throw new MsgcException(ErrorCode.LIMIT_EXCEEDED, self.name() + " has " + clientCount +
                " clients (max_clients=" + config.maxClients() + ")");
        }
        final String memberId = NameRules.memberId(name, self.name());
        final MemberChannel channel = new MemberChannel(memberId, self.name(), config.maxFrameSize(),
            LOCAL_REQUEST_BYTES, config.clientOutboundLimit(), local::wake);
        final ClientSession session = new ClientSession(name, memberId, null, channel, poller.nowMs());
        local.add(session, channel);
        sessions.add(session);
        clientCount++;
        counters.clientsConnected.setOrdered(clientCount);
        counters.clientsAccepted.incrementOrdered();
        log.info("client-connected", "member=" + memberId + " remote=in-process");
        return channel;
    }

    /** {@inheritDoc} */
    public void onMemberFrame(
        final ClientSession session, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        onClientFrame(session, buffer, offset, length);
    }

    /** {@inheritDoc} */
    public void onMemberClosed(final ClientSession session, final String reason)
    {
        sessionClosed(session, reason);
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
        final int length = HeartbeatFrame.encode(scratch, 0, poller.epochMs());
        sessions.forEach(session ->
        {
            if (session.connection == null)
            {
                return; // an in-process member: no socket to keep alive
            }
            // idle time excludes time in which this server did not read the client (peer back-pressure)
            if (session.connection.idleMs(now) > idleMs)
            {
                sendReason(session.connection, FrameType.ERROR, ErrorCode.TIMEOUT,
                    "no frame from client for " + config.idleTimeout() + "s (idle_timeout)");
                session.connection.close("idle for more than idle_timeout=" + config.idleTimeout() + "s");
            }
            else if (session.out.pendingBytes() == 0)
            {
                // a client with bytes queued gets them: a keepalive would only take room a view may need
                deliverControl(session, scratch, 0, length);
            }
        });
        scheduleClientSweep();
    }
}
