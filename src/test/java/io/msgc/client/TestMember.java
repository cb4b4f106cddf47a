package io.msgc.client;

import io.msgc.conf.ClientConfig;
import io.msgc.server.Cluster;
import io.msgc.wire.ServiceType;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * A member for tests: a {@link MsgcClient} on its own I/O thread (the default one of
 * {@link MsgcClient#startThread(MessageHandler)}) that records every message, view, error and
 * connection event in thread-safe queues.
 */
public final class TestMember implements AutoCloseable
{
    /** A received data message, copied out of the flyweight. */
    public static final class Received
    {
        public final String sender;
        public final List<String> groups = new ArrayList<>();
        public final int service;
        public final short msgType;
        public final byte[] payload;

        Received(final Message m)
        {
            sender = m.sender();
            for (int i = 0; i < m.groupCount(); i++)
            {
                groups.add(m.group(i));
            }
            service = m.service();
            msgType = m.msgType();
            payload = new byte[m.payloadLength()];
            m.payload().getBytes(0, payload);
        }

        /**
         * @return the payload's first 8 bytes as a little-endian long (tests put sequence numbers there).
         */
        public long sequence()
        {
            return new UnsafeBuffer(payload).getLong(0);
        }
    }

    /** A membership view, copied. */
    public static final class View
    {
        public final String group;
        public final long viewId;
        public final MembershipView.Cause cause;
        public final List<String> members;
        public final int myIndex;
        public final List<String> changed;

        View(final MembershipView v)
        {
            group = v.group();
            viewId = v.viewId();
            cause = v.cause();
            members = v.members();
            myIndex = v.myIndex();
            changed = v.changed();
        }

        /** {@inheritDoc} */
        public String toString()
        {
            return group + "/" + viewId + "/" + cause + "/" + members + "/me=" + myIndex + "/changed=" + changed;
        }
    }

    public final ConcurrentLinkedQueue<Received> messages = new ConcurrentLinkedQueue<>();
    public final ConcurrentLinkedQueue<View> views = new ConcurrentLinkedQueue<>();
    public final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    /** The correlation id of each error in {@link #errors}, in the same order. */
    public final ConcurrentLinkedQueue<Long> errorIds = new ConcurrentLinkedQueue<>();
    public final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
    public final MsgcClient client;
    /** Times {@link #send} found the client back-pressured. */
    public volatile long backPressured;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[64 * 1024]);
    private volatile int slowEvery;
    private volatile long slowNanos;
    private long slowCount;

    private TestMember(final MsgcClient client)
    {
        this.client = client;
        client.startThread(new MessageHandler()
        {
            public void onMessage(final Message message)
            {
                messages.add(new Received(message));
                final int every = slowEvery;
                if (every > 0 && ++slowCount % every == 0)
                {
                    LockSupport.parkNanos(slowNanos);
                }
            }

            public void onMembership(final MembershipView view)
            {
                views.add(new View(view));
            }

            public void onError(final long correlationId, final int code, final String reason)
            {
                errorIds.add(correlationId);
                errors.add(io.msgc.wire.ErrorCode.name(code) + ": " + reason);
            }

            public void onDisconnect(final String reason, final long unsent, final boolean reconnecting)
            {
                events.add("disconnect " + reason);
            }

            public void onConnect(final String memberId)
            {
                events.add("connect " + memberId);
            }
        });
    }

    /**
     * @param name    private name.
     * @param config  client config.
     * @return a connected member.
     */
    public static TestMember connect(final String name, final ClientConfig config) throws MsgcException
    {
        return new TestMember(MsgcClient.connect(config));
    }

    /**
     * @param name   private name.
     * @param server server address.
     * @return a connected member, no reconnect.
     */
    public static TestMember connect(final String name, final InetSocketAddress server) throws MsgcException
    {
        return connect(name, ClientConfig.builder().server(server.getHostString(), server.getPort())
            .name(name).reconnect(false).connectTimeout(3).build());
    }

    /**
     * A slow reader: the handler sleeps after every {@code every} messages.
     *
     * @param every    messages between two sleeps; 0 for full speed.
     * @param sleepNs  each sleep.
     */
    public void slowDown(final int every, final long sleepNs)
    {
        slowNanos = sleepNs;
        slowEvery = every;
    }

    /**
     * Join and wait for the own JOIN view.
     *
     * @param group group.
     */
    public void joinAndWait(final String group)
    {
        client.join(group);
        awaitView(v -> v.group.equals(group) && v.changed.contains(client.memberId()), "own join of " + group);
    }

    /**
     * Send one message whose payload starts with {@code sequence}; retries while back-pressured.
     *
     * @param service  service level.
     * @param sequence number written in the first 8 payload bytes.
     * @param size     payload size (at least 8).
     * @param groups   destinations.
     */
    public void send(final int service, final long sequence, final int size, final String... groups)
    {
        payload.putLong(0, sequence);
        final long deadline = System.currentTimeMillis() + 10_000;
        long result;
        while ((result = client.multicast(service, 1, payload, 0, size, groups)) == MsgcClient.BACK_PRESSURED)
        {
            backPressured++;
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("back-pressured for 10 s");
            }
            Thread.onSpinWait();
        }
        if (result < 0)
        {
            throw new AssertionError("multicast failed: " + result);
        }
    }

    /**
     * @param groups destinations.
     * @param sequence number in the payload.
     */
    public void send(final long sequence, final String... groups)
    {
        send(ServiceType.FIFO, sequence, 16, groups);
    }

    /**
     * Wait for a view matching the predicate.
     *
     * @param match predicate.
     * @param what  description.
     * @return the view.
     */
    public View awaitView(final Predicate<View> match, final String what)
    {
        final View[] found = new View[1];
        Cluster.await(client.privateName() + " gets view: " + what + " (has " + views + ")", 5000, () ->
        {
            for (final View v : views)
            {
                if (match.test(v))
                {
                    found[0] = v;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    /**
     * @param count messages to wait for.
     * @param timeoutMs longest wait.
     */
    public void awaitMessages(final int count, final long timeoutMs)
    {
        final int before = messages.size();
        try
        {
            Cluster.await(client.privateName() + " receives " + count + " messages", timeoutMs,
                () -> messages.size() >= count);
        }
        catch (final AssertionError e)
        {
            throw new AssertionError(e.getMessage() + ": had " + before + " at the start, " + messages.size() +
                " at the end; events " + events + ", errors " + errors, e);
        }
    }

    /**
     * @param group a group.
     * @return the last view received for it.
     */
    public View lastView(final String group)
    {
        View last = null;
        for (final View v : views)
        {
            if (v.group.equals(group))
            {
                last = v;
            }
        }
        return last;
    }

    /** {@inheritDoc} */
    public void close()
    {
        client.close();
    }
}
