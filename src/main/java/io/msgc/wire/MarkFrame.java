package io.msgc.wire;

import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * MARK, FLUSH_MARK and VIEW_START: the markers a node puts in its own stream.
 * <pre>
 *   8  int64  stream position
 *  16  int64  MARK: the highest membership event index the sender has seen in this view; every later frame of
 *             the sender comes after those events. FLUSH_MARK: the view this frame ends. VIEW_START: the view
 *             the sender's next frames belong to.
 * </pre>
 */
public final class MarkFrame extends FrameDecoder
{
    /** Length of every marker frame. */
    public static final int LENGTH = 24;
    private static final int VALUE_OFFSET = 16;

    /**
     * @param buffer destination.
     * @param offset where the frame starts.
     * @param type   {@link FrameType#MARK}, {@link FrameType#FLUSH_MARK} or {@link FrameType#VIEW_START}.
     * @param seq    stream position.
     * @param value  event index or view id.
     * @return frame length.
     */
    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final int type, final long seq, final long value)
    {
        FrameHeader.write(buffer, offset, LENGTH, type, 0);
        buffer.putLong(offset + StreamFrame.SEQ_OFFSET, seq, LITTLE_ENDIAN);
        buffer.putLong(offset + VALUE_OFFSET, value, LITTLE_ENDIAN);
        return LENGTH;
    }

    /** {@inheritDoc} */
    protected String validate()
    {
        return length == LENGTH ? null :
            FrameType.name(FrameHeader.type(buffer, offset)) + " must be " + LENGTH + " bytes, got " + length;
    }

    /**
     * @return stream position.
     */
    public long seq()
    {
        return StreamFrame.seq(buffer, offset);
    }

    /**
     * @return the event index (MARK) or the view id (FLUSH_MARK, VIEW_START).
     */
    public long value()
    {
        return buffer.getLong(offset + VALUE_OFFSET, LITTLE_ENDIAN);
    }
}
