package io.msgc.client;

import io.msgc.conf.ClientConfig;
import io.msgc.conf.HostPort;
import io.msgc.io.Backoff;
import io.msgc.io.Connection;
import io.msgc.io.FrameHandler;
import io.msgc.io.Poller;
import io.msgc.wire.DataFrame;
import io.msgc.wire.ErrorCode;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import io.msgc.wire.GroupOpFrame;
import io.msgc.wire.HeartbeatFrame;
import io.msgc.wire.HelloFrame;
import io.msgc.wire.MembershipFrame;
import io.msgc.wire.NameRules;
import io.msgc.wire.ReasonFrame;
import io.msgc.wire.WelcomeFrame;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The msgc client: one connection to one {@code msgc_server}, a private name unique on that node, member id
 * {@code #name#node}.
 * <p>
 * Threads: any thread may call {@link #multicast}, {@link #join} and {@link #leave}; they encode the frame
 * straight into a lock-free {@link ManyToOneRingBuffer} (no allocation per message) and return at once, with
 * {@link #BACK_PRESSURED} when it is full. One thread at a time drives I/O with {@link #poll}: it moves queued
 * frames to the socket, reads, and calls the handler. {@link #startThread} runs that loop on a thread of the
 * client's own for callback-style use. Sends made by the I/O thread itself (a handler replying inside
 * {@code poll}, or any send of a client built with {@code ClientConfig.Builder.singleThreaded(true)}) skip the
 * queue and are encoded straight into the socket's write buffer whenever the queue is empty.
 * <p>
 * Reconnect (when configured): on loss the handler gets {@code onDisconnect} with the count of frames that never
 * reached the server, the client redials the server list (shuffled) with backoff and jitter, re-joins every
 * group, and calls {@code onConnect}; fresh membership views follow. No gap is silent.
 */
public final class MsgcClient implements AutoCloseable
{
    /** The send queue is full: try again after the I/O side has drained it. */
    public static final long BACK_PRESSURED = -1;
    /** Not connected now (reconnecting, or never connected). */
    public static final long NOT_CONNECTED = -2;
    /** The client is closed. */
    public static final long CLOSED = -3;

    private static final int FRAME_RECORD = 1;
    /**
     * Frames from the server are read up to the largest max_frame_size a server may announce in WELCOME; the
     * read buffer grows only as far as the frames that really arrive.
     */
    private static final int MAX_SERVER_FRAME = 64 * 1024 * 1024;
    private static final int STATE_CONNECTING = 0;
    private static final int STATE_CONNECTED = 1;
    private static final int STATE_DISCONNECTED = 2;
    private static final int STATE_CLOSED = 3;

    private final ClientConfig config;
    private final String privateName;
    private final ManyToOneRingBuffer sendQueue;
    private final Poller poller;
    private final List<HostPort> servers;
    private final IoHandler ioHandler = new IoHandler();
    private final ControlledMessageHandler drainHandler = this::onQueuedFrame;
    private final LinkedHashSet<String> joined = new LinkedHashSet<>();
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[1024]);
    private final DataFrame dataFrame = new DataFrame();
    private final Message message = new Message(dataFrame);
    private final MembershipFrame membershipFrame = new MembershipFrame();
    private final MembershipView membershipView = new MembershipView(membershipFrame);
    private final ReasonFrame reasonFrame = new ReasonFrame();
    private final GroupOpFrame groupOpFrame = new GroupOpFrame();
    private final WelcomeFrame welcomeFrame = new WelcomeFrame();

    private volatile int state = STATE_CONNECTING;
    private Connection connection;
    private String memberId;
    /** The largest frame this client may send: its own max_frame_size, or the server's when that is smaller. */
    private int maxFrameSize;
    private String node;
    private String lastFailure = "";
    private int lastFailureCode;
    private int serverCursor;
    private int attempts;
    private long nextDialMs;
    private long handshakeDeadlineMs;
    private long lastSentMs;
    private long unsentFrames;
    private MessageHandler handler;
    private int pollLimit;
    private int delivered;
    private AgentRunner runner;
    /** The thread inside {@link #poll} now, else null: only that thread may write the connection directly. */
    private Thread pollingThread;

    private MsgcClient(final ClientConfig config) throws IOException
    {
        this.config = config;
        this.privateName = config.name() != null ? config.name() :
            "c" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFFFL);
        if (!NameRules.isPrivateName(privateName))
        {
            throw new IllegalArgumentException("bad private name '" + privateName + "': 1-31 of [A-Za-z0-9_.-]");
        }
        final int capacity = BitUtil.findNextPositivePowerOfTwo(
            Math.max(config.sendQueueCapacity(), (config.maxFrameSize() + 1024) * 8));
        sendQueue = new ManyToOneRingBuffer(
            new UnsafeBuffer(BufferUtil.allocateDirectAligned(capacity + RingBufferDescriptor.TRAILER_LENGTH, 64)));
        poller = new Poller();
        final List<HostPort> shuffled = new ArrayList<>(config.servers());
        Collections.shuffle(shuffled);
        servers = shuffled;
    }

    /**
     * Connect to one of the configured servers (shuffled), blocking until welcomed or every server failed.
     *
     * @param config client configuration.
     * @return a connected client.
     * @throws MsgcException when no server accepted: the reasons of each attempt.
     */
    public static MsgcClient connect(final ClientConfig config) throws MsgcException
    {
        final MsgcClient client;
        try
        {
            client = new MsgcClient(config);
        }
        catch (final IOException ex)
        {
            throw new MsgcException(0, "cannot open a selector: " + ex.getMessage());
        }
        final StringBuilder failures = new StringBuilder();
        for (int i = 0; i < client.servers.size(); i++)
        {
            client.dialNext();
            client.poller.updateClock();
            final long deadline = client.poller.nowMs() + config.connectTimeout() * 1000L;
            while (client.state == STATE_CONNECTING && client.poller.nowMs() < deadline)
            {
                client.poller.poll(10);
                client.checkHandshakeTimeout();
            }
            if (client.state == STATE_CONNECTED)
            {
                return client;
            }
            if (client.connection != null && !client.connection.isClosed())
            {
                client.connection.close("no WELCOME within connect_timeout=" + config.connectTimeout() + "s");
            }
            failures.append(failures.length() == 0 ? "" : "; ").append(client.lastFailure);
            client.state = STATE_CONNECTING;
        }
        final int code = client.lastFailureCode;
        client.poller.close();
        throw new MsgcException(code, "could not connect to any msgc_server " + config.servers() + ": " + failures);
    }

    /**
     * @return this client's member id {@code #private#node}, which is also its private group.
     */
    public String memberId()
    {
        return memberId;
    }

    /**
     * @return the private name.
     */
    public String privateName()
    {
        return privateName;
    }

    /**
     * @return the node this client is connected to.
     */
    public String node()
    {
        return node;
    }

    /**
     * @return true while connected.
     */
    public boolean isConnected()
    {
        return state == STATE_CONNECTED;
    }

    /**
     * @return frames queued by the application that never reached a server, since the start.
     */
    public long unsentFrames()
    {
        return unsentFrames;
    }

    // ---------------------------------------------------------------- application side (any thread)

    /**
     * Join a group; a membership view follows. Allowed while reconnecting: the join is sent on reconnect.
     *
     * @param group group name (1-127 printable ASCII, not starting with '#').
     * @return 0, or {@link #BACK_PRESSURED} / {@link #CLOSED}.
     */
    public long join(final String group)
    {
        return groupOp(FrameType.JOIN, group);
    }

    /**
     * Leave a group; a self-leave notice follows.
     *
     * @param group group name.
     * @return 0, or {@link #BACK_PRESSURED} / {@link #CLOSED}.
     */
    public long leave(final String group)
    {
        return groupOp(FrameType.LEAVE, group);
    }

    private long groupOp(final int type, final String group)
    {
        if (!NameRules.isGroupName(group))
        {
            throw new IllegalArgumentException("bad group name '" + group +
                "': 1-127 printable ASCII characters, not starting with '#'");
        }
        if (state == STATE_CLOSED)
        {
            return CLOSED;
        }
        final int length = GroupOpFrame.length(group);
        final int index = sendQueue.tryClaim(FRAME_RECORD, length);
        if (index < 0)
        {
            return BACK_PRESSURED;
        }
        GroupOpFrame.encode(sendQueue.buffer(), index, type, 0, group);
        sendQueue.commit(index);
        return 0;
    }

    /**
     * Send one message to 1-100 groups and/or member ids. No allocation when {@code groups} is a reused array.
     *
     * @param service       {@link io.msgc.wire.ServiceType} level, optionally | SELF_DISCARD.
     * @param msgType       application message type.
     * @param payload       payload bytes.
     * @param offset        first payload byte.
     * @param length        payload length.
     * @param groups        destinations: group names or member ids {@code #private#node}.
     * @return the frame length queued (&gt; 0), or {@link #BACK_PRESSURED}, {@link #NOT_CONNECTED}, {@link #CLOSED}.
     * @throws IllegalArgumentException for a bad service, destination or size: a programming error.
     */
    public long multicast(
        final int service,
        final int msgType,
        final DirectBuffer payload,
        final int offset,
        final int length,
        final String... groups)
    {
        return multicast(service, msgType, payload, offset, length, groups, groups.length);
    }

    /**
     * As {@link #multicast(int, int, DirectBuffer, int, int, String...)}, with the first {@code groupCount}
     * entries of a reused array.
     *
     * @param service    service level.
     * @param msgType    message type.
     * @param payload    payload bytes.
     * @param offset     first payload byte.
     * @param length     payload length.
     * @param groups     destinations.
     * @param groupCount how many of {@code groups} to use.
     * @return as the other overload.
     */
    public long multicast(
        final int service,
        final int msgType,
        final DirectBuffer payload,
        final int offset,
        final int length,
        final String[] groups,
        final int groupCount)
    {
        if (!io.msgc.wire.ServiceType.isValid(service))
        {
            throw new IllegalArgumentException("bad service 0x" + Integer.toHexString(service) +
                ": one ServiceType level, optionally | SELF_DISCARD");
        }
        if (groupCount < 1 || groupCount > DataFrame.MAX_DESTINATIONS)
        {
            throw new IllegalArgumentException(groupCount + " destinations; 1 to " + DataFrame.MAX_DESTINATIONS);
        }
        for (int i = 0; i < groupCount; i++)
        {
            final String g = groups[i];
            if (g == null || g.isEmpty() || g.length() > NameRules.MAX_GROUP_LENGTH)
            {
                throw new IllegalArgumentException("bad destination '" + g + "': 1-127 characters");
            }
        }
        final int s = state;
        if (s != STATE_CONNECTED)
        {
            return s == STATE_CLOSED ? CLOSED : NOT_CONNECTED;
        }
        // read after the volatile state: the member id of the connection that state describes
        final String sender = memberId;
        final int frameLength = DataFrame.length(sender.length(), groups, groupCount, length);
        if (frameLength > maxFrameSize)
        {
            throw new IllegalArgumentException("message of " + frameLength + " bytes is over max_frame_size=" +
                maxFrameSize);
        }
        if ((config.singleThreaded() || Thread.currentThread() == pollingThread) &&
            sendQueue.consumerPosition() == sendQueue.producerPosition() && direct(
            service, msgType, sender, payload, offset, length, groups, groupCount, frameLength))
        {
            return frameLength;
        }
        final int index = sendQueue.tryClaim(FRAME_RECORD, frameLength);
        if (index < 0)
        {
            return BACK_PRESSURED;
        }
        DataFrame.encode(
            sendQueue.buffer(), index, 0, service, msgType, sender, groups, groupCount, payload, offset, length);
        sendQueue.commit(index);
        return frameLength;
    }

    /**
     * Encode a DATA frame straight into the connection's write buffer, skipping the send queue. Only for the
     * I/O thread (single-threaded client, or a handler inside {@link #poll}) and only when the queue is empty,
     * so frames still leave in the order they were sent.
     *
     * @return false when the write buffer is full: the caller queues the frame instead.
     */
    private boolean direct(
        final int service,
        final int msgType,
        final String sender,
        final DirectBuffer payload,
        final int offset,
        final int length,
        final String[] groups,
        final int groupCount,
        final int frameLength)
    {
        final Connection c = connection;
        final int at = c == null ? -1 : c.claim(frameLength);
        if (at < 0)
        {
            return false;
        }
        DataFrame.encode(c.writeBuffer(), at, 0, service, msgType, sender, groups, groupCount, payload, offset, length);
        c.commit(frameLength);
        lastSentMs = poller.nowMs();
        return true;
    }

    // ---------------------------------------------------------------- I/O side (one thread)

    /**
     * Drive I/O once: send what is queued, read, deliver up to {@code limit} messages to the handler,
     * keep the connection alive, reconnect when due.
     *
     * @param handler receives messages, views, errors, connection events.
     * @param limit   most data and membership messages to deliver in this call.
     * @return messages delivered plus frames sent (0 when idle).
     */
    public int poll(final MessageHandler handler, final int limit)
    {
        if (state == STATE_CLOSED)
        {
            return 0;
        }
        this.handler = handler;
        this.pollLimit = limit;
        this.delivered = 0;
        pollingThread = Thread.currentThread();
        try
        {
            return pollOnce();
        }
        finally
        {
            pollingThread = null;
        }
    }

    private int pollOnce()
    {
        int work = drainSendQueue();
        if (connection != null && state == STATE_CONNECTED)
        {
            connection.stopReading(false);
            work += connection.deliverBuffered();
        }
        if (connection != null && state == STATE_CONNECTED)
        {
            // connected, the client has one socket: read it directly, no selector on the hot path
            work += poller.pollSingle(connection);
        }
        else
        {
            work += poller.poll(0);
        }
        work += housekeeping();
        return work + delivered;
    }

    private int drainSendQueue()
    {
        if (state != STATE_CONNECTED)
        {
            return state == STATE_DISCONNECTED ? sendQueue.controlledRead(drainHandler) : 0;
        }
        final int frames = sendQueue.controlledRead(drainHandler, 4096);
        if (frames > 0)
        {
            lastSentMs = poller.nowMs();
        }
        return frames;
    }

    private ControlledMessageHandler.Action onQueuedFrame(
        final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final int type = FrameHeader.type(buffer, index);
        if (type == FrameType.JOIN || type == FrameType.LEAVE)
        {
            // remembered for re-join after a reconnect; while disconnected that is all there is to do
            groupOpFrame.wrap(buffer, index, length);
            final String group = groupOpFrame.group();
            if (type == FrameType.JOIN)
            {
                joined.add(group);
            }
            else
            {
                joined.remove(group);
            }
            if (state != STATE_CONNECTED)
            {
                return ControlledMessageHandler.Action.CONTINUE;
            }
        }
        else if (state != STATE_CONNECTED)
        {
            unsentFrames++;
            return ControlledMessageHandler.Action.CONTINUE;
        }
        if (!connection.offer(buffer, index, length))
        {
            return ControlledMessageHandler.Action.ABORT;
        }
        return ControlledMessageHandler.Action.CONTINUE;
    }

    private int housekeeping()
    {
        final long now = poller.nowMs();
        if (state == STATE_CONNECTED)
        {
            if (now - connection.lastReadMs() > config.idleTimeout() * 1000L)
            {
                connection.close("server silent for more than idle_timeout=" + config.idleTimeout() + "s");
                return 1;
            }
            if (now - lastSentMs >= config.keepaliveInterval() * 1000L)
            {
                final int length = HeartbeatFrame.encode(scratch, 0, poller.epochMs());
                connection.offer(scratch, 0, length);
                lastSentMs = now;
                return 1;
            }
        }
        else if (state == STATE_DISCONNECTED && now >= nextDialMs)
        {
            dialNext();
            return 1;
        }
        else if (state == STATE_CONNECTING)
        {
            checkHandshakeTimeout();
        }
        return 0;
    }

    private void checkHandshakeTimeout()
    {
        if (connection != null && !connection.isClosed() && poller.nowMs() > handshakeDeadlineMs)
        {
            connection.close("no WELCOME within connect_timeout=" + config.connectTimeout() + "s");
        }
    }

    private void dialNext()
    {
        final HostPort server = servers.get(serverCursor++ % servers.size());
        state = STATE_CONNECTING;
        handshakeDeadlineMs = poller.nowMs() + config.connectTimeout() * 1000L;
        try
        {
            final InetSocketAddress local = config.bindAddress() == null ? null :
                new InetSocketAddress(config.bindAddress(), 0);
            connection = poller.dial(server.toSocketAddress(), local, ioHandler,
                MAX_SERVER_FRAME, Math.max(config.maxFrameSize() * 2, 4 << 20), 0);
            connection.attachment(server);
        }
        catch (final IOException | RuntimeException ex)
        {
            connection = null;
            onConnectionLost(server + ": " + ex.getMessage());
        }
    }

    private void onConnectionLost(final String reason)
    {
        lastFailure = reason;
        final boolean wasConnected = state == STATE_CONNECTED;
        if (state == STATE_CLOSED)
        {
            return;
        }
        final boolean reconnecting = config.reconnect();
        state = reconnecting ? STATE_DISCONNECTED : (wasConnected ? STATE_CLOSED : STATE_CONNECTING);
        if (wasConnected)
        {
            final long before = unsentFrames;
            sendQueue.controlledRead(drainHandler);
            if (handler != null)
            {
                handler.onDisconnect(reason, unsentFrames - before, reconnecting);
            }
        }
        if (reconnecting)
        {
            nextDialMs = poller.nowMs() +
                Backoff.delayMs(config.reconnectInitialMs(), config.reconnectInterval() * 1000L, attempts++);
        }
    }

    private void onWelcome(final Connection c)
    {
        memberId = welcomeFrame.memberId();
        maxFrameSize = Math.min(config.maxFrameSize(), welcomeFrame.maxFrameSize());
        node = welcomeFrame.node();
        attempts = 0;
        lastSentMs = poller.nowMs();
        state = STATE_CONNECTED;
        if (handler == null)
        {
            // inside connect(): frames behind the WELCOME wait in the read buffer for the first poll's handler
            c.stopReading(true);
        }
        for (final String group : joined)
        {
            final int length = GroupOpFrame.encode(scratch, 0, FrameType.JOIN, 0, group);
            c.offer(scratch, 0, length);
        }
        if (handler != null)
        {
            handler.onConnect(memberId);
        }
    }

    private final class IoHandler implements FrameHandler
    {
        public void onFrame(final Connection c, final MutableDirectBuffer buffer, final int offset, final int length)
        {
            final int type = FrameHeader.type(buffer, offset);
            if (state == STATE_CONNECTING)
            {
                onHandshakeFrame(c, type, buffer, offset, length);
                return;
            }
            switch (type)
            {
                case FrameType.DATA:
                {
                    final String malformed = dataFrame.wrap(buffer, offset, length);
                    if (malformed != null)
                    {
                        reportMalformed("DATA", malformed);
                    }
                    else if (handler != null)
                    {
                        message.wrapPayload();
                        handler.onMessage(message);
                        countDelivery(c);
                    }
                    break;
                }
                case FrameType.MEMBERSHIP:
                {
                    final String malformed = membershipFrame.wrap(buffer, offset, length);
                    if (malformed != null)
                    {
                        reportMalformed("MEMBERSHIP", malformed);
                    }
                    else if (handler != null)
                    {
                        handler.onMembership(membershipView);
                        countDelivery(c);
                    }
                    break;
                }
                case FrameType.ERROR:
                    if (reasonFrame.wrap(buffer, offset, length) == null && handler != null)
                    {
                        handler.onError(reasonFrame.code(), reasonFrame.reason());
                    }
                    break;
                default:
                    break;
            }
        }

        private void countDelivery(final Connection c)
        {
            if (++delivered >= pollLimit)
            {
                c.stopReading(true);
            }
        }

        private void onHandshakeFrame(
            final Connection c, final int type, final DirectBuffer buffer, final int offset, final int length)
        {
            if (type == FrameType.WELCOME && welcomeFrame.wrap(buffer, offset, length) == null)
            {
                onWelcome(c);
            }
            else if (type == FrameType.REJECT && reasonFrame.wrap(buffer, offset, length) == null)
            {
                lastFailureCode = reasonFrame.code();
                c.close(c.attachment() + " refused: " + ErrorCode.name(reasonFrame.code()) + ": " +
                    reasonFrame.reason());
            }
            else
            {
                c.close(c.attachment() + " sent " + FrameType.name(type) + " instead of WELCOME");
            }
        }

        private void reportMalformed(final String type, final String reason)
        {
            // a server bug or a corrupted stream: skip the frame, never silently
            if (handler != null)
            {
                handler.onError(ErrorCode.MALFORMED_FRAME, "malformed " + type + " frame from the server skipped: " +
                    reason);
            }
        }

        public void onFramingError(final Connection c, final int errorCode, final String reason)
        {
            lastFailureCode = errorCode;
        }

        public void onConnected(final Connection c)
        {
            final int length = HelloFrame.encode(scratch, 0, HelloFrame.ROLE_CLIENT, 0, 0, privateName);
            c.offer(scratch, 0, length);
        }

        public void onClosed(final Connection c, final String reason)
        {
            if (c == connection)
            {
                final String where = reason.startsWith(String.valueOf(c.attachment())) ? reason :
                    c.attachment() + ": " + reason;
                onConnectionLost(where);
            }
        }
    }

    // ---------------------------------------------------------------- own thread

    /**
     * Run the I/O loop on a thread of the client's own, delivering to {@code handler}. Call once.
     *
     * @param handler      receives everything, on the client's thread.
     * @param idleStrategy how the thread waits when idle.
     */
    public void startThread(final MessageHandler handler, final IdleStrategy idleStrategy)
    {
        this.handler = handler;
        runner = new AgentRunner(idleStrategy, Throwable::printStackTrace, null, new Agent()
        {
            public int doWork()
            {
                return poll(handler, 1024);
            }

            public String roleName()
            {
                return "msgc-client-" + privateName;
            }
        });
        AgentRunner.startOnThread(runner);
    }

    /**
     * Send what is queued, then close the connection. In poll mode, call from the polling thread.
     */
    public void close()
    {
        if (runner != null)
        {
            runner.close();
        }
        if (state == STATE_CONNECTED)
        {
            drainSendQueue();
            poller.flushDirty();
        }
        state = STATE_CLOSED;
        poller.close();
    }
}
