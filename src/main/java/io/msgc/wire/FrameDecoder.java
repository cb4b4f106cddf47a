package io.msgc.wire;

import org.agrona.DirectBuffer;

/**
 * Base of the frame flyweights: a view over one complete frame in a buffer, validated field by field.
 * {@link #wrap} returns {@code null} when the frame is well formed, else the reason, so that a bad
 * frame can be answered with an ERROR naming what is wrong without an exception on the hot path.
 */
public abstract class FrameDecoder
{
    /** Buffer holding the frame. */
    protected DirectBuffer buffer;
    /** Offset of the frame header. */
    protected int offset;
    /** Frame length, header included. */
    protected int length;

    /**
     * Wrap and validate one frame.
     *
     * @param buffer holding the frame.
     * @param offset of the header.
     * @param length of the frame.
     * @return null when valid, else the reason.
     */
    public final String wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return validate();
    }

    /**
     * @return null when the wrapped frame is valid, else the reason.
     */
    protected abstract String validate();

    /**
     * @return the buffer holding the frame.
     */
    public final DirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return offset of the frame header.
     */
    public final int offset()
    {
        return offset;
    }

    /**
     * @return frame length, header included.
     */
    public final int length()
    {
        return length;
    }

    /**
     * @return end offset (exclusive) of the frame.
     */
    protected final int end()
    {
        return offset + length;
    }

    /**
     * Length of a u8-prefixed string starting at {@code at}, or -1 when it runs past the frame.
     *
     * @param at offset of the length byte.
     * @return string length or -1.
     */
    protected final int shortStringLength(final int at)
    {
        if (at + 1 > end())
        {
            return -1;
        }
        final int len = buffer.getByte(at) & 0xFF;
        return at + 1 + len <= end() ? len : -1;
    }

    /**
     * Read a u8-prefixed ASCII string (allocates: handshake and admin paths only).
     *
     * @param at offset of the length byte.
     * @return the string.
     */
    protected final String shortString(final int at)
    {
        return buffer.getStringWithoutLengthAscii(at + 1, buffer.getByte(at) & 0xFF);
    }
}
