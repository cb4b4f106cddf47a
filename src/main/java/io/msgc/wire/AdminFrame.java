package io.msgc.wire;

import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * ADMIN_REQUEST and ADMIN_RESPONSE: the operator console. Both carry text after the header:
 * the request a command word ({@code peers}, {@code groups}, {@code stats}), the response the answer,
 * one line per row.
 */
public final class AdminFrame extends FrameDecoder
{
    /** Where the text starts: right after the header. */
    public static final int TEXT_OFFSET = 8;
    /**
     * Header flag of an ADMIN_RESPONSE: more frames of the same answer follow. An answer longer than
     * {@code max_frame_size} is split; the reader concatenates the texts up to the frame without this flag.
     */
    public static final int FLAG_MORE = 1;

    /**
     * Encode an admin frame.
     *
     * @param buffer destination.
     * @param offset where the frame starts.
     * @param type   {@link FrameType#ADMIN_REQUEST} or {@link FrameType#ADMIN_RESPONSE}.
     * @param text   the text.
     * @return frame length.
     */
    public static int encode(final MutableDirectBuffer buffer, final int offset, final int type, final String text)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        buffer.putBytes(offset + TEXT_OFFSET, bytes);
        final int length = TEXT_OFFSET + bytes.length;
        FrameHeader.write(buffer, offset, length, type, 0);
        return length;
    }

    /**
     * Encode an admin frame carrying a slice of ASCII text bytes.
     *
     * @param buffer destination.
     * @param offset where the frame starts.
     * @param type   {@link FrameType#ADMIN_REQUEST} or {@link FrameType#ADMIN_RESPONSE}.
     * @param flags  0, or {@link #FLAG_MORE}.
     * @param text   ASCII text.
     * @param from   first byte of the slice.
     * @param count  bytes in the slice.
     * @return frame length.
     */
    public static int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final int type,
        final int flags,
        final byte[] text,
        final int from,
        final int count)
    {
        buffer.putBytes(offset + TEXT_OFFSET, text, from, count);
        final int length = TEXT_OFFSET + count;
        FrameHeader.write(buffer, offset, length, type, flags);
        return length;
    }

    /**
     * @return true when more frames of this answer follow ({@link #FLAG_MORE}).
     */
    public boolean more()
    {
        return (FrameHeader.flags(buffer, offset) & FLAG_MORE) != 0;
    }

    /** {@inheritDoc} */
    protected String validate()
    {
        return null;
    }

    /**
     * @return the text.
     */
    public String text()
    {
        return buffer.getStringWithoutLengthAscii(offset + TEXT_OFFSET, length - TEXT_OFFSET);
    }
}
