package io.msgc.bench.rig;

import io.msgc.client.Message;
import io.msgc.client.MessageHandler;
import io.msgc.client.MsgcClient;
import io.msgc.client.MsgcException;
import io.msgc.conf.ClientConfig;
import org.agrona.DirectBuffer;

/**
 * An endpoint on the real msgc client library: multicast to one group at the scenario's service level, payloads
 * delivered zero-copy from the client's read buffer. Polled by the driver, or threaded: the client's own thread
 * from {@link MsgcClient#startThread(MessageHandler)}, which waits in epoll when idle (the default profile).
 */
final class MsgcEndpoint implements Endpoint, MessageHandler
{
    private static final int POLL_LIMIT = 4096;

    private final MsgcClient client;
    private final String[] destination;
    private final int service;
    private final boolean threaded;
    private PayloadHandler handler;
    private volatile String failure;

    /**
     * Connect, join {@code group}, and aim every send at {@code destination}.
     *
     * @param host        server host.
     * @param port        server port.
     * @param name        private name.
     * @param group       group to join (may be null).
     * @param destination group to send to.
     * @param service     service level of every send.
     * @param threaded    read on the client's own thread after {@link #start}.
     * @throws MsgcException when the server refuses.
     */
    MsgcEndpoint(
        final String host,
        final int port,
        final String name,
        final String group,
        final String destination,
        final int service,
        final boolean threaded)
        throws MsgcException
    {
        client = MsgcClient.connect(ClientConfig.builder()
            .server(host, port)
            .name(name)
            .reconnect(false)
            .sendQueueCapacity(8 * 1024 * 1024)
            .secret(MsgcTopology.SECRET)
            .build());
        this.destination = new String[]{destination};
        this.service = service;
        this.threaded = threaded;
        if (group != null && client.join(group) < 0)
        {
            throw new IllegalStateException("cannot queue join of " + group);
        }
    }

    @Override
    public boolean send(final DirectBuffer payload, final int offset, final int length)
    {
        final long result = client.multicast(service, 0, payload, offset, length, destination, 1);
        if (result == MsgcClient.NOT_CONNECTED || result == MsgcClient.CLOSED)
        {
            failure = failure == null ? "client not connected" : failure;
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
        return client.poll(this, POLL_LIMIT);
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
        client.startThread(this);
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
        client.close();
    }
}
