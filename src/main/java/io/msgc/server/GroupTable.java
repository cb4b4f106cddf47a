package io.msgc.server;

import io.msgc.wire.EventFrame;
import io.msgc.wire.MembershipFrame;
import io.msgc.wire.NameRules;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The installed group membership of the whole cluster as this node sees it, changed only by installed events
 * (in the agreed order) and by view installs, so every node holds the same table at the same point of the order.
 * Each change becomes one MEMBERSHIP view for each local member of the group: encoded once, then only the own
 * index differs per receiver. Single-threaded; not on the data path.
 */
final class GroupTable
{
    private static final long ALL_NODES = -1L;

    /**
     * Puts a frame on a local member's connection; on overflow the member is disconnected as a slow consumer.
     */
    interface Deliverer
    {
        /**
         * @param session destination.
         * @param buffer  frame bytes.
         * @param offset  frame start.
         * @param length  frame length.
         */
        void deliverControl(ClientSession session, DirectBuffer buffer, int offset, int length);
    }

    private final int self;
    private final NodeNames nodeNames;
    private final int maxFrameSize;
    private final NameTable<ClientSession> sessions;
    private final Deliverer deliverer;
    private final NameTable<Group> groups = new NameTable<>();
    /** For every member anywhere, the groups it is in: a disconnect removes it from each. */
    private final HashMap<String, ArrayList<Group>> memberGroups = new HashMap<>();
    /** Groups whose routing superset waits for {@link #settleRoutes}. */
    private final ArrayList<Group> unsettled = new ArrayList<>();
    private final UnsafeBuffer scratch;
    private long viewsSent;

    /**
     * @param self         this node's index.
     * @param nodeNames    node names by index.
     * @param maxFrameSize largest frame: a view that would not fit makes the join that caused it refused.
     * @param sessions     local sessions by private name.
     * @param deliverer    sends views to local members.
     */
    GroupTable(
        final int self,
        final NodeNames nodeNames,
        final int maxFrameSize,
        final NameTable<ClientSession> sessions,
        final Deliverer deliverer)
    {
        this.self = self;
        this.nodeNames = nodeNames;
        this.maxFrameSize = maxFrameSize;
        this.sessions = sessions;
        this.deliverer = deliverer;
        scratch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(maxFrameSize, 64));
    }

    /**
     * @return every group with at least one member anywhere.
     */
    NameTable<Group> groups()
    {
        return groups;
    }

    /**
     * @return MEMBERSHIP frames sent to local members so far.
     */
    long viewsSent()
    {
        return viewsSent;
    }

    /**
     * Apply one installed event.
     *
     * @param op      {@link EventFrame} op.
     * @param node    the member's node.
     * @param member  its private name.
     * @param group   the group ("" for a disconnect).
     * @param viewId  the view id the change gets.
     * @return null when applied or a no-op (already a member, not a member), else why a join was refused.
     */
    String apply(final int op, final int node, final String member, final String group, final long viewId)
    {
        switch (op)
        {
            case EventFrame.OP_JOIN:
                return join(node, member, group, viewId);
            case EventFrame.OP_LEAVE:
                leave(node, member, group, viewId, MembershipFrame.CAUSE_LEAVE);
                return null;
            default:
                disconnect(node, member, viewId);
                return null;
        }
    }

    private String join(final int node, final String member, final String groupName, final long viewId)
    {
        final String memberId = NameRules.memberId(member, nodeNames.name(node));
        Group group = groups.find(groupName);
        if (group != null && group.contains(node, member))
        {
            return null;
        }
        final int memberBytes = (group == null ? 0 : group.memberBytes) + 1 + memberId.length();
        if (MembershipFrame.headLength(groupName.length()) + memberBytes + 1 + memberId.length() > maxFrameSize)
        {
            return "group '" + groupName + "' would have a view larger than max_frame_size=" + maxFrameSize +
                " bytes (" + (group == null ? 0 : group.members.size()) + " members)";
        }
        if (group == null)
        {
            group = new Group(groupName, self);
            groups.add(group);
        }
        final ClientSession session = node == self ? sessions.find(member) : null;
        group.add(new Group.Member(node, member, memberId, session));
        if (session != null)
        {
            session.groups.add(group);
        }
        memberGroups.computeIfAbsent(memberId, k -> new ArrayList<>(2)).add(group);
        sendViews(group, viewId, MembershipFrame.CAUSE_JOIN, memberId, ALL_NODES);
        return null;
    }

    private void leave(final int node, final String member, final String groupName, final long viewId, final int cause)
    {
        final Group group = groups.find(groupName);
        final Group.Member removed = group == null ? null : group.remove(node, member);
        if (removed == null)
        {
            return;
        }
        forget(removed, group);
        if (removed.session != null)
        {
            sendSelfLeave(removed.session, group, viewId);
        }
        sendViews(group, viewId, cause, removed.memberId, ALL_NODES);
        settleLater(group);
        dropIfEmpty(group);
    }

    private void disconnect(final int node, final String member, final long viewId)
    {
        final ArrayList<Group> in = memberGroups.get(NameRules.memberId(member, nodeNames.name(node)));
        if (in == null)
        {
            return;
        }
        for (final Group group : new ArrayList<>(in))
        {
            final Group.Member removed = group.remove(node, member);
            if (removed != null)
            {
                forget(removed, group);
                sendViews(group, viewId, MembershipFrame.CAUSE_DISCONNECT, removed.memberId, ALL_NODES);
                settleLater(group);
                dropIfEmpty(group);
            }
        }
    }

    private void forget(final Group.Member removed, final Group group)
    {
        final ArrayList<Group> in = memberGroups.get(removed.memberId);
        if (in != null)
        {
            in.remove(group);
            if (in.isEmpty())
            {
                memberGroups.remove(removed.memberId);
            }
        }
        if (removed.session != null)
        {
            removed.session.groups.remove(group);
        }
    }

    private void dropIfEmpty(final Group group)
    {
        // a group without members still routes to the nodes whose join has arrived: it stays until they are in
        if (group.members.isEmpty() && group.routeMask == 0)
        {
            groups.remove(group);
        }
    }

    /**
     * A join arrived (not installed yet): this node's frames for the group must reach the joiner's node from now on.
     *
     * @param groupName the group.
     * @param node      the joiner's node.
     */
    void routeTo(final String groupName, final int node)
    {
        if (node == self)
        {
            return;
        }
        Group group = groups.find(groupName);
        if (group == null)
        {
            group = new Group(groupName, self);
            groups.add(group);
        }
        group.routeMask |= 1L << node;
        settleLater(group);
    }

    private void settleLater(final Group group)
    {
        if (!group.routePending && group.routeMask != group.remoteMask)
        {
            group.routePending = true;
            unsettled.add(group);
        }
    }

    /**
     * No join is pending any more: routing follows the installed interest only.
     */
    void settleRoutes()
    {
        for (int i = 0, n = unsettled.size(); i < n; i++)
        {
            final Group group = unsettled.get(i);
            group.routePending = false;
            group.settleRoute();
            if (groups.find(group.name()) == group)
            {
                dropIfEmpty(group);
            }
        }
        unsettled.clear();
    }

    /**
     * Nodes were lost: tell each local member of every group which members move on together (the transitional
     * configuration, whether its own group lost members or not). What it gets after this and before the next regular
     * view was sent in the old view; SAFE among it is known to be held by these members only.
     *
     * @param keep   the nodes moving on (bit n = node n).
     * @param viewId the transitional view's id.
     */
    void transitional(final long keep, final long viewId)
    {
        groups.forEach(group ->
        {
            if (group.localCount > 0)
            {
                sendViews(group, viewId, MembershipFrame.CAUSE_TRANSITIONAL, null, keep);
            }
        });
    }

    /**
     * This node's local members, for the STATE frames of a view change: group name, then private name.
     *
     * @return pairs (group, private name).
     */
    List<String[]> localState()
    {
        final ArrayList<String[]> state = new ArrayList<>();
        groups.forEach(group ->
        {
            for (final Group.Member m : group.members)
            {
                if (m.node == self)
                {
                    state.add(new String[]{group.name(), m.privateName});
                }
            }
        });
        return state;
    }

    /**
     * Install a new view's membership: exactly the members every node of the view reported, so every node holds
     * the same table. Each local member of every group gets a NETWORK view with the members that joined or left.
     *
     * @param states for each node index of the view, its (group, private name) pairs; null for other nodes.
     * @param viewId the NETWORK views' id.
     */
    void replace(final List<String[]>[] states, final long viewId)
    {
        final TreeMap<String, ArrayList<Group.Member>> next = new TreeMap<>();
        for (int node = 0; node < states.length; node++)
        {
            if (states[node] == null)
            {
                continue;
            }
            for (final String[] entry : states[node])
            {
                final ClientSession session = node == self ? sessions.find(entry[1]) : null;
                next.computeIfAbsent(entry[0], k -> new ArrayList<>())
                    .add(new Group.Member(node, entry[1], NameRules.memberId(entry[1], nodeNames.name(node)), session));
            }
        }
        final ArrayList<Group> old = new ArrayList<>();
        groups.forEach(old::add);
        for (final Group group : old)
        {
            if (!next.containsKey(group.name()))
            {
                // every member is gone; a local one only by disconnecting, so there is nobody to tell
                clear(group);
                groups.remove(group);
            }
        }
        for (final Map.Entry<String, ArrayList<Group.Member>> e : next.entrySet())
        {
            Group group = groups.find(e.getKey());
            final ArrayList<String> before = new ArrayList<>();
            if (group == null)
            {
                group = new Group(e.getKey(), self);
                groups.add(group);
            }
            else
            {
                for (final Group.Member m : group.members)
                {
                    before.add(m.memberId);
                }
                clear(group);
            }
            for (final Group.Member m : e.getValue())
            {
                group.add(m);
                memberGroups.computeIfAbsent(m.memberId, k -> new ArrayList<>(2)).add(group);
                if (m.session != null)
                {
                    m.session.groups.add(group);
                }
            }
            group.settleRoute();
            final ArrayList<String> changed = new ArrayList<>();
            for (final Group.Member m : group.members)
            {
                if (!before.remove(m.memberId))
                {
                    changed.add(m.memberId);
                }
            }
            changed.addAll(before);
            // every member gets the new view even when its group did not change: members of the group that came
            // from other views then hold the same view id
            sendNetworkView(group, viewId, changed);
        }
    }

    private void clear(final Group group)
    {
        for (final Group.Member m : group.members)
        {
            final ArrayList<Group> in = memberGroups.get(m.memberId);
            if (in != null)
            {
                in.remove(group);
                if (in.isEmpty())
                {
                    memberGroups.remove(m.memberId);
                }
            }
            if (m.session != null)
            {
                m.session.groups.remove(group);
            }
        }
        group.clear();
    }

    // ---------------------------------------------------------------- views

    /**
     * One view of a group to each of its local members.
     *
     * @param changed the member that joined or left, or null.
     * @param keep    the nodes whose members are listed: {@link #ALL_NODES} but in a transitional view.
     */
    private void sendViews(
        final Group group, final long viewId, final int cause, final String changed, final long keep)
    {
        if (group.localCount == 0)
        {
            return;
        }
        int count = 0;
        int at = MembershipFrame.encodeHead(scratch, 0, viewId, cause, 0, -1, 0, group.name());
        for (final Group.Member m : group.members)
        {
            if ((keep & (1L << m.node)) == 0)
            {
                continue;
            }
            if (m.session != null)
            {
                m.session.viewIndex = count;
            }
            at = MembershipFrame.putName(scratch, at, m.memberId);
            count++;
        }
        final int changedCount = changed == null ? 0 : 1;
        if (changed != null)
        {
            at = MembershipFrame.putName(scratch, at, changed);
        }
        MembershipFrame.counts(scratch, 0, count, changedCount);
        final int length = MembershipFrame.finish(scratch, 0, at);
        deliver(group, length);
    }

    private void sendNetworkView(final Group group, final long viewId, final List<String> changed)
    {
        if (group.localCount == 0)
        {
            return;
        }
        int at = MembershipFrame.encodeHead(scratch, 0, viewId, MembershipFrame.CAUSE_NETWORK, group.members.size(),
            -1, 0, group.name());
        int count = 0;
        for (final Group.Member m : group.members)
        {
            if (m.session != null)
            {
                m.session.viewIndex = count;
            }
            at = MembershipFrame.putName(scratch, at, m.memberId);
            count++;
        }
        int changedCount = 0;
        for (final String id : changed)
        {
            // the member list must go whole; the changed list is cut if the frame would pass the limit
            if (at + 1 + id.length() > maxFrameSize)
            {
                break;
            }
            at = MembershipFrame.putName(scratch, at, id);
            changedCount++;
        }
        MembershipFrame.counts(scratch, 0, group.members.size(), changedCount);
        final int length = MembershipFrame.finish(scratch, 0, at);
        deliver(group, length);
    }

    /** The view in scratch to each local member, with its own index (set while the view was encoded). */
    private void deliver(final Group group, final int length)
    {
        // a receiver that overflows is closed at the end of the turn, not here: the local array stays as it is
        for (int i = 0, count = group.localCount; i < count; i++)
        {
            final ClientSession receiver = group.local[i];
            scratch.putInt(MembershipFrame.MY_INDEX_OFFSET, receiver.viewIndex, LITTLE_ENDIAN);
            deliverer.deliverControl(receiver, scratch, 0, length);
            viewsSent++;
        }
    }

    private void sendSelfLeave(final ClientSession session, final Group group, final long viewId)
    {
        final int at = MembershipFrame.encodeHead(
            scratch, 0, viewId, MembershipFrame.CAUSE_SELF_LEAVE, 0, -1, 0, group.name());
        final int length = MembershipFrame.finish(scratch, 0, at);
        deliverer.deliverControl(session, scratch, 0, length);
        viewsSent++;
    }
}
