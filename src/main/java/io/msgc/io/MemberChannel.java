package io.msgc.io;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RecordDescriptor;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.locks.LockSupport;

/**
 * The shared-memory link between an embedded server's event loop and one in-process member: two lock-free rings
 * in direct memory and the flags each side reads to wake the other only when it really waits. No socket, and no
 * system call per message while both sides are awake.
 * <ul>
 *   <li><b>Requests</b> (member to server): an Agrona {@link ManyToOneRingBuffer}; any member thread may send, the
 *   server's loop is the one reader. A frame larger than a ring record ({@link #requests()}'s
 *   {@code maxMsgLength}) waits in the large-frame slot, one at a time, and a {@link #LARGE_FRAME_RECORD} record
 *   points at it.</li>
 *   <li><b>Deliveries</b> (server to member): an Agrona {@link OneToOneRingBuffer}; the server's loop is the one
 *   writer, the thread inside the member's {@code poll} the one reader. This is the member's outbound buffer: it
 *   is the server's {@link FrameSink} for the member, and {@link #writeLimit()} is {@code client_outbound_limit},
 *   so a full ring holds streams back exactly as a socket client's full buffer does.</li>
 * </ul>
 * Wake-ups: the server sets {@link #serverWaiting} (through the shared flag its wake action reads) before it
 * blocks in its selector, and a member wakes it ({@code Selector.wakeup}) only then. A member thread waiting for
 * deliveries parks after publishing itself as the {@link #waiter}, and the server unparks it once per loop turn
 * in which it wrote to the ring. While the server holds a stream back for this member it asks to be woken when
 * the member reads ({@link #requestDrainWake}).
 */
public final class MemberChannel implements FrameSink
{
    /** A request record holding one frame. */
    public static final int FRAME_RECORD = 1;
    /** A request record holding the length of the frame in the large-frame slot. */
    public static final int LARGE_FRAME_RECORD = 2;
    /** Room kept free in the delivery ring beyond the write limit: a record may need padding at the wrap. */
    private static final int RECORD_SLACK = 2 * (RecordDescriptor.HEADER_LENGTH + RecordDescriptor.ALIGNMENT);

    private static final AtomicIntegerFieldUpdater<MemberChannel> LARGE =
        AtomicIntegerFieldUpdater.newUpdater(MemberChannel.class, "largeBusy");

    private final String memberId;
    private final String node;
    private final int maxFrameSize;
    private final ManyToOneRingBuffer requests;
    private final OneToOneRingBuffer deliveries;
    private final int writeLimit;
    private final Runnable wakeServer;
    /** Server side: frames were written since the last {@link #wakeReader}. */
    private boolean written;
    /** Server side: offers are refused (the member is being closed). */
    private boolean refusing;
    private volatile Thread waiter;
    private volatile boolean drainWake;
    private volatile boolean memberClosed;
    private volatile String closedReason;
    private volatile int largeBusy;
    private UnsafeBuffer largeSlot;

    /**
     * @param memberId        the member id {@code #private#node}.
     * @param node            the server's node name.
     * @param maxFrameSize    the server's {@code max_frame_size}.
     * @param requestBytes    request ring capacity (rounded up to a power of two).
     * @param deliveryLimit   bytes the delivery ring may hold ({@code client_outbound_limit}); its capacity is that
     *                        plus room for one more frame, rounded up to a power of two, and at least 8 frames.
     * @param wakeServer      wakes the server's loop if it waits in its selector; called from member threads.
     */
    public MemberChannel(
        final String memberId,
        final String node,
        final int maxFrameSize,
        final int requestBytes,
        final int deliveryLimit,
        final Runnable wakeServer)
    {
        this.memberId = memberId;
        this.node = node;
        this.maxFrameSize = maxFrameSize;
        this.wakeServer = wakeServer;
        final int record = maxFrameSize + RECORD_SLACK;
        // a ring record is at most 1/8 of the ring: every frame the server may deliver must fit in one
        final long wanted = Math.max((long)deliveryLimit + record, 8L * record);
        final int deliveryCapacity = BitUtil.findNextPositivePowerOfTwo((int)Math.min(wanted, 1 << 30));
        writeLimit = Math.min(deliveryLimit, deliveryCapacity - record);
        deliveries = new OneToOneRingBuffer(new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            deliveryCapacity + RingBufferDescriptor.TRAILER_LENGTH, 64)));
        final int requestCapacity = BitUtil.findNextPositivePowerOfTwo(Math.max(requestBytes, 4096));
        requests = new ManyToOneRingBuffer(new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            requestCapacity + RingBufferDescriptor.TRAILER_LENGTH, 64)));
    }

    /**
     * @return the member id.
     */
    public String memberId()
    {
        return memberId;
    }

    /**
     * @return the server's node name.
     */
    public String node()
    {
        return node;
    }

    /**
     * @return the largest frame either side may put on this channel.
     */
    public int maxFrameSize()
    {
        return maxFrameSize;
    }

    /**
     * @return the member-to-server ring (many writers, the server's loop reads).
     */
    public ManyToOneRingBuffer requests()
    {
        return requests;
    }

    /**
     * @return the server-to-member ring (the server's loop writes, the member's polling thread reads).
     */
    public OneToOneRingBuffer deliveries()
    {
        return deliveries;
    }

    // ---------------------------------------------------------------- server side (the event loop)

    /** {@inheritDoc} */
    public boolean offer(final DirectBuffer buffer, final int offset, final int length)
    {
        if (refusing || deliveries.size() + length > writeLimit ||
            !deliveries.write(FRAME_RECORD, buffer, offset, length))
        {
            return false;
        }
        written = true;
        return true;
    }

    /** {@inheritDoc} */
    public int pendingBytes()
    {
        return deliveries.size();
    }

    /** {@inheritDoc} */
    public int writeLimit()
    {
        return writeLimit;
    }

    /**
     * Server side: refuse every offer from now on (the member is being closed).
     */
    public void refuseOffers()
    {
        refusing = true;
    }

    /**
     * @return true when frames were written since the last {@link #wakeReader()}.
     */
    public boolean hasWritten()
    {
        return written;
    }

    /**
     * Server side, once per loop turn in which frames were written, after a full fence (which orders those ring
     * writes before the read of {@link #waiter}): unpark the member's thread if it waits.
     */
    public void wakeReader()
    {
        written = false;
        final Thread thread = waiter;
        if (thread != null)
        {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Server side: ask the member to wake the server when it next reads (a stream waits for room in its ring).
     */
    public void requestDrainWake()
    {
        drainWake = true;
    }

    /**
     * @return true once the member closed its side.
     */
    public boolean memberClosed()
    {
        return memberClosed;
    }

    /**
     * Server side: the session is over; the server reads no more requests and writes no more deliveries. The
     * member delivers what its ring holds, then the reason.
     *
     * @param reason why.
     */
    public void serverClosed(final String reason)
    {
        refusing = true;
        closedReason = reason;
        final Thread thread = waiter;
        if (thread != null)
        {
            LockSupport.unpark(thread);
        }
    }

    /**
     * Server side: release the large-frame slot once its frame has been handled.
     */
    public void releaseLargeSlot()
    {
        LARGE.lazySet(this, 0);
    }

    /**
     * @return the large-frame slot (its frame is published by the {@link #LARGE_FRAME_RECORD} record).
     */
    public UnsafeBuffer largeSlot()
    {
        return largeSlot;
    }

    // ---------------------------------------------------------------- member side

    /**
     * Member side: wake the server if it waits in its selector (after a request was committed).
     */
    public void wakeServer()
    {
        wakeServer.run();
    }

    /**
     * Member side, after reading deliveries: if the server asked, wake it so a stream held back for this member
     * goes on. The fence orders the ring's released head before the read of the flag, against the server's
     * write of the flag before its read of the head.
     */
    public void consumed()
    {
        VarHandle.fullFence();
        if (drainWake)
        {
            drainWake = false;
            wakeServer.run();
        }
    }

    /**
     * Member side: wait until the server writes to the delivery ring or either side closes the session, at most
     * {@code timeoutNs}. Returns at once when the ring is not empty.
     *
     * @param timeoutNs longest wait.
     * @param ended     the member has delivered the session's end: nothing will come, wait out the timeout.
     */
    public void awaitDeliveries(final long timeoutNs, final boolean ended)
    {
        waiter = Thread.currentThread();
        try
        {
            if (deliveries.producerPosition() == deliveries.consumerPosition() && (ended || closedReason == null) &&
                !memberClosed)
            {
                LockSupport.parkNanos(this, timeoutNs);
            }
        }
        finally
        {
            waiter = null;
        }
    }

    /**
     * Member side: the member closes its side. The server handles the requests already queued, then ends the
     * session (a DISCONNECT view for the others). A member thread waiting for deliveries returns.
     */
    public void closeFromMember()
    {
        memberClosed = true;
        wakeServer.run();
        final Thread thread = waiter;
        if (thread != null)
        {
            LockSupport.unpark(thread);
        }
    }

    /**
     * @return why the server ended the session, or null while it runs.
     */
    public String closedReason()
    {
        return closedReason;
    }

    /**
     * Member side: take the large-frame slot, growing it to {@code length} bytes.
     *
     * @param length bytes needed.
     * @return the slot, or null while another frame holds it.
     */
    public UnsafeBuffer acquireLargeSlot(final int length)
    {
        if (!LARGE.compareAndSet(this, 0, 1))
        {
            return null;
        }
        UnsafeBuffer slot = largeSlot;
        if (slot == null || slot.capacity() < length)
        {
            slot = new UnsafeBuffer(new byte[Math.max(length, maxFrameSize)]);
            largeSlot = slot;
        }
        return slot;
    }

    /**
     * Member side: give the slot back without queueing its frame (the ring was full).
     */
    public void abandonLargeSlot()
    {
        LARGE.lazySet(this, 0);
    }
}
