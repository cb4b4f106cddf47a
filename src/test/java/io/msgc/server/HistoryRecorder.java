package io.msgc.server;

import io.msgc.client.MembershipView;
import io.msgc.client.Message;
import io.msgc.client.MessageHandler;
import io.msgc.client.MsgcClient;
import io.msgc.client.MsgcException;
import io.msgc.conf.ClientConfig;
import io.msgc.wire.ErrorCode;
import io.msgc.wire.MembershipFrame;
import io.msgc.wire.ServiceType;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;

/**
 * The {@link History} checker over real clients: each {@link Member} is a {@link MsgcClient} on its own I/O thread
 * that records every message it delivers (sender, the per-sender sequence number in the first 8 payload bytes,
 * service, group) and every membership view (group, id, cause, members, own index), in delivery order, so the view
 * each message was delivered in is the view before it. Sends are recorded too, with whether the sender was in the
 * group then, so that a message lost while its sender stayed is found. Members do not reconnect: a member whose
 * server dies is gone, and only members still connected at the end take part in the end-of-run checks.
 */
public final class HistoryRecorder implements AutoCloseable
{
    private static final int PAYLOAD = 16;

    private final History history = new History(new String[0]);
    private final List<Member> members = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    /** Deliveries per service level bit (index = log2 of the level). */
    private final AtomicLongArray deliveredByLevel = new AtomicLongArray(8);

    /**
     * A recorded member. Only one thread at a time may send, join or leave for a member (the workload's driver).
     */
    public final class Member implements AutoCloseable
    {
        private final MsgcClient client;
        private final String memberId;
        private final int node;
        private final UnsafeBuffer payload = new UnsafeBuffer(new byte[PAYLOAD]);
        private final Set<String> groups = new HashSet<>();
        private volatile boolean disconnected;
        private volatile boolean closed;
        private long sequence;

        private Member(final MsgcClient client, final int node)
        {
            this.client = client;
            this.memberId = client.memberId();
            this.node = node;
            history.connected(memberId);
            client.startThread(new MessageHandler()
            {
                public void onMessage(final Message m)
                {
                    final int level = m.service() & ServiceType.LEVEL_MASK;
                    deliveredByLevel.incrementAndGet(Integer.numberOfTrailingZeros(level));
                    history.data(memberId, m.sender(), m.group(0), m.payload().getLong(0), level);
                }

                public void onMembership(final MembershipView v)
                {
                    history.view(memberId, v.group(), v.viewId(), v.cause().ordinal() + 1,
                        new ArrayList<>(v.members()), v.myIndex());
                }

                public void onError(final int code, final String reason)
                {
                    // a server that stops says so to its members: expected when a test stops one
                    if (code != ErrorCode.SHUTDOWN)
                    {
                        errors.add(memberId + ": " + ErrorCode.name(code) + ": " + reason);
                    }
                }

                public void onDisconnect(final String reason, final long unsent, final boolean reconnecting)
                {
                    disconnected = true;
                    history.disconnected(memberId);
                }

                public void onConnect(final String id)
                {
                }
            }, new BackoffIdleStrategy(10, 10, 1000, 200_000));
        }

        /**
         * @return the member id {@code #name#node}.
         */
        public String memberId()
        {
            return memberId;
        }

        /**
         * @return the index (1-based) of the node it was connected to, as given to {@link #connect}.
         */
        public int node()
        {
            return node;
        }

        /**
         * @return true while connected and not closed by the test.
         */
        public boolean alive()
        {
            return !closed && !disconnected && client.isConnected();
        }

        /**
         * @return the groups this member asked to join and did not ask to leave.
         */
        public Set<String> groups()
        {
            return groups;
        }

        /**
         * Ask to join a group it is not in (by its own requests).
         *
         * @param group group.
         * @return true when the request was queued.
         */
        public boolean join(final String group)
        {
            if (!alive() || groups.contains(group) || client.join(group) < 0)
            {
                return false;
            }
            history.requested(memberId, group, true);
            groups.add(group);
            return true;
        }

        /**
         * Ask to leave a group.
         *
         * @param group group.
         * @return true when the request was queued.
         */
        public boolean leave(final String group)
        {
            // recorded first: a self-leave that arrives before the record would leave it pending for ever
            history.requested(memberId, group, false);
            if (!alive() || client.leave(group) < 0)
            {
                return false;
            }
            groups.remove(group);
            return true;
        }

        /**
         * Send the next message of this member's sequence; it is recorded as sent only when queued.
         *
         * @param service service level.
         * @param group   destination.
         * @return true when queued; false when back-pressured, disconnected or closed (nothing was sent).
         */
        public boolean send(final int service, final String group)
        {
            if (!alive())
            {
                return false;
            }
            final long seq = sequence + 1;
            payload.putLong(0, seq);
            // recorded before it can be delivered, with the views the sender had seen before sending it
            history.sent(memberId, seq, group, service);
            if (client.multicast(service, 1, payload, 0, PAYLOAD, group) < 0)
            {
                history.unsent(memberId, seq);
                return false;
            }
            sequence = seq;
            return true;
        }

        /**
         * @return messages sent.
         */
        public long sent()
        {
            return sequence;
        }

        /**
         * Disconnect: the member is gone (it is not checked at the end).
         */
        public void close()
        {
            // MsgcClient.close throws ClosedSelectorException the second time
            if (!closed)
            {
                closed = true;
                client.close();
            }
        }
    }

    /**
     * Connect a member (no reconnect).
     *
     * @param name   private name, unique in the run (member ids must not come back).
     * @param node   the node's index, for the workload.
     * @param server the node's address.
     * @return the member, recording.
     * @throws MsgcException when the server refused or did not answer within 3 s.
     */
    public Member connect(final String name, final int node, final InetSocketAddress server) throws MsgcException
    {
        final MsgcClient client = MsgcClient.connect(ClientConfig.builder()
            .server(server.getHostString(), server.getPort()).name(name).reconnect(false).connectTimeout(3)
            .maxFrameSize(64 * 1024).sendQueueCapacity(512 * 1024).build()); // 1 MiB of queue, not 16: many members
        final Member m = new Member(client, node);
        members.add(m);
        return m;
    }

    /**
     * @return every member connected so far.
     */
    public List<Member> members()
    {
        return members;
    }

    /**
     * @return members still connected.
     */
    public List<Member> alive()
    {
        final List<Member> out = new ArrayList<>();
        for (final Member m : members)
        {
            if (m.alive())
            {
                out.add(m);
            }
        }
        return out;
    }

    /**
     * @return messages delivered, all members together.
     */
    public long delivered()
    {
        return history.messages();
    }

    /**
     * @param level a {@link ServiceType} level.
     * @return messages of that level delivered, all members together.
     */
    public long delivered(final int level)
    {
        return deliveredByLevel.get(Integer.numberOfTrailingZeros(level));
    }

    /**
     * @return views delivered, all members together.
     */
    public long views()
    {
        return history.views();
    }

    /**
     * @param memberId a member.
     * @param group    a group.
     * @return the last view of the group the member got, as {@code "id CAUSE [members]"}, or null.
     */
    public String lastView(final String memberId, final String group)
    {
        final History.Entry last = lastEntry(memberId, group);
        return last == null ? null : last.viewId + " " + MembershipFrame.causeName(last.cause) + " " + last.members;
    }

    private History.Entry lastEntry(final String memberId, final String group)
    {
        History.Entry last = null;
        for (final History.Entry e : history.of(memberId))
        {
            if (e.view && e.group.equals(group))
            {
                last = e;
            }
        }
        return last;
    }

    /**
     * @param cause a MEMBERSHIP cause ({@link MembershipFrame} CAUSE_*).
     * @return views of that cause delivered, all members together.
     */
    public long views(final int cause)
    {
        long count = 0;
        for (final Member m : members)
        {
            for (final History.Entry e : history.of(m.memberId))
            {
                if (e.view && e.cause == cause)
                {
                    count++;
                }
            }
        }
        return count;
    }

    /**
     * @return deliveries per level and views per cause, on one line.
     */
    public String summary()
    {
        final StringBuilder sb = new StringBuilder().append(members.size()).append(" members, deliveries");
        for (final int level : new int[]{
            ServiceType.RELIABLE, ServiceType.FIFO, ServiceType.CAUSAL, ServiceType.AGREED, ServiceType.SAFE})
        {
            sb.append(' ').append(ServiceType.name(level)).append('=').append(delivered(level));
        }
        sb.append(", views");
        for (int cause = MembershipFrame.CAUSE_JOIN; cause <= MembershipFrame.CAUSE_TRANSITIONAL; cause++)
        {
            sb.append(' ').append(MembershipFrame.causeName(cause)).append('=').append(views(cause));
        }
        return sb.toString();
    }

    /**
     * @return errors the servers sent to members (but SHUTDOWN): each one fails {@link #awaitClean}.
     */
    public List<String> errors()
    {
        return new ArrayList<>(errors);
    }

    /**
     * Check every guarantee; members still connected must agree on their last views, and each group must end in
     * one view of exactly the members still in it.
     *
     * @return the problems, empty when none.
     */
    public List<String> check()
    {
        final Set<String> atEnd = new HashSet<>();
        final Map<String, Set<String>> in = new TreeMap<>();
        for (final Member m : alive())
        {
            atEnd.add(m.memberId);
            for (final String group : m.groups)
            {
                in.computeIfAbsent(group, k -> new TreeSet<>()).add(m.memberId);
            }
        }
        final List<String> problems = new ArrayList<>(history.check(atEnd));
        // the end of a quiet run: every group in one view, the same at each member, of exactly the members in it
        for (final Map.Entry<String, Set<String>> g : in.entrySet())
        {
            final Map<String, List<String>> lastViews = new TreeMap<>();
            boolean exact = true;
            for (final String id : g.getValue())
            {
                final History.Entry last = lastEntry(id, g.getKey());
                exact &= last != null && new TreeSet<>(last.members).equals(g.getValue());
                lastViews.computeIfAbsent(String.valueOf(last), k -> new ArrayList<>()).add(id);
            }
            if (lastViews.size() != 1 || !exact)
            {
                problems.add("group " + g.getKey() + " does not end in one view of its members " + g.getValue() +
                    ": last views " + lastViews);
            }
        }
        return problems;
    }

    /**
     * Wait, bounded, until the run is quiet and every guarantee holds: the check passes twice, 300 ms apart, with
     * nothing delivered in between. Fails with the problems, the seed and what {@code detail} adds (log tails).
     *
     * @param what      the run, with its seed, for the failure message.
     * @param timeoutMs longest wait.
     * @param detail    computed on failure.
     */
    public void awaitClean(final String what, final long timeoutMs, final Supplier<String> detail)
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        List<String> problems = List.of();
        long before = -1;
        while (System.currentTimeMillis() < deadline)
        {
            final long count = history.messages() + history.views();
            problems = check();
            if (problems.isEmpty() && count == before && errors.isEmpty())
            {
                return;
            }
            before = problems.isEmpty() ? count : -1;
            try
            {
                Thread.sleep(300);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError(what + ": guarantees broken (or the run never went quiet within " + timeoutMs +
            " ms); " + delivered() + " deliveries, " + views() + " views\n" + String.join("\n", problems) +
            (errors.isEmpty() ? "" : "\nerrors: " + errors) + "\n--- detail\n" + detail.get());
    }

    /** {@inheritDoc} */
    public void close()
    {
        for (final Member m : members)
        {
            m.close();
        }
    }
}
