package io.msgc.wire;

import org.agrona.DirectBuffer;

/**
 * The naming rules of DESIGN.md, checked on raw bytes so that frames are validated without allocation.
 * <ul>
 *   <li>private name: 1..31 of {@code [A-Za-z0-9_.-]}</li>
 *   <li>node name: 1..31 of {@code [a-z0-9_.-]}</li>
 *   <li>group: 1..127 printable ASCII (0x21..0x7E), not starting with {@code #}, unless it is a member id</li>
 *   <li>member id (private group): {@code #private#node}</li>
 * </ul>
 */
public final class NameRules
{
    /** Longest private or node name. */
    public static final int MAX_NAME_LENGTH = 31;
    /** Longest group name. */
    public static final int MAX_GROUP_LENGTH = 127;

    private NameRules()
    {
    }

    /**
     * @param buffer holding the name.
     * @param offset first byte.
     * @param length byte count.
     * @return true when the bytes form a valid private name.
     */
    public static boolean isPrivateName(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 1 || length > MAX_NAME_LENGTH)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            final byte b = buffer.getByte(offset + i);
            if (!(isAlnum(b) || b == '_' || b == '.' || b == '-'))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param name a candidate private name.
     * @return true when valid.
     */
    public static boolean isPrivateName(final String name)
    {
        return name != null && name.matches("[A-Za-z0-9_.-]{1,31}");
    }

    /**
     * @param name a candidate node name.
     * @return true when valid.
     */
    public static boolean isNodeName(final String name)
    {
        return name != null && name.matches("[a-z0-9_.-]{1,31}");
    }

    /**
     * @param name a candidate group name (not a member id).
     * @return true when valid.
     */
    public static boolean isGroupName(final String name)
    {
        if (name == null || name.isEmpty() || name.length() > MAX_GROUP_LENGTH || name.charAt(0) == '#')
        {
            return false;
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            if (c < 0x21 || c > 0x7E)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * A name as the words that per-frame paths compare against a frame's bytes, eight at a time.
     *
     * @param name a name's bytes.
     * @return its bytes as little-endian words, eight at a time, the last one zero-padded.
     */
    public static long[] words(final byte[] name)
    {
        final long[] words = new long[(name.length + 7) >> 3];
        for (int i = 0; i < name.length; i++)
        {
            words[i >> 3] |= (name[i] & 0xFFL) << ((i & 7) << 3);
        }
        return words;
    }

    /**
     * A destination of a DATA frame: a group name or a member id {@code #private#node}.
     *
     * @param buffer holding the name.
     * @param offset first byte.
     * @param length byte count.
     * @return true when valid.
     */
    public static boolean isDestination(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 1 || length > MAX_GROUP_LENGTH)
        {
            return false;
        }
        int i = 0;
        // 8 bytes at a time: a byte below 0x21, or at or above 0x7F, sets its top bit in one of the two words
        for (; i + Long.BYTES <= length; i += Long.BYTES)
        {
            final long w = buffer.getLong(offset + i);
            final long outside = ((w - 0x2121212121212121L) & ~w) | (w + 0x0101010101010101L) | w;
            if ((outside & 0x8080808080808080L) != 0)
            {
                return false;
            }
        }
        for (; i < length; i++)
        {
            final byte b = buffer.getByte(offset + i);
            if (b < 0x21 || b > 0x7E)
            {
                return false;
            }
        }
        return buffer.getByte(offset) != '#' || memberIdSplit(buffer, offset, length) > 0;
    }

    /**
     * A group a client may join: a valid destination that is not a member id.
     *
     * @param buffer holding the name.
     * @param offset first byte.
     * @param length byte count.
     * @return true when valid.
     */
    public static boolean isJoinableGroup(final DirectBuffer buffer, final int offset, final int length)
    {
        return length >= 1 && buffer.getByte(offset) != '#' && isDestination(buffer, offset, length);
    }

    /**
     * Find the second {@code #} of a member id {@code #private#node}.
     *
     * @param buffer holding the name.
     * @param offset first byte (a {@code #}).
     * @param length byte count.
     * @return index (relative to offset) of the second {@code #}, or -1 when not a valid member id.
     */
    public static int memberIdSplit(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 4 || buffer.getByte(offset) != '#')
        {
            return -1;
        }
        for (int i = 1; i < length; i++)
        {
            if (buffer.getByte(offset + i) == '#')
            {
                final int privateLength = i - 1;
                final int nodeLength = length - i - 1;
                return isPrivateName(buffer, offset + 1, privateLength) && isNodeBytes(buffer, offset + i + 1, nodeLength)
                    ? i : -1;
            }
        }
        return -1;
    }

    private static boolean isNodeBytes(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 1 || length > MAX_NAME_LENGTH)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            final byte b = buffer.getByte(offset + i);
            if (!((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || b == '_' || b == '.' || b == '-'))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlnum(final byte b)
    {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9');
    }

    /**
     * @param privateName a member's private name.
     * @param node        its node.
     * @return the member id {@code #private#node}.
     */
    public static String memberId(final String privateName, final String node)
    {
        return "#" + privateName + "#" + node;
    }

    /**
     * A name from a frame for an error message: printable ASCII as is, any other byte as {@code \xNN}, so a bad
     * name is shown exactly and never mangled.
     *
     * @param buffer holding the name.
     * @param offset first byte.
     * @param length byte count.
     * @return the text.
     */
    public static String printable(final DirectBuffer buffer, final int offset, final int length)
    {
        final StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            final int b = buffer.getByte(offset + i) & 0xFF;
            if (b >= 0x20 && b < 0x7F)
            {
                sb.append((char)b);
            }
            else
            {
                sb.append("\\x").append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xF, 16));
            }
        }
        return sb.toString();
    }
}
