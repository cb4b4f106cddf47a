package io.msgc.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * What every frame of a node's stream has in common. A node's stream is the sequence of frames it originates
 * towards its peers, numbered by one counter per incarnation: DATA, MARK, FLUSH_MARK, VIEW_START, EVENT and
 * EVENT_REQUEST. Each carries its number (the stream position) as the int64 right after the header, so a
 * receiver can tell what it holds, a link can resume where it broke, and a survivor can hand a failed node's
 * frames to another survivor as they are. Header flags on a peer link:
 * <pre>
 *   0x0001  SUBMIT     DATA for the sequencer to order (AGREED, SAFE, CAUSAL from a node that is not it)
 *   0x0002  ORDERED    DATA the sequencer put in its stream for a member of another node
 *   0x0004  RECOVERED  a failed node's frame retransmitted by a survivor during a view change
 *   0x3F00  origin     the failed node's index, with RECOVERED
 * </pre>
 * Clients ignore the flags of the DATA frames they receive.
 */
public final class StreamFrame
{
    /** Offset of the stream position in every stream frame. */
    public static final int SEQ_OFFSET = FrameHeader.LENGTH;
    /** DATA for the sequencer to order. */
    public static final int FLAG_SUBMIT = 0x0001;
    /** DATA the sequencer put in its stream for a member of another node. */
    public static final int FLAG_ORDERED = 0x0002;
    /** A failed node's frame retransmitted by a survivor. */
    public static final int FLAG_RECOVERED = 0x0004;
    private static final int ORIGIN_SHIFT = 8;
    private static final int ORIGIN_MASK = 0x3F;

    private StreamFrame()
    {
    }

    /**
     * @param type a frame type.
     * @return true for the types that are part of a node's stream.
     */
    public static boolean isStreamType(final int type)
    {
        switch (type)
        {
            case FrameType.DATA:
            case FrameType.MARK:
            case FrameType.FLUSH_MARK:
            case FrameType.VIEW_START:
            case FrameType.EVENT:
            case FrameType.EVENT_REQUEST:
                return true;
            default:
                return false;
        }
    }

    /**
     * @param buffer holding the frame.
     * @param offset where the frame starts.
     * @return its stream position.
     */
    public static long seq(final DirectBuffer buffer, final int offset)
    {
        return buffer.getLong(offset + SEQ_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @param buffer holding the frame.
     * @param offset where the frame starts.
     * @param seq    its stream position.
     */
    public static void seq(final MutableDirectBuffer buffer, final int offset, final long seq)
    {
        buffer.putLong(offset + SEQ_OFFSET, seq, LITTLE_ENDIAN);
    }

    /**
     * Mark a frame as a failed node's, retransmitted.
     *
     * @param buffer holding the frame.
     * @param offset where the frame starts.
     * @param origin the failed node's index.
     */
    public static void markRecovered(final MutableDirectBuffer buffer, final int offset, final int origin)
    {
        final int flags = FrameHeader.flags(buffer, offset) & ~(ORIGIN_MASK << ORIGIN_SHIFT);
        buffer.putShort(offset + FrameHeader.FLAGS_OFFSET,
            (short)(flags | FLAG_RECOVERED | (origin << ORIGIN_SHIFT)), LITTLE_ENDIAN);
    }

    /**
     * Clear the RECOVERED flag and origin, so the frame reads as its origin wrote it.
     *
     * @param buffer holding the frame.
     * @param offset where the frame starts.
     */
    public static void clearRecovered(final MutableDirectBuffer buffer, final int offset)
    {
        final int flags = FrameHeader.flags(buffer, offset) & ~(FLAG_RECOVERED | (ORIGIN_MASK << ORIGIN_SHIFT));
        buffer.putShort(offset + FrameHeader.FLAGS_OFFSET, (short)flags, LITTLE_ENDIAN);
    }

    /**
     * @param buffer holding the frame.
     * @param offset where the frame starts.
     * @return true when the frame is a failed node's, retransmitted.
     */
    public static boolean isRecovered(final DirectBuffer buffer, final int offset)
    {
        return (FrameHeader.flags(buffer, offset) & FLAG_RECOVERED) != 0;
    }

    /**
     * @param buffer holding a RECOVERED frame.
     * @param offset where the frame starts.
     * @return the failed node's index.
     */
    public static int recoveredOrigin(final DirectBuffer buffer, final int offset)
    {
        return (FrameHeader.flags(buffer, offset) >> ORIGIN_SHIFT) & ORIGIN_MASK;
    }

    /**
     * @param buffer holding a DATA frame.
     * @param offset where the frame starts.
     * @return true when the frame asks the sequencer to order it.
     */
    public static boolean isSubmit(final DirectBuffer buffer, final int offset)
    {
        return (FrameHeader.flags(buffer, offset) & FLAG_SUBMIT) != 0;
    }

    /**
     * @param buffer holding a DATA frame.
     * @param offset where the frame starts.
     * @return true when the sequencer put it in its stream for a member of another node.
     */
    public static boolean isOrdered(final DirectBuffer buffer, final int offset)
    {
        return (FrameHeader.flags(buffer, offset) & FLAG_ORDERED) != 0;
    }

    /**
     * @param buffer holding a DATA frame.
     * @param offset where the frame starts.
     * @param submit true to ask the sequencer to order it, false to clear SUBMIT and ORDERED.
     */
    public static void submit(final MutableDirectBuffer buffer, final int offset, final boolean submit)
    {
        final int flags = FrameHeader.flags(buffer, offset) & ~(FLAG_SUBMIT | FLAG_ORDERED);
        buffer.putShort(offset + FrameHeader.FLAGS_OFFSET, (short)(submit ? flags | FLAG_SUBMIT : flags), LITTLE_ENDIAN);
    }

    /**
     * Mark the sequencer's copy of a submitted frame.
     *
     * @param buffer holding a DATA frame.
     * @param offset where the frame starts.
     */
    public static void ordered(final MutableDirectBuffer buffer, final int offset)
    {
        final int flags = FrameHeader.flags(buffer, offset) & ~FLAG_SUBMIT;
        buffer.putShort(offset + FrameHeader.FLAGS_OFFSET, (short)(flags | FLAG_ORDERED), LITTLE_ENDIAN);
    }
}
