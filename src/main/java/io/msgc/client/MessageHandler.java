package io.msgc.client;

/**
 * Receives what {@link MsgcClient#poll} delivers, on the client's I/O thread. Flyweights passed in are valid only
 * during the call. A method that throws does not stop the client: the exception goes once to the configured
 * error handler ({@link io.msgc.conf.ClientConfig.Builder#errorHandler}) and the message or event it failed on is
 * skipped; it is never delivered again.
 */
public interface MessageHandler
{
    /**
     * A data message.
     *
     * @param message view over the received frame: sender, groups, type, service, payload (zero copy).
     */
    void onMessage(Message message);

    /**
     * A membership message: a new view of a group the client is in, or a self-leave notice.
     *
     * @param view the view.
     */
    default void onMembership(MembershipView view)
    {
    }

    /**
     * The server refused a request (bad group name, limit, malformed frame), or the client skipped a malformed
     * frame from the server. The default calls {@link #onError(int, String)}: implement either.
     *
     * @param correlationId what {@link MsgcClient#multicast}, {@link MsgcClient#join} or {@link MsgcClient#leave}
     *                      returned for the refused call; 0 when the error is about no call of this client (a
     *                      malformed frame from the server, a re-join after a reconnect).
     * @param code          {@link io.msgc.wire.ErrorCode}.
     * @param reason        the server's reason.
     */
    default void onError(long correlationId, int code, String reason)
    {
        onError(code, reason);
    }

    /**
     * As {@link #onError(long, int, String)} without the correlation id; called only by its default.
     *
     * @param code   {@link io.msgc.wire.ErrorCode}.
     * @param reason the server's reason.
     */
    default void onError(int code, String reason)
    {
    }

    /**
     * The connection to the server was lost. Not called by {@link MsgcClient#close()}.
     * <p>
     * {@code unsentFrames} is exact for what the library held: every message accepted by
     * {@link MsgcClient#multicast} (a positive return) on this connection that the library had not yet written
     * in full to the socket, whether it was still in the send queue or in the socket's write buffer (a message
     * written in part counts as unsent). Messages the library did write may still have been lost with the
     * connection: the kernel's socket buffers on either side (typically up to a few MiB) and the server's own
     * buffers are beyond its sight. JOIN and LEAVE are not counted: the client re-joins on reconnect.
     *
     * @param reason        why.
     * @param unsentFrames  messages the library held and never wrote to the server.
     * @param reconnecting  true when the client will reconnect and re-join its groups.
     */
    default void onDisconnect(String reason, long unsentFrames, boolean reconnecting)
    {
    }

    /**
     * Connected (again) to a server; groups are being re-joined, fresh views follow.
     *
     * @param memberId the member id on this connection.
     */
    default void onConnect(String memberId)
    {
    }
}
