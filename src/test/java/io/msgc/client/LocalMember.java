package io.msgc.client;

import io.msgc.server.Cluster;
import io.msgc.server.MsgcServer;
import io.msgc.wire.ErrorCode;
import io.msgc.wire.ServiceType;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * An in-process member for tests, the counterpart of {@link TestMember}: an {@link InProcessMember} reading on its
 * own thread (parking when idle, unless told otherwise) and recording every message, view, error and session end
 * in thread-safe queues.
 */
public final class LocalMember implements AutoCloseable
{
    public final ConcurrentLinkedQueue<TestMember.Received> messages = new ConcurrentLinkedQueue<>();
    public final ConcurrentLinkedQueue<TestMember.View> views = new ConcurrentLinkedQueue<>();
    public final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    public final ConcurrentLinkedQueue<Long> errorIds = new ConcurrentLinkedQueue<>();
    public final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();
    public final InProcessMember member;
    /** Times {@link #send} found the member back-pressured. */
    public volatile long backPressured;
    private final UnsafeBuffer payload = new UnsafeBuffer(new byte[1024 * 1024]);
    private volatile int slowEvery;
    private volatile long slowNanos;
    private long slowCount;

    /** Records everything it is given. */
    public final MessageHandler handler = new MessageHandler()
    {
        public void onMessage(final Message message)
        {
            messages.add(new TestMember.Received(message));
            final int every = slowEvery;
            if (every > 0 && ++slowCount % every == 0)
            {
                LockSupport.parkNanos(slowNanos);
            }
        }

        public void onMembership(final MembershipView view)
        {
            views.add(new TestMember.View(view));
        }

        public void onError(final long correlationId, final int code, final String reason)
        {
            errorIds.add(correlationId);
            errors.add(ErrorCode.name(code) + ": " + reason);
        }

        public void onDisconnect(final String reason, final long unsent, final boolean reconnecting)
        {
            events.add("disconnect " + reason + " unsent=" + unsent);
        }
    };

    private LocalMember(final InProcessMember member)
    {
        this.member = member;
    }

    /**
     * Attach and read on the member's own parking thread.
     *
     * @param server the embedded server.
     * @param name   private name.
     * @return the member.
     */
    public static LocalMember attach(final MsgcServer server, final String name) throws MsgcException
    {
        return attach(server, name, null);
    }

    /**
     * Attach and read on the member's own thread with an idle strategy (null parks).
     *
     * @param server the embedded server.
     * @param name   private name.
     * @param idle   idle strategy.
     * @return the member.
     */
    public static LocalMember attach(final MsgcServer server, final String name, final IdleStrategy idle)
        throws MsgcException
    {
        final LocalMember m = new LocalMember(server.attach(name));
        m.member.startThread(m.handler, idle);
        return m;
    }

    /**
     * Attach without a reading thread: the test calls {@code member.poll(handler, ...)} itself, or never reads.
     *
     * @param server the embedded server.
     * @param name   private name.
     * @return the member.
     */
    public static LocalMember attachUnread(final MsgcServer server, final String name) throws MsgcException
    {
        return new LocalMember(server.attach(name));
    }

    /**
     * @return the member id.
     */
    public String id()
    {
        return member.memberId();
    }

    /**
     * A slow reader: the handler parks after every {@code every} messages.
     *
     * @param every   messages between two sleeps; 0 for full speed.
     * @param sleepNs each sleep.
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
        if (member.join(group) < 0)
        {
            throw new AssertionError("join of " + group + " refused");
        }
        awaitView(v -> v.group.equals(group) && v.changed.contains(id()), "own join of " + group);
    }

    /**
     * Send one message whose payload starts with {@code sequence}; retries while back-pressured.
     *
     * @param service  service level.
     * @param sequence number in the first 8 payload bytes.
     * @param size     payload size (at least 8).
     * @param groups   destinations.
     */
    public void send(final int service, final long sequence, final int size, final String... groups)
    {
        payload.putLong(0, sequence);
        final long deadline = System.currentTimeMillis() + 10_000;
        long result;
        while ((result = member.multicast(service, 1, payload, 0, size, groups)) == InProcessMember.BACK_PRESSURED)
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
     * @param sequence number in the payload.
     * @param groups   destinations.
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
    public TestMember.View awaitView(final Predicate<TestMember.View> match, final String what)
    {
        final TestMember.View[] found = new TestMember.View[1];
        Cluster.await(id() + " gets view: " + what + " (has " + views + ")", 5000, () ->
        {
            for (final TestMember.View v : views)
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
     * @param count     messages to wait for.
     * @param timeoutMs longest wait.
     */
    public void awaitMessages(final int count, final long timeoutMs)
    {
        Cluster.await(id() + " receives " + count + " messages (has " + messages.size() + ")", timeoutMs,
            () -> messages.size() >= count);
    }

    /** {@inheritDoc} */
    public void close()
    {
        member.close();
    }
}
