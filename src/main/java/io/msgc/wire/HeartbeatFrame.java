package io.msgc.wire;

import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * HEARTBEAT: keeps an idle link alive.
 * <pre>
 *   8  int64 sender's clock (epoch ms), for the operator's "last heartbeat"
 * </pre>
 */
public final class HeartbeatFrame extends FrameDecoder
{
    /** Frame length of a heartbeat. */
    public static final int LENGTH = 16;

    /**
     * Encode a HEARTBEAT.
     *
     * @param buffer destination.
     * @param offset where the frame starts.
     * @param timeMs sender clock.
     * @return frame length.
     */
    public static int encode(final MutableDirectBuffer buffer, final int offset, final long timeMs)
    {
        FrameHeader.write(buffer, offset, LENGTH, FrameType.HEARTBEAT, 0);
        buffer.putLong(offset + 8, timeMs, LITTLE_ENDIAN);
        return LENGTH;
    }

    /** {@inheritDoc} */
    protected String validate()
    {
        return length == LENGTH ? null : "HEARTBEAT must be " + LENGTH + " bytes, got " + length;
    }

    /**
     * @return sender clock in epoch ms.
     */
    public long timeMs()
    {
        return buffer.getLong(offset + 8, LITTLE_ENDIAN);
    }
}
