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
    /** Server to connecting side, its first frame when it has a secret: a fresh nonce to prove the secret over. */
    public static final int CHALLENGE = 8;
    /** Connecting side to server: the answer to CHALLENGE, a proof of the secret. */
    public static final int AUTH = 9;
    /** Peer to peer: link liveness, resume point, view and stability (what the sender has processed). */
    public static final int LINK_STATE = 7;
    /** Client to server: join a group. */
    public static final int JOIN = 10;
    /** Client to server: leave a group. */
    public static final int LEAVE = 11;
    /** A data message: client to server (sender empty), server to peer and server to client. */
    public static final int DATA = 12;
    /** Server to client: a new membership view of one group. */
    public static final int MEMBERSHIP = 13;
    /** Stream: the sender has seen membership events up to an index; its later frames come after them. */
    public static final int MARK = 30;
    /** Stream: the sender's last frame in a view. */
    public static final int FLUSH_MARK = 31;
    /** Stream: the sender's first frame in a view. */
    public static final int VIEW_START = 32;
    /** Stream (sequencer only): a membership event in the total order. */
    public static final int EVENT = 33;
    /** Stream, to the sequencer: a local member's join, leave or disconnect, to be ordered. */
    public static final int EVENT_REQUEST = 34;
    /** View change: the coordinator proposes a new view. */
    public static final int PROPOSE = 40;
    /** View change: a member accepts a proposal and says what it holds. */
    public static final int FLUSH_OK = 41;
    /** View change: a member has retransmitted what the others lacked. */
    public static final int RECOVER_DONE = 42;
    /** View change: a member's local group members, for the new view. */
    public static final int STATE = 43;
    /** View change: a member has sent all its state. */
    public static final int STATE_DONE = 44;
    /** View change: a proposal was refused because its id is too low. */
    public static final int VIEW_NACK = 45;
    /** View change: a node asks the coordinator for a view change. */
    public static final int VIEW_REQUEST = 46;
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
            case LINK_STATE: return "LINK_STATE";
            case CHALLENGE: return "CHALLENGE";
            case AUTH: return "AUTH";
            case MARK: return "MARK";
            case FLUSH_MARK: return "FLUSH_MARK";
            case VIEW_START: return "VIEW_START";
            case EVENT: return "EVENT";
            case EVENT_REQUEST: return "EVENT_REQUEST";
            case PROPOSE: return "PROPOSE";
            case FLUSH_OK: return "FLUSH_OK";
            case RECOVER_DONE: return "RECOVER_DONE";
            case STATE: return "STATE";
            case STATE_DONE: return "STATE_DONE";
            case VIEW_NACK: return "VIEW_NACK";
            case VIEW_REQUEST: return "VIEW_REQUEST";
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
