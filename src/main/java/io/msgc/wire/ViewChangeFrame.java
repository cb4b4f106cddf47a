package io.msgc.wire;

import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * PROPOSE, FLUSH_OK, RECOVER_DONE, STATE_DONE, VIEW_NACK and VIEW_REQUEST: the frames of a view change, one layout.
 * <pre>
 *   8  int64  proposal: the id of the view being formed (VIEW_REQUEST: 0)
 *  16  int64  nodes: PROPOSE the proposed members; FLUSH_OK and VIEW_REQUEST the nodes the sender reaches
 *  24  int64  FLUSH_OK: the sender's installed (old) view id; VIEW_NACK: the highest view id the sender knows
 *  32  int32  count of the vector below
 *  36  int32  FLUSH_OK: the sender's held event (as in LINK_STATE), frozen at its FLUSH_MARK; else 0
 *  40  count x int64: FLUSH_OK: for each node index, the highest stream position of that node the sender holds
 *      in its old view, then one more: the highest position of the sequencer's stream the sender knows every member
 *      of the old view has processed (so SAFE messages up to there were safe in it);
 *      RECOVER_DONE: how many of the sender's AGREED/SAFE/CAUSAL messages it saw in the sequencer's stream
 * </pre>
 */
public final class ViewChangeFrame extends FrameDecoder
{
    private static final int PROPOSAL_OFFSET = 8;
    private static final int NODES_OFFSET = 16;
    private static final int VALUE_OFFSET = 24;
    private static final int COUNT_OFFSET = 32;
    private static final int HELD_EVENT_OFFSET = 36;
    private static final int VECTOR_OFFSET = 40;

    /**
     * @param buffer   destination.
     * @param offset   where the frame starts.
     * @param type     one of the view-change types.
     * @param proposal view id being formed.
     * @param nodes    node mask.
     * @param value    old view id or highest known view id.
     * @param held     FLUSH_OK: the sender's held event; else 0.
     * @param vector   per node values, or null.
     * @param count    entries of {@code vector} to send.
     * @return frame length.
     */
    public static int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final int type,
        final long proposal,
        final long nodes,
        final long value,
        final int held,
        final long[] vector,
        final int count)
    {
        buffer.putLong(offset + PROPOSAL_OFFSET, proposal, LITTLE_ENDIAN);
        buffer.putLong(offset + NODES_OFFSET, nodes, LITTLE_ENDIAN);
        buffer.putLong(offset + VALUE_OFFSET, value, LITTLE_ENDIAN);
        buffer.putInt(offset + COUNT_OFFSET, count, LITTLE_ENDIAN);
        buffer.putInt(offset + HELD_EVENT_OFFSET, held, LITTLE_ENDIAN);
        for (int i = 0; i < count; i++)
        {
            buffer.putLong(offset + VECTOR_OFFSET + i * 8, vector[i], LITTLE_ENDIAN);
        }
        final int length = VECTOR_OFFSET + count * 8;
        FrameHeader.write(buffer, offset, length, type, 0);
        return length;
    }

    /** {@inheritDoc} */
    protected String validate()
    {
        if (length < VECTOR_OFFSET)
        {
            return FrameType.name(FrameHeader.type(buffer, offset)) + " too short";
        }
        final int count = count();
        if (count < 0 || count > LinkStateFrame.MAX_NODES + 1 || VECTOR_OFFSET + count * 8 != length)
        {
            return FrameType.name(FrameHeader.type(buffer, offset)) + " vector of " + count +
                " does not match the frame length";
        }
        return null;
    }

    /**
     * @return FLUSH_OK: the event index of the sender's old view through which it held every other member's stream
     *         as received from that member, when it started the flush.
     */
    public int heldEvent()
    {
        return buffer.getInt(offset + HELD_EVENT_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return the id of the view being formed.
     */
    public long proposal()
    {
        return buffer.getLong(offset + PROPOSAL_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return the node mask.
     */
    public long nodes()
    {
        return buffer.getLong(offset + NODES_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return old view id (FLUSH_OK) or highest known view id (VIEW_NACK).
     */
    public long value()
    {
        return buffer.getLong(offset + VALUE_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return entries in the vector.
     */
    public int count()
    {
        return buffer.getInt(offset + COUNT_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @param i an index below {@link #count()}.
     * @return that entry.
     */
    public long vector(final int i)
    {
        return buffer.getLong(offset + VECTOR_OFFSET + i * 8, LITTLE_ENDIAN);
    }
}
