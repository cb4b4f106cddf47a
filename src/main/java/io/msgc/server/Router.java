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
    /** {@link #route} also delivers to local members. */
    private static final int DELIVER = 1;
    /** {@link #route} also looks for a local member without room ({@link #blocker}). */
    private static final int CHECK = 2;

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
    private ClientSession blocked;

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
        else if (sameBytes(sender.memberIdBytes, buffer, data.senderOffset(), senderLength))
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
     * @param frame  the frame.
     * @param offset frame start.
     * @param length frame length.
     * @return the other nodes with members in a destination (where a local member's message must go).
     */
    long deliver(final ClientSession sender, final DirectBuffer frame, final int offset, final int length)
    {
        data.wrap(frame, offset, length);
        final int service = data.service();
        final long nodes = route(frame, DELIVER, skip(sender, frame, service), ServiceType.isUnreliable(service),
            offset, length);
        flushSlow();
        return nodes;
    }

    /**
     * @param frame  a DATA frame.
     * @param offset frame start.
     * @param length frame length.
     * @return the other nodes with members in a destination, without delivering.
     */
    long route(final DirectBuffer frame, final int offset, final int length)
    {
        data.wrap(frame, offset, length);
        return route(frame, ROUTE, null, false, offset, length);
    }

    /**
     * Flow control: find a local member that a reliable frame would reach and whose buffer cannot take it now.
     *
     * @param sender the local sender when known, else null.
     * @param frame  a DATA frame.
     * @param offset frame start.
     * @param length frame length.
     * @return that member, or null (also for an UNRELIABLE frame, which is dropped per member instead).
     */
    ClientSession blocker(final ClientSession sender, final DirectBuffer frame, final int offset, final int length)
    {
        data.wrap(frame, offset, length);
        final int service = data.service();
        if (ServiceType.isUnreliable(service))
        {
            return null;
        }
        blocked = null;
        route(frame, CHECK, skip(sender, frame, service), false, offset, length);
        final ClientSession found = blocked;
        blocked = null;
        return found;
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
        if (split < 0 || !DataFrame.senderIsOn(frame, data.offset(), nodeNames.bytes(selfIndex)))
        {
            return null;
        }
        return sessions.find(frame, at + 1, split - 1);
    }

    private long route(
        final DirectBuffer frame,
        final int mode,
        final ClientSession skip,
        final boolean unreliable,
        final int frameOffset,
        final int frameLength)
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
                    if (mode != ROUTE && target != null && target != skip)
                    {
                        reach(mode, target, stamp, unreliable, frame, frameOffset, frameLength);
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
                    if (mode != ROUTE)
                    {
                        final ClientSession[] local = group.local;
                        for (int j = 0, m = group.localCount; j < m; j++)
                        {
                            final ClientSession target = local[j];
                            if (target != skip)
                            {
                                reach(mode, target, stamp, unreliable, frame, frameOffset, frameLength);
                            }
                        }
                    }
                    nodes |= group.routeMask;
                }
            }
        }
        return nodes & ~(1L << selfIndex);
    }


    private void reach(
        final int mode,
        final ClientSession target,
        final long stamp,
        final boolean unreliable,
        final DirectBuffer frame,
        final int offset,
        final int length)
    {
        if (mode == DELIVER)
        {
            deliver(target, stamp, unreliable, frame, offset, length);
        }
        else if (blocked == null && !target.closing && target.out.pendingBytes() + length > dataLimit(target))
        {
            blocked = target;
        }
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
        final long stamp,
        final boolean unreliable,
        final DirectBuffer frame,
        final int offset,
        final int length)
    {
        if (target.deliveryStamp == stamp || target.closing)
        {
            return;
        }
        target.deliveryStamp = stamp;
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

    private static boolean sameBytes(final byte[] bytes, final DirectBuffer buffer, final int offset, final int length)
    {
        if (bytes.length != length)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            if (bytes[i] != buffer.getByte(offset + i))
            {
                return false;
            }
        }
        return true;
    }
}
