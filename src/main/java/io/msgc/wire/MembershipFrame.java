package io.msgc.wire;

import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * MEMBERSHIP: the new view of one group, server to client.
 * <pre>
 *   8  int64  view id
 *  16  uint8  cause (1 JOIN, 2 LEAVE, 3 DISCONNECT, 4 NETWORK, 5 SELF_LEAVE, 6 TRANSITIONAL)
 *  17  uint8  reserved
 *  18  uint16 reserved
 *  20  int32  member count
 *  24  int32  receiver's own index in the member list (-1 on SELF_LEAVE)
 *  28  int32  changed count (members that joined or left)
 *  32  uint8  group length, group name
 *  ..  member count x (uint8 length, member id), in node order of the peers list, then private name
 *  ..  changed count x (uint8 length, member id)
 * </pre>
 */
public final class MembershipFrame extends FrameDecoder
{
    /** A member joined. */
    public static final int CAUSE_JOIN = 1;
    /** A member left. */
    public static final int CAUSE_LEAVE = 2;
    /** A member's connection closed. */
    public static final int CAUSE_DISCONNECT = 3;
    /** The set of reachable nodes changed. */
    public static final int CAUSE_NETWORK = 4;
    /** The receiver itself left the group: no member list follows. */
    public static final int CAUSE_SELF_LEAVE = 5;
    /**
     * Nodes were lost: the members listed are those moving on together to the next regular view. Messages
     * delivered between this and the next view were sent in the previous view; SAFE among them is known to be
     * held only by these members.
     */
    public static final int CAUSE_TRANSITIONAL = 6;

    private static final int VIEW_ID_OFFSET = 8;
    private static final int CAUSE_OFFSET = 16;
    private static final int MEMBER_COUNT_OFFSET = 20;
    /** Offset of the receiver's own index, which differs per receiver of the same view. */
    public static final int MY_INDEX_OFFSET = 24;
    private static final int CHANGED_COUNT_OFFSET = 28;
    private static final int GROUP_OFFSET = 32;

    private int membersStart;
    private int changedStart;

    /**
     * @param cause a cause code.
     * @return its name.
     */
    public static String causeName(final int cause)
    {
        switch (cause)
        {
            case CAUSE_JOIN: return "JOIN";
            case CAUSE_LEAVE: return "LEAVE";
            case CAUSE_DISCONNECT: return "DISCONNECT";
            case CAUSE_NETWORK: return "NETWORK";
            case CAUSE_SELF_LEAVE: return "SELF_LEAVE";
            case CAUSE_TRANSITIONAL: return "TRANSITIONAL";
            default: return "CAUSE_" + cause;
        }
    }

    /**
     * Encode the fixed part; members and changed names follow with {@link #putName}, then {@link #finish}.
     *
     * @param buffer       destination.
     * @param offset       where the frame starts.
     * @param viewId       view id.
     * @param cause        cause code.
     * @param memberCount  members that will follow.
     * @param myIndex      receiver index or -1.
     * @param changedCount changed names that will follow the members.
     * @param group        group name.
     * @return offset where the first member name goes.
     */
    public static int encodeHead(
        final MutableDirectBuffer buffer,
        final int offset,
        final long viewId,
        final int cause,
        final int memberCount,
        final int myIndex,
        final int changedCount,
        final String group)
    {
        buffer.putLong(offset + VIEW_ID_OFFSET, viewId, LITTLE_ENDIAN);
        buffer.putByte(offset + CAUSE_OFFSET, (byte)cause);
        buffer.putByte(offset + CAUSE_OFFSET + 1, (byte)0);
        buffer.putShort(offset + CAUSE_OFFSET + 2, (short)0, LITTLE_ENDIAN);
        buffer.putInt(offset + MEMBER_COUNT_OFFSET, memberCount, LITTLE_ENDIAN);
        buffer.putInt(offset + MY_INDEX_OFFSET, myIndex, LITTLE_ENDIAN);
        buffer.putInt(offset + CHANGED_COUNT_OFFSET, changedCount, LITTLE_ENDIAN);
        return putName(buffer, offset + GROUP_OFFSET, group);
    }

    /**
     * Set the counts of a frame begun with {@link #encodeHead}, when they are known only after the names.
     *
     * @param buffer       holding the frame.
     * @param offset       where the frame starts.
     * @param memberCount  members written.
     * @param changedCount changed names written.
     */
    public static void counts(
        final MutableDirectBuffer buffer, final int offset, final int memberCount, final int changedCount)
    {
        buffer.putInt(offset + MEMBER_COUNT_OFFSET, memberCount, LITTLE_ENDIAN);
        buffer.putInt(offset + CHANGED_COUNT_OFFSET, changedCount, LITTLE_ENDIAN);
    }

    /**
     * @param groupLength length of the group name.
     * @return bytes of a MEMBERSHIP frame before its first member name.
     */
    public static int headLength(final int groupLength)
    {
        return GROUP_OFFSET + 1 + groupLength;
    }

    /**
     * @param buffer destination.
     * @param at     where the length byte goes.
     * @param name   ASCII name up to 255 chars.
     * @return offset after the name.
     */
    public static int putName(final MutableDirectBuffer buffer, final int at, final String name)
    {
        buffer.putByte(at, (byte)name.length());
        buffer.putStringWithoutLengthAscii(at + 1, name);
        return at + 1 + name.length();
    }

    /**
     * Write the header once every name is in place.
     *
     * @param buffer holding the frame.
     * @param offset where the frame starts.
     * @param end    offset after the last name.
     * @return frame length.
     */
    public static int finish(final MutableDirectBuffer buffer, final int offset, final int end)
    {
        FrameHeader.write(buffer, offset, end - offset, FrameType.MEMBERSHIP, 0);
        return end - offset;
    }

    /** {@inheritDoc} */
    protected String validate()
    {
        if (length < GROUP_OFFSET + 1)
        {
            return "MEMBERSHIP too short";
        }
        final int cause = cause();
        if (cause < CAUSE_JOIN || cause > CAUSE_TRANSITIONAL)
        {
            return "MEMBERSHIP has unknown cause " + cause;
        }
        final int members = memberCount();
        final int changed = changedCount();
        // every name takes at least its length byte: a count above the bytes left is a lie, caught before looping
        if (members < 0 || changed < 0 || (long)members + changed > length)
        {
            return "MEMBERSHIP counts " + members + " + " + changed + " do not fit a frame of " + length + " bytes";
        }
        final int myIndex = myIndex();
        if (myIndex < -1 || myIndex >= Math.max(members, 0) && myIndex != -1)
        {
            return "MEMBERSHIP own index " + myIndex + " is outside the " + members + " members";
        }
        int at = offset + GROUP_OFFSET;
        final int groupLength = shortStringLength(at);
        if (groupLength < 0)
        {
            return "MEMBERSHIP group runs past the frame end";
        }
        at += 1 + groupLength;
        membersStart = at;
        at = skipNames(at, memberCount());
        if (at < 0)
        {
            return "MEMBERSHIP member list runs past the frame end";
        }
        changedStart = at;
        at = skipNames(at, changedCount());
        if (at != end())
        {
            return "MEMBERSHIP changed list does not end at the frame end";
        }
        return null;
    }

    private int skipNames(final int start, final int count)
    {
        int at = start;
        for (int i = 0; i < count; i++)
        {
            final int len = shortStringLength(at);
            if (len < 0)
            {
                return -1;
            }
            at += 1 + len;
        }
        return at;
    }

    /**
     * @return view id.
     */
    public long viewId()
    {
        return buffer.getLong(offset + VIEW_ID_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return cause code.
     */
    public int cause()
    {
        return buffer.getByte(offset + CAUSE_OFFSET) & 0xFF;
    }

    /**
     * @return number of members.
     */
    public int memberCount()
    {
        return buffer.getInt(offset + MEMBER_COUNT_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return receiver index, -1 on self-leave.
     */
    public int myIndex()
    {
        return buffer.getInt(offset + MY_INDEX_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return number of changed members.
     */
    public int changedCount()
    {
        return buffer.getInt(offset + CHANGED_COUNT_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return group name (allocates).
     */
    public String group()
    {
        return shortString(offset + GROUP_OFFSET);
    }

    /**
     * @return member ids in view order (allocates).
     */
    public String[] members()
    {
        return names(membersStart, memberCount());
    }

    /**
     * @return member ids that joined or left (allocates).
     */
    public String[] changed()
    {
        return names(changedStart, changedCount());
    }

    private String[] names(final int start, final int count)
    {
        final String[] names = new String[count];
        int at = start;
        for (int i = 0; i < count; i++)
        {
            names[i] = shortString(at);
            at += 1 + (buffer.getByte(at) & 0xFF);
        }
        return names;
    }
}
