package io.msgc.server;

import java.util.ArrayList;

/**
 * One group as this node knows it: every member in view order (node order of the peers list, then private name),
 * the local members as a flat array for routing, and the mask of other nodes that have members (interest).
 */
final class Group extends NameTable.Entry
{
    /**
     * One member of the group.
     */
    static final class Member
    {
        final int node;
        final String privateName;
        final String memberId;
        final ClientSession session;

        Member(final int node, final String privateName, final String memberId, final ClientSession session)
        {
            this.node = node;
            this.privateName = privateName;
            this.memberId = memberId;
            this.session = session;
        }

        int compareTo(final int otherNode, final String otherName)
        {
            return node != otherNode ? Integer.compare(node, otherNode) : privateName.compareTo(otherName);
        }
    }

    final ArrayList<Member> members = new ArrayList<>();
    ClientSession[] local = new ClientSession[4];
    int localCount;
    /** Bit n set when node n (not this one) has at least one member. */
    long remoteMask;
    private final int selfIndex;

    Group(final String name, final int selfIndex)
    {
        super(name);
        this.selfIndex = selfIndex;
    }

    /**
     * @return index at which the member is, or -(insertion point) - 1.
     */
    int indexOf(final int node, final String privateName)
    {
        int low = 0;
        int high = members.size() - 1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            final int c = members.get(mid).compareTo(node, privateName);
            if (c < 0)
            {
                low = mid + 1;
            }
            else if (c > 0)
            {
                high = mid - 1;
            }
            else
            {
                return mid;
            }
        }
        return -(low + 1);
    }

    boolean add(final Member member)
    {
        final int at = indexOf(member.node, member.privateName);
        if (at >= 0)
        {
            return false;
        }
        members.add(-at - 1, member);
        refresh();
        return true;
    }

    Member remove(final int node, final String privateName)
    {
        final int at = indexOf(node, privateName);
        if (at < 0)
        {
            return null;
        }
        final Member removed = members.remove(at);
        refresh();
        return removed;
    }

    ArrayList<Member> removeNode(final int node)
    {
        final ArrayList<Member> removed = new ArrayList<>();
        members.removeIf(m ->
        {
            if (m.node == node)
            {
                removed.add(m);
                return true;
            }
            return false;
        });
        if (!removed.isEmpty())
        {
            refresh();
        }
        return removed;
    }

    /** Rebuild the routing view: local sessions and remote interest. Runs on membership changes only. */
    private void refresh()
    {
        int count = 0;
        long mask = 0;
        for (final Member m : members)
        {
            if (m.node == selfIndex)
            {
                count++;
            }
            else
            {
                mask |= 1L << m.node;
            }
        }
        if (local.length < count)
        {
            local = new ClientSession[Math.max(count, local.length * 2)];
        }
        int i = 0;
        for (final Member m : members)
        {
            if (m.node == selfIndex)
            {
                local[i++] = m.session;
            }
        }
        for (int j = i; j < localCount; j++)
        {
            local[j] = null;
        }
        localCount = count;
        remoteMask = mask;
    }

    int indexOfSession(final ClientSession session)
    {
        for (int i = 0; i < members.size(); i++)
        {
            if (members.get(i).session == session)
            {
                return i;
            }
        }
        return -1;
    }
}
