package io.msgc.bench.rig;

import io.msgc.client.InProcessMember;
import io.msgc.client.Message;
import io.msgc.client.MessageHandler;
import io.msgc.client.MsgcException;
import io.msgc.server.MsgcServer;
import org.agrona.DirectBuffer;

/**
 * An endpoint that is an in-process member of an embedded server ({@link InProcessMember}): sends go into its
 * request ring, deliveries come zero-copy from its delivery ring. Polled by the driver (busy-spin), or threaded
 * on the member's own thread, which parks when idle and is unparked by the server.
 */
final class InProcessEndpoint implements Endpoint, MessageHandler
{
    private static final int POLL_LIMIT = 4096;

    private final InProcessMember member;
    private final String[] destination;
    private final int service;
    private final boolean threaded;
    private PayloadHandler handler;
    private volatile String failure;

    /**
     * Attach, join {@code group}, and aim every send at {@code destination}.
     *
     * @param server      the embedded server.
     * @param name        private name.
     * @param group       group to join (may be null).
     * @param destination group to send to.
     * @param service     service level of every send.
     * @param threaded    read on the member's own thread after {@link #start}.
     * @throws MsgcException when the server refuses.
     */
    InProcessEndpoint(
        final MsgcServer server,
        final String name,
        final String group,
        final String destination,
        final int service,
        final boolean threaded) throws MsgcException
    {
        member = server.attach(name);
        this.destination = new String[]{destination};
        this.service = service;
        this.threaded = threaded;
        if (group != null && member.join(group) < 0)
        {
            throw new IllegalStateException("cannot queue join of " + group);
        }
    }

    @Override
    public boolean send(final DirectBuffer payload, final int offset, final int length)
    {
        final long result = member.multicast(service, 0, payload, offset, length, destination, 1);
        if (result == InProcessMember.CLOSED)
        {
            failure = failure == null ? "member detached" : failure;
        }
        return result > 0;
    }

    @Override
    public int poll(final PayloadHandler handler)
    {
        if (threaded)
        {
            return 0;
        }
        this.handler = handler;
        return member.poll(this, POLL_LIMIT);
    }

    @Override
    public boolean threaded()
    {
        return threaded;
    }

    @Override
    public void start(final PayloadHandler handler)
    {
        this.handler = handler;
        member.startThread(this);
    }

    @Override
    public String failure()
    {
        return failure;
    }

    @Override
    public void onMessage(final Message message)
    {
        handler.onPayload(message.buffer(), message.payloadOffset(), message.payloadLength());
    }

    @Override
    public void onError(final long correlationId, final int code, final String reason)
    {
        failure = "error " + code + ": " + reason;
    }

    @Override
    public void onDisconnect(final String reason, final long unsentFrames, final boolean reconnecting)
    {
        failure = "disconnected: " + reason + " (" + unsentFrames + " frames unsent)";
    }

    @Override
    public void close()
    {
        member.close();
    }
}
