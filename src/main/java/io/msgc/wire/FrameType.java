package io.msgc.wire;

/**
 * Frame type codes carried in byte 5 of every frame header. See {@code PROTOCOL.md}.
 */
public final class FrameType
{
    /** First frame on every connection: role, name, incarnation, config digest. */
    public static final int HELLO = 1;
    /** Positive answer to HELLO. */
    public static final int WELCOME = 2;
    /** Negative answer to HELLO: code + reason; the sender then closes. */
    public static final int REJECT = 3;
    /** Error on an established connection: code + reason. */
    public static final int ERROR = 4;
    /** Liveness on an otherwise idle link. */
    public static final int HEARTBEAT = 5;
    /** Peer to peer: one change of the sender node's local group members. */
    public static final int MEMBER_SYNC = 6;
    /** Client to server: join a group. */
    public static final int JOIN = 10;
    /** Client to server: leave a group. */
    public static final int LEAVE = 11;
    /** A data message: client to server (sender empty), server to peer and server to client. */
    public static final int DATA = 12;
    /** Server to client: a new membership view of one group. */
    public static final int MEMBERSHIP = 13;
    /** Admin console to server: a request (peers, groups, stats). */
    public static final int ADMIN_REQUEST = 20;
    /** Server to admin console: the text answer. */
    public static final int ADMIN_RESPONSE = 21;

    private FrameType()
    {
    }

    /**
     * Name of a frame type for logs and errors.
     *
     * @param type frame type code.
     * @return its name, or {@code UNKNOWN(n)}.
     */
    public static String name(final int type)
    {
        switch (type)
        {
            case HELLO: return "HELLO";
            case WELCOME: return "WELCOME";
            case REJECT: return "REJECT";
            case ERROR: return "ERROR";
            case HEARTBEAT: return "HEARTBEAT";
            case MEMBER_SYNC: return "MEMBER_SYNC";
            case JOIN: return "JOIN";
            case LEAVE: return "LEAVE";
            case DATA: return "DATA";
            case MEMBERSHIP: return "MEMBERSHIP";
            case ADMIN_REQUEST: return "ADMIN_REQUEST";
            case ADMIN_RESPONSE: return "ADMIN_RESPONSE";
            default: return "UNKNOWN(" + type + ")";
        }
    }
}
