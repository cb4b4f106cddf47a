package io.msgc.wire;

import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * LINK_STATE: what one node tells a peer about their link and itself, sent first on every new link, then every
 * {@code heartbeat_interval_ms} and whenever stability must move on (SAFE messages waiting, a lot processed).
 * <pre>
 *   8  int64  sender's clock, epoch ms (display only)
 *  16  int64  the highest stream position the sender has sent on this connection
 *  24  int64  the highest stream position the sender holds from the addressee (this incarnation): a new
 *             connection resumes right after it
 *  32  int64  the sender's installed view id
 *  40  int64  the nodes the sender can reach now (bit n = node index n), itself included
 *  48  int32  count of the vector below (nodes in the peers list)
 *  52  int32  held event: the highest event index of the sender's installed view through which it holds every
 *             other member's stream as received from that member itself (the sequencer's EVENT, each other
 *             member's MARK or FLUSH_MARK), so it has no hole before that event; frozen from the sender's
 *             FLUSH_MARK to the end of the view
 *  56  count x int64: for each node index, the highest stream position of that node the sender has processed
 *      in its installed view (0 when none): a frame every member has processed is stable
 * </pre>
 */
public final class LinkStateFrame extends FrameDecoder
{
    /** Most nodes in a peers list. */
    public static final int MAX_NODES = 64;
    private static final int TIME_OFFSET = 8;
    private static final int SENT_OFFSET = 16;
    private static final int RECEIVED_OFFSET = 24;
    private static final int VIEW_OFFSET = 32;
    private static final int ALIVE_OFFSET = 40;
    private static final int COUNT_OFFSET = 48;
    private static final int HELD_EVENT_OFFSET = 52;
    private static final int VECTOR_OFFSET = 56;

    /**
     * @param count entries of the processed vector (nodes in the peers list).
     * @return the frame's length.
     */
    public static int length(final int count)
    {
        return VECTOR_OFFSET + count * 8;
    }

    /**
     * @param buffer     destination.
     * @param offset     where the frame starts.
     * @param timeMs     epoch ms, display only.
     * @param sent       highest stream position sent on this connection.
     * @param received   highest stream position held from the addressee.
     * @param viewId     installed view id.
     * @param alive      reachable nodes, self included.
     * @param heldEvent  the event index through which the sender holds every other member's stream.
     * @param processed  per node index, the highest stream position processed.
     * @param count      entries of {@code processed} to send.
     * @return frame length.
     */
    public static int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final long timeMs,
        final long sent,
        final long received,
        final long viewId,
        final long alive,
        final int heldEvent,
        final long[] processed,
        final int count)
    {
        buffer.putLong(offset + TIME_OFFSET, timeMs, LITTLE_ENDIAN);
        buffer.putLong(offset + SENT_OFFSET, sent, LITTLE_ENDIAN);
        buffer.putLong(offset + RECEIVED_OFFSET, received, LITTLE_ENDIAN);
        buffer.putLong(offset + VIEW_OFFSET, viewId, LITTLE_ENDIAN);
        buffer.putLong(offset + ALIVE_OFFSET, alive, LITTLE_ENDIAN);
        buffer.putInt(offset + COUNT_OFFSET, count, LITTLE_ENDIAN);
        buffer.putInt(offset + HELD_EVENT_OFFSET, heldEvent, LITTLE_ENDIAN);
        for (int i = 0; i < count; i++)
        {
            buffer.putLong(offset + VECTOR_OFFSET + i * 8, processed[i], LITTLE_ENDIAN);
        }
        final int length = length(count);
        FrameHeader.write(buffer, offset, length, FrameType.LINK_STATE, 0);
        return length;
    }

    /** {@inheritDoc} */
    protected String validate()
    {
        if (length < VECTOR_OFFSET)
        {
            return "LINK_STATE too short";
        }
        final int count = count();
        if (count < 0 || count > MAX_NODES || VECTOR_OFFSET + count * 8 != length)
        {
            return "LINK_STATE vector of " + count + " does not match the frame length";
        }
        return null;
    }

    /**
     * @return sender's epoch ms.
     */
    public long timeMs()
    {
        return buffer.getLong(offset + TIME_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return highest stream position the sender has sent on this connection.
     */
    public long sent()
    {
        return buffer.getLong(offset + SENT_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return highest stream position the sender holds from the addressee.
     */
    public long received()
    {
        return buffer.getLong(offset + RECEIVED_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return the sender's installed view id.
     */
    public long viewId()
    {
        return buffer.getLong(offset + VIEW_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return nodes the sender reaches, itself included.
     */
    public long alive()
    {
        return buffer.getLong(offset + ALIVE_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return the event index of the sender's view through which it holds every other member's stream as received
     *         from that member.
     */
    public int heldEvent()
    {
        return buffer.getInt(offset + HELD_EVENT_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return entries in the processed vector.
     */
    public int count()
    {
        return buffer.getInt(offset + COUNT_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @param node a node index below {@link #count()}.
     * @return the highest stream position of that node the sender has processed.
     */
    public long processed(final int node)
    {
        return buffer.getLong(offset + VECTOR_OFFSET + node * 8, LITTLE_ENDIAN);
    }
}
