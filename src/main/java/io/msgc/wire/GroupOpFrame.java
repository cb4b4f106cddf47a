package io.msgc.wire;

import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * JOIN and LEAVE: a client joins or leaves one group.
 * <pre>
 *   8  int64 correlation id, chosen by the client; the server echoes it in an ERROR about this frame
 *  16  uint8 group length, group name
 * </pre>
 */
public final class GroupOpFrame extends FrameDecoder
{
    private static final int CORRELATION_OFFSET = 8;
    private static final int GROUP_OFFSET = 16;

    /**
     * @param group group name.
     * @return the encoded length of a JOIN or LEAVE for that group.
     */
    public static int length(final String group)
    {
        return GROUP_OFFSET + 1 + group.length();
    }

    /**
     * Encode a JOIN or LEAVE.
     *
     * @param buffer      destination.
     * @param offset      where the frame starts.
     * @param type        {@link FrameType#JOIN} or {@link FrameType#LEAVE}.
     * @param correlation correlation id, echoed in an ERROR.
     * @param group       group name.
     * @return frame length.
     */
    public static int encode(
        final MutableDirectBuffer buffer, final int offset, final int type, final long correlation, final String group)
    {
        final int length = length(group);
        FrameHeader.write(buffer, offset, length, type, 0);
        buffer.putLong(offset + CORRELATION_OFFSET, correlation, LITTLE_ENDIAN);
        buffer.putByte(offset + GROUP_OFFSET, (byte)group.length());
        buffer.putStringWithoutLengthAscii(offset + GROUP_OFFSET + 1, group);
        return length;
    }

    /** {@inheritDoc} */
    protected String validate()
    {
        final int groupLength = shortStringLength(offset + GROUP_OFFSET);
        if (length < GROUP_OFFSET + 1 || groupLength < 0 || GROUP_OFFSET + 1 + groupLength != length)
        {
            return FrameType.name(FrameHeader.type(buffer, offset)) + " group length does not match the frame length";
        }
        if (!NameRules.isJoinableGroup(buffer, groupOffset(), groupLength))
        {
            return "bad group name '" + NameRules.printable(buffer, groupOffset(), groupLength) +
                "': 1-127 printable ASCII characters, not starting with '#'";
        }
        return null;
    }

    /**
     * @return the client's correlation id.
     */
    public long correlation()
    {
        return buffer.getLong(offset + CORRELATION_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return offset of the group name bytes.
     */
    public int groupOffset()
    {
        return offset + GROUP_OFFSET + 1;
    }

    /**
     * @return group name length.
     */
    public int groupLength()
    {
        return buffer.getByte(offset + GROUP_OFFSET) & 0xFF;
    }

    /**
     * @return group name (allocates).
     */
    public String group()
    {
        return shortString(offset + GROUP_OFFSET);
    }
}
