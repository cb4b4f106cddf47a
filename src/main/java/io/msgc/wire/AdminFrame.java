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
    private static final int TEXT_OFFSET = 8;

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
