package io.msgc.client;

import io.msgc.conf.ClientConfig;
import io.msgc.conf.HostPort;
import io.msgc.conf.IdleStrategyKind;
import io.msgc.io.Backoff;
import io.msgc.io.Connection;
import io.msgc.io.FrameHandler;
import io.msgc.io.Poller;
import io.msgc.io.SelectIdleStrategy;
import io.msgc.wire.DataFrame;
import io.msgc.wire.ErrorCode;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import io.msgc.wire.GroupOpFrame;
import io.msgc.wire.AuthProof;
import io.msgc.wire.HandshakeInitiator;
import io.msgc.wire.HeartbeatFrame;
import io.msgc.wire.HelloFrame;
import io.msgc.wire.MembershipFrame;
import io.msgc.wire.NameRules;
import io.msgc.wire.ReasonFrame;
import io.msgc.wire.ServiceType;
import io.msgc.wire.WelcomeFrame;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The msgc client: one connection to one {@code msgc_server}, a private name unique on that node, member id
 * {@code #name#node}.
 * <p>
 * <b>Threads.</b> Any thread may call {@link #multicast}, {@link #join} and {@link #leave}; they encode the frame
 * straight into a lock-free {@link ManyToOneRingBuffer} (no allocation per message) and return at once, with
 * {@link #BACK_PRESSURED} when it is full. One thread at a time drives I/O: either the application calls
 * {@link #poll} (a second thread calling it meanwhile gets 0 and does nothing), or {@link #startThread} runs that
 * loop on a daemon thread of the client's own. Handlers run on the I/O thread. Sends made by the I/O thread itself
 * (a handler replying inside {@code poll}, or any send of a client built with
 * {@code ClientConfig.Builder.singleThreaded(true)}) skip the queue and are encoded straight into the socket's
 * write buffer whenever the queue is empty. {@link #close()} may be called from any thread, any number of times.
 * <p>
 * <b>Waiting.</b> {@link #poll(MessageHandler, int, long)} waits in the selector (epoll) when a pass finds
 * nothing to do, and wakes as soon as the socket is readable or another thread queues a frame. The thread of
 * {@link #startThread(MessageHandler)} waits that way whenever a pass finds nothing. While data flows no pass
 * makes a system call beyond the socket's own read and write.
 * <p>
 * <b>Errors.</b> The send calls return a positive correlation id, or a negative code ({@link #BACK_PRESSURED},
 * {@link #NOT_CONNECTED}, {@link #CLOSED}); a bad argument (name, service, size) is an
 * {@link IllegalArgumentException}. A request the server refuses comes back to
 * {@link MessageHandler#onError(long, int, String)} with the id of the call. A handler that throws is reported
 * once to the configured {@link ErrorHandler}, and the message it failed on is skipped.
 * <p>
 * <b>Reconnect</b> (when configured): on loss the handler gets {@code onDisconnect} with the exact count of
 * messages the library held and never wrote, the client redials the server list (shuffled) with backoff and
 * jitter, re-joins every group, and calls {@code onConnect}; fresh membership views follow. No gap is silent.
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
     * A frame too large for one record of the send queue (over 1/8 of its capacity): the record carries the frame
     * length and the bytes wait in the large-frame slot, one such frame at a time.
     */
    private static final int LARGE_FRAME_RECORD = 2;
    /**
     * Frames from the server are read up to the largest max_frame_size a server may announce in WELCOME; the
     * read buffer grows only as far as the frames that really arrive.
     */
    private static final int MAX_SERVER_FRAME = 64 * 1024 * 1024;
    /** Most data and membership messages the client's own thread delivers per pass. */
    private static final int THREAD_POLL_LIMIT = 1024;

    private static final int STATE_CONNECTING = 0;
    private static final int STATE_CONNECTED = 1;
    private static final int STATE_DISCONNECTED = 2;
    private static final int STATE_CLOSED = 3;

    /** Nobody drives I/O now: a thread may enter {@link #poll}, or close the client. */
    private static final int IO_FREE = 0;
    /** A thread is inside {@link #poll}. */
    private static final int IO_BUSY = 1;
    /** Closed: nobody will drive I/O again. */
    private static final int IO_CLOSED = 2;
    private static final AtomicIntegerFieldUpdater<MsgcClient> IO =
        AtomicIntegerFieldUpdater.newUpdater(MsgcClient.class, "io");
    private static final AtomicIntegerFieldUpdater<MsgcClient> LARGE_SLOT =
        AtomicIntegerFieldUpdater.newUpdater(MsgcClient.class, "largeSlotBusy");

    private final ClientConfig config;
    private final String privateName;
    private final ErrorHandler errorHandler;
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
    /** The handshake: HELLO, AUTH when the server challenges, and the check of the server's proof. */
    private final HandshakeInitiator initiator;
    private final AtomicLong correlations = new AtomicLong();
    /**
     * The last destination String found valid: a reused String skips the check. Racy on purpose: any thread
     * stores only a String it checked, and Strings are immutable, so whatever a thread reads here is valid.
     */
    private String checkedDestination;
    /** The correlation counter of a single-threaded client: one thread sends, no atomic needed. */
    private long plainCorrelations;

    private volatile int state = STATE_CONNECTING;
    private volatile int io = IO_FREE;
    private volatile boolean closeRequested;
    /** Set by the I/O thread while it waits in the selector: a sender then wakes it. */
    private volatile boolean ioWaiting;
    private volatile int largeSlotBusy;
    private volatile UnsafeBuffer largeSlot;
    private volatile long unsentFrames;
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
    private MessageHandler handler;
    private int pollLimit;
    private int delivered;
    private AgentRunner runner;
    private volatile Thread runnerThread;
    /** The thread inside {@link #poll} now, else null: only that thread may write the connection directly. */
    private Thread pollingThread;

    // What the library wrote of its frames on the current connection, for an exact count of the messages lost
    // with it. Frames are parsed from the connection's write buffer before any new frame can move them.
    /** Bytes handed to the connection since it opened. */
    private long committedBytes;
    /** The first frame boundary at or after the bytes the connection has written. */
    private long frameBoundary;
    /** The frame that ends at {@link #frameBoundary} is written in part, and it is a DATA frame. */
    private boolean straddlingData;
    /** The connection's bytesOut when {@link #trackWritten} last looked. */
    private long trackedBytesOut;

    private MsgcClient(final ClientConfig config) throws IOException
    {
        this.config = config;
        this.privateName = config.name() != null ? config.name() :
            "c" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFFFL);
        if (!NameRules.isPrivateName(privateName))
        {
            throw new IllegalArgumentException("bad private name '" + privateName +
                "': 1-31 characters of [A-Za-z0-9_.-] (ASCII letters, digits, '_', '.', '-')");
        }
        errorHandler = config.errorHandler() != null ? config.errorHandler() : this::printError;
        initiator = new HandshakeInitiator(
            config.secret() == null ? null : new AuthProof(config.secret().keys()), new SecureRandom());
        // as documented: send_queue_capacity, rounded up to a power of two; a frame over 1/8 of it (the ring's
        // largest record) takes the large-frame slot instead, so one max-size frame always fits
        final int capacity = BitUtil.findNextPositivePowerOfTwo(Math.max(config.sendQueueCapacity(), 1024));
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
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(config.connectTimeout());
            // a server that refused (REJECT, or a failed authentication) closed the connection: next server
            while (client.state == STATE_CONNECTING && client.connection != null && !client.connection.isClosed() &&
                System.nanoTime() - deadlineNs < 0)
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
        client.io = IO_CLOSED;
        client.state = STATE_CLOSED;
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
     * @return true once {@link #close()} has finished (or the client never connected).
     */
    public boolean isClosed()
    {
        return io == IO_CLOSED;
    }

    /**
     * Messages accepted by {@link #multicast} that the library never wrote to a server, since the start: the sum
     * of the counts {@link MessageHandler#onDisconnect} reported, plus any message a sending thread queued in the
     * instant the connection was lost, found afterwards.
     *
     * @return messages the library held and dropped.
     */
    public long unsentFrames()
    {
        return unsentFrames;
    }

    /**
     * @return bytes the send queue holds (send_queue_capacity rounded up to a power of two), for tests.
     */
    int sendQueueCapacity()
    {
        return sendQueue.capacity();
    }

    /**
     * @return bytes written to the current connection's socket, for tests; call on the I/O thread.
     */
    long bytesWritten()
    {
        return connection == null ? 0 : connection.bytesOut();
    }

    // ---------------------------------------------------------------- application side (any thread)

    /**
     * Join a group; a membership view follows. Allowed while reconnecting: the join is sent on reconnect.
     *
     * @param group group name (1-127 printable ASCII, not starting with '#').
     * @return a positive correlation id that an {@code onError} about this join carries, or
     *         {@link #BACK_PRESSURED} / {@link #CLOSED}.
     * @throws IllegalArgumentException for a bad group name, saying what is wrong with it.
     */
    public long join(final String group)
    {
        return groupOp(FrameType.JOIN, group);
    }

    /**
     * Leave a group; a self-leave notice follows.
     *
     * @param group group name.
     * @return a positive correlation id that an {@code onError} about this leave carries, or
     *         {@link #BACK_PRESSURED} / {@link #CLOSED}.
     * @throws IllegalArgumentException for a bad group name, saying what is wrong with it.
     */
    public long leave(final String group)
    {
        return groupOp(FrameType.LEAVE, group);
    }

    private long groupOp(final int type, final String group)
    {
        final String problem = Names.groupProblem(group);
        if (problem != null)
        {
            throw new IllegalArgumentException(problem);
        }
        if (state == STATE_CLOSED || closeRequested)
        {
            return CLOSED;
        }
        final int length = GroupOpFrame.length(group);
        final int index = sendQueue.tryClaim(FRAME_RECORD, length);
        if (index < 0)
        {
            return BACK_PRESSURED;
        }
        final long correlation = nextCorrelation();
        GroupOpFrame.encode(sendQueue.buffer(), index, type, correlation, group);
        sendQueue.commit(index);
        wakeIo();
        return correlation;
    }

    /**
     * Send one message to 1-100 groups and/or member ids. No allocation when {@code groups} is a reused array.
     *
     * @param service       {@link ServiceType} level, optionally | SELF_DISCARD.
     * @param msgType       application message type.
     * @param payload       payload bytes.
     * @param offset        first payload byte.
     * @param length        payload length.
     * @param groups        destinations: group names or member ids {@code #private#node}.
     * @return a positive correlation id that an {@code onError} about this message carries, or
     *         {@link #BACK_PRESSURED}, {@link #NOT_CONNECTED}, {@link #CLOSED}.
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
     * @param groups     destinations: group names (as {@link #join} accepts them) or member ids.
     * @param groupCount how many of {@code groups} to use.
     * @return as the other overload.
     * @throws IllegalArgumentException for a bad service, destination or size, saying what is wrong.
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
        final String checked = SendChecks.multicast(service, groups, groupCount, checkedDestination);
        if (checked != checkedDestination)
        {
            // only on a change: other sending threads read it, so a store per message would bounce its cache line
            checkedDestination = checked;
        }
        final int s = state;
        if (s != STATE_CONNECTED || closeRequested)
        {
            return s == STATE_CLOSED || closeRequested ? CLOSED : NOT_CONNECTED;
        }
        // read after the volatile state: the member id of the connection that state describes
        final String sender = memberId;
        final int frameLength = DataFrame.length(sender.length(), groups, groupCount, length);
        SendChecks.frameSize(frameLength, maxFrameSize);
        final long correlation = nextCorrelation();
        if ((config.singleThreaded() || Thread.currentThread() == pollingThread) &&
            sendQueue.consumerPosition() == sendQueue.producerPosition() && direct(
            correlation, service, msgType, sender, payload, offset, length, groups, groupCount, frameLength))
        {
            return correlation;
        }
        if (frameLength > sendQueue.maxMsgLength())
        {
            return queueLarge(
                correlation, service, msgType, sender, payload, offset, length, groups, groupCount, frameLength);
        }
        final int index = sendQueue.tryClaim(FRAME_RECORD, frameLength);
        if (index < 0)
        {
            return BACK_PRESSURED;
        }
        DataFrame.encode(sendQueue.buffer(), index, correlation, service, msgType, sender, groups, groupCount,
            payload, offset, length);
        sendQueue.commit(index);
        wakeIo();
        return correlation;
    }

    /**
     * Encode a DATA frame straight into the connection's write buffer, skipping the send queue. Only for the
     * I/O thread (single-threaded client, or a handler inside {@link #poll}) and only when the queue is empty,
     * so frames still leave in the order they were sent.
     *
     * @return false when the write buffer is full: the caller queues the frame instead.
     */
    private boolean direct(
        final long correlation,
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
        if (c == null || state != STATE_CONNECTED)
        {
            return false;
        }
        trackWritten(c);
        final int at = c.claim(frameLength);
        if (at < 0)
        {
            return false;
        }
        DataFrame.encode(c.writeBuffer(), at, correlation, service, msgType, sender, groups, groupCount,
            payload, offset, length);
        c.commit(frameLength);
        committedBytes += frameLength;
        lastSentMs = poller.nowMs();
        return true;
    }

    /**
     * A frame larger than a send-queue record: encode it into the large-frame slot (allocated at the first such
     * frame, max_frame_size bytes) and queue a record that points at it. One large frame waits at a time.
     */
    private long queueLarge(
        final long correlation,
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
        if (!LARGE_SLOT.compareAndSet(this, 0, 1))
        {
            return BACK_PRESSURED;
        }
        UnsafeBuffer slot = largeSlot;
        if (slot == null || slot.capacity() < frameLength)
        {
            slot = new UnsafeBuffer(new byte[Math.max(frameLength, config.maxFrameSize())]);
            largeSlot = slot;
        }
        DataFrame.encode(slot, 0, correlation, service, msgType, sender, groups, groupCount, payload, offset, length);
        final int index = sendQueue.tryClaim(LARGE_FRAME_RECORD, BitUtil.SIZE_OF_INT);
        if (index < 0)
        {
            largeSlotBusy = 0;
            return BACK_PRESSURED;
        }
        sendQueue.buffer().putInt(index, frameLength);
        sendQueue.commit(index);
        wakeIo();
        return correlation;
    }

    private long nextCorrelation()
    {
        return config.singleThreaded() ? ++plainCorrelations : correlations.incrementAndGet();
    }

    /**
     * A frame is queued: wake the I/O thread if it waits in the selector. The I/O thread sets
     * {@link #ioWaiting} before it checks the queue a last time, and the claim's compare-and-set on the queue
     * tail comes before this read, so either it sees the frame or this sees it waiting.
     */
    private void wakeIo()
    {
        if (ioWaiting)
        {
            poller.wakeup();
        }
    }

    // ---------------------------------------------------------------- I/O side (one thread)

    /**
     * Drive I/O once without waiting: {@link #poll(MessageHandler, int, long)} with no timeout.
     *
     * @param handler receives messages, views, errors, connection events.
     * @param limit   most data and membership messages to deliver in this call.
     * @return messages delivered plus frames sent (0 when idle).
     */
    public int poll(final MessageHandler handler, final int limit)
    {
        return poll(handler, limit, 0);
    }

    /**
     * Drive I/O once: send what is queued, read, deliver up to {@code limit} messages to the handler, keep the
     * connection alive, reconnect when due. When that pass finds nothing to do and {@code timeoutMs} &gt; 0,
     * wait in the selector up to {@code timeoutMs} (less when a timer of the client is due sooner) for the socket
     * to become readable or another thread to queue a frame, then make one more pass.
     * <p>
     * One thread at a time: a call made while another thread is inside {@code poll}, or from inside a handler,
     * returns 0 at once. Returns 0 once the client is closed.
     *
     * @param handler   receives messages, views, errors, connection events.
     * @param limit     most data and membership messages to deliver in one pass.
     * @param timeoutMs longest wait in ms when idle; 0 never waits.
     * @return messages delivered plus frames sent (0 when idle).
     */
    public int poll(final MessageHandler handler, final int limit, final long timeoutMs)
    {
        if (!IO.compareAndSet(this, IO_FREE, IO_BUSY))
        {
            return 0;
        }
        pollingThread = Thread.currentThread();
        try
        {
            this.handler = handler;
            this.pollLimit = limit;
            int work = pollOnce();
            if (work == 0 && timeoutMs > 0 && !closeRequested)
            {
                awaitWork(timeoutMs);
                if (!closeRequested)
                {
                    work = pollOnce();
                }
            }
            return work;
        }
        finally
        {
            pollingThread = null;
            IO.lazySet(this, IO_FREE);
            if (closeRequested && IO.compareAndSet(this, IO_FREE, IO_CLOSED))
            {
                closeNow();
            }
        }
    }

    private int pollOnce()
    {
        delivered = 0;
        int work = drainSendQueue();
        final Connection c = connection;
        if (c != null && state == STATE_CONNECTED)
        {
            c.stopReading(false);
            work += c.deliverBuffered();
        }
        if (c != null && state == STATE_CONNECTED)
        {
            // connected, the client has one socket: read it directly, no selector on the hot path
            work += poller.pollSingle(c);
            trackWritten(c);
        }
        else
        {
            work += poller.poll(0);
            trackWrittenIfOpen();
        }
        work += housekeeping();
        return work + delivered;
    }

    /**
     * Wait in the selector for the socket or a sender, at most {@code timeoutMs} and no later than the next timer.
     */
    private void awaitWork(final long timeoutMs)
    {
        final long waitMs = Math.min(timeoutMs, Math.max(1, msUntilTimer()));
        final Connection c = connection;
        final boolean connected = c != null && state == STATE_CONNECTED;
        if (connected)
        {
            // interest changes are kept on the connection while it is read without the selector
            c.applyInterest();
        }
        ioWaiting = true;
        try
        {
            if (sendQueue.producerPosition() != sendQueue.consumerPosition() || closeRequested)
            {
                return;
            }
            if (connected)
            {
                poller.await(waitMs);
            }
            else
            {
                poller.poll(waitMs);
                trackWrittenIfOpen();
            }
        }
        finally
        {
            ioWaiting = false;
        }
    }

    private long msUntilTimer()
    {
        final long now = poller.nowMs();
        switch (state)
        {
            case STATE_CONNECTED:
                return Math.min(lastSentMs + config.keepaliveInterval() * 1000L,
                    connection.lastReadMs() + config.idleTimeout() * 1000L + 1) - now;
            case STATE_DISCONNECTED:
                return nextDialMs - now;
            case STATE_CONNECTING:
                return handshakeDeadlineMs + 1 - now;
            default:
                return Long.MAX_VALUE;
        }
    }

    private int drainSendQueue()
    {
        if (state != STATE_CONNECTED)
        {
            return state == STATE_DISCONNECTED ? sendQueue.controlledRead(drainHandler) : 0;
        }
        trackWritten(connection);
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
        if (msgTypeId == LARGE_FRAME_RECORD)
        {
            return onQueuedLargeFrame(buffer.getInt(index));
        }
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
        committedBytes += length;
        return ControlledMessageHandler.Action.CONTINUE;
    }

    private ControlledMessageHandler.Action onQueuedLargeFrame(final int frameLength)
    {
        if (state == STATE_CONNECTED && !connection.offer(largeSlot, 0, frameLength))
        {
            return ControlledMessageHandler.Action.ABORT;
        }
        if (state == STATE_CONNECTED)
        {
            committedBytes += frameLength;
        }
        else
        {
            unsentFrames++;
        }
        largeSlotBusy = 0;
        return ControlledMessageHandler.Action.CONTINUE;
    }

    /**
     * Queue a frame of the client's own (HELLO, JOIN on reconnect, HEARTBEAT) on the connection.
     */
    private void send(final Connection c, final DirectBuffer buffer, final int length)
    {
        trackWritten(c);
        if (c.offer(buffer, 0, length))
        {
            committedBytes += length;
        }
    }

    private void trackWrittenIfOpen()
    {
        final Connection c = connection;
        if (c != null && !c.isClosed())
        {
            trackWritten(c);
        }
    }

    /**
     * Move {@link #frameBoundary} past the frames the connection has written in full since the last look. Runs
     * before any frame is added to the write buffer (which may move its pending bytes to the front), so the
     * frames between the boundary and the written position are still where the last look left them.
     */
    private void trackWritten(final Connection c)
    {
        final long written = c.bytesOut();
        if (written == trackedBytesOut)
        {
            return;
        }
        trackedBytesOut = written;
        if (written >= committedBytes)
        {
            frameBoundary = committedBytes;
            straddlingData = false;
            return;
        }
        final UnsafeBuffer buffer = c.writeBuffer();
        // buffer index of stream offset T: pendingOffset + (T - pendingStart)
        final long pendingStart = committedBytes - c.pendingBytes();
        final int pendingOffset = c.pendingOffset();
        while (frameBoundary < written)
        {
            final long index = pendingOffset + (frameBoundary - pendingStart);
            if (index < 0 || index + FrameHeader.LENGTH > buffer.capacity())
            {
                frameBoundary = written; // the io layer moved the bytes: count from here on
                break;
            }
            final int frameLength = FrameHeader.frameLength(buffer, (int)index);
            straddlingData = frameBoundary + frameLength > written &&
                FrameHeader.type(buffer, (int)index) == FrameType.DATA;
            frameBoundary += Math.max(frameLength, FrameHeader.LENGTH);
        }
        if (frameBoundary <= written)
        {
            straddlingData = false;
        }
    }

    /**
     * @return DATA frames in the connection's write buffer that were not written in full.
     */
    private long unwrittenMessages(final Connection c)
    {
        trackWritten(c);
        long count = straddlingData ? 1 : 0;
        final UnsafeBuffer buffer = c.writeBuffer();
        final long pendingStart = committedBytes - c.pendingBytes();
        final int pendingOffset = c.pendingOffset();
        for (long at = frameBoundary; at < committedBytes; )
        {
            final long index = pendingOffset + (at - pendingStart);
            if (index < 0 || index + FrameHeader.LENGTH > buffer.capacity())
            {
                break;
            }
            if (FrameHeader.type(buffer, (int)index) == FrameType.DATA)
            {
                count++;
            }
            at += Math.max(FrameHeader.frameLength(buffer, (int)index), FrameHeader.LENGTH);
        }
        return count;
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
                send(connection, scratch, HeartbeatFrame.encode(scratch, 0, poller.epochMs()));
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
        committedBytes = 0;
        frameBoundary = 0;
        straddlingData = false;
        trackedBytesOut = 0;
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
            onConnectionLost(null, server + ": " + ex.getMessage());
        }
    }

    private void onConnectionLost(final Connection c, final String reason)
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
            final long inWriteBuffer = c == null ? 0 : unwrittenMessages(c);
            final long before = unsentFrames;
            // one read stops at the end of the ring's buffer: read until the queue is empty
            int read;
            do
            {
                read = sendQueue.controlledRead(drainHandler);
            }
            while (read > 0);
            unsentFrames += inWriteBuffer;
            if (handler != null)
            {
                try
                {
                    handler.onDisconnect(reason, unsentFrames - before, reconnecting);
                }
                catch (final Throwable ex)
                {
                    handlerFailed(ex);
                }
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
        // from now on the socket is read without the selector: interest changes wait for the next select
        c.deferInterest(true);
        for (final String group : joined)
        {
            send(c, scratch, GroupOpFrame.encode(scratch, 0, FrameType.JOIN, 0, group));
        }
        if (handler != null)
        {
            try
            {
                handler.onConnect(memberId);
            }
            catch (final Throwable ex)
            {
                handlerFailed(ex);
            }
        }
    }

    private void handlerFailed(final Throwable ex)
    {
        try
        {
            errorHandler.onError(ex);
        }
        catch (final Throwable broken)
        {
            broken.printStackTrace();
        }
    }

    private void onThreadError(final Throwable ex)
    {
        if (!(ex instanceof AgentTerminationException))
        {
            handlerFailed(ex);
        }
    }

    private void printError(final Throwable ex)
    {
        System.err.println("msgc client " + (memberId != null ? memberId : privateName) +
            ": the handler threw; the message or event it failed on was skipped: " + ex);
        ex.printStackTrace();
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
                        try
                        {
                            handler.onMessage(message);
                        }
                        catch (final Throwable ex)
                        {
                            handlerFailed(ex);
                        }
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
                        try
                        {
                            handler.onMembership(membershipView);
                        }
                        catch (final Throwable ex)
                        {
                            handlerFailed(ex);
                        }
                        countDelivery(c);
                    }
                    break;
                }
                case FrameType.ERROR:
                    if (reasonFrame.wrap(buffer, offset, length) == null && handler != null)
                    {
                        onError(reasonFrame.correlation(), reasonFrame.code(), reasonFrame.reason());
                    }
                    break;
                default:
                    break;
            }
        }

        private void countDelivery(final Connection c)
        {
            if (++delivered >= pollLimit || closeRequested)
            {
                c.stopReading(true);
            }
        }

        private void onHandshakeFrame(
            final Connection c, final int type, final DirectBuffer buffer, final int offset, final int length)
        {
            if (type == FrameType.WELCOME && welcomeFrame.wrap(buffer, offset, length) == null)
            {
                final String untrusted = initiator.checkWelcome(welcomeFrame);
                if (untrusted != null)
                {
                    lastFailureCode = ErrorCode.AUTH_FAILED;
                    c.close(c.attachment() + ": AUTH_FAILED: " + untrusted);
                    return;
                }
                onWelcome(c);
            }
            else if (type == FrameType.CHALLENGE)
            {
                final int authLength = initiator.onChallenge(buffer, offset, length, null, scratch, 0);
                if (authLength > 0)
                {
                    send(c, scratch, authLength);
                }
                else if (authLength < 0)
                {
                    lastFailureCode = ErrorCode.AUTH_FAILED;
                    c.close(c.attachment() + ": AUTH_FAILED: " + initiator.failure());
                }
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
                onError(0, ErrorCode.MALFORMED_FRAME, "malformed " + type + " frame from the server skipped: " +
                    reason);
            }
        }

        private void onError(final long correlation, final int code, final String reason)
        {
            try
            {
                handler.onError(correlation, code, reason);
            }
            catch (final Throwable ex)
            {
                handlerFailed(ex);
            }
        }

        public void onFramingError(final Connection c, final int errorCode, final String reason)
        {
            lastFailureCode = errorCode;
        }

        public void onConnected(final Connection c)
        {
            send(c, scratch, initiator.hello(scratch, 0, HelloFrame.ROLE_CLIENT, 0, 0, privateName));
        }

        public void onClosed(final Connection c, final String reason)
        {
            if (c == connection)
            {
                final String where = reason.startsWith(String.valueOf(c.attachment())) ? reason :
                    c.attachment() + ": " + reason;
                onConnectionLost(c, where);
            }
        }
    }

    // ---------------------------------------------------------------- own thread

    /**
     * Run the I/O loop on a daemon thread of the client's own, delivering to {@code handler}: when a pass finds
     * nothing to do the thread waits in the selector until the socket is readable, a sender queues a frame, a
     * timer of the client is due or 100 ms pass ({@link SelectIdleStrategy} of kind {@code blocking}). It does
     * not spin first: on the 2-core machine this was measured on, spinning (for 5 to 50 µs) raised the round trip
     * and the CPU time; pass a spinning strategy to {@link #startThread(MessageHandler, IdleStrategy)} where cores
     * are to spare. Call once.
     *
     * @param handler receives everything, on the client's thread.
     */
    public void startThread(final MessageHandler handler)
    {
        startThread(handler, SelectIdleStrategy.forKind(IdleStrategyKind.BLOCKING));
    }

    /**
     * Run the I/O loop on a daemon thread of the client's own with the given idle strategy. A
     * {@link SelectIdleStrategy} makes the thread wait in the selector when it would block; any other strategy
     * (Agrona's busy-spin, backoff, ...) never waits there and idles as that strategy does. Call once.
     *
     * @param handler      receives everything, on the client's thread.
     * @param idleStrategy how the thread waits when idle.
     */
    public void startThread(final MessageHandler handler, final IdleStrategy idleStrategy)
    {
        if (runner != null)
        {
            throw new IllegalStateException("startThread was called already for " + privateName);
        }
        this.handler = handler;
        final SelectIdleStrategy select =
            idleStrategy instanceof SelectIdleStrategy ? (SelectIdleStrategy)idleStrategy : null;
        runner = new AgentRunner(idleStrategy, this::onThreadError, null, new Agent()
        {
            public int doWork()
            {
                if (io == IO_CLOSED)
                {
                    throw new AgentTerminationException();
                }
                return poll(handler, THREAD_POLL_LIMIT, select == null ? 0 : select.selectTimeoutMs(Long.MAX_VALUE));
            }

            public void onClose()
            {
                if (IO.compareAndSet(MsgcClient.this, IO_FREE, IO_CLOSED))
                {
                    closeNow();
                }
            }

            public String roleName()
            {
                return "msgc-client-" + privateName;
            }
        });
        AgentRunner.startOnThread(runner, task ->
        {
            final Thread thread = new Thread(task);
            thread.setDaemon(true);
            runnerThread = thread;
            return thread;
        });
    }

    /**
     * Send what is queued (as far as the socket takes it now: the rest is dropped, and not counted in
     * {@link #unsentFrames()}), then close the connection and free the selector. No {@code onDisconnect} follows.
     * Idempotent, and safe from any thread: from a thread other than the I/O thread it returns once the client
     * is closed (the own thread stopped, or the thread inside {@link #poll} left it); from inside a handler it
     * returns at once and the client closes when the handler's {@code poll} returns, delivering nothing more.
     */
    public void close()
    {
        closeRequested = true;
        poller.wakeup();
        final Thread current = Thread.currentThread();
        final AgentRunner r = runner;
        if (r != null && current != runnerThread)
        {
            r.close();
        }
        while (io != IO_CLOSED)
        {
            if (IO.compareAndSet(this, IO_FREE, IO_CLOSED))
            {
                closeNow();
                return;
            }
            if (current == pollingThread || current == runnerThread)
            {
                return;
            }
            Thread.yield();
        }
    }

    /**
     * The close itself, on the one thread that won the I/O state to {@link #IO_CLOSED}.
     */
    private void closeNow()
    {
        // as far as the write buffer takes them; a second read covers the ring's wrap
        for (int i = 0; i < 2 && state == STATE_CONNECTED && drainSendQueue() > 0; i++)
        {
            poller.flushDirty();
        }
        if (state == STATE_CONNECTED)
        {
            poller.flushDirty();
        }
        state = STATE_CLOSED;
        poller.close();
    }
}
