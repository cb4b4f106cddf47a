package io.msgc.client;

import io.msgc.wire.NameRules;

/**
 * The naming rules of {@link NameRules}, checked on the Strings an application passes in, so that every send
 * path refuses what the server would refuse, before the name is encoded as ASCII (where a non-ASCII character
 * would otherwise be silently replaced). The checks allocate nothing; only the explanation of a refusal does.
 */
final class Names
{
    private Names()
    {
    }

    /**
     * @param group a group name to join or leave.
     * @return null when valid, else what is wrong with it.
     */
    static String groupProblem(final String group)
    {
        if (group == null)
        {
            return "group name is null";
        }
        if (isGroupName(group, 0, group.length()))
        {
            return null;
        }
        final String broken = charsProblem(group);
        return "bad group name " + describe(group) + ": " +
            (broken != null ? broken : "it starts with '#' (a member's private group cannot be joined or left)") +
            "; a group name is 1-127 printable ASCII characters (0x21-0x7E), not starting with '#'";
    }

    /**
     * @param destination a multicast destination: a group name or a member id {@code #private#node}.
     * @return null when valid, else what is wrong with it.
     */
    static String destinationProblem(final String destination)
    {
        if (destination == null)
        {
            return "destination is null";
        }
        if (isDestination(destination))
        {
            return null;
        }
        final String broken = charsProblem(destination);
        return "bad destination " + describe(destination) + ": " + (broken != null ? broken :
            "it starts with '#' but is not a member id '#private#node' (private: 1-31 of [A-Za-z0-9_.-], " +
            "node: 1-31 of [a-z0-9_.-])") +
            "; a destination is a group name (1-127 printable ASCII characters, 0x21-0x7E, not starting with " +
            "'#') or a member id '#private#node'";
    }

    /**
     * @param name a destination.
     * @return true when it is a group name or a member id.
     */
    static boolean isDestination(final String name)
    {
        final int length = name.length();
        if (length < 1 || length > NameRules.MAX_GROUP_LENGTH)
        {
            return false;
        }
        if (name.charAt(0) != '#')
        {
            return isGroupName(name, 0, length);
        }
        final int split = name.indexOf('#', 1);
        return split > 1 && split - 1 <= NameRules.MAX_NAME_LENGTH && length - split - 1 >= 1 &&
            length - split - 1 <= NameRules.MAX_NAME_LENGTH && isPrivate(name, 1, split) &&
            isNode(name, split + 1, length);
    }

    private static boolean isGroupName(final String name, final int from, final int to)
    {
        if (to - from < 1 || to - from > NameRules.MAX_GROUP_LENGTH || name.charAt(from) == '#')
        {
            return false;
        }
        for (int i = from; i < to; i++)
        {
            final char c = name.charAt(i);
            if (c < 0x21 || c > 0x7E)
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isPrivate(final String name, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            final char c = name.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '.' || c == '-'))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean isNode(final String name, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            final char c = name.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return what makes the text no name at all (empty, too long, a character outside printable ASCII), or null.
     */
    private static String charsProblem(final String name)
    {
        if (name.isEmpty())
        {
            return "it is empty";
        }
        if (name.length() > NameRules.MAX_GROUP_LENGTH)
        {
            return "it is " + name.length() + " characters long";
        }
        for (int i = 0; i < name.length(); i++)
        {
            final char c = name.charAt(i);
            if (c < 0x21 || c > 0x7E)
            {
                final String kind = c > 0x7F ? "non-ASCII character" : c == ' ' ? "space" : "control character";
                return "it has a " + kind + " (U+" + String.format("%04X", (int)c) + ") at index " + i;
            }
        }
        return null;
    }

    private static String describe(final String name)
    {
        final StringBuilder sb = new StringBuilder(name.length() + 2).append('\'');
        for (int i = 0; i < name.length() && i < 160; i++)
        {
            final char c = name.charAt(i);
            if (c >= 0x20 && c < 0x7F)
            {
                sb.append(c);
            }
            else
            {
                sb.append(String.format("\\u%04x", (int)c));
            }
        }
        return sb.append(name.length() > 160 ? "...'" : "'").toString();
    }
}
