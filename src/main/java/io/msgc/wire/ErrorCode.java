package io.msgc.wire;

/**
 * Codes carried by REJECT and ERROR frames. The reason text says the specifics.
 */
public final class ErrorCode
{
    /** Frame is malformed: a field runs past the frame end, a count is out of range. */
    public static final int MALFORMED_FRAME = 1;
    /** Frame length exceeds the server's {@code max_frame_size} or is below the header size. */
    public static final int OVERSIZE_FRAME = 2;
    /** Protocol version not spoken by the server. */
    public static final int BAD_VERSION = 3;
    /** Frame type unknown, or not allowed in the connection's current state. */
    public static final int UNEXPECTED_FRAME = 4;
    /** A private name, node name or group name breaks the naming rules. */
    public static final int BAD_NAME = 5;
    /** A private name or node is already connected. */
    public static final int DUPLICATE_NAME = 6;
    /** The listener's access list refuses the remote address. */
    public static final int NOT_ALLOWED = 7;
    /** A peer's peers list differs from ours. */
    public static final int CONFIG_MISMATCH = 8;
    /** A peer names a node that is not in our peers list. */
    public static final int UNKNOWN_NODE = 9;
    /** Two links between the same pair of nodes: the one dialled by the node listed first wins. */
    public static final int DUPLICATE_LINK = 10;
    /** A limit was exceeded: groups per message, groups per client, clients per server. */
    public static final int LIMIT_EXCEEDED = 11;
    /** The client did not read fast enough and its outbound buffer overflowed. */
    public static final int SLOW_CONSUMER = 12;
    /** The server is shutting down. */
    public static final int SHUTDOWN = 13;
    /** The handshake did not complete in time. */
    public static final int TIMEOUT = 14;
    /** The server requires authentication and the HELLO offered none (no secret on the connecting side). */
    public static final int AUTH_REQUIRED = 15;
    /** The proof does not match the server's secret (a wrong secret, or a replayed handshake). */
    public static final int AUTH_FAILED = 16;
    /** Too many connections from one source address: past {@code connect_rate} / {@code connect_burst}. */
    public static final int RATE_LIMITED = 17;
    /** A peer connected from an address its {@code peers} entry does not resolve to. */
    public static final int ADDRESS_MISMATCH = 18;
    /** An admin command that changes state, from a console that authenticated only for reading. */
    public static final int READ_ONLY = 19;
    /** A peer's frame names a sender or member of another node than the one that originated it: link closed. */
    public static final int FORGED_IDENTITY = 20;

    private ErrorCode()
    {
    }

    /**
     * @param code an error code.
     * @return its symbolic name.
     */
    public static String name(final int code)
    {
        switch (code)
        {
            case MALFORMED_FRAME: return "MALFORMED_FRAME";
            case OVERSIZE_FRAME: return "OVERSIZE_FRAME";
            case BAD_VERSION: return "BAD_VERSION";
            case UNEXPECTED_FRAME: return "UNEXPECTED_FRAME";
            case BAD_NAME: return "BAD_NAME";
            case DUPLICATE_NAME: return "DUPLICATE_NAME";
            case NOT_ALLOWED: return "NOT_ALLOWED";
            case CONFIG_MISMATCH: return "CONFIG_MISMATCH";
            case UNKNOWN_NODE: return "UNKNOWN_NODE";
            case DUPLICATE_LINK: return "DUPLICATE_LINK";
            case LIMIT_EXCEEDED: return "LIMIT_EXCEEDED";
            case SLOW_CONSUMER: return "SLOW_CONSUMER";
            case SHUTDOWN: return "SHUTDOWN";
            case TIMEOUT: return "TIMEOUT";
            case AUTH_REQUIRED: return "AUTH_REQUIRED";
            case AUTH_FAILED: return "AUTH_FAILED";
            case RATE_LIMITED: return "RATE_LIMITED";
            case ADDRESS_MISMATCH: return "ADDRESS_MISMATCH";
            case READ_ONLY: return "READ_ONLY";
            case FORGED_IDENTITY: return "FORGED_IDENTITY";
            default: return "CODE_" + code;
        }
    }
}
