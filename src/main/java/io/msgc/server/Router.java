package io.msgc.server;

import io.msgc.admin.NodeCounters;
import io.msgc.wire.DataFrame;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import io.msgc.wire.NameRules;
import io.msgc.wire.ServiceType;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.Arrays;

/**
 * Routes DATA frames by the installed view: to the local members of each destination group (once per member,
 * however many of its groups the message names) and to local private groups; and tells which other nodes need a
 * copy (the group's route mask, a member id's node). Allocation-free: names are looked up from the frame bytes and
 * each destination connection receives a plain byte copy.
 */
final class Router
{
    /**
     * Handles a local member that cannot keep up.
     */
    interface SlowConsumerHandler
    {
        /**
         * @param session the member whose outbound buffer is full.
         */
        void onSlowConsumer(ClientSession session);
    }

    /** {@link #route} only finds the nodes. */
    private static final int ROUTE = 0;
    /** {@link #route} also collects the local members the frame reaches into {@link #targets}. */
    private static final int COLLECT = 1;

    private final int selfIndex;
    private final int maxFrameSize;
    private final NodeNames nodeNames;
    private final NameTable<Group> groups;
    private final NameTable<ClientSession> sessions;
    private final NodeCounters counters;
    private final SlowConsumerHandler slowConsumerHandler;
    private final DataFrame data = new DataFrame();
    private final UnsafeBuffer out;
    private MutableDirectBuffer checkedBuffer;
    private int checkedOffset;
    private int checkedLength;
    private ClientSession[] slow = new ClientSession[16];
    private int slowCount;
    private long stamp;
    private ClientSession[] targets = new ClientSession[16];
    private int targetCount;
    private long routed;

    Router(
        final int selfIndex,
        final int maxFrameSize,
        final NodeNames nodeNames,
        final NameTable<Group> groups,
        final NameTable<ClientSession> sessions,
        final NodeCounters counters,
        final SlowConsumerHandler slowConsumerHandler)
    {
        this.selfIndex = selfIndex;
        this.maxFrameSize = maxFrameSize;
        this.nodeNames = nodeNames;
        this.groups = groups;
        this.sessions = sessions;
        this.counters = counters;
        this.slowConsumerHandler = slowConsumerHandler;
        out = new UnsafeBuffer(BufferUtil.allocateDirectAligned(maxFrameSize + 64, 64));
    }

    /**
     * Check a DATA frame sent by a local member. A frame whose sender is the member's own id (what the client library
     * writes) is used as it is, in the read buffer; a frame with an empty sender is copied once to fill it in. The
     * frame to route is then {@link #checkedBuffer()} at {@link #checkedOffset()}, {@link #checkedLength()} long.
     *
     * @return null when the frame may be routed, else why it was refused.
     */
    String check(final ClientSession sender, final MutableDirectBuffer buffer, final int offset, final int length)
    {
        final String error = data.wrap(buffer, offset, length);
        if (error != null)
        {
            return error;
        }
        for (int i = 0, n = data.destinationCount(); i < n; i++)
        {
            final int at = data.destinationOffset(i);
            final int len = data.destinationLength(i);
            if (buffer.getByte(at) == '#')
            {
                final int split = NameRules.memberIdSplit(buffer, at, len);
                if (nodeNames.indexOf(buffer, at + split + 1, len - split - 1) < 0)
                {
                    return "DATA destination " + (i + 1) + " '" + NameRules.printable(buffer, at, len) +
                        "' is a member id on node '" + NameRules.printable(buffer, at + split + 1, len - split - 1) +
                        "', which is not in the peers list";
                }
            }
        }
        final int senderLength = data.senderLength();
        if (senderLength == 0)
        {
            final int frameLength = length + sender.memberIdBytes.length;
            if (frameLength > maxFrameSize)
            {
                return "DATA of " + length + " bytes is over max_frame_size=" + maxFrameSize + " once the sender id " +
                    "is filled in; write the member id from WELCOME as the sender, or send less";
            }
            insertSender(sender.memberIdBytes, buffer, offset, length);
            checkedBuffer = out;
            checkedOffset = 0;
            checkedLength = frameLength;
        }
        else if (senderLength == sender.memberIdBytes.length &&
            NameTable.sameWords(sender.memberIdWords, buffer, data.senderOffset(), senderLength))
        {
            checkedBuffer = buffer;
            checkedOffset = offset;
            checkedLength = length;
        }
        else
        {
            return "DATA sender '" + NameRules.printable(buffer, data.senderOffset(), senderLength) +
                "' is not this member (" + sender.memberId + "); leave it empty or write the id WELCOME gave";
        }
        counters.messagesInClient.incrementOrdered();
        counters.bytesInClient.getAndAddOrdered(checkedLength);
        return null;
    }

    /**
     * @return the buffer holding the frame {@link #check} accepted.
     */
    MutableDirectBuffer checkedBuffer()
    {
        return checkedBuffer;
    }

    /**
     * @return where that frame starts.
     */
    int checkedOffset()
    {
        return checkedOffset;
    }

    /**
     * @return its length.
     */
    int checkedLength()
    {
        return checkedLength;
    }

    /**
     * Copy a frame whose sender is empty into {@link #out}, with the sender filled in.
     */
    private void insertSender(final byte[] memberId, final DirectBuffer buffer, final int offset, final int length)
    {
        out.putBytes(0, buffer, offset, DataFrame.SENDER_OFFSET);
        out.putByte(DataFrame.SENDER_OFFSET, (byte)memberId.length);
        out.putBytes(DataFrame.SENDER_OFFSET + 1, memberId);
        final int restStart = DataFrame.SENDER_OFFSET + 1;
        out.putBytes(restStart + memberId.length, buffer, offset + restStart, length - restStart);
        FrameHeader.write(out, 0, length + memberId.length, FrameType.DATA, FrameHeader.flags(buffer, offset));
    }

    /**
     * Deliver a DATA frame to the local members it names, by the installed view.
     *
     * @param sender the local sender when known; else found from the frame when SELF_DISCARD needs it.
     * @param frame  a frame validated on its arrival at this node ({@link #check}, or a peer's stream).
     * @param offset frame start.
     * @param length frame length.
     * @return the other nodes with members in a destination (where a local member's message must go).
     */
    long deliver(final ClientSession sender, final DirectBuffer frame, final int offset, final int length)
    {
        deliverIfRoom(sender, frame, offset, length, false);
        return routed;
    }

    /**
     * Deliver a DATA frame to the local members it names unless flow control holds it, in one pass over its
     * destinations: the members it reaches are found once, checked for room, then written to. A reliable frame
     * that one of them has no room for goes to none of them: it waits, whole.
     *
     * @param sender the local sender when known; else found from the frame when SELF_DISCARD needs it.
     * @param frame  a frame validated on its arrival at this node ({@link #check}, or a peer's stream).
     * @param offset frame start.
     * @param length frame length.
     * @param check  true to apply flow control; false delivers whatever room there is (a member without room for
     *               a reliable frame is cut as a slow consumer).
     * @return null when delivered ({@link #routed()} then tells which other nodes it must reach), else the first
     *         member without room (an UNRELIABLE frame is never held: it is dropped per member instead).
     */
    ClientSession deliverIfRoom(
        final ClientSession sender, final DirectBuffer frame, final int offset, final int length, final boolean check)
    {
        wrapValidated(frame, offset, length);
        final int service = data.service();
        final boolean unreliable = ServiceType.isUnreliable(service);
        final long nodes = route(frame, COLLECT, skip(sender, frame, service));
        routed = nodes;
        final ClientSession[] targets = this.targets;
        final int count = targetCount;
        targetCount = 0;
        if (check && !unreliable)
        {
            for (int i = 0; i < count; i++)
            {
                final ClientSession target = targets[i];
                if (target.out.pendingBytes() + length > dataLimit(target))
                {
                    Arrays.fill(targets, 0, count, null);
                    return target;
                }
            }
        }
        for (int i = 0; i < count; i++)
        {
            deliver(targets[i], unreliable, frame, offset, length);
            targets[i] = null;
        }
        flushSlow();
        routed = nodes; // a member cut above may have routed other frames since
        return null;
    }

    /**
     * @return the other nodes with members in a destination of the frame last given to {@link #deliverIfRoom},
     *         {@link #deliver} or {@link #route}.
     */
    long routed()
    {
        return routed;
    }

    /**
     * @param frame  a DATA frame validated on its arrival at this node.
     * @param offset frame start.
     * @param length frame length.
     * @return the other nodes with members in a destination, without delivering.
     */
    long route(final DirectBuffer frame, final int offset, final int length)
    {
        wrapValidated(frame, offset, length);
        routed = route(frame, ROUTE, null);
        return routed;
    }

    /**
     * A frame given to routing was validated when it arrived (by {@link #check}, or as a peer's stream frame):
     * only its destinations are found again here, without the name checks. A layout that does not hold means a
     * path skipped that validation: a bug, reported as such rather than routed.
     */
    private void wrapValidated(final DirectBuffer frame, final int offset, final int length)
    {
        if (!data.wrapValidated(frame, offset, length))
        {
            throw new IllegalStateException("DATA frame of " + length + " bytes reached routing without validation " +
                "(its layout is broken: " + data.wrap(frame, offset, length) + ")");
        }
    }

    private ClientSession skip(final ClientSession sender, final DirectBuffer frame, final int service)
    {
        return ServiceType.isSelfDiscard(service) ? (sender != null ? sender : localSender(frame)) : null;
    }

    private ClientSession localSender(final DirectBuffer frame)
    {
        final int at = data.senderOffset();
        final int length = data.senderLength();
        final int split = NameRules.memberIdSplit(frame, at, length);
        if (split < 0 ||
            !DataFrame.senderIsOn(frame, data.offset(), nodeNames.bytes(selfIndex), nodeNames.words(selfIndex)))
        {
            return null;
        }
        return sessions.find(frame, at + 1, split - 1);
    }

    private long route(final DirectBuffer frame, final int mode, final ClientSession skip)
    {
        final long stamp = ++this.stamp;
        long nodes = 0;
        for (int i = 0, n = data.destinationCount(); i < n; i++)
        {
            final int at = data.destinationOffset(i);
            final int len = data.destinationLength(i);
            if (frame.getByte(at) == '#')
            {
                final int split = NameRules.memberIdSplit(frame, at, len);
                final int node = nodeNames.indexOf(frame, at + split + 1, len - split - 1);
                if (node == selfIndex)
                {
                    final ClientSession target = sessions.find(frame, at + 1, split - 1);
                    if (mode == COLLECT && target != null && target != skip)
                    {
                        collect(target, stamp);
                    }
                }
                else if (node >= 0)
                {
                    nodes |= 1L << node;
                }
            }
            else
            {
                final Group group = groups.find(frame, at, len);
                if (group != null)
                {
                    if (mode == COLLECT)
                    {
                        final ClientSession[] local = group.local;
                        for (int j = 0, m = group.localCount; j < m; j++)
                        {
                            final ClientSession target = local[j];
                            if (target != skip)
                            {
                                collect(target, stamp);
                            }
                        }
                    }
                    nodes |= group.routeMask;
                }
            }
        }
        return nodes & ~(1L << selfIndex);
    }

    /** Each member once per message, however many of its groups the message names; none that is being closed. */
    private void collect(final ClientSession target, final long stamp)
    {
        if (target.deliveryStamp == stamp || target.closing)
        {
            return;
        }
        target.deliveryStamp = stamp;
        if (targetCount == targets.length)
        {
            targets = Arrays.copyOf(targets, targetCount * 2);
        }
        targets[targetCount++] = target;
    }

    /**
     * Messages that may wait stop at 7/8 of a member's buffer: the rest is kept for what cannot wait (views,
     * errors, keepalives), so a member held back by flow control is not cut for a view it could not take.
     */
    private static int dataLimit(final ClientSession target)
    {
        final int limit = target.out.writeLimit();
        return limit - (limit >> 3);
    }

    private void deliver(
        final ClientSession target,
        final boolean unreliable,
        final DirectBuffer frame,
        final int offset,
        final int length)
    {
        // unreliable traffic gets half the buffer, so reliable messages still fit behind it
        if (unreliable && target.out.pendingBytes() + length > target.out.writeLimit() / 2)
        {
            target.droppedUnreliable++;
            counters.droppedUnreliable.incrementOrdered();
            return;
        }
        if (target.out.offer(frame, offset, length))
        {
            target.delivered++;
            counters.messagesOutClient.incrementOrdered();
            counters.bytesOutClient.getAndAddOrdered(length);
        }
        else if (unreliable)
        {
            target.droppedUnreliable++;
            counters.droppedUnreliable.incrementOrdered();
        }
        else
        {
            counters.droppedSlowConsumer.incrementOrdered();
            target.closing = true;
            if (slowCount == slow.length)
            {
                slow = Arrays.copyOf(slow, slowCount * 2);
            }
            slow[slowCount++] = target;
        }
    }

    private void flushSlow()
    {
        for (int i = 0; i < slowCount; i++)
        {
            final ClientSession session = slow[i];
            slow[i] = null;
            slowConsumerHandler.onSlowConsumer(session);
        }
        slowCount = 0;
    }
}
