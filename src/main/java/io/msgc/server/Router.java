package io.msgc.server;

import io.msgc.admin.NodeCounters;
import io.msgc.wire.DataFrame;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import io.msgc.wire.NameRules;
import io.msgc.wire.ServiceType;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Routes DATA frames: to the local members of each destination group (once per member, however many of its
 * groups the message names), to local private groups, and once to each other node that has members in any
 * destination. Allocation-free: names are looked up from the frame bytes, the sender is stamped into one
 * reusable buffer, and each destination connection receives a plain byte copy.
 */
final class Router
{
    /** Headroom for the sender id the server adds to a client's frame. */
    static final int SENDER_HEADROOM = 1 + NameRules.MAX_NAME_LENGTH * 2 + 2;

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

    private final int selfIndex;
    private final PeerMesh mesh;
    private final GroupService groupService;
    private final NodeCounters counters;
    private final SlowConsumerHandler slowConsumerHandler;
    private final DataFrame data = new DataFrame();
    private final UnsafeBuffer out;
    private ClientSession[] slow = new ClientSession[16];
    private int slowCount;
    private long stamp;

    Router(
        final int selfIndex,
        final int maxFrameSize,
        final PeerMesh mesh,
        final GroupService groupService,
        final NodeCounters counters,
        final SlowConsumerHandler slowConsumerHandler)
    {
        this.selfIndex = selfIndex;
        this.mesh = mesh;
        this.groupService = groupService;
        this.counters = counters;
        this.slowConsumerHandler = slowConsumerHandler;
        out = new UnsafeBuffer(BufferUtil.allocateDirectAligned(maxFrameSize + SENDER_HEADROOM + 64, 64));
    }

    /**
     * Route a DATA frame sent by a local member.
     *
     * @return null when routed, else the reason the frame was refused.
     */
    String fromClient(final ClientSession sender, final DirectBuffer buffer, final int offset, final int length)
    {
        final String error = data.wrap(buffer, offset, length);
        if (error != null)
        {
            return error;
        }
        if (data.senderLength() != 0)
        {
            return "DATA from a client must leave the sender empty; the server fills in the member id";
        }
        counters.messagesInClient.incrementRelease();
        counters.bytesInClient.getAndAddRelease(length);
        // stamp the sender: fixed fields, then the member id, then destinations and payload unchanged
        out.putBytes(DataFrame.SERVICE_OFFSET, buffer, offset + DataFrame.SERVICE_OFFSET,
            DataFrame.SENDER_OFFSET - DataFrame.SERVICE_OFFSET);
        final int idLength = sender.memberIdBytes.length;
        out.putByte(DataFrame.SENDER_OFFSET, (byte)idLength);
        out.putBytes(DataFrame.SENDER_OFFSET + 1, sender.memberIdBytes);
        final int restStart = data.destinationsStart();
        final int restLength = offset + length - restStart;
        out.putBytes(DataFrame.SENDER_OFFSET + 1 + idLength, buffer, restStart, restLength);
        final int frameLength = DataFrame.SENDER_OFFSET + 1 + idLength + restLength;
        FrameHeader.write(out, 0, frameLength, FrameType.DATA, 0);

        final long nodes = deliverLocal(sender, buffer, out, 0, frameLength);
        if (nodes != 0)
        {
            final PeerLink[] links = mesh.links();
            for (long mask = nodes; mask != 0; mask &= mask - 1)
            {
                final PeerLink link = links[Long.numberOfTrailingZeros(mask)];
                if (link != null && link.isUp())
                {
                    mesh.send(link, out, 0, frameLength);
                    counters.messagesOutPeer.incrementRelease();
                    counters.bytesOutPeer.getAndAddRelease(frameLength);
                }
            }
        }
        return null;
    }

    /**
     * Deliver a DATA frame that a peer forwarded: local members only, the bytes unchanged.
     *
     * @return null when routed, else the reason the frame is bad.
     */
    String fromPeer(final DirectBuffer buffer, final int offset, final int length)
    {
        final String error = data.wrap(buffer, offset, length);
        if (error != null)
        {
            return error;
        }
        counters.messagesInPeer.incrementRelease();
        counters.bytesInPeer.getAndAddRelease(length);
        deliverLocal(null, buffer, buffer, offset, length);
        return null;
    }

    /**
     * Deliver to local members and collect the nodes that need a copy.
     *
     * @param sender     local sending session, or null for a forwarded frame.
     * @param names      buffer holding the destination names ({@link #data} offsets refer to it).
     * @param frame      buffer holding the frame to deliver.
     * @param frameOffset frame start.
     * @param frameLength frame length.
     * @return mask of other nodes with members in a destination.
     */
    private long deliverLocal(
        final ClientSession sender,
        final DirectBuffer names,
        final DirectBuffer frame,
        final int frameOffset,
        final int frameLength)
    {
        final long stamp = ++this.stamp;
        final int service = data.service();
        final boolean selfDiscard = ServiceType.isSelfDiscard(service);
        final boolean unreliable = ServiceType.isUnreliable(service);
        final ClientSession skip = selfDiscard ? sender : null;
        long nodes = 0;
        for (int i = 0, n = data.destinationCount(); i < n; i++)
        {
            final int at = data.destinationOffset(i);
            final int len = data.destinationLength(i);
            if (names.getByte(at) == '#')
            {
                final int split = NameRules.memberIdSplit(names, at, len);
                final int node = mesh.nodeIndex(names, at + split + 1, len - split - 1);
                if (node == selfIndex)
                {
                    final ClientSession target = groupService.sessions().find(names, at + 1, split - 1);
                    if (target != null && target != skip)
                    {
                        deliver(target, stamp, unreliable, frame, frameOffset, frameLength);
                    }
                }
                else if (node >= 0)
                {
                    nodes |= 1L << node;
                }
            }
            else
            {
                final Group group = groupService.groups().find(names, at, len);
                if (group != null)
                {
                    final ClientSession[] local = group.local;
                    for (int j = 0, m = group.localCount; j < m; j++)
                    {
                        final ClientSession target = local[j];
                        if (target != skip)
                        {
                            deliver(target, stamp, unreliable, frame, frameOffset, frameLength);
                        }
                    }
                    nodes |= group.remoteMask;
                }
            }
        }
        flushSlow();
        return sender == null ? 0 : nodes;
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
        if (unreliable && target.connection.pendingBytes() + length > target.connection.writeLimit() / 2)
        {
            target.droppedUnreliable++;
            counters.droppedUnreliable.incrementRelease();
            return;
        }
        if (target.connection.offer(frame, offset, length))
        {
            target.delivered++;
            counters.messagesOutClient.incrementRelease();
            counters.bytesOutClient.getAndAddRelease(length);
        }
        else if (unreliable)
        {
            target.droppedUnreliable++;
            counters.droppedUnreliable.incrementRelease();
        }
        else
        {
            counters.droppedSlowConsumer.incrementRelease();
            target.closing = true;
            if (slowCount == slow.length)
            {
                slow = java.util.Arrays.copyOf(slow, slowCount * 2);
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
