package io.msgc.wire;

import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * MEMBER_SYNC: peer to peer, one change of the sending node's local group membership. After a link comes up
 * each side sends {@code RESET}, one {@code JOIN} per (group, local member), then {@code DONE}; after that,
 * deltas. A node has interest in a group exactly when it has at least one member in it.
 * <pre>
 *   8  uint8  op (1 RESET, 2 JOIN, 3 LEAVE, 4 DISCONNECT, 5 DONE)
 *   9  uint8  reserved
 *  10  uint16 reserved
 *  12  int64  event id (Lamport clock of the origin node, shifted left 16, or-ed with its node index)
 *  20  uint8  group length, group     (empty for RESET and DONE)
 *  ..  uint8  member length, private name of the member (empty for RESET and DONE)
 * </pre>
 */
public final class MemberSyncFrame extends FrameDecoder
{
    /** Forget everything known about the sender's members; a full state follows. */
    public static final int OP_RESET = 1;
    /** A member of the sender joined a group. */
    public static final int OP_JOIN = 2;
    /** A member of the sender left a group. */
    public static final int OP_LEAVE = 3;
    /** A member of the sender disconnected (leaves every group). */
    public static final int OP_DISCONNECT = 4;
    /** The full state that followed RESET is complete. */
    public static final int OP_DONE = 5;

    private static final int OP_OFFSET = 8;
    private static final int EVENT_ID_OFFSET = 12;
    private static final int GROUP_OFFSET = 20;

    /**
     * Encode a MEMBER_SYNC.
     *
     * @param buffer  destination.
     * @param offset  where the frame starts.
     * @param op      op code.
     * @param eventId origin event id.
     * @param group   group name or "".
     * @param member  private name or "".
     * @return frame length.
     */
    public static int encode(
        final MutableDirectBuffer buffer,
        final int offset,
        final int op,
        final long eventId,
        final String group,
        final String member)
    {
        buffer.putByte(offset + OP_OFFSET, (byte)op);
        buffer.putByte(offset + OP_OFFSET + 1, (byte)0);
        buffer.putShort(offset + OP_OFFSET + 2, (short)0, LITTLE_ENDIAN);
        buffer.putLong(offset + EVENT_ID_OFFSET, eventId, LITTLE_ENDIAN);
        int at = MembershipFrame.putName(buffer, offset + GROUP_OFFSET, group);
        at = MembershipFrame.putName(buffer, at, member);
        FrameHeader.write(buffer, offset, at - offset, FrameType.MEMBER_SYNC, 0);
        return at - offset;
    }

    /** {@inheritDoc} */
    protected String validate()
    {
        if (length < GROUP_OFFSET + 2)
        {
            return "MEMBER_SYNC too short";
        }
        final int op = op();
        if (op < OP_RESET || op > OP_DONE)
        {
            return "MEMBER_SYNC has unknown op " + op;
        }
        final int groupLength = shortStringLength(offset + GROUP_OFFSET);
        if (groupLength < 0)
        {
            return "MEMBER_SYNC group runs past the frame end";
        }
        final int memberAt = offset + GROUP_OFFSET + 1 + groupLength;
        final int memberLength = shortStringLength(memberAt);
        if (memberLength < 0 || memberAt + 1 + memberLength != end())
        {
            return "MEMBER_SYNC member length does not match the frame length";
        }
        return null;
    }

    /**
     * @return op code.
     */
    public int op()
    {
        return buffer.getByte(offset + OP_OFFSET) & 0xFF;
    }

    /**
     * @return origin event id.
     */
    public long eventId()
    {
        return buffer.getLong(offset + EVENT_ID_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return group name (allocates; membership changes are not the data path).
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
