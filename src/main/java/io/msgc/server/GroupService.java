package io.msgc.server;

import io.msgc.admin.EventLog;
import io.msgc.conf.PeerConfig;
import io.msgc.conf.ServerConfig;
import io.msgc.wire.MemberSyncFrame;
import io.msgc.wire.MembershipFrame;
import io.msgc.wire.NameRules;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.ArrayList;
import java.util.List;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The group table of one node and the membership protocol between nodes. Local joins and leaves are applied
 * at once and sent to every up peer as MEMBER_SYNC deltas; a peer that comes up gets this node's full state
 * (RESET, JOIN per member, DONE); a peer that goes down takes its members with it. Every change of a group's
 * member list becomes one MEMBERSHIP view for each local member of the group.
 * <p>
 * View ids: a JOIN/LEAVE/DISCONNECT view carries the event id given by the member's own node (a Lamport clock
 * shifted left 16 bits, or-ed with the node index), so every receiver sees the same id for the same change.
 * A NETWORK view is computed by each node on its own and gets a local event id.
 */
final class GroupService implements PeerMesh.Listener
{
    private final ServerConfig config;
    private final PeerConfig self;
    private final PeerMesh mesh;
    private final EventLog log;
    private final Deliverer deliverer;
    private final NameTable<Group> groups = new NameTable<>();
    private final NameTable<ClientSession> sessions = new NameTable<>();
    private final UnsafeBuffer scratch;
    private final MemberSyncFrame sync = new MemberSyncFrame();
    private long lamport;

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

    GroupService(
        final ServerConfig config,
        final PeerConfig self,
        final PeerMesh mesh,
        final EventLog log,
        final Deliverer deliverer)
    {
        this.config = config;
        this.self = self;
        this.mesh = mesh;
        this.log = log;
        this.deliverer = deliverer;
        this.scratch = new UnsafeBuffer(BufferUtil.allocateDirectAligned(Math.max(config.maxFrameSize(), 1 << 20), 64));
    }

    NameTable<Group> groups()
    {
        return groups;
    }

    NameTable<ClientSession> sessions()
    {
        return sessions;
    }

    private long nextEventId()
    {
        return (++lamport << 16) | self.index();
    }

    private void observe(final long eventId)
    {
        lamport = Math.max(lamport, eventId >>> 16);
    }

    // ---------------------------------------------------------------- local members

    void addSession(final ClientSession session)
    {
        sessions.add(session);
    }

    /**
     * @return null when joined, else the reason it was refused.
     */
    String join(final ClientSession session, final String groupName)
    {
        Group group = groups.find(groupName);
        if (group != null && group.indexOfSession(session) >= 0)
        {
            return "already a member of group '" + groupName + "'";
        }
        if (session.groups.size() >= config.maxGroupsPerClient())
        {
            return "member " + session.memberId + " is in " + session.groups.size() +
                " groups already (max_groups_per_client=" + config.maxGroupsPerClient() + ")";
        }
        if (group == null)
        {
            group = new Group(groupName, self.index());
            groups.add(group);
        }
        final long eventId = nextEventId();
        group.add(new Group.Member(self.index(), session.name(), session.memberId, session));
        session.groups.add(group);
        broadcastSync(MemberSyncFrame.OP_JOIN, eventId, groupName, session.name());
        sendViews(group, eventId, MembershipFrame.CAUSE_JOIN, List.of(session.memberId));
        return null;
    }

    /**
     * @return null when left, else the reason it was refused.
     */
    String leave(final ClientSession session, final String groupName)
    {
        final Group group = groups.find(groupName);
        if (group == null || group.indexOfSession(session) < 0)
        {
            return "not a member of group '" + groupName + "'";
        }
        final long eventId = nextEventId();
        group.remove(self.index(), session.name());
        session.groups.remove(group);
        broadcastSync(MemberSyncFrame.OP_LEAVE, eventId, groupName, session.name());
        sendSelfLeave(session, group, eventId);
        sendViews(group, eventId, MembershipFrame.CAUSE_LEAVE, List.of(session.memberId));
        dropIfEmpty(group);
        return null;
    }

    /**
     * The session's connection closed: it leaves every group with cause DISCONNECT.
     */
    void disconnect(final ClientSession session)
    {
        if (sessions.find(session.name()) == session)
        {
            sessions.remove(session);
        }
        final long eventId = nextEventId();
        for (final Group group : session.groups)
        {
            group.remove(self.index(), session.name());
            broadcastSync(MemberSyncFrame.OP_DISCONNECT, eventId, group.name(), session.name());
            sendViews(group, eventId, MembershipFrame.CAUSE_DISCONNECT, List.of(session.memberId));
            dropIfEmpty(group);
        }
        session.groups.clear();
    }

    private void dropIfEmpty(final Group group)
    {
        if (group.members.isEmpty())
        {
            groups.remove(group);
        }
    }

    private void broadcastSync(final int op, final long eventId, final String group, final String member)
    {
        final int length = MemberSyncFrame.encode(scratch, 0, op, eventId, group, member);
        mesh.broadcast(scratch, 0, length);
    }

    // ---------------------------------------------------------------- peers

    /** {@inheritDoc} */
    public void onPeerUp(final PeerLink link)
    {
        int length = MemberSyncFrame.encode(scratch, 0, MemberSyncFrame.OP_RESET, nextEventId(), "", "");
        mesh.send(link, scratch, 0, length);
        final ArrayList<Group> all = new ArrayList<>();
        groups.forEach(all::add);
        for (final Group group : all)
        {
            for (int i = 0; i < group.localCount; i++)
            {
                length = MemberSyncFrame.encode(
                    scratch, 0, MemberSyncFrame.OP_JOIN, nextEventId(), group.name(), group.local[i].name());
                mesh.send(link, scratch, 0, length);
                if (!link.isUp())
                {
                    return;
                }
            }
        }
        length = MemberSyncFrame.encode(scratch, 0, MemberSyncFrame.OP_DONE, nextEventId(), "", "");
        mesh.send(link, scratch, 0, length);
        log.info("member-state-sent", "node=" + link.peer.name() + " groups=" + all.size());
    }

    /** {@inheritDoc} */
    public void onPeerDown(final PeerLink link)
    {
        removeNode(link.index(), MembershipFrame.CAUSE_NETWORK);
    }

    private void removeNode(final int node, final int cause)
    {
        final ArrayList<Group> affected = new ArrayList<>();
        groups.forEach(g ->
        {
            if ((g.remoteMask & (1L << node)) != 0)
            {
                affected.add(g);
            }
        });
        for (final Group group : affected)
        {
            final ArrayList<Group.Member> removed = group.removeNode(node);
            final ArrayList<String> changed = new ArrayList<>(removed.size());
            for (final Group.Member m : removed)
            {
                changed.add(m.memberId);
            }
            sendViews(group, nextEventId(), cause, changed);
            dropIfEmpty(group);
        }
    }

    /** {@inheritDoc} */
    public void onPeerFrame(final PeerLink link, final DirectBuffer buffer, final int offset, final int length)
    {
        final String error = sync.wrap(buffer, offset, length);
        if (error != null)
        {
            link.link.close("bad MEMBER_SYNC from " + link.peer.name() + ": " + error);
            return;
        }
        observe(sync.eventId());
        final int node = link.index();
        switch (sync.op())
        {
            case MemberSyncFrame.OP_RESET:
                // a fresh link: whatever we knew of this node is stale; quietly forget, DONE reports the result
                link.syncing = true;
                pendingNetworkChanges.clear();
                groups.forEach(g ->
                {
                    if ((g.remoteMask & (1L << node)) != 0)
                    {
                        for (final Group.Member m : g.removeNode(node))
                        {
                            pendingNetworkChanges.computeIfAbsent(g.name(), k -> new ArrayList<>()).add(m.memberId);
                        }
                    }
                });
                break;
            case MemberSyncFrame.OP_JOIN:
                remoteJoin(link, sync.group(), sync.member(), sync.eventId());
                break;
            case MemberSyncFrame.OP_LEAVE:
            case MemberSyncFrame.OP_DISCONNECT:
                remoteLeave(link, sync.group(), sync.member(), sync.eventId(), sync.op());
                break;
            case MemberSyncFrame.OP_DONE:
                link.syncing = false;
                for (final java.util.Map.Entry<String, ArrayList<String>> e : pendingNetworkChanges.entrySet())
                {
                    final Group group = groups.find(e.getKey());
                    if (group != null)
                    {
                        sendViews(group, nextEventId(), MembershipFrame.CAUSE_NETWORK, e.getValue());
                        dropIfEmpty(group);
                    }
                }
                pendingNetworkChanges.clear();
                break;
            default:
                break;
        }
    }

    private final java.util.TreeMap<String, ArrayList<String>> pendingNetworkChanges = new java.util.TreeMap<>();

    private void remoteJoin(final PeerLink link, final String groupName, final String member, final long eventId)
    {
        if (!NameRules.isGroupName(groupName) || !NameRules.isPrivateName(member))
        {
            link.link.close("bad name in MEMBER_SYNC from " + link.peer.name());
            return;
        }
        Group group = groups.find(groupName);
        if (group == null)
        {
            group = new Group(groupName, self.index());
            groups.add(group);
        }
        final String memberId = NameRules.memberId(member, link.peer.name());
        if (!group.add(new Group.Member(link.index(), member, memberId, null)))
        {
            return;
        }
        if (link.syncing)
        {
            final ArrayList<String> changed = pendingNetworkChanges.computeIfAbsent(groupName, k -> new ArrayList<>());
            // a member that was there before the link dropped and is there again did not change
            if (!changed.remove(memberId))
            {
                changed.add(memberId);
            }
        }
        else
        {
            sendViews(group, eventId, MembershipFrame.CAUSE_JOIN, List.of(memberId));
        }
    }

    private void remoteLeave(
        final PeerLink link, final String groupName, final String member, final long eventId, final int op)
    {
        final Group group = groups.find(groupName);
        if (group == null || group.remove(link.index(), member) == null)
        {
            return;
        }
        final String memberId = NameRules.memberId(member, link.peer.name());
        sendViews(group, eventId,
            op == MemberSyncFrame.OP_LEAVE ? MembershipFrame.CAUSE_LEAVE : MembershipFrame.CAUSE_DISCONNECT,
            List.of(memberId));
        dropIfEmpty(group);
    }

    // ---------------------------------------------------------------- views

    private void sendViews(final Group group, final long viewId, final int cause, final List<String> changed)
    {
        if (group.localCount == 0 || changed.isEmpty())
        {
            return;
        }
        int at = MembershipFrame.encodeHead(
            scratch, 0, viewId, cause, group.members.size(), -1, changed.size(), group.name());
        for (final Group.Member m : group.members)
        {
            at = MembershipFrame.putName(scratch, at, m.memberId);
        }
        for (final String id : changed)
        {
            at = MembershipFrame.putName(scratch, at, id);
        }
        final int length = MembershipFrame.finish(scratch, 0, at);
        // the same frame for every receiver but for its own index
        final ClientSession[] receivers = group.local.clone();
        final int count = group.localCount;
        for (int i = 0; i < count; i++)
        {
            final ClientSession receiver = receivers[i];
            scratch.putInt(MembershipFrame.MY_INDEX_OFFSET, group.indexOfSession(receiver), LITTLE_ENDIAN);
            deliverer.deliverControl(receiver, scratch, 0, length);
        }
        if (log.isEnabled(EventLog.Level.INFO))
        {
            log.info("group-view", "group=" + group.name() + " view=" + viewId + " cause=" +
                MembershipFrame.causeName(cause) + " members=" + group.members.size() + " changed=" + changed);
        }
    }

    private void sendSelfLeave(final ClientSession session, final Group group, final long viewId)
    {
        final int at = MembershipFrame.encodeHead(
            scratch, 0, viewId, MembershipFrame.CAUSE_SELF_LEAVE, 0, -1, 0, group.name());
        final int length = MembershipFrame.finish(scratch, 0, at);
        deliverer.deliverControl(session, scratch, 0, length);
    }
}
