package io.msgc.server;

import java.util.ArrayList;

/**
 * One group as the installed view knows it: every member in view order (node order of the peers list, then
 * private name), the local members as flat arrays for routing (with each one's index in the view), the nodes
 * that have members (interest), and the nodes a stream frame for the group must go to.
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
    /** For each local member, its index in {@link #members}: the own index of its views. */
    int[] localIndex = new int[4];
    int localCount;
    /** Bit n set when node n (not this one) has at least one member in the installed view. */
    long remoteMask;
    /**
     * Where this node's stream frames for the group go: {@link #remoteMask} plus the nodes whose join has
     * arrived but is not installed yet. A superset is harmless (a receiver delivers by its own view at that
     * point of the stream); a missing node would lose messages its new member must get.
     */
    long routeMask;
    /** Bytes the member list takes in a MEMBERSHIP frame. */
    int memberBytes;
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
        memberBytes += 1 + member.memberId.length();
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
        memberBytes -= 1 + removed.memberId.length();
        refresh();
        return removed;
    }

    /**
     * Rebuild the routing view: local sessions with their view indexes, and remote interest. Runs on membership
     * changes only.
     */
    void refresh()
    {
        int count = 0;
        long mask = 0;
        for (final Member m : members)
        {
            if (m.node == selfIndex)
            {
                count += m.session != null ? 1 : 0;
            }
            else
            {
                mask |= 1L << m.node;
            }
        }
        if (local.length < count)
        {
            local = new ClientSession[Math.max(count, local.length * 2)];
            localIndex = new int[local.length];
        }
        int i = 0;
        for (int index = 0; index < members.size(); index++)
        {
            final Member m = members.get(index);
            if (m.node == selfIndex && m.session != null)
            {
                localIndex[i] = index;
                local[i++] = m.session;
            }
        }
        for (int j = i; j < localCount; j++)
        {
            local[j] = null;
        }
        localCount = count;
        remoteMask = mask;
        routeMask |= mask;
    }

    /**
     * Forget the routing superset once no join is pending: only the installed interest remains.
     */
    void settleRoute()
    {
        routeMask = remoteMask;
    }
}
