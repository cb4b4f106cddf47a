package io.msgc.client;

/**
 * Receives what {@link MsgcClient#poll} delivers. Flyweights passed in are valid only during the call.
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
     * The server refused a request (bad group name, limit, malformed frame).
     *
     * @param code   {@link io.msgc.wire.ErrorCode}.
     * @param reason the server's reason.
     */
    default void onError(int code, String reason)
    {
    }

    /**
     * The connection to the server was lost or closed. Frames queued but not yet written are counted.
     *
     * @param reason        why.
     * @param unsentFrames  frames queued by the application that never reached the server.
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
