package io.msgc.server;

import java.util.Arrays;
import java.util.Comparator;
import java.util.TreeSet;

/**
 * One group as the installed view knows it: every member in view order (node order of the peers list, then
 * private name), the local members as a flat array for routing, the nodes that have members (interest), and the
 * nodes a stream frame for the group must go to. A join or leave costs O(log N) plus O(local members): nothing
 * here walks the whole member list but a view's encoding.
 */
final class Group extends NameTable.Entry
{
    /** View order: node index, then private name. */
    private static final Comparator<Member> VIEW_ORDER =
        Comparator.<Member>comparingInt(m -> m.node).thenComparing(m -> m.privateName);

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
    }

    /** Every member, in view order. */
    final TreeSet<Member> members = new TreeSet<>(VIEW_ORDER);
    /** The local members with a session, in no particular order: the receivers of a message to the group. */
    ClientSession[] local = new ClientSession[4];
    int localCount;
    /** Bit n set when node n (not this one) has at least one member in the installed view. */
    long remoteMask;
    /**
     * Where this node's stream frames for the group go: {@link #remoteMask} plus the nodes whose join has
     * arrived but is not installed yet, and nodes whose last member left since routes were last settled. A
     * superset is harmless (a receiver delivers by its own view at that point of the stream); a missing node
     * would lose messages its new member must get.
     */
    long routeMask;
    /** The group is in the table's list of groups whose {@link #routeMask} waits to be settled. */
    boolean routePending;
    /** Bytes the member list takes in a MEMBERSHIP frame. */
    int memberBytes;
    private final int selfIndex;
    private final int[] nodeMembers = new int[64];

    Group(final String name, final int selfIndex)
    {
        super(name);
        this.selfIndex = selfIndex;
    }

    /**
     * @param node        the member's node.
     * @param privateName its private name.
     * @return true when it is a member.
     */
    boolean contains(final int node, final String privateName)
    {
        return members.contains(new Member(node, privateName, null, null));
    }

    /**
     * @param member a new member.
     * @return false when it was a member already.
     */
    boolean add(final Member member)
    {
        if (!members.add(member))
        {
            return false;
        }
        memberBytes += 1 + member.memberId.length();
        if (member.node != selfIndex)
        {
            nodeMembers[member.node]++;
            remoteMask |= 1L << member.node;
            routeMask |= 1L << member.node;
        }
        else if (member.session != null)
        {
            if (localCount == local.length)
            {
                final ClientSession[] grown = new ClientSession[localCount * 2];
                System.arraycopy(local, 0, grown, 0, localCount);
                local = grown;
            }
            local[localCount++] = member.session;
        }
        return true;
    }

    /**
     * @param node        the member's node.
     * @param privateName its private name.
     * @return the member removed, or null when it was not one.
     */
    Member remove(final int node, final String privateName)
    {
        final Member probe = new Member(node, privateName, null, null);
        final Member removed = members.ceiling(probe);
        if (removed == null || VIEW_ORDER.compare(removed, probe) != 0)
        {
            return null;
        }
        members.remove(removed);
        memberBytes -= 1 + removed.memberId.length();
        if (node != selfIndex)
        {
            if (--nodeMembers[node] == 0)
            {
                remoteMask &= ~(1L << node); // routeMask keeps the node until routes are settled
            }
        }
        else if (removed.session != null)
        {
            for (int i = 0; i < localCount; i++)
            {
                if (local[i] == removed.session)
                {
                    local[i] = local[--localCount];
                    local[localCount] = null;
                    break;
                }
            }
        }
        return removed;
    }

    /**
     * Remove every member.
     */
    void clear()
    {
        members.clear();
        memberBytes = 0;
        for (int i = 0; i < localCount; i++)
        {
            local[i] = null;
        }
        localCount = 0;
        remoteMask = 0;
        Arrays.fill(nodeMembers, 0);
    }

    /**
     * Forget the routing superset: only the installed interest remains.
     */
    void settleRoute()
    {
        routeMask = remoteMask;
    }
}
