package io.msgc.wire;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The fixed 8-byte header that starts every frame, little-endian:
 * <pre>
 *   0  int32  frame length, header included
 *   4  uint8  protocol version
 *   5  uint8  frame type ({@link FrameType})
 *   6  uint16 flags (type specific, 0 unless stated)
 * </pre>
 */
public final class FrameHeader
{
    /** Protocol version spoken by this build. */
    public static final int VERSION = 2;
    /** Bytes in the header. */
    public static final int LENGTH = 8;
    /** Offset of the frame length field. */
    public static final int LENGTH_OFFSET = 0;
    /** Offset of the version field. */
    public static final int VERSION_OFFSET = 4;
    /** Offset of the type field. */
    public static final int TYPE_OFFSET = 5;
    /** Offset of the flags field. */
    public static final int FLAGS_OFFSET = 6;

    private FrameHeader()
    {
    }

    /**
     * Write a header.
     *
     * @param buffer      destination.
     * @param offset      where the frame starts.
     * @param frameLength total frame length, header included.
     * @param type        frame type.
     * @param flags       type specific flags.
     */
    public static void write(
        final MutableDirectBuffer buffer, final int offset, final int frameLength, final int type, final int flags)
    {
        buffer.putInt(offset + LENGTH_OFFSET, frameLength, LITTLE_ENDIAN);
        buffer.putByte(offset + VERSION_OFFSET, (byte)VERSION);
        buffer.putByte(offset + TYPE_OFFSET, (byte)type);
        buffer.putShort(offset + FLAGS_OFFSET, (short)flags, LITTLE_ENDIAN);
    }

    /**
     * @param buffer holding the frame.
     * @param offset where the frame starts.
     * @return the frame length field.
     */
    public static int frameLength(final DirectBuffer buffer, final int offset)
    {
        return buffer.getInt(offset + LENGTH_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @param buffer holding the frame.
     * @param offset where the frame starts.
     * @return the version field.
     */
    public static int version(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + VERSION_OFFSET) & 0xFF;
    }

    /**
     * @param buffer holding the frame.
     * @param offset where the frame starts.
     * @return the type field.
     */
    public static int type(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + TYPE_OFFSET) & 0xFF;
    }

    /**
     * Rewrite the type of an encoded frame in place.
     *
     * @param buffer holding the frame.
     * @param offset where the frame starts.
     * @param type   the new type.
     */
    public static void type(final MutableDirectBuffer buffer, final int offset, final int type)
    {
        buffer.putByte(offset + TYPE_OFFSET, (byte)type);
    }

    /**
     * @param buffer holding the frame.
     * @param offset where the frame starts.
     * @return the flags field.
     */
    public static int flags(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + FLAGS_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
    }

    /**
     * The correlation id of a client request (DATA, JOIN, LEAVE all carry it as the int64 right after the header),
     * for an ERROR about a frame that may not even decode.
     *
     * @param buffer holding the frame.
     * @param offset where the frame starts.
     * @param length frame length.
     * @return the correlation id, 0 when the frame is too short to hold one.
     */
    public static long correlation(final DirectBuffer buffer, final int offset, final int length)
    {
        return length >= LENGTH + 8 ? buffer.getLong(offset + LENGTH, LITTLE_ENDIAN) : 0;
    }
}
