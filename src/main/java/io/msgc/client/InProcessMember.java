package io.msgc.client;

import io.msgc.io.MemberChannel;
import io.msgc.wire.DataFrame;
import io.msgc.wire.ErrorCode;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import io.msgc.wire.GroupOpFrame;
import io.msgc.wire.MembershipFrame;
import io.msgc.wire.ReasonFrame;
import io.msgc.wire.ServiceType;
import org.agrona.DirectBuffer;
import org.agrona.ErrorHandler;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A member of an embedded {@code msgc_server}, in the server's own JVM, attached with
 * {@code MsgcServer.attach(name)}. The rest of the mesh sees it as any member: id {@code #name#node}, joins,
 * leaves, views, every service level with the same ordering, flow control and slow-consumer rules, because its
 * requests take the server's path for a socket client's frames. It talks to the server's event loop over two
 * lock-free rings in direct memory ({@link MemberChannel}): no socket, no system call per message.
 * <p>
 * <b>Threads.</b> Any thread may call {@link #multicast}, {@link #join} and {@link #leave}: each encodes its frame
 * straight into the request ring (a {@link ManyToOneRingBuffer}; no allocation when the destination array is
 * reused) and returns at once, {@link #BACK_PRESSURED} when the ring is full. One thread at a time reads: the one
 * inside {@link #poll} (a call from a second thread meanwhile returns 0), or the member's own daemon thread after
 * {@link #startThread}. The delivery ring has that one reader and the server's loop as its one writer (a
 * {@link OneToOneRingBuffer}). Handlers run on the reading thread and get flyweights over the ring, valid only
 * during the call; a send from inside a handler is an ordinary send.
 * <p>
 * <b>Waiting.</b> {@link #poll(MessageHandler, int)} never waits: call it in a loop for the lowest latency (one
 * core per polling thread: busy-spin). {@link #poll(MessageHandler, int, long)} parks the thread when a pass finds
 * nothing, and the server unparks it at the end of the loop turn that wrote to its ring: no core burnt while idle,
 * at the price of a thread wake-up (a futex call, and the scheduler) per wait. {@link #startThread(MessageHandler)}
 * runs the parking loop on a thread of the member's own. The server's loop in turn is woken by a send only when
 * it waits in its selector (its idle strategy is not {@code busy-spin}).
 * <p>
 * <b>Errors.</b> As {@link MsgcClient}: sends return a positive correlation id or a negative code; bad arguments
 * throw {@link IllegalArgumentException}; refusals arrive in {@link MessageHandler#onError(long, int, String)}
 * with the call's id; a handler that throws is reported once to the error handler and the message is skipped.
 * When the server ends the session (slow consumer, shutdown) the member delivers what its ring holds, then
 * {@link MessageHandler#onDisconnect} with the reason and the count of requests the server never read; it does
 * not reconnect.
 */
public final class InProcessMember implements AutoCloseable
{
    /** The request ring is full: try again once the server's loop has read it. */
    public static final long BACK_PRESSURED = MsgcClient.BACK_PRESSURED;
    /** The member is closed, or the server ended its session. */
    public static final long CLOSED = MsgcClient.CLOSED;

    /** Most messages the member's own thread delivers per pass. */
    private static final int THREAD_POLL_LIMIT = 1024;
    /** Longest park of the member's own thread when idle. */
    private static final long THREAD_WAIT_MS = 100;

    private static final int IO_FREE = 0;
    private static final int IO_BUSY = 1;
    private static final int IO_CLOSED = 2;
    private static final AtomicIntegerFieldUpdater<InProcessMember> IO =
        AtomicIntegerFieldUpdater.newUpdater(InProcessMember.class, "io");

    private final MemberChannel channel;
    private final ManyToOneRingBuffer requests;
    private final OneToOneRingBuffer deliveries;
    private final String memberId;
    private final String privateName;
    private final int maxFrameSize;
    private final ErrorHandler errorHandler;
    private final AtomicLong correlations = new AtomicLong();
    private final DataFrame dataFrame = new DataFrame();
    private final Message message = new Message(dataFrame);
    private final MembershipFrame membershipFrame = new MembershipFrame();
    private final MembershipView membershipView = new MembershipView(membershipFrame);
    private final ReasonFrame reasonFrame = new ReasonFrame();
    private final ControlledMessageHandler reader = this::onDelivery;
    private final ControlledMessageHandler unsentCounter = this::countUnsent;
    /** The last destination String found valid: a reused String skips the check (racy on purpose, as in MsgcClient). */
    private String checkedDestination;
    private volatile int io = IO_FREE;
    private volatile boolean closeRequested;
    private volatile long unsentFrames;
    private MessageHandler handler;
    private boolean disconnected;
    private long counted;
    private AgentRunner runner;
    private volatile Thread runnerThread;
    private Thread pollingThread;

    /**
     * Called by {@code MsgcServer.attach}; applications attach through the server.
     *
     * @param channel      the channel the server set up for this member.
     * @param errorHandler receives handler exceptions; null prints them to standard error.
     */
    public InProcessMember(final MemberChannel channel, final ErrorHandler errorHandler)
    {
        this.channel = channel;
        this.requests = channel.requests();
        this.deliveries = channel.deliveries();
        this.memberId = channel.memberId();
        this.privateName = memberId.substring(1, memberId.indexOf('#', 1));
        this.maxFrameSize = channel.maxFrameSize();
        this.errorHandler = errorHandler != null ? errorHandler : this::printError;
    }

    /**
     * @return the member id {@code #private#node}, which is also its private group.
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
     * @return the node of the server it is attached to.
     */
    public String node()
    {
        return channel.node();
    }

    /**
     * @return true once {@link #close()} has finished.
     */
    public boolean isClosed()
    {
        return io == IO_CLOSED;
    }

    /**
     * @return true while the server keeps the session (not closed by either side).
     */
    public boolean isAttached()
    {
        return !closeRequested && channel.closedReason() == null;
    }

    /**
     * @return messages accepted by {@link #multicast} that the server never read, since the start (counted when
     *         the server ended the session).
     */
    public long unsentFrames()
    {
        return unsentFrames;
    }

    // ---------------------------------------------------------------- sending (any thread)

    /**
     * Join a group; a membership view follows.
     *
     * @param group group name (1-127 printable ASCII, not starting with '#').
     * @return a positive correlation id, or {@link #BACK_PRESSURED} / {@link #CLOSED}.
     * @throws IllegalArgumentException for a bad group name.
     */
    public long join(final String group)
    {
        return groupOp(FrameType.JOIN, group);
    }

    /**
     * Leave a group; a self-leave notice follows.
     *
     * @param group group name.
     * @return a positive correlation id, or {@link #BACK_PRESSURED} / {@link #CLOSED}.
     * @throws IllegalArgumentException for a bad group name.
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
        if (!isAttached())
        {
            return CLOSED;
        }
        final int index = requests.tryClaim(MemberChannel.FRAME_RECORD, GroupOpFrame.length(group));
        if (index < 0)
        {
            return BACK_PRESSURED;
        }
        final long correlation = correlations.incrementAndGet();
        GroupOpFrame.encode(requests.buffer(), index, type, correlation, group);
        requests.commit(index);
        channel.wakeServer();
        return correlation;
    }

    /**
     * Send one message to 1-100 groups and/or member ids. No allocation when {@code groups} is a reused array.
     *
     * @param service {@link ServiceType} level, optionally | SELF_DISCARD.
     * @param msgType application message type.
     * @param payload payload bytes.
     * @param offset  first payload byte.
     * @param length  payload length.
     * @param groups  destinations: group names or member ids {@code #private#node}.
     * @return a positive correlation id, or {@link #BACK_PRESSURED} / {@link #CLOSED}.
     * @throws IllegalArgumentException for a bad service, destination or size.
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
     * @return a positive correlation id, or {@link #BACK_PRESSURED} / {@link #CLOSED}.
     * @throws IllegalArgumentException for a bad service, destination or size.
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
        if (!isAttached())
        {
            return CLOSED;
        }
        final int frameLength = DataFrame.length(memberId.length(), groups, groupCount, length);
        SendChecks.frameSize(frameLength, maxFrameSize);
        if (frameLength > requests.maxMsgLength())
        {
            return queueLarge(service, msgType, payload, offset, length, groups, groupCount, frameLength);
        }
        final int index = requests.tryClaim(MemberChannel.FRAME_RECORD, frameLength);
        if (index < 0)
        {
            return BACK_PRESSURED;
        }
        final long correlation = correlations.incrementAndGet();
        DataFrame.encode(requests.buffer(), index, correlation, service, msgType, memberId, groups, groupCount,
            payload, offset, length);
        requests.commit(index);
        channel.wakeServer();
        return correlation;
    }

    /**
     * A frame larger than a ring record waits in the channel's large-frame slot, one at a time; the record says
     * how long it is.
     */
    private long queueLarge(
        final int service,
        final int msgType,
        final DirectBuffer payload,
        final int offset,
        final int length,
        final String[] groups,
        final int groupCount,
        final int frameLength)
    {
        final UnsafeBuffer slot = channel.acquireLargeSlot(frameLength);
        if (slot == null)
        {
            return BACK_PRESSURED;
        }
        final int index = requests.tryClaim(MemberChannel.LARGE_FRAME_RECORD, Integer.BYTES);
        if (index < 0)
        {
            channel.abandonLargeSlot();
            return BACK_PRESSURED;
        }
        final long correlation = correlations.incrementAndGet();
        DataFrame.encode(slot, 0, correlation, service, msgType, memberId, groups, groupCount, payload, offset,
            length);
        requests.buffer().putInt(index, frameLength);
        requests.commit(index);
        channel.wakeServer();
        return correlation;
    }

    // ---------------------------------------------------------------- reading (one thread at a time)

    /**
     * Deliver what the server queued for this member, up to {@code limit} messages, without waiting.
     *
     * @param handler receives messages, views, errors and the session's end.
     * @param limit   most messages (data, membership, error) to deliver.
     * @return messages delivered (0 when there was nothing).
     */
    public int poll(final MessageHandler handler, final int limit)
    {
        return poll(handler, limit, 0);
    }

    /**
     * As {@link #poll(MessageHandler, int)}; when a pass finds nothing and {@code timeoutMs} &gt; 0, park the thread
     * until the server writes to this member (it unparks it), the session ends, or {@code timeoutMs} pass, then
     * make one more pass. A call while another thread is inside {@code poll}, or from inside a handler, returns 0.
     *
     * @param handler   receives messages, views, errors and the session's end.
     * @param limit     most messages to deliver in one pass.
     * @param timeoutMs longest wait in ms when idle; 0 never waits.
     * @return messages delivered.
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
            int work = pass(limit);
            if (work == 0 && timeoutMs > 0 && !closeRequested)
            {
                channel.awaitDeliveries(TimeUnit.MILLISECONDS.toNanos(timeoutMs), disconnected);
                if (!closeRequested)
                {
                    work = pass(limit);
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

    private int pass(final int limit)
    {
        if (closeRequested)
        {
            return 0;
        }
        final int read = deliveries.controlledRead(reader, limit);
        if (read > 0)
        {
            channel.consumed();
            return read;
        }
        final String reason = channel.closedReason();
        if (reason != null && !disconnected && deliveries.producerPosition() == deliveries.consumerPosition())
        {
            onSessionEnded(reason);
            return 1;
        }
        return 0;
    }

    private ControlledMessageHandler.Action onDelivery(
        final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (closeRequested)
        {
            return ControlledMessageHandler.Action.ABORT; // closed from a handler: nothing more is delivered
        }
        switch (FrameHeader.type(buffer, index))
        {
            case FrameType.DATA:
            {
                final String malformed = dataFrame.wrap(buffer, index, length);
                if (malformed != null)
                {
                    onError(0, ErrorCode.MALFORMED_FRAME, "malformed DATA frame from the server skipped: " +
                        malformed);
                    break;
                }
                message.wrapPayload();
                try
                {
                    handler.onMessage(message);
                }
                catch (final Throwable ex)
                {
                    handlerFailed(ex);
                }
                break;
            }
            case FrameType.MEMBERSHIP:
            {
                final String malformed = membershipFrame.wrap(buffer, index, length);
                if (malformed != null)
                {
                    onError(0, ErrorCode.MALFORMED_FRAME, "malformed MEMBERSHIP frame from the server skipped: " +
                        malformed);
                    break;
                }
                try
                {
                    handler.onMembership(membershipView);
                }
                catch (final Throwable ex)
                {
                    handlerFailed(ex);
                }
                break;
            }
            case FrameType.ERROR:
                if (reasonFrame.wrap(buffer, index, length) == null)
                {
                    onError(reasonFrame.correlation(), reasonFrame.code(), reasonFrame.reason());
                }
                break;
            default:
                break;
        }
        return ControlledMessageHandler.Action.CONTINUE;
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

    /**
     * The server ended the session and will read no more requests: count what it never read (this thread is the
     * request ring's reader from now on), then tell the handler.
     */
    private void onSessionEnded(final String reason)
    {
        disconnected = true;
        counted = 0;
        int read;
        do
        {
            read = requests.controlledRead(unsentCounter);
        }
        while (read > 0);
        unsentFrames += counted;
        try
        {
            handler.onDisconnect(reason, counted, false);
        }
        catch (final Throwable ex)
        {
            handlerFailed(ex);
        }
    }

    private ControlledMessageHandler.Action countUnsent(
        final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (msgTypeId == MemberChannel.LARGE_FRAME_RECORD)
        {
            counted++;
            channel.abandonLargeSlot();
        }
        else if (FrameHeader.type(buffer, index) == FrameType.DATA)
        {
            counted++;
        }
        return ControlledMessageHandler.Action.CONTINUE;
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

    private void printError(final Throwable ex)
    {
        System.err.println("msgc in-process member " + memberId +
            ": the handler threw; the message or event it failed on was skipped: " + ex);
        ex.printStackTrace();
    }

    // ---------------------------------------------------------------- own thread

    /**
     * Read on a daemon thread of the member's own, named {@code msgc-member-<name>}: it parks when idle and the
     * server unparks it when it writes to this member (no core burnt while idle). The thread ends after
     * {@code onDisconnect} or {@link #close()}. Call once.
     *
     * @param handler receives everything, on that thread.
     */
    public void startThread(final MessageHandler handler)
    {
        startThread(handler, null);
    }

    /**
     * Read on a daemon thread of the member's own with the given idle strategy (e.g. Agrona's
     * {@code BusySpinIdleStrategy} where a core is to spare); null parks as {@link #startThread(MessageHandler)}
     * does. Call once.
     *
     * @param handler      receives everything, on that thread.
     * @param idleStrategy how the thread idles; null to park until the server writes.
     */
    public void startThread(final MessageHandler handler, final IdleStrategy idleStrategy)
    {
        if (runner != null)
        {
            throw new IllegalStateException("startThread was called already for " + memberId);
        }
        final long waitMs = idleStrategy == null ? THREAD_WAIT_MS : 0;
        runner = new AgentRunner(idleStrategy == null ? NoOpIdleStrategy.INSTANCE : idleStrategy,
            this::onThreadError, null, new Agent()
            {
                public int doWork()
                {
                    if (io == IO_CLOSED || disconnected)
                    {
                        throw new AgentTerminationException(); // closed, or the server ended the session
                    }
                    return poll(handler, THREAD_POLL_LIMIT, waitMs);
                }

                public void onClose()
                {
                    if (IO.compareAndSet(InProcessMember.this, IO_FREE, IO_CLOSED))
                    {
                        closeNow();
                    }
                }

                public String roleName()
                {
                    return "msgc-member-" + privateName;
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

    private void onThreadError(final Throwable ex)
    {
        if (!(ex instanceof AgentTerminationException))
        {
            handlerFailed(ex);
        }
    }

    /**
     * Detach: the server handles the requests already queued, then ends the session; the other members see a
     * DISCONNECT view. Nothing more is delivered. Idempotent, safe from any thread: from another thread it returns
     * once the reading thread has left {@code poll} (or the own thread stopped); from inside a handler at once.
     */
    public void close()
    {
        if (!closeRequested)
        {
            closeRequested = true;
            channel.closeFromMember();
        }
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

    private void closeNow()
    {
        handler = null;
    }
}
