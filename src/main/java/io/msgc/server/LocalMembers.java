package io.msgc.server;

import io.msgc.io.MemberChannel;
import io.msgc.io.Poller;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * The in-process members of an embedded server: each is a {@link ClientSession} whose frames go to a
 * {@link MemberChannel}'s delivery ring instead of a socket, and whose requests the loop reads from the channel's
 * request ring, up to {@code messages_per_iter} per member per turn, starting from a member that moves on every
 * turn. Requests then take the path of a socket client's frames. Owned by the event loop; only {@link #wake()}
 * runs on other threads.
 * <p>
 * Closes are queued and run at the end of the turn ({@link #drainCloses()}), never inside a loop over receivers.
 */
final class LocalMembers
{
    /**
     * The server side of requests and session ends.
     */
    interface Host
    {
        /**
         * A request from an in-process member: handled as the same frame from a socket client.
         *
         * @param session the member.
         * @param buffer  frame bytes (may be stamped in place).
         * @param offset  frame start.
         * @param length  frame length.
         */
        void onMemberFrame(ClientSession session, MutableDirectBuffer buffer, int offset, int length);

        /**
         * An in-process member's session ended: it leaves its groups, as a closed connection's member does.
         *
         * @param session the member.
         * @param reason  why.
         */
        void onMemberClosed(ClientSession session, String reason);
    }

    /** One in-process member. */
    private static final class Entry
    {
        final ClientSession session;
        final MemberChannel channel;
        final ManyToOneRingBuffer requests;
        String closeReason;

        Entry(final ClientSession session, final MemberChannel channel)
        {
            this.session = session;
            this.channel = channel;
            this.requests = channel.requests();
        }
    }

    private final Host host;
    private final Poller poller;
    private final int requestsPerTurn;
    private final ControlledMessageHandler reader = this::onRequest;
    private final ArrayList<Entry> closing = new ArrayList<>();
    private Entry[] entries = new Entry[0];
    private int cursor;
    private boolean paused;
    private Entry current;
    /** The loop is about to block, or blocks, in its selector: a member must wake it. */
    private volatile boolean waiting;

    /**
     * @param host            handles requests and ends.
     * @param poller          the loop's poller, whose selector {@link #wake()} wakes.
     * @param requestsPerTurn most requests read from one member per turn ({@code messages_per_iter}).
     */
    LocalMembers(final Host host, final Poller poller, final int requestsPerTurn)
    {
        this.host = host;
        this.poller = poller;
        this.requestsPerTurn = requestsPerTurn;
    }

    /**
     * Add a member; its session's sink must be {@code channel}.
     *
     * @param session the member's session.
     * @param channel its channel.
     */
    void add(final ClientSession session, final MemberChannel channel)
    {
        entries = Arrays.copyOf(entries, entries.length + 1);
        entries[entries.length - 1] = new Entry(session, channel);
    }

    /**
     * @return in-process members attached now.
     */
    int count()
    {
        return entries.length;
    }

    /**
     * Wake the loop if it waits in its selector. Any thread.
     */
    void wake()
    {
        if (waiting)
        {
            poller.wakeup();
        }
    }

    /**
     * @param pause true to stop reading requests (view change, or this node's stream is full), false to go on.
     */
    void pause(final boolean pause)
    {
        paused = pause;
    }

    /**
     * Read each member's requests, up to the per-turn limit, and close the members that closed their side once
     * every request they queued before has been handled.
     *
     * @return requests handled.
     */
    int poll()
    {
        final Entry[] entries = this.entries;
        final int count = entries.length;
        if (count == 0)
        {
            return 0;
        }
        int work = 0;
        final int start = cursor++ % count;
        for (int k = 0; k < count; k++)
        {
            final Entry entry = entries[(start + k) % count];
            if (entry.closeReason != null || paused)
            {
                continue;
            }
            current = entry;
            work += entry.requests.controlledRead(reader, requestsPerTurn);
            if (entry.channel.memberClosed() && entry.closeReason == null && !paused &&
                entry.requests.producerPosition() == entry.requests.consumerPosition())
            {
                close(entry.session, "member closed");
            }
        }
        current = null;
        return work;
    }

    private ControlledMessageHandler.Action onRequest(
        final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
    {
        final Entry entry = current;
        if (paused || entry.closeReason != null)
        {
            return ControlledMessageHandler.Action.ABORT; // left in the ring: a closed one is counted unsent there
        }
        if (msgTypeId == MemberChannel.LARGE_FRAME_RECORD)
        {
            try
            {
                host.onMemberFrame(entry.session, entry.channel.largeSlot(), 0, buffer.getInt(index));
            }
            finally
            {
                entry.channel.releaseLargeSlot();
            }
        }
        else
        {
            host.onMemberFrame(entry.session, buffer, index, length);
        }
        return ControlledMessageHandler.Action.CONTINUE;
    }

    /**
     * End a member's session at the end of the turn: from now on nothing is delivered to it and nothing read from
     * it. Idempotent; the first reason wins.
     *
     * @param session the member (an in-process one).
     * @param reason  why, for the member and the log.
     * @return false when the session is not an in-process member's.
     */
    boolean close(final ClientSession session, final String reason)
    {
        final Entry entry = find(session);
        if (entry == null)
        {
            return false;
        }
        if (entry.closeReason == null)
        {
            entry.closeReason = reason;
            entry.channel.refuseOffers();
            closing.add(entry);
        }
        return true;
    }

    /**
     * @param session a session.
     * @return true when it is an in-process member's and its close was asked for.
     */
    boolean isClosing(final ClientSession session)
    {
        final Entry entry = find(session);
        return entry != null && entry.closeReason != null;
    }

    /**
     * @return true when closes wait for {@link #drainCloses()}.
     */
    boolean hasCloses()
    {
        return !closing.isEmpty();
    }

    /**
     * Run the closes asked for during the turn: tell each member why, then let it leave its groups.
     *
     * @return members closed.
     */
    int drainCloses()
    {
        final int count = closing.size();
        for (int i = 0; i < count; i++)
        {
            final Entry entry = closing.get(i);
            remove(entry);
            entry.channel.serverClosed(entry.closeReason);
            host.onMemberClosed(entry.session, entry.closeReason);
        }
        closing.clear();
        return count;
    }

    /**
     * The server stops: every member hears why; no group changes follow (the node is gone for the others).
     *
     * @param reason why.
     */
    void shutdown(final String reason)
    {
        waiting = false; // the selector closes: nothing may wake it any more
        for (final Entry entry : entries)
        {
            entry.channel.serverClosed(entry.closeReason != null ? entry.closeReason : reason);
        }
        entries = new Entry[0];
        closing.clear();
    }

    /**
     * Before the loop blocks in its selector: publish that it waits, then look once more for work a member may
     * have queued meanwhile. A member held back by a full ring is asked to wake the loop when it reads.
     *
     * @return true when the loop may block; false when there is work (it must not block this turn).
     */
    boolean mayWait()
    {
        final Entry[] entries = this.entries;
        if (entries.length == 0)
        {
            return true;
        }
        waiting = true;
        for (final Entry entry : entries)
        {
            final boolean busy = !paused && entry.closeReason == null &&
                (entry.requests.producerPosition() != entry.requests.consumerPosition() ||
                entry.channel.memberClosed());
            if (busy || holdsBackAndRead(entry))
            {
                waiting = false;
                return false;
            }
        }
        return true;
    }

    private static boolean holdsBackAndRead(final Entry entry)
    {
        final ClientSession session = entry.session;
        if (session.blockedSinceNs == 0 || session.closing)
        {
            return false;
        }
        entry.channel.requestDrainWake();
        return entry.channel.pendingBytes() < session.blockedPending;
    }

    /**
     * The loop is awake again.
     */
    void doneWaiting()
    {
        if (waiting)
        {
            waiting = false;
        }
    }

    /**
     * End of a loop turn: unpark every waiting member whose ring received frames in it. One full fence orders
     * this turn's ring writes before the reads of the members' waiting flags.
     *
     * @return members that received frames.
     */
    int afterTurn()
    {
        int woken = 0;
        final Entry[] entries = this.entries;
        for (int i = 0; i < entries.length; i++)
        {
            final MemberChannel channel = entries[i].channel;
            if (channel.hasWritten())
            {
                if (woken++ == 0)
                {
                    VarHandle.fullFence();
                }
                channel.wakeReader();
            }
        }
        return woken;
    }

    private Entry find(final ClientSession session)
    {
        for (final Entry entry : entries)
        {
            if (entry.session == session)
            {
                return entry;
            }
        }
        return null;
    }

    private void remove(final Entry entry)
    {
        final Entry[] entries = this.entries;
        for (int i = 0; i < entries.length; i++)
        {
            if (entries[i] == entry)
            {
                final Entry[] next = new Entry[entries.length - 1];
                System.arraycopy(entries, 0, next, 0, i);
                System.arraycopy(entries, i + 1, next, i, entries.length - i - 1);
                this.entries = next;
                return;
            }
        }
    }
}
