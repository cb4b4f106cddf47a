package io.msgc.wire;

import org.agrona.MutableDirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * STATE: part of a node's local group members, sent to every member of a view being formed. A node with many
 * members sends several STATE frames, then STATE_DONE.
 * <pre>
 *   8  int64  proposal: the id of the view being formed
 *  16  int32  entry count
 *  20  int32  reserved, 0
 *  24  entry count x (uint8 length, group name; uint8 length, private name of a member of that group)
 * </pre>
 */
public final class StateFrame extends FrameDecoder
{
    /** Offset of the first entry. */
    public static final int ENTRIES_OFFSET = 24;
    private static final int PROPOSAL_OFFSET = 8;
    private static final int COUNT_OFFSET = 16;

    private int cursor;
    private int remaining;
    private String group;
    private String member;

    /**
     * Start a STATE frame; add entries with {@link #put}, then {@link #finish}.
     *
     * @param buffer   destination.
     * @param offset   where the frame starts.
     * @param proposal view id being formed.
     * @return offset of the first entry.
     */
    public static int begin(final MutableDirectBuffer buffer, final int offset, final long proposal)
    {
        buffer.putLong(offset + PROPOSAL_OFFSET, proposal, LITTLE_ENDIAN);
        buffer.putInt(offset + COUNT_OFFSET + 4, 0, LITTLE_ENDIAN);
        return offset + ENTRIES_OFFSET;
    }

    /**
     * @param group  group name.
     * @param member private name.
     * @return bytes one entry takes.
     */
    public static int entryLength(final String group, final String member)
    {
        return 2 + group.length() + member.length();
    }

    /**
     * @param buffer destination.
     * @param at     where the entry goes.
     * @param group  group name.
     * @param member private name.
     * @return offset after the entry.
     */
    public static int put(final MutableDirectBuffer buffer, final int at, final String group, final String member)
    {
        return MembershipFrame.putName(buffer, MembershipFrame.putName(buffer, at, group), member);
    }

    /**
     * @param buffer destination.
     * @param offset where the frame starts.
     * @param end    offset after the last entry.
     * @param count  entries written.
     * @return frame length.
     */
    public static int finish(final MutableDirectBuffer buffer, final int offset, final int end, final int count)
    {
        buffer.putInt(offset + COUNT_OFFSET, count, LITTLE_ENDIAN);
        FrameHeader.write(buffer, offset, end - offset, FrameType.STATE, 0);
        return end - offset;
    }

    /** {@inheritDoc} */
    protected String validate()
    {
        if (length < ENTRIES_OFFSET)
        {
            return "STATE too short";
        }
        final int count = count();
        if (count < 0 || count > length)
        {
            return "STATE count " + count + " does not fit the frame";
        }
        int at = offset + ENTRIES_OFFSET;
        for (int i = 0; i < count; i++)
        {
            final int groupLength = shortStringLength(at);
            if (groupLength < 0 || !NameRules.isJoinableGroup(buffer, at + 1, groupLength))
            {
                return "STATE entry " + i + " has a bad group";
            }
            at += 1 + groupLength;
            final int memberLength = shortStringLength(at);
            if (memberLength < 0 || !NameRules.isPrivateName(buffer, at + 1, memberLength))
            {
                return "STATE entry " + i + " has a bad private name";
            }
            at += 1 + memberLength;
        }
        if (at != end())
        {
            return "STATE entries do not end at the frame end";
        }
        cursor = offset + ENTRIES_OFFSET;
        remaining = count;
        return null;
    }

    /**
     * @return the id of the view being formed.
     */
    public long proposal()
    {
        return buffer.getLong(offset + PROPOSAL_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * @return entries in the frame.
     */
    public int count()
    {
        return buffer.getInt(offset + COUNT_OFFSET, LITTLE_ENDIAN);
    }

    /**
     * Step to the next entry of a validated frame; then read {@link #group()} and {@link #member()}.
     *
     * @return false when there is none left.
     */
    public boolean next()
    {
        if (remaining == 0)
        {
            return false;
        }
        remaining--;
        group = shortString(cursor);
        cursor += 1 + (buffer.getByte(cursor) & 0xFF);
        member = shortString(cursor);
        cursor += 1 + (buffer.getByte(cursor) & 0xFF);
        return true;
    }

    /**
     * @return the current entry's group.
     */
    public String group()
    {
        return group;
    }

    /**
     * @return the current entry's private name.
     */
    public String member()
    {
        return member;
    }
}
