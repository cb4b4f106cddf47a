package io.msgc.wire;

import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * EVENT and EVENT_REQUEST: one change of a group's membership. A node asks the sequencer to order its local
 * member's join, leave or disconnect with EVENT_REQUEST; the sequencer puts it in its stream as EVENT with the
 * next event index of the view, and every node applies events in that order.
 * <pre>
 *   8  int64  stream position
 *  16  int64  event index in the view (0 in a request)
 *  24  uint8  op: 1 JOIN, 2 LEAVE, 3 DISCONNECT (leaves every group; the group is empty)
 *  25  uint8  the member's node index
 *  26  uint16 reserved, 0
 *  28  uint8  group length, group name
 *  ..  uint8  private name length, the member's private name
 * </pre>
 */
public final class EventFrame extends FrameDecoder
{
    /** A member joins a group. */
    public static final int OP_JOIN = 1;
    /** A member leaves a group. */
    public static final int OP_LEAVE = 2;
    /** A member's connection closed: it leaves every group. */
    public static final int OP_DISCONNECT = 3;

    private static final int INDEX_OFFSET = 16;
    private static final int OP_OFFSET = 24;
    private static final int NODE_OFFSET = 25;
    private static final int GROUP_OFFSET = 28;

    /**
     * @param group  group name or "".
     * @param member private name.
     * @return the encoded length.
     */
    public static int length(final String group, final String member)
    {
        return GROUP_OFFSET + 2 + group.length() + member.length();
    }

    /**
     * @param buffer destination.
     * @param offset where the frame starts.
     * @param type   {@link FrameType#EVENT} or {@link FrameType#EVENT_REQUEST}.
     * @param seq    stream position.
     * @param index  event index, 0 in a request.
     * @param op     op code.
     * @param node   the member's node index.
     * @param group  group name, "" for DISCONNECT.
     * @param member the member's private name.
     * @return frame length.
     */
    public static int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final int type,
        final long seq,
        final long index,
        final int op,
        final int node,
        final String group,
        final String member)
    {
        buffer.putLong(offset + StreamFrame.SEQ_OFFSET, seq, LITTLE_ENDIAN);
        buffer.putLong(offset + INDEX_OFFSET, index, LITTLE_ENDIAN);
        buffer.putByte(offset + OP_OFFSET, (byte)op);
        buffer.putByte(offset + NODE_OFFSET, (byte)node);
        buffer.putShort(offset + NODE_OFFSET + 1, (short)0, LITTLE_ENDIAN);
        int at = MembershipFrame.putName(buffer, offset + GROUP_OFFSET, group);
        at = MembershipFrame.putName(buffer, at, member);
        FrameHeader.write(buffer, offset, at - offset, type, 0);
        return at - offset;
    }

    /** {@inheritDoc} */
    protected String validate()
    {
        if (length < GROUP_OFFSET + 2)
        {
            return "EVENT too short";
        }
        final int op = op();
        if (op < OP_JOIN || op > OP_DISCONNECT)
        {
            return "EVENT has unknown op " + op;
        }
        final int groupLength = shortStringLength(offset + GROUP_OFFSET);
        final int memberAt = offset + GROUP_OFFSET + 1 + Math.max(groupLength, 0);
        final int memberLength = groupLength < 0 ? -1 : shortStringLength(memberAt);
        if (memberLength < 0 || memberAt + 1 + memberLength != end())
        {
            return "EVENT names do not match the frame length";
        }
        if (!NameRules.isPrivateName(buffer, memberAt + 1, memberLength))
        {
            return "EVENT has a bad private name";
        }
        if (op == OP_DISCONNECT ? groupLength != 0 :
            !NameRules.isJoinableGroup(buffer, offset + GROUP_OFFSET + 1, groupLength))
        {
            return "EVENT has a bad group name";
        }
        return null;
    }

    /**
     * @return stream position.
     */
    public long seq()
    {
        return StreamFrame.seq(buffer, offset);
    }

    /**
     * @return event index in the view.
     */
    public long index()
    {
        return buffer.getLong(offset + INDEX_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @param buffer holding an encoded EVENT.
     * @param offset where the frame starts.
     * @param index  the event index to write (the sequencer turns a request into an event in place).
     */
    public static void index(final MutableDirectBuffer buffer, final int offset, final long index)
    {
        buffer.putLong(offset + INDEX_OFFSET, index, LITTLE_ENDIAN);
    }

    /**
     * @return op code.
     */
    public int op()
    {
        return buffer.getByte(offset + OP_OFFSET) & 0xFF;
    }

    /**
     * @return the member's node index.
     */
    public int node()
    {
        return buffer.getByte(offset + NODE_OFFSET) & 0xFF;
    }

    /**
     * @return group name (allocates), "" for DISCONNECT.
     */
    public String group()
    {
        return shortString(offset + GROUP_OFFSET);
    }

    /**
     * @return the member's private name (allocates).
     */
    public String member()
    {
        return shortString(offset + GROUP_OFFSET + 1 + (buffer.getByte(offset + GROUP_OFFSET) & 0xFF));
    }
}
