package io.msgc.wire;

import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * REJECT and ERROR share one layout: a code and a reason text.
 * <pre>
 *   8  int64  correlation id of the client frame the ERROR is about (0 when none, and in REJECT)
 *  16  uint16 code ({@link ErrorCode})
 *  18  uint16 reason length, reason (ASCII)
 * </pre>
 */
public final class ReasonFrame extends FrameDecoder
{
    private static final int CORRELATION_OFFSET = 8;
    private static final int CODE_OFFSET = 16;
    private static final int REASON_OFFSET = 18;
    /** Longest reason text; longer ones are cut. */
    public static final int MAX_REASON = 1024;

    /**
     * Encode a REJECT or ERROR.
     *
     * @param buffer destination.
     * @param offset where the frame starts.
     * @param type   {@link FrameType#REJECT} or {@link FrameType#ERROR}.
     * @param code   error code.
     * @param reason text; non-ASCII characters become '?'.
     * @return frame length.
     */
    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final int type, final int code, final String reason)
    {
        return encode(buffer, offset, type, 0, code, reason);
    }

    /**
     * Encode an ERROR about one client frame.
     *
     * @param buffer      destination.
     * @param offset      where the frame starts.
     * @param type        {@link FrameType#REJECT} or {@link FrameType#ERROR}.
     * @param correlation the correlation id of the frame the error is about.
     * @param code        error code.
     * @param reason      text; non-ASCII characters become '?'.
     * @return frame length.
     */
    public static int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final int type,
        final long correlation,
        final int code,
        final String reason)
    {
        final int reasonLength = Math.min(reason.length(), MAX_REASON);
        final int length = REASON_OFFSET + 2 + reasonLength;
        FrameHeader.write(buffer, offset, length, type, 0);
        buffer.putLong(offset + CORRELATION_OFFSET, correlation, LITTLE_ENDIAN);
        buffer.putShort(offset + CODE_OFFSET, (short)code, LITTLE_ENDIAN);
        buffer.putShort(offset + REASON_OFFSET, (short)reasonLength, LITTLE_ENDIAN);
        for (int i = 0; i < reasonLength; i++)
        {
            final char c = reason.charAt(i);
            buffer.putByte(offset + REASON_OFFSET + 2 + i, (byte)(c < 0x80 ? c : '?'));
        }
        return length;
    }

    /** {@inheritDoc} */
    protected String validate()
    {
        if (length < REASON_OFFSET + 2)
        {
            return FrameType.name(FrameHeader.type(buffer, offset)) + " too short";
        }
        final int reasonLength = buffer.getShort(offset + REASON_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
        if (REASON_OFFSET + 2 + reasonLength != length)
        {
            return "reason length does not match the frame length";
        }
        return null;
    }

    /**
     * @return the correlation id of the client frame this ERROR is about, 0 when none.
     */
    public long correlation()
    {
        return buffer.getLong(offset + CORRELATION_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return the error code.
     */
    public int code()
    {
        return buffer.getShort(offset + CODE_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * @return the reason text.
     */
    public String reason()
    {
        return buffer.getStringWithoutLengthAscii(
            offset + REASON_OFFSET + 2, buffer.getShort(offset + REASON_OFFSET, LITTLE_ENDIAN) & 0xFFFF);
    }
}
