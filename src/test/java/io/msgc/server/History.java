package io.msgc.server;

import io.msgc.wire.DataFrame;
import io.msgc.wire.FrameHeader;
import io.msgc.wire.FrameType;
import io.msgc.wire.MembershipFrame;
import io.msgc.wire.ServiceType;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A record of what every member received, in order, and a checker of the guarantees of docs/GUARANTEES.md over it:
 * integrity, no duplicates, per-sender FIFO, agreed views with increasing ids, same-view delivery, virtual
 * synchrony (members that move from view V to the same next view delivered the same messages in V), one total
 * order of AGREED/SAFE/CAUSAL messages, agreement on the last view (nothing lost in a quiet view), and no silent
 * loss: a sender that stays in a group gets its own messages, and a member whose next view still holds the sender
 * got every message of that sender delivered in the view before it.
 * Thread-safe so that real clients on their own threads can record into it.
 */
final class History
{
    /** A delivered message or view, in a member's order. */
    static final class Entry
    {
        final boolean view;
        final String group;
        final String sender;
        final long seq;
        final int service;
        final long viewId;
        final int cause;
        final List<String> members;

        Entry(final String group, final String sender, final long seq, final int service)
        {
            this.view = false;
            this.group = group;
            this.sender = sender;
            this.seq = seq;
            this.service = service;
            this.viewId = 0;
            this.cause = 0;
            this.members = null;
        }

        Entry(final String group, final long viewId, final int cause, final List<String> members)
        {
            this.view = true;
            this.group = group;
            this.sender = null;
            this.seq = 0;
            this.service = 0;
            this.viewId = viewId;
            this.cause = cause;
            this.members = members;
        }

        String key()
        {
            return sender + "/" + seq;
        }

        /** {@inheritDoc} */
        public String toString()
        {
            return view ? "view(" + group + " " + viewId + " " + MembershipFrame.causeName(cause) + " " + members + ")" :
                "msg(" + group + " " + key() + " " + ServiceType.name(service) + ")";
        }
    }

    private final Map<String, List<Entry>> received = new LinkedHashMap<>();
    private final Map<String, String> sentTo = new HashMap<>();
    private final Map<String, Integer> sentService = new HashMap<>();
    private final List<String> problems = new ArrayList<>();
    /** (member, group) -> cause of the member's last view of the group, to know whether it is in it. */
    private final Map<String, Integer> lastCause = new HashMap<>();
    /** (member, group) -> leaves requested and not answered by a self-leave yet (two may be pending at once). */
    private final Map<String, Integer> leaving = new HashMap<>();
    /** (member, group) -> the operation number of the member's last leave request. */
    private final Map<String, Long> lastLeave = new HashMap<>();
    /** Messages sent by a member of their group (no leave pending) -> the operation number of the send. */
    private final Map<String, Long> sentAsMember = new HashMap<>();
    /** Message -> how many entries its sender had received when it sent it, for failure messages. */
    private final Map<String, Integer> sentAt = new HashMap<>();
    private long operations;
    private long messages;
    private long views;

    History(final String[] nodeNames)
    {
    }

    synchronized void connected(final String memberId)
    {
        received.computeIfAbsent(memberId, k -> new ArrayList<>());
    }

    synchronized void disconnected(final String memberId)
    {
    }

    synchronized void crashed(final String node)
    {
    }

    synchronized void requested(final String memberId, final String group, final boolean join)
    {
        operations++;
        if (!join)
        {
            leaving.merge(memberId + " " + group, 1, Integer::sum);
            lastLeave.put(memberId + " " + group, operations);
        }
    }

    synchronized void refused(final String node, final String member, final String group)
    {
    }

    /**
     * A member sent a message; record it before its first copy can be delivered (or at least before the check). When
     * the sender is in the group (by the views it got) with no leave pending, it must deliver the message itself,
     * unless it leaves the group or disconnects later.
     */
    synchronized void sent(final String memberId, final long seq, final String group, final int service)
    {
        operations++;
        final String key = memberId + "/" + seq;
        sentTo.put(key, group);
        sentService.put(key, service & ServiceType.LEVEL_MASK);
        final Integer cause = lastCause.get(memberId + " " + group);
        if (cause != null && cause != MembershipFrame.CAUSE_SELF_LEAVE && !leaving.containsKey(memberId + " " + group))
        {
            sentAsMember.put(key, operations);
            sentAt.put(key, received.getOrDefault(memberId, List.of()).size());
        }
    }

    /**
     * A send recorded by {@link #sent} did not happen after all (the client refused it): forget it.
     */
    synchronized void unsent(final String memberId, final long seq)
    {
        final String key = memberId + "/" + seq;
        sentTo.remove(key);
        sentService.remove(key);
        sentAsMember.remove(key);
        sentAt.remove(key);
    }

    /**
     * A frame reached a member: decode and record it.
     */
    void received(final String memberId, final DirectBuffer buffer, final int offset, final int length)
    {
        SimNetwork.decode(this, memberId, buffer, offset, length);
    }

    synchronized void data(final String receiver, final String sender, final String group, final long seq,
        final int service)
    {
        messages++;
        received.computeIfAbsent(receiver, k -> new ArrayList<>()).add(new Entry(group, sender, seq, service));
    }

    synchronized void view(final String receiver, final String group, final long viewId, final int cause,
        final List<String> members, final int myIndex)
    {
        views++;
        if (cause != MembershipFrame.CAUSE_SELF_LEAVE && cause != MembershipFrame.CAUSE_TRANSITIONAL &&
            (myIndex < 0 || myIndex >= members.size() || !members.get(myIndex).equals(receiver)))
        {
            problems.add(receiver + " got view " + group + "/" + viewId + " " + members + " with own index " + myIndex);
        }
        received.computeIfAbsent(receiver, k -> new ArrayList<>()).add(new Entry(group, viewId, cause, members));
        lastCause.put(receiver + " " + group, cause);
        if (cause == MembershipFrame.CAUSE_SELF_LEAVE)
        {
            leaving.computeIfPresent(receiver + " " + group, (k, n) -> n > 1 ? n - 1 : null);
        }
    }

    synchronized long messages()
    {
        return messages;
    }

    synchronized long views()
    {
        return views;
    }

    synchronized List<Entry> of(final String memberId)
    {
        return new ArrayList<>(received.getOrDefault(memberId, List.of()));
    }

    private static boolean regular(final Entry e)
    {
        return e.view && e.cause != MembershipFrame.CAUSE_TRANSITIONAL && e.cause != MembershipFrame.CAUSE_SELF_LEAVE;
    }

    /**
     * Check every guarantee over what was recorded.
     *
     * @param checkLastViews also require that members whose last view of a group is the same delivered the same
     *                       messages in it (only once the run has gone quiet).
     * @return the problems found, empty when none.
     */
    synchronized List<String> check(final boolean checkLastViews)
    {
        return check(checkLastViews ? received.keySet() : Set.of());
    }

    /**
     * Check every guarantee over what was recorded.
     *
     * @param atEnd members still connected at the end of a quiet run: those whose last view of a group is the same
     *              must have delivered the same messages in it.
     * @return the problems found, empty when none.
     */
    synchronized List<String> check(final Set<String> atEnd)
    {
        final List<String> out = new ArrayList<>(problems);
        final Map<String, List<String>> viewMembers = new HashMap<>();
        // (receiver, group, view id) -> messages delivered in that view
        final Map<String, Map<String, Map<Long, Set<String>>>> delivered = new HashMap<>();
        // (receiver, group) -> the sequence of regular view ids
        final Map<String, Map<String, List<Long>>> sequences = new HashMap<>();
        // (receiver, group) -> the member lists of those regular views
        final Map<String, Map<String, List<List<String>>>> sequenceMembers = new HashMap<>();
        // receiver -> every message it delivered
        final Map<String, Set<String>> deliveredBy = new HashMap<>();
        // (receiver, group) -> members of the transitional views a receiver's history ends with
        final Map<String, Map<String, Set<String>>> trailing = new HashMap<>();
        final Map<String, List<String>> ordered = new HashMap<>();
        final Map<String, Long> messageView = new HashMap<>();
        for (final Map.Entry<String, List<Entry>> r : received.entrySet())
        {
            final String receiver = r.getKey();
            final Map<String, Long> current = new HashMap<>();
            // groups whose last view is a transitional one: what follows is in the transitional configuration
            final Set<String> transitional = new HashSet<>();
            final Map<String, Long> lastId = new HashMap<>();
            final Set<String> seen = new HashSet<>();
            deliveredBy.put(receiver, seen);
            // group -> the members every transitional view since the last regular one listed
            final Map<String, Set<String>> movingOn = new HashMap<>();
            final Map<String, Long> lastFifo = new HashMap<>();
            final Map<String, Long> lastOrdered = new HashMap<>();
            final List<String> orderedHere = new ArrayList<>();
            for (final Entry e : r.getValue())
            {
                if (e.view)
                {
                    final Long previous = lastId.get(e.group);
                    if (previous != null && e.viewId <= previous)
                    {
                        out.add(receiver + ": view id of " + e.group + " went from " + previous + " to " + e.viewId +
                            " (" + e + ")");
                    }
                    lastId.put(e.group, e.viewId);
                    if (e.cause == MembershipFrame.CAUSE_SELF_LEAVE)
                    {
                        current.remove(e.group);
                        continue;
                    }
                    final String key = e.group + "/" + e.viewId + "/" + e.cause;
                    final List<String> known = viewMembers.putIfAbsent(key, e.members);
                    if (known != null && !known.equals(e.members))
                    {
                        out.add("view " + key + " has members " + known + " at one member and " + e.members + " at " +
                            receiver);
                    }
                    if (e.cause == MembershipFrame.CAUSE_TRANSITIONAL)
                    {
                        transitional.add(e.group);
                        // only the members it lists move on with this one: the others left its configuration
                        final Set<String> before = movingOn.get(e.group);
                        final Set<String> with = new HashSet<>(e.members);
                        if (before != null)
                        {
                            with.retainAll(before);
                        }
                        movingOn.put(e.group, with);
                    }
                    if (regular(e))
                    {
                        transitional.remove(e.group);
                        current.put(e.group, e.viewId);
                        sequences.computeIfAbsent(receiver, k -> new HashMap<>())
                            .computeIfAbsent(e.group, k -> new ArrayList<>()).add(e.viewId);
                        final Set<String> with = movingOn.remove(e.group);
                        final List<String> stayed = new ArrayList<>(e.members);
                        if (with != null)
                        {
                            stayed.retainAll(with);
                        }
                        sequenceMembers.computeIfAbsent(receiver, k -> new HashMap<>())
                            .computeIfAbsent(e.group, k -> new ArrayList<>()).add(stayed);
                    }
                    continue;
                }
                final String key = e.key();
                final String group = sentTo.get(key);
                if (group == null)
                {
                    out.add(receiver + " got " + e + " that was never sent");
                    continue;
                }
                if (!seen.add(key))
                {
                    out.add(receiver + " got " + e + " twice");
                }
                final Long view = current.get(e.group);
                if (view == null)
                {
                    out.add(receiver + " got " + e + " outside any view of " + e.group);
                    continue;
                }
                // EVS: a message delivered in a transitional configuration may be delivered in the regular view
                // elsewhere (the other side ordered it among events this side never saw)
                final Long other = transitional.contains(e.group) ? null : messageView.putIfAbsent(key, view);
                if (other != null && !other.equals(view))
                {
                    out.add(e + " delivered in view " + other + " elsewhere and in view " + view + " at " + receiver);
                }
                delivered.computeIfAbsent(receiver, k -> new HashMap<>())
                    .computeIfAbsent(e.group, k -> new HashMap<>())
                    .computeIfAbsent(view, k -> new LinkedHashSet<>()).add(key);
                final boolean isOrdered = ServiceType.isOrdered(e.service);
                final Map<String, Long> last = isOrdered ? lastOrdered : lastFifo;
                final Long before = last.put(e.sender, e.seq);
                if (before != null && before >= e.seq)
                {
                    out.add(receiver + " got " + e + " after seq " + before + " of the same sender (FIFO)");
                }
                if (isOrdered && !transitional.contains(e.group))
                {
                    // EVS orders totally within a configuration: a message delivered in a transitional one was in
                    // flight at a partition, and the other side may have ordered it among messages this side lacks
                    orderedHere.add(key);
                }
            }
            ordered.put(receiver, orderedHere);
            for (final Map.Entry<String, Set<String>> t : movingOn.entrySet())
            {
                // a run that ends in a transitional configuration: only those it lists stayed
                trailing.computeIfAbsent(receiver, k -> new HashMap<>()).put(t.getKey(), t.getValue());
            }
        }
        checkVirtualSynchrony(out, delivered, sequences, atEnd);
        checkNoSilentLoss(out, delivered, sequences, sequenceMembers, trailing, deliveredBy, messageView, atEnd);
        checkTotalOrder(out, ordered);
        return out.size() > 50 ? out.subList(0, 50) : out;
    }

    private void checkVirtualSynchrony(
        final List<String> out,
        final Map<String, Map<String, Map<Long, Set<String>>>> delivered,
        final Map<String, Map<String, List<Long>>> sequences,
        final Set<String> atEnd)
    {
        // (group, view, next view or -1 for "last") -> receiver -> messages delivered in view
        final Map<String, Map<String, Set<String>>> moves = new HashMap<>();
        for (final Map.Entry<String, Map<String, List<Long>>> r : sequences.entrySet())
        {
            final String receiver = r.getKey();
            for (final Map.Entry<String, List<Long>> g : r.getValue().entrySet())
            {
                final List<Long> ids = g.getValue();
                for (int i = 0; i < ids.size(); i++)
                {
                    final boolean last = i + 1 == ids.size();
                    if (last && !atEnd.contains(receiver))
                    {
                        continue;
                    }
                    final String move = g.getKey() + " " + ids.get(i) + " -> " + (last ? "end" : ids.get(i + 1));
                    final Set<String> in = delivered.getOrDefault(receiver, Map.of())
                        .getOrDefault(g.getKey(), Map.of()).getOrDefault(ids.get(i), Set.of());
                    moves.computeIfAbsent(move, k -> new HashMap<>()).put(receiver, in);
                }
            }
        }
        for (final Map.Entry<String, Map<String, Set<String>>> move : moves.entrySet())
        {
            String firstReceiver = null;
            Set<String> first = null;
            for (final Map.Entry<String, Set<String>> r : move.getValue().entrySet())
            {
                if (first == null)
                {
                    firstReceiver = r.getKey();
                    first = r.getValue();
                }
                else if (!Objects.equals(first, r.getValue()))
                {
                    final Set<String> onlyFirst = new LinkedHashSet<>(first);
                    onlyFirst.removeAll(r.getValue());
                    final Set<String> onlyOther = new LinkedHashSet<>(r.getValue());
                    onlyOther.removeAll(first);
                    out.add("virtual synchrony broken in " + move.getKey() + ": " + firstReceiver + " delivered " +
                        first.size() + ", " + r.getKey() + " delivered " + r.getValue().size() + "; only " +
                        firstReceiver + ": " + head(onlyFirst) + "; only " + r.getKey() + ": " + head(onlyOther) +
                        "\n  " + firstReceiver + ": " + around(firstReceiver, move.getKey()) +
                        "\n  " + r.getKey() + ": " + around(r.getKey(), move.getKey()));
                }
            }
        }
    }

    /**
     * Nothing lost while the sender stays: a sender still connected at the end that sent a message to a group it was
     * in (and did not leave after) delivered it; a member whose next view of a group still lists a message's sender
     * (and every transitional view between lists) delivered every message of that sender that was delivered in the
     * view before in a regular configuration; a member still connected at the end delivered everything delivered in
     * its last view by senders still with it.
     */
    private void checkNoSilentLoss(
        final List<String> out,
        final Map<String, Map<String, Map<Long, Set<String>>>> delivered,
        final Map<String, Map<String, List<Long>>> sequences,
        final Map<String, Map<String, List<List<String>>>> sequenceMembers,
        final Map<String, Map<String, Set<String>>> trailing,
        final Map<String, Set<String>> deliveredBy,
        final Map<String, Long> messageView,
        final Set<String> atEnd)
    {
        for (final Map.Entry<String, Long> s : sentAsMember.entrySet())
        {
            final String key = s.getKey();
            final String sender = key.substring(0, key.lastIndexOf('/'));
            final String group = sentTo.get(key);
            final Long leave = lastLeave.get(sender + " " + group);
            if (atEnd.contains(sender) && (leave == null || leave < s.getValue()) &&
                !deliveredBy.getOrDefault(sender, Set.of()).contains(key))
            {
                out.add("silent loss: " + sender + " sent " + key + " " + ServiceType.name(sentService.get(key)) +
                    " to " + group + " as a member, stayed, and never got it; what it got of " + group +
                    " from then on: " + after(sender, group, sentAt.get(key)));
            }
        }
        // (group, view) -> messages delivered in it in a regular configuration
        final Map<String, List<String>> inView = new HashMap<>();
        for (final Map.Entry<String, Long> m : messageView.entrySet())
        {
            inView.computeIfAbsent(sentTo.get(m.getKey()) + " " + m.getValue(), k -> new ArrayList<>()).add(m.getKey());
        }
        for (final Map.Entry<String, Map<String, List<Long>>> r : sequences.entrySet())
        {
            final String receiver = r.getKey();
            for (final Map.Entry<String, List<Long>> g : r.getValue().entrySet())
            {
                final String group = g.getKey();
                final List<Long> ids = g.getValue();
                final List<List<String>> lists = sequenceMembers.get(receiver).get(group);
                final Set<String> lastWith = trailing.getOrDefault(receiver, Map.of()).get(group);
                for (int i = 0; i < ids.size(); i++)
                {
                    final boolean last = i + 1 == ids.size();
                    if (last && !atEnd.contains(receiver))
                    {
                        continue;
                    }
                    final Set<String> got = delivered.getOrDefault(receiver, Map.of()).getOrDefault(group, Map.of())
                        .getOrDefault(ids.get(i), Set.of());
                    int missing = 0;
                    String example = null;
                    for (final String key : inView.getOrDefault(group + " " + ids.get(i), List.of()))
                    {
                        final String sender = key.substring(0, key.lastIndexOf('/'));
                        final boolean stayed = last ? lastWith == null || lastWith.contains(sender) :
                            lists.get(i + 1).contains(sender);
                        if (!got.contains(key) && stayed)
                        {
                            missing++;
                            example = example == null ? key : example;
                        }
                    }
                    if (missing > 0)
                    {
                        out.add("silent loss: " + receiver + " missed " + missing + " message(s) delivered elsewhere in " +
                            group + "/" + ids.get(i) + " (e.g. " + example + ") though " + (last ?
                            "it stayed in that view to the end" : "their sender is still in its next view " +
                            ids.get(i + 1)) + "\n  " + receiver + ": " +
                            around(receiver, group + " " + ids.get(i) + " -> x"));
                    }
                }
            }
        }
    }

    /** A member's entries of one group from a position on, for a failure message. */
    private String after(final String receiver, final String group, final int from)
    {
        final List<String> lines = new ArrayList<>();
        final List<Entry> entries = received.getOrDefault(receiver, List.of());
        for (int i = from; i < entries.size() && lines.size() < 30; i++)
        {
            if (entries.get(i).group.equals(group))
            {
                lines.add(entries.get(i).toString());
            }
        }
        return lines.toString();
    }

    /** A member's entries of one group around a view, for a failure message. */
    private String around(final String receiver, final String move)
    {
        final String group = move.substring(0, move.indexOf(' '));
        final long view = Long.parseLong(move.substring(move.indexOf(' ') + 1, move.indexOf(" -> ")));
        final List<String> lines = new ArrayList<>();
        boolean in = false;
        for (final Entry e : received.getOrDefault(receiver, List.of()))
        {
            if (!e.group.equals(group))
            {
                continue;
            }
            if (e.view && e.viewId == view)
            {
                in = true;
            }
            else if (e.view && in && regular(e))
            {
                lines.add(e.toString());
                break;
            }
            if (in)
            {
                lines.add(e.toString());
            }
        }
        return lines.size() > 40 ? lines.subList(0, 40) + "..." : lines.toString();
    }

    private static String head(final Set<String> keys)
    {
        final List<String> list = new ArrayList<>(keys);
        return list.size() > 5 ? list.subList(0, 5) + "..." : list.toString();
    }

    private static void checkTotalOrder(final List<String> out, final Map<String, List<String>> ordered)
    {
        final List<String> receivers = new ArrayList<>(ordered.keySet());
        for (int a = 0; a < receivers.size(); a++)
        {
            for (int b = a + 1; b < receivers.size(); b++)
            {
                final List<String> pa = ordered.get(receivers.get(a));
                final List<String> pb = ordered.get(receivers.get(b));
                final Set<String> inB = new HashSet<>(pb);
                final Set<String> inA = new HashSet<>(pa);
                final List<String> fa = new ArrayList<>();
                for (final String k : pa)
                {
                    if (inB.contains(k))
                    {
                        fa.add(k);
                    }
                }
                final List<String> fb = new ArrayList<>();
                for (final String k : pb)
                {
                    if (inA.contains(k))
                    {
                        fb.add(k);
                    }
                }
                if (!fa.equals(fb))
                {
                    int i = 0;
                    while (i < fa.size() && fa.get(i).equals(fb.get(i)))
                    {
                        i++;
                    }
                    out.add("total order differs between " + receivers.get(a) + " and " + receivers.get(b) +
                        " at common message " + i + ": " + fa.get(i) + " vs " + fb.get(i));
                }
            }
        }
    }

    /**
     * Frame decoding for recorders outside the simulation (real clients).
     */
    static boolean isRecorded(final DirectBuffer buffer, final int offset)
    {
        final int type = FrameHeader.type(buffer, offset);
        return type == FrameType.DATA || type == FrameType.MEMBERSHIP;
    }

    static int serviceOf(final DirectBuffer buffer, final int offset)
    {
        return DataFrame.service(buffer, offset) & ServiceType.LEVEL_MASK;
    }
}
