package io.msgc.wire;

import org.agrona.MutableDirectBuffer;

/**
 * JOIN and LEAVE: a client joins or leaves one group.
 * <pre>
 *   8  uint8 group length, group name
 * </pre>
 */
public final class GroupOpFrame extends FrameDecoder
{
    private static final int GROUP_OFFSET = 8;

    /**
     * Encode a JOIN or LEAVE.
     *
     * @param buffer destination.
     * @param offset where the frame starts.
     * @param type   {@link FrameType#JOIN} or {@link FrameType#LEAVE}.
     * @param group  group name.
     * @return frame length.
     */
    public static int encode(final MutableDirectBuffer buffer, final int offset, final int type, final String group)
    {
        final int length = GROUP_OFFSET + 1 + group.length();
        FrameHeader.write(buffer, offset, length, type, 0);
        buffer.putByte(offset + GROUP_OFFSET, (byte)group.length());
        buffer.putStringWithoutLengthAscii(offset + GROUP_OFFSET + 1, group);
        return length;
    }

    /** {@inheritDoc} */
    protected String validate()
    {
        final int groupLength = shortStringLength(offset + GROUP_OFFSET);
        if (groupLength < 0 || GROUP_OFFSET + 1 + groupLength != length)
        {
            return FrameType.name(FrameHeader.type(buffer, offset)) + " group length does not match the frame length";
        }
        if (!NameRules.isJoinableGroup(buffer, groupOffset(), groupLength))
        {
            return "bad group name '" + group() + "': 1-127 printable ASCII characters, not starting with '#'";
        }
        return null;
    }

    /**
     * @return offset of the group name bytes.
     */
    public int groupOffset()
    {
        return offset + GROUP_OFFSET + 1;
    }

    /**
     * @return length of the group name.
     */
    public int groupLength()
    {
        return buffer.getByte(offset + GROUP_OFFSET) & 0xFF;
    }

    /**
     * @return the group name (allocates).
     */
    public String group()
    {
        return shortString(offset + GROUP_OFFSET);
    }
}
